//! The form builder end to end, on SQLite (and PostgreSQL when PARVIS_TEST_POSTGRES_URL is
//! set): an administrator builds a new version of a procedure's form through the back
//! office pages, sees errors that save nothing, previews it, publishes it after reading
//! the differences; residents then file with it while earlier requests keep theirs.
//! Procedures go out and come back in as JSON. Everyone else is refused.

use kernel::audit::{AuditQuery, search};
use parvis::testing::{TestApp, TestClient, log_in_enrolling_second_factor};
use parvis::testing::{demo_app, resident, staff};
use requests::exchange::ProcedureFile;
use requests::forms::FormDefinition;
use requests::model::Procedure;
use requests::store;

const FORM: &str = "/backoffice/demarches/message-maire/formulaire";

/// The demo administrator, with the second factor the role requires.
async fn admin(app: &TestApp) -> TestClient {
    let (client, _) =
        log_in_enrolling_second_factor(app, "admin@demo.parvis.fr", accounts::demo::STAFF_PASSWORD)
            .await;
    client.get("/connexion/codes-de-secours").await;
    client
}

async fn procedure(app: &TestApp, slug: &str) -> Procedure {
    store::procedure_by_slug(&app.kernel.db, slug)
        .await
        .unwrap()
        .expect("demo procedure")
}

async fn draft(app: &TestApp, slug: &str) -> Option<FormDefinition> {
    let p = procedure(app, slug).await;
    store::draft_version(&app.kernel.db, &p.id)
        .await
        .unwrap()
        .map(|v| v.definition)
}

/// The value of a hidden input.
fn hidden(body: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = body.find(&marker).expect("the hidden input") + marker.len();
    let end = body[start..].find('"').expect("end of value");
    body[start..start + end].to_string()
}

/// The identity of what the form sent to `action` acts on (its `empreinte`), if any.
fn seen(body: &str, action: &str) -> Option<String> {
    let start = body.find(&format!("action=\"{action}\""))?;
    let form = &body[start..start + body[start..].find("</form>")?];
    form.contains("name=\"empreinte\"")
        .then(|| hidden(form, "empreinte"))
}

/// GETs `form_page` and posts `fields` to `action` with its token and, as a browser
/// would, the identity the form carries; expects `status`.
async fn post(
    client: &TestClient,
    form_page: &str,
    action: &str,
    fields: &[(&str, &str)],
    status: u16,
) -> kernel::testing::TestResponse {
    let page = client.get(form_page).await;
    assert_eq!(page.status, 200, "GET {form_page}: {}", page.body);
    let token = page.csrf();
    let identity = seen(&page.body, action);
    let mut all: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
    if let Some(identity) = &identity {
        all.push(("empreinte", identity.as_str()));
    }
    all.extend_from_slice(fields);
    let response = client.post_form(action, &all).await;
    assert_eq!(response.status, status, "POST {action}: {}", response.body);
    response
}

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

fn draft_id(page_path: &str) -> String {
    page_path.split('/').nth(3).unwrap().to_string()
}

async fn post_page(
    client: &TestClient,
    path: &str,
    fields: &[(&str, &str)],
) -> kernel::testing::TestResponse {
    let page = client.get(path).await;
    assert_eq!(page.status, 200, "GET {path}: {}", page.body);
    let token = page.csrf();
    let mut all = vec![("csrf_token", token.as_str()), ("action", "suivant")];
    all.extend_from_slice(fields);
    client.post_multipart(path, &all, &[]).await
}

const MESSAGE: [(&str, &str); 3] = [
    ("objet", "Suggestion"),
    ("sujet", "Bancs au parc"),
    ("message", "Des bancs de plus près de l'aire de jeux."),
];

