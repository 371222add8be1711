//! The public map and list of reports: what the public sees (approximate places, never an
//! author, no private category, no hidden text), the map's data and its box filter, one
//! report's page, photo access, the map pages' security policy, and the static files.

use std::collections::BTreeMap;

use jiff::SignedDuration;
use parvis::testing::{TestApp, caller, demo_app, resident, spawn_with, staff};
use reports::actions::{self, NewReport, StatusChange};
use reports::model::{Point, Status};
use reports::photos::CleanPhoto;
use reports::store;

/// A 1×1 PNG: photos are stored as given once cleaned.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

fn png() -> CleanPhoto {
    CleanPhoto {
        bytes: PNG.to_vec(),
        content_type: "image/png",
        width: 1,
        height: 1,
    }
}

const WITNESS_EMAIL: &str = "temoin.discret@example.org";

/// An anonymous pothole report at a precise point, by someone who left an e-mail to be
/// told of progress.
async fn pothole_at(
    app: &TestApp,
    lat: f64,
    lon: f64,
    description: &str,
) -> reports::model::Report {
    let mut answers = BTreeMap::new();
    answers.insert("danger".to_string(), vec!["non".to_string()]);
    actions::file_report(
        &app.kernel,
        &kernel::Caller::default(),
        NewReport {
            category_code: "nid-de-poule".into(),
            point: Point::new(lat, lon),
            address: "14 rue de la République, 00000 Démo".into(),
            description: description.into(),
            answers,
            photos: vec![png()],
            email: Some(WITNESS_EMAIL.into()),
            ..NewReport::default()
        },
    )
    .await
    .expect("report filed")
    .report
}

async fn sample_id(app: &TestApp, description_start: &str) -> String {
    sqlx::query_scalar("SELECT id FROM reports WHERE description LIKE $1")
        .bind(format!("{description_start}%"))
        .fetch_one(app.kernel.db.pool())
        .await
        .expect("sample report")
}

async fn photo_of(app: &TestApp, report_id: &str) -> String {
    store::photos_of(&app.kernel.db, report_id)
        .await
        .unwrap()
        .first()
        .expect("a photo")
        .id
        .clone()
}

fn features(body: &str) -> Vec<serde_json::Value> {
    let data: serde_json::Value = serde_json::from_str(body).expect("GeoJSON");
    assert_eq!(data["type"], "FeatureCollection");
    data["features"].as_array().expect("features").clone()
}

