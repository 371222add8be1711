//! The booking engine as families use it, on the demo's Jules-Ferry canteens (book or
//! cancel two working days before at noon, a last-minute meal until 9:00 for 1 € more)
//! and evening care: each side of each deadline with its charge line, the month page, a
//! weekly pattern, the last place under concurrent parents, and no family reaching
//! another's children. The clock starts on Monday 23 November 2026 at 9:30 in Paris.

use bookings::actions::{self, BookingError};
use bookings::store;
use jiff::civil::{Weekday, date};
use kernel::Caller;
use parvis::testing::{TestApp, caller, demo_app, resident, staff};

const CAMILLE: &str = "camille.martin@demo.parvis.fr";
const CANTEEN: &str = "cantine-elementaire-jules-ferry";
const NURSERY_CANTEEN: &str = "cantine-maternelle-jules-ferry";

async fn child(app: &TestApp, given_name: &str) -> String {
    sqlx::query_scalar("SELECT id FROM family_people WHERE given_name = $1 AND kind = 'child'")
        .bind(given_name)
        .fetch_one(app.kernel.db.pool())
        .await
        .unwrap()
}

async fn scalar(app: &TestApp, sql: &str, binds: &[&str]) -> i64 {
    let mut query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()));
    for b in binds {
        query = query.bind(*b);
    }
    query.fetch_one(app.kernel.db.pool()).await.unwrap()
}

/// Moves the clock to this Paris time.
fn set_paris(app: &TestApp, y: i16, m: i8, d: i8, h: i8, min: i8) {
    let target = date(y, m, d)
        .at(h, min, 0, 0)
        .to_zoned(bookings::deadlines::paris())
        .unwrap()
        .timestamp();
    let now = app.kernel.now();
    app.clock.advance(target.duration_since(now));
}

#[tokio::test]
async fn booking_and_cancelling_on_each_side_of_each_deadline() {
    let app = demo_app().await;
    let camille = caller(&app, CAMILLE).await;
    let lea = child(&app, "Léa").await;
    let friday = date(2026, 11, 27);

    // Monday 9:30: Friday closes on Wednesday at noon; no quotient given, top bracket.
    let booked = actions::book(&app.kernel, &camille, &lea, CANTEEN, friday)
        .await
        .unwrap();
    assert_eq!((booked.late, booked.cents), (false, 320));
    let explanation: String = sqlx::query_scalar(
        "SELECT explanation FROM charges WHERE child_id = $1 AND day = '2026-11-27'",
    )
    .bind(&lea)
    .fetch_one(app.kernel.db.pool())
    .await
    .unwrap();
    // The bracket, the price, and the cut-off that applied.
    assert_eq!(
        explanation,
        "Tranche 2 (QF ≤ 1000) : 3,20 € = 3,20 € ; réservé le lundi 23 à 09:30, avant la clôture des réservations le mercredi 25 à 12:00"
    );
    // A second click books nothing more and charges nothing twice.
    actions::book(&app.kernel, &camille, &lea, CANTEEN, friday)
        .await
        .unwrap();
    let charges_for_friday =
        "SELECT COUNT(*) FROM charges WHERE child_id = $1 AND day = '2026-11-27'";
    assert_eq!(scalar(&app, charges_for_friday, &[&lea]).await, 1);

    // Cancelled in time: free.
    let cancelled = actions::cancel(&app.kernel, &camille, &lea, CANTEEN, friday)
        .await
        .unwrap();
    assert_eq!(cancelled.charged_cents, None);
    assert_eq!(scalar(&app, charges_for_friday, &[&lea]).await, 0);
    actions::book(&app.kernel, &camille, &lea, CANTEEN, friday)
        .await
        .unwrap();

    // Wednesday 11:59 is still in time; at noon the cancellation is charged.
    set_paris(&app, 2026, 11, 25, 11, 59);
    assert!(matches!(
        bookings::store::activity_by_code(&app.kernel.db, CANTEEN)
            .await
            .unwrap()
            .unwrap()
            .rules
            .cancellation_window(friday, app.kernel.now()),
        bookings::deadlines::CancellationWindow::Free { .. }
    ));
    set_paris(&app, 2026, 11, 25, 12, 0);
    let late = actions::cancel(&app.kernel, &camille, &lea, CANTEEN, friday)
        .await
        .unwrap();
    assert_eq!(late.charged_cents, Some(320));
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM charges WHERE child_id = $1 AND day = '2026-11-27' AND kind = 'late_cancellation'",
            &[&lea]
        )
        .await,
        1
    );
    // Booking again after the deadline is a last-minute meal, 1 € more, until 9:00.
    set_paris(&app, 2026, 11, 27, 8, 59);
    let last_minute = actions::book(&app.kernel, &camille, &lea, CANTEEN, friday)
        .await
        .unwrap();
    assert_eq!((last_minute.late, last_minute.cents), (true, 420));
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM charges WHERE child_id = $1 AND day = '2026-11-27' AND kind = 'late_booking' AND cents = 420",
            &[&lea]
        )
        .await,
        1
    );
    let monday = date(2026, 11, 30);
    set_paris(&app, 2026, 11, 30, 9, 0);
    // Monday was booked by the demo's weekly pattern; cancelling it at 9:00 is charged,
    // and booking it again is closed.
    actions::cancel(&app.kernel, &camille, &lea, CANTEEN, monday)
        .await
        .unwrap();
    match actions::book(&app.kernel, &camille, &lea, CANTEEN, monday).await {
        Err(BookingError::Refused(why)) => {
            assert!(why.contains("closes depuis le lundi 30 à 09:00"), "{why}")
        }
        other => panic!("closed expected, got {other:?}"),
    }
    // A holiday or a Wednesday is never bookable.
    for closed in [date(2026, 12, 21), date(2026, 12, 2)] {
        assert!(matches!(
            actions::book(&app.kernel, &camille, &lea, CANTEEN, closed).await,
            Err(BookingError::Refused(_))
        ));
    }
}

