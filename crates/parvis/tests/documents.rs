//! The PDF documents of a request, end to end on SQLite (and PostgreSQL when
//! PARVIS_TEST_POSTGRES_URL is set): the acknowledgement for the applicant and as a letter
//! to post, the decision produced when an agent accepts or refuses, and the L232-3
//! attestation once a request is deemed accepted. PDFs are read back with `lopdf`, so what
//! is checked is the text a reader shows.

use parvis::testing::{TestApp, TestClient, TestResponse};
use parvis::testing::{answers, caller, demo_app, logged_in, resident, staff as agent};
use requests::acknowledgement::french_date;
use requests::actions::{self, CounterRequest};
use requests::model::Channel;

/// A second resident, with an account of her own.
async fn other_resident(app: &TestApp) -> TestClient {
    let hash = accounts::password::hash_blocking(accounts::demo::RESIDENT_PASSWORD.into())
        .await
        .unwrap();
    let mut tx = app.kernel.db.begin().await.unwrap();
    let id = accounts::store::insert_user(
        &mut tx,
        &accounts::store::NewUser {
            email: "lucie.durand@exemple.fr",
            password_hash: &hash,
            given_name: "Lucie",
            family_name: "Durand",
            verified: true,
        },
        app.kernel.now(),
    )
    .await
    .unwrap();
    accounts::store::grant_role(
        &mut tx,
        &id,
        kernel::Role::Resident,
        None,
        None,
        app.kernel.now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    logged_in(
        app,
        "lucie.durand@exemple.fr",
        accounts::demo::RESIDENT_PASSWORD,
    )
    .await
}

/// A hall booking recorded at the counter by the halls' agent, for Camille (who has an
/// account) or for someone known only by a postal address.
async fn hall_booking(
    app: &TestApp,
    for_camille: bool,
    received_on: &str,
) -> requests::model::Request {
    let thomas = caller(app, "thomas.petit@demo.parvis.fr").await;
    let procedure = requests::store::procedure_by_slug(&app.kernel.db, "location-salle")
        .await
        .unwrap()
        .unwrap();
    let camille = accounts::store::user_by_email(&app.kernel.db, "camille.martin@demo.parvis.fr")
        .await
        .unwrap()
        .unwrap();
    let (applicant_id, name, email) = if for_camille {
        (
            Some(camille.id.clone()),
            "Camille Martin".to_string(),
            Some(camille.email.clone()),
        )
    } else {
        (None, "Germaine Roux".to_string(), None)
    };
    let (request, _) = actions::record_counter_request(
        &app.kernel,
        &thomas,
        &procedure,
        CounterRequest {
            channel: Channel::Letter,
            received_on: received_on.parse().unwrap(),
            applicant_id,
            applicant_name: name,
            applicant_email: email,
            applicant_phone: Some("04 78 00 00 00".into()),
            applicant_address: Some("5 impasse des Peupliers, 00000 Démo".into()),
            answers: answers(&[
                (
                    "salle",
                    "Salle de réunion de l'hôtel de ville (25 personnes)",
                ),
                ("date", "2027-01-16"),
                ("horaires", "de 14 h à 17 h"),
                ("personnes", "20"),
                ("evenement", "Réunion"),
                ("assurance", "attestation papier vue à l'accueil"),
            ]),
        },
    )
    .await
    .unwrap();
    request
}

/// The text of a PDF response, every run of white space made one space (a sentence
/// broken across lines reads whole again).
fn pdf_text(response: &TestResponse) -> String {
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.header("content-type"), Some("application/pdf"));
    assert!(response.bytes.starts_with(b"%PDF-"));
    let doc = lopdf::Document::load_mem(&response.bytes).expect("a readable PDF");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    flat(&doc.extract_text(&pages).expect("text"))
}

fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first link on a page whose address starts with `prefix`.
fn link(page: &TestResponse, prefix: &str) -> String {
    let start = page
        .body
        .find(&format!("href=\"{prefix}"))
        .unwrap_or_else(|| panic!("a link to {prefix}"))
        + "href=\"".len();
    let end = page.body[start..].find('"').unwrap();
    page.body[start..start + end].to_string()
}

#[tokio::test]
async fn the_applicant_downloads_the_acknowledgement_as_a_pdf_and_nobody_else_can() {
    let app = demo_app().await;
    let request = hall_booking(&app, true, "2026-11-16").await;
    let number = request.number.clone().unwrap();
    let ack = requests::store::acknowledgement(&app.kernel.db, &request.id)
        .await
        .unwrap()
        .unwrap();
    let client = resident(&app).await;
    let page = client.get(&format!("/mes-demandes/{number}")).await;
    let pdf_path = format!("/mes-demandes/{number}/accuse-de-reception.pdf");
    assert!(page.contains(&pdf_path), "linked from the request page");
    let html = client
        .get(&format!("/mes-demandes/{number}/accuse-de-reception"))
        .await;
    assert!(html.contains(&pdf_path), "linked from the printable page");

    let text = pdf_text(&client.get(&pdf_path).await);
    assert!(text.contains(&number));
    assert!(text.contains(&format!(
        "Date de réception : {}",
        french_date("2026-11-16".parse().unwrap())
    )));
    assert!(text.contains("Vie associative"), "{text}");
    assert!(
        text.contains("réputée rejetée le 16 janvier 2027"),
        "{text}"
    );
    // Every mention of the HTML page, word for word.
    for paragraph in ack.paragraphs() {
        assert!(text.contains(&flat(&paragraph)), "missing: {paragraph}");
    }

    // Another resident, an agent of another service, a visitor: nothing.
    let lucie = other_resident(&app).await;
    assert_eq!(lucie.get(&pdf_path).await.status, 404);
    let luc = agent(&app, "luc.moreau@demo.parvis.fr").await;
    assert_eq!(luc.get(&pdf_path).await.status, 404);
    assert_eq!(
        luc.get(&format!(
            "/backoffice/demandes/{}/accuse-de-reception.pdf",
            request.id
        ))
        .await
        .status,
        403
    );
    assert_eq!(
        client
            .get(&format!(
                "/backoffice/demandes/{}/accuse-de-reception.pdf",
                request.id
            ))
            .await
            .status,
        403,
        "a resident is not an agent"
    );
    assert_eq!(app.client().get(&pdf_path).await.status, 303);
}

