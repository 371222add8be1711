//! The family file as a family uses it: opening it, children with their diet, allergies
//! and PAI, the people allowed to pick them up or to call; errors next to their field
//! with the input kept; and no family ever sees or changes another's children.

use parvis::testing::{TestApp, TestClient, demo_app, resident, staff};

const LUC: &str = "luc.moreau@demo.parvis.fr";

async fn child_id(app: &TestApp, given_name: &str) -> String {
    sqlx::query_scalar("SELECT id FROM family_people WHERE given_name = $1 AND kind = 'child'")
        .bind(given_name)
        .fetch_one(app.kernel.db.pool())
        .await
        .unwrap()
}

async fn count(app: &TestApp, sql: &str, bind: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
        .bind(bind)
        .fetch_one(app.kernel.db.pool())
        .await
        .unwrap()
}

fn lea_form<'a>(class: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("given_name", "Léa"),
        ("family_name", "Martin"),
        ("birth_date", "12/04/2018"),
        ("school", "École élémentaire Jules-Ferry"),
        ("class_name", class),
        ("diet", "sans-porc"),
        ("allergens", "arachides"),
        ("allergens", "lait"),
        ("allergy_notes", "Allergie sévère."),
        ("care_plan", "oui"),
    ];
    fields.extend_from_slice(extra);
    fields
}

#[tokio::test]
async fn a_parent_sees_the_children_and_corrects_a_record() {
    let app = demo_app().await;
    let camille = resident(&app).await;
    let page = camille.get("/famille").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.contains("Famille Martin"));
    assert!(page.contains("Léa Martin"));
    assert!(page.contains("Hugo Martin"));
    assert!(page.contains("Arachides"));
    assert!(page.contains("Jeanne Martin (Grand-mère)"));
    assert!(page.contains("Karim Haddad (Voisin)"));

    let lea = child_id(&app, "Léa").await;
    let form = format!("/famille/enfants/{lea}");
    let edit = camille.get(&form).await;
    assert_eq!(edit.status, 200);
    assert!(
        edit.contains("id=\"allergen-arachides\" name=\"allergens\" value=\"arachides\" checked")
    );
    assert!(edit.contains("id=\"care_plan\" name=\"care_plan\" value=\"oui\" checked"));

    // Bad input: every problem next to its field, the input kept, nothing changed.
    let wrong = camille
        .submit(
            &form,
            &form,
            &[
                ("given_name", " "),
                ("family_name", "Martin"),
                ("birth_date", "31/02/2018"),
                ("diet", "halal"),
                ("class_name", "CM1"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.contains("<title>Erreur :"));
    assert!(wrong.contains("href=\"#given_name\""));
    assert!(wrong.contains("id=\"birth_date-erreur\""));
    assert!(wrong.contains("href=\"#diet\""));
    assert!(wrong.contains("value=\"CM1\""));
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM child_profiles WHERE person_id = $1 AND class_name = 'CE2'",
            &lea
        )
        .await,
        1
    );

    let saved = camille.submit(&form, &form, &lea_form("CM1", &[])).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let page = camille.follow(&saved).await;
    assert!(page.contains("La fiche de l"));
    assert!(page.contains("École élémentaire Jules-Ferry, CM1"));
    assert!(page.contains("Arachides ; Lait ; Allergie sévère."));
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM child_profiles WHERE person_id = $1 AND allergens = 'arachides,lait' AND care_plan = 1",
            &lea
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'family.child_updated' AND target_id = $1",
            &lea
        )
        .await,
        1
    );
    // The resident's space shows the children.
    let space = camille.get("/mon-espace").await;
    assert!(space.contains("Ma famille"));
    assert!(space.contains(&format!("href=\"/famille/enfants/{lea}\"")));
}