#[tokio::test]
async fn the_month_page_books_and_cancels_without_javascript() {
    let app = demo_app().await;
    let client = resident(&app).await;
    let lea = child(&app, "Léa").await;
    let page = client
        .get(&format!("/famille/reservations/{lea}?mois=2026-12"))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.contains("Restaurant scolaire — École élémentaire Jules-Ferry"));
    assert!(page.contains("Garderie du soir — École élémentaire Jules-Ferry"));
    // Booked by the weekly pattern: cancellable free until two working days before.
    assert!(
        page.contains("Réservé (3,20 €). Annulation sans frais jusqu&#39;au vendredi 4 à 12:00.")
    );
    // Fridays are not in the pattern: bookable, with the deadline and the price.
    assert!(page.contains("Réservable jusqu&#39;au mercredi 9 à 12:00 (3,20 €)."));
    assert!(page.contains("Fermé : Vacances de Noël."));
    assert!(
        !page.contains("mercredi 2</th>"),
        "no canteen on Wednesdays"
    );

    let book = client
        .submit(
            &format!("/famille/reservations/{lea}?mois=2026-12"),
            &format!("/famille/reservations/{lea}"),
            &[
                ("activite", CANTEEN),
                ("jour", "2026-12-11"),
                ("mois", "2026-12"),
                ("action", "reserver"),
            ],
        )
        .await;
    assert_eq!(book.status, 303);
    assert_eq!(
        book.location(),
        Some(
            format!("/famille/reservations/{lea}?mois=2026-12#jour-{CANTEEN}-2026-12-11").as_str()
        )
    );
    let after = client.follow(&book).await;
    assert!(after.contains("Réservé : le vendredi 11 décembre (3,20 €)."));
    let cancel = client
        .submit(
            &format!("/famille/reservations/{lea}?mois=2026-12"),
            &format!("/famille/reservations/{lea}"),
            &[
                ("activite", CANTEEN),
                ("jour", "2026-12-11"),
                ("mois", "2026-12"),
                ("action", "annuler"),
            ],
        )
        .await;
    assert!(
        client
            .follow(&cancel)
            .await
            .contains("Annulé sans frais : le vendredi 11 décembre.")
    );
    // A closed day answers with its reason, and nothing is booked.
    let closed = client
        .submit(
            &format!("/famille/reservations/{lea}?mois=2026-12"),
            &format!("/famille/reservations/{lea}"),
            &[
                ("activite", CANTEEN),
                ("jour", "2026-12-25"),
                ("mois", "2026-12"),
                ("action", "reserver"),
            ],
        )
        .await;
    assert!(
        client
            .follow(&closed)
            .await
            .contains("Fermé : Vacances de Noël.")
    );

    // The family account: each line and the month's total.
    let account = client.get("/famille/compte?mois=2026-12").await;
    assert_eq!(account.status, 200);
    let december_meals = scalar(
        &app,
        "SELECT COUNT(*) FROM charges WHERE child_id = $1 AND day >= '2026-12-01' AND day <= '2026-12-31'",
        &[&lea],
    )
    .await;
    assert_eq!(
        december_meals, 8,
        "Mondays 7 and 14, Tuesdays 1, 8 and 15, Thursdays 3, 10 and 17"
    );
    assert!(account.contains(&format!(
        "{},{:02} €",
        december_meals * 320 / 100,
        december_meals * 320 % 100
    )));
    assert!(account.contains("Tranche 2 (QF ≤ 1000)"));
}

