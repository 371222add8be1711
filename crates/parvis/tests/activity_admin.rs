//! An activity's administration beyond its rules, on SQLite (and PostgreSQL when
//! PARVIS_TEST_POSTGRES_URL is set): the manager closes a day by exception and the
//! families' calendar follows, changes the price grid and the next booking pays it, and
//! creates the morning care on the model of the evening care. Wrong forms change nothing.
//! The clock starts on Monday 23 November 2026 at 9:30 in Paris.

use bookings::actions::{self, BookingError};
use jiff::civil::date;
use parvis::testing::{TestApp, caller, demo_app, resident, staff};

const CANTEEN: &str = "cantine-elementaire-jules-ferry";
const CLAIRE: &str = "claire.rousseau@demo.parvis.fr";

async fn child(app: &TestApp, given_name: &str) -> String {
    sqlx::query_scalar("SELECT id FROM family_people WHERE given_name = $1 AND kind = 'child'")
        .bind(given_name)
        .fetch_one(app.kernel.db.pool())
        .await
        .unwrap()
}

async fn audited(app: &TestApp, action: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1")
        .bind(action)
        .fetch_one(app.kernel.db.pool())
        .await
        .unwrap()
}

const SCHOOL_YEAR: &[(&str, &str)] = &[
    ("jour_lundi", "oui"),
    ("jour_mardi", "oui"),
    ("jour_jeudi", "oui"),
    ("jour_vendredi", "oui"),
    ("first_day", "01/09/2026"),
    ("last_day", "02/07/2027"),
    ("public_holidays", "oui"),
    (
        "periods",
        "17/10/2026 ; 01/11/2026 ; Vacances de la Toussaint\n19/12/2026 ; 03/01/2027 ; Vacances de Noël",
    ),
];

#[tokio::test]
async fn a_day_closed_by_exception_is_closed_for_families() {
    let app = demo_app().await;
    let claire = staff(&app, CLAIRE).await;
    let page = format!("/backoffice/activites/{CANTEEN}/calendrier");
    let form = claire.get(&page).await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.contains("19/12/2026 ; 03/01/2027 ; Vacances de Noël"));

    // A wrong line changes nothing.
    let mut wrong = SCHOOL_YEAR.to_vec();
    wrong.push(("closed_days", "vendredi"));
    let refused = claire.submit(&page, &page, &wrong).await;
    assert_eq!(refused.status, 422);
    assert!(refused.contains("Ligne 1 : « vendredi » n&#39;est pas une date jj/mm/aaaa."));
    assert_eq!(audited(&app, "bookings.calendar_changed").await, 0);

    // Léa was booked for Friday 27; then a strike is announced for that day.
    let lea = child(&app, "Léa").await;
    let camille = caller(&app, "camille.martin@demo.parvis.fr").await;
    actions::book(&app.kernel, &camille, &lea, CANTEEN, date(2026, 11, 27))
        .await
        .unwrap();
    let mut strike = SCHOOL_YEAR.to_vec();
    strike.push(("closed_days", "27/11/2026"));
    let saved = claire.submit(&page, &page, &strike).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(audited(&app, "bookings.calendar_changed").await, 1);
    let flash = claire.follow(&saved).await;
    assert!(flash.contains("1 réservation(s) des jours désormais fermés sont annulées sans frais"));
    // Cancelled free of charge, and the family told.
    let lines: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM charges WHERE child_id = $1 AND day = '2026-11-27'",
    )
    .bind(&lea)
    .fetch_one(app.kernel.db.pool())
    .await
    .unwrap();
    assert_eq!(lines, 0);
    let letters: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox WHERE recipient = 'camille.martin@demo.parvis.fr' AND subject LIKE '%fermé le vendredi 27 novembre%'",
    )
    .fetch_one(app.kernel.db.pool())
    .await
    .unwrap();
    assert_eq!(letters, 1);
    let month = resident(&app)
        .await
        .get(&format!("/famille/reservations/{lea}?mois=2026-11"))
        .await;
    assert!(month.contains("Fermé exceptionnellement ce jour-là."));
    assert!(matches!(
        actions::book(&app.kernel, &camille, &lea, CANTEEN, date(2026, 11, 27)).await,
        Err(BookingError::Refused(_))
    ));
}