#[tokio::test]
async fn a_new_family_opens_its_file_adds_a_child_and_the_people_to_call() {
    let app = demo_app().await;
    let luc = staff(&app, LUC).await;
    let page = luc.get("/famille").await;
    assert!(page.contains("Ouvrir mon dossier famille"));
    // Opening needs an address.
    let empty = luc
        .submit("/famille", "/famille", &[("address", "  ")])
        .await;
    assert_eq!(empty.status, 422);
    assert!(empty.contains("id=\"address-erreur\""));
    let opened = luc
        .submit(
            "/famille",
            "/famille",
            &[("address", "3 impasse des Lilas, 00000 Ville de Démo")],
        )
        .await;
    assert_eq!(opened.status, 303);
    let page = luc.follow(&opened).await;
    assert!(page.contains("Famille Moreau"));
    assert!(page.contains("Luc Moreau (payeur)"));
    // Opening twice keeps one file.
    luc.submit("/famille", "/famille", &[("address", "ailleurs")])
        .await;
    let luc_id: String = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(LUC)
        .fetch_one(app.kernel.db.pool())
        .await
        .unwrap();
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM household_members m JOIN family_people p ON p.id = m.person_id WHERE p.user_id = $1",
            &luc_id
        )
        .await,
        1
    );

    let new_child = luc.get("/famille/enfants/nouveau").await;
    assert!(
        new_child.contains("value=\"Moreau\""),
        "the household's name is offered"
    );
    // The school is chosen from the commune's list: a name typed otherwise is refused.
    assert!(new_child.contains("<option value=\"École primaire Louise-Michel\">"));
    let nina = |school: &'static str| {
        [
            ("given_name", "Nina"),
            ("family_name", "Moreau"),
            ("birth_date", "2019-09-03"),
            ("school", school),
            ("class_name", "CE1"),
            ("diet", "vegetarien"),
        ]
    };
    let unknown = luc
        .submit(
            "/famille/enfants/nouveau",
            "/famille/enfants/nouveau",
            &nina("École élémentaire Pasteur"),
        )
        .await;
    assert_eq!(unknown.status, 422);
    assert!(unknown.contains("Choisissez l&#39;école dans la liste des écoles de la commune."));
    let added = luc
        .submit(
            "/famille/enfants/nouveau",
            "/famille/enfants/nouveau",
            &nina("École primaire Louise-Michel"),
        )
        .await;
    assert_eq!(added.status, 303, "{}", added.body);
    let page = luc.follow(&added).await;
    assert!(page.contains("Nina Moreau"));
    assert!(page.contains("Végétarien"));

    let bad_contact = luc
        .submit(
            "/famille",
            "/famille/contacts",
            &[
                ("kind", "urgence"),
                ("name", "Marie Moreau"),
                ("phone", "123"),
            ],
        )
        .await;
    assert_eq!(bad_contact.status, 422);
    assert!(bad_contact.contains("id=\"phone-erreur\""));
    assert!(bad_contact.contains("value=\"Marie Moreau\""));
    let contact = luc
        .submit(
            "/famille",
            "/famille/contacts",
            &[
                ("kind", "urgence"),
                ("name", "Marie Moreau"),
                ("relation", "Tante"),
                ("phone", "06 11 22 33 44"),
            ],
        )
        .await;
    assert_eq!(contact.status, 303);
    let page = luc.get("/famille").await;
    assert!(page.contains("Marie Moreau (Tante) — 06 11 22 33 44"));
    let remove = page
        .body
        .split("action=\"/famille/contacts/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|tail| format!("/famille/contacts/{tail}"))
        .expect("a remove button");
    let removed = luc.submit("/famille", &remove, &[]).await;
    assert_eq!(removed.status, 303);
    assert!(!luc.get("/famille").await.contains("Marie Moreau"));
}