#[tokio::test]
async fn a_weekly_pattern_books_what_is_open_and_says_what_is_not() {
    let app = demo_app().await;
    let camille = caller(&app, CAMILLE).await;
    let hugo = child(&app, "Hugo").await;
    let outcome = actions::book_pattern(
        &app.kernel,
        &camille,
        &hugo,
        NURSERY_CANTEEN,
        date(2026, 11, 23),
        date(2026, 12, 31),
        &[Weekday::Monday, Weekday::Friday],
    )
    .await
    .unwrap();
    // Monday 23 closed last Thursday; Fridays and the other Mondays until the holidays.
    assert_eq!(
        outcome.booked,
        vec![
            date(2026, 11, 27),
            date(2026, 11, 30),
            date(2026, 12, 4),
            date(2026, 12, 7),
            date(2026, 12, 11),
            date(2026, 12, 14),
            date(2026, 12, 18),
        ]
    );
    assert_eq!(outcome.skipped.len(), 1);
    assert_eq!(outcome.skipped[0].0, date(2026, 11, 23));
    // Hugo's school has no evening care: the elementary school's is not his to book.
    assert!(matches!(
        actions::book(
            &app.kernel,
            &camille,
            &hugo,
            "garderie-soir-jules-ferry",
            date(2026, 11, 27)
        )
        .await,
        Err(BookingError::NotFound)
    ));
}

/// Five families, one child each at the elementary school.
async fn families(app: &TestApp) -> Vec<(Caller, String)> {
    let mut out = Vec::new();
    for email in [
        "luc.moreau@demo.parvis.fr",
        "sophie.bernard@demo.parvis.fr",
        "karim.haddad@demo.parvis.fr",
        "ines.lambert@demo.parvis.fr",
        "thomas.petit@demo.parvis.fr",
    ] {
        let parent = caller(app, email).await;
        family::actions::open_file(&app.kernel, &parent, "1 rue de l'École")
            .await
            .unwrap();
        let child = family::actions::add_child(
            &app.kernel,
            &parent,
            &family::rules::ChildInput {
                given_name: format!("Enfant de {email}"),
                family_name: "Démo".into(),
                birth_date: "2018-05-01".into(),
                school: bookings::demo::ELEMENTARY.into(),
                class_name: "CE2".into(),
                diet: "standard".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        out.push((parent, child));
    }
    out
}

#[tokio::test]
async fn the_last_places_go_to_as_many_parents_as_there_are_places() {
    let app = demo_app().await;
    // Two places left on Friday's evening care.
    let care = store::activity_by_code(&app.kernel.db, "garderie-soir-jules-ferry")
        .await
        .unwrap()
        .unwrap();
    let friday = date(2026, 11, 27);
    sqlx::query("INSERT INTO activity_day_counts (activity_id, day, booked) VALUES ($1, $2, 28)")
        .bind(&care.id)
        .bind(friday.to_string())
        .execute(app.kernel.db.pool())
        .await
        .unwrap();
    let families = families(&app).await;
    let attempts = families.iter().map(|(parent, child)| {
        actions::book(
            &app.kernel,
            parent,
            child,
            "garderie-soir-jules-ferry",
            friday,
        )
    });
    let outcomes = futures::future::join_all(attempts).await;
    let booked = outcomes.iter().filter(|o| o.is_ok()).count();
    let full = outcomes
        .iter()
        .filter(|o| matches!(o, Err(BookingError::Full)))
        .count();
    assert_eq!((booked, full), (2, 3), "{outcomes:?}");
    // These families gave no quotient: the top bracket of evening care.
    assert!(outcomes.iter().flatten().all(|b| b.cents == 220 && !b.late));
    assert_eq!(
        store::places_taken(&app.kernel.db, &care.id, friday)
            .await
            .unwrap(),
        30
    );
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM bookings WHERE activity_id = $1 AND day = '2026-11-27' AND status = 'booked'",
            &[&care.id]
        )
        .await,
        2
    );
    // A cancellation frees a place for the next parent.
    let (winner, winner_child) = families
        .iter()
        .zip(&outcomes)
        .find(|(_, o)| o.is_ok())
        .map(|(f, _)| f)
        .unwrap();
    actions::cancel(
        &app.kernel,
        winner,
        winner_child,
        "garderie-soir-jules-ferry",
        friday,
    )
    .await
    .unwrap();
    let (loser, loser_child) = families
        .iter()
        .zip(&outcomes)
        .find(|(_, o)| o.is_err())
        .map(|(f, _)| f)
        .unwrap();
    assert!(
        actions::book(
            &app.kernel,
            loser,
            loser_child,
            "garderie-soir-jules-ferry",
            friday
        )
        .await
        .is_ok()
    );
}

