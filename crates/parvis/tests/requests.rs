//! Online procedures end to end, on SQLite (and PostgreSQL when PARVIS_TEST_POSTGRES_URL
//! is set): filing page by page with a file and validation errors, the acknowledgement and
//! its mentions, routing, who may see what, completion requests and the deadline, the
//! deemed-acceptance job, and a request recorded at the counter.

use jiff::SignedDuration;
use parvis::testing::{TestApp, TestClient, run_worker};
use parvis::testing::{answers, caller, demo_app, resident, staff as agent};
use requests::actions::{self, CounterRequest};
use requests::model::{Channel, DeemedDecision};

const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// Starts a draft from the procedure page; returns the path of its first page.
async fn start(client: &TestClient, slug: &str) -> String {
    let page = client.get(&format!("/demarches/{slug}")).await;
    assert_eq!(page.status, 200);
    let started = client
        .post_form(
            &format!("/demarches/{slug}/commencer"),
            &[("csrf_token", &page.csrf())],
        )
        .await;
    assert_eq!(started.status, 303, "{}", started.body);
    started.location().unwrap().to_string()
}

async fn post_page(
    client: &TestClient,
    path: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &[u8])],
) -> kernel::testing::TestResponse {
    let page = client.get(path).await;
    assert_eq!(page.status, 200, "GET {path}: {}", page.body);
    let token = page.csrf();
    let mut all = vec![("csrf_token", token.as_str()), ("action", "suivant")];
    all.extend_from_slice(fields);
    client.post_multipart(path, &all, files).await
}

#[tokio::test]
async fn the_catalogue_lists_procedures_by_theme_and_finds_them() {
    let app = demo_app().await;
    let client = app.client();
    let catalogue = client.get("/demarches").await;
    assert_eq!(catalogue.status, 200);
    assert!(catalogue.contains("État civil"));
    assert!(catalogue.contains("Réserver une salle municipale"));
    assert!(catalogue.contains("Carte d&#39;identité et passeport"));
    let found = client.get("/demarches?q=salle").await;
    assert!(found.contains("1 démarche."));
    assert!(!found.contains("Recensement"));
    let info = client.get("/demarches/passeport-carte-identite").await;
    assert!(info.contains("https://ants.gouv.fr/"));
    let terrace = client.get("/demarches/occupation-domaine-public").await;
    assert!(terrace.contains("silence vaut rejet"));
    assert!(terrace.contains("Se connecter pour commencer"));
    assert_eq!(client.get("/demarches/inconnue").await.status, 404);
}