fn ids(features: &[serde_json::Value]) -> Vec<String> {
    features
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_public_sees_reports_approximately_and_never_their_author() {
    let app = demo_app().await;
    let report = pothole_at(
        &app,
        45.763_417,
        4.836_283,
        "Ornière profonde devant la pharmacie.",
    )
    .await;
    let public = app.client();

    let list = public.get("/signalements").await;
    assert_eq!(list.status, 200);
    assert!(list.contains("Ornière profonde devant la pharmacie."));
    assert!(list.contains(&format!("/signalements/{}", report.id)));
    // The place in words: the district and the nearest street, not the typed address.
    assert!(list.contains("quartier Centre"), "{}", list.body);
    assert!(list.contains("près de Rue de la République"));
    assert!(!list.contains("14 rue de la République"));

    let map = public.get("/signalements/carte").await;
    assert_eq!(map.status, 200);
    assert!(map.contains("id=\"carte-signalements\""));
    assert!(map.contains("data-tile-url=\"https://tile.openstreetmap.org/{z}/{x}/{y}.png\""));
    assert!(map.contains("/static/signalements/carte.js?v="));
    // Without JavaScript, the list is there below the map.
    assert!(map.contains("Ornière profonde devant la pharmacie."));

    let data = public.get("/signalements/carte.json").await;
    assert_eq!(data.status, 200);
    assert!(
        data.header("content-type")
            .unwrap()
            .starts_with("application/geo+json")
    );
    let all = features(&data.body);
    let mine = all
        .iter()
        .find(|f| f["id"] == report.id.as_str())
        .expect("the new report is on the map");
    // Rounded to about 100 m.
    assert_eq!(mine["geometry"]["coordinates"][0].as_f64(), Some(4.836));
    assert_eq!(mine["geometry"]["coordinates"][1].as_f64(), Some(45.763));
    assert_eq!(mine["properties"]["icon"], "voirie");
    assert_eq!(
        mine["properties"]["label"],
        "Nid-de-poule ou chaussée dégradée — Nouveau — signalé le 23/11/2026"
    );
    assert_eq!(mine["properties"]["open"], true);
    assert_eq!(
        mine["properties"]["url"],
        format!("/signalements/{}", report.id).as_str()
    );

    let page = public.get(&format!("/signalements/{}", report.id)).await;
    assert_eq!(page.status, 200);
    assert!(page.contains(&report.reference));
    assert!(page.contains("data-lat=\"45.763\""));
    assert!(page.contains("data-lon=\"4.836\""));
    assert!(page.contains("Nouveau"));
    // « Me too » goes to its own handler, with the form's token.
    assert!(page.contains(&format!("action=\"/signalements/{}/moi-aussi\"", report.id)));
    assert!(!page.csrf().is_empty());

    for body in [&list.body, &map.body, &data.body, &page.body] {
        assert!(!body.contains(WITNESS_EMAIL));
        assert!(!body.contains("camille.martin@demo.parvis.fr"));
        assert!(!body.contains("Camille"));
        assert!(!body.contains("45.763417") && !body.contains("4.836283"));
    }
    // The resident's own sample reports show no trace of her either.
    let hers = sample_id(&app, "Nid-de-poule d'une trentaine").await;
    let page = public.get(&format!("/signalements/{hers}")).await;
    assert_eq!(page.status, 200);
    assert!(!page.contains("camille") && !page.contains("Camille") && !page.contains("Martin"));
}

#[tokio::test]
async fn a_private_category_is_nowhere_public() {
    let app = demo_app().await;
    let noise = sample_id(&app, "Livraisons bruyantes").await;
    let public = app.client();
    for path in ["/signalements", "/signalements/carte"] {
        let page = public.get(path).await;
        assert_eq!(page.status, 200);
        assert!(!page.contains("Livraisons bruyantes"), "{path}");
        assert!(!page.contains(&noise), "{path}");
        // Nor offered as a filter.
        assert!(!page.contains("value=\"bruit\""), "{path}");
    }
    let data = public.get("/signalements/carte.json").await;
    assert!(!ids(&features(&data.body)).contains(&noise));
    assert!(!data.contains("Bruit"));
    // Asking for it by name gives nothing either.
    let data = public.get("/signalements/carte.json?categorie=bruit").await;
    assert!(features(&data.body).is_empty());
    assert_eq!(
        public.get(&format!("/signalements/{noise}")).await.status,
        404
    );
    // Even the police agent who handles it sees it in the back office, not here.
    let police = staff(&app, "sandrine.colin@demo.parvis.fr").await;
    assert_eq!(
        police.get(&format!("/signalements/{noise}")).await.status,
        404
    );
}

#[tokio::test]
async fn the_map_data_is_filtered_by_box_category_state_and_district() {
    let app = demo_app().await;
    let public = app.client();
    let dump = sample_id(&app, "Un canapé et des sacs").await; // Impasse des Peupliers, La Plaine
    let light = sample_id(&app, "Le lampadaire au croisement").await; // Allée des Tilleuls, Les Coteaux
    let tree = sample_id(&app, "Une grosse branche").await; // resolved 5 days ago
    let water = sample_id(&app, "Bouche d'égout bouchée").await; // rejected

    let everything = ids(&features(
        &public.get("/signalements/carte.json").await.body,
    ));
    assert!(
        everything.contains(&dump) && everything.contains(&light) && everything.contains(&tree)
    );
    assert!(
        !everything.contains(&water),
        "rejected reports are not on the map"
    );

    // A small box around the Impasse des Peupliers.
    let boxed = ids(&features(
        &public
            .get("/signalements/carte.json?bbox=4.8380,45.7520,4.8400,45.7540")
            .await
            .body,
    ));
    assert_eq!(boxed, vec![dump.clone()]);
    let nothing = public
        .get("/signalements/carte.json?bbox=2.30,48.80,2.40,48.90")
        .await;
    assert!(features(&nothing.body).is_empty());

    for bad in ["1,2,3", "a,b,c,d", "4.85,45.75,4.82,45.78"] {
        let refused = public
            .get(&format!("/signalements/carte.json?bbox={bad}"))
            .await;
        assert_eq!(refused.status, 400, "{bad}");
        let body: serde_json::Value = serde_json::from_str(&refused.body).unwrap();
        assert_eq!(body["error"]["code"], "bbox_invalid");
        assert!(body["error"]["message"].as_str().unwrap().contains("bbox"));
    }

    let lighting = ids(&features(
        &public
            .get("/signalements/carte.json?categorie=eclairage")
            .await
            .body,
    ));
    assert_eq!(
        lighting,
        vec![light.clone()],
        "a category includes its sub-categories"
    );
    let resolved = ids(&features(
        &public
            .get("/signalements/carte.json?etat=resolus")
            .await
            .body,
    ));
    assert!(resolved.contains(&tree) && !resolved.contains(&dump));
    let open = ids(&features(
        &public
            .get("/signalements/carte.json?etat=ouverts")
            .await
            .body,
    ));
    assert!(open.contains(&dump) && !open.contains(&tree));
    let plaine = ids(&features(
        &public
            .get("/signalements/carte.json?quartier=la-plaine")
            .await
            .body,
    ));
    assert!(plaine.contains(&dump) && !plaine.contains(&light));

    // The list takes the same filters, and keeps them in its links.
    let list = public
        .get("/signalements?quartier=la-plaine&etat=ouverts")
        .await;
    assert!(list.contains(&dump) && !list.contains(&light) && !list.contains(&tree));
    assert!(list.contains("<option value=\"la-plaine\" selected>"));
    assert!(list.contains("href=\"/signalements/carte?etat=ouverts&#38;quartier=la-plaine\""));
    let map = public.get("/signalements/carte?categorie=eclairage").await;
    assert!(map.contains("data-source=\"/signalements/carte.json?categorie=eclairage\""));
}

#[tokio::test]
async fn resolved_reports_leave_the_map_after_thirty_days() {
    let app = demo_app().await;
    let public = app.client();
    let tree = sample_id(&app, "Une grosse branche").await; // resolved 5 days ago
    let sign = sample_id(&app, "Le panneau « école »").await; // resolved 12 days ago
    let shown = ids(&features(
        &public.get("/signalements/carte.json").await.body,
    ));
    assert!(shown.contains(&tree) && shown.contains(&sign));
    app.clock.advance(SignedDuration::from_hours(24 * 20));
    let shown = ids(&features(
        &public.get("/signalements/carte.json").await.body,
    ));
    assert!(shown.contains(&tree), "resolved 25 days ago");
    assert!(!shown.contains(&sign), "resolved 32 days ago");
    assert!(!public.get("/signalements").await.contains(&sign));
    // Its page stays reachable for whoever kept the link.
    assert_eq!(
        public.get(&format!("/signalements/{sign}")).await.status,
        200
    );
}

#[tokio::test]
async fn the_list_is_paginated_by_fifty() {
    let app = demo_app().await;
    for n in 0..50 {
        pothole_at(
            &app,
            45.7641,
            4.8357,
            &format!("Trou numéro {n:02} sur la place."),
        )
        .await;
    }
    let public = app.client();
    let first = public.get("/signalements?categorie=voirie").await;
    // 50 new potholes, the open road sample and the road sign resolved 12 days ago.
    assert!(first.contains("52 signalements."), "{}", first.body);
    assert_eq!(
        first.body.matches("class=\"signalement-ligne\"").count(),
        50
    );
    assert!(first.contains("Page 1 sur 2"));
    assert!(first.contains("href=\"/signalements?categorie=voirie&amp;page=2\""));
    let second = public.get("/signalements?categorie=voirie&page=2").await;
    assert_eq!(
        second.body.matches("class=\"signalement-ligne\"").count(),
        2
    );
    assert!(
        second.contains("Le panneau « école » a été renversé."),
        "oldest last"
    );
    // A page beyond the last shows the last.
    let beyond = public.get("/signalements?categorie=voirie&page=9").await;
    assert!(beyond.contains("Page 2 sur 2"));
    // The map page lists the first fifty and sends to the list for the others.
    let map = public.get("/signalements/carte?categorie=voirie").await;
    assert_eq!(map.body.matches("class=\"signalement-ligne\"").count(), 50);
    assert!(map.contains("href=\"/signalements?categorie=voirie&amp;page=2\""));
}

#[tokio::test]
async fn a_hidden_description_is_not_shown() {
    let app = demo_app().await;
    let report = pothole_at(&app, 45.7641, 4.8357, "Texte avec le nom du voisin Dupont.").await;
    sqlx::query("UPDATE reports SET description_hidden = 1 WHERE id = $1")
        .bind(&report.id)
        .execute(app.kernel.db.pool())
        .await
        .unwrap();
    let public = app.client();
    for path in [
        "/signalements".to_string(),
        "/signalements/carte".to_string(),
        format!("/signalements/{}", report.id),
    ] {
        let page = public.get(&path).await;
        assert_eq!(page.status, 200);
        assert!(!page.contains("Dupont"), "{path}");
        assert!(
            page.contains("Description masquée par la modération."),
            "{path}"
        );
    }
}

#[tokio::test]
async fn one_report_shows_its_public_history_and_photos() {
    let app = demo_app().await;
    let report = pothole_at(&app, 45.7641, 4.8357, "Trou devant la fontaine.").await;
    let admin = caller(&app, "admin@demo.parvis.fr").await;
    actions::change_status(
        &app.kernel,
        &admin,
        &report.id,
        StatusChange {
            to: Status::Resolved,
            message: "Trou rebouché à l'enrobé.".into(),
            photo: Some(png()),
        },
    )
    .await
    .unwrap();
    let photos = store::photos_of(&app.kernel.db, &report.id).await.unwrap();
    assert_eq!(photos.len(), 2);
    let public = app.client();
    let page = public.get(&format!("/signalements/{}", report.id)).await;
    assert_eq!(page.status, 200);
    assert!(page.contains("Signalement reçu"));
    assert!(page.contains("Nouvel état : Résolu"));
    assert!(
        page.contains("Trou rebouché à l&#39;enrobé.")
            || page.contains("Trou rebouché à l'enrobé.")
    );
    assert!(page.contains("Photo 1 sur 1 jointe au signalement"));
    assert!(
        page.contains("Photo 1 sur 1 de l&#39;intervention")
            || page.contains("Photo 1 sur 1 de l'intervention")
    );
    for p in &photos {
        assert!(page.contains(&format!("/signalements/photos/{}", p.id)));
    }
    // A resolved report is not followed any more: no « me too », and no session either.
    assert!(!page.contains("moi-aussi"));
    assert!(page.header("set-cookie").is_none());

    // Unknown reports and photos.
    let unknown = uuid::Uuid::new_v4();
    assert_eq!(
        public.get(&format!("/signalements/{unknown}")).await.status,
        404
    );
    assert_eq!(
        public.get("/signalements/pas-un-identifiant").await.status,
        404
    );
    assert_eq!(
        public
            .get(&format!("/signalements/photos/{unknown}"))
            .await
            .status,
        404
    );
}

async fn audit_views(app: &TestApp, report_id: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'reports.photo.view' AND target_id = $1",
    )
    .bind(report_id)
    .fetch_one(app.kernel.db.pool())
    .await
    .unwrap()
}