#[tokio::test]
async fn another_family_neither_sees_nor_books_these_children() {
    let app = demo_app().await;
    let lea = child(&app, "Léa").await;
    let luc = staff(&app, "luc.moreau@demo.parvis.fr").await;
    luc.submit(
        "/famille",
        "/famille",
        &[("address", "3 impasse des Lilas")],
    )
    .await;
    let page = format!("/famille/reservations/{lea}");
    assert_eq!(luc.get(&page).await.status, 404);
    let token = luc.get("/famille").await.csrf();
    let forced = luc
        .post_form(
            &page,
            &[
                ("csrf_token", token.as_str()),
                ("activite", CANTEEN),
                ("jour", "2026-11-27"),
                ("action", "reserver"),
            ],
        )
        .await;
    assert_eq!(forced.status, 404);
    let pattern = luc
        .post_form(
            &format!("{page}/semaine-type"),
            &[
                ("csrf_token", token.as_str()),
                ("activite", CANTEEN),
                ("jours", "vendredi"),
                ("du", "2026-11-23"),
                ("au", "2026-12-18"),
            ],
        )
        .await;
    assert_eq!(pattern.status, 404);
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM bookings WHERE child_id = $1 AND day = '2026-11-27'",
            &[&lea]
        )
        .await,
        0
    );
    // Luc's account shows none of the Martins' lines.
    let account = luc.get("/famille/compte?mois=2026-11").await;
    assert!(!account.contains("Léa"));
    assert!(account.contains("Aucune ligne ce mois-ci."));
}

const KARIM: &str = "karim.haddad@demo.parvis.fr";

