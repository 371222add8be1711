//! Administering procedures in the back office, on SQLite (and PostgreSQL when
//! PARVIS_TEST_POSTGRES_URL is set): a new procedure hidden until its form is published,
//! a regime change that only later requests get, a workflow edited row by row (with its
//! refusals), routing rules by answer and by district that filed requests follow, and who
//! may do any of it.

use jiff::SignedDuration;
use kernel::audit::{AuditQuery, search};
use parvis::testing::{TestApp, TestClient, log_in_enrolling_second_factor};
use parvis::testing::{answers, caller, demo_app, logged_in, staff};
use requests::actions::{self, CounterRequest};
use requests::forms::Answers;
use requests::model::{Channel, DeemedDecision, Delay, Procedure, Regime};
use requests::workflow::{Reassign, Workflow};

async fn administrator(app: &TestApp) -> TestClient {
    log_in_enrolling_second_factor(app, "admin@demo.parvis.fr", accounts::demo::STAFF_PASSWORD)
        .await
        .0
}

async fn service_id(app: &TestApp, slug: &str) -> String {
    accounts::store::service_by_slug(&app.kernel.db, slug)
        .await
        .unwrap()
        .expect("demo service")
        .id
}

async fn procedure(app: &TestApp, slug: &str) -> Procedure {
    requests::store::procedure_by_slug(&app.kernel.db, slug)
        .await
        .unwrap()
        .expect("procedure")
}