async fn hide_photo(app: &TestApp, report_id: &str, photo_id: &str) {
    let mut tx = app.kernel.db.begin().await.unwrap();
    assert!(
        store::set_photo_hidden(&mut tx, report_id, photo_id, true)
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn photos_are_public_unless_hidden_then_for_the_service_only() {
    let app = demo_app().await;
    let report = pothole_at(&app, 45.7641, 4.8357, "Trou devant la fontaine.").await;
    let photo = photo_of(&app, &report.id).await;
    let path = format!("/signalements/photos/{photo}");
    let public = app.client();

    let shown = public.get(&path).await;
    assert_eq!(shown.status, 200);
    assert_eq!(shown.header("content-type"), Some("image/png"));
    assert!(shown.header("cache-control").unwrap().starts_with("public"));
    assert_eq!(shown.bytes, PNG);

    hide_photo(&app, &report.id, &photo).await;
    assert_eq!(public.get(&path).await.status, 404);
    let page = public.get(&format!("/signalements/{}", report.id)).await;
    assert!(!page.contains(&photo), "a hidden photo is not linked");
    // Another service's agent does not see it either.
    let police = staff(&app, "sandrine.colin@demo.parvis.fr").await;
    assert_eq!(police.get(&path).await.status, 404);
    assert_eq!(audit_views(&app, &report.id).await, 0);
    // The roads agent handling it does, privately, and the opening is audited.
    let roads = staff(&app, "luc.moreau@demo.parvis.fr").await;
    let seen = roads.get(&path).await;
    assert_eq!(seen.status, 200);
    assert_eq!(seen.bytes, PNG);
    assert_eq!(seen.header("cache-control"), Some("private, no-store"));
    assert_eq!(audit_views(&app, &report.id).await, 1);
}

#[tokio::test]
async fn photos_of_a_private_category_go_to_its_service_and_author_only() {
    let app = demo_app().await;
    let camille = caller(&app, "camille.martin@demo.parvis.fr").await;
    let filed = actions::file_report(
        &app.kernel,
        &camille,
        NewReport {
            category_code: "bruit".into(),
            point: Point::new(45.7655, 4.8395),
            description: "Sono tous les soirs.".into(),
            photos: vec![png()],
            ..NewReport::default()
        },
    )
    .await
    .unwrap();
    let photo = photo_of(&app, &filed.report.id).await;
    let path = format!("/signalements/photos/{photo}");
    assert_eq!(app.client().get(&path).await.status, 404);
    assert_eq!(
        staff(&app, "luc.moreau@demo.parvis.fr")
            .await
            .get(&path)
            .await
            .status,
        404
    );
    // Another resident: not found.
    let other = app.client();
    assert_eq!(other.get(&path).await.status, 404);
    // The author, through her account or her tracking link.
    let author = resident(&app).await;
    let mine = author.get(&path).await;
    assert_eq!(mine.status, 200);
    assert_eq!(mine.header("cache-control"), Some("private, no-store"));
    let tracked = app
        .client()
        .get(&format!("{path}?suivi={}", filed.tracking_token))
        .await;
    assert_eq!(tracked.status, 200);
    let wrong = app
        .client()
        .get(&format!("{path}?suivi=0123456789abcdef"))
        .await;
    assert_eq!(wrong.status, 404);
    // The municipal police, who handle noise.
    let police = staff(&app, "sandrine.colin@demo.parvis.fr").await;
    assert_eq!(police.get(&path).await.status, 200);
    assert_eq!(audit_views(&app, &filed.report.id).await, 1);
}

#[tokio::test]
async fn map_pages_let_the_tiles_in_and_no_other_page_does() {
    let app = demo_app().await;
    let public = app.client();
    let report = pothole_at(&app, 45.7641, 4.8357, "Trou.").await;
    for path in [
        "/signalements/carte".to_string(),
        format!("/signalements/{}", report.id),
    ] {
        let page = public.get(&path).await;
        let csp = page.header("content-security-policy").expect("a policy");
        assert!(
            csp.contains("img-src 'self' data: https://tile.openstreetmap.org"),
            "{path}: {csp}"
        );
        assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"));
    }
    let list = public.get("/signalements").await;
    assert_eq!(
        list.header("content-security-policy"),
        Some(kernel::web::CSP)
    );
}

#[tokio::test]
async fn the_tile_server_is_configurable() {
    let app = spawn_with(|mut c| {
        c.map.tile_url = "https://{s}.tuiles.example.org/carte/{z}/{x}/{y}.png".into();
        c.map.tile_attribution = "© Fonds de carte de la Métropole".into();
        c
    })
    .await;
    let page = app.client().get("/signalements/carte").await;
    assert_eq!(page.status, 200);
    let csp = page.header("content-security-policy").unwrap();
    assert!(
        csp.contains("img-src 'self' data: https://*.tuiles.example.org;"),
        "{csp}"
    );
    assert!(page.contains("data-attribution=\"© Fonds de carte de la Métropole\""));

    // No tile server: no map, the list alone, the site's own policy.
    let app = spawn_with(|mut c| {
        c.map.tile_url = String::new();
        c
    })
    .await;
    let page = app.client().get("/signalements/carte").await;
    assert_eq!(page.status, 200);
    assert!(!page.contains("carte-signalements"));
    assert!(!page.contains("carte.js"));
    assert_eq!(
        page.header("content-security-policy"),
        Some(kernel::web::CSP)
    );
}

#[tokio::test]
async fn the_static_files_are_served_with_their_types() {
    let app = spawn_with(|c| c).await;
    let client = app.client();
    for name in [
        "voirie",
        "eclairage",
        "proprete",
        "espaces-verts",
        "mobilier",
        "tags",
        "stationnement",
        "eau",
        "animaux",
        "bruit",
        "autre",
    ] {
        let icon = client
            .get(&format!("/static/signalements/icones/{name}.svg"))
            .await;
        assert_eq!(icon.status, 200, "{name}");
        assert_eq!(icon.header("content-type"), Some("image/svg+xml"), "{name}");
        assert!(icon.body.starts_with("<svg"), "{name}");
        assert!(icon.header("cache-control").unwrap().contains("max-age"));
    }
    let other = client.get("/static/signalements/icones/autre.svg").await;
    let unknown = client.get("/static/signalements/icones/soucoupe.svg").await;
    assert_eq!(unknown.status, 200);
    assert_eq!(unknown.body, other.body);
    assert_ne!(
        client
            .get("/static/signalements/icones/voirie.svg")
            .await
            .body,
        other.body
    );
    assert_eq!(
        client
            .get("/static/signalements/icones/voirie.png")
            .await
            .status,
        404
    );

    let script = client.get("/static/signalements/carte.js?v=1").await;
    assert_eq!(script.status, 200);
    assert_eq!(
        script.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert!(
        script
            .header("cache-control")
            .unwrap()
            .contains("immutable")
    );
    assert!(script.contains("carte-signalement"));

    // The script's words, from the catalogue, in each language.
    let fr: serde_json::Value = serde_json::from_str(
        &client
            .get("/signalements/carte/textes.json?langue=fr")
            .await
            .body,
    )
    .unwrap();
    let en: serde_json::Value = serde_json::from_str(
        &client
            .get("/signalements/carte/textes.json?langue=en")
            .await
            .body,
    )
    .unwrap();
    assert_eq!(fr["zoom_in"], "Zoomer");
    assert_eq!(en["zoom_in"], "Zoom in");
    assert_eq!(fr["near"], "Près de {place}.");
    assert_eq!(
        fr.as_object().unwrap().keys().collect::<Vec<_>>(),
        en.as_object().unwrap().keys().collect::<Vec<_>>()
    );
    assert!(
        fr.as_object()
            .unwrap()
            .values()
            .all(|v| !v.as_str().unwrap().starts_with("map-js-"))
    );
}

#[tokio::test]
async fn the_nearest_street_of_a_point() {
    let app = demo_app().await;
    let client = app.client();
    let near = client
        .get("/signalements/adresse-proche?lat=45.7703&lon=4.8397")
        .await;
    assert_eq!(near.status, 200);
    let body: serde_json::Value = serde_json::from_str(&near.body).unwrap();
    assert_eq!(body["label"], "Rue du Stade");
    let far = client
        .get("/signalements/adresse-proche?lat=48.8566&lon=2.3522")
        .await;
    let body: serde_json::Value = serde_json::from_str(&far.body).unwrap();
    assert!(body["label"].is_null());
    let bad = client
        .get("/signalements/adresse-proche?lat=abc&lon=4.8")
        .await;
    assert_eq!(bad.status, 400);
    let body: serde_json::Value = serde_json::from_str(&bad.body).unwrap();
    assert_eq!(body["error"]["code"], "point_invalid");
}

// ------------------------------------------------------------------ in a browser

#[path = "browser/support.rs"]
mod support;

/// A reporting form as the reporting page lays it out: the map element, the hidden
/// `lat` and `lon` fields, the position button hidden without JavaScript.
fn pick_page(tile_url: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="fr">
<head><meta charset="utf-8"><title>Lieu du problème — essai</title>
<link rel="stylesheet" href="/static/parvis.css">
<script src="/static/signalements/carte.js" defer></script></head>
<body><main>
<h1>Où est le problème ?</h1>
<form method="post" action="/nulle-part">
<div id="carte-signalement" data-tile-url="{tile_url}" data-attribution="© Essai" data-lat="45.7641" data-lon="4.8357" data-zoom="16"></div>
<input type="hidden" name="lat" value="">
<input type="hidden" name="lon" value="">
<button type="button" id="ma-position" hidden>Utiliser ma position</button>
</form>
</main></body></html>"#
    )
}

/// Tiles drawn on the spot by a server of their own, on another origin than the site's,
/// as a real tile server is.
async fn serve_tiles() -> String {
    use axum::http::header;
    use axum::routing::get;
    let tiles = axum::Router::new().route(
        "/{z}/{x}/{file}",
        get(|| async {
            (
                [(header::CONTENT_TYPE, "image/svg+xml")],
                r##"<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256"><rect width="256" height="256" fill="#eeeeee" stroke="#999999"/></svg>"##,
            )
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("free port");
    let addr = listener.local_addr().expect("tile server address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, tiles).await;
    });
    format!("http://{addr}/{{z}}/{{x}}/{{y}}.svg")
}

async fn browser_app() -> TestApp {
    use axum::http::header;
    use axum::routing::get;
    let tile_url = serve_tiles().await;
    let env = parvis::testing::TestEnv::new().await;
    let clock = kernel::clock::ManualClock::new(TestApp::start_time());
    let mut config = env.config.clone();
    config.worker_interval_seconds = 3600;
    config.map.tile_url = tile_url.clone();
    let kernel = parvis::start(config, std::sync::Arc::new(clock.clone()))
        .await
        .expect("application starts");
    accounts::demo::seed(&kernel).await.expect("demo accounts");
    reports::demo::seed(&kernel).await.expect("demo reports");
    // The reporting page is another part's; its layout is reproduced here, under the
    // policy it is to send.
    let policy = reports::web::map::map_csp(&kernel);
    let page = pick_page(&tile_url);
    let extra = axum::Router::new().route(
        "/essai/lieu",
        get(move || async move {
            (
                [(header::CONTENT_SECURITY_POLICY, policy)],
                axum::response::Html(page),
            )
        }),
    );
    let router = parvis::router(&kernel).merge(extra);
    TestApp::serve(env, kernel, clock, router).await
}

/// Whether a tile has been drawn (the page's policy let it in).
const TILE_DRAWN: &str = "return Array.prototype.some.call(document.querySelectorAll('.carte-tuile'), function (t) { return t.complete && t.naturalWidth > 0; }) || null;";

async fn script_value(
    browser: &support::Browser,
    script: &str,
) -> Result<serde_json::Value, String> {
    browser
        .client
        .execute(script, vec![])
        .await
        .map_err(|e| format!("{script}: {e}"))
}

/// Waits (up to 10 s) until the script returns something else than `null` or `""`.
async fn wait_for(browser: &support::Browser, script: &str) -> Result<serde_json::Value, String> {
    for _ in 0..100 {
        let value = script_value(browser, script).await?;
        if !value.is_null()
            && value != serde_json::Value::String(String::new())
            && value != serde_json::Value::Bool(false)
        {
            return Ok(value);
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    Err(format!("still nothing after 10 s: {script}"))
}

async fn public_map_journey(browser: &support::Browser, app: &TestApp) -> Result<(), String> {
    browser.goto(&app.url("/signalements/carte")).await?;
    browser.find(".carte-vue").await?;
    let markers = wait_for(
        browser,
        "var n = document.querySelectorAll('.carte-marqueur').length; return n >= 5 ? n : null;",
    )
    .await?;
    println!("{markers} markers on the map");
    let announced = wait_for(
        browser,
        "return document.querySelector('.carte-annonce').textContent;",
    )
    .await?;
    if !announced
        .as_str()
        .unwrap_or_default()
        .contains("Signalements affichés")
    {
        return Err(format!("the count is not announced: {announced}"));
    }
    if browser.exists(".carte-sans-js").await? {
        return Err("the note for browsers without JavaScript stayed".into());
    }
    wait_for(browser, TILE_DRAWN).await?;
    browser.axe_check("public map").await?;
    // Zoom out with the button: tiles of the next level are asked for.
    browser
        .click(".carte-commandes button:nth-child(2)")
        .await?;
    wait_for(
        browser,
        "return Array.prototype.some.call(document.querySelectorAll('.carte-tuile'), function (t) { return /\\/14\\/\\d+\\/\\d+\\.svg$/.test(t.src); }) || null;",
    )
    .await?;
    // The arrows move the map: markers move with it.
    let before = script_value(
        browser,
        "return document.querySelector('.carte-marqueur').style.transform;",
    )
    .await?;
    browser
        .find(".carte-vue")
        .await?
        .send_keys("\u{E012}")
        .await
        .map_err(|e| format!("arrow key: {e}"))?;
    let after = wait_for(
        browser,
        &format!("var t = document.querySelector('.carte-marqueur').style.transform; return t !== {before} ? t : null;"),
    )
    .await?;
    println!("marker moved from {before} to {after}");
    // A marker leads to its report.
    let link = script_value(
        browser,
        "return document.querySelector('.carte-marqueur').getAttribute('href');",
    )
    .await?;
    if !link
        .as_str()
        .unwrap_or_default()
        .starts_with("/signalements/")
    {
        return Err(format!("a marker links to {link}"));
    }
    Ok(())
}

async fn pick_journey(browser: &support::Browser, app: &TestApp) -> Result<(), String> {
    browser.goto(&app.url("/essai/lieu")).await?;
    browser.find("#carte-signalement .carte-vue").await?;
    wait_for(browser, TILE_DRAWN).await?;
    browser.axe_check("reporting map").await?;
    let shown = script_value(
        browser,
        "return document.getElementById('ma-position').hidden;",
    )
    .await?;
    if shown != serde_json::Value::Bool(false) {
        return Err("the position button stays hidden with JavaScript".into());
    }
    // A click in the middle places the pin there and fills the form.
    browser.click("#carte-signalement .carte-vue").await?;
    let lat = wait_for(
        browser,
        "return document.querySelector('input[name=lat]').value;",
    )
    .await?;
    let lon = script_value(
        browser,
        "return document.querySelector('input[name=lon]').value;",
    )
    .await?;
    let lat: f64 = lat
        .as_str()
        .unwrap_or_default()
        .parse()
        .map_err(|_| format!("lat {lat}"))?;
    let lon: f64 = lon
        .as_str()
        .unwrap_or_default()
        .parse()
        .map_err(|_| format!("lon {lon}"))?;
    if (lat - 45.7641).abs() > 0.001 || (lon - 4.8357).abs() > 0.001 {
        return Err(format!("the pin is at {lat}, {lon}"));
    }
    browser.find("#carte-signalement .carte-repere").await?;
    let near = wait_for(
        browser,
        "var t = document.getElementById('carte-signalement-lieu').textContent; return t.indexOf('Près de') !== -1 ? t : null;",
    )
    .await?;
    if !near
        .as_str()
        .unwrap_or_default()
        .contains("Place de la Mairie")
    {
        return Err(format!("the nearest street is not shown: {near}"));
    }
    // With the keyboard: the arrows bring another place to the centre, Enter picks it.
    browser
        .find("#carte-signalement .carte-vue")
        .await?
        .send_keys("\u{E014}\u{E014}\u{E007}")
        .await
        .map_err(|e| format!("keys: {e}"))?;
    let moved = wait_for(
        browser,
        &format!("var v = parseFloat(document.querySelector('input[name=lon]').value); return v > {lon} + 0.001 ? v : null;"),
    )
    .await?;
    println!("picked with the keyboard at lon {moved}");
    browser.axe_check("reporting map with its pin").await
}

#[tokio::test]
async fn the_maps_work_in_a_browser() {
    if !support::run_or_skip("the_maps_work_in_a_browser") {
        return;
    }
    let app = browser_app().await;
    let browser = support::Browser::start().await;
    let outcome = async {
        public_map_journey(&browser, &app).await?;
        pick_journey(&browser, &app).await
    }
    .await;
    browser.finish("the_maps_work_in_a_browser", outcome).await;
}