#[tokio::test]
async fn the_kitchen_counts_meals_by_menu_and_allergen() {
    let app = demo_app().await;
    let karim = staff(&app, KARIM).await;
    // Thursday 26: Léa (no pork, peanut allergy, PAI) is booked by the weekly pattern.
    let page = karim.get("/backoffice/cuisine?jour=2026-11-26").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.contains("Restaurant scolaire — École élémentaire Jules-Ferry"));
    assert!(page.contains("Provisoire : les réservations ferment le mardi 24 à 12:00."));
    assert!(page.contains("<strong>1 repas</strong>"));
    assert!(page.contains("<th scope=\"row\">Sans porc</th><td>1</td>"));
    assert!(page.contains("<th scope=\"row\">Arachides</th><td>1</td>"));
    assert!(page.contains("<th scope=\"row\">Enfants avec un PAI</th><td>1</td>"));
    // The nursery canteen has nobody booked that day.
    assert!(page.contains("<strong>0 repas</strong>"));
    let csv = karim.get("/backoffice/cuisine.csv?jour=2026-11-26").await;
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    assert!(csv.body.starts_with('\u{feff}'));
    assert!(csv.contains("2026-11-26;École élémentaire Jules-Ferry;Restaurant scolaire — École élémentaire Jules-Ferry;régime;Sans porc;1"));
    assert!(csv.contains(";allergène;Arachides;1"));
    // After Tuesday noon the count is final; last-minute meals may still come.
    set_paris(&app, 2026, 11, 26, 8, 0);
    // Days later: a new session.
    let karim = staff(&app, KARIM).await;
    let later = karim.get("/backoffice/cuisine?jour=2026-11-26").await;
    assert!(later.contains("Définitif depuis le mardi 24 à 12:00 ; des repas de dernière minute peuvent s&#39;ajouter jusqu&#39;au jeudi 26 à 09:00."), "{}", later.body);

    // Staff of another service see none of it; residents have no back office.
    let luc = staff(&app, "luc.moreau@demo.parvis.fr").await;
    assert!(
        luc.get("/backoffice/cuisine?jour=2026-11-26")
            .await
            .contains("Aucun restaurant scolaire de vos services.")
    );
    let camille = resident(&app).await;
    assert_eq!(camille.get("/backoffice/cuisine").await.status, 403);
}

#[tokio::test]
async fn the_supervisor_marks_presence_and_the_charges_follow() {
    let app = demo_app().await;
    let lea = child(&app, "Léa").await;
    // Luc's son, at the same school, not booked.
    let luc_caller = caller(&app, "luc.moreau@demo.parvis.fr").await;
    family::actions::open_file(&app.kernel, &luc_caller, "3 impasse des Lilas")
        .await
        .unwrap();
    let tom = family::actions::add_child(
        &app.kernel,
        &luc_caller,
        &family::rules::ChildInput {
            given_name: "Tom".into(),
            family_name: "Moreau".into(),
            birth_date: "2017-03-02".into(),
            school: bookings::demo::ELEMENTARY.into(),
            class_name: "CM1".into(),
            diet: "standard".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    set_paris(&app, 2026, 11, 26, 11, 30);
    let karim = staff(&app, KARIM).await;
    let register = format!("/backoffice/pointage?activite={CANTEEN}&jour=2026-11-26");
    let page = karim.get(&register).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.contains("1 enfant attendu"));
    assert!(page.contains("Léa Martin"));
    assert!(page.contains("PAI : suivre le protocole de l&#39;enfant"));
    assert!(page.contains("Allergies : Arachides"));
    assert!(
        page.contains("Tom Moreau"),
        "other pupils can be marked present"
    );
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'bookings.register_viewed'",
            &[]
        )
        .await,
        1
    );
    let mark = |child: &str, presence: &str| {
        let child = child.to_string();
        let presence = presence.to_string();
        let karim = &karim;
        let register = register.clone();
        async move {
            karim
                .submit(
                    &register,
                    "/backoffice/pointage",
                    &[
                        ("activite", CANTEEN),
                        ("jour", "2026-11-26"),
                        ("enfant", child.as_str()),
                        ("presence", presence.as_str()),
                    ],
                )
                .await
        }
    };
    let day_lines = |cents: i64| {
        format!(
            "SELECT COUNT(*) FROM charges WHERE child_id = $1 AND day = '2026-11-26' AND kind = $2 AND cents = {cents}"
        )
    };
    assert_eq!(mark(&lea, "absent").await.status, 303);
    assert_eq!(
        scalar(&app, &day_lines(320), &[&lea, "unjustified_absence"]).await,
        1
    );
    // Excused with a medical certificate: nothing charged for the day.
    let excused = karim
        .submit(
            &register,
            "/backoffice/pointage",
            &[
                ("activite", CANTEEN),
                ("jour", "2026-11-26"),
                ("enfant", lea.as_str()),
                ("presence", "absent"),
                ("excuse", "certificat-medical"),
            ],
        )
        .await;
    assert_eq!(excused.status, 303);
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM charges WHERE child_id = $1 AND day = '2026-11-26'",
            &[&lea]
        )
        .await,
        0
    );
    assert!(
        karim
            .get(&register)
            .await
            .contains("Absent (certificat médical)")
    );
    mark(&lea, "present").await;
    assert_eq!(scalar(&app, &day_lines(320), &[&lea, "booking"]).await, 1);
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM charges WHERE child_id = $1 AND day = '2026-11-26'",
            &[&lea]
        )
        .await,
        1,
        "one line per child and day"
    );
    // Present without a booking: the full cost of the meal, on his own family's account.
    mark(&tom, "present").await;
    assert_eq!(
        scalar(&app, &day_lines(750), &[&tom, "unbooked_presence"]).await,
        1
    );
    let page = karim.get(&register).await;
    assert!(page.contains("Présent"));

    // Staff of another service cannot mark anyone.
    let luc = staff(&app, "luc.moreau@demo.parvis.fr").await;
    let refused = luc
        .submit(
            "/backoffice/signalements/preferences",
            "/backoffice/pointage",
            &[
                ("activite", CANTEEN),
                ("jour", "2026-11-26"),
                ("enfant", lea.as_str()),
                ("presence", "absent"),
            ],
        )
        .await;
    assert_eq!(refused.status, 404);
    assert_eq!(luc.get(&register).await.status, 404);
}