#[tokio::test]
async fn a_resident_files_page_by_page_with_errors_and_a_file_and_gets_the_acknowledgement() {
    let app = demo_app().await;
    let client = resident(&app).await;
    let first = start(&client, "occupation-domaine-public").await;
    assert!(first.ends_with("/page/1"));

    // A surface of 0 is refused next to its field; what was typed stays.
    let page1 = [
        ("objet", "Échafaudage"),
        ("adresse", "3 rue Victor-Hugo, 00000 Démo"),
        ("debut", "2026-12-10"),
        ("fin", "2026-12-20"),
    ];
    let mut wrong = page1.to_vec();
    wrong.push(("surface", "0"));
    let refused = post_page(&client, &first, &wrong, &[]).await;
    assert_eq!(refused.status, 422);
    assert!(refused.contains("supérieur ou égal à 1"));
    assert!(refused.contains("3 rue Victor-Hugo"));
    assert!(refused.contains("resume-erreurs"));
    let mut right = page1.to_vec();
    right.push(("surface", "6"));
    let next = post_page(&client, &first, &right, &[]).await;
    assert_eq!(next.status, 303);
    let second = next.location().unwrap().to_string();
    assert!(second.ends_with("/page/2"));

    // The agent-written pattern message is shown as written.
    let bad_siret = post_page(
        &client,
        &second,
        &[("siret", "123"), ("telephone", "06 12 34 56 78")],
        &[],
    )
    .await;
    assert_eq!(bad_siret.status, 422);
    assert!(bad_siret.contains("Le numéro SIRET compte 14 chiffres"));
    let third = post_page(
        &client,
        &second,
        &[("siret", "12345678901234"), ("telephone", "06 12 34 56 78")],
        &[],
    )
    .await
    .location()
    .unwrap()
    .to_string();

    // A text file is not a document; a PDF is. The plan is only asked for a terrace.
    let not_pdf = post_page(
        &client,
        &third,
        &[],
        &[("assurance", "notes.txt", b"juste du texte")],
    )
    .await;
    assert_eq!(not_pdf.status, 422);
    assert!(!not_pdf.contains("Plan de la terrasse"));
    let stored = post_page(&client, &third, &[], &[("assurance", "assurance.pdf", PDF)]).await;
    assert_eq!(stored.status, 303);
    let summary_path = stored.location().unwrap().to_string();
    assert!(summary_path.ends_with("/recapitulatif"));

    let summary = client.get(&summary_path).await;
    assert!(summary.contains("Échafaudage"));
    assert!(summary.contains("assurance.pdf"));
    let draft_id = summary_path.split('/').nth(3).unwrap().to_string();
    let sent = client
        .post_form(
            &format!("/mes-demandes/brouillons/{draft_id}/envoyer"),
            &[("csrf_token", &summary.csrf())],
        )
        .await;
    assert_eq!(sent.status, 303);
    let location = sent.location().unwrap().to_string();
    let number = location.trim_start_matches("/mes-demandes/").to_string();
    assert!(number.starts_with("DEM-2026-"), "{number}");

    // The acknowledgement e-mail carries every mention of R112-11-1.
    run_worker(&app).await;
    let mail = app
        .mails()
        .into_iter()
        .find(|m| m.subject.contains(&number))
        .expect("acknowledgement mail");
    assert!(mail.body.contains("Date de réception : 23 novembre 2026"));
    // Routed by the answer « Échafaudage » to town planning, not the roads service.
    assert!(
        mail.body
            .contains("Urbanisme et occupation du domaine public")
    );
    assert!(mail.body.contains("urbanisme@demo.parvis.fr"));
    assert!(mail.body.contains("01 23 45 67 40"));
    assert!(mail.body.contains("réputée rejetée le 23 janvier 2027"));
    assert!(mail.body.contains("Voies et délais de recours"));

    let mine = client.get(&location).await;
    assert_eq!(mine.status, 200);
    // No attestation before an implicit acceptance.
    assert_eq!(
        client.get(&format!("{location}/attestation")).await.status,
        404
    );
    assert!(mine.contains("Déposée"));
    assert!(mine.contains("assurance.pdf"));
    let ack = client.get(&format!("{location}/accuse-de-reception")).await;
    assert!(ack.contains("réputée rejetée le 23 janvier 2027"));
    let list = client.get("/mes-demandes").await;
    assert!(list.contains(&number));

    // Nobody else sees it: another resident gets 404, the roads agent 403.
    let request = requests::store::request_by_number(&app.kernel.db, &number)
        .await
        .unwrap()
        .unwrap();
    let other = app.client();
    let stranger = agent(&app, "luc.moreau@demo.parvis.fr").await;
    assert_eq!(stranger.get(&location).await.status, 404);
    assert_eq!(
        stranger
            .get(&format!("/backoffice/demandes/{}", request.id))
            .await
            .status,
        403
    );
    assert_eq!(
        other.get(&location).await.status,
        303,
        "visitors must log in"
    );
    let planner = agent(&app, "ines.lambert@demo.parvis.fr").await;
    let opened = planner
        .get(&format!("/backoffice/demandes/{}", request.id))
        .await;
    assert_eq!(opened.status, 200);
    assert!(opened.contains("Orientée vers le service Urbanisme"));
    let audit = kernel::audit::search(
        &app.kernel.db,
        &kernel::audit::AuditQuery {
            action: Some("request.view".into()),
            target_id: Some(request.id.clone()),
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.target_id.as_deref() == Some(&request.id))
    );
    let inbox = planner.get("/backoffice/demandes").await;
    assert!(inbox.contains(&number));
}