async fn audited(app: &TestApp, action: &str, target: &str) -> bool {
    search(
        &app.kernel.db,
        &AuditQuery {
            action: Some(action.into()),
            target_id: Some(target.into()),
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .iter()
    .any(|e| e.target_id.as_deref() == Some(target))
}

/// The catalogue entry of a procedure as its settings form posts it.
fn entry_fields(p: &Procedure) -> Vec<(String, String)> {
    let (unit, count) = p.delay.parts();
    let mut fields = vec![
        ("title".to_string(), p.title.clone()),
        ("theme".into(), p.theme.clone()),
        ("summary".into(), p.summary.clone()),
        ("description".into(), p.description.clone()),
        ("documents".into(), p.documents.join("\n")),
        ("expected_delay".into(), p.expected_delay.clone()),
        ("kind".into(), p.kind.as_str().into()),
        ("info_url".into(), p.info_url.clone().unwrap_or_default()),
        ("regime".into(), p.regime.as_str().into()),
        ("delay_count".into(), count.to_string()),
        ("delay_unit".into(), unit.into()),
        ("legal_basis".into(), p.legal_basis.clone()),
        ("service".into(), p.service_id.clone()),
    ];
    for a in &p.audiences {
        fields.push(("audiences".into(), a.clone()));
    }
    if p.listed {
        fields.push(("listed".into(), "oui".into()));
    }
    fields
}

fn with(fields: &[(String, String)], changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = fields
        .iter()
        .filter(|(name, _)| !changes.iter().any(|(n, _)| n == name))
        .cloned()
        .collect();
    for (name, value) in changes {
        if !value.is_empty() {
            out.push((name.to_string(), value.to_string()));
        }
    }
    out
}

/// Posts `fields` to `action` with the CSRF token of the page at `form_page`.
async fn post(
    client: &TestClient,
    form_page: &str,
    action: &str,
    fields: &[(String, String)],
) -> kernel::testing::TestResponse {
    let page = client.get(form_page).await;
    assert_eq!(page.status, 200, "GET {form_page}: {}", page.body);
    let token = page.csrf();
    let mut all: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
    all.extend(fields.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    client.post_form(action, &all).await
}

fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

#[tokio::test]
async fn an_administrator_creates_a_procedure_that_stays_hidden_until_its_form_is_published() {
    let app = demo_app().await;
    let admin = administrator(&app).await;
    let home = admin.get("/backoffice").await;
    assert!(home.contains("href=\"/backoffice/demarches\""));
    let list = admin.get("/backoffice/demarches").await;
    assert_eq!(list.status, 200);
    assert!(list.contains("Réserver une salle municipale"));
    assert!(list.contains("Silence vaut rejet (2 mois)"));
    assert!(list.contains("Version 1 publiée."));
    assert!(list.contains("href=\"/backoffice/demarches/nouvelle\""));
    assert!(list.contains("href=\"/backoffice/demarches/importer\""));
    assert!(list.contains("href=\"/backoffice/demarches/location-salle/formulaire\""));

    let voirie = service_id(&app, "voirie").await;
    let good = owned(&[
        ("title", "Demander un badge de déchetterie"),
        ("slug", "badge-decheterie"),
        ("theme", "nouveau"),
        ("theme_new", "Environnement"),
        (
            "summary",
            "Un badge pour accéder à la déchetterie intercommunale.",
        ),
        (
            "description",
            "Le badge est gratuit.\n\nIl est envoyé par courrier.",
        ),
        ("audiences", "resident"),
        ("audiences", "business"),
        (
            "documents",
            "Justificatif de domicile\nCarte grise du véhicule",
        ),
        ("expected_delay", "10 jours"),
        ("kind", "online"),
        ("regime", "acceptance"),
        ("delay_count", "2"),
        ("delay_unit", "months"),
        ("legal_basis", ""),
        ("service", &voirie),
    ]);
    // Mistakes are shown next to their fields, with what was typed.
    let wrong = with(
        &good,
        &[
            ("slug", "Badge Déchetterie"),
            ("theme_new", ""),
            ("regime", "rejection"),
            ("audiences", ""),
        ],
    );
    let refused = post(
        &admin,
        "/backoffice/demarches/nouvelle",
        "/backoffice/demarches/nouvelle",
        &wrong,
    )
    .await;
    assert_eq!(refused.status, 422);
    assert!(refused.contains("resume-erreurs"));
    assert!(refused.contains("minuscules sans accents et chiffres"));
    assert!(refused.contains("Indiquez le nom du nouveau thème"));
    assert!(refused.contains("Cochez au moins un public"));
    assert!(refused.contains("doit être prévu par un texte"));
    assert!(refused.contains("value=\"Demander un badge de déchetterie\""));
    assert!(refused.contains("Carte grise du véhicule"));
    // Taken and reserved addresses are refused.
    for (slug, message) in [
        ("location-salle", "Une démarche porte déjà cette adresse"),
        ("nouvelle", "réservée par le back-office"),
    ] {
        let taken = post(
            &admin,
            "/backoffice/demarches/nouvelle",
            "/backoffice/demarches/nouvelle",
            &with(&good, &[("slug", slug)]),
        )
        .await;
        assert_eq!(taken.status, 422);
        assert!(taken.contains(message), "{slug}");
    }
    // It cannot be listed before its form exists.
    let listed = post(
        &admin,
        "/backoffice/demarches/nouvelle",
        "/backoffice/demarches/nouvelle",
        &with(&good, &[("listed", "oui")]),
    )
    .await;
    assert_eq!(listed.status, 422);
    assert!(listed.contains("ne peut pas être affichée au catalogue"));

    let created = post(
        &admin,
        "/backoffice/demarches/nouvelle",
        "/backoffice/demarches/nouvelle",
        &good,
    )
    .await;
    assert_eq!(created.status, 303, "{}", created.body);
    assert_eq!(
        created.location(),
        Some("/backoffice/demarches/badge-decheterie")
    );
    let settings = admin.follow(&created).await;
    assert!(settings.contains("construisez maintenant son formulaire"));
    assert!(settings.contains("href=\"/backoffice/demarches/badge-decheterie/formulaire\""));
    let badge = procedure(&app, "badge-decheterie").await;
    assert!(!badge.listed);
    assert_eq!(badge.theme, "Environnement");
    assert_eq!(badge.audiences, ["resident", "business"]);
    assert_eq!(badge.workflow, Workflow::default());
    assert!(audited(&app, "procedure.created", &badge.id).await);
    // An empty draft form of one page waits to be built; nothing is published.
    let draft = requests::store::draft_version(&app.kernel.db, &badge.id)
        .await
        .unwrap()
        .expect("a draft form");
    assert_eq!(draft.definition.pages.len(), 1);
    assert!(
        requests::store::published_version(&app.kernel.db, &badge.id)
            .await
            .unwrap()
            .is_none()
    );
    let list = admin.get("/backoffice/demarches").await;
    assert!(list.contains("Demander un badge de déchetterie"));
    assert!(list.contains("Masquée"));
    assert!(list.contains("Aucune version publiée. Brouillon en cours."));

    // Hidden from residents.
    let visitor = app.client();
    assert!(
        !visitor
            .get("/demarches")
            .await
            .contains("badge de déchetterie")
    );
    assert_eq!(visitor.get("/demarches/badge-decheterie").await.status, 404);

    // Once a form is published (as the form builder does), it can be listed.
    let form: requests::forms::FormDefinition = serde_json::from_str(
        r#"{"pages":[{"title":"Le véhicule","blocks":[
            {"block":"field","key":"immatriculation","label":"Immatriculation","type":"short_text","required":true}]}]}"#,
    )
    .unwrap();
    let mut tx = app.kernel.db.begin().await.unwrap();
    requests::store::update_draft_version(&mut tx, &draft.id, &form, None, app.kernel.now())
        .await
        .unwrap();
    requests::store::publish_version(&mut tx, &badge.id, &draft.id, None, app.kernel.now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let path = "/backoffice/demarches/badge-decheterie";
    let shown = post(
        &admin,
        path,
        path,
        &with(&entry_fields(&badge), &[("listed", "oui")]),
    )
    .await;
    assert_eq!(shown.status, 303, "{}", shown.body);
    let catalogue = visitor.get("/demarches").await;
    assert!(catalogue.contains("Demander un badge de déchetterie"));
    assert!(
        catalogue.contains("Environnement"),
        "the commune's own theme"
    );
    let public = visitor.get("/demarches/badge-decheterie").await;
    assert_eq!(public.status, 200);
    assert!(public.contains("Carte grise du véhicule"));
    assert!(public.contains("silence vaut acceptation"));
    assert!(audited(&app, "procedure.updated", &badge.id).await);

    // An information page needs an https address, and can be listed at once.
    let info = with(
        &good,
        &[
            ("title", "Prendre rendez-vous pour un passeport"),
            ("slug", "rendez-vous-passeport"),
            ("theme", "etat-civil"),
            ("kind", "information"),
            ("regime", "none"),
            ("info_url", "http://rdv.exemple.fr"),
            ("listed", "oui"),
        ],
    );
    let insecure = post(
        &admin,
        "/backoffice/demarches/nouvelle",
        "/backoffice/demarches/nouvelle",
        &info,
    )
    .await;
    assert_eq!(insecure.status, 422);
    assert!(insecure.contains("commençant par https://"));
    let info = with(&info, &[("info_url", "https://rdv.exemple.fr/mairie")]);
    let created = post(
        &admin,
        "/backoffice/demarches/nouvelle",
        "/backoffice/demarches/nouvelle",
        &info,
    )
    .await;
    assert_eq!(created.status, 303, "{}", created.body);
    let page = visitor.get("/demarches/rendez-vous-passeport").await;
    assert!(page.contains("href=\"https://rdv.exemple.fr/mairie\""));
    let info_procedure = procedure(&app, "rendez-vous-passeport").await;
    assert!(
        requests::store::versions(&app.kernel.db, &info_procedure.id)
            .await
            .unwrap()
            .is_empty(),
        "no form for an information page"
    );
}