#[tokio::test]
async fn a_full_day_has_a_waiting_list_and_a_freed_place_goes_to_the_first_in_line() {
    let app = demo_app().await;
    let camille = caller(&app, CAMILLE).await;
    let lea = child(&app, "Léa").await;
    let care = "garderie-soir-jules-ferry";
    let friday = date(2026, 11, 27);
    let activity = store::activity_by_code(&app.kernel.db, care)
        .await
        .unwrap()
        .unwrap();
    // 29 of 30 places taken; Léa takes the last.
    sqlx::query("INSERT INTO activity_day_counts (activity_id, day, booked) VALUES ($1, $2, 29)")
        .bind(&activity.id)
        .bind(friday.to_string())
        .execute(app.kernel.db.pool())
        .await
        .unwrap();
    actions::book(&app.kernel, &camille, &lea, care, friday)
        .await
        .unwrap();
    let families = families(&app).await;
    let (first_parent, first_child) = &families[0];
    let (second_parent, second_child) = &families[1];
    // The day is full: booking is refused, waiting is offered.
    assert!(matches!(
        actions::book(&app.kernel, first_parent, first_child, care, friday).await,
        Err(BookingError::Full)
    ));
    let luc = staff(&app, "luc.moreau@demo.parvis.fr").await;
    let month = format!("/famille/reservations/{first_child}?mois=2026-11");
    let page = luc.get(&month).await;
    assert!(page.contains("Liste d&#39;attente du vendredi 27 novembre"));
    let joined = luc
        .submit(
            &month,
            &format!("/famille/reservations/{first_child}"),
            &[
                ("activite", care),
                ("jour", "2026-11-27"),
                ("mois", "2026-11"),
                ("action", "attendre"),
            ],
        )
        .await;
    assert_eq!(joined.status, 303);
    assert!(
        luc.follow(&joined)
            .await
            .contains("En liste d&#39;attente (rang 1)")
    );
    // Joined a moment later: second in line.
    app.clock.advance(jiff::SignedDuration::from_secs(5));
    actions::join_waiting_list(&app.kernel, second_parent, second_child, care, friday)
        .await
        .unwrap();
    // A day with places left has no waiting list.
    assert!(matches!(
        actions::join_waiting_list(
            &app.kernel,
            first_parent,
            first_child,
            care,
            date(2026, 12, 4)
        )
        .await,
        Err(BookingError::Refused(_))
    ));

    // Léa's place is freed: it goes to the first in line, who is told; the second waits on.
    actions::cancel(&app.kernel, &camille, &lea, care, friday)
        .await
        .unwrap();
    let booked = |child: &str| {
        let child = child.to_string();
        let app = &app;
        async move {
            scalar(
                app,
                "SELECT COUNT(*) FROM bookings WHERE child_id = $1 AND day = '2026-11-27' AND status = 'booked'",
                &[&child],
            )
            .await
        }
    };
    assert_eq!(booked(first_child).await, 1);
    assert_eq!(booked(second_child).await, 0);
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM charges WHERE child_id = $1 AND day = '2026-11-27' AND cents = 220",
            &[first_child]
        )
        .await,
        1
    );
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM outbox WHERE recipient = 'luc.moreau@demo.parvis.fr' AND subject LIKE 'Place obtenue%'",
            &[]
        )
        .await,
        1
    );
    assert_eq!(
        store::places_taken(&app.kernel.db, &activity.id, friday)
            .await
            .unwrap(),
        30
    );
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM waiting_list WHERE child_id = $1",
            &[second_child]
        )
        .await,
        1
    );
    // The second leaves the list.
    actions::leave_waiting_list(&app.kernel, second_parent, second_child, care, friday)
        .await
        .unwrap();
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM waiting_list", &[]).await,
        0
    );
}