#[tokio::test]
async fn an_administrator_builds_previews_and_publishes_a_version_residents_then_use() {
    let app = demo_app().await;
    let maire = procedure(&app, "message-maire").await;
    let v1 = store::published_version(&app.kernel.db, &maire.id)
        .await
        .unwrap()
        .unwrap();

    // Before any change, a resident files one request and leaves another as a draft.
    let camille = resident(&app).await;
    let filed_first = start(&camille, "message-maire").await;
    let next = post_page(&camille, &filed_first, &MESSAGE).await;
    assert!(next.location().unwrap().ends_with("/recapitulatif"));
    let summary = camille.get(next.location().unwrap()).await;
    let sent = camille
        .post_form(
            &format!(
                "/mes-demandes/brouillons/{}/envoyer",
                draft_id(&filed_first)
            ),
            &[("csrf_token", &summary.csrf())],
        )
        .await;
    assert_eq!(sent.status, 303);
    let kept_draft = start(&camille, "message-maire").await;
    let in_use = store::open_requests_using(&app.kernel.db, &v1.id)
        .await
        .unwrap();
    assert!(in_use.open >= 1 && in_use.drafts >= 1, "{in_use:?}");

    let anne = admin(&app).await;
    let overview = anne.get(FORM).await;
    assert_eq!(overview.status, 200, "{}", overview.body);
    assert!(overview.contains("Publiée (utilisée pour les nouvelles demandes)"));
    assert!(overview.contains("Créer une nouvelle version"));
    assert!(overview.contains("href=\"/backoffice/demarches/message-maire\""));
    assert!(draft(&app, "message-maire").await.is_none());

    // A new page: the first change opens the draft of version 2.
    post(
        &anne,
        FORM,
        &format!("{FORM}/pages"),
        &[("title", "Qui écrit")],
        303,
    )
    .await;
    let overview = anne.get(FORM).await;
    assert!(overview.contains("Vous modifiez le brouillon de la version 2"));
    assert!(overview.contains("Page 2 : Qui écrit"));
    // The published version has not moved.
    let still = store::published_version(&app.kernel.db, &maire.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(still, v1);

    // A single choice, a field with a pattern, a pre-filled name.
    let add = format!("{FORM}/pages/2/ajouter");
    let choice_form = anne.get(&format!("{add}?type=single_choice")).await;
    assert_eq!(choice_form.status, 200);
    assert!(choice_form.contains("Réponses proposées"));
    post(
        &anne,
        &format!("{add}?type=single_choice"),
        &add,
        &[
            ("type", "single_choice"),
            ("label", "Vous écrivez en tant que"),
            ("key", "qualite"),
            ("required", "oui"),
            ("options", "Particulier\nAssociation"),
        ],
        303,
    )
    .await;
    post(
        &anne,
        &format!("{add}?type=short_text"),
        &add,
        &[
            ("type", "short_text"),
            ("label", "Code postal"),
            ("key", ""),
            ("required", "oui"),
            ("pattern", "[0-9]{5}"),
            ("pattern_message", "Le code postal compte 5 chiffres."),
        ],
        303,
    )
    .await;
    post(
        &anne,
        &format!("{add}?type=short_text"),
        &add,
        &[
            ("type", "short_text"),
            ("label", "Votre nom"),
            ("key", "nom"),
            ("prefill", "family_name"),
        ],
        303,
    )
    .await;
    let built = draft(&app, "message-maire").await.unwrap();
    let keys: Vec<&str> = built.fields().map(|f| f.key.as_str()).collect();
    // The key of the postcode was suggested from its label.
    assert_eq!(
        keys,
        vec![
            "objet",
            "sujet",
            "message",
            "date_invitation",
            "qualite",
            "code_postal",
            "nom"
        ]
    );

    // A bad key and a key already used: 422, the input kept, nothing saved.
    let refused = post(
        &anne,
        &format!("{add}?type=short_text"),
        &add,
        &[
            ("type", "short_text"),
            ("label", "Quartier"),
            ("key", "Quartier du Centre!"),
        ],
        422,
    )
    .await;
    assert!(refused.contains("resume-erreurs"));
    assert!(refused.contains("La clé « Quartier du Centre! » ne convient pas"));
    assert!(refused.contains("value=\"Quartier\""));
    let taken = post(
        &anne,
        &format!("{add}?type=short_text"),
        &add,
        &[
            ("type", "short_text"),
            ("label", "Sujet bis"),
            ("key", "sujet"),
        ],
        422,
    )
    .await;
    assert!(taken.contains("est déjà celle du champ « Sujet »"));
    assert_eq!(draft(&app, "message-maire").await.unwrap(), built);

    // A third page, shown only to associations.
    post(
        &anne,
        FORM,
        &format!("{FORM}/pages"),
        &[("title", "L'association")],
        303,
    )
    .await;
    let page3 = anne.get(&format!("{FORM}/pages/3")).await;
    assert_eq!(page3.status, 200);
    assert!(page3.contains("value=\"qualite=Association\""));
    post(
        &anne,
        &format!("{FORM}/pages/3"),
        &format!("{FORM}/pages/3"),
        &[
            ("title", "L'association"),
            ("condition", "qualite=Association"),
        ],
        303,
    )
    .await;
    post(
        &anne,
        &format!("{FORM}/pages/3/ajouter?type=short_text"),
        &format!("{FORM}/pages/3/ajouter"),
        &[
            ("type", "short_text"),
            ("label", "Nom de l'association"),
            ("key", "nom_association"),
            ("required", "oui"),
        ],
        303,
    )
    .await;
    let built = draft(&app, "message-maire").await.unwrap();

    // Bad conditions: on a later field, on an answer the choice does not offer; and a
    // deletion that would leave page 3 waiting on a field that is gone.
    let later = post(
        &anne,
        &format!("{FORM}/pages/2"),
        &format!("{FORM}/pages/2"),
        &[
            ("title", "Qui écrit"),
            ("condition", "nom_association="),
            ("condition_value", "x"),
        ],
        422,
    )
    .await;
    assert!(later.contains("qui est placé après"), "{}", later.body);
    let not_offered = post(
        &anne,
        &format!("{FORM}/champs/code_postal"),
        &format!("{FORM}/champs/code_postal"),
        &[
            ("type", "short_text"),
            ("label", "Code postal"),
            ("key", "code_postal"),
            ("pattern", "[0-9]{5}"),
            ("pattern_message", "Le code postal compte 5 chiffres."),
            ("condition", "qualite=Commerçant"),
        ],
        422,
    )
    .await;
    assert!(not_offered.contains("ne propose pas la réponse « Commerçant »"));
    let deletion = post(
        &anne,
        FORM,
        &format!("{FORM}/pages/2/blocs/1/supprimer"),
        &[],
        422,
    )
    .await;
    assert!(
        deletion.contains("qui n&#39;existe pas ou plus"),
        "{}",
        deletion.body
    );
    assert_eq!(draft(&app, "message-maire").await.unwrap(), built);

    // The preview shows every page with its condition, and sends nothing.
    let preview = anne.get(&format!("{FORM}/apercu")).await;
    assert_eq!(preview.status, 200);
    assert!(preview.contains("Page 3 : L&#39;association"));
    assert!(
        preview.contains("Affiché seulement si « Vous écrivez en tant que » est « Association »."),
        "{}",
        preview.body
    );
    assert!(preview.contains("id=\"code_postal\""));
    assert!(!preview.contains("/mes-demandes/brouillons"));
    assert_eq!(
        preview.body.matches("method=\"post\"").count(),
        1,
        "only the logout form"
    );

    // Before publishing: the differences, and the requests that keep version 1.
    let review = anne.get(&format!("{FORM}/publier")).await;
    assert_eq!(review.status, 200);
    assert!(review.contains("Publier la version 2"));
    assert!(review.contains("Pages ajoutées (2)"));
    assert!(review.contains("Champs ajoutés (4)"));
    assert!(review.contains("« Vous écrivez en tant que » (qualite)"));
    assert!(review.contains(&if in_use.open == 1 {
        "1 demande déposée et pas encore décidée utilise la version 1.".to_string()
    } else {
        format!(
            "{} demandes déposées et pas encore décidées utilisent la version 1.",
            in_use.open
        )
    }));
    assert!(review.contains(&if in_use.drafts == 1 {
        "1 brouillon de demandeur utilise la version 1.".to_string()
    } else {
        format!(
            "{} brouillons de demandeurs utilisent la version 1.",
            in_use.drafts
        )
    }));
    assert!(review.contains("Elles gardent la version 1 jusqu&#39;au bout"));
    let seen = hidden(&review.body, "empreinte");

    // A publication based on an older look at the draft is refused.
    let stale = anne
        .post_form(
            &format!("{FORM}/publier"),
            &[("csrf_token", &review.csrf()), ("empreinte", "0000")],
        )
        .await;
    assert_eq!(stale.status, 422);
    assert!(stale.contains("Le brouillon a changé"));
    let published = anne
        .post_form(
            &format!("{FORM}/publier"),
            &[("csrf_token", &review.csrf()), ("empreinte", &seen)],
        )
        .await;
    assert_eq!(published.status, 303, "{}", published.body);
    let after = anne.follow(&published).await;
    assert!(after.contains("La version 2 est publiée"));
    let v2 = store::published_version(&app.kernel.db, &maire.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(v2.version, 2);
    assert_eq!(v2.definition, built);
    let versions = store::versions(&app.kernel.db, &maire.id).await.unwrap();
    assert_eq!(versions[1].state, "retired");
    assert_eq!(versions[1].definition, v1.definition, "never rewritten");
    assert!(draft(&app, "message-maire").await.is_none());

    // Every change is in the audit log, with the procedure and the version.
    let audit = search(
        &app.kernel.db,
        &AuditQuery {
            action: Some("form.".into()),
            target_id: Some(maire.id.clone()),
            limit: 100,
            ..AuditQuery::default()
        },
    )
    .await
    .unwrap();
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions.iter().filter(|a| **a == "form.edited").count(), 7);
    assert!(actions.contains(&"form.draft_created"));
    assert!(actions.contains(&"form.published"));
    assert!(audit.iter().all(|e| e.details.contains("\"version\":2")));
    assert!(
        audit
            .iter()
            .all(|e| e.actor_label.contains("admin@demo.parvis.fr"))
    );

    // The draft started before keeps version 1: one page, then the summary.
    let old = store::request_by_id(&app.kernel.db, &draft_id(&kept_draft))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(old.form_version_id, v1.id);
    let old_page = camille.get(&kept_draft).await;
    assert!(!old_page.contains("Vous écrivez en tant que"));
    let done = post_page(&camille, &kept_draft, &MESSAGE).await;
    assert!(done.location().unwrap().ends_with("/recapitulatif"));

    // A draft started now uses version 2: the association page appears only for an
    // association; the pattern's own message is shown; the name is pre-filled.
    let fresh = start(&camille, "message-maire").await;
    let started = store::request_by_id(&app.kernel.db, &draft_id(&fresh))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(started.form_version_id, v2.id);
    let second = post_page(&camille, &fresh, &MESSAGE).await;
    let second = second.location().unwrap().to_string();
    assert!(second.ends_with("/page/2"));
    let page2 = camille.get(&second).await;
    assert!(page2.contains("value=\"Martin\""), "pre-filled family name");
    let wrong = post_page(
        &camille,
        &second,
        &[
            ("qualite", "Particulier"),
            ("code_postal", "7500"),
            ("nom", "Martin"),
        ],
    )
    .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.contains("Le code postal compte 5 chiffres."));
    let private = post_page(
        &camille,
        &second,
        &[
            ("qualite", "Particulier"),
            ("code_postal", "75004"),
            ("nom", "Martin"),
        ],
    )
    .await;
    assert!(private.location().unwrap().ends_with("/recapitulatif"));
    let association = post_page(
        &camille,
        &second,
        &[
            ("qualite", "Association"),
            ("code_postal", "75004"),
            ("nom", "Martin"),
        ],
    )
    .await;
    let third = association.location().unwrap().to_string();
    assert!(third.ends_with("/page/3"), "{third}");
    assert!(
        camille
            .get(&third)
            .await
            .contains("Nom de l&#39;association")
    );
    let filed = post_page(&camille, &third, &[("nom_association", "Les Amis du parc")]).await;
    let summary_path = filed.location().unwrap().to_string();
    let summary = camille.get(&summary_path).await;
    assert!(summary.contains("Les Amis du parc"));
    let sent = camille
        .post_form(
            &format!("/mes-demandes/brouillons/{}/envoyer", draft_id(&fresh)),
            &[("csrf_token", &summary.csrf())],
        )
        .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let filed = store::request_by_id(&app.kernel.db, &draft_id(&fresh))
        .await
        .unwrap()
        .unwrap();
    assert!(filed.number.is_some());
    assert_eq!(filed.form_version_id, v2.id);
    let first = store::request_by_id(&app.kernel.db, &draft_id(&filed_first))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        first.form_version_id, v1.id,
        "filed before, kept its version"
    );

    // The next change opens version 3 from version 2.
    post(&anne, FORM, &format!("{FORM}/nouvelle-version"), &[], 303).await;
    let v3 = store::draft_version(&app.kernel.db, &maire.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(v3.version, 3);
    assert_eq!(v3.definition, v2.definition);
}