fn school_answers() -> Answers {
    answers(&[
        ("enfant_nom", "Martin"),
        ("enfant_prenom", "Léo"),
        ("enfant_naissance", "2018-04-02"),
        ("ecole", "École élémentaire Jules-Ferry"),
        ("classe", "CE2"),
        ("services", "Restauration scolaire"),
        ("regime_alimentaire", "Standard"),
        ("adresse", "12 rue Victor-Hugo, 00000 Démo"),
        ("telephone", "06 12 34 56 78"),
    ])
}

fn at_counter(received_on: &str) -> CounterRequest {
    CounterRequest {
        channel: Channel::Counter,
        received_on: received_on.parse().unwrap(),
        applicant_id: None,
        applicant_name: "Germaine Roux".into(),
        applicant_email: None,
        applicant_phone: Some("04 78 00 00 00".into()),
        applicant_address: None,
        answers: school_answers(),
    }
}

#[tokio::test]
async fn a_new_regime_applies_to_requests_received_afterwards_only() {
    let app = demo_app().await;
    let karim = caller(&app, "karim.haddad@demo.parvis.fr").await;
    let camille = caller(&app, "camille.martin@demo.parvis.fr").await;
    let school = procedure(&app, "inscription-periscolaire").await;
    assert_eq!(school.regime, Regime::Acceptance);
    let (older, _) =
        actions::record_counter_request(&app.kernel, &karim, &school, at_counter("2026-11-23"))
            .await
            .unwrap();
    assert_eq!(
        older.deemed,
        DeemedDecision::AcceptedOn {
            on: "2027-01-23".parse().unwrap()
        }
    );
    // A resident starts a draft before the change and sends it after.
    let mut draft = actions::start_draft(&app.kernel, &camille, &school)
        .await
        .unwrap();
    actions::save_draft(
        &app.kernel,
        &camille,
        &mut draft,
        school_answers(),
        0,
        vec![],
    )
    .await
    .unwrap();

    // The childhood manager makes silence mean rejection after one month.
    let claire = staff(&app, "claire.rousseau@demo.parvis.fr").await;
    let path = "/backoffice/demarches/inscription-periscolaire";
    let before = claire.get(path).await;
    assert_eq!(before.status, 200);
    assert!(before.contains("s&#39;applique aux demandes reçues après son enregistrement"));
    let changed = with(
        &entry_fields(&school),
        &[
            ("regime", "rejection"),
            ("delay_count", "1"),
            ("delay_unit", "months"),
            ("legal_basis", "Délibération municipale : places limitées"),
        ],
    );
    let saved = post(&claire, path, path, &changed).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let after = claire.follow(&saved).await;
    assert!(
        after.contains(
            "Le nouveau régime s&#39;applique aux demandes reçues à partir de maintenant"
        )
    );
    assert!(after.contains("déjà reçue"));
    let school = procedure(&app, "inscription-periscolaire").await;
    assert_eq!(
        (school.regime, school.delay),
        (Regime::Rejection, Delay::Months(1))
    );

    // The older request keeps its regime, even after it moves on.
    app.clock.advance(SignedDuration::from_hours(24));
    let moved = actions::apply_move(&app.kernel, &karim, &older.id, "under_review", None)
        .await
        .unwrap();
    assert_eq!(moved.regime, Regime::Acceptance);
    assert_eq!(
        moved.deemed,
        DeemedDecision::AcceptedOn {
            on: "2027-01-23".parse().unwrap()
        }
    );
    // A request received now gets the new one, and so does the draft sent now.
    let (newer, _) =
        actions::record_counter_request(&app.kernel, &karim, &school, at_counter("2026-11-24"))
            .await
            .unwrap();
    assert_eq!(
        (newer.regime, newer.delay),
        (Regime::Rejection, Delay::Months(1))
    );
    assert_eq!(
        newer.deemed,
        DeemedDecision::RejectedOn {
            on: "2026-12-24".parse().unwrap()
        }
    );
    let sent = actions::submit(&app.kernel, &camille, &draft.id)
        .await
        .unwrap();
    assert_eq!(sent.regime, Regime::Rejection);
    assert_eq!(
        sent.deemed,
        DeemedDecision::RejectedOn {
            on: "2026-12-24".parse().unwrap()
        }
    );
    let ack = requests::store::acknowledgement(&app.kernel.db, &sent.id)
        .await
        .unwrap()
        .unwrap();
    assert!(
        ack.text()
            .contains("Délibération municipale : places limitées")
    );
}