#[tokio::test]
async fn the_neighbourhood_demo_fills_two_schools() {
    let app = demo_app().await;
    family::demo::seed_neighbourhood(&app.kernel).await.unwrap();
    bookings::demo::seed_neighbourhood(&app.kernel)
        .await
        .unwrap();
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM households", &[]).await,
        40
    );
    assert!(scalar(&app, "SELECT COUNT(*) FROM child_profiles", &[]).await >= 70);
    assert!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM supporting_documents WHERE status = 'pending'",
            &[]
        )
        .await
            >= 10
    );
    // The registers of the last two weeks, with some absences charged.
    assert!(scalar(&app, "SELECT COUNT(*) FROM attendance", &[]).await > 100);
    assert!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM charges WHERE kind = 'unjustified_absence'",
            &[]
        )
        .await
            > 0
    );
    // The kitchen's Thursday: both schools have their meals.
    let karim = staff(&app, KARIM).await;
    let kitchen = karim.get("/backoffice/cuisine?jour=2026-11-26").await;
    assert!(
        !kitchen.contains("<strong>0 repas</strong>"),
        "{}",
        kitchen.body
    );
    // Seeding again changes nothing.
    family::demo::seed_neighbourhood(&app.kernel).await.unwrap();
    bookings::demo::seed_neighbourhood(&app.kernel)
        .await
        .unwrap();
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM households", &[]).await,
        40
    );
}

#[tokio::test]
async fn a_manager_previews_a_rule_over_the_coming_weeks_before_saving_it() {
    let app = demo_app().await;
    let claire = staff(&app, "claire.rousseau@demo.parvis.fr").await;
    let page_path = format!("/backoffice/activites/{CANTEEN}");
    let page = claire.get(&page_path).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.contains(
        "id=\"booking-jours-ouvres\" name=\"booking_type\" value=\"jours-ouvres\" checked"
    ));
    // Today's rule: Thursday 26's meal closes on Tuesday 24 at noon.
    assert!(page.contains("<th scope=\"row\">jeudi 26</th><td>mardi 24 à 12:00</td>"));
    let form = |action: &'static str| {
        vec![
            ("action", action),
            ("starts_at", "11:45"),
            ("booking_type", "semaine"),
            ("booking_weekday", "mardi"),
            ("booking_weeks", "1"),
            ("booking_time", "23:00"),
            ("cancellation_type", "jours"),
            ("cancellation_days", "1"),
            ("cancellation_time", "15:00"),
            ("late_type", "aucune"),
        ]
    };
    let preview = claire.submit(&page_path, &page_path, &form("apercu")).await;
    assert_eq!(preview.status, 200);
    assert!(preview.contains("Aperçu des règles saisies (non enregistrées)"));
    // Monday 30's meal would close on Tuesday 24 at 23:00, the week before.
    assert!(preview.contains("<th scope=\"row\">lundi 30</th><td>mardi 24 à 23:00</td><td>dimanche 29 à 15:00</td><td>—</td>"));
    assert!(matches!(
        canteen_rules(&app).await.booking,
        bookings::deadlines::Cutoff::WorkingDaysBefore { .. }
    ));
    let mut wrong = form("enregistrer");
    wrong[6] = ("booking_time", "midi");
    let refused = claire.submit(&page_path, &page_path, &wrong).await;
    assert_eq!(refused.status, 422);
    assert!(refused.contains("href=\"#booking_time\""));
    let saved = claire
        .submit(&page_path, &page_path, &form("enregistrer"))
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let rules = canteen_rules(&app).await;
    assert!(matches!(
        rules.booking,
        bookings::deadlines::Cutoff::Anchored { .. }
    ));
    assert!(rules.late.is_none());
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'bookings.rules_changed'",
            &[]
        )
        .await,
        1
    );
    // Parents now meet the new deadline.
    let camille = caller(&app, CAMILLE).await;
    let lea = child(&app, "Léa").await;
    assert!(
        actions::book(&app.kernel, &camille, &lea, CANTEEN, date(2026, 11, 27))
            .await
            .is_err(),
        "Friday 27 closed last Tuesday at 23:00"
    );
    // An agent of the service sees the activities but does not change their rules.
    let karim = staff(&app, KARIM).await;
    assert!(
        karim
            .get("/backoffice/activites")
            .await
            .contains("Restaurant scolaire")
    );
    assert_eq!(karim.get(&page_path).await.status, 404);
}