#[tokio::test]
async fn a_new_price_grid_prices_the_next_booking() {
    let app = demo_app().await;
    let claire = staff(&app, CLAIRE).await;
    let page = format!("/backoffice/activites/{CANTEEN}/tarifs");
    let form = claire.get(&page).await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.contains("1000 ; 3,20"));

    let prices = |brackets: &'static str| {
        vec![
            ("brackets", brackets),
            ("late_cancellation_charged", "oui"),
            ("absence_charged", "oui"),
            ("presence_type", "fixe"),
            ("presence_value", "7,50"),
            ("excuse_certificat-medical", "oui"),
        ]
    };
    let refused = claire
        .submit(&page, &page, &prices("1000 ; 3,20\n500 ; 1,00\n ; 4,49"))
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.contains("croître"));

    let saved = claire
        .submit(&page, &page, &prices("500 ; 1,00\n1000 ; 3,50\n ; 5,00"))
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(audited(&app, "bookings.pricing_changed").await, 1);
    let lea = child(&app, "Léa").await;
    let camille = caller(&app, "camille.martin@demo.parvis.fr").await;
    let booked = actions::book(&app.kernel, &camille, &lea, CANTEEN, date(2026, 11, 27))
        .await
        .unwrap();
    assert_eq!(booked.cents, 350);

    // An agent who does not manage the service has no such page.
    let karim = staff(&app, "karim.haddad@demo.parvis.fr").await;
    assert_eq!(karim.get(&page).await.status, 404);
}

#[tokio::test]
async fn a_manager_creates_the_morning_care_on_the_model_of_the_evening_care() {
    let app = demo_app().await;
    let claire = staff(&app, CLAIRE).await;
    let list = claire.get("/backoffice/activites").await;
    assert!(list.contains("Créer une activité"));
    let fields = |code: &'static str| {
        vec![
            ("name", "Garderie du matin — École élémentaire Jules-Ferry"),
            ("code", code),
            ("kind", "garderie-matin"),
            ("school", "École élémentaire Jules-Ferry"),
            ("unit", "seance"),
            ("capacity", "25"),
            ("model", "garderie-soir-jules-ferry"),
        ]
    };
    let wrong = claire
        .submit(
            "/backoffice/activites",
            "/backoffice/activites",
            &fields("Garderie Matin"),
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.contains("id=\"code-erreur\""));

    let created = claire
        .submit(
            "/backoffice/activites",
            "/backoffice/activites",
            &fields("garderie-matin-jules-ferry"),
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    assert_eq!(
        created.header("location"),
        Some("/backoffice/activites/garderie-matin-jules-ferry")
    );
    assert_eq!(audited(&app, "bookings.activity_created").await, 1);
    let again = claire
        .submit(
            "/backoffice/activites",
            "/backoffice/activites",
            &fields("garderie-matin-jules-ferry"),
        )
        .await;
    assert_eq!(again.status, 422);
    assert!(again.contains("Une activité porte déjà ce code."));

    // Families of the school see it and book it at once.
    let lea = child(&app, "Léa").await;
    let month = resident(&app)
        .await
        .get(&format!("/famille/reservations/{lea}?mois=2026-12"))
        .await;
    assert!(month.contains("Garderie du matin — École élémentaire Jules-Ferry"));
    let camille = caller(&app, "camille.martin@demo.parvis.fr").await;
    actions::book(
        &app.kernel,
        &camille,
        &lea,
        "garderie-matin-jules-ferry",
        date(2026, 12, 4),
    )
    .await
    .unwrap();

    // Someone who manages nothing cannot create one.
    let karim = staff(&app, "karim.haddad@demo.parvis.fr").await;
    assert!(
        !karim
            .get("/backoffice/activites")
            .await
            .contains("Créer une activité")
    );
    let forced = karim
        .submit(
            "/backoffice/activites",
            "/backoffice/activites",
            &fields("garderie-matin-autre"),
        )
        .await;
    assert_eq!(forced.status, 422);
    assert_eq!(audited(&app, "bookings.activity_created").await, 1);
}

