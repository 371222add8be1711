//! Administering reports and reading their statistics, on SQLite (and PostgreSQL when
//! PARVIS_TEST_POSTGRES_URL is set): categories created, edited and refused field by
//! field, their questions edited without JSON, private categories kept off public lists,
//! routing rules edited with their preview, districts imported from GeoJSON (all or
//! nothing, replaced by slug), figures and medians of the statistics, exports without
//! any author data, and who may do any of it.

use std::collections::BTreeMap;

use jiff::SignedDuration;
use kernel::audit::{AuditQuery, search};
use kernel::identity::Role;
use parvis::testing::{TestApp, TestClient, caller, demo_app, log_in_enrolling_second_factor};
use parvis::testing::{TestResponse, resident, staff};
use reports::actions::{self, NewReport, StatusChange};
use reports::model::{Category, Point, Status};
use reports::store::{self, ReportFilter};

const CATEGORIES: &str = "/backoffice/signalements/categories";
const ROUTING: &str = "/backoffice/signalements/orientation";
const STATS: &str = "/backoffice/signalements/statistiques";

async fn administrator(app: &TestApp) -> TestClient {
    log_in_enrolling_second_factor(app, "admin@demo.parvis.fr", accounts::demo::STAFF_PASSWORD)
        .await
        .0
}

async fn category(app: &TestApp, code: &str) -> Category {
    store::category_by_code(&app.kernel.db, code)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("category {code}"))
}

async fn service_id(app: &TestApp, slug: &str) -> String {
    accounts::store::service_by_slug(&app.kernel.db, slug)
        .await
        .unwrap()
        .expect("demo service")
        .id
}

async fn district_id(app: &TestApp, slug: &str) -> String {
    store::districts(&app.kernel.db)
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.slug == slug)
        .unwrap_or_else(|| panic!("district {slug}"))
        .id
}

async fn audited(app: &TestApp, action: &str) -> usize {
    search(
        &app.kernel.db,
        &AuditQuery {
            action: Some(action.into()),
            limit: 100,
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .iter()
    .filter(|e| e.action == action)
    .count()
}

/// Posts a form with the CSRF token of `form_page`, as the browser would.
async fn post_to(
    client: &TestClient,
    form_page: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> TestResponse {
    client.submit(form_page, action, fields).await
}

/// Posts the form of a page to that page.
async fn post(client: &TestClient, page: &str, fields: &[(&str, &str)]) -> TestResponse {
    client.submit(page, page, fields).await
}

/// A list question of the pavement category, as its form posts it.
fn list_question<'a>(code: &'a str, values: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("code", code),
        ("description", "Quelle gravité ?"),
        ("datatype", "singlevaluelist"),
        ("values", values),
    ]
}

fn category_fields<'a>(code: &'a str, name: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("code", code),
        ("name", name),
        (
            "description",
            "Bancs, agrès et tables de pique-nique abîmés.",
        ),
        ("icon", "mobilier"),
        ("keywords", "banc, agrès"),
        ("notice", ""),
        ("duplicate_radius_m", "120"),
        ("position", ""),
        ("active", "oui"),
    ]
}

fn report(code: &str, lat: f64, lon: f64, answers: &[(&str, &str)]) -> NewReport {
    let mut raw = BTreeMap::new();
    for (k, v) in answers {
        raw.insert(k.to_string(), vec![v.to_string()]);
    }
    NewReport {
        category_code: code.into(),
        point: Point::new(lat, lon),
        address: "Place de la Mairie, 00000 Démo".into(),
        description: "Un problème constaté ce matin.".into(),
        answers: raw,
        ..NewReport::default()
    }
}