#[tokio::test]
async fn the_back_office_prints_a_letter_to_the_applicants_postal_address() {
    let app = demo_app().await;
    let request = hall_booking(&app, false, "2026-11-16").await;
    let thomas = agent(&app, "thomas.petit@demo.parvis.fr").await;
    let detail = thomas
        .get(&format!("/backoffice/demandes/{}", request.id))
        .await;
    let path = format!(
        "/backoffice/demandes/{}/accuse-de-reception.pdf",
        request.id
    );
    assert!(detail.contains(&path));
    let text = pdf_text(&thomas.get(&path).await);
    assert!(
        text.contains("Germaine Roux 5 impasse des Peupliers 00000 Démo"),
        "{text}"
    );
    assert!(text.contains("Date de réception : 16 novembre 2026."));
    assert!(text.contains(request.number.as_deref().unwrap()));
    assert!(text.contains("Page 1 / 1"));
    // The agent's opening of the letter is in the audit log.
    let audit = kernel::audit::search(
        &app.kernel.db,
        &kernel::audit::AuditQuery {
            action: Some("request.acknowledgement_view".into()),
            target_id: Some(request.id.clone()),
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(audit.len(), 1);
}

#[tokio::test]
async fn accepting_a_request_gives_the_applicant_a_decision_to_download() {
    let app = demo_app().await;
    let request = hall_booking(&app, true, "2026-11-20").await;
    let number = request.number.clone().unwrap();
    let thomas = agent(&app, "thomas.petit@demo.parvis.fr").await;
    let detail_path = format!("/backoffice/demandes/{}", request.id);
    let message = "Bonjour Camille Martin,\n\nLa salle de réunion vous est réservée le 16 janvier 2027 de 14 h à 17 h ; la clé est à retirer à l’accueil.\n\nCordialement,\nService Vie associative";
    for (to, message) in [("under_review", ""), ("accepted", message)] {
        let done = thomas
            .submit(
                &detail_path,
                &format!("{detail_path}/statut"),
                &[("to", to), ("message", message)],
            )
            .await;
        assert_eq!(done.status, 303, "{}", done.body);
    }

    // One decision, from the service, shown to the applicant, in the same move.
    let documents = requests::store::documents(&app.kernel.db, &request.id)
        .await
        .unwrap();
    let decisions: Vec<_> = documents.iter().filter(|d| d.kind == "decision").collect();
    assert_eq!(decisions.len(), 1, "{documents:?}");
    assert!(decisions[0].from_staff && decisions[0].public);
    assert_eq!(decisions[0].name, format!("decision-{number}.pdf"));

    // Stored encrypted, like uploads.
    let key: String = sqlx::query_scalar("SELECT storage_key FROM files WHERE id = $1")
        .bind(&decisions[0].file_id)
        .fetch_one(app.kernel.db.pool())
        .await
        .unwrap();
    let on_disk = std::fs::read(app.env.dir.path().join("files").join(&key)).unwrap();
    assert!(!on_disk.starts_with(b"%PDF"));

    let client = resident(&app).await;
    let page = client.get(&format!("/mes-demandes/{number}")).await;
    assert!(page.contains(&format!("decision-{number}.pdf")));
    assert!(
        page.contains("Décision jointe aux documents"),
        "in the history"
    );
    let download = link(&page, &format!("/mes-demandes/{number}/documents/"));
    let text = pdf_text(&client.get(&download).await);
    assert!(text.contains("Décision d'acceptation"), "{text}");
    assert!(text.contains(&format!(
        "Votre demande « Réserver une salle municipale » n° {number}, reçue le 20 novembre 2026, est acceptée."
    )), "{text}");
    assert!(text.contains(&flat(message)), "the agent's message: {text}");
    assert!(
        text.contains("Camille Martin 5 impasse des Peupliers 00000 Démo"),
        "addressed to the applicant"
    );
    assert!(text.contains("Thomas Petit"));
    assert!(!text.contains("Voies et délais de recours"));

    // The agent sees it too, and nobody else downloads it.
    let agent_page = thomas.get(&detail_path).await;
    let agent_link = link(&agent_page, &format!("{detail_path}/documents/"));
    assert_eq!(thomas.get(&agent_link).await.status, 200);
    let lucie = other_resident(&app).await;
    assert_eq!(lucie.get(&download).await.status, 404);
}

#[tokio::test]
async fn a_refusal_must_give_its_grounds_and_names_the_appeal_routes() {
    let app = demo_app().await;
    let request = hall_booking(&app, true, "2026-11-20").await;
    let number = request.number.clone().unwrap();
    let thomas = agent(&app, "thomas.petit@demo.parvis.fr").await;
    let detail_path = format!("/backoffice/demandes/{}", request.id);
    let moved = thomas
        .submit(
            &detail_path,
            &format!("{detail_path}/statut"),
            &[("to", "under_review"), ("message", "")],
        )
        .await;
    assert_eq!(moved.status, 303);

    // Without grounds, the refusal is not made.
    let bare = thomas
        .submit(
            &detail_path,
            &format!("{detail_path}/statut"),
            &[("to", "refused"), ("message", "  ")],
        )
        .await;
    assert_eq!(bare.status, 303);
    assert!(
        thomas
            .follow(&bare)
            .await
            .contains("un refus doit être motivé")
    );
    let still = requests::store::request_by_id(&app.kernel.db, &request.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(still.status, "under_review");
    assert!(
        requests::store::documents(&app.kernel.db, &request.id)
            .await
            .unwrap()
            .iter()
            .all(|d| d.kind != "decision")
    );

    let grounds =
        "La salle de réunion est déjà réservée le 16 janvier 2027 pour le conseil municipal.";
    let refused = thomas
        .submit(
            &detail_path,
            &format!("{detail_path}/statut"),
            &[("to", "refused"), ("message", grounds)],
        )
        .await;
    assert_eq!(refused.status, 303);
    let client = resident(&app).await;
    let page = client.get(&format!("/mes-demandes/{number}")).await;
    let text = pdf_text(
        &client
            .get(&link(&page, &format!("/mes-demandes/{number}/documents/")))
            .await,
    );
    assert!(text.contains("Décision de refus"), "{text}");
    assert!(text.contains("est refusée."));
    assert!(text.contains("Motifs de la décision"));
    assert!(text.contains(grounds));
    assert!(text.contains("Voies et délais de recours"));
    assert!(text.contains(&app.kernel.config.commune.administrative_court));
    assert!(text.contains("Télérecours citoyens"));
}

#[tokio::test]
async fn the_attestation_pdf_exists_only_once_the_request_is_deemed_accepted() {
    let app = demo_app().await;
    let karim = caller(&app, "karim.haddad@demo.parvis.fr").await;
    let camille = accounts::store::user_by_email(&app.kernel.db, "camille.martin@demo.parvis.fr")
        .await
        .unwrap()
        .unwrap();
    let procedure = requests::store::procedure_by_slug(&app.kernel.db, "inscription-periscolaire")
        .await
        .unwrap()
        .unwrap();
    // Received on 1 September: deemed accepted at the end of 1 November.
    let (request, _) = actions::record_counter_request(
        &app.kernel,
        &karim,
        &procedure,
        CounterRequest {
            channel: Channel::Counter,
            received_on: "2026-09-01".parse().unwrap(),
            applicant_id: Some(camille.id.clone()),
            applicant_name: "Camille Martin".into(),
            applicant_email: Some(camille.email.clone()),
            applicant_phone: None,
            applicant_address: None,
            answers: answers(&[
                ("enfant_nom", "Martin"),
                ("enfant_prenom", "Léo"),
                ("enfant_naissance", "2018-04-02"),
                ("ecole", "École élémentaire Jules-Ferry"),
                ("classe", "CE2"),
                ("services", "Restauration scolaire"),
                ("regime_alimentaire", "Standard"),
                ("adresse", "12 rue Victor-Hugo, 00000 Démo"),
                ("telephone", "06 12 34 56 78"),
            ]),
        },
    )
    .await
    .unwrap();
    let number = request.number.clone().unwrap();
    let path = format!("/mes-demandes/{number}/attestation.pdf");
    let client = resident(&app).await;
    assert_eq!(
        client.get(&path).await.status,
        404,
        "not yet deemed accepted"
    );
    assert!(
        !client
            .get(&format!("/mes-demandes/{number}"))
            .await
            .contains(&path)
    );

    actions::settle_deemed_decisions(&app.kernel).await.unwrap();
    let page = client.get(&format!("/mes-demandes/{number}")).await;
    assert!(page.contains(&path), "linked once deemed accepted");
    let html = client
        .get(&format!("/mes-demandes/{number}/attestation"))
        .await;
    assert!(html.contains(&path));
    let text = pdf_text(&client.get(&path).await);
    assert!(text.contains("Attestation de décision implicite d'acceptation"));
    assert!(text.contains(&number));
    assert!(text.contains("née le 1er novembre 2026"), "{text}");
    assert!(text.contains("L232-3"));
    assert!(text.contains("Ville de Démo, le 23 novembre 2026"));
    let lucie = other_resident(&app).await;
    assert_eq!(lucie.get(&path).await.status, 404);
}