#[tokio::test]
async fn another_family_never_sees_nor_changes_these_children() {
    let app = demo_app().await;
    let lea = child_id(&app, "Léa").await;
    let form = format!("/famille/enfants/{lea}");

    let anonymous = app.client();
    assert_eq!(
        anonymous.get(&form).await.location(),
        Some(format!("/connexion?suivant=%2Ffamille%2Fenfants%2F{lea}").as_str())
    );

    // Luc, once with a file of his own, and before.
    let luc: TestClient = staff(&app, LUC).await;
    assert_eq!(luc.get(&form).await.status, 404);
    luc.submit(
        "/famille",
        "/famille",
        &[("address", "3 impasse des Lilas")],
    )
    .await;
    assert_eq!(luc.get(&form).await.status, 404);
    let page = luc.get("/famille").await;
    assert!(!page.contains("Léa"));
    let token = page.csrf();
    let forced = luc
        .post_form(
            &form,
            &[
                ("csrf_token", token.as_str()),
                ("given_name", "Piratée"),
                ("family_name", "Martin"),
                ("birth_date", "2018-04-12"),
                ("diet", "standard"),
            ],
        )
        .await;
    assert_eq!(forced.status, 404);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM family_people WHERE id = $1 AND given_name = 'Léa'",
            &lea
        )
        .await,
        1
    );
    let camille_contact: String =
        sqlx::query_scalar("SELECT id FROM household_contacts WHERE name = 'Jeanne Martin'")
            .fetch_one(app.kernel.db.pool())
            .await
            .unwrap();
    let removed = luc
        .post_form(
            &format!("/famille/contacts/{camille_contact}/supprimer"),
            &[("csrf_token", token.as_str())],
        )
        .await;
    assert_eq!(removed.status, 404);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM household_contacts WHERE id = $1",
            &camille_contact
        )
        .await,
        1
    );
}

/// A one-page PDF, as a scanner makes.
fn pdf(title: &str) -> Vec<u8> {
    format!("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% {title}\ntrailer << /Root 1 0 R >>\n%%EOF\n")
        .into_bytes()
}

