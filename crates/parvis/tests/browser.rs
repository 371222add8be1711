//! Browser tests: real journeys in headless Chromium, each page checked with
//! axe-core. Run with `PARVIS_BROWSER_TESTS=1` (see `browser/support.rs` for
//! the other variables); without it every test here is skipped.

#[path = "browser/support.rs"]
mod support;

use axum::Router;
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use support::Browser;

const CSP: &str = "default-src 'self'; script-src 'self'";

/// An accessible page, whose inline script the CSP must block.
const GOOD_PAGE: &str = r#"<!doctype html>
<html lang="fr">
<head><meta charset="utf-8"><title>Accueil — Parvis</title></head>
<body>
<main>
<h1>Bienvenue</h1>
<p>Une page accessible.</p>
<script>document.documentElement.dataset.inline = "ran";</script>
</main>
</body>
</html>"#;

/// The same page with an image that has no text alternative.
const BAD_PAGE: &str = r#"<!doctype html>
<html lang="fr">
<head><meta charset="utf-8"><title>Image — Parvis</title></head>
<body>
<main>
<h1>Une image</h1>
<img id="no-alt" src="/pixel.svg">
</main>
</body>
</html>"#;

const PIXEL: &str = r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>"#;

fn with_csp(html: &'static str) -> impl IntoResponse {
    ([(header::CONTENT_SECURITY_POLICY, CSP)], Html(html))
}

/// Serves the two pages on 127.0.0.1 and returns the base URL.
async fn serve_test_pages() -> String {
    let app = Router::new()
        .route("/", get(|| async { with_csp(GOOD_PAGE) }))
        .route("/broken", get(|| async { with_csp(BAD_PAGE) }))
        .route(
            "/pixel.svg",
            get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, "image/svg+xml"),
                        (header::CONTENT_SECURITY_POLICY, CSP),
                    ],
                    PIXEL,
                )
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind test server");
    let addr = listener.local_addr().expect("test server address");
    tokio::spawn(async move {
        axum::serve(listener, app).await.expect("test server");
    });
    format!("http://{addr}")
}