#[tokio::test]
async fn the_one_euro_canteen_counts_meals_billed_one_euro_or_less_per_period() {
    let app = demo_app().await;
    let claire = staff(&app, CLAIRE).await;
    let page = format!("/backoffice/activites/{CANTEEN}/cantine-a-1-euro");
    let before = claire.get(&page).await;
    assert_eq!(before.status, 200, "{}", before.body);
    // The demo grid (1,00 € up to QF 500, 3,20 € up to 1 000, then 4,49 €) qualifies.
    assert!(before.contains("ouvre droit à l&#39;aide"));
    assert!(before.contains("<th scope=\"row\">septembre–décembre 2026</th><td>0</td>"));

    // The Martins' quotient is 450 from 1 November: their next meals cost 1 €.
    let karim = parvis::testing::caller(&app, "karim.haddad@demo.parvis.fr").await;
    let lea = child(&app, "Léa").await;
    let household: String =
        sqlx::query_scalar("SELECT household_id FROM household_members WHERE person_id = $1")
            .bind(&lea)
            .fetch_one(app.kernel.db.pool())
            .await
            .unwrap();
    family::documents::record_quotient(
        &app.kernel,
        &karim,
        &household,
        &family::rules::QuotientRecord {
            value: 450,
            source: family::rules::QuotientSource::CafCertificate,
            effective_from: date(2026, 11, 1),
        },
        true,
        "Attestation CAF reçue le 2 novembre",
    )
    .await
    .unwrap();
    let camille = caller(&app, "camille.martin@demo.parvis.fr").await;
    for day in [date(2026, 11, 27), date(2026, 12, 4)] {
        let booked = actions::book(&app.kernel, &camille, &lea, CANTEEN, day)
            .await
            .unwrap();
        assert_eq!(booked.cents, 100);
    }
    // A last-minute meal at 2 € is not subsidised.
    let late = actions::book(&app.kernel, &camille, &lea, CANTEEN, date(2026, 11, 24))
        .await
        .unwrap();
    assert_eq!(late.cents, 200);
    // Meals count once served: on Saturday 5 December, both are.
    let now = app.kernel.now();
    let saturday = date(2026, 12, 5)
        .at(10, 0, 0, 0)
        .to_zoned(bookings::deadlines::paris())
        .unwrap()
        .timestamp();
    assert!(
        claire
            .get(&page)
            .await
            .contains("<th scope=\"row\">septembre–décembre 2026</th><td>0</td>")
    );
    app.clock.advance(saturday.duration_since(now));
    let claire = staff(&app, CLAIRE).await;
    let after = claire.get(&page).await;
    assert!(
        after.contains(
            "<th scope=\"row\">septembre–décembre 2026</th><td>2</td><td>6,00 €</td><td>8,00 €</td>"
        ),
        "{}",
        after.body
    );

    // A grid without a bracket at 1 € does not qualify, and the page says why.
    let prices = format!("/backoffice/activites/{CANTEEN}/tarifs");
    claire
        .submit(
            &prices,
            &prices,
            &[
                ("brackets", "500 ; 2,00\n1000 ; 3,20\n ; 4,49"),
                ("presence_type", "fixe"),
                ("presence_value", "7,50"),
            ],
        )
        .await;
    let refused = claire.get(&page).await;
    assert!(refused.contains("une tranche au moins doit être à 1 € ou moins"));
}
