//! Alternating custody, on SQLite (and PostgreSQL when PARVIS_TEST_POSTGRES_URL is set):
//! the family service links Léa to her other parent's household; each household books
//! and pays for its own days, neither cancels the other's, and the link is undone when
//! custody changes. The clock starts on Monday 23 November 2026 at 9:30 in Paris.

use bookings::actions::{self, BookingError};
use jiff::civil::date;
use parvis::testing::{TestApp, caller, demo_app, resident, staff};

const CAMILLE: &str = "camille.martin@demo.parvis.fr";
const LUC: &str = "luc.moreau@demo.parvis.fr";
const CANTEEN: &str = "cantine-elementaire-jules-ferry";

async fn child(app: &TestApp, given_name: &str) -> String {
    sqlx::query_scalar("SELECT id FROM family_people WHERE given_name = $1 AND kind = 'child'")
        .bind(given_name)
        .fetch_one(app.kernel.db.pool())
        .await
        .unwrap()
}

async fn households(app: &TestApp, child: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM household_members WHERE person_id = $1 AND role = 'child'",
    )
    .bind(child)
    .fetch_one(app.kernel.db.pool())
    .await
    .unwrap()
}

#[tokio::test]
async fn each_household_books_and_pays_its_own_days_of_a_shared_child() {
    let app = demo_app().await;
    let lea = child(&app, "Léa").await;
    let hugo = child(&app, "Hugo").await;
    let martins: String =
        sqlx::query_scalar("SELECT household_id FROM household_members WHERE person_id = $1")
            .bind(&lea)
            .fetch_one(app.kernel.db.pool())
            .await
            .unwrap();
    let file = format!("/backoffice/familles/{martins}");
    let attach = format!("{file}/garde-alternee");

    let karim = staff(&app, "karim.haddad@demo.parvis.fr").await;
    let page = karim.get(&file).await;
    assert!(page.contains("Garde alternée"));

    // Luc has no family file yet: the agent is told what to ask.
    let early = karim
        .submit(
            &file,
            &attach,
            &[("child", lea.as_str()), ("other_parent", LUC)],
        )
        .await;
    assert_eq!(early.status, 422);
    assert!(early.contains("n&#39;a pas encore ouvert de dossier famille"));
    assert!(
        early.contains("id=\"other_parent-erreur\""),
        "{}",
        early.body
    );
    assert_eq!(households(&app, &lea).await, 1);

    let luc = staff(&app, LUC).await;
    luc.submit(
        "/famille",
        "/famille",
        &[("address", "3 impasse des Lilas")],
    )
    .await;
    let linked = karim
        .submit(
            &file,
            &attach,
            &[("child", lea.as_str()), ("other_parent", LUC)],
        )
        .await;
    assert_eq!(linked.status, 303, "{}", linked.body);
    assert_eq!(households(&app, &lea).await, 2);
    let again = karim
        .submit(
            &file,
            &attach,
            &[("child", lea.as_str()), ("other_parent", LUC)],
        )
        .await;
    assert_eq!(again.status, 422);
    assert!(again.contains("déjà rattaché"));
    let audited: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'family.child_attached'")
            .fetch_one(app.kernel.db.pool())
            .await
            .unwrap();
    assert_eq!(audited, 1);
    assert!(karim.get(&file).await.contains("appartient aussi à"));

    // A parent is no agent.
    let camille_client = resident(&app).await;
    let forbidden = camille_client
        .submit(
            "/famille",
            &attach,
            &[("child", hugo.as_str()), ("other_parent", LUC)],
        )
        .await;
    assert_eq!(forbidden.status, 403);

    // Luc books Friday for Léa, in his household, at his household's price (no quotient
    // given: the top bracket); Hugo is not his.
    let luc_caller = caller(&app, LUC).await;
    let camille = caller(&app, CAMILLE).await;
    let friday = date(2026, 11, 27);
    actions::book(&app.kernel, &luc_caller, &lea, CANTEEN, friday)
        .await
        .unwrap();
    assert!(matches!(
        actions::book(&app.kernel, &luc_caller, &hugo, CANTEEN, friday).await,
        Err(BookingError::NotFound)
    ));
    assert_eq!(
        luc.get(&format!("/famille/reservations/{hugo}"))
            .await
            .status,
        404
    );
    let luc_account = luc.get("/famille/compte?mois=2026-11").await;
    assert!(luc_account.contains("Léa"));
    assert!(luc_account.contains("4,49"));

    // Camille sees the day taken by the other household, and can neither book nor cancel it.
    let month = camille_client
        .get(&format!("/famille/reservations/{lea}?mois=2026-11"))
        .await;
    assert!(month.contains("Réservé par l&#39;autre foyer de l&#39;enfant"));
    for outcome in [
        actions::book(&app.kernel, &camille, &lea, CANTEEN, friday)
            .await
            .map(|_| ()),
        actions::cancel(&app.kernel, &camille, &lea, CANTEEN, friday)
            .await
            .map(|_| ()),
    ] {
        match outcome {
            Err(BookingError::Refused(why)) => assert!(why.contains("autre foyer"), "{why}"),
            other => panic!("{other:?}"),
        }
    }
    // Each household's account holds its own days only.
    assert!(luc_account.contains("vendredi 27 novembre"));
    let camille_account = camille_client.get("/famille/compte?mois=2026-11").await;
    assert!(!camille_account.contains("vendredi 27 novembre"));
    actions::book(&app.kernel, &camille, &lea, CANTEEN, date(2026, 12, 4))
        .await
        .unwrap();
    let luc_household: String = sqlx::query_scalar(
        "SELECT household_id FROM charges WHERE child_id = $1 AND day = '2026-11-27'",
    )
    .bind(&lea)
    .fetch_one(app.kernel.db.pool())
    .await
    .unwrap();
    assert_ne!(luc_household, martins);
    let december_4: String = sqlx::query_scalar(
        "SELECT household_id FROM charges WHERE child_id = $1 AND day = '2026-12-04'",
    )
    .bind(&lea)
    .fetch_one(app.kernel.db.pool())
    .await
    .unwrap();
    assert_eq!(december_4, martins);

    // Custody changes: Léa leaves Luc's household; his coming Friday is cancelled free of
    // charge with it, and her last household always keeps her.
    let detach = karim
        .submit(
            &file,
            &format!("/backoffice/familles/{luc_household}/enfants/{lea}/detacher"),
            &[],
        )
        .await;
    assert_eq!(detach.status, 303);
    assert_eq!(
        detach.header("location"),
        Some(format!("{file}#garde").as_str())
    );
    assert_eq!(households(&app, &lea).await, 1);
    assert_eq!(
        luc.get(&format!("/famille/reservations/{lea}"))
            .await
            .status,
        404
    );
    let luc_lines: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM charges WHERE household_id = $1")
        .bind(&luc_household)
        .fetch_one(app.kernel.db.pool())
        .await
        .unwrap();
    assert_eq!(luc_lines, 0);
    // The day is free again for the household that keeps her.
    actions::book(&app.kernel, &camille, &lea, CANTEEN, friday)
        .await
        .unwrap();
    karim
        .submit(&file, &format!("{file}/enfants/{lea}/detacher"), &[])
        .await;
    assert_eq!(households(&app, &lea).await, 1);
}