#[tokio::test]
async fn pages_and_blocks_are_edited_moved_and_deleted_with_a_confirmation() {
    let app = demo_app().await;
    let anne = admin(&app).await;
    let form = "/backoffice/demarches/acte-etat-civil/formulaire";
    let before =
        store::published_version(&app.kernel.db, &procedure(&app, "acte-etat-civil").await.id)
            .await
            .unwrap()
            .unwrap()
            .definition;

    // A title and an explanation on page 1, then the explanation edited and moved up.
    post(
        &anne,
        &format!("{form}/pages/1/ajouter?type=title"),
        &format!("{form}/pages/1/ajouter"),
        &[("type", "title"), ("text", "Votre acte")],
        303,
    )
    .await;
    let empty = post(
        &anne,
        &format!("{form}/pages/1/ajouter?type=explanation"),
        &format!("{form}/pages/1/ajouter"),
        &[("type", "explanation"), ("text", "  ")],
        422,
    )
    .await;
    assert!(empty.contains("Écrivez le texte"));
    post(
        &anne,
        &format!("{form}/pages/1/ajouter?type=explanation"),
        &format!("{form}/pages/1/ajouter"),
        &[("type", "explanation"), ("text", "Délivré gratuitement.")],
        303,
    )
    .await;
    let last = draft(&app, "acte-etat-civil").await.unwrap().pages[0]
        .blocks
        .len();
    post(
        &anne,
        &format!("{form}/pages/1/blocs/{last}"),
        &format!("{form}/pages/1/blocs/{last}"),
        &[("text", "Délivré gratuitement, sous 8 jours.")],
        303,
    )
    .await;
    post(
        &anne,
        form,
        &format!("{form}/pages/1/blocs/{last}/deplacer"),
        &[("direction", "haut")],
        303,
    )
    .await;
    let edited = draft(&app, "acte-etat-civil").await.unwrap();
    assert_eq!(
        edited.pages[0].blocks[last - 2],
        requests::forms::Block::Explanation {
            text: "Délivré gratuitement, sous 8 jours.".into()
        }
    );

    // A page deleted after its confirmation page; pages moved.
    post(
        &anne,
        form,
        &format!("{form}/pages"),
        &[("title", "Page vide")],
        303,
    )
    .await;
    let count = draft(&app, "acte-etat-civil").await.unwrap().pages.len();
    post(
        &anne,
        form,
        &format!("{form}/pages/{count}/deplacer"),
        &[("direction", "haut")],
        303,
    )
    .await;
    let moved = count - 1;
    assert_eq!(
        draft(&app, "acte-etat-civil").await.unwrap().pages[moved - 1].title,
        "Page vide"
    );
    let confirm = anne.get(&format!("{form}/pages/{moved}/supprimer")).await;
    assert_eq!(confirm.status, 200);
    assert!(confirm.contains("Supprimer la page"));
    assert!(confirm.contains("Cette page ne contient aucun champ."));
    let action = format!("{form}/pages/{moved}/supprimer");
    let identity = seen(&confirm.body, &action).expect("the page's identity");
    let deleted = anne
        .post_form(
            &action,
            &[("csrf_token", &confirm.csrf()), ("empreinte", &identity)],
        )
        .await;
    assert_eq!(deleted.status, 303);
    let after = draft(&app, "acte-etat-civil").await.unwrap();
    assert_eq!(after.pages.len(), before.pages.len());
    assert_eq!(after.pages.last(), before.pages.last());

    // Page 2 is shown according to an answer of page 1: page 1 cannot go, and says why.
    let refused = post(
        &anne,
        &format!("{form}/pages/1/supprimer"),
        &format!("{form}/pages/1/supprimer"),
        &[],
        422,
    )
    .await;
    assert!(
        refused.contains("La condition de la page 1 (« Filiation »)"),
        "{}",
        refused.body
    );
    assert!(refused.contains("n&#39;existe pas ou plus"));
    assert_eq!(draft(&app, "acte-etat-civil").await.unwrap(), after);

    let unknown = anne.get(&format!("{form}/champs/inconnu")).await;
    assert_eq!(unknown.status, 404);
    assert_eq!(anne.get(&format!("{form}/pages/42")).await.status, 404);
}