async fn status_of(app: &TestApp, id: &str) -> requests::model::Request {
    requests::store::request_by_id(&app.kernel.db, id)
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn the_workflow_is_edited_row_by_row_and_never_left_broken() {
    let app = demo_app().await;
    let admin = administrator(&app).await;
    let path = "/backoffice/demarches/location-salle/circuit";
    let page = admin.get(path).await;
    assert_eq!(page.status, 200);
    assert!(page.contains("Demander un complément"));
    assert!(page.contains("{prenom}"));
    assert!(
        page.contains("Acceptée tacitement"),
        "the law's statuses are listed"
    );
    let voirie = service_id(&app, "voirie").await;

    // A status no move leads out of is refused, with why, and what was typed stays.
    let site_visit = [
        ("action", "add_status"),
        ("key", "visite_sur_place"),
        ("label", "Visite sur place"),
        ("phase", "open"),
    ];
    let dead_end = post(&admin, path, path, &owned(&site_visit)).await;
    assert_eq!(dead_end.status, 422);
    assert!(dead_end.contains("Aucune transition ne sort du statut « Visite sur place »"));
    assert!(dead_end.contains("value=\"visite_sur_place\""));
    assert!(dead_end.contains("href=\"#new-status-exit-to\""));
    let reserved = post(
        &admin,
        path,
        path,
        &owned(&[
            ("action", "add_status"),
            ("key", "deemed_accepted"),
            ("label", "Tacite"),
            ("phase", "accepted"),
        ]),
    )
    .await;
    assert_eq!(reserved.status, 422);
    assert!(reserved.contains("est un statut fixé par la loi"));

    // With its way out it is added; then a move leads to it, handing the request to roads.
    let mut with_exit = owned(&site_visit);
    with_exit.extend(owned(&[
        ("exit_to", "under_review"),
        ("exit_label", "Visite faite"),
    ]));
    let added = post(&admin, path, path, &with_exit).await;
    assert_eq!(added.status, 303, "{}", added.body);
    let to_visit = owned(&[
        ("action", "add_transition"),
        ("from", "under_review"),
        ("to", "visite_sur_place"),
        ("label", "Programmer une visite"),
        (
            "message",
            "Bonjour {prenom} {nom}, un agent passera voir la salle.",
        ),
        ("assign_to", &format!("service:{voirie}")),
    ]);
    let added = post(&admin, path, path, &to_visit).await;
    assert_eq!(added.status, 303, "{}", added.body);
    let twice = post(&admin, path, path, &to_visit).await;
    assert_eq!(twice.status, 422);
    assert!(twice.contains(
        "Une transition mène déjà de « En cours d&#39;instruction » à « Visite sur place »"
    ));
    let halls = procedure(&app, "location-salle").await;
    let index = halls
        .workflow
        .transitions
        .iter()
        .position(|t| t.from == "visite_sur_place")
        .unwrap();
    // The way back frees the request for anyone of the service.
    let edited = post(
        &admin,
        path,
        path,
        &owned(&[
            ("action", "edit_transition"),
            ("index", &index.to_string()),
            ("was_from", "visite_sur_place"),
            ("was_to", "under_review"),
            ("from", "visite_sur_place"),
            ("to", "under_review"),
            ("label", "Visite faite"),
            ("assign_to", "unassign"),
        ]),
    )
    .await;
    assert_eq!(edited.status, 303, "{}", edited.body);
    let halls = procedure(&app, "location-salle").await;
    let back = halls
        .workflow
        .find_move("visite_sur_place", "under_review")
        .unwrap();
    assert_eq!(back.assign_to, Some(Reassign::Unassign));
    let there = halls
        .workflow
        .find_move("under_review", "visite_sur_place")
        .unwrap();
    assert_eq!(there.assign_to, Some(Reassign::Service(voirie.clone())));
    assert_eq!(
        there.message.as_deref(),
        Some("Bonjour {prenom} {nom}, un agent passera voir la salle.")
    );
    assert!(audited(&app, "procedure.workflow_changed", &halls.id).await);

    // A request follows the new moves: the visit hands it to roads, the way back frees it.
    let thomas = caller(&app, "thomas.petit@demo.parvis.fr").await;
    let (request, _) = actions::record_counter_request(
        &app.kernel,
        &thomas,
        &halls,
        CounterRequest {
            channel: Channel::Letter,
            received_on: "2026-11-20".parse().unwrap(),
            applicant_id: None,
            applicant_name: "Marcel Blanc".into(),
            applicant_email: None,
            applicant_phone: Some("04 78 11 22 33".into()),
            applicant_address: None,
            answers: answers(&[
                (
                    "salle",
                    "Salle de réunion de l'hôtel de ville (25 personnes)",
                ),
                ("date", "2027-02-06"),
                ("horaires", "de 10 h à 12 h"),
                ("personnes", "12"),
                ("evenement", "Assemblée générale"),
                ("assurance", "attestation vue à l'accueil"),
            ]),
        },
    )
    .await
    .unwrap();
    actions::assign(
        &app.kernel,
        &thomas,
        &request.id,
        Some(&thomas.identity.as_ref().unwrap().user_id),
    )
    .await
    .unwrap();
    actions::apply_move(&app.kernel, &thomas, &request.id, "under_review", None)
        .await
        .unwrap();
    let visited = actions::apply_move(&app.kernel, &thomas, &request.id, "visite_sur_place", None)
        .await
        .unwrap();
    assert_eq!(visited.service_id, voirie);
    assert_eq!(visited.assignee_id, None);
    assert!(matches!(
        actions::apply_move(&app.kernel, &thomas, &request.id, "under_review", None).await,
        Err(actions::RequestError::Forbidden)
    ));
    let luc = caller(&app, "luc.moreau@demo.parvis.fr").await;
    actions::assign(
        &app.kernel,
        &luc,
        &request.id,
        Some(&luc.identity.as_ref().unwrap().user_id),
    )
    .await
    .unwrap();

    // A status with a request in it stays, and the default workflow cannot come back yet.
    let in_use = post(
        &admin,
        path,
        path,
        &owned(&[("action", "remove_status"), ("key", "visite_sur_place")]),
    )
    .await;
    assert_eq!(in_use.status, 422);
    assert!(in_use.contains("1 demande est actuellement au statut « Visite sur place »"));
    assert!(in_use.contains("ne peut être ni supprimé ni changé d&#39;étape"));
    let reset = post(&admin, path, path, &owned(&[("action", "reset")])).await;
    assert_eq!(reset.status, 422);
    assert!(reset.contains("1 demande est actuellement au statut « Visite sur place »"));
    assert!(
        procedure(&app, "location-salle")
            .await
            .workflow
            .status("visite_sur_place")
            .is_some()
    );

    let back = actions::apply_move(&app.kernel, &luc, &request.id, "under_review", None)
        .await
        .unwrap();
    assert_eq!(back.assignee_id, None, "freed for anyone of roads");
    assert_eq!(status_of(&app, &request.id).await.service_id, voirie);

    // Now empty, the status goes with its moves; then the default workflow comes back.
    let removed = post(
        &admin,
        path,
        path,
        &owned(&[("action", "remove_status"), ("key", "visite_sur_place")]),
    )
    .await;
    assert_eq!(removed.status, 303, "{}", removed.body);
    let halls = procedure(&app, "location-salle").await;
    assert!(halls.workflow.status("visite_sur_place").is_none());
    assert!(
        halls
            .workflow
            .transitions
            .iter()
            .all(|t| t.to != "visite_sur_place")
    );
    // Removing both ways out of « waiting for documents » would leave a dead end.
    let waiting: Vec<(usize, String)> = halls
        .workflow
        .transitions
        .iter()
        .enumerate()
        .filter(|(_, t)| t.from == "waiting_for_applicant")
        .map(|(i, t)| (i, t.to.clone()))
        .collect();
    let (last, last_to) = waiting.last().unwrap().clone();
    let fine = post(
        &admin,
        path,
        path,
        &owned(&[
            ("action", "remove_transition"),
            ("index", &last.to_string()),
            ("was_from", "waiting_for_applicant"),
            ("was_to", &last_to),
        ]),
    )
    .await;
    assert_eq!(fine.status, 303, "{}", fine.body);
    let (first, first_to) = waiting[0].clone();
    let stuck = post(
        &admin,
        path,
        path,
        &owned(&[
            ("action", "remove_transition"),
            ("index", &first.to_string()),
            ("was_from", "waiting_for_applicant"),
            ("was_to", &first_to),
        ]),
    )
    .await;
    assert_eq!(stuck.status, 422);
    assert!(stuck.contains("Aucune transition ne sort du statut « En attente de complément »"));
    let relabelled = post(
        &admin,
        path,
        path,
        &owned(&[
            ("action", "edit_status"),
            ("key", "closed"),
            ("label", ""),
            ("phase", "closed"),
        ]),
    )
    .await;
    assert_eq!(relabelled.status, 422);
    assert!(relabelled.contains("Indiquez le libellé du statut"));
    let reset = post(&admin, path, path, &owned(&[("action", "reset")])).await;
    assert_eq!(reset.status, 303, "{}", reset.body);
    assert_eq!(
        procedure(&app, "location-salle").await.workflow,
        Workflow::default()
    );
}

fn occupation(objet: &str, adresse: &str) -> CounterRequest {
    let mut pairs = vec![
        ("objet", objet),
        ("adresse", adresse),
        ("debut", "2026-12-10"),
        ("fin", "2026-12-20"),
        ("surface", "6"),
        ("telephone", "06 12 34 56 78"),
        ("assurance", "attestation vue au guichet"),
    ];
    if objet == "Autre" {
        pairs.push(("precision", "Dépôt de bois"));
    }
    CounterRequest {
        channel: Channel::Phone,
        received_on: "2026-11-23".parse().unwrap(),
        applicant_id: None,
        applicant_name: "Paul Durand".into(),
        applicant_email: None,
        applicant_phone: Some("06 12 34 56 78".into()),
        applicant_address: None,
        answers: answers(&pairs),
    }
}

#[tokio::test]
async fn requests_are_routed_by_the_rules_set_on_the_routing_page() {
    let app = demo_app().await;
    let admin = administrator(&app).await;
    let path = "/backoffice/demarches/occupation-domaine-public/orientation";
    let page = admin.get(path).await;
    assert_eq!(page.status, 200);
    assert!(page.contains("Si la réponse à « Objet de l&#39;occupation » est « Échafaudage »"));
    assert!(
        page.contains("la demande va au service en charge : Voirie, propreté et espaces verts")
    );
    assert!(page.contains("Chemin des Vignes"));
    let urbanisme = service_id(&app, "urbanisme").await;
    let cabinet = service_id(&app, "cabinet").await;
    let voirie = service_id(&app, "voirie").await;

    // A street and its district: the district keeps the list's spelling.
    let duplicate = post(
        &admin,
        path,
        path,
        &owned(&[
            ("action", "add_street"),
            ("street_name", "rue du stade"),
            ("street_district", "Centre"),
        ]),
    )
    .await;
    assert_eq!(duplicate.status, 422);
    assert!(duplicate.contains("Cette rue est déjà dans la liste."));
    let street = post(
        &admin,
        path,
        path,
        &owned(&[
            ("action", "add_street"),
            ("street_name", "Allée des Roses"),
            ("street_district", "la plaine"),
        ]),
    )
    .await;
    assert_eq!(street.status, 303, "{}", street.body);
    let streets = requests::store::streets(&app.kernel.db).await.unwrap();
    assert!(
        streets
            .iter()
            .any(|s| s.name == "Allée des Roses" && s.district == "La Plaine")
    );

    // Wrong values are refused next to their field.
    let not_an_option = post(
        &admin,
        path,
        path,
        &owned(&[
            ("action", "add_choice"),
            ("choice_answer", "objet=Piscine"),
            ("choice_service", &urbanisme),
        ]),
    )
    .await;
    assert_eq!(not_an_option.status, 422);
    assert!(
        not_an_option.contains("Choisissez l&#39;une des réponses proposées par cette question.")
    );
    let unknown_district = post(
        &admin,
        path,
        path,
        &owned(&[
            ("action", "add_district"),
            ("district_field", "adresse"),
            ("district_name", "Atlantide"),
            ("district_service", &cabinet),
        ]),
    )
    .await;
    assert_eq!(unknown_district.status, 422);
    assert!(unknown_district.contains("Choisissez un quartier de la liste des rues."));
    let no_service = post(
        &admin,
        path,
        path,
        &owned(&[
            ("action", "add_district"),
            ("district_field", "adresse"),
            ("district_name", "La Plaine"),
            ("district_service", ""),
        ]),
    )
    .await;
    assert_eq!(no_service.status, 422);
    assert!(no_service.contains("Choisissez le service qui recevra la demande."));

    // A rule by answer and one by district; the district one is moved first.
    for fields in [
        owned(&[
            ("action", "add_choice"),
            ("choice_answer", "objet=Benne ou dépôt de matériaux"),
            ("choice_service", &urbanisme),
        ]),
        owned(&[
            ("action", "add_district"),
            ("district_field", "adresse"),
            ("district_name", "La Plaine"),
            ("district_service", &cabinet),
        ]),
    ] {
        let added = post(&admin, path, path, &fields).await;
        assert_eq!(added.status, 303, "{}", added.body);
    }
    let odp = procedure(&app, "occupation-domaine-public").await;
    let rules = requests::store::routing_rules(&app.kernel.db, &odp.id)
        .await
        .unwrap();
    assert_eq!(rules.len(), 3);
    let fingerprint = requests::administration::rule_fingerprint(&rules[2]);
    let stale = post(
        &admin,
        path,
        path,
        &owned(&[
            ("action", "up"),
            ("index", "1"),
            ("fingerprint", &fingerprint),
        ]),
    )
    .await;
    assert_eq!(stale.status, 422);
    assert!(stale.contains("Les règles ont été modifiées entre-temps"));
    for index in ["2", "1"] {
        let rules = requests::store::routing_rules(&app.kernel.db, &odp.id)
            .await
            .unwrap();
        let i: usize = index.parse().unwrap();
        let fingerprint = requests::administration::rule_fingerprint(&rules[i]);
        let up = post(
            &admin,
            path,
            path,
            &owned(&[
                ("action", "up"),
                ("index", index),
                ("fingerprint", &fingerprint),
            ]),
        )
        .await;
        assert_eq!(up.status, 303, "{}", up.body);
    }
    let rules = requests::store::routing_rules(&app.kernel.db, &odp.id)
        .await
        .unwrap();
    assert_eq!(rules[0].service_id, cabinet);
    assert!(audited(&app, "procedure.routing_changed", &odp.id).await);
    let page = admin.get(path).await;
    assert!(page.contains("Si l&#39;adresse donnée à « Adresse de l&#39;occupation » est dans le quartier « La Plaine »"));

    // Filed requests follow them: the district first, then the answer, else roads.
    let luc = caller(&app, "luc.moreau@demo.parvis.fr").await;
    for (objet, adresse, expected) in [
        (
            "Benne ou dépôt de matériaux",
            "4 allée des roses, 00000 Démo",
            &cabinet,
        ),
        (
            "Benne ou dépôt de matériaux",
            "1 place de la Mairie, 00000 Démo",
            &urbanisme,
        ),
        ("Autre", "1 place de la Mairie, 00000 Démo", &voirie),
    ] {
        let (request, ack) =
            actions::record_counter_request(&app.kernel, &luc, &odp, occupation(objet, adresse))
                .await
                .unwrap();
        assert_eq!(&request.service_id, expected, "{objet} at {adresse}");
        assert!(!ack.service_name.is_empty());
    }

    // A rule goes.
    let rules = requests::store::routing_rules(&app.kernel.db, &odp.id)
        .await
        .unwrap();
    let removed = post(
        &admin,
        path,
        path,
        &owned(&[
            ("action", "remove"),
            ("index", "0"),
            (
                "fingerprint",
                &requests::administration::rule_fingerprint(&rules[0]),
            ),
        ]),
    )
    .await;
    assert_eq!(removed.status, 303);
    let rules = requests::store::routing_rules(&app.kernel.db, &odp.id)
        .await
        .unwrap();
    assert_eq!(rules.len(), 2);
    assert!(rules.iter().all(|r| r.service_id != cabinet));
}

#[tokio::test]
async fn managers_edit_their_own_procedures_and_nobody_else_gets_in() {
    let app = demo_app().await;
    let claire = staff(&app, "claire.rousseau@demo.parvis.fr").await;
    let home = claire.get("/backoffice").await;
    assert!(home.contains("href=\"/backoffice/demarches\""));
    let list = claire.get("/backoffice/demarches").await;
    assert_eq!(list.status, 200);
    assert!(list.contains("Inscrire son enfant à la cantine et au périscolaire"));
    assert!(!list.contains("Réserver une salle municipale"));

    // Her own procedure: she edits it, but cannot hand it to a service she does not manage.
    let school = procedure(&app, "inscription-periscolaire").await;
    let path = "/backoffice/demarches/inscription-periscolaire";
    let voirie = service_id(&app, "voirie").await;
    let elsewhere = post(
        &claire,
        path,
        path,
        &with(&entry_fields(&school), &[("service", &voirie)]),
    )
    .await;
    assert_eq!(elsewhere.status, 422);
    assert!(elsewhere.contains("un service dont vous êtes responsable"));
    let saved = post(
        &claire,
        path,
        path,
        &with(&entry_fields(&school), &[("expected_delay", "3 semaines")]),
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(
        procedure(&app, "inscription-periscolaire")
            .await
            .expected_delay,
        "3 semaines"
    );
    for sub in ["/circuit", "/orientation"] {
        assert_eq!(claire.get(&format!("{path}{sub}")).await.status, 200);
    }
    // Nor send its requests (and the personal data in them) to another service, by a
    // routing rule; nor change the commune's street list, which routes every procedure.
    let routing = format!("{path}/orientation");
    let rule = post(
        &claire,
        &routing,
        &routing,
        &owned(&[
            ("action", "add_choice"),
            ("choice_answer", "ecole=Groupe scolaire des Coteaux"),
            ("choice_service", &voirie),
        ]),
    )
    .await;
    assert_eq!(rule.status, 422);
    let enfance = service_id(&app, "enfance").await;
    let own_rule = post(
        &claire,
        &routing,
        &routing,
        &owned(&[
            ("action", "add_choice"),
            ("choice_answer", "ecole=Groupe scolaire des Coteaux"),
            ("choice_service", &enfance),
        ]),
    )
    .await;
    assert_eq!(own_rule.status, 303, "{}", own_rule.body);
    let street = post(
        &claire,
        &routing,
        &routing,
        &owned(&[
            ("action", "add_street"),
            ("street_name", "Rue des Écoles"),
            ("street_district", "Centre"),
        ]),
    )
    .await;
    assert_eq!(street.status, 403);

    // Another service's procedure: 403, to read and to write; an unknown one: 404.
    let token = claire.get(path).await.csrf();
    for other in [
        "/backoffice/demarches/location-salle",
        "/backoffice/demarches/location-salle/circuit",
        "/backoffice/demarches/location-salle/orientation",
    ] {
        assert_eq!(claire.get(other).await.status, 403, "{other}");
        let posted = claire
            .post_form(other, &[("csrf_token", &token), ("action", "reset")])
            .await;
        assert_eq!(posted.status, 403, "{other}");
    }
    assert_eq!(
        claire.get("/backoffice/demarches/inconnue").await.status,
        404
    );
    let halls = procedure(&app, "location-salle").await;
    assert_eq!(halls.workflow, Workflow::default());

    // An agent and a resident are refused everywhere.
    let luc = staff(&app, "luc.moreau@demo.parvis.fr").await;
    assert!(
        !luc.get("/backoffice")
            .await
            .contains("href=\"/backoffice/demarches\"")
    );
    let camille = logged_in(
        &app,
        "camille.martin@demo.parvis.fr",
        accounts::demo::RESIDENT_PASSWORD,
    )
    .await;
    for client in [&luc, &camille] {
        for path in [
            "/backoffice/demarches",
            "/backoffice/demarches/nouvelle",
            "/backoffice/demarches/occupation-domaine-public",
            "/backoffice/demarches/occupation-domaine-public/circuit",
            "/backoffice/demarches/occupation-domaine-public/orientation",
        ] {
            assert_eq!(client.get(path).await.status, 403, "{path}");
        }
        let token = client.get("/mon-espace").await.csrf();
        let posted = client
            .post_form(
                "/backoffice/demarches/occupation-domaine-public/orientation",
                &[
                    ("csrf_token", &token),
                    ("action", "add_street"),
                    ("street_name", "Rue Nouvelle"),
                    ("street_district", "Centre"),
                ],
            )
            .await;
        assert_eq!(posted.status, 403);
        let created = client
            .post_form(
                "/backoffice/demarches/nouvelle",
                &[("csrf_token", &token), ("title", "Intrus")],
            )
            .await;
        assert_eq!(created.status, 403);
    }
    assert!(
        !requests::store::streets(&app.kernel.db)
            .await
            .unwrap()
            .iter()
            .any(|s| s.name == "Rue Nouvelle")
    );
}
