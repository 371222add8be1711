//! The agents' report inbox in headless Chromium, each page checked with axe-core: a new
//! report appears live in the inbox, a canned reply fills the status form, an empty note
//! is refused next to its field, and the field view fits a phone; without JavaScript, the
//! canned reply, the status change and the field view by address work too. Runs with
//! `PARVIS_BROWSER_TESTS=1` (see `browser/support.rs`); skipped otherwise.

#[path = "browser/support.rs"]
mod support;

use std::collections::BTreeMap;

use parvis::testing::{TestApp, demo_app};
use reports::actions::{self, NewReport};
use reports::model::Point;
use support::Browser;

async fn no_horizontal_scroll(browser: &Browser, label: &str) -> Result<(), String> {
    let sizes = browser
        .client
        .execute(
            "return [document.documentElement.scrollWidth, window.innerWidth];",
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?;
    let (width, viewport) = (sizes[0].as_i64(), sizes[1].as_i64());
    if width > viewport {
        return Err(format!(
            "{label}: the page is {width:?} px wide on a {viewport:?} px screen"
        ));
    }
    Ok(())
}

async fn value_of(browser: &Browser, css: &str) -> Result<String, String> {
    let value = browser
        .client
        .execute(
            "return document.querySelector(arguments[0]).value;",
            vec![css.into()],
        )
        .await
        .map_err(|e| format!("value of `{css}`: {e}"))?;
    Ok(value.as_str().unwrap_or_default().to_string())
}

async fn log_in_as_luc(browser: &Browser, base: &str) -> Result<(), String> {
    browser.goto(&format!("{base}/connexion")).await?;
    browser.fill("#email", "luc.moreau@demo.parvis.fr").await?;
    browser
        .fill("#password", accounts::demo::STAFF_PASSWORD)
        .await?;
    browser
        .submit_form_by_button("form.formulaire button[type=submit]")
        .await
}

fn pothole(description: &str) -> NewReport {
    let mut answers = BTreeMap::new();
    answers.insert("danger".to_string(), vec!["oui".to_string()]);
    NewReport {
        category_code: "nid-de-poule".into(),
        point: Point::new(45.7712, 4.8321),
        address: "Chemin des Vignes, 00000 Démo".into(),
        description: description.into(),
        answers,
        ..NewReport::default()
    }
}

async fn inbox_journey(browser: &Browser, app: &TestApp) -> Result<(), String> {
    let base = app.url("");
    log_in_as_luc(browser, &base).await?;
    browser
        .goto(&format!("{base}/backoffice/signalements"))
        .await?;
    browser.find_text("Signalements à traiter").await?;
    browser.axe_check("boîte des signalements").await?;
    // The page listens before anything is filed.
    browser.find("#boite-direct[data-connecte=oui]").await?;

    // A resident reports a pothole in Les Coteaux: the open page tells Luc at once.
    let filed = actions::file_report(
        &app.kernel,
        &kernel::Caller::default(),
        pothole("Un trou sur le chemin."),
    )
    .await
    .map_err(|e| e.to_string())?;
    browser
        .find_text(&format!("Nouveau signalement {}", filed.report.reference))
        .await?;
    browser.axe_check("boîte avec un avis en direct").await?;
    browser.follow_link("#boite-direct a").await?;
    browser
        .find_text(&format!("Signalement {}", filed.report.reference))
        .await?;
    browser.axe_check("signalement vu par l'agent").await?;

    // A canned reply fills the message and picks its status.
    browser
        .click("#modele option[value='bo-report-canned-in-progress-1']")
        .await?;
    let message = value_of(browser, "#message").await?;
    if !message.contains("L'intervention est programmée") {
        return Err(format!(
            "the canned reply did not fill the message: {message:?}"
        ));
    }
    if value_of(browser, "#to").await? != "in_progress" {
        return Err("the canned reply did not pick its status".into());
    }
    browser
        .submit_form_by_button("form[action$='/statut'] button[type=submit]")
        .await?;
    browser.find_text("Statut enregistré : En cours.").await?;
    browser.axe_check("statut enregistré").await?;

    // An empty note comes back with its error.
    browser
        .submit_form_by_button("form[action$='/note'] button[type=submit]")
        .await?;
    browser.find_text("Écrivez le texte de la note.").await?;
    browser.axe_check("note refusée").await?;

    // On a phone.
    browser
        .client
        .set_window_size(320, 800)
        .await
        .map_err(|e| e.to_string())?;
    browser
        .goto(&format!(
            "{base}/backoffice/signalements/terrain?lat=45.7712&lon=4.8321"
        ))
        .await?;
    browser.find_text(&filed.report.reference).await?;
    browser.axe_check("vue terrain").await?;
    no_horizontal_scroll(browser, "vue terrain").await?;
    browser
        .goto(&format!(
            "{base}/backoffice/signalements/{}",
            filed.report.id
        ))
        .await?;
    no_horizontal_scroll(browser, "signalement sur un téléphone").await?;
    browser
        .goto(&format!("{base}/backoffice/signalements/preferences"))
        .await?;
    browser.axe_check("préférences d'avis").await?;
    // Notifications on this device: the script shows the button and answers the click
    // with a sentence (this browser reaches no push service, so never with success).
    browser.follow_link("a[href='/notifications']").await?;
    browser.find("#activation-push:not([hidden])").await?;
    if browser
        .find("#push-sans-script")
        .await?
        .is_displayed()
        .await
        .map_err(|e| e.to_string())?
    {
        return Err("the no-script notice shows although the script runs".into());
    }
    browser.axe_check("mes appareils").await?;
    browser.click("#push-activer").await?;
    browser
        .find("#push-etat:not(:empty)")
        .await
        .map_err(|e| format!("the activation says nothing: {e}"))?;
    browser.find("#push-activer:not([disabled])").await?;
    browser
        .axe_check("mes appareils, après l'essai d'activation")
        .await?;
    Ok(())
}

#[tokio::test]
async fn an_agent_sees_a_new_report_live_and_handles_it_on_accessible_pages() {
    if !support::run_or_skip("an_agent_sees_a_new_report_live_and_handles_it_on_accessible_pages") {
        return;
    }
    let app = demo_app().await;
    let browser = Browser::start().await;
    let outcome = inbox_journey(&browser, &app).await;
    browser.finish("report_inbox_journey", outcome).await;
}

/// The same tools with JavaScript off: the canned reply comes through its own button, the
/// field view sorts by a typed street.
async fn journey_without_javascript(browser: &Browser, app: &TestApp) -> Result<(), String> {
    let base = app.url("");
    let filed = actions::file_report(
        &app.kernel,
        &kernel::Caller::default(),
        pothole("Un trou sans script."),
    )
    .await
    .map_err(|e| e.to_string())?;
    log_in_as_luc(browser, &base).await?;
    browser
        .goto(&format!("{base}/backoffice/signalements"))
        .await?;
    // axe-core itself needs the page's timers, which are off here: the pages are checked
    // with JavaScript on, above.
    browser.find_text(&filed.report.reference).await?;
    browser
        .follow_link(&format!(
            "a[href='/backoffice/signalements/{}']",
            filed.report.id
        ))
        .await?;
    browser
        .click("#modele option[value='bo-report-canned-resolved-1']")
        .await?;
    browser
        .submit_form_by_button("form.modeles button[type=submit]")
        .await?;
    let message = value_of(browser, "#message").await?;
    if !message.contains("Le problème est réglé") {
        return Err(format!(
            "the canned reply did not fill the message: {message:?}"
        ));
    }
    browser
        .submit_form_by_button("form[action$='/statut'] button[type=submit]")
        .await?;
    browser.find_text("Statut enregistré : Résolu.").await?;
    browser
        .goto(&format!("{base}/backoffice/signalements/terrain"))
        .await?;
    // The phone's position needs the script: its button stays hidden.
    if browser
        .find("#ma-position-terrain")
        .await?
        .is_displayed()
        .await
        .map_err(|e| e.to_string())?
    {
        return Err("the position button shows without JavaScript".into());
    }
    browser.fill("#adresse", "Montée des Carmes").await?;
    browser
        .submit_form_by_button("#position-terrain .actions button[type=submit]")
        .await?;
    browser.find_text("Distances depuis").await?;
    // Turning notifications on needs the script, and the page says so; the rest works.
    browser.goto(&format!("{base}/notifications")).await?;
    browser
        .find_text("JavaScript doit être activé dans le navigateur")
        .await?;
    if browser
        .find("#push-activer")
        .await?
        .is_displayed()
        .await
        .map_err(|e| e.to_string())?
    {
        return Err("the activation button shows without JavaScript".into());
    }
    Ok(())
}

#[tokio::test]
async fn without_javascript_an_agent_handles_a_report_and_sorts_the_field_view() {
    if !support::run_or_skip(
        "without_javascript_an_agent_handles_a_report_and_sorts_the_field_view",
    ) {
        return;
    }
    let app = demo_app().await;
    let browser = Browser::start_without_javascript().await;
    let outcome = journey_without_javascript(&browser, &app).await;
    browser
        .finish("report_inbox_without_javascript", outcome)
        .await;
}