#[tokio::test]
async fn a_change_aimed_at_what_a_colleague_changed_meanwhile_is_refused() {
    let app = demo_app().await;
    let slug = "inscription-periscolaire";
    let form = format!("/backoffice/demarches/{slug}/formulaire");
    // Two tabs of the service manager in charge: what one sees, the other changes.
    let first = staff(&app, "claire.rousseau@demo.parvis.fr").await;
    let second = staff(&app, "claire.rousseau@demo.parvis.fr").await;
    let add = format!("{form}/pages/1/ajouter");
    for (kind, text) in [
        ("title", "Avant tout"),
        ("explanation", "Pièces à fournir"),
        ("explanation", "Tarifs"),
    ] {
        post(
            &first,
            &format!("{add}?type={kind}"),
            &add,
            &[("type", kind), ("text", text)],
            303,
        )
        .await;
    }
    let shown = draft(&app, slug).await.unwrap();
    assert_eq!(shown.pages[0].blocks.len(), 8);
    let block = |n: usize, what: &str| format!("{form}/pages/1/blocs/{n}/{what}");

    // The second tab shows the form, and the title's edit form; then the first deletes
    // the title (block 6): « Pièces à fournir » is now 6, « Tarifs » 7.
    let stale = second.get(&form).await;
    let stale_text = second.get(&format!("{form}/pages/1/blocs/6")).await;
    assert_eq!(stale_text.status, 200);
    post(&first, &form, &block(6, "supprimer"), &[], 303).await;
    let after = draft(&app, slug).await.unwrap();
    assert_eq!(after.pages[0].blocks.len(), 7);

    // « Supprimer » on what was « Pièces à fournir » (7) would now delete « Tarifs »:
    // refused, with the reason, and nothing changes.
    let refusals = [
        (block(7, "supprimer"), Vec::<(&str, &str)>::new()),
        (block(7, "deplacer"), vec![("direction", "haut")]),
        (block(6, "deplacer"), vec![("direction", "bas")]),
    ];
    for (action, fields) in &refusals {
        let identity = seen(&stale.body, action).expect("the block's identity");
        let token = stale.csrf();
        let mut all = vec![
            ("csrf_token", token.as_str()),
            ("empreinte", identity.as_str()),
        ];
        all.extend_from_slice(fields);
        let refused = second.post_form(action, &all).await;
        assert_eq!(refused.status, 409, "POST {action}: {}", refused.body);
        assert!(
            refused.contains(
                "Le formulaire a changé depuis l&#39;affichage de cette page : rechargez-la."
            ),
            "{}",
            refused.body
        );
        assert_eq!(draft(&app, slug).await.unwrap(), after, "POST {action}");
    }
    // The title's text, sent from its stale form, is refused too, the input kept.
    let action = block(6, "").trim_end_matches('/').to_string();
    let identity = seen(&stale_text.body, &action).expect("the text's identity");
    let refused = second
        .post_form(
            &action,
            &[
                ("csrf_token", stale_text.csrf().as_str()),
                ("empreinte", identity.as_str()),
                ("text", "Avant toute chose"),
            ],
        )
        .await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(refused.contains("rechargez-la"));
    assert!(refused.contains("Avant toute chose"));
    assert_eq!(draft(&app, slug).await.unwrap(), after);
    // No identity at all is no better than a stale one.
    let blind = second
        .post_form(
            &block(6, "supprimer"),
            &[("csrf_token", stale.csrf().as_str())],
        )
        .await;
    assert_eq!(blind.status, 409);
    assert_eq!(draft(&app, slug).await.unwrap(), after);

    // Pages: the second tab's confirmation for page 2, then the first moves page 3 up.
    let confirm = second.get(&format!("{form}/pages/2/supprimer")).await;
    assert!(confirm.contains("Les services"));
    post(
        &first,
        &form,
        &format!("{form}/pages/3/deplacer"),
        &[("direction", "haut")],
        303,
    )
    .await;
    let moved = draft(&app, slug).await.unwrap();
    assert_eq!(moved.pages[1].title, "Vos coordonnées");
    let action = format!("{form}/pages/2/supprimer");
    let identity = seen(&confirm.body, &action).expect("the page's identity");
    let refused = second
        .post_form(
            &action,
            &[
                ("csrf_token", confirm.csrf().as_str()),
                ("empreinte", identity.as_str()),
            ],
        )
        .await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(refused.contains("rechargez-la"));
    let action = format!("{form}/pages/2/deplacer");
    let identity = seen(&stale.body, &action).expect("the page's identity");
    let refused = second
        .post_form(
            &action,
            &[
                ("csrf_token", stale.csrf().as_str()),
                ("empreinte", identity.as_str()),
                ("direction", "bas"),
            ],
        )
        .await;
    assert_eq!(refused.status, 409);
    assert_eq!(draft(&app, slug).await.unwrap(), moved);

    // Once the page is shown again, the same click deletes what it says.
    post(&second, &form, &block(6, "supprimer"), &[], 303).await;
    let last = draft(&app, slug).await.unwrap();
    let texts: Vec<&requests::forms::Block> = last.pages[0]
        .blocks
        .iter()
        .filter(|b| !matches!(b, requests::forms::Block::Field(_)))
        .collect();
    assert_eq!(
        texts,
        vec![&requests::forms::Block::Explanation {
            text: "Tarifs".into()
        }]
    );
    assert_eq!(last.pages[0].blocks.len(), 6);
    assert_eq!(last.pages[1..], moved.pages[1..]);

    // Before publishing, the page moved is a difference.
    let review = second.get(&format!("{form}/publier")).await;
    assert_eq!(review.status, 200);
    assert!(review.contains("Page déplacée"), "{}", review.body);
    assert!(review.contains("La page « Vos coordonnées » passe de la position 3 à 2."));
    assert!(!review.contains("Aucune différence"));

    // Only the changes made are in the audit log, none of the refused ones.
    let p = procedure(&app, slug).await;
    let audit = search(
        &app.kernel.db,
        &AuditQuery {
            action: Some("form.edited".into()),
            target_id: Some(p.id.clone()),
            limit: 100,
            ..AuditQuery::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(audit.len(), 6);
}

#[tokio::test]
async fn a_procedure_exported_then_imported_as_a_new_one_round_trips() {
    let app = demo_app().await;
    let anne = admin(&app).await;
    let exported = anne
        .get("/backoffice/demarches/occupation-domaine-public/export.json")
        .await;
    assert_eq!(exported.status, 200);
    assert_eq!(exported.header("content-type"), Some("application/json"));
    assert!(
        exported
            .header("content-disposition")
            .unwrap()
            .contains("occupation-domaine-public.json")
    );
    let file: ProcedureFile = serde_json::from_str(&exported.body).unwrap();
    let original = procedure(&app, "occupation-domaine-public").await;
    assert_eq!(
        file,
        requests::exchange::export(&app.kernel, &original)
            .await
            .unwrap()
    );
    assert!(file.form.is_some());
    // Services are named by their slug, the routing rules' too.
    assert!(!file.routing.is_empty());
    let services = accounts::store::services(&app.kernel.db).await.unwrap();
    assert!(services.iter().any(|s| s.slug == file.service));
    assert!(
        file.routing
            .iter()
            .all(|r| services.iter().any(|s| s.slug == r.service))
    );

    let import = "/backoffice/demarches/importer";
    let page = anne.get(import).await;
    assert_eq!(page.status, 200);
    let token = page.csrf();
    let send = |fields: Vec<(&'static str, String)>, files: Vec<(&'static str, Vec<u8>)>| {
        let token = token.clone();
        let anne = &anne;
        async move {
            let mut all: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
            for (k, v) in &fields {
                all.push((k, v.as_str()));
            }
            let files: Vec<(&str, &str, &[u8])> = files
                .iter()
                .map(|(name, bytes)| (*name, "demarche.json", bytes.as_slice()))
                .collect();
            anne.post_multipart(import, &all, &files).await
        }
    };

    // The same address is taken; a broken file says where; an unknown service is named.
    let taken = send(vec![("json", exported.body.clone())], vec![]).await;
    assert_eq!(taken.status, 422);
    assert!(
        taken.contains(
            "L&#39;adresse « occupation-domaine-public » est déjà celle d&#39;une démarche"
        )
    );
    let broken = send(vec![("json", "{\n  \"slug\": \"x\",\n".into())], vec![]).await;
    assert_eq!(broken.status, 422);
    assert!(broken.contains("Le fichier n&#39;est pas un JSON lisible : erreur ligne 3"));
    let mut elsewhere = file.clone();
    elsewhere.slug = "salle-ailleurs".into();
    elsewhere.service = "service-inconnu".into();
    let unknown = send(
        vec![("json", serde_json::to_string(&elsewhere).unwrap())],
        vec![],
    )
    .await;
    assert_eq!(unknown.status, 422);
    assert!(unknown.contains("Le service « service-inconnu » n&#39;existe pas dans la commune"));
    assert!(
        store::procedure_by_slug(&app.kernel.db, "salle-ailleurs")
            .await
            .unwrap()
            .is_none()
    );

    // A file may not hide a back-office page, nor send residents to a plain-http page.
    let mut reserved = file.clone();
    reserved.slug = "importer".into();
    let hidden = send(
        vec![("json", serde_json::to_string(&reserved).unwrap())],
        vec![],
    )
    .await;
    assert_eq!(hidden.status, 422);
    assert!(hidden.contains("L&#39;adresse « importer » ne convient pas"));
    let mut insecure = file.clone();
    insecure.slug = "salle-http".into();
    insecure.info_url = Some("http://rendezvous.example.fr/".into());
    let http = send(
        vec![("json", serde_json::to_string(&insecure).unwrap())],
        vec![],
    )
    .await;
    assert_eq!(http.status, 422);
    assert!(http.contains("doit être une adresse https:// complète"));
    assert!(
        store::procedure_by_slug(&app.kernel.db, "salle-http")
            .await
            .unwrap()
            .is_none()
    );

    // Uploaded as a file under another address: the same procedure comes back out.
    let created = send(
        vec![("slug", "terrasses".into())],
        vec![("fichier", exported.body.clone().into_bytes())],
    )
    .await;
    assert_eq!(created.status, 303, "{}", created.body);
    assert_eq!(
        created.location(),
        Some("/backoffice/demarches/terrasses/formulaire")
    );
    let copy = anne
        .get("/backoffice/demarches/terrasses/export.json")
        .await;
    let mut again: ProcedureFile = serde_json::from_str(&copy.body).unwrap();
    assert_eq!(again.slug, "terrasses");
    again.slug = file.slug.clone();
    assert_eq!(again, file);
    let audit = search(
        &app.kernel.db,
        &AuditQuery {
            action: Some("procedure.imported".into()),
            limit: 10,
            ..AuditQuery::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(audit.len(), 1);
    assert!(audit[0].details.contains("terrasses"));
    assert!(anne.get("/demarches/terrasses").await.contains(&file.title));
}

#[tokio::test]
async fn a_shared_form_replaces_the_draft_after_its_checks() {
    let app = demo_app().await;
    let anne = admin(&app).await;
    let form = "/backoffice/demarches/message-maire/formulaire";
    let salle = procedure(&app, "location-salle").await;
    let shared = store::published_version(&app.kernel.db, &salle.id)
        .await
        .unwrap()
        .unwrap()
        .definition;
    let page = anne.get(&format!("{form}/importer")).await;
    assert_eq!(page.status, 200);
    let token = page.csrf();
    let send = |text: String| {
        let token = token.clone();
        let anne = &anne;
        async move {
            anne.post_multipart(
                &format!("{form}/importer"),
                &[("csrf_token", token.as_str()), ("json", text.as_str())],
                &[],
            )
            .await
        }
    };

    let unreadable = send("{\"pages\": [".into()).await;
    assert_eq!(unreadable.status, 422);
    assert!(unreadable.contains("erreur ligne 1, colonne 11"));
    let misshapen = send(r#"{"pages": [{"blocks": []}]}"#.into()).await;
    assert_eq!(misshapen.status, 422);
    assert!(misshapen.contains("la propriété « title » manque"));
    let mut twice = shared.clone();
    let copy = twice.pages[0].blocks[0].clone();
    twice.pages[0].blocks.push(copy);
    let duplicate = send(serde_json::to_string(&twice).unwrap()).await;
    assert_eq!(duplicate.status, 422);
    assert!(duplicate.contains("Le formulaire du fichier est incorrect"));
    assert!(
        draft(&app, "message-maire").await.is_none(),
        "nothing saved"
    );

    // A whole procedure file gives its form.
    let file = requests::exchange::export(&app.kernel, &salle)
        .await
        .unwrap();
    let done = send(serde_json::to_string(&file).unwrap()).await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(draft(&app, "message-maire").await.unwrap(), shared);
    // The published version is untouched until publication.
    let maire = procedure(&app, "message-maire").await;
    let published = store::published_version(&app.kernel.db, &maire.id)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(published.definition, shared);
    let audit = search(
        &app.kernel.db,
        &AuditQuery {
            action: Some("form.imported".into()),
            target_id: Some(maire.id.clone()),
            limit: 10,
            ..AuditQuery::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(audit.len(), 1);
}

/// Every builder route, with the method it takes.
fn routes(slug: &str) -> Vec<(&'static str, String)> {
    let form = format!("/backoffice/demarches/{slug}/formulaire");
    vec![
        ("GET", form.clone()),
        ("POST", format!("{form}/nouvelle-version")),
        ("POST", format!("{form}/pages")),
        ("GET", format!("{form}/pages/1")),
        ("POST", format!("{form}/pages/1")),
        ("POST", format!("{form}/pages/1/deplacer")),
        ("GET", format!("{form}/pages/1/supprimer")),
        ("POST", format!("{form}/pages/1/supprimer")),
        ("GET", format!("{form}/pages/1/ajouter?type=date")),
        ("POST", format!("{form}/pages/1/ajouter")),
        ("GET", format!("{form}/pages/1/blocs/1")),
        ("POST", format!("{form}/pages/1/blocs/1")),
        ("POST", format!("{form}/pages/1/blocs/1/deplacer")),
        ("POST", format!("{form}/pages/1/blocs/1/supprimer")),
        ("GET", format!("{form}/champs/objet")),
        ("POST", format!("{form}/champs/objet")),
        ("GET", format!("{form}/apercu")),
        ("GET", format!("{form}/publier")),
        ("POST", format!("{form}/publier")),
        ("GET", format!("{form}/importer")),
        ("MULTIPART", format!("{form}/importer")),
        ("GET", format!("/backoffice/demarches/{slug}/export.json")),
        ("GET", "/backoffice/demarches/importer".into()),
        ("MULTIPART", "/backoffice/demarches/importer".into()),
    ]
}

async fn call(client: &TestClient, method: &str, path: &str, token: &str) -> u16 {
    let fields = [
        ("csrf_token", token),
        ("title", "x"),
        ("direction", "bas"),
        ("type", "date"),
        ("label", "x"),
        ("text", "x"),
        ("json", "{}"),
    ];
    match method {
        "GET" => client.get(path).await.status,
        "POST" => client.post_form(path, &fields).await.status,
        _ => client.post_multipart(path, &fields, &[]).await.status,
    }
}

#[tokio::test]
async fn agents_and_residents_are_refused_every_builder_route() {
    let app = demo_app().await;
    let maire = procedure(&app, "message-maire").await;
    let before = store::versions(&app.kernel.db, &maire.id).await.unwrap();
    for client in [
        staff(&app, "julie.garnier@demo.parvis.fr").await,
        staff(&app, "sophie.bernard@demo.parvis.fr").await,
        resident(&app).await,
    ] {
        let token = client.get("/demarches").await.csrf();
        for (method, path) in routes("message-maire") {
            assert_eq!(
                call(&client, method, &path, &token).await,
                403,
                "{method} {path}"
            );
        }
    }
    assert_eq!(
        store::versions(&app.kernel.db, &maire.id).await.unwrap(),
        before
    );

    // A service manager builds the forms of their service's procedures only; creating a
    // procedure is for administrators.
    let claire = staff(&app, "claire.rousseau@demo.parvis.fr").await;
    let own = claire
        .get("/backoffice/demarches/inscription-periscolaire/formulaire")
        .await;
    assert_eq!(own.status, 200);
    let token = own.csrf();
    for (method, path) in routes("message-maire") {
        assert_eq!(
            call(&claire, method, &path, &token).await,
            403,
            "{method} {path}"
        );
    }
    assert_eq!(
        claire
            .post_form(
                "/backoffice/demarches/inscription-periscolaire/formulaire/nouvelle-version",
                &[("csrf_token", &token)],
            )
            .await
            .status,
        303
    );

    // Nobody logged in is sent to the login page; an unknown procedure is not found.
    let anonymous = app.client();
    let response = anonymous.get(&routes("message-maire")[0].1).await;
    assert_eq!(response.status, 303);
    assert!(response.location().unwrap().starts_with("/connexion"));
    let anne = admin(&app).await;
    assert_eq!(
        anne.get("/backoffice/demarches/inconnue/formulaire")
            .await
            .status,
        404
    );
}
