//! The canteen's menus and the kitchen's live counts, on SQLite (and PostgreSQL when
//! PARVIS_TEST_POSTGRES_URL is set): a manager imports a month pasted from a spreadsheet
//! (all or nothing, each wrong line named), families read each day's menu and allergens
//! on their calendar, the kitchen is warned when the menu holds an allergen a booked
//! child avoids, and its page hears of a late booking at once. The clock starts on
//! Monday 23 November 2026 at 9:30 in Paris.

use std::time::Duration;

use bookings::actions;
use jiff::civil::date;
use parvis::testing::{TestApp, caller, demo_app, resident, staff};

const KARIM: &str = "karim.haddad@demo.parvis.fr";
const CANTEEN: &str = "cantine-elementaire-jules-ferry";

async fn child(app: &TestApp, given_name: &str) -> String {
    sqlx::query_scalar("SELECT id FROM family_people WHERE given_name = $1 AND kind = 'child'")
        .bind(given_name)
        .fetch_one(app.kernel.db.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_manager_imports_a_month_of_menus_that_families_and_the_kitchen_read() {
    let app = demo_app().await;
    let page = format!("/backoffice/activites/{CANTEEN}/menus");
    // The children's service manager of the demo.
    let manager = staff(&app, "claire.rousseau@demo.parvis.fr").await;
    let shown = manager.get(&format!("{page}?mois=2026-11")).await;
    assert_eq!(shown.status, 200, "{}", shown.body);
    assert!(shown.contains("Carottes râpées vinaigrette"));

    // One wrong line: nothing is saved, every problem is named with its line.
    let wrong = "jour;entrée;plat;plat sans viande;accompagnement;laitage;dessert;végétarien;allergènes\n\
        26/11/2026;Potage;Gratin dauphinois;;Salade;Yaourt;Pomme;non;lait\n\
        27/11/2026;Potage;Poisson;;Riz;Yaourt;Pomme;non;noisettes\n";
    let refused = manager.submit(&page, &page, &[("menus", wrong)]).await;
    assert_eq!(refused.status, 422);
    assert!(refused.contains("Ligne 3 : allergène inconnu : « noisettes »"));
    assert!(
        !manager
            .get(&format!("{page}?mois=2026-11"))
            .await
            .contains("Gratin dauphinois")
    );

    // Pasted from a spreadsheet (tabs): Thursday 26 gets peanuts, which Léa avoids.
    let copied = "26/11/2026\tPotage\tGratin dauphinois\t\tSalade\tYaourt\tGâteau aux cacahuètes\tnon\tlait, arachides\n";
    let saved = manager.submit(&page, &page, &[("menus", copied)]).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert!(
        manager
            .get(&format!("{page}?mois=2026-11"))
            .await
            .contains("Gratin dauphinois")
    );
    let audited: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'bookings.menus_imported'",
    )
    .fetch_one(app.kernel.db.pool())
    .await
    .unwrap();
    assert_eq!(audited, 1);

    // The family reads it on the calendar.
    let lea = child(&app, "Léa").await;
    let camille = resident(&app).await;
    let month = camille
        .get(&format!("/famille/reservations/{lea}?mois=2026-11"))
        .await;
    assert!(month.contains("Gratin dauphinois"));
    assert!(month.contains("Allergènes : Arachides, Lait."));
    assert!(month.contains("Menu végétarien"));

    // The kitchen: Léa (peanuts) is booked on Thursday 26 by her weekly pattern.
    let karim = staff(&app, KARIM).await;
    let kitchen = karim.get("/backoffice/cuisine?jour=2026-11-26").await;
    assert!(kitchen.contains("Gratin dauphinois"));
    assert!(
        kitchen.contains(
            "le menu contient « Arachides », que 1 enfant(s) inscrit(s) ce jour doivent éviter"
        ),
        "{}",
        kitchen.body
    );

    // Residents and staff of other services do not manage menus.
    assert_eq!(camille.get(&page).await.status, 403);
    let luc = staff(&app, "luc.moreau@demo.parvis.fr").await;
    assert_eq!(luc.get(&page).await.status, 404);
}

async fn read_until(stream: &mut reqwest::Response, seen: &mut String, needle: &str) {
    while !seen.contains(needle) {
        let chunk = stream
            .chunk()
            .await
            .expect("the stream reads")
            .expect("the stream stays open");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
}

#[tokio::test]
async fn the_kitchen_page_hears_of_a_booking_of_its_day_at_once() {
    let app = demo_app().await;
    let karim = staff(&app, KARIM).await;
    let page = karim.get("/backoffice/cuisine?jour=2026-11-27").await;
    assert!(page.contains("data-flux=\"/backoffice/cuisine/flux?jour=2026-11-27\""));
    let mut stream = karim
        .http
        .get(app.url("/backoffice/cuisine/flux?jour=2026-11-27"))
        .send()
        .await
        .unwrap();
    // The answer's head came back: the feed listens from now on.
    assert_eq!(stream.status(), 200);
    let mut seen = String::new();

    // A booking of another day says nothing; one of Friday 27 tells the page to refresh.
    let camille = caller(&app, "camille.martin@demo.parvis.fr").await;
    let lea = child(&app, "Léa").await;
    actions::book(&app.kernel, &camille, &lea, CANTEEN, date(2026, 12, 4))
        .await
        .unwrap();
    actions::book(&app.kernel, &camille, &lea, CANTEEN, date(2026, 11, 27))
        .await
        .unwrap();
    tokio::time::timeout(
        Duration::from_secs(1),
        read_until(&mut stream, &mut seen, "refresh"),
    )
    .await
    .expect("the event arrives within a second");
    assert_eq!(seen.matches("refresh").count(), 1, "{seen}");

    // Residents have no kitchen feed.
    let resident = resident(&app).await;
    assert_eq!(
        resident
            .http
            .get(app.url("/backoffice/cuisine/flux"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
}
