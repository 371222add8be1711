//! Problem reports: filing (anonymous and signed in), the no-personal-data rule, routing by
//! category and district, status changes with their notifications, and live events.

use std::collections::BTreeMap;

use parvis::testing::{caller, demo_app};
use reports::actions::{self, NewReport, ReportError, StatusChange};
use reports::model::{Point, Status};
use reports::store;
use sqlx::Row;

fn near_mairie() -> Option<Point> {
    Point::new(45.7641, 4.8357)
}

fn pothole(point: Option<Point>) -> NewReport {
    let mut answers = BTreeMap::new();
    answers.insert("danger".to_string(), vec!["oui".to_string()]);
    NewReport {
        category_code: "nid-de-poule".into(),
        point,
        address: "Place de la Mairie, 00000 Démo".into(),
        description: "Un trou profond devant la fontaine.".into(),
        answers,
        ..NewReport::default()
    }
}

async fn outbox_to(app: &parvis::testing::TestApp, to: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE recipient = $1")
        .bind(to)
        .fetch_one(app.kernel.db.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn an_anonymous_report_stores_no_personal_data() {
    let app = demo_app().await;
    let filed = actions::file_report(
        &app.kernel,
        &kernel::Caller::default(),
        pothole(near_mairie()),
    )
    .await
    .unwrap();
    let row = sqlx::query(
        "SELECT author_user_id, author_email, description, address, tracking_hash FROM reports WHERE id = $1",
    )
    .bind(&filed.report.id)
    .fetch_one(app.kernel.db.pool())
    .await
    .unwrap();
    assert_eq!(row.get::<Option<String>, _>(0), None);
    assert_eq!(row.get::<Option<String>, _>(1), None);
    // The tracking token itself is never stored, only its hash.
    let hash: String = row.get(4);
    assert_ne!(hash, filed.tracking_token);
    assert_eq!(hash, actions::hash_token(&filed.tracking_token));
    // No column of the row holds an IP address or a name.
    let all: String = sqlx::query_scalar(
        "SELECT reference || ' ' || status || ' ' || address || ' ' || description || ' ' || answers || ' ' || source || ' ' || agency || ' ' || status_note FROM reports WHERE id = $1",
    )
    .bind(&filed.report.id)
    .fetch_one(app.kernel.db.pool())
    .await
    .unwrap();
    assert!(!all.contains("127.0.0.1"), "{all}");
    let subscriptions: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM report_subscriptions WHERE report_id = $1")
            .bind(&filed.report.id)
            .fetch_one(app.kernel.db.pool())
            .await
            .unwrap();
    assert_eq!(subscriptions, 0);
}

#[tokio::test]
async fn reports_are_routed_by_category_and_district() {
    let app = demo_app().await;
    let anonymous = kernel::Caller::default();
    let voirie = accounts::store::service_by_slug(&app.kernel.db, "voirie")
        .await
        .unwrap()
        .unwrap();
    let police = accounts::store::service_by_slug(&app.kernel.db, "police-municipale")
        .await
        .unwrap()
        .unwrap();
    let north = accounts::store::team_by_slug(&app.kernel.db, &voirie.id, "equipe-nord")
        .await
        .unwrap()
        .unwrap();
    // In Les Coteaux: the north crew.
    let filed = actions::file_report(
        &app.kernel,
        &anonymous,
        pothole(Point::new(45.7712, 4.8321)),
    )
    .await
    .unwrap();
    assert_eq!(filed.report.service_id.as_deref(), Some(voirie.id.as_str()));
    assert_eq!(filed.report.team_id.as_deref(), Some(north.id.as_str()));
    // In the centre: the roads service, no team.
    let filed = actions::file_report(&app.kernel, &anonymous, pothole(near_mairie()))
        .await
        .unwrap();
    assert_eq!(filed.report.team_id, None);
    // Parking goes to the municipal police wherever it is.
    let parking = NewReport {
        category_code: "stationnement".into(),
        point: Point::new(45.7712, 4.8321),
        description: "Voiture sur le trottoir.".into(),
        ..NewReport::default()
    };
    let filed = actions::file_report(&app.kernel, &anonymous, parking)
        .await
        .unwrap();
    assert_eq!(filed.report.service_id.as_deref(), Some(police.id.as_str()));
    // Water goes to the roads service, naming the external body in charge.
    let water = NewReport {
        category_code: "eau".into(),
        point: near_mairie(),
        ..NewReport::default()
    };
    let filed = actions::file_report(&app.kernel, &anonymous, water)
        .await
        .unwrap();
    assert!(filed.report.agency.contains("Métropole"));
}

#[tokio::test]
async fn bad_reports_are_refused_field_by_field_and_change_nothing() {
    let app = demo_app().await;
    let before = store::count_reports(&app.kernel.db, &store::ReportFilter::default())
        .await
        .unwrap();
    let outside = NewReport {
        category_code: "inconnue".into(),
        point: Point::new(48.8566, 2.3522),
        description: "<b>gras</b>".into(),
        email: Some("pas-une-adresse".into()),
        ..NewReport::default()
    };
    let Err(ReportError::Invalid(problems)) =
        actions::file_report(&app.kernel, &kernel::Caller::default(), outside).await
    else {
        panic!("refused");
    };
    let fields: Vec<&str> = problems.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(fields, ["category", "location", "description", "email"]);
    assert!(problems[1].1.contains("en dehors de la commune"));
    // A required extra question left unanswered names its field.
    let mut missing = pothole(near_mairie());
    missing.answers.clear();
    let Err(ReportError::Invalid(problems)) =
        actions::file_report(&app.kernel, &kernel::Caller::default(), missing).await
    else {
        panic!("refused");
    };
    assert_eq!(problems[0].0, "attribute.danger");
    let after = store::count_reports(&app.kernel.db, &store::ReportFilter::default())
        .await
        .unwrap();
    assert_eq!(before, after);
}

#[tokio::test]
async fn the_team_is_told_by_mail_and_subscribers_of_each_public_change() {
    let app = demo_app().await;
    let before_luc = outbox_to(&app, "luc.moreau@demo.parvis.fr").await;
    let mut report = pothole(Point::new(45.7712, 4.8321));
    report.email = Some("Voisin@Exemple.fr".into());
    let filed = actions::file_report(&app.kernel, &kernel::Caller::default(), report)
        .await
        .unwrap();
    assert_eq!(
        filed.report.author_email.as_deref(),
        Some("voisin@exemple.fr")
    );
    // Luc is in the north crew: one mail. Yannick (south crew) gets none.
    assert_eq!(
        outbox_to(&app, "luc.moreau@demo.parvis.fr").await,
        before_luc + 1
    );
    let before_author = outbox_to(&app, "voisin@exemple.fr").await;
    assert_eq!(before_author, 1, "the receipt with the tracking link");
    let luc = caller(&app, "luc.moreau@demo.parvis.fr").await;
    actions::change_status(
        &app.kernel,
        &luc,
        &filed.report.id,
        StatusChange {
            to: Status::InProgress,
            message: "Rebouchage prévu demain.".into(),
            photo: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(outbox_to(&app, "voisin@exemple.fr").await, 2);
    // A rejection needs a reason; a move backwards is refused.
    let refused = actions::change_status(
        &app.kernel,
        &luc,
        &filed.report.id,
        StatusChange {
            to: Status::Rejected,
            message: String::new(),
            photo: None,
        },
    )
    .await;
    assert!(matches!(refused, Err(ReportError::Invalid(_))));
    let backwards = actions::change_status(
        &app.kernel,
        &luc,
        &filed.report.id,
        StatusChange {
            to: Status::Acknowledged,
            message: String::new(),
            photo: None,
        },
    )
    .await;
    assert!(matches!(backwards, Err(ReportError::Conflict(_))));
    // An agent of another service cannot touch it.
    let sophie = caller(&app, "sophie.bernard@demo.parvis.fr").await;
    let other = actions::change_status(
        &app.kernel,
        &sophie,
        &filed.report.id,
        StatusChange {
            to: Status::Resolved,
            message: String::new(),
            photo: None,
        },
    )
    .await;
    assert!(matches!(other, Err(ReportError::NotFound)));
    let stored = store::report_by_id(&app.kernel.db, &filed.report.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, Status::InProgress);
    assert!(stored.acknowledged_at.is_some());
}

#[tokio::test]
async fn a_new_report_reaches_the_live_channel_of_its_service() {
    let app = demo_app().await;
    let mut events = app.kernel.live.subscribe();
    let filed = actions::file_report(
        &app.kernel,
        &kernel::Caller::default(),
        pothole(near_mairie()),
    )
    .await
    .unwrap();
    let service = filed.report.service_id.clone().unwrap();
    let event = tokio::time::timeout(std::time::Duration::from_secs(1), async {
        loop {
            let event = events.recv().await.unwrap();
            if event.topic == actions::topic_service(&service) {
                return event;
            }
        }
    })
    .await
    .expect("the event arrives within a second");
    assert!(event.payload.contains(&filed.report.id));
}

#[tokio::test]
async fn the_demo_has_reports_in_every_open_and_closed_state() {
    let app = demo_app().await;
    for status in [
        Status::New,
        Status::Acknowledged,
        Status::InProgress,
        Status::Resolved,
        Status::Rejected,
    ] {
        let filter = store::ReportFilter {
            statuses: vec![status],
            ..store::ReportFilter::default()
        };
        let n = store::count_reports(&app.kernel.db, &filter).await.unwrap();
        assert!(n > 0, "{status:?}");
    }
}

#[tokio::test]
async fn control_characters_are_dropped_on_both_databases() {
    let app = demo_app().await;
    let mut report = pothole(near_mairie());
    report.description = "Trou\u{0} profond\u{7}".into();
    report.address = "Place\u{0} de la Mairie".into();
    let filed = actions::file_report(&app.kernel, &kernel::Caller::default(), report)
        .await
        .unwrap();
    let stored = store::report_by_id(&app.kernel.db, &filed.report.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.description, "Trou profond");
    assert_eq!(stored.address, "Place de la Mairie");
    // Search ignores case and accents the same way on SQLite and PostgreSQL.
    let filter = store::ReportFilter {
        text: "PROFOND".into(),
        ..store::ReportFilter::default()
    };
    assert_eq!(
        store::count_reports(&app.kernel.db, &filter).await.unwrap(),
        1
    );
    let filter = store::ReportFilter {
        text: "ecole".into(),
        ..store::ReportFilter::default()
    };
    assert!(
        store::count_reports(&app.kernel.db, &filter).await.unwrap() >= 1,
        "« École » in the demo"
    );
}

/// With PostgreSQL, an agent connected to one instance hears of a report filed through
/// another (LISTEN/NOTIFY); on SQLite there is one instance, and the test has nothing to
/// prove.
#[tokio::test]
async fn live_events_cross_instances_on_postgresql() {
    let app = demo_app().await;
    if app.kernel.db.backend() != kernel::Backend::Postgres {
        return;
    }
    let other = parvis::start(
        app.kernel.config.clone(),
        std::sync::Arc::new(kernel::clock::SystemClock),
    )
    .await
    .expect("a second instance on the same database");
    let mut events = other.live.subscribe();
    let filed = actions::file_report(
        &app.kernel,
        &kernel::Caller::default(),
        pothole(near_mairie()),
    )
    .await
    .unwrap();
    let topic = actions::topic_service(filed.report.service_id.as_deref().unwrap());
    let event = tokio::time::timeout(std::time::Duration::from_secs(1), async {
        loop {
            let event = events.recv().await.unwrap();
            if event.topic == topic {
                return event;
            }
        }
    })
    .await
    .expect("the other instance hears of it within a second");
    assert!(event.payload.contains(&filed.report.id));
    other.db.close().await;
}