#[tokio::test]
async fn a_completion_request_suspends_the_delay_and_silence_then_means_acceptance() {
    let app = demo_app().await;
    run_worker(&app).await;
    let karim = caller(&app, "karim.haddad@demo.parvis.fr").await;
    let camille = accounts::store::user_by_email(&app.kernel.db, "camille.martin@demo.parvis.fr")
        .await
        .unwrap()
        .unwrap();
    let procedure = requests::store::procedure_by_slug(&app.kernel.db, "inscription-periscolaire")
        .await
        .unwrap()
        .unwrap();
    let (request, _) = actions::record_counter_request(
        &app.kernel,
        &karim,
        &procedure,
        CounterRequest {
            channel: Channel::Counter,
            received_on: "2026-11-23".parse().unwrap(),
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
    assert_eq!(
        request.deemed,
        DeemedDecision::AcceptedOn {
            on: "2027-01-23".parse().unwrap()
        }
    );

    // The agent asks for a document: the acceptance delay no longer runs.
    let agent_client = agent(&app, "karim.haddad@demo.parvis.fr").await;
    let detail_path = format!("/backoffice/demandes/{}", request.id);
    for (to, message) in [
        ("under_review", ""),
        (
            "waiting_for_applicant",
            "Merci de joindre l'attestation de quotient familial.",
        ),
    ] {
        let done = agent_client
            .submit(
                &detail_path,
                &format!("{detail_path}/statut"),
                &[("to", to), ("message", message)],
            )
            .await;
        assert_eq!(done.status, 303, "{}", done.body);
    }
    let waiting = requests::store::request_by_id(&app.kernel.db, &request.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(waiting.status, "waiting_for_applicant");
    assert_eq!(waiting.deemed, DeemedDecision::Suspended);
    let number = waiting.number.clone().unwrap();
    run_worker(&app).await;
    let notice = app
        .mails()
        .into_iter()
        .find(|m| m.subject.contains("Votre demande a évolué") && m.subject.contains(&number))
        .expect("status mail");
    assert!(
        !notice.body.contains("quotient familial"),
        "no content in the e-mail"
    );

    // Ten days later the resident sends the document: the delay starts that day.
    app.clock.advance(SignedDuration::from_hours(24 * 10));
    let client = resident(&app).await;
    let page_path = format!("/mes-demandes/{number}");
    let page = client.get(&page_path).await;
    assert!(page.contains("attestation de quotient familial"));
    let replied = client
        .post_multipart(
            &format!("{page_path}/repondre"),
            &[
                ("csrf_token", &page.csrf()),
                ("message", "Voici l'attestation."),
            ],
            &[("document", "attestation-caf.pdf", PDF)],
        )
        .await;
    assert_eq!(replied.status, 303, "{}", replied.body);
    let answered = requests::store::request_by_id(&app.kernel.db, &request.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(answered.status, "under_review");
    assert_eq!(
        answered.deemed,
        DeemedDecision::AcceptedOn {
            on: "2027-02-03".parse().unwrap()
        }
    );

    // On the deemed day nothing happens; the day after, the job settles it.
    app.clock.advance(SignedDuration::from_hours(24 * 62));
    run_worker(&app).await;
    let still = requests::store::request_by_id(&app.kernel.db, &request.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(still.status, "under_review", "2027-02-03 is not over yet");
    app.clock.advance(SignedDuration::from_hours(24));
    run_worker(&app).await;
    let settled = requests::store::request_by_id(&app.kernel.db, &request.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(settled.status, "deemed_accepted");
    assert!(
        app.mails()
            .iter()
            .any(|m| m.subject.contains("Décision implicite") && m.subject.contains(&number))
    );
    // (weeks later: a fresh login)
    let client = resident(&app).await;
    let page = client.get(&page_path).await;
    assert!(page.contains("Acceptée tacitement"));
    let attestation = client.get(&format!("{page_path}/attestation")).await;
    assert_eq!(attestation.status, 200);
    assert!(attestation.contains("née le 3 février 2027"));
    assert!(attestation.contains("L232-3"));
}

#[tokio::test]
async fn a_request_received_by_letter_for_someone_without_email_counts_from_its_receipt() {
    let app = demo_app().await;
    let julie = caller(&app, "julie.garnier@demo.parvis.fr").await;
    let procedure = requests::store::procedure_by_slug(&app.kernel.db, "location-salle")
        .await
        .unwrap()
        .unwrap();
    run_worker(&app).await;
    let before = app.mails().len();
    let letter = |received_on: &str| CounterRequest {
        channel: Channel::Letter,
        received_on: received_on.parse().unwrap(),
        applicant_id: None,
        applicant_name: "Germaine Roux".into(),
        applicant_email: None,
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
    };
    // Julie works for the mayor's office, not for halls: refused.
    assert!(matches!(
        actions::record_counter_request(&app.kernel, &julie, &procedure, letter("2026-11-16"))
            .await,
        Err(actions::RequestError::Forbidden)
    ));
    let thomas = caller(&app, "thomas.petit@demo.parvis.fr").await;
    // A receipt date in the future is refused.
    assert!(matches!(
        actions::record_counter_request(&app.kernel, &thomas, &procedure, letter("2026-11-30"))
            .await,
        Err(actions::RequestError::Conflict(_))
    ));
    let (request, ack) =
        actions::record_counter_request(&app.kernel, &thomas, &procedure, letter("2026-11-16"))
            .await
            .unwrap();
    // Received on Monday the 16th: the two months run from then, not from today.
    assert_eq!(
        request.deemed,
        DeemedDecision::RejectedOn {
            on: "2027-01-16".parse().unwrap()
        }
    );
    assert!(ack.text().contains("Date de réception : 16 novembre 2026."));
    assert_eq!(request.channel, Channel::Letter);
    run_worker(&app).await;
    assert_eq!(app.mails().len(), before, "no e-mail address, no e-mail");
    let client = agent(&app, "thomas.petit@demo.parvis.fr").await;

    // The same through the back-office page: errors first, then recorded.
    let form_path = "/backoffice/demandes/nouvelle?demarche=location-salle";
    let refused = client
        .submit(
            form_path,
            form_path,
            &[
                ("recu_canal", "phone"),
                ("recu_le", "2026-12-01"),
                (
                    "salle",
                    "Salle de réunion de l'hôtel de ville (25 personnes)",
                ),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.contains("ne peut pas être dans le futur"));
    assert!(refused.contains("Indiquez le nom de la personne"));
    assert!(refused.contains("Ce champ est obligatoire."));
    let recorded = client
        .submit(
            form_path,
            form_path,
            &[
                ("recu_canal", "phone"),
                ("recu_le", "2026-11-20"),
                ("contact_nom", "Marcel Blanc"),
                ("contact_telephone", "04 78 11 22 33"),
                (
                    "salle",
                    "Salle de réunion de l'hôtel de ville (25 personnes)",
                ),
                ("date", "2027-02-06"),
                ("horaires", "de 10 h à 12 h"),
                ("personnes", "12"),
                ("evenement", "Assemblée générale"),
                ("assurance", "attestation MAIF vue à l'accueil"),
            ],
        )
        .await;
    assert_eq!(recorded.status, 303, "{}", recorded.body);
    let detail = client.follow(&recorded).await;
    assert!(detail.contains("Marcel Blanc"));
    assert!(detail.contains("Téléphone"));
    let detail_path = recorded.location().unwrap();
    let printable = client
        .get(&format!("{detail_path}/accuse-de-reception"))
        .await;
    assert_eq!(printable.status, 200);
    assert!(printable.contains("Date de réception : 20 novembre 2026."));
    // An agent of another service cannot record for this procedure.
    let other = agent(&app, "luc.moreau@demo.parvis.fr").await;
    assert_eq!(
        other
            .post_form(
                form_path,
                &[(
                    "csrf_token",
                    &other.get("/backoffice/demandes/nouvelle").await.csrf()
                )]
            )
            .await
            .status,
        404
    );

    let inbox = client.get("/backoffice/demandes?channel=letter").await;
    assert!(inbox.contains(request.number.as_deref().unwrap()));
    assert!(inbox.contains("Courrier"));
}

#[tokio::test]
async fn the_demo_has_requests_in_every_status() {
    let app = demo_app().await;
    let statuses: Vec<String> = sqlx::query_scalar("SELECT DISTINCT status FROM requests")
        .fetch_all(app.kernel.db.pool())
        .await
        .unwrap();
    for status in [
        "submitted",
        "under_review",
        "waiting_for_applicant",
        "accepted",
        "refused",
        "closed",
        "deemed_accepted",
        "transmitted",
    ] {
        assert!(
            statuses.iter().any(|s| s == status),
            "{status}: {statuses:?}"
        );
    }
    // A second seed adds nothing.
    requests::demo::seed(&app.kernel).await.unwrap();
    let procedures = requests::store::procedures(&app.kernel.db, true, "")
        .await
        .unwrap();
    assert_eq!(procedures.len(), 10);
}

#[tokio::test]
async fn agents_are_warned_a_week_before_a_legal_deadline() {
    let app = demo_app().await;
    // The demo house move was received 52 days ago: rejected by silence on 2 December, no
    // warning yet.
    run_worker(&app).await;
    let before = app.mails().len();
    assert_eq!(actions::warn_of_deadlines(&app.kernel).await.unwrap(), 0);
    // Three days later it is within the week: the roads service is told, without names.
    app.clock.advance(SignedDuration::from_hours(24 * 3));
    assert!(actions::warn_of_deadlines(&app.kernel).await.unwrap() >= 1);
    run_worker(&app).await;
    let warnings: Vec<_> = app.mails()[before..]
        .iter()
        .filter(|m| m.subject.contains("échéance légale"))
        .cloned()
        .collect();
    let roads = warnings
        .iter()
        .find(|m| m.to.contains("voirie@demo.parvis.fr"))
        .expect("a warning to the roads service");
    assert!(
        roads
            .body
            .contains("Réserver une place pour un déménagement")
    );
    assert!(roads.body.contains("rejetée tacitement le 2 décembre 2026"));
    assert!(!roads.body.contains("El Amrani"), "no personal data");
}

#[tokio::test]
async fn canned_replies_are_filled_in_for_the_request_at_hand() {
    let app = demo_app().await;
    let thomas = agent(&app, "thomas.petit@demo.parvis.fr").await;
    let list = thomas.get("/backoffice/reponses-types").await;
    assert_eq!(list.status, 200);
    assert!(list.contains("Salle indisponible"));
    assert!(list.contains("{prenom}"));
    // An agent writes one for their service; sharing with every service is for managers.
    let shared = thomas
        .submit(
            "/backoffice/reponses-types",
            "/backoffice/reponses-types",
            &[("title", "Tous"), ("body", "Texte"), ("service", "")],
        )
        .await;
    assert_eq!(shared.status, 422);
    let service = accounts::store::service_by_slug(&app.kernel.db, "vie-associative")
        .await
        .unwrap()
        .unwrap();
    let created = thomas
        .submit(
            "/backoffice/reponses-types",
            "/backoffice/reponses-types",
            &[
                ("title", "Caution à déposer"),
                (
                    "body",
                    "Bonjour {prenom} {nom}, pour la demande {numero}, déposez la caution.",
                ),
                ("service", &service.id),
            ],
        )
        .await;
    assert_eq!(created.status, 303);
    let reply = requests::store::canned_replies(&app.kernel.db, std::slice::from_ref(&service.id))
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.title == "Caution à déposer")
        .unwrap();
    // Used on Camille's hall booking: the markers are filled in.
    let hall: String = sqlx::query_scalar(
        "SELECT r.id FROM requests r JOIN procedures p ON p.id = r.procedure_id WHERE p.slug = 'location-salle'",
    )
    .fetch_one(app.kernel.db.pool())
    .await
    .unwrap();
    let page = thomas
        .get(&format!("/backoffice/demandes/{hall}?reponse={}", reply.id))
        .await;
    assert!(page.contains("Bonjour Camille Martin, pour la demande DEM-2026-"));
    // The roads agent neither sees it nor may delete it.
    let luc = agent(&app, "luc.moreau@demo.parvis.fr").await;
    assert!(
        !luc.get("/backoffice/reponses-types")
            .await
            .contains("Caution à déposer")
    );
    let token = luc.get("/backoffice/reponses-types").await.csrf();
    let refused = luc
        .post_form(
            &format!("/backoffice/reponses-types/{}/supprimer", reply.id),
            &[("csrf_token", &token)],
        )
        .await;
    assert_eq!(refused.status, 404);
}

#[tokio::test]
async fn agents_write_and_search_the_knowledge_base_residents_cannot() {
    let app = demo_app().await;
    let ines = agent(&app, "ines.lambert@demo.parvis.fr").await;
    let found = ines
        .get("/backoffice/connaissances?q=passage+piétons")
        .await;
    assert!(found.contains("Occupation du domaine public : instruire une demande"));
    assert!(!found.contains("Attestation d&#39;accueil"));
    let refused = ines
        .submit(
            "/backoffice/connaissances",
            "/backoffice/connaissances",
            &[
                ("slug", "Mauvaise Adresse"),
                ("title", "Benne"),
                ("body", "Texte"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    let saved = ines
        .submit(
            "/backoffice/connaissances",
            "/backoffice/connaissances",
            &[
                ("slug", "bennes"),
                ("title", "Bennes sur la chaussée"),
                (
                    "body",
                    "Une benne sur la chaussée demande un arrêté de circulation.",
                ),
            ],
        )
        .await;
    assert_eq!(saved.location(), Some("/backoffice/connaissances/bennes"));
    let article = ines.get("/backoffice/connaissances/bennes").await;
    assert!(article.contains("arrêté de circulation"));
    let resident = resident(&app).await;
    assert_eq!(resident.get("/backoffice/connaissances").await.status, 403);
}

#[tokio::test]
async fn managers_and_officials_read_statistics_and_export_them_without_names() {
    let app = demo_app().await;
    let official = agent(&app, "helene.fabre@demo.parvis.fr").await;
    let home = official.get("/backoffice").await;
    assert!(home.contains("/backoffice/statistiques"));
    let stats = official.get("/backoffice/statistiques").await;
    assert_eq!(stats.status, 200);
    assert!(stats.contains("Par canal de réception"));
    assert!(stats.contains("<svg"));
    assert!(stats.contains("Courrier"));
    let csv = official.get("/backoffice/statistiques.csv").await;
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    assert!(csv.contains("numero;demarche;service;canal;statut"));
    assert!(csv.contains("DEM-2026-"));
    assert!(!csv.contains("Germaine"), "no personal data in the export");
    // The childhood manager sees only her service; a plain agent sees nothing.
    let manager = agent(&app, "claire.rousseau@demo.parvis.fr").await;
    let own = manager.get("/backoffice/statistiques.csv").await;
    assert!(own.contains("Inscrire son enfant"));
    assert!(!own.contains("Réserver une salle"));
    let plain = agent(&app, "luc.moreau@demo.parvis.fr").await;
    assert_eq!(plain.get("/backoffice/statistiques").await.status, 403);
}

async fn demo_request(app: &TestApp, applicant: &str, slug: &str) -> requests::model::Request {
    let procedure = requests::store::procedure_by_slug(&app.kernel.db, slug)
        .await
        .unwrap()
        .unwrap();
    let user = accounts::store::user_by_email(&app.kernel.db, applicant)
        .await
        .unwrap()
        .expect("a demo account");
    requests::store::requests_of(&app.kernel.db, &user.id)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.procedure_id == procedure.id && r.number.is_some())
        .expect("a demo request of this procedure")
}

#[tokio::test]
async fn agents_see_a_persons_timeline_across_channels_with_only_their_services_content() {
    let app = demo_app().await;
    let camille = accounts::store::user_by_email(&app.kernel.db, "camille.martin@demo.parvis.fr")
        .await
        .unwrap()
        .unwrap();
    let terrace = demo_request(
        &app,
        "camille.martin@demo.parvis.fr",
        "occupation-domaine-public",
    )
    .await;
    let hall = demo_request(&app, "camille.martin@demo.parvis.fr", "location-salle").await;

    // Luc handles roads: he sees all four of Camille's contacts, the content of his own.
    let luc = agent(&app, "luc.moreau@demo.parvis.fr").await;
    let page = luc
        .get(&format!("/backoffice/usagers/{}", camille.id))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.contains("Parcours de Camille Martin"));
    assert_eq!(page.body.matches("Demande déposée en ligne").count(), 4);
    assert!(page.contains(&format!("/backoffice/demandes/{}", terrace.id)));
    assert!(page.contains("Le plan joint ne montre pas le passage"));
    assert!(!page.contains(&format!("/backoffice/demandes/{}", hall.id)));
    assert!(page.contains("Demande suivie par un autre service"));
    // The hall's internal note never shows, even to the hall's own agent, on a timeline.
    assert!(!page.contains("vérifier l&#39;attestation d&#39;assurance"));
    let thomas = agent(&app, "thomas.petit@demo.parvis.fr").await;
    let from_hall = thomas
        .get(&format!("/backoffice/demandes/{}/usager", hall.id))
        .await;
    assert_eq!(from_hall.status, 200);
    assert!(from_hall.contains(&format!("/backoffice/demandes/{}", hall.id)));
    assert!(!from_hall.contains("vérifier l&#39;attestation d&#39;assurance"));

    // The opening is audited.
    let audited = kernel::audit::search(
        &app.kernel.db,
        &kernel::audit::AuditQuery {
            action: Some("person.timeline_view".into()),
            target_id: Some(camille.id.clone()),
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(audited.len(), 2);

    // Karim (childhood) handles none of Camille's requests: refused. A resident: refused.
    let karim = agent(&app, "karim.haddad@demo.parvis.fr").await;
    assert_eq!(
        karim
            .get(&format!("/backoffice/usagers/{}", camille.id))
            .await
            .status,
        403
    );
    assert_eq!(
        karim
            .get(&format!("/backoffice/demandes/{}/usager", terrace.id))
            .await
            .status,
        403
    );
    let resident = resident(&app).await;
    assert_eq!(
        resident
            .get(&format!("/backoffice/usagers/{}", camille.id))
            .await
            .status,
        403
    );
    assert_eq!(luc.get("/backoffice/usagers/inconnu").await.status, 404);
}

#[tokio::test]
async fn the_timeline_of_someone_without_an_account_gathers_their_letter_and_their_call() {
    let app = demo_app().await;
    let julie = agent(&app, "julie.garnier@demo.parvis.fr").await;
    let inbox = julie.get("/backoffice/demandes?q=germaine").await;
    let link = inbox
        .body
        .split("<td><a href=\"/backoffice/demandes/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a request of Germaine Roux in the inbox")
        .to_string();
    let request = julie.get(&format!("/backoffice/demandes/{link}")).await;
    assert!(request.contains(&format!("/backoffice/demandes/{link}/usager")));
    let page = julie
        .get(&format!("/backoffice/demandes/{link}/usager"))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.contains("Parcours de Germaine Roux"));
    assert!(page.contains("Sans compte (fiche contact)"));
    assert!(page.contains("Courrier reçu"));
    assert!(page.contains("Appel téléphonique"));
    assert!(page.contains("Enregistrée par Julie Garnier"));
    assert!(page.contains("Téléphone : 1, Courrier : 1"));
}

#[tokio::test]
async fn agents_link_a_knowledge_base_sheet_to_a_request_in_one_click() {
    let app = demo_app().await;
    let terrace = demo_request(
        &app,
        "camille.martin@demo.parvis.fr",
        "occupation-domaine-public",
    )
    .await;
    let path = format!("/backoffice/demandes/{}", terrace.id);
    let luc = agent(&app, "luc.moreau@demo.parvis.fr").await;
    let searched = luc.get(&format!("{path}?fiche=piétons")).await;
    assert!(
        searched.contains("Lier la fiche « Occupation du domaine public : instruire une demande »")
    );
    assert!(!searched.contains("Lier la fiche « Attestation d&#39;accueil"));
    let linked = luc
        .post_form(
            &format!("{path}/fiches"),
            &[
                ("csrf_token", &searched.csrf()),
                ("article", "occupation-domaine-public-instruction"),
            ],
        )
        .await;
    assert_eq!(linked.location(), Some(path.as_str()));
    let page = luc.get(&path).await;
    assert!(page.contains("La fiche est liée à la demande."));
    assert!(
        page.contains("href=\"/backoffice/connaissances/occupation-domaine-public-instruction\"")
    );
    assert!(page.contains("Fiche liée : Occupation du domaine public"));
    // Linking twice changes nothing; the resident never sees the sheet nor the step.
    luc.post_form(
        &format!("{path}/fiches"),
        &[
            ("csrf_token", &page.csrf()),
            ("article", "occupation-domaine-public-instruction"),
        ],
    )
    .await;
    assert_eq!(
        requests::store::linked_articles(&app.kernel.db, &terrace.id)
            .await
            .unwrap()
            .len(),
        1
    );
    let camille = resident(&app).await;
    let own = camille
        .get(&format!(
            "/mes-demandes/{}",
            terrace.number.as_deref().unwrap()
        ))
        .await;
    assert!(!own.contains("Fiche liée"));
    // An agent of another service may not link; an unknown sheet is 404.
    let sophie = agent(&app, "sophie.bernard@demo.parvis.fr").await;
    let home = sophie.get("/backoffice/demandes").await;
    let refused = sophie
        .post_form(
            &format!("{path}/fiches"),
            &[
                ("csrf_token", &home.csrf()),
                ("article", "occupation-domaine-public-instruction"),
            ],
        )
        .await;
    assert_eq!(refused.status, 403);
    let unknown = luc
        .post_form(
            &format!("{path}/fiches"),
            &[("csrf_token", &page.csrf()), ("article", "inconnue")],
        )
        .await;
    assert_eq!(unknown.status, 404);
    // Removing the link.
    let removed = luc
        .post_form(
            &format!("{path}/fiches"),
            &[
                ("csrf_token", &page.csrf()),
                ("article", "occupation-domaine-public-instruction"),
                ("action", "retirer"),
            ],
        )
        .await;
    assert_eq!(removed.status, 303);
    assert!(
        requests::store::linked_articles(&app.kernel.db, &terrace.id)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_refusal_sent_with_its_template_unchanged_is_not_motivated_and_changes_nothing() {
    let app = demo_app().await;
    let hall = demo_request(&app, "camille.martin@demo.parvis.fr", "location-salle").await;
    assert_eq!(hall.status, "under_review");
    let thomas = agent(&app, "thomas.petit@demo.parvis.fr").await;
    let path = format!("/backoffice/demandes/{}", hall.id);
    let page = thomas.get(&path).await;
    // The box comes filled with the move's template, for this request.
    let template = page
        .body
        .split("id=\"message-refused\"")
        .nth(1)
        .and_then(|rest| rest.split_once('>'))
        .and_then(|(_, rest)| rest.split("</textarea>").next())
        .expect("the refusal's message box")
        .replace("&#39;", "'")
        .replace("&quot;", "\"");
    assert!(template.contains("Bonjour Camille Martin"));
    assert!(template.contains("pour les motifs suivants"));
    let unchanged = thomas
        .post_form(
            &format!("{path}/statut"),
            &[
                ("csrf_token", &page.csrf()),
                ("to", "refused"),
                ("message", &template),
            ],
        )
        .await;
    assert_eq!(unchanged.status, 303);
    let after = thomas.follow(&unchanged).await;
    assert!(after.contains("un refus doit être motivé"));
    let stored = requests::store::request_by_id(&app.kernel.db, &hall.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, "under_review");
    assert!(
        requests::store::documents(&app.kernel.db, &hall.id)
            .await
            .unwrap()
            .iter()
            .all(|d| d.kind != "decision")
    );
    // With the grounds written in, the refusal goes out with its decision.
    let motivated = template.replace("- ", "- la salle est déjà louée ce samedi-là.");
    let refused = thomas
        .post_form(
            &format!("{path}/statut"),
            &[
                ("csrf_token", &page.csrf()),
                ("to", "refused"),
                ("message", &motivated),
            ],
        )
        .await;
    assert_eq!(refused.status, 303);
    let stored = requests::store::request_by_id(&app.kernel.db, &hall.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, "refused");
    assert!(
        requests::store::documents(&app.kernel.db, &hall.id)
            .await
            .unwrap()
            .iter()
            .any(|d| d.kind == "decision")
    );
}