#[tokio::test]
async fn a_family_gives_a_document_once_and_every_service_reuses_it() {
    let app = demo_app().await;
    let camille = resident(&app).await;
    let page = camille.get("/famille").await;
    assert!(page.contains("Quotient familial : 850 (attestation CAF, depuis le 01/09/2026)."));
    // The proof of address accepted once counts for the canteen and for after-school care.
    assert_eq!(
        page.body
            .matches(
                "✓ Justificatif de domicile de moins de 3 mois : Valide jusqu&#39;au 05/01/2027"
            )
            .count(),
        3
    );
    assert!(
        page.contains("✗ Attestation d&#39;assurance scolaire : Reçu, en cours de vérification")
    );
    assert!(page.contains("✗ Attestation de quotient familial CAF : À fournir"));

    let form = camille.get("/famille/documents").await;
    let token = form.csrf();
    // Nothing chosen, a date to come, a file that is not a document: all refused at once.
    let bad = camille
        .post_multipart(
            "/famille/documents",
            &[
                ("csrf_token", &token),
                ("kind", ""),
                ("dated", "2030-01-01"),
            ],
            &[],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.contains("href=\"#kind\""));
    assert!(bad.contains("id=\"dated-erreur\""));
    assert!(bad.contains("id=\"file-erreur\""));
    let not_a_document = camille
        .post_multipart(
            "/famille/documents",
            &[
                ("csrf_token", &token),
                ("kind", "attestation-caf"),
                ("dated", "2026-11-02"),
            ],
            &[("file", "attestation.exe", b"MZ\x90\x00 pas un document")],
        )
        .await;
    assert_eq!(not_a_document.status, 422);
    assert!(not_a_document.contains("Ce type de fichier n&#39;est pas accepté"));
    let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM supporting_documents")
        .fetch_one(app.kernel.db.pool())
        .await
        .unwrap();
    let given = camille
        .post_multipart(
            "/famille/documents",
            &[
                ("csrf_token", &token),
                ("kind", "attestation-caf"),
                ("dated", "02/11/2026"),
            ],
            &[("file", "attestation-caf.pdf", &pdf("CAF"))],
        )
        .await;
    assert_eq!(given.status, 303, "{}", given.body);
    let list = camille.follow(&given).await;
    assert!(list.contains("Attestation de quotient familial CAF"));
    assert!(list.contains("En cours de vérification"));
    assert!(
        list.contains("02/11/2027"),
        "a CAF certificate is taken for a year"
    );
    let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM supporting_documents")
        .fetch_one(app.kernel.db.pool())
        .await
        .unwrap();
    assert_eq!(after, before + 1);
    let id: String =
        sqlx::query_scalar("SELECT id FROM supporting_documents WHERE kind = 'attestation-caf'")
            .fetch_one(app.kernel.db.pool())
            .await
            .unwrap();
    let own = camille
        .get(&format!("/famille/documents/{id}/fichier"))
        .await;
    assert_eq!(own.status, 200);
    assert!(own.bytes.starts_with(b"%PDF"));
    // Another family never gets it.
    let luc = staff(&app, LUC).await;
    luc.submit(
        "/famille",
        "/famille",
        &[("address", "3 impasse des Lilas")],
    )
    .await;
    assert_eq!(
        luc.get(&format!("/famille/documents/{id}/fichier"))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn the_family_service_checks_documents_and_sets_the_quotient() {
    let app = demo_app().await;
    let karim = staff(&app, "karim.haddad@demo.parvis.fr").await;
    let search = karim.get("/backoffice/familles").await;
    assert_eq!(search.status, 200, "{}", search.body);
    assert!(search.contains("Famille Martin"));
    assert!(search.contains("Attestation d&#39;assurance scolaire"));
    let found = karim.get("/backoffice/familles?q=l%C3%A9a").await;
    let household: String =
        sqlx::query_scalar("SELECT id FROM households WHERE label = 'Famille Martin'")
            .fetch_one(app.kernel.db.pool())
            .await
            .unwrap();
    assert!(found.contains(&format!("href=\"/backoffice/familles/{household}\"")));
    let file = format!("/backoffice/familles/{household}");
    let page = karim.get(&file).await;
    assert!(page.contains("Arachides"));
    let viewed: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'family.file_viewed' AND target_id = $1",
    )
    .bind(&household)
    .fetch_one(app.kernel.db.pool())
    .await
    .unwrap();
    assert_eq!(viewed, 1);

    let insurance: String =
        sqlx::query_scalar("SELECT id FROM supporting_documents WHERE kind = 'assurance-scolaire'")
            .fetch_one(app.kernel.db.pool())
            .await
            .unwrap();
    let check = format!("/backoffice/familles/documents/{insurance}");
    let no_reason = karim
        .submit(&file, &check, &[("decision", "refuser"), ("reason", " ")])
        .await;
    assert_eq!(no_reason.status, 422);
    assert!(no_reason.contains("Indiquez à la famille pourquoi"));
    let refused = karim
        .submit(
            &file,
            &check,
            &[
                ("decision", "refuser"),
                ("reason", "Attestation de l'an dernier"),
            ],
        )
        .await;
    assert_eq!(refused.status, 303);
    let camille = resident(&app).await;
    assert!(
        camille
            .get("/famille/documents")
            .await
            .contains("Refusé : Attestation de l&#39;an dernier")
    );
    let told: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox WHERE recipient = 'camille.martin@demo.parvis.fr' AND subject = 'Pièce refusée : Attestation d''assurance scolaire'",
    )
    .fetch_one(app.kernel.db.pool())
    .await
    .unwrap();
    assert_eq!(told, 1);
    // An agent opens the document: the reading is audited.
    let opened = karim.get(&format!("{check}/fichier")).await;
    assert_eq!(opened.status, 200);
    let document_views: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'family.document_viewed' AND target_id = $1",
    )
    .bind(&insurance)
    .fetch_one(app.kernel.db.pool())
    .await
    .unwrap();
    assert_eq!(document_views, 1);

    // A quotient in the past needs the agent's decision and its reason.
    let quotient = format!("{file}/quotient");
    let past = karim
        .submit(
            &file,
            &quotient,
            &[
                ("source", "caf"),
                ("value", "400"),
                ("effective_from", "2026-11-01"),
            ],
        )
        .await;
    assert_eq!(past.status, 422);
    assert!(past.contains("id=\"effective_from-erreur\""));
    let unexplained = karim
        .submit(
            &file,
            &quotient,
            &[
                ("source", "caf"),
                ("value", "400"),
                ("effective_from", "2026-11-01"),
                ("retroactive", "oui"),
            ],
        )
        .await;
    assert_eq!(unexplained.status, 422);
    let saved = karim
        .submit(
            &file,
            &quotient,
            &[
                ("source", "caf"),
                ("value", "400"),
                ("effective_from", "2026-12-01"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    // Prices follow the quotient from its date: 3,20 € in November, 1,00 € in December.
    let parent = parvis::testing::caller(&app, "camille.martin@demo.parvis.fr").await;
    let lea: String = sqlx::query_scalar("SELECT id FROM family_people WHERE given_name = 'Léa'")
        .fetch_one(app.kernel.db.pool())
        .await
        .unwrap();
    let canteen = "cantine-elementaire-jules-ferry";
    let november = bookings::actions::book(
        &app.kernel,
        &parent,
        &lea,
        canteen,
        jiff::civil::date(2026, 11, 27),
    )
    .await
    .unwrap();
    let december = bookings::actions::book(
        &app.kernel,
        &parent,
        &lea,
        canteen,
        jiff::civil::date(2026, 12, 4),
    )
    .await
    .unwrap();
    assert_eq!((november.cents, december.cents), (320, 100));
    // Computed from resources: a couple with one child and 2,500 € a month → 1,000.
    let computed = karim
        .submit(
            &file,
            &quotient,
            &[
                ("source", "calcul"),
                ("resources", "2 500"),
                ("children", "1"),
                ("couple", "oui"),
                ("effective_from", "2027-01-01"),
            ],
        )
        .await;
    assert_eq!(computed.status, 303);
    assert!(karim.get(&file).await.contains("1000 (calculé)"));

    // Staff of other services and residents do not come here.
    let luc = staff(&app, LUC).await;
    assert_eq!(luc.get("/backoffice/familles").await.status, 403);
    assert_eq!(luc.get(&file).await.status, 403);
    assert_eq!(camille.get("/backoffice/familles").await.status, 403);
}

#[tokio::test]
async fn families_are_asked_for_a_document_about_to_end_once() {
    let app = demo_app().await;
    // The Martins' proof of address ends on 5 January 2027: not within 30 days yet.
    assert_eq!(
        family::documents::remind_expiring(&app.kernel)
            .await
            .unwrap(),
        0
    );
    app.clock.advance(jiff::SignedDuration::from_hours(24 * 17));
    assert_eq!(
        family::documents::remind_expiring(&app.kernel)
            .await
            .unwrap(),
        1
    );
    let reminders: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox WHERE recipient = 'camille.martin@demo.parvis.fr' AND subject LIKE 'Pièce à renouveler%'",
    )
    .fetch_one(app.kernel.db.pool())
    .await
    .unwrap();
    assert_eq!(reminders, 1);
    // Once only.
    assert_eq!(
        family::documents::remind_expiring(&app.kernel)
            .await
            .unwrap(),
        0
    );
}

/// The link of the last e-mail sent to `to`.
async fn link_sent_to(app: &TestApp, to: &str, path: &str) -> String {
    let body: String = sqlx::query_scalar(
        "SELECT body_text FROM outbox WHERE recipient = $1 AND subject LIKE '%dossier famille%'
         ORDER BY created_at DESC, id LIMIT 1",
    )
    .bind(to)
    .fetch_one(app.kernel.db.pool())
    .await
    .unwrap();
    let start = body.find(path).expect("a link in the e-mail");
    body[start..].split_whitespace().next().unwrap().to_string()
}

#[tokio::test]
async fn the_other_parent_joins_the_file_by_invitation() {
    let app = demo_app().await;
    let camille = resident(&app).await;
    let wrong = camille
        .submit(
            "/famille",
            "/famille/invitations",
            &[("email", "pas une adresse")],
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.contains("id=\"email-erreur\""));
    let herself = camille
        .submit(
            "/famille",
            "/famille/invitations",
            &[("email", "Camille.Martin@demo.parvis.fr")],
        )
        .await;
    assert_eq!(herself.status, 422);
    let sent = camille
        .submit("/famille", "/famille/invitations", &[("email", LUC)])
        .await;
    assert_eq!(sent.status, 303);
    let link = link_sent_to(&app, LUC, "/famille/invitation/").await;

    // Someone else who got hold of the link cannot use it.
    let karim = staff(&app, "karim.haddad@demo.parvis.fr").await;
    let other = karim.get(&link).await;
    assert!(other.contains("Cette invitation a été envoyée à luc.moreau@demo.parvis.fr"));
    let forced = karim.submit(&link, &link, &[]).await;
    assert_eq!(forced.status, 422);

    // Luc, logged in with the invited address, joins; he sees and books for the children.
    let luc = staff(&app, LUC).await;
    let page = luc.get(&link).await;
    assert!(page.contains("Rejoindre ce dossier famille"));
    let joined = luc.submit(&link, &link, &[]).await;
    assert_eq!(joined.status, 303, "{}", joined.body);
    let file = luc.follow(&joined).await;
    assert!(file.contains("Famille Martin"));
    assert!(file.contains("Léa Martin"));
    assert!(file.contains("Luc Moreau"));
    assert!(file.contains("Camille Martin (payeur)"));
    let lea: String = sqlx::query_scalar("SELECT id FROM family_people WHERE given_name = 'Léa'")
        .fetch_one(app.kernel.db.pool())
        .await
        .unwrap();
    assert_eq!(
        luc.get(&format!("/famille/reservations/{lea}"))
            .await
            .status,
        200
    );
    // The link is used up.
    assert_eq!(luc.get(&link).await.status, 404);

    // An invitation ends after a week.
    camille
        .submit(
            "/famille",
            "/famille/invitations",
            &[("email", "sophie.bernard@demo.parvis.fr")],
        )
        .await;
    let late = link_sent_to(
        &app,
        "sophie.bernard@demo.parvis.fr",
        "/famille/invitation/",
    )
    .await;
    app.clock.advance(jiff::SignedDuration::from_hours(24 * 8));
    let sophie = staff(&app, "sophie.bernard@demo.parvis.fr").await;
    assert!(
        sophie
            .get(&late)
            .await
            .contains("Cette invitation a expiré")
    );
}

#[tokio::test]
async fn the_family_service_keeps_the_list_of_the_communes_schools() {
    let app = demo_app().await;
    let karim = staff(&app, "karim.haddad@demo.parvis.fr").await;
    let page = karim.get("/backoffice/familles/ecoles").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.contains("École maternelle Jules-Ferry"));
    let added = karim
        .submit(
            "/backoffice/familles/ecoles",
            "/backoffice/familles/ecoles",
            &[
                ("name", "  École élémentaire   Pasteur "),
                ("address", "7 rue Pasteur, 00000 Ville de Démo"),
            ],
        )
        .await;
    assert_eq!(added.status, 303, "{}", added.body);
    assert!(
        karim
            .get("/backoffice/familles/ecoles")
            .await
            .contains("<strong>École élémentaire Pasteur</strong>")
    );
    let twice = karim
        .submit(
            "/backoffice/familles/ecoles",
            "/backoffice/familles/ecoles",
            &[("name", "École élémentaire Pasteur")],
        )
        .await;
    assert_eq!(twice.status, 422);
    assert!(twice.contains("Une école porte déjà ce nom."));
    // Families now find it in the child's form.
    let camille = parvis::testing::resident(&app).await;
    assert!(
        camille
            .get("/famille/enfants/nouveau")
            .await
            .contains("<option value=\"École élémentaire Pasteur\">")
    );
    // Only the family service keeps the list.
    let luc = staff(&app, LUC).await;
    assert_eq!(luc.get("/backoffice/familles/ecoles").await.status, 403);
}