#[tokio::test]
async fn categories_are_created_edited_and_refused_field_by_field() {
    let app = demo_app().await;
    let admin = administrator(&app).await;
    let list = admin.get(CATEGORIES).await;
    assert_eq!(list.status, 200);
    assert!(list.contains("Nid-de-poule ou chaussée dégradée"));
    assert!(list.contains("<code>nid-de-poule</code>"));
    let stored = store::categories(&app.kernel.db).await.unwrap();
    // The form offers the built-in icons, those the demo commune uses.
    for c in &stored {
        assert!(
            reports::admin_rules::ICONS.contains(&c.icon.as_str()),
            "{}",
            c.icon
        );
    }
    let before = stored.len();
    let new_page = format!("{CATEGORIES}/nouvelle");

    // Bad input: every problem next to its field, the input kept, nothing stored.
    let bad = post(
        &admin,
        &new_page,
        &[
            ("code", "Mobilier Sportif"),
            ("name", " "),
            ("icon", "licorne"),
            ("duplicate_radius_m", "5000"),
            ("keywords", "banc"),
        ],
    )
    .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.contains("id=\"resume-erreurs\""));
    assert!(bad.contains("Le code ne peut contenir que des lettres minuscules"));
    assert!(bad.contains("Indiquez le nom de la catégorie."));
    assert!(bad.contains("Choisissez une icône dans la liste."));
    assert!(bad.contains("nombre entier entre 10 et 1 000"));
    assert!(bad.contains("value=\"Mobilier Sportif\""));
    let taken = post(
        &admin,
        &new_page,
        &category_fields("tags", "Encore des tags"),
    )
    .await;
    assert_eq!(taken.status, 422);
    assert!(taken.contains("Ce code est déjà celui d&#39;une autre catégorie"));
    assert_eq!(
        store::categories(&app.kernel.db).await.unwrap().len(),
        before
    );

    // A good one, as a sub-category of street furniture.
    let parent = category(&app, "mobilier").await;
    let mut fields = category_fields("mobilier-sportif", "Équipements sportifs");
    fields.push(("parent_id", &parent.id));
    let created = post(&admin, &new_page, &fields).await;
    assert_eq!(created.status, 303, "{}", created.body);
    let sport = category(&app, "mobilier-sportif").await;
    assert_eq!(
        created.location(),
        Some(format!("{CATEGORIES}/{}", sport.id).as_str())
    );
    assert_eq!(sport.parent_id.as_deref(), Some(parent.id.as_str()));
    assert_eq!(sport.duplicate_radius_m, 120);
    assert_eq!(sport.keywords, "banc, agrès");
    assert!(sport.active && !sport.private);
    let shown = admin.follow(&created).await;
    assert!(shown.contains("La catégorie « Équipements sportifs » est créée."));
    assert_eq!(audited(&app, "reports.category.created").await, 1);

    // Without reports its code may still change; a parent must be a top-level category.
    let edit = format!("{CATEGORIES}/{}", sport.id);
    let mut fields = category_fields("equipements-sportifs", "Équipements sportifs");
    let nested = category(&app, "nid-de-poule").await;
    fields.push(("parent_id", &nested.id));
    let refused = post(&admin, &edit, &fields).await;
    assert_eq!(refused.status, 422);
    assert!(refused.contains("Choisissez une catégorie principale"));
    fields.pop();
    fields.push(("parent_id", &parent.id));
    let saved = post(&admin, &edit, &fields).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(category(&app, "equipements-sportifs").await.id, sport.id);
    assert_eq!(audited(&app, "reports.category.updated").await, 1);

    // Once reports use a code, it stays: the form shows it fixed and a changed one is
    // refused.
    let tags = category(&app, "tags").await;
    let tags_page = format!("{CATEGORIES}/{}", tags.id);
    let form = admin.get(&tags_page).await;
    assert!(form.contains("<code>tags</code>"));
    assert!(form.contains("Un signalement utilise ce code"));
    let renamed = post(
        &admin,
        &tags_page,
        &[
            ("code", "graffitis"),
            ("name", "Graffitis"),
            ("icon", "tags"),
            ("duplicate_radius_m", "50"),
            ("position", "50"),
            ("active", "oui"),
        ],
    )
    .await;
    assert_eq!(renamed.status, 422);
    assert!(renamed.contains("Des signalements utilisent déjà ce code"));
    assert_eq!(category(&app, "tags").await.name, "Tags et graffitis");
    // An unknown category is not found.
    assert_eq!(
        admin.get(&format!("{CATEGORIES}/inconnue")).await.status,
        404
    );
}

#[tokio::test]
async fn a_private_category_leaves_the_public_lists() {
    let app = demo_app().await;
    let admin = administrator(&app).await;
    let new_page = format!("{CATEGORIES}/nouvelle");
    let mut fields = category_fields("personne-en-detresse", "Personne en détresse");
    fields.push(("private", "oui"));
    let created = post(&admin, &new_page, &fields).await;
    assert_eq!(created.status, 303, "{}", created.body);
    let private = store::categories(&app.kernel.db)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.code == "personne-en-detresse")
        .expect("stored");
    assert!(private.private);
    let filed = actions::file_report(
        &app.kernel,
        &kernel::Caller::default(),
        report("personne-en-detresse", 45.7641, 4.8357, &[]),
    )
    .await
    .unwrap();
    let public = ReportFilter {
        public_only: true,
        limit: 1000,
        ..ReportFilter::default()
    };
    let listed = |filter: ReportFilter| {
        let app = &app;
        async move {
            store::list_reports(&app.kernel.db, &filter)
                .await
                .unwrap()
                .into_iter()
                .map(|r| r.id)
                .collect::<Vec<_>>()
        }
    };
    assert!(!listed(public.clone()).await.contains(&filed.report.id));
    assert!(
        listed(ReportFilter {
            limit: 1000,
            ..ReportFilter::default()
        })
        .await
        .contains(&filed.report.id)
    );
    // Made public again, its reports come back.
    let edit = format!("{CATEGORIES}/{}", private.id);
    let fields = category_fields("personne-en-detresse", "Personne en détresse");
    assert_eq!(post(&admin, &edit, &fields).await.status, 303);
    assert!(!category(&app, "personne-en-detresse").await.private);
    assert!(listed(public).await.contains(&filed.report.id));
}