async fn canteen_rules(app: &TestApp) -> bookings::deadlines::BookingRules {
    store::activity_by_code(&app.kernel.db, CANTEEN)
        .await
        .unwrap()
        .unwrap()
        .rules
}

#[tokio::test]
async fn the_personal_space_shows_the_next_booked_days_and_the_procedures() {
    let app = demo_app().await;
    let camille = resident(&app).await;
    let space = camille.get("/mon-espace").await;
    assert_eq!(space.status, 200);
    // Léa's weekly pattern: Thursday 26 comes first.
    assert!(
        space.contains(
            "Léa — jeudi 26 novembre : Restaurant scolaire — École élémentaire Jules-Ferry"
        ),
        "{}",
        space.body
    );
    assert!(space.contains("Mes démarches"));
    assert!(space.contains("href=\"/mes-demandes\""));
    // No placeholder claims what the commune does not hold.
    assert!(!space.contains("Vous n&#39;avez aucune facture."));
    let luc = staff(&app, "luc.moreau@demo.parvis.fr").await;
    assert!(
        luc.get("/mon-espace")
            .await
            .contains("Ouvrez votre dossier famille pour réserver")
    );
}

#[tokio::test]
async fn the_family_service_reads_why_a_line_costs_what_it_costs() {
    let app = demo_app().await;
    let camille = caller(&app, CAMILLE).await;
    let lea = child(&app, "Léa").await;
    // Tuesday 24 at the last-minute price: 3,20 € + 1,00 €.
    actions::book(&app.kernel, &camille, &lea, CANTEEN, date(2026, 11, 24))
        .await
        .unwrap();
    let household: String =
        sqlx::query_scalar("SELECT household_id FROM household_members WHERE person_id = $1")
            .bind(&lea)
            .fetch_one(app.kernel.db.pool())
            .await
            .unwrap();
    let karim = staff(&app, KARIM).await;
    let file = karim
        .get(&format!("/backoffice/familles/{household}"))
        .await;
    assert!(file.contains(&format!("href=\"/backoffice/familles/{household}/compte\"")));
    let account = karim
        .get(&format!(
            "/backoffice/familles/{household}/compte?mois=2026-11"
        ))
        .await;
    assert_eq!(account.status, 200, "{}", account.body);
    assert!(account.contains("Famille Martin"));
    assert!(account.contains(
        "réservé le lundi 23 à 09:30, après la clôture normale du vendredi 20 à 12:00 : dernière minute, possible jusqu&#39;au mardi 24 à 09:00"
    ), "{}", account.body);
    assert!(account.contains("4,20 €"));
    let audited: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'family.file_viewed' AND details LIKE '%account%'",
    )
    .fetch_one(app.kernel.db.pool())
    .await
    .unwrap();
    assert_eq!(audited, 1);
    // Neither another agent nor a family reads it.
    let luc = staff(&app, "luc.moreau@demo.parvis.fr").await;
    assert_eq!(
        luc.get(&format!("/backoffice/familles/{household}/compte"))
            .await
            .status,
        403
    );
    let family = resident(&app).await;
    assert_eq!(
        family
            .get(&format!("/backoffice/familles/{household}/compte"))
            .await
            .status,
        403
    );
}