#[tokio::test]
async fn the_family_service_declares_what_each_service_asks_for() {
    let app = demo_app().await;
    let karim = staff(&app, "karim.haddad@demo.parvis.fr").await;
    let page = "/backoffice/familles/pieces";
    let shown = karim.get(page).await;
    assert_eq!(shown.status, 200, "{}", shown.body);
    assert!(shown.contains("<legend>Restaurant scolaire</legend>"));

    // A new service asks for the PAI and the vaccination record.
    let added = karim
        .post_form(
            page,
            &[
                ("csrf_token", shown.csrf().as_str()),
                ("service", "Classes de découverte"),
                ("kinds", "pai"),
                ("kinds", "carnet-vaccination"),
            ],
        )
        .await;
    assert_eq!(added.status, 303, "{}", added.body);
    let asked = family::documents::requirements(&app.kernel.db)
        .await
        .unwrap();
    let new = asked
        .iter()
        .find(|(s, _)| s == "Classes de découverte")
        .expect("the new service");
    assert_eq!(new.1.len(), 2);
    // The family sees it on its page.
    let camille = resident(&app).await;
    assert!(
        camille
            .get("/famille")
            .await
            .contains("Classes de découverte")
    );

    // Nothing ticked: the service asks for nothing any more and leaves the list.
    let token = karim.get(page).await.csrf();
    karim
        .post_form(
            page,
            &[
                ("csrf_token", token.as_str()),
                ("service", "Classes de découverte"),
            ],
        )
        .await;
    let asked = family::documents::requirements(&app.kernel.db)
        .await
        .unwrap();
    assert!(asked.iter().all(|(s, _)| s != "Classes de découverte"));
    // A name is needed; other staff have no such page.
    let token = karim.get(page).await.csrf();
    let nameless = karim
        .post_form(page, &[("csrf_token", token.as_str()), ("service", "")])
        .await;
    assert_eq!(nameless.status, 422);
    let luc = staff(&app, LUC).await;
    assert_eq!(luc.get(page).await.status, 403);
}