#[tokio::test]
async fn questions_are_added_edited_moved_and_removed_without_json() {
    let app = demo_app().await;
    let admin = administrator(&app).await;
    let trottoir = category(&app, "trottoir").await;
    assert!(trottoir.attributes.is_empty());
    let add = format!("{CATEGORIES}/{}/questions/nouvelle", trottoir.id);

    let no_values = post(&admin, &add, &list_question("gravite", "  ")).await;
    assert_eq!(no_values.status, 422);
    assert!(no_values.contains("Une liste a besoin d&#39;au moins un choix"));
    let bad_values = list_question("gravite", "faible | Faible\nFort Danger | Fort");
    let bad_line = post(&admin, &add, &bad_values).await;
    assert_eq!(bad_line.status, 422);
    assert!(bad_line.contains("Ligne 2 : le code « Fort Danger »"));
    // Nothing stored by the refusals.
    assert!(category(&app, "trottoir").await.attributes.is_empty());

    let mut fields = list_question("gravite", "faible | Gêne légère\nChute possible");
    fields.push(("required", "oui"));
    let added = post(&admin, &add, &fields).await;
    assert_eq!(added.status, 303, "{}", added.body);
    let q = &category(&app, "trottoir").await.attributes[0];
    assert_eq!(q.code, "gravite");
    assert!(q.required && q.variable);
    let keys: Vec<&str> = q.values.iter().map(|v| v.key.as_str()).collect();
    assert_eq!(keys, ["faible", "chute_possible"]);
    let twice = post(
        &admin,
        &add,
        &[
            ("code", "gravite"),
            ("description", "Encore ?"),
            ("datatype", "string"),
        ],
    )
    .await;
    assert_eq!(twice.status, 422);
    assert!(twice.contains("Une autre question de cette catégorie a déjà ce code."));
    let info = post(
        &admin,
        &add,
        &[
            ("code", "urgence"),
            ("description", "Une chute ? Appelez le 15."),
            ("datatype", "text"),
            ("information", "oui"),
        ],
    )
    .await;
    assert_eq!(info.status, 303);

    // The questions are asked when reporting.
    let missing = actions::file_report(
        &app.kernel,
        &kernel::Caller::default(),
        report("trottoir", 45.7641, 4.8357, &[]),
    )
    .await;
    assert!(missing.is_err());
    actions::file_report(
        &app.kernel,
        &kernel::Caller::default(),
        report(
            "trottoir",
            45.7641,
            4.8357,
            &[("gravite", "chute_possible")],
        ),
    )
    .await
    .unwrap();

    // Edited: with a report filed, its code is fixed, the rest may change.
    let edit = format!("{CATEGORIES}/{}/questions/gravite", trottoir.id);
    let form = admin.get(&edit).await;
    assert!(
        form.contains("Code : <code>gravite</code>"),
        "code shown, not editable"
    );
    assert!(form.contains("faible | Gêne légère\nchute_possible | Chute possible"));
    let renamed = post(
        &admin,
        &edit,
        &list_question("danger", "faible | Gêne légère"),
    )
    .await;
    assert_eq!(renamed.status, 422);
    assert!(renamed.contains("le code de la question ne peut plus changer"));
    let saved = post(
        &admin,
        &edit,
        &[
            ("code", "gravite"),
            ("description", "Le trottoir est-il praticable ?"),
            ("datatype", "singlevaluelist"),
            ("values", "oui | Oui\nnon | Non"),
        ],
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let stored = category(&app, "trottoir").await;
    assert_eq!(
        stored.attributes[0].description,
        "Le trottoir est-il praticable ?"
    );
    assert!(!stored.attributes[0].required);

    // Moved and removed.
    let category_page = format!("{CATEGORIES}/{}", trottoir.id);
    let moved = post_to(
        &admin,
        &category_page,
        &format!("{CATEGORIES}/{}/questions/urgence/deplacer", trottoir.id),
        &[("direction", "up")],
    )
    .await;
    assert_eq!(moved.status, 303);
    let codes: Vec<String> = category(&app, "trottoir")
        .await
        .attributes
        .into_iter()
        .map(|a| a.code)
        .collect();
    assert_eq!(codes, ["urgence", "gravite"]);
    let removed = post_to(
        &admin,
        &category_page,
        &format!("{CATEGORIES}/{}/questions/urgence/supprimer", trottoir.id),
        &[],
    )
    .await;
    assert_eq!(removed.status, 303);
    let codes: Vec<String> = category(&app, "trottoir")
        .await
        .attributes
        .into_iter()
        .map(|a| a.code)
        .collect();
    assert_eq!(codes, ["gravite"]);
    for action in [
        "reports.category.question_added",
        "reports.category.question_updated",
        "reports.category.question_moved",
        "reports.category.question_removed",
    ] {
        assert!(audited(&app, action).await >= 1, "{action}");
    }
    assert_eq!(
        admin
            .get(&format!("{CATEGORIES}/{}/questions/inconnue", trottoir.id))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn routing_rules_are_edited_and_previewed() {
    let app = demo_app().await;
    let admin = administrator(&app).await;
    let voirie = category(&app, "voirie").await;
    let tags = category(&app, "tags").await;
    let coteaux = district_id(&app, "les-coteaux").await;
    let police = service_id(&app, "police-municipale").await;
    let roads = service_id(&app, "voirie").await;

    let page = admin.get(ROUTING).await;
    assert_eq!(page.status, 200);
    assert!(page.contains("Stationnement gênant, Tout le territoire :"));
    let preview = admin
        .get(&format!(
            "{ROUTING}?apercu_categorie={}&apercu_quartier={coteaux}",
            voirie.id
        ))
        .await;
    assert_eq!(preview.status, 200);
    assert!(
        preview.contains(
            "Un signalement « Voirie » à « Les Coteaux » va à : Voirie, propreté et espaces verts — Équipe Nord."
        ),
        "{}",
        preview.body
    );
    let no_category = admin.get(&format!("{ROUTING}?apercu_categorie=")).await;
    assert_eq!(no_category.status, 422);
    assert!(no_category.contains("Choisissez la catégorie du signalement."));

    // A rule sending tags to the municipal police, first in the list.
    let before = store::routing_rules(&app.kernel.db).await.unwrap().len();
    let added = post(
        &admin,
        ROUTING,
        &[
            ("action", "add"),
            ("rule_category", &tags.id),
            ("rule_district", ""),
            ("rule_service", &police),
            ("rule_team", ""),
            ("rule_agency", ""),
            ("rule_place", "first"),
        ],
    )
    .await;
    assert_eq!(added.status, 303, "{}", added.body);
    let rules = store::routing_rules(&app.kernel.db).await.unwrap();
    assert_eq!(rules.len(), before + 1);
    assert_eq!(rules[0].category_id.as_deref(), Some(tags.id.as_str()));
    assert_eq!(rules[0].service_id, police);
    let positions: Vec<i64> = rules.iter().map(|r| r.position).collect();
    assert_eq!(
        positions,
        (1..=rules.len() as i64).map(|n| n * 10).collect::<Vec<_>>()
    );
    let filed = actions::file_report(
        &app.kernel,
        &kernel::Caller::default(),
        report("tags", 45.7641, 4.8357, &[]),
    )
    .await
    .unwrap();
    assert_eq!(filed.report.service_id.as_deref(), Some(police.as_str()));
    let preview = admin
        .get(&format!(
            "{ROUTING}?apercu_categorie={}&apercu_quartier=",
            tags.id
        ))
        .await;
    assert!(preview.contains(
        "Un signalement « Tags et graffitis » hors de tout quartier va à : Police municipale."
    ));

    // Refused: the same category and district twice, a team of another service.
    let north = accounts::store::team_by_slug(&app.kernel.db, &roads, "equipe-nord")
        .await
        .unwrap()
        .unwrap();
    let refused = post(
        &admin,
        ROUTING,
        &[
            ("action", "add"),
            ("rule_category", &tags.id),
            ("rule_service", &police),
            ("rule_team", &north.id),
        ],
    )
    .await;
    assert_eq!(refused.status, 422);
    assert!(refused.contains("Une règle existe déjà pour cette catégorie et ce quartier"));
    assert!(refused.contains("Cette équipe n&#39;appartient pas au service choisi."));
    assert_eq!(
        store::routing_rules(&app.kernel.db).await.unwrap().len(),
        before + 1
    );

    // Moved down, then removed.
    let id = rules[0].id.clone();
    let rule_url = format!("{ROUTING}/regles/{id}");
    let down = post_to(&admin, ROUTING, &rule_url, &[("action", "down")]).await;
    assert_eq!(down.status, 303);
    let rules = store::routing_rules(&app.kernel.db).await.unwrap();
    assert_eq!(rules[1].id, id);
    let removed = post_to(&admin, ROUTING, &rule_url, &[("action", "remove")]).await;
    assert_eq!(removed.status, 303);
    assert!(
        !store::routing_rules(&app.kernel.db)
            .await
            .unwrap()
            .iter()
            .any(|r| r.id == id)
    );
    // A rule gone meanwhile: told so, nothing changes.
    let stale = post_to(&admin, ROUTING, &rule_url, &[("action", "remove")]).await;
    assert_eq!(stale.status, 303);
    assert!(
        admin
            .follow(&stale)
            .await
            .contains("Cette règle n&#39;existe plus")
    );
    assert_eq!(
        store::routing_rules(&app.kernel.db).await.unwrap().len(),
        before
    );
    assert_eq!(audited(&app, "reports.routing.rule_added").await, 1);
    assert_eq!(audited(&app, "reports.routing.rule_moved").await, 1);
    assert_eq!(audited(&app, "reports.routing.rule_removed").await, 1);

    // Which district holds a point.
    let inside = admin.get(&format!("{ROUTING}?lat=45,772&lon=4.835")).await;
    assert!(inside.contains("Ce point est dans le quartier « Les Coteaux »."));
    let outside = admin.get(&format!("{ROUTING}?lat=45.9&lon=4.835")).await;
    assert!(outside.contains("Ce point n&#39;est dans aucun quartier"));
    let wrong = admin.get(&format!("{ROUTING}?lat=nord&lon=")).await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.contains("La latitude est un nombre entre -90 et 90"));
    assert!(wrong.contains("Indiquez la longitude."));
}

fn square(name: &str, [min_lon, min_lat, max_lon, max_lat]: [f64; 4]) -> String {
    format!(
        r#"{{"type": "Feature", "properties": {{"nom": "{name}"}}, "geometry": {{"type": "Polygon", "coordinates": [[[{min_lon}, {min_lat}], [{max_lon}, {min_lat}], [{max_lon}, {max_lat}], [{min_lon}, {max_lat}], [{min_lon}, {min_lat}]]]}}}}"#
    )
}

#[tokio::test]
async fn districts_are_imported_from_geojson_all_or_nothing() {
    let app = demo_app().await;
    let admin = administrator(&app).await;
    let import = format!("{ROUTING}/quartiers");
    let coteaux = district_id(&app, "les-coteaux").await;
    let north = Point::new(45.785, 4.835).unwrap();
    let districts = store::districts(&app.kernel.db).await.unwrap();
    assert!(reports::rules::district_of(north, &districts).is_none());

    // One good feature and one point: refused whole, with the feature and its line.
    let bad = format!(
        "{{\"type\": \"FeatureCollection\", \"features\": [\n{},\n{{\"type\": \"Feature\", \"properties\": {{\"nom\": \"La Gare\"}}, \"geometry\": {{\"type\": \"Point\", \"coordinates\": [4.83, 45.76]}}}}\n]}}",
        square("Le Bourg", [4.8430, 45.7500, 4.8600, 45.7780])
    );
    let token = admin.get(ROUTING).await.csrf();
    let refused = admin
        .post_multipart(
            &import,
            &[("csrf_token", &token), ("propriete", "")],
            &[("fichier", "quartiers.geojson", bad.as_bytes())],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.contains("Le fichier n&#39;est pas importé, rien n&#39;a changé."));
    assert!(refused.contains("Élément 2 (ligne 3) : sa géométrie est de type « Point »"));
    assert_eq!(store::districts(&app.kernel.db).await.unwrap().len(), 3);
    let syntax = admin
        .post_multipart(
            &import,
            &[("csrf_token", &token)],
            &[(
                "fichier",
                "quartiers.geojson",
                b"{\"type\": \"FeatureCollection\",\n \"features\": [}",
            )],
        )
        .await;
    assert_eq!(syntax.status, 422);
    assert!(syntax.contains("erreur ligne 2"));

    // A good file: Les Coteaux redrawn further north (same slug, same id), Le Bourg new.
    let good = format!(
        "{{\"type\": \"FeatureCollection\", \"features\": [\n{},\n{}\n]}}",
        square("Les Coteaux", [4.8280, 45.7680, 4.8430, 45.7900]),
        square("Le Bourg", [4.8430, 45.7500, 4.8600, 45.7780])
    );
    let done = admin
        .post_multipart(
            &import,
            &[("csrf_token", &token)],
            &[("fichier", "quartiers.geojson", good.as_bytes())],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert!(
        admin
            .follow(&done)
            .await
            .contains("2 quartiers importés : 1 nouveaux, 1 remplacés.")
    );
    let districts = store::districts(&app.kernel.db).await.unwrap();
    assert_eq!(districts.len(), 4);
    assert_eq!(district_id(&app, "les-coteaux").await, coteaux);
    assert_eq!(
        reports::rules::district_of(north, &districts).unwrap().slug,
        "les-coteaux"
    );
    assert_eq!(audited(&app, "reports.districts.imported").await, 1);

    // The name may come from another property.
    let english = good
        .replace("\"nom\"", "\"label\"")
        .replace("Le Bourg", "La Gare")
        .replace("Les Coteaux", "Le Port");
    let by_label = admin
        .post_multipart(
            &import,
            &[("csrf_token", &token), ("propriete", "label")],
            &[("fichier", "quartiers.geojson", english.as_bytes())],
        )
        .await;
    assert_eq!(by_label.status, 303, "{}", by_label.body);
    assert_eq!(store::districts(&app.kernel.db).await.unwrap().len(), 6);

    // A district named by a rule stays; one that no rule names may go.
    let used = post_to(
        &admin,
        ROUTING,
        &format!("{ROUTING}/quartiers/{coteaux}/supprimer"),
        &[],
    )
    .await;
    assert_eq!(used.status, 303);
    assert!(
        admin
            .follow(&used)
            .await
            .contains("retirez-la avant de le supprimer")
    );
    assert_eq!(store::districts(&app.kernel.db).await.unwrap().len(), 6);
    let port = district_id(&app, "le-port").await;
    let gone = post_to(
        &admin,
        ROUTING,
        &format!("{ROUTING}/quartiers/{port}/supprimer"),
        &[],
    )
    .await;
    assert_eq!(gone.status, 303);
    assert_eq!(store::districts(&app.kernel.db).await.unwrap().len(), 5);
    assert_eq!(audited(&app, "reports.district.deleted").await, 1);
}

/// The number in the statistics table next to a label.
fn figure(body: &str, label: &str) -> Option<i64> {
    let marker = format!("<th scope=\"row\">{label}</th><td>");
    let start = body.find(&marker)? + marker.len();
    body[start..].split('<').next()?.parse().ok()
}

#[tokio::test]
async fn statistics_count_the_demo_and_measure_median_delays() {
    let app = demo_app().await;
    let official = staff(&app, "helene.fabre@demo.parvis.fr").await;
    let page = official.get(STATS).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let all = store::count_reports(&app.kernel.db, &ReportFilter::default())
        .await
        .unwrap();
    assert!(page.contains(&format!("<dt>Signalements</dt><dd>{all}</dd>")));
    let tr = app.kernel.tr(kernel::i18n::Lang::Fr);
    for status in Status::ALL {
        let stored = store::count_reports(
            &app.kernel.db,
            &ReportFilter {
                statuses: vec![status],
                ..ReportFilter::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(
            figure(&page.body, &tr.t(status.label_key())),
            Some(stored),
            "{status:?}"
        );
    }
    assert_eq!(figure(&page.body, "novembre 2026"), Some(all));
    assert_eq!(figure(&page.body, "décembre 2025"), Some(0));
    assert!(page.contains("<svg"));

    // Three pavement reports acknowledged after 1, 2 and 4 hours, two resolved after 26
    // and 50 hours: medians of 2 hours and 38 hours.
    let admin = caller(&app, "admin@demo.parvis.fr").await;
    let mut ids = vec![];
    for _ in 0..3 {
        let filed = actions::file_report(
            &app.kernel,
            &kernel::Caller::default(),
            report("trottoir", 45.7641, 4.8357, &[]),
        )
        .await
        .unwrap();
        ids.push(filed.report.id);
    }
    let change = |to: Status| StatusChange {
        to,
        message: String::new(),
        photo: None,
    };
    for (id, hours) in ids.iter().zip([1, 1, 2]) {
        app.clock.advance(SignedDuration::from_hours(hours));
        actions::change_status(&app.kernel, &admin, id, change(Status::Acknowledged))
            .await
            .unwrap();
    }
    // Now 4 hours after filing.
    app.clock.advance(SignedDuration::from_hours(22));
    actions::change_status(&app.kernel, &admin, &ids[0], change(Status::Resolved))
        .await
        .unwrap();
    app.clock.advance(SignedDuration::from_hours(24));
    actions::change_status(&app.kernel, &admin, &ids[1], change(Status::Resolved))
        .await
        .unwrap();
    // Two days later the morning's session is over: the official logs in again.
    let official = staff(&app, "helene.fabre@demo.parvis.fr").await;
    let trottoir = category(&app, "trottoir").await;
    let only = official
        .get(&format!("{STATS}?categorie={}", trottoir.id))
        .await;
    assert_eq!(only.status, 200);
    assert!(
        only.contains("<dt>Signalements</dt><dd>3</dd>"),
        "{}",
        only.body
    );
    assert!(only.contains("<dt>Délai médian de prise en compte</dt><dd>2 h 0 min</dd>"));
    assert!(only.contains("<dt>Délai médian de résolution</dt><dd>1 j 14 h</dd>"));
    let everything = official.get(STATS).await;
    assert!(everything.contains(
        "<th scope=\"row\">Voirie › Trottoir abîmé</th><td>3</td><td>2 h 0 min</td><td>2</td><td>1 j 14 h</td>"
    ));

    // Filters that cannot be read are said so, next to their field.
    let wrong = official
        .get(&format!("{STATS}?du=2026-13-45&statut=perdu"))
        .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.contains("Indiquez une date au format AAAA-MM-JJ"));
    assert!(wrong.contains("Ce statut n&#39;existe pas"));
    let reversed = official
        .get(&format!("{STATS}?du=2026-11-20&au=2026-11-01"))
        .await;
    assert_eq!(reversed.status, 422);
    // A period: only what was filed in it.
    let day = official
        .get(&format!("{STATS}?du=2026-11-23&au=2026-11-23"))
        .await;
    let that_day = store::count_reports(
        &app.kernel.db,
        &ReportFilter {
            created_from: Some("2026-11-22T23:00:00Z".parse().unwrap()),
            created_until: Some("2026-11-23T22:59:59Z".parse().unwrap()),
            ..ReportFilter::default()
        },
    )
    .await
    .unwrap();
    assert!(day.contains(&format!("<dt>Signalements</dt><dd>{that_day}</dd>")));
    // The three above at least (and the demo's samples filed that day, if any).
    assert!(that_day >= 3, "{that_day}");
}

#[tokio::test]
async fn exports_carry_no_author_data() {
    let app = demo_app().await;
    let mut with_email = report("lampadaire", 45.7641, 4.8357, &[]);
    with_email.email = Some("temoin@example.org".into());
    let anonymous = actions::file_report(&app.kernel, &kernel::Caller::default(), with_email)
        .await
        .unwrap();
    let camille = caller(&app, "camille.martin@demo.parvis.fr").await;
    let signed = actions::file_report(
        &app.kernel,
        &camille,
        report("corbeille", 45.7641, 4.8357, &[]),
    )
    .await
    .unwrap();
    let total = store::count_reports(&app.kernel.db, &ReportFilter::default())
        .await
        .unwrap();

    let official = staff(&app, "helene.fabre@demo.parvis.fr").await;
    let csv = official.get("/backoffice/signalements/export.csv").await;
    assert_eq!(csv.status, 200, "{}", csv.body);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    assert!(
        csv.bytes.starts_with("\u{feff}".as_bytes()),
        "a byte-order mark"
    );
    assert!(csv.body.contains(
        "reference;categorie;code_categorie;statut;quartier;service;equipe;organisme;adresse;latitude;longitude;canal;soutiens;depose_le"
    ));
    assert_eq!(csv.body.lines().count() as i64, total + 1);
    assert!(csv.contains(&anonymous.report.reference));
    assert!(csv.contains(&signed.report.reference));
    assert!(csv.contains("Éclairage public › Lampadaire éteint ou défectueux"));
    assert!(csv.contains("45,764100;4,835700"));
    assert!(!csv.contains("temoin@example.org"));
    assert!(!csv.contains("camille.martin"));
    assert!(!csv.contains("@"), "no e-mail address at all");
    assert!(
        !csv.contains("Un problème constaté ce matin"),
        "no description"
    );

    let geojson = official
        .get("/backoffice/signalements/export.geojson")
        .await;
    assert_eq!(geojson.status, 200);
    assert_eq!(geojson.header("content-type"), Some("application/geo+json"));
    assert!(!geojson.contains("@"));
    assert!(!geojson.contains("Martin"));
    let collection: serde_json::Value = serde_json::from_str(&geojson.body).unwrap();
    assert_eq!(collection["type"], "FeatureCollection");
    let features = collection["features"].as_array().unwrap();
    assert_eq!(features.len() as i64, total);
    let feature = features
        .iter()
        .find(|f| f["properties"]["reference"] == anonymous.report.reference.as_str())
        .unwrap();
    assert_eq!(feature["geometry"]["type"], "Point");
    assert_eq!(feature["geometry"]["coordinates"][0], 4.8357);
    assert_eq!(feature["properties"]["statut"], "new");
    assert_eq!(feature["properties"]["code_categorie"], "lampadaire");
    let keys: Vec<&String> = feature["properties"].as_object().unwrap().keys().collect();
    assert!(
        !keys
            .iter()
            .any(|k| k.contains("auteur") || k.contains("email") || k.contains("description")),
        "{keys:?}"
    );

    // The same filters as the page: resolved reports only.
    let resolved = official
        .get("/backoffice/signalements/export.csv?statut=resolved")
        .await;
    let stored = store::count_reports(
        &app.kernel.db,
        &ReportFilter {
            statuses: vec![Status::Resolved],
            ..ReportFilter::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(resolved.body.lines().count() as i64, stored + 1);
    assert!(!resolved.contains(&anonymous.report.reference));
    let wrong = official
        .get("/backoffice/signalements/export.geojson?statut=perdu")
        .await;
    assert_eq!(wrong.status, 400);
    assert_eq!(audited(&app, "reports.exported").await, 3);
}

#[tokio::test]
async fn only_administrators_administer_and_managers_count_their_services() {
    let app = demo_app().await;
    let agent = staff(&app, "luc.moreau@demo.parvis.fr").await;
    let tags = category(&app, "tags").await;
    let token = agent.get("/backoffice").await.csrf();
    for path in [
        CATEGORIES.to_string(),
        format!("{CATEGORIES}/nouvelle"),
        format!("{CATEGORIES}/{}", tags.id),
        format!("{CATEGORIES}/{}/questions/nouvelle", tags.id),
        ROUTING.to_string(),
        STATS.to_string(),
        "/backoffice/signalements/export.csv".to_string(),
        "/backoffice/signalements/export.geojson".to_string(),
    ] {
        assert_eq!(agent.get(&path).await.status, 403, "GET {path}");
    }
    let mut fields = category_fields("sauvage", "Créée par un agent");
    fields.push(("csrf_token", &token));
    let tried = agent
        .post_form(&format!("{CATEGORIES}/nouvelle"), &fields)
        .await;
    assert_eq!(tried.status, 403);
    let rules_before = store::routing_rules(&app.kernel.db).await.unwrap();
    let police = service_id(&app, "police-municipale").await;
    let tried = agent
        .post_form(
            ROUTING,
            &[
                ("csrf_token", &token),
                ("rule_category", &tags.id),
                ("rule_service", &police),
            ],
        )
        .await;
    assert_eq!(tried.status, 403);
    let tried = agent
        .post_form(
            &format!("{ROUTING}/regles/{}", rules_before[0].id),
            &[("csrf_token", &token), ("action", "remove")],
        )
        .await;
    assert_eq!(tried.status, 403);
    assert_eq!(
        store::routing_rules(&app.kernel.db).await.unwrap(),
        rules_before
    );
    assert!(
        store::category_by_code(&app.kernel.db, "sauvage")
            .await
            .unwrap()
            .is_none()
    );
    let resident = resident(&app).await;
    assert_eq!(resident.get(CATEGORIES).await.status, 403);
    assert_eq!(resident.get(STATS).await.status, 403);
    let anonymous = app.client().get(STATS).await;
    assert_eq!(anonymous.status, 303);
    assert!(anonymous.location().unwrap().starts_with("/connexion"));

    // A manager of the municipal police counts its reports only.
    let sandrine = accounts::store::user_by_email(&app.kernel.db, "sandrine.colin@demo.parvis.fr")
        .await
        .unwrap()
        .unwrap();
    let mut tx = app.kernel.db.begin().await.unwrap();
    accounts::store::grant_role(
        &mut tx,
        &sandrine.id,
        Role::ServiceManager,
        Some(&police),
        None,
        app.kernel.now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let manager = staff(&app, "sandrine.colin@demo.parvis.fr").await;
    let theirs = store::list_reports(
        &app.kernel.db,
        &ReportFilter {
            service_ids: Some(vec![police.clone()]),
            limit: 1000,
            ..ReportFilter::default()
        },
    )
    .await
    .unwrap();
    assert!(!theirs.is_empty());
    let page = manager.get(STATS).await;
    assert_eq!(page.status, 200);
    assert!(page.contains("Les signalements des services que vous dirigez"));
    assert!(page.contains(&format!("<dt>Signalements</dt><dd>{}</dd>", theirs.len())));
    let csv = manager.get("/backoffice/signalements/export.csv").await;
    assert_eq!(csv.body.lines().count(), theirs.len() + 1);
    for r in &theirs {
        assert!(csv.contains(&r.reference));
    }
    let others = store::list_reports(
        &app.kernel.db,
        &ReportFilter {
            statuses: vec![Status::Resolved],
            limit: 1000,
            ..ReportFilter::default()
        },
    )
    .await
    .unwrap();
    for r in others
        .iter()
        .filter(|r| r.service_id.as_deref() != Some(police.as_str()))
    {
        assert!(!csv.contains(&r.reference), "{}", r.reference);
    }
    // Managers read statistics, they do not administer.
    assert_eq!(manager.get(CATEGORIES).await.status, 403);
    // The childhood manager has no report to count.
    let childhood = staff(&app, "claire.rousseau@demo.parvis.fr").await;
    assert!(
        childhood
            .get(STATS)
            .await
            .contains("<dt>Signalements</dt><dd>0</dd>")
    );
    // The back office's home leads administrators and officials here.
    let admin = administrator(&app).await;
    let home = admin.get("/backoffice").await;
    assert!(home.contains("/backoffice/signalements/categories"));
    assert!(home.contains("/backoffice/signalements/statistiques"));
}