#[tokio::test]
async fn one_households_late_cancellation_stays_when_the_other_books_the_day() {
    let app = demo_app().await;
    let lea = child(&app, "Léa").await;
    let luc = staff(&app, LUC).await;
    luc.submit(
        "/famille",
        "/famille",
        &[("address", "3 impasse des Lilas")],
    )
    .await;
    let karim = caller(&app, "karim.haddad@demo.parvis.fr").await;
    let martins: String =
        sqlx::query_scalar("SELECT household_id FROM household_members WHERE person_id = $1")
            .bind(&lea)
            .fetch_one(app.kernel.db.pool())
            .await
            .unwrap();
    family::custody::attach_to_other_parent(&app.kernel, &karim, &martins, &lea, LUC)
        .await
        .unwrap();

    // Wednesday 25 at 10:00: the Martins cancel Thursday 26 (booked by their weekly
    // pattern) after the free cancellation closed: the meal stays charged to them.
    let now = app.kernel.now();
    let wednesday = date(2026, 11, 25)
        .at(10, 0, 0, 0)
        .to_zoned(bookings::deadlines::paris())
        .unwrap()
        .timestamp();
    app.clock.advance(wednesday.duration_since(now));
    let camille = caller(&app, CAMILLE).await;
    let thursday = date(2026, 11, 26);
    let cancelled = actions::cancel(&app.kernel, &camille, &lea, CANTEEN, thursday)
        .await
        .unwrap();
    assert!(cancelled.charged_cents.is_some());
    // Luc's household books the day (at the last-minute price): the Martins' line stays.
    let luc_caller = caller(&app, LUC).await;
    let booked = actions::book(&app.kernel, &luc_caller, &lea, CANTEEN, thursday)
        .await
        .unwrap();
    assert!(booked.late);
    let lines: Vec<(String, String)> = sqlx::query_as(
        "SELECT household_id, kind FROM charges WHERE child_id = $1 AND day = '2026-11-26' ORDER BY kind",
    )
    .bind(&lea)
    .fetch_all(app.kernel.db.pool())
    .await
    .unwrap();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines
            .iter()
            .any(|(h, k)| *h == martins && k == "late_cancellation")
    );
    assert!(
        lines
            .iter()
            .any(|(h, k)| *h != martins && k == "late_booking")
    );
}