#[tokio::test]
async fn the_family_service_corrects_a_childs_record() {
    let app = demo_app().await;
    let lea: String = sqlx::query_scalar(
        "SELECT id FROM family_people WHERE given_name = 'Léa' AND kind = 'child'",
    )
    .fetch_one(app.kernel.db.pool())
    .await
    .unwrap();
    let household: String =
        sqlx::query_scalar("SELECT household_id FROM household_members WHERE person_id = $1")
            .bind(&lea)
            .fetch_one(app.kernel.db.pool())
            .await
            .unwrap();
    let page = format!("/backoffice/familles/{household}/enfants/{lea}");
    let karim = staff(&app, "karim.haddad@demo.parvis.fr").await;
    let file = karim
        .get(&format!("/backoffice/familles/{household}"))
        .await;
    assert!(file.contains(&format!("href=\"{page}\"")));
    let form = karim.get(&page).await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.contains("value=\"Léa\""));
    let saved = karim
        .submit(
            &page,
            &page,
            &[
                ("given_name", "Léa"),
                ("family_name", "Martin"),
                ("birth_date", "2018-04-12"),
                ("school", "École élémentaire Jules-Ferry"),
                ("class_name", "CM1"),
                ("diet", "sans-porc"),
                ("allergens", "arachides"),
                (
                    "allergy_notes",
                    "Anaphylaxie : stylo d'adrénaline dans le sac",
                ),
                ("care_plan", "oui"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let camille = resident(&app).await;
    assert!(camille.get("/famille").await.contains("CM1"));
    let audited: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'family.child_updated' AND details LIKE '%family_service%'",
    )
    .fetch_one(app.kernel.db.pool())
    .await
    .unwrap();
    assert_eq!(audited, 1);
    // A wrong date is shown next to its field and changes nothing.
    let wrong = karim
        .submit(
            &page,
            &page,
            &[("given_name", "Léa"), ("birth_date", "demain")],
        )
        .await;
    assert_eq!(wrong.status, 422);
    // Other staff, and another household's path, reach nothing.
    let luc = staff(&app, LUC).await;
    assert_eq!(luc.get(&page).await.status, 403);
    assert_eq!(
        karim
            .get(&format!("/backoffice/familles/autre/enfants/{lea}"))
            .await
            .status,
        404
    );
}