async fn axe_journey(browser: &Browser, base: &str) -> Result<(), String> {
    browser.goto(&format!("{base}/")).await?;
    if browser.title().await? != "Accueil — Parvis" {
        return Err("the accessible page did not load".into());
    }
    // The page's own inline script was blocked: the CSP is in force.
    let inline = browser
        .client
        .execute(
            "return document.documentElement.dataset.inline || null;",
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?;
    if !inline.is_null() {
        return Err("the CSP did not block the page's inline script".into());
    }
    browser.axe_check("accessible page").await?;

    browser.goto(&format!("{base}/broken")).await?;
    browser.find_text("Une image").await?;
    match browser.axe_check("page with an image without alt").await {
        Ok(()) => Err("axe reported no violation on an <img> without alt".into()),
        Err(report) if report.contains("image-alt") && report.contains("#no-alt") => {
            println!("expected violation reported:\n{report}");
            Ok(())
        }
        Err(report) => Err(format!("expected an image-alt violation, got:\n{report}")),
    }
}

#[tokio::test]
async fn harness_runs_axe_on_a_csp_page() {
    if !support::run_or_skip("harness_runs_axe_on_a_csp_page") {
        return;
    }
    let base = serve_test_pages().await;
    let browser = Browser::start().await;
    let outcome = axe_journey(&browser, &base).await;
    browser
        .finish("harness_runs_axe_on_a_csp_page", outcome)
        .await;
}

// ------------------------------------------------------------------ Parvis journeys

use parvis::testing::{TestApp, run_worker};

/// Checks the page with axe-core and that it does not scroll sideways on a 320 px screen.
async fn check_page(browser: &Browser, label: &str) -> Result<(), String> {
    browser.axe_check(label).await
}

async fn no_horizontal_scroll(browser: &Browser, label: &str) -> Result<(), String> {
    let width = browser
        .client
        .execute("return document.documentElement.scrollWidth;", vec![])
        .await
        .map_err(|e| e.to_string())?;
    let viewport = browser
        .client
        .execute("return window.innerWidth;", vec![])
        .await
        .map_err(|e| e.to_string())?;
    if width.as_i64() > viewport.as_i64() {
        return Err(format!(
            "{label}: the page is {width} px wide on a {viewport} px screen"
        ));
    }
    Ok(())
}

async fn resident_journey(browser: &Browser, app: &TestApp) -> Result<(), String> {
    let base = app.url("");
    for (path, label) in [
        ("/", "accueil"),
        ("/accessibilite", "déclaration d'accessibilité"),
        ("/mentions-legales", "mentions légales"),
        ("/donnees-personnelles", "données personnelles"),
        ("/plan-du-site", "plan du site"),
        ("/mot-de-passe-oublie", "mot de passe oublié"),
        ("/page-inconnue", "page 404"),
    ] {
        browser.goto(&format!("{base}{path}")).await?;
        check_page(browser, label).await?;
    }

    // Sign-up with mistakes first: the error summary and the fields must be accessible too.
    browser.goto(&format!("{base}/inscription")).await?;
    check_page(browser, "inscription").await?;
    browser.fill("#given_name", "Jeanne").await?;
    browser.fill("#email", "jeanne.dupuis@exemple").await?;
    browser.fill("#password", "court").await?;
    browser
        .submit_form_by_button("form.formulaire button[type=submit]")
        .await?;
    browser
        .find_text("Le formulaire contient 3 erreurs")
        .await?;
    check_page(browser, "inscription avec erreurs").await?;

    browser.fill("#family_name", "Dupuis").await?;
    browser.fill("#email", "jeanne.dupuis@exemple.fr").await?;
    browser.fill("#password", "Lavande-et-thym-42").await?;
    browser
        .submit_form_by_button("form.formulaire button[type=submit]")
        .await?;
    browser.find_text("Vérifiez votre messagerie").await?;
    check_page(browser, "inscription envoyée").await?;

    run_worker(app).await;
    let link = app
        .mails()
        .last()
        .and_then(|m| m.link("/inscription/verifier/"))
        .ok_or("no verification e-mail")?;
    browser.goto(&format!("{base}{link}")).await?;
    browser.find_text("Votre adresse est confirmée").await?;
    check_page(browser, "connexion après confirmation").await?;

    browser.fill("#email", "jeanne.dupuis@exemple.fr").await?;
    browser.fill("#password", "mauvais-mot-de-passe").await?;
    browser
        .submit_form_by_button("form.formulaire button[type=submit]")
        .await?;
    browser
        .find_text("Adresse électronique ou mot de passe incorrect")
        .await?;
    check_page(browser, "connexion refusée").await?;

    browser.fill("#password", "Lavande-et-thym-42").await?;
    browser
        .submit_form_by_button("form.formulaire button[type=submit]")
        .await?;
    if browser.current_path().await? != "/mon-espace" {
        return Err(format!(
            "expected /mon-espace, got {}",
            browser.current_path().await?
        ));
    }
    browser.find_text("Bonjour Jeanne").await?;
    check_page(browser, "mon espace").await?;
    browser
        .goto(&format!("{base}/mon-espace/mot-de-passe"))
        .await?;
    check_page(browser, "changer de mot de passe").await?;
    browser.goto(&format!("{base}/mon-espace")).await?;

    browser
        .submit_form_by_button(".session button[type=submit]")
        .await?;
    browser.find_text("Vous êtes déconnecté(e).").await?;
    check_page(browser, "accueil après déconnexion").await?;

    // A phone 320 px wide: nothing scrolls sideways.
    browser
        .client
        .set_window_size(320, 800)
        .await
        .map_err(|e| e.to_string())?;
    for path in ["/", "/inscription", "/connexion", "/donnees-personnelles"] {
        browser.goto(&format!("{base}{path}")).await?;
        no_horizontal_scroll(browser, path).await?;
    }
    Ok(())
}

#[tokio::test]
async fn a_resident_signs_up_confirms_logs_in_and_out_on_accessible_pages() {
    if !support::run_or_skip("a_resident_signs_up_confirms_logs_in_and_out_on_accessible_pages") {
        return;
    }
    let app = parvis::testing::spawn().await;
    let browser = Browser::start().await;
    let outcome = resident_journey(&browser, &app).await;
    browser.finish("resident_journey", outcome).await;
}

async fn administrator_journey(browser: &Browser, app: &TestApp) -> Result<(), String> {
    let base = app.url("");
    browser.goto(&format!("{base}/connexion")).await?;
    browser.fill("#email", "admin@demo.parvis.fr").await?;
    browser
        .fill("#password", accounts::demo::STAFF_PASSWORD)
        .await?;
    browser
        .submit_form_by_button("form.formulaire button[type=submit]")
        .await?;
    browser
        .find_text("Activer la double authentification")
        .await?;
    check_page(browser, "activation de la double authentification").await?;
    let secret = browser.text_of(".secret").await?;
    let code = accounts::totp::code_at(secret.trim(), app.kernel.now().as_second() as u64)
        .ok_or("code")?;
    browser.fill("#code", &code).await?;
    browser
        .submit_form_by_button("form.formulaire button[type=submit]")
        .await?;
    browser.find_text("Vos codes de secours").await?;
    check_page(browser, "codes de secours").await?;
    browser.follow_link("a.bouton").await?;
    browser.find_text("Vos rôles").await?;
    check_page(browser, "espace agents").await?;

    browser
        .goto(&format!("{base}/backoffice/utilisateurs/nouveau"))
        .await?;
    check_page(browser, "nouvel agent").await?;
    browser.fill("#given_name", "Lucie").await?;
    browser.fill("#family_name", "Garnier").await?;
    browser
        .fill("#email", "lucie.garnier@demo.parvis.fr")
        .await?;
    browser
        .submit_form_by_button("form.formulaire button[type=submit]")
        .await?;
    browser.find_text("Choisissez le service").await?;
    check_page(browser, "nouvel agent avec erreurs").await?;
    browser
        .find("#service")
        .await?
        .select_by_value("etat-civil")
        .await
        .map_err(|e| e.to_string())?;
    browser
        .submit_form_by_button("form.formulaire button[type=submit]")
        .await?;
    browser
        .find_text("Agent — État civil et citoyenneté")
        .await?;
    check_page(browser, "fiche agent").await?;

    browser
        .goto(&format!("{base}/backoffice/utilisateurs"))
        .await?;
    check_page(browser, "liste des utilisateurs").await?;
    browser
        .goto(&format!("{base}/backoffice/audit?verifier=1"))
        .await?;
    browser.find_text("Journal intègre").await?;
    check_page(browser, "journal d'audit").await?;

    // The teams of a service.
    browser
        .goto(&format!("{base}/backoffice/services/voirie/equipes"))
        .await?;
    browser.find_text("Équipe Nord").await?;
    check_page(browser, "équipes d'un service").await?;

    // Procedures: a new one, with its errors, and the import of a shared file.
    browser
        .goto(&format!("{base}/backoffice/demarches/nouvelle"))
        .await?;
    check_page(browser, "nouvelle démarche").await?;
    browser
        .submit_form_by_button("form.formulaire button[type=submit]")
        .await?;
    browser.find_text("Le formulaire contient").await?;
    check_page(browser, "nouvelle démarche avec erreurs").await?;
    browser
        .goto(&format!("{base}/backoffice/demarches/importer"))
        .await?;
    check_page(browser, "importer une démarche").await?;
    Ok(())
}

#[tokio::test]
async fn an_administrator_enrols_a_second_factor_and_manages_staff_on_accessible_pages() {
    if !support::run_or_skip(
        "an_administrator_enrols_a_second_factor_and_manages_staff_on_accessible_pages",
    ) {
        return;
    }
    let app = parvis::testing::spawn().await;
    accounts::demo::seed(&app.kernel).await.expect("demo data");
    let browser = Browser::start().await;
    let outcome = administrator_journey(&browser, &app).await;
    browser.finish("administrator_journey", outcome).await;
}

/// Sets a field's value directly (date inputs do not take typed text the same way in every
/// locale).
async fn set_value(browser: &Browser, css: &str, value: &str) -> Result<(), String> {
    browser
        .client
        .execute(
            "document.querySelector(arguments[0]).value = arguments[1];",
            vec![css.into(), value.into()],
        )
        .await
        .map(|_| ())
        .map_err(|e| format!("set `{css}`: {e}"))
}

async fn log_in_as(
    browser: &Browser,
    base: &str,
    email: &str,
    password: &str,
) -> Result<(), String> {
    browser.goto(&format!("{base}/connexion")).await?;
    browser.fill("#email", email).await?;
    browser.fill("#password", password).await?;
    browser
        .submit_form_by_button("form.formulaire button[type=submit]")
        .await
}

async fn log_out(browser: &Browser) -> Result<(), String> {
    browser
        .submit_form_by_button(".session button[type=submit]")
        .await
}

/// Opens a workflow move of the request page and confirms it, with its message.
async fn make_move(browser: &Browser, to: &str) -> Result<(), String> {
    browser
        .click(&format!("details:has(input[value='{to}']) summary"))
        .await?;
    browser
        .submit_form_by_button(&format!(
            "form:has(input[value='{to}']) button[type=submit]"
        ))
        .await
}

async fn request_journey(browser: &Browser, app: &TestApp) -> Result<(), String> {
    let base = app.url("");
    browser.goto(&format!("{base}/demarches")).await?;
    check_page(browser, "catalogue des démarches").await?;
    log_in_as(
        browser,
        &base,
        "camille.martin@demo.parvis.fr",
        accounts::demo::RESIDENT_PASSWORD,
    )
    .await?;
    browser
        .goto(&format!("{base}/demarches/acte-etat-civil"))
        .await?;
    check_page(browser, "fiche démarche").await?;
    browser
        .submit_form_by_button("form[action$='/commencer'] button")
        .await?;

    // First page: sent empty, then filled.
    check_page(browser, "formulaire page 1").await?;
    browser
        .submit_form_by_button("button[value=suivant]")
        .await?;
    browser.find_text("Ce champ est obligatoire.").await?;
    check_page(browser, "formulaire page 1 avec erreurs").await?;
    browser.click("#type_acte-1").await?;
    browser.click("#forme-1").await?;
    browser.fill("#nom", "Martin").await?;
    browser.fill("#prenoms", "Camille Louise").await?;
    set_value(browser, "#date_evenement", "1988-05-14").await?;
    browser.fill("#copies", "1").await?;
    browser
        .submit_form_by_button("button[value=suivant]")
        .await?;

    // The parents' page appears because a full copy was chosen.
    browser.find_text("Filiation").await?;
    check_page(browser, "formulaire page conditionnelle").await?;
    browser.fill("#pere", "Martin Jacques").await?;
    browser.fill("#mere", "Durand Hélène").await?;
    browser
        .submit_form_by_button("button[value=suivant]")
        .await?;

    check_page(browser, "formulaire dernière page").await?;
    browser.click("#lien-1").await?;
    browser.click("#usage-1").await?;
    browser
        .fill("#adresse", "12 rue Victor-Hugo, 00000 Démo")
        .await?;
    browser
        .submit_form_by_button("button[value=suivant]")
        .await?;

    browser.find_text("Vérifiez votre demande").await?;
    check_page(browser, "récapitulatif").await?;
    browser
        .submit_form_by_button("form[action$='/envoyer'] button")
        .await?;
    browser.find_text("Votre demande est enregistrée").await?;
    check_page(browser, "ma demande").await?;
    let path = browser.current_path().await?;
    let number = path.trim_start_matches("/mes-demandes/").to_string();
    browser
        .follow_link("a[href$='/accuse-de-reception']")
        .await?;
    browser.find_text("Date de réception").await?;
    check_page(browser, "accusé de réception").await?;
    browser.goto(&format!("{base}/mes-demandes")).await?;
    check_page(browser, "mes demandes").await?;
    log_out(browser).await?;

    // The agent takes it and asks for something.
    log_in_as(
        browser,
        &base,
        "sophie.bernard@demo.parvis.fr",
        accounts::demo::STAFF_PASSWORD,
    )
    .await?;
    browser.goto(&format!("{base}/backoffice/demandes")).await?;
    browser.find_text(&number).await?;
    check_page(browser, "boîte de réception").await?;
    browser
        .goto(&format!("{base}/backoffice/reponses-types"))
        .await?;
    check_page(browser, "réponses types").await?;
    browser
        .goto(&format!("{base}/backoffice/jetons-api"))
        .await?;
    check_page(browser, "jetons d'accès à l'API").await?;
    browser.fill("#label", "Logiciel d'état civil").await?;
    browser
        .submit_form_by_button("form[method=post][action='/backoffice/jetons-api'] button")
        .await?;
    browser.find_text("Votre nouveau jeton").await?;
    check_page(browser, "jeton créé, affiché une fois").await?;
    no_horizontal_scroll(browser, "jeton créé, affiché une fois").await?;
    browser
        .goto(&format!("{base}/backoffice/connaissances"))
        .await?;
    check_page(browser, "base de connaissances").await?;
    browser
        .goto(&format!(
            "{base}/backoffice/connaissances/attestation-accueil-pieces"
        ))
        .await?;
    check_page(browser, "fiche de la base de connaissances").await?;
    browser
        .goto(&format!(
            "{base}/backoffice/demandes/nouvelle?demarche=acte-etat-civil"
        ))
        .await?;
    check_page(browser, "enregistrer une demande reçue hors ligne").await?;
    browser
        .submit_form_by_button("form[method=post][action^='/backoffice/demandes/nouvelle'] button")
        .await?;
    browser.find_text("Indiquez le nom de la personne").await?;
    check_page(browser, "demande hors ligne avec erreurs").await?;
    let request = requests::store::request_by_number(&app.kernel.db, &number)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("request not found")?;
    browser
        .goto(&format!("{base}/backoffice/demandes/{}", request.id))
        .await?;
    check_page(browser, "demande côté agent").await?;
    make_move(browser, "under_review").await?;
    browser.find_text("Le statut est mis à jour").await?;
    make_move(browser, "waiting_for_applicant").await?;
    browser.find_text("En attente de complément").await?;
    check_page(browser, "demande en attente").await?;
    log_out(browser).await?;

    // The resident answers.
    log_in_as(
        browser,
        &base,
        "camille.martin@demo.parvis.fr",
        accounts::demo::RESIDENT_PASSWORD,
    )
    .await?;
    browser
        .goto(&format!("{base}/mes-demandes/{number}"))
        .await?;
    browser.find_text("Le service attend un complément").await?;
    browser
        .fill("#message", "Le nom de ma mère est bien Durand.")
        .await?;
    browser
        .submit_form_by_button("form[action$='/repondre'] button")
        .await?;
    browser.find_text("Votre réponse est transmise").await?;
    check_page(browser, "réponse envoyée").await?;
    log_out(browser).await?;

    // The agent accepts.
    log_in_as(
        browser,
        &base,
        "sophie.bernard@demo.parvis.fr",
        accounts::demo::STAFF_PASSWORD,
    )
    .await?;
    browser
        .goto(&format!("{base}/backoffice/demandes/{}", request.id))
        .await?;
    browser
        .find_text("Le nom de ma mère est bien Durand.")
        .await?;
    make_move(browser, "accepted").await?;
    browser.find_text("Acceptée").await?;
    check_page(browser, "demande acceptée").await?;
    browser
        .follow_link("a[href$='/accuse-de-reception']")
        .await?;
    check_page(browser, "accusé de réception à imprimer").await?;
    log_out(browser).await?;

    // An elected official reads the statistics.
    log_in_as(
        browser,
        &base,
        "helene.fabre@demo.parvis.fr",
        accounts::demo::STAFF_PASSWORD,
    )
    .await?;
    browser
        .goto(&format!("{base}/backoffice/statistiques"))
        .await?;
    browser.find_text("Par canal de réception").await?;
    check_page(browser, "statistiques").await?;
    Ok(())
}

#[tokio::test]
async fn a_resident_files_a_request_the_agent_asks_the_resident_answers_the_agent_accepts() {
    if !support::run_or_skip(
        "a_resident_files_a_request_the_agent_asks_the_resident_answers_the_agent_accepts",
    ) {
        return;
    }
    let app = parvis::testing::spawn().await;
    accounts::demo::seed(&app.kernel)
        .await
        .expect("demo accounts");
    requests::demo::seed(&app.kernel)
        .await
        .expect("demo procedures");
    let browser = Browser::start().await;
    let outcome = request_journey(&browser, &app).await;
    browser.finish("request_journey", outcome).await;
}

/// The agent's tools around a request: a knowledge-base sheet found and linked, then the
/// applicant's timeline — every page checked with axe-core.
async fn agent_tools_journey(browser: &Browser, app: &TestApp) -> Result<(), String> {
    let base = app.url("");
    let camille = accounts::store::user_by_email(&app.kernel.db, "camille.martin@demo.parvis.fr")
        .await
        .map_err(|e| e.to_string())?
        .ok_or("demo resident")?;
    let terrace = requests::store::requests_of(&app.kernel.db, &camille.id)
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .find(|r| r.status == "waiting_for_applicant")
        .ok_or("the demo terrace request")?;
    log_in_as(
        browser,
        &base,
        "luc.moreau@demo.parvis.fr",
        accounts::demo::STAFF_PASSWORD,
    )
    .await?;
    browser
        .goto(&format!("{base}/backoffice/demandes/{}", terrace.id))
        .await?;
    browser.fill("#fiche", "piétons").await?;
    browser
        .submit_form_by_button("form[role=search] button[type=submit]")
        .await?;
    browser
        .find_text("Lier la fiche « Occupation du domaine public")
        .await?;
    check_page(browser, "recherche d'une fiche à lier").await?;
    browser
        .submit_form_by_button(
            "section[aria-labelledby=fiches] form:not([role=search]) button[type=submit]",
        )
        .await?;
    browser.find_text("La fiche est liée à la demande.").await?;
    check_page(browser, "fiche liée à la demande").await?;
    browser
        .follow_link(&format!(
            "a[href='/backoffice/demandes/{}/usager']",
            terrace.id
        ))
        .await?;
    browser.find_text("Parcours de Camille Martin").await?;
    check_page(browser, "parcours d'une personne").await?;
    // On a phone, 320 px wide, the timeline and the request page do not scroll sideways.
    browser
        .client
        .set_window_size(320, 800)
        .await
        .map_err(|e| e.to_string())?;
    browser.goto(&browser.current_url().await?).await?;
    no_horizontal_scroll(browser, "parcours d'une personne").await?;
    browser
        .goto(&format!("{base}/backoffice/demandes/{}", terrace.id))
        .await?;
    no_horizontal_scroll(browser, "demande vue par l'agent").await?;
    Ok(())
}

#[tokio::test]
async fn an_agent_links_a_sheet_and_reads_the_applicants_timeline_on_accessible_pages() {
    if !support::run_or_skip(
        "an_agent_links_a_sheet_and_reads_the_applicants_timeline_on_accessible_pages",
    ) {
        return;
    }
    let app = parvis::testing::spawn().await;
    accounts::demo::seed(&app.kernel)
        .await
        .expect("demo accounts");
    requests::demo::seed(&app.kernel)
        .await
        .expect("demo procedures");
    let browser = Browser::start().await;
    let outcome = agent_tools_journey(&browser, &app).await;
    browser.finish("agent_tools_journey", outcome).await;
}

/// A service manager sets up one of her procedures: the catalogue entry (with an error),
/// the workflow, the routing rules, then the form — a field with a bad key, a new field,
/// the preview and the differences before publishing. Every page checked with axe-core.
async fn procedure_tools_journey(browser: &Browser, app: &TestApp) -> Result<(), String> {
    let base = app.url("");
    log_in_as(
        browser,
        &base,
        "claire.rousseau@demo.parvis.fr",
        accounts::demo::STAFF_PASSWORD,
    )
    .await?;
    browser.goto(&format!("{base}/backoffice")).await?;
    browser
        .follow_link("a[href='/backoffice/demarches']")
        .await?;
    check_page(browser, "liste des démarches").await?;

    let procedure = format!("{base}/backoffice/demarches/inscription-periscolaire");
    browser.goto(&procedure).await?;
    check_page(browser, "fiche d'une démarche").await?;
    browser.fill("#title", "").await?;
    browser
        .submit_form_by_button("form.formulaire button[type=submit]")
        .await?;
    browser.find_text("Le formulaire contient").await?;
    check_page(browser, "fiche d'une démarche avec erreurs").await?;

    browser.goto(&format!("{procedure}/circuit")).await?;
    check_page(browser, "circuit de traitement").await?;
    browser.goto(&format!("{procedure}/orientation")).await?;
    check_page(browser, "règles d'orientation").await?;

    let form = format!("{procedure}/formulaire");
    browser.goto(&form).await?;
    check_page(browser, "formulaire : versions et pages").await?;
    browser
        .goto(&format!("{form}/pages/1/ajouter?type=short_text"))
        .await?;
    check_page(browser, "nouveau champ").await?;
    browser.fill("#label", "Allergies connues").await?;
    browser.fill("#key", "Mauvaise Clé").await?;
    browser
        .submit_form_by_button("form.formulaire button[type=submit]")
        .await?;
    browser.find_text("Le formulaire contient").await?;
    check_page(browser, "nouveau champ avec erreurs").await?;
    browser.fill("#key", "allergies").await?;
    browser
        .submit_form_by_button("form.formulaire button[type=submit]")
        .await?;
    browser.find_text("Allergies connues").await?;
    check_page(browser, "formulaire en cours de modification").await?;
    browser.goto(&format!("{form}/champs/allergies")).await?;
    check_page(browser, "modifier un champ").await?;
    browser.goto(&format!("{form}/pages/1")).await?;
    check_page(browser, "modifier une page").await?;
    browser.goto(&format!("{form}/apercu")).await?;
    check_page(browser, "aperçu du formulaire").await?;
    browser.goto(&format!("{form}/importer")).await?;
    check_page(browser, "importer un formulaire").await?;
    browser.goto(&format!("{form}/publier")).await?;
    browser.find_text("allergies").await?;
    check_page(browser, "publier : différences").await?;
    Ok(())
}

#[tokio::test]
async fn a_service_manager_sets_up_a_procedure_and_its_form_on_accessible_pages() {
    if !support::run_or_skip(
        "a_service_manager_sets_up_a_procedure_and_its_form_on_accessible_pages",
    ) {
        return;
    }
    let app = parvis::testing::spawn().await;
    accounts::demo::seed(&app.kernel)
        .await
        .expect("demo accounts");
    requests::demo::seed(&app.kernel)
        .await
        .expect("demo procedures");
    let browser = Browser::start().await;
    let outcome = procedure_tools_journey(&browser, &app).await;
    browser.finish("procedure_tools_journey", outcome).await;
}

/// A parent's family file: the file, a child's record with its allergies, an error shown
/// next to its field, and the saved record — every page checked with axe-core, and the
/// file readable on a phone.
async fn family_journey(browser: &Browser, app: &TestApp) -> Result<(), String> {
    let base = app.url("");
    log_in_as(
        browser,
        &base,
        "camille.martin@demo.parvis.fr",
        accounts::demo::RESIDENT_PASSWORD,
    )
    .await?;
    browser.goto(&format!("{base}/famille")).await?;
    browser.find_text("Léa Martin").await?;
    check_page(browser, "dossier famille").await?;
    no_horizontal_scroll(browser, "dossier famille").await?;
    browser
        .follow_link("a[href^='/famille/enfants/']:not([href$='nouveau'])")
        .await?;
    check_page(browser, "fiche d'un enfant").await?;
    // The server's check, as a browser that ignores `required` would meet it.
    browser
        .client
        .execute(
            "document.querySelector('#given_name').removeAttribute('required');",
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?;
    set_value(browser, "#given_name", "").await?;
    browser
        .submit_form_by_button("form.formulaire button[type=submit]")
        .await?;
    browser.find("#resume-erreurs").await?;
    check_page(browser, "fiche d'un enfant avec une erreur").await?;
    browser.fill("#given_name", "Léa").await?;
    browser.click("#allergen-lait").await?;
    browser
        .submit_form_by_button("form.formulaire button[type=submit]")
        .await?;
    browser.find_text("Arachides ; Lait").await?;
    browser
        .goto(&format!("{base}/famille/enfants/nouveau"))
        .await?;
    check_page(browser, "ajout d'un enfant").await?;
    // Booking: the month of a child, a day booked in one click, the family account.
    browser
        .goto(&format!("{base}/famille/reservations"))
        .await?;
    check_page(browser, "réservations").await?;
    browser
        .follow_link("a[href^='/famille/reservations/']")
        .await?;
    browser
        .goto(&format!("{}?mois=2026-12", browser.current_url().await?))
        .await?;
    browser
        .find_text("Réservable jusqu'au mercredi 9 à 12:00")
        .await?;
    check_page(browser, "mois de réservations").await?;
    no_horizontal_scroll(browser, "mois de réservations").await?;
    browser
        .submit_form_by_button(
            "form:has(input[name=jour][value='2026-12-11']):has(input[value=cantine-elementaire-jules-ferry]) button",
        )
        .await?;
    browser
        .find_text("Réservé : le vendredi 11 décembre (3,20 €).")
        .await?;
    check_page(browser, "mois de réservations après une réservation").await?;
    browser
        .goto(&format!("{base}/famille/compte?mois=2026-12"))
        .await?;
    browser.find_text("Total du mois").await?;
    check_page(browser, "compte famille").await?;
    browser.goto(&format!("{base}/famille/documents")).await?;
    browser.find_text("Pièces fournies").await?;
    check_page(browser, "pièces justificatives").await?;
    // A token for a family application, shown once.
    browser
        .goto(&format!("{base}/mon-espace/jetons-api"))
        .await?;
    check_page(browser, "jetons d'accès d'un habitant").await?;
    browser.fill("#label", "Application mobile").await?;
    browser
        .submit_form_by_button("form.formulaire button[type=submit]")
        .await?;
    browser.find("#jeton-emis").await?;
    check_page(browser, "jeton émis").await?;
    // The other parent is invited, and joins from the e-mail's link.
    browser.goto(&format!("{base}/famille")).await?;
    browser.click("details:has(#email) summary").await?;
    browser
        .fill("#email", "karim.haddad@demo.parvis.fr")
        .await?;
    browser
        .submit_form_by_button("form[action='/famille/invitations'] button")
        .await?;
    browser.find_text("L'invitation est envoyée.").await?;
    let body: String = sqlx::query_scalar(
        "SELECT body_text FROM outbox WHERE recipient = 'karim.haddad@demo.parvis.fr' AND subject LIKE '%dossier famille%'",
    )
    .fetch_one(app.kernel.db.pool())
    .await
    .map_err(|e| e.to_string())?;
    // The e-mail's link, on this test server's address.
    let link = body
        .split_whitespace()
        .find_map(|w| {
            w.find("/famille/invitation/")
                .map(|i| format!("{base}{}", &w[i..]))
        })
        .ok_or("no link in the invitation")?;
    log_out(browser).await?;
    log_in_as(
        browser,
        &base,
        "karim.haddad@demo.parvis.fr",
        accounts::demo::STAFF_PASSWORD,
    )
    .await?;
    browser.goto(&link).await?;
    check_page(browser, "invitation à rejoindre un dossier famille").await?;
    browser
        .submit_form_by_button("form[action^='/famille/invitation/'] button")
        .await?;
    browser
        .find_text("Vous partagez désormais le dossier")
        .await?;
    Ok(())
}

#[tokio::test]
async fn a_parent_keeps_the_family_file_on_accessible_pages() {
    if !support::run_or_skip("a_parent_keeps_the_family_file_on_accessible_pages") {
        return;
    }
    let app = parvis::testing::demo_app().await;
    let browser = Browser::start().await;
    let outcome = family_journey(&browser, &app).await;
    browser.finish("family_journey", outcome).await;
}

/// The canteen's staff: the kitchen's counts and the supervisor's register, a child
/// marked present in one tap — every page checked with axe-core.
async fn canteen_staff_journey(browser: &Browser, app: &TestApp) -> Result<(), String> {
    let base = app.url("");
    log_in_as(
        browser,
        &base,
        "karim.haddad@demo.parvis.fr",
        accounts::demo::STAFF_PASSWORD,
    )
    .await?;
    browser
        .goto(&format!("{base}/backoffice/cuisine?jour=2026-11-26"))
        .await?;
    browser.find_text("Repas par régime").await?;
    browser.find_text("Menu :").await?;
    check_page(browser, "repas à préparer").await?;
    // A booking of the day shown: the counts follow without a reload.
    browser
        .goto(&format!("{base}/backoffice/cuisine?jour=2026-11-27"))
        .await?;
    browser.find("#comptes-direct[data-connecte=oui]").await?;
    let camille = parvis::testing::caller(app, "camille.martin@demo.parvis.fr").await;
    let lea: String = sqlx::query_scalar(
        "SELECT id FROM family_people WHERE given_name = 'Léa' AND kind = 'child'",
    )
    .fetch_one(app.kernel.db.pool())
    .await
    .map_err(|e| e.to_string())?;
    bookings::actions::book(
        &app.kernel,
        &camille,
        &lea,
        "cantine-elementaire-jules-ferry",
        jiff::civil::date(2026, 11, 27),
    )
    .await
    .map_err(|e| e.to_string())?;
    browser.find_text("Comptes mis à jour").await?;
    browser.find_text("1 repas").await?;
    check_page(browser, "repas à préparer, mis à jour en direct").await?;
    browser
        .goto(&format!(
            "{base}/backoffice/pointage?activite=cantine-elementaire-jules-ferry&jour=2026-11-26"
        ))
        .await?;
    browser.find_text("PAI : suivre le protocole").await?;
    check_page(browser, "pointage").await?;
    no_horizontal_scroll(browser, "pointage").await?;
    browser
        .submit_form_by_button("li.carte form:has(input[value=present]) button")
        .await?;
    browser.find_text("Léa Martin : présent.").await?;
    check_page(browser, "pointage après un enfant pointé").await?;
    browser
        .goto(&format!("{base}/backoffice/familles?q=Martin"))
        .await?;
    browser.find_text("Pièces à vérifier").await?;
    check_page(browser, "dossiers famille").await?;
    browser
        .goto(&format!("{base}/backoffice/familles/ecoles"))
        .await?;
    check_page(browser, "écoles de la commune").await?;
    browser
        .goto(&format!("{base}/backoffice/familles/pieces"))
        .await?;
    check_page(browser, "pièces demandées par service").await?;
    browser
        .goto(&format!("{base}/backoffice/familles?q=Martin"))
        .await?;
    browser
        .follow_link("td a[href^='/backoffice/familles/'], li a[href^='/backoffice/familles/']:not([href$='ecoles']):not([href$='pieces']):not([href*='#'])")
        .await?;
    browser.find_text("Quotient familial").await?;
    check_page(browser, "un dossier famille").await?;
    browser.follow_link("strong a[href*='/enfants/']").await?;
    check_page(browser, "fiche d'un enfant vue par le service").await?;
    browser
        .follow_link("main p a[href^='/backoffice/familles/']")
        .await?;
    browser.follow_link("a[href$='/compte']").await?;
    browser.find_text("Total du mois").await?;
    check_page(browser, "compte d'une famille vu par le service").await?;
    // The service's manager previews new booking rules before saving them.
    log_out(browser).await?;
    log_in_as(
        browser,
        &base,
        "claire.rousseau@demo.parvis.fr",
        accounts::demo::STAFF_PASSWORD,
    )
    .await?;
    browser
        .goto(&format!("{base}/backoffice/activites"))
        .await?;
    check_page(browser, "activités").await?;
    browser
        .goto(&format!(
            "{base}/backoffice/activites/cantine-elementaire-jules-ferry"
        ))
        .await?;
    check_page(browser, "règles d'une activité").await?;
    browser
        .submit_form_by_button("button[value=apercu]")
        .await?;
    browser.find_text("Aperçu des règles saisies").await?;
    check_page(browser, "aperçu des règles").await?;
    for (path, title) in [
        ("calendrier", "calendrier d'une activité"),
        ("tarifs", "tarifs d'une activité"),
        ("cantine-a-1-euro", "cantine à 1 €"),
        ("menus?mois=2026-11", "menus d'une cantine"),
    ] {
        browser
            .goto(&format!(
                "{base}/backoffice/activites/cantine-elementaire-jules-ferry/{path}"
            ))
            .await?;
        check_page(browser, title).await?;
    }
    // A wrong menu table: every line named, nothing saved.
    browser.fill("#menus", "27/11/2026;Potage").await?;
    browser
        .submit_form_by_button("form.formulaire button[type=submit]")
        .await?;
    browser.find("#resume-erreurs").await?;
    check_page(browser, "menus avec une erreur").await?;
    Ok(())
}

#[tokio::test]
async fn the_kitchen_and_the_supervisors_work_on_accessible_pages() {
    if !support::run_or_skip("the_kitchen_and_the_supervisors_work_on_accessible_pages") {
        return;
    }
    let app = parvis::testing::demo_app().await;
    let browser = Browser::start().await;
    let outcome = canteen_staff_journey(&browser, &app).await;
    browser.finish("canteen_staff_journey", outcome).await;
}
