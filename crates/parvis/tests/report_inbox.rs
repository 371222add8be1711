//! The agents' side of reports: who sees which report, every handling action with its
//! history, audit and notification rows, merging, moderation, the field view nearest
//! first, the notice preference, and the live inbox.

use std::collections::BTreeMap;
use std::time::Duration;

use parvis::testing::{TestApp, TestClient, caller, demo_app, resident, staff};
use reports::actions::{self, NewReport};
use reports::model::{Point, Status, UpdateKind};
use reports::store;

const LUC: &str = "luc.moreau@demo.parvis.fr";
const YANNICK: &str = "yannick.roux@demo.parvis.fr";
const SOPHIE: &str = "sophie.bernard@demo.parvis.fr";
const ADMIN: &str = "admin@demo.parvis.fr";

/// A 2×2 PNG carrying a text chunk, as a phone's photo carries its device name.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x08, 0x02, 0x00, 0x00, 0x00, 0xfd, 0xd4, 0x9a,
    0x73, 0x00, 0x00, 0x00, 0x15, 0x74, 0x45, 0x58, 0x74, 0x43, 0x6f, 0x6d, 0x6d, 0x65, 0x6e, 0x74,
    0x00, 0x73, 0x65, 0x63, 0x72, 0x65, 0x74, 0x2d, 0x64, 0x65, 0x76, 0x69, 0x63, 0x65, 0x1e, 0x38,
    0x84, 0x24, 0x00, 0x00, 0x00, 0x10, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0,
    0x00, 0x44, 0x0c, 0x10, 0x0a, 0x00, 0x1f, 0xee, 0x03, 0xfd, 0x8b, 0x5f, 0x14, 0xd4, 0x00, 0x00,
    0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// Places of the demo commune: Les Coteaux (north crew), the centre (no team), La Plaine
/// (south crew).
fn coteaux() -> Option<Point> {
    Point::new(45.7712, 4.8321)
}
fn centre() -> Option<Point> {
    Point::new(45.7641, 4.8357)
}
fn plaine() -> Option<Point> {
    Point::new(45.7552, 4.8344)
}

fn pothole(point: Option<Point>, description: &str, email: Option<&str>) -> NewReport {
    let mut answers = BTreeMap::new();
    answers.insert("danger".to_string(), vec!["oui".to_string()]);
    NewReport {
        category_code: "nid-de-poule".into(),
        point,
        address: "Chemin des Vignes, 00000 Démo".into(),
        description: description.into(),
        answers,
        email: email.map(str::to_string),
        ..NewReport::default()
    }
}

async fn file(app: &TestApp, new: NewReport) -> reports::model::Report {
    actions::file_report(&app.kernel, &kernel::Caller::default(), new)
        .await
        .expect("filed")
        .report
}

async fn report(app: &TestApp, id: &str) -> reports::model::Report {
    store::report_by_id(&app.kernel.db, id)
        .await
        .unwrap()
        .expect("the report")
}

async fn outbox_to(app: &TestApp, to: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE recipient = $1")
        .bind(to)
        .fetch_one(app.kernel.db.pool())
        .await
        .unwrap()
}

async fn audited(app: &TestApp, action: &str, target: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1 AND target_id = $2")
        .bind(action)
        .bind(target)
        .fetch_one(app.kernel.db.pool())
        .await
        .unwrap()
}

async fn subscriptions(app: &TestApp, report_id: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM report_subscriptions WHERE report_id = $1")
        .bind(report_id)
        .fetch_one(app.kernel.db.pool())
        .await
        .unwrap()
}

/// The entry of this kind in a history (the test clock stands still: entries share
/// their instant).
fn latest(updates: &[reports::model::Update], kind: UpdateKind) -> &reports::model::Update {
    updates
        .iter()
        .find(|u| u.kind == kind)
        .expect("an entry of that kind")
}

fn detail(id: &str) -> String {
    format!("/backoffice/signalements/{id}")
}

/// Posts a form of the report's page with the page's CSRF token.
async fn post(
    client: &TestClient,
    id: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> parvis::testing::TestResponse {
    client
        .submit(&detail(id), &format!("{}/{action}", detail(id)), fields)
        .await
}

async fn post_status(
    client: &TestClient,
    id: &str,
    fields: &[(&str, &str)],
    photo: Option<&[u8]>,
) -> parvis::testing::TestResponse {
    let page = client.get(&detail(id)).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let token = page.csrf();
    let mut all = vec![("csrf_token", token.as_str())];
    all.extend_from_slice(fields);
    let files: Vec<(&str, &str, &[u8])> = photo
        .map(|bytes| vec![("photo", "intervention.png", bytes)])
        .unwrap_or_default();
    client
        .post_multipart(&format!("{}/statut", detail(id)), &all, &files)
        .await
}

/// True when the agent's inbox (open reports, any filter left empty) lists it.
async fn open_reference(client: &TestClient, reference: &str) -> bool {
    client
        .get("/backoffice/signalements")
        .await
        .contains(reference)
}

#[tokio::test]
async fn agents_see_the_reports_of_their_services_only() {
    let app = demo_app().await;
    let north = file(&app, pothole(coteaux(), "Trou au nord.", None)).await;
    let parking = file(
        &app,
        NewReport {
            category_code: "stationnement".into(),
            point: centre(),
            address: "Rue Pasteur, 00000 Démo".into(),
            description: "Camionnette sur le passage piéton.".into(),
            ..NewReport::default()
        },
    )
    .await;
    let luc = staff(&app, LUC).await;
    let inbox = luc.get("/backoffice/signalements").await;
    assert_eq!(inbox.status, 200, "{}", inbox.body);
    assert!(inbox.contains(&north.reference));
    assert!(!inbox.contains(&parking.reference), "a police report");
    assert!(inbox.contains("aria-live=\"polite\""));
    assert_eq!(luc.get(&detail(&north.id)).await.status, 200);
    assert_eq!(luc.get(&detail(&parking.id)).await.status, 404);
    // An agent of the registry office sees none of them.
    let sophie = staff(&app, SOPHIE).await;
    let inbox = sophie.get("/backoffice/signalements").await;
    assert_eq!(inbox.status, 200);
    assert!(!inbox.contains(&north.reference));
    assert_eq!(sophie.get(&detail(&north.id)).await.status, 404);
    let refused = sophie
        .post_form(
            &format!("{}/note", detail(&north.id)),
            &[("csrf_token", &inbox.csrf()), ("note", "Pas mon service.")],
        )
        .await;
    assert_eq!(refused.status, 404);
    // Residents and visitors never reach it.
    assert_eq!(
        resident(&app)
            .await
            .get("/backoffice/signalements")
            .await
            .status,
        403
    );
    let visitor = app.client().get(&detail(&north.id)).await;
    assert_eq!(visitor.status, 303);
    // The back office's home links to the inbox.
    let home = luc.get("/backoffice").await;
    assert!(home.contains("href=\"/backoffice/signalements\""));
}

#[tokio::test]
async fn the_inbox_filters_by_team_status_category_district_and_words_and_counts() {
    let app = demo_app().await;
    let north = file(&app, pothole(coteaux(), "Trou près des vignes.", None)).await;
    let centre_report = file(&app, pothole(centre(), "Trou devant la fontaine.", None)).await;
    let south = file(&app, pothole(plaine(), "Trou route de Lyon.", None)).await;
    let luc = staff(&app, LUC).await;
    let mine = luc.get("/backoffice/signalements?equipe=miennes").await;
    assert!(mine.contains(&north.reference));
    assert!(!mine.contains(&centre_report.reference));
    assert!(!mine.contains(&south.reference));
    let none = luc.get("/backoffice/signalements?equipe=aucune").await;
    assert!(none.contains(&centre_report.reference));
    assert!(!none.contains(&north.reference));
    let words = luc.get("/backoffice/signalements?q=fontaine").await;
    assert!(words.contains(&centre_report.reference));
    assert!(!words.contains(&north.reference));
    // A top-level category brings its sub-categories.
    let voirie = store::category_by_code(&app.kernel.db, "voirie")
        .await
        .unwrap()
        .unwrap();
    let by_category = luc
        .get(&format!("/backoffice/signalements?categorie={}", voirie.id))
        .await;
    assert!(by_category.contains(&south.reference));
    let street_light = store::category_by_code(&app.kernel.db, "lampadaire")
        .await
        .unwrap()
        .unwrap();
    let lamp = store::list_reports(
        &app.kernel.db,
        &store::ReportFilter {
            category_ids: vec![street_light.id],
            limit: 1,
            ..store::ReportFilter::default()
        },
    )
    .await
    .unwrap()
    .remove(0);
    assert!(!by_category.contains(&lamp.reference));
    assert!(open_reference(&luc, &lamp.reference).await);
    let districts = store::districts(&app.kernel.db).await.unwrap();
    let plaine = districts.iter().find(|d| d.slug == "la-plaine").unwrap();
    let by_district = luc
        .get(&format!("/backoffice/signalements?quartier={}", plaine.id))
        .await;
    assert!(by_district.contains(&south.reference));
    assert!(!by_district.contains(&north.reference));
    // Closed reports only when asked for; the counts say how many in each status.
    let resolved = store::list_reports(
        &app.kernel.db,
        &store::ReportFilter {
            statuses: vec![Status::Resolved],
            limit: 1,
            ..store::ReportFilter::default()
        },
    )
    .await
    .unwrap()
    .remove(0);
    let open = luc.get("/backoffice/signalements").await;
    assert!(!open.contains(&resolved.reference));
    let all = luc.get("/backoffice/signalements?statut=resolved").await;
    assert!(all.contains(&resolved.reference));
    assert!(all.contains("Résolu : <strong>"));
    // Oldest first puts the demo's older reports before today's.
    let oldest = luc.get("/backoffice/signalements?ordre=anciens").await;
    let newest = luc.get("/backoffice/signalements").await;
    assert!(oldest.body.find(&south.reference) > oldest.body.find("S-2026-00001"));
    assert!(newest.body.find(&south.reference) < newest.body.find("S-2026-00001"));
}

#[tokio::test]
async fn the_detail_shows_everything_to_the_agent_and_is_audited() {
    let app = demo_app().await;
    let filed = file(
        &app,
        pothole(coteaux(), "Trou profond.", Some("voisine@exemple.fr")),
    )
    .await;
    let luc = staff(&app, LUC).await;
    let page = luc.get(&detail(&filed.id)).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.contains("Anonyme"));
    assert!(page.contains("voisine@exemple.fr"));
    assert!(page.contains("Le trou présente-t-il un danger"));
    assert!(page.contains("1 personne suit ce signalement"));
    assert!(page.contains("openstreetmap.org/?mlat=45.771200"));
    assert_eq!(audited(&app, "reports.view", &filed.id).await, 1);
    // A signed-in author is shown as an account, never by name.
    let camille = caller(&app, "camille.martin@demo.parvis.fr").await;
    let signed = actions::file_report(
        &app.kernel,
        &camille,
        pothole(coteaux(), "Autre trou.", None),
    )
    .await
    .unwrap()
    .report;
    let page = luc.get(&detail(&signed.id)).await;
    assert!(page.contains("Compte"));
    assert!(!page.contains("camille.martin"));
    assert!(!page.contains("Camille"));
}

#[tokio::test]
async fn a_status_change_tells_the_subscribers_and_keeps_the_fix_photo_clean() {
    let app = demo_app().await;
    let filed = file(&app, pothole(coteaux(), "Trou.", Some("voisin@exemple.fr"))).await;
    let luc = staff(&app, LUC).await;
    let before = outbox_to(&app, "voisin@exemple.fr").await;
    // A canned reply fills the message.
    let canned = luc
        .get(&format!(
            "{}?modele=bo-report-canned-in-progress-1",
            detail(&filed.id)
        ))
        .await;
    assert!(
        canned.contains("L&#39;intervention est programmée")
            || canned.contains("L'intervention est programmée")
    );
    let done = post_status(
        &luc,
        &filed.id,
        &[
            ("to", "in_progress"),
            ("message", "Rebouchage demain matin."),
        ],
        Some(PNG),
    )
    .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.location(), Some(detail(&filed.id).as_str()));
    let stored = report(&app, &filed.id).await;
    assert_eq!(stored.status, Status::InProgress);
    assert_eq!(outbox_to(&app, "voisin@exemple.fr").await, before + 1);
    let updates = store::updates_of(&app.kernel.db, &filed.id).await.unwrap();
    let last = latest(&updates, UpdateKind::Status);
    assert_eq!(last.message, "Rebouchage demain matin.");
    assert!(last.public);
    let photos = store::photos_of(&app.kernel.db, &filed.id).await.unwrap();
    assert_eq!(photos.len(), 1);
    assert_eq!(photos[0].update_id.as_deref(), Some(last.id.as_str()));
    let (_, bytes) = kernel::files::read(&app.kernel, &photos[0].file_id)
        .await
        .unwrap()
        .unwrap();
    assert!(!String::from_utf8_lossy(&bytes).contains("secret-device"));
    assert_eq!(audited(&app, "reports.status", &filed.id).await, 1);

    // Refused: a rejection without a reason, a file that is no photo. Input kept,
    // nothing changes.
    let refused = post_status(
        &luc,
        &filed.id,
        &[("to", "rejected"), ("message", "")],
        None,
    )
    .await;
    assert_eq!(refused.status, 422);
    assert!(refused.contains("resume-erreurs"));
    assert!(refused.contains("id=\"message-erreur\""));
    let not_a_photo = post_status(
        &luc,
        &filed.id,
        &[("to", "resolved"), ("message", "Fini, voir la photo.")],
        Some(b"%PDF-1.4 pas une image"),
    )
    .await;
    assert_eq!(not_a_photo.status, 422);
    assert!(not_a_photo.contains("id=\"photo-erreur\""));
    assert!(not_a_photo.contains("Fini, voir la photo."));
    assert_eq!(report(&app, &filed.id).await.status, Status::InProgress);
    assert_eq!(outbox_to(&app, "voisin@exemple.fr").await, before + 1);
}

#[tokio::test]
async fn internal_notes_tell_nobody() {
    let app = demo_app().await;
    let filed = file(&app, pothole(coteaux(), "Trou.", Some("voisin@exemple.fr"))).await;
    let before = outbox_to(&app, "voisin@exemple.fr").await;
    let luc = staff(&app, LUC).await;
    let done = post(
        &luc,
        &filed.id,
        "note",
        &[("note", "Voir avec l'équipe du matin.")],
    )
    .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let updates = store::updates_of(&app.kernel.db, &filed.id).await.unwrap();
    let note = updates.iter().find(|u| u.kind == UpdateKind::Note).unwrap();
    assert!(!note.public);
    assert_eq!(note.message, "Voir avec l'équipe du matin.");
    assert_eq!(outbox_to(&app, "voisin@exemple.fr").await, before);
    assert_eq!(audited(&app, "reports.note", &filed.id).await, 1);
    let page = luc.get(&detail(&filed.id)).await;
    assert!(
        page.contains("Voir avec l&#39;équipe du matin.")
            || page.contains("Voir avec l'équipe du matin.")
    );
    assert!(page.contains("interne"));
    let empty = post(&luc, &filed.id, "note", &[("note", "  ")]).await;
    assert_eq!(empty.status, 422);
    assert!(empty.contains("id=\"note-erreur\""));
}

#[tokio::test]
async fn re_categorising_keeps_the_answers() {
    let app = demo_app().await;
    let filed = file(&app, pothole(coteaux(), "Trou.", None)).await;
    let sidewalk = store::category_by_code(&app.kernel.db, "trottoir")
        .await
        .unwrap()
        .unwrap();
    let luc = staff(&app, LUC).await;
    let done = post(&luc, &filed.id, "categorie", &[("category", &sidewalk.id)]).await;
    assert_eq!(done.status, 303, "{}", done.body);
    let stored = report(&app, &filed.id).await;
    assert_eq!(stored.category_id, sidewalk.id);
    assert_eq!(stored.answers, filed.answers);
    assert_eq!(audited(&app, "reports.recategorise", &filed.id).await, 1);
    // The former category's question still reads in full.
    assert!(
        luc.get(&detail(&filed.id))
            .await
            .contains("Le trou présente-t-il un danger")
    );
    let unknown = post(&luc, &filed.id, "categorie", &[("category", "inconnue")]).await;
    assert_eq!(unknown.status, 422);
    assert!(unknown.contains("id=\"category-erreur\""));
}

#[tokio::test]
async fn re_routing_moves_the_report_and_its_live_topic() {
    let app = demo_app().await;
    let filed = file(
        &app,
        pothole(
            coteaux(),
            "Voiture ventouse en fait.",
            Some("voisin@exemple.fr"),
        ),
    )
    .await;
    let police = accounts::store::service_by_slug(&app.kernel.db, "police-municipale")
        .await
        .unwrap()
        .unwrap();
    let voirie = filed.service_id.clone().unwrap();
    let mut events = app.kernel.live.subscribe();
    let luc = staff(&app, LUC).await;
    // A team of another service is refused next to its field.
    let south_team = accounts::store::team_by_slug(&app.kernel.db, &voirie, "equipe-sud")
        .await
        .unwrap()
        .unwrap();
    let wrong = post(
        &luc,
        &filed.id,
        "orientation",
        &[
            ("service", &police.id),
            ("team", &south_team.id),
            ("agency", ""),
        ],
    )
    .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.contains("id=\"team-erreur\""));
    let done = post(
        &luc,
        &filed.id,
        "orientation",
        &[("service", &police.id), ("team", ""), ("agency", "")],
    )
    .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.location(), Some("/backoffice/signalements"));
    let stored = report(&app, &filed.id).await;
    assert_eq!(stored.service_id.as_deref(), Some(police.id.as_str()));
    assert_eq!(stored.team_id, None);
    assert_eq!(luc.get(&detail(&filed.id)).await.status, 404);
    assert_eq!(audited(&app, "reports.reroute", &filed.id).await, 1);
    let police_topic = actions::topic_service(&police.id);
    let event = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            let event = events.recv().await.unwrap();
            if event.topic == police_topic {
                return event;
            }
        }
    })
    .await
    .expect("the police inbox hears of it");
    assert!(event.payload.contains(&filed.id));
    // Moves inside the town hall are internal; handing over to an external body is
    // told to the author.
    let before = outbox_to(&app, "voisin@exemple.fr").await;
    let sandrine = staff(&app, "sandrine.colin@demo.parvis.fr").await;
    let handed = post(
        &sandrine,
        &filed.id,
        "orientation",
        &[
            ("service", &police.id),
            ("team", ""),
            ("agency", "Métropole de Démo"),
        ],
    )
    .await;
    assert_eq!(handed.status, 303, "{}", handed.body);
    assert_eq!(report(&app, &filed.id).await.agency, "Métropole de Démo");
    assert_eq!(outbox_to(&app, "voisin@exemple.fr").await, before + 1);
}

#[tokio::test]
async fn merging_moves_subscribers_and_counts_and_tells_the_author() {
    let app = demo_app().await;
    let kept = file(
        &app,
        pothole(coteaux(), "Gros trou.", Some("premier@exemple.fr")),
    )
    .await;
    let duplicate = file(
        &app,
        pothole(coteaux(), "Le même trou.", Some("second@exemple.fr")),
    )
    .await;
    // Two people said « me too » on each.
    sqlx::query("UPDATE reports SET me_too_count = 2 WHERE id = $1 OR id = $2")
        .bind(&kept.id)
        .bind(&duplicate.id)
        .execute(app.kernel.db.pool())
        .await
        .unwrap();
    let mut tx = app.kernel.db.begin().await.unwrap();
    for report_id in [&kept.id, &duplicate.id] {
        store::insert_subscription(
            &mut tx,
            report_id,
            &store::Subscriber {
                user_id: None,
                email: Some("voisin@exemple.fr".into()),
            },
            None,
            app.kernel.now(),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let told_before = outbox_to(&app, "second@exemple.fr").await;
    let luc = staff(&app, LUC).await;
    let unknown = post(
        &luc,
        &duplicate.id,
        "fusion",
        &[("reference", "S-1999-00001")],
    )
    .await;
    assert_eq!(unknown.status, 422);
    assert!(unknown.contains("id=\"reference-erreur\""));
    let itself = post(
        &luc,
        &duplicate.id,
        "fusion",
        &[("reference", &duplicate.reference)],
    )
    .await;
    assert_eq!(itself.status, 422);
    let done = post(
        &luc,
        &duplicate.id,
        "fusion",
        &[("reference", &kept.reference.to_lowercase())],
    )
    .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.location(), Some(detail(&kept.id).as_str()));
    let merged = report(&app, &duplicate.id).await;
    assert_eq!(merged.status, Status::Duplicate);
    assert_eq!(merged.merged_into.as_deref(), Some(kept.id.as_str()));
    assert!(merged.closed_at.is_some());
    let kept_now = report(&app, &kept.id).await;
    assert_eq!(kept_now.me_too_count, 4);
    assert_eq!(subscriptions(&app, &duplicate.id).await, 0);
    // The kept report's author, the duplicate's author; the neighbour once, not twice.
    assert_eq!(subscriptions(&app, &kept.id).await, 3);
    assert_eq!(outbox_to(&app, "second@exemple.fr").await, told_before + 1);
    assert_eq!(audited(&app, "reports.merge", &duplicate.id).await, 1);
    let history = store::updates_of(&app.kernel.db, &duplicate.id)
        .await
        .unwrap();
    let last = latest(&history, UpdateKind::Merged);
    assert!(last.public);
    assert!(last.message.contains(&kept.reference));
    // Nothing merges into a closed report, and a closed report is not merged.
    let other = file(&app, pothole(coteaux(), "Encore un trou.", None)).await;
    let closed = post(
        &luc,
        &other.id,
        "fusion",
        &[("reference", &merged.reference)],
    )
    .await;
    assert_eq!(closed.status, 422);
    assert_eq!(report(&app, &other.id).await.status, Status::New);
}

#[tokio::test]
async fn the_planned_date_is_public_and_announced() {
    let app = demo_app().await;
    let filed = file(&app, pothole(coteaux(), "Trou.", Some("voisin@exemple.fr"))).await;
    let before = outbox_to(&app, "voisin@exemple.fr").await;
    let luc = staff(&app, LUC).await;
    // Tests start on 23/11/2026.
    let past = post(
        &luc,
        &filed.id,
        "intervention",
        &[("planned_on", "2026-11-01")],
    )
    .await;
    assert_eq!(past.status, 422);
    assert!(past.contains("id=\"planned_on-erreur\""));
    let bad = post(&luc, &filed.id, "intervention", &[("planned_on", "demain")]).await;
    assert_eq!(bad.status, 422);
    let done = post(
        &luc,
        &filed.id,
        "intervention",
        &[("planned_on", "2026-12-03")],
    )
    .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let stored = report(&app, &filed.id).await;
    assert_eq!(stored.planned_on, Some(jiff::civil::date(2026, 12, 3)));
    let updates = store::updates_of(&app.kernel.db, &filed.id).await.unwrap();
    let last = latest(&updates, UpdateKind::Planned);
    assert!(last.public);
    assert!(last.message.contains("03/12/2026"));
    assert_eq!(outbox_to(&app, "voisin@exemple.fr").await, before + 1);
    assert!(
        luc.get(&detail(&filed.id))
            .await
            .contains("prévu le 03/12/2026")
    );
    // Withdrawn with an empty field.
    let withdrawn = post(&luc, &filed.id, "intervention", &[("planned_on", "")]).await;
    assert_eq!(withdrawn.status, 303);
    assert_eq!(report(&app, &filed.id).await.planned_on, None);
}

#[tokio::test]
async fn moderation_hides_from_the_public_not_from_the_agent_and_is_audited() {
    let app = demo_app().await;
    let photo = reports::photos::clean(PNG, app.kernel.config.max_upload_bytes).unwrap();
    let mut new = pothole(coteaux(), "Le conducteur de AB-123-CD est un idiot.", None);
    new.photos = vec![photo];
    let filed = actions::file_report(&app.kernel, &kernel::Caller::default(), new)
        .await
        .unwrap();
    let luc = staff(&app, LUC).await;
    let hidden = post(
        &luc,
        &filed.report.id,
        "moderation",
        &[("cible", "description"), ("masquer", "1")],
    )
    .await;
    assert_eq!(hidden.status, 303, "{}", hidden.body);
    // What the tracking page reads says the text is hidden.
    let tracked =
        store::report_by_tracking_hash(&app.kernel.db, &actions::hash_token(&filed.tracking_token))
            .await
            .unwrap()
            .unwrap();
    assert!(tracked.description_hidden);
    let photo_id = store::photos_of(&app.kernel.db, &filed.report.id)
        .await
        .unwrap()[0]
        .id
        .clone();
    let photo_hidden = post(
        &luc,
        &filed.report.id,
        "moderation",
        &[("cible", &photo_id), ("masquer", "1")],
    )
    .await;
    assert_eq!(photo_hidden.status, 303);
    assert!(
        store::photo_by_id(&app.kernel.db, &photo_id)
            .await
            .unwrap()
            .unwrap()
            .hidden
    );
    assert_eq!(audited(&app, "reports.moderate", &filed.report.id).await, 2);
    let moderations = store::updates_of(&app.kernel.db, &filed.report.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|u| u.kind == UpdateKind::Moderated)
        .collect::<Vec<_>>();
    assert_eq!(moderations.len(), 2);
    assert!(moderations.iter().all(|u| !u.public));
    // The agent still reads it, marked as hidden for the public.
    let page = luc.get(&detail(&filed.report.id)).await;
    assert!(page.contains("AB-123-CD"));
    assert!(page.contains("Masqué pour le public"));
    assert!(page.contains("Rendre la photo 1 visible au public"));
    // And shows it again.
    let shown = post(
        &luc,
        &filed.report.id,
        "moderation",
        &[("cible", "description"), ("masquer", "0")],
    )
    .await;
    assert_eq!(shown.status, 303);
    assert!(!report(&app, &filed.report.id).await.description_hidden);
    let unknown = post(
        &luc,
        &filed.report.id,
        "moderation",
        &[("cible", "pas-une-photo"), ("masquer", "1")],
    )
    .await;
    assert_eq!(unknown.status, 404);
}

#[tokio::test]
async fn the_field_view_lists_the_team_nearest_first_with_quick_actions() {
    let app = demo_app().await;
    let luc = staff(&app, LUC).await;
    let carmes = (45.7758, 4.8350);
    let tilleuls = (45.7735, 4.8366);
    let near_carmes = file(
        &app,
        NewReport {
            address: "Montée des Carmes, 00000 Démo".into(),
            ..pothole(
                Point::new(carmes.0, carmes.1),
                "En haut de la montée.",
                None,
            )
        },
    )
    .await;
    let near_tilleuls = file(
        &app,
        NewReport {
            address: "Allée des Tilleuls, 00000 Démo".into(),
            ..pothole(Point::new(tilleuls.0, tilleuls.1), "Dans l'allée.", None)
        },
    )
    .await;
    let south = file(&app, pothole(plaine(), "Au sud.", None)).await;
    let from_carmes = luc
        .get(&format!(
            "/backoffice/signalements/terrain?lat={}&lon={}",
            carmes.0, carmes.1
        ))
        .await;
    assert_eq!(from_carmes.status, 200, "{}", from_carmes.body);
    let at = |page: &parvis::testing::TestResponse, reference: &str| {
        page.body.find(reference).expect("listed")
    };
    assert!(at(&from_carmes, &near_carmes.reference) < at(&from_carmes, &near_tilleuls.reference));
    assert!(!from_carmes.contains(&south.reference), "the south crew's");
    assert!(from_carmes.contains("0 m"));
    let from_tilleuls = luc
        .get(&format!(
            "/backoffice/signalements/terrain?lat={}&lon={}",
            tilleuls.0, tilleuls.1
        ))
        .await;
    assert!(
        at(&from_tilleuls, &near_tilleuls.reference) < at(&from_tilleuls, &near_carmes.reference)
    );
    // Without the phone's position, a street name does.
    let typed = luc
        .get("/backoffice/signalements/terrain?adresse=Mont%C3%A9e+des+Carmes")
        .await;
    assert!(at(&typed, &near_carmes.reference) < at(&typed, &near_tilleuls.reference));
    let unknown = luc
        .get("/backoffice/signalements/terrain?adresse=Xyzzy")
        .await;
    assert!(unknown.contains("id=\"adresse-erreur\""));
    // Yannick's list is the south crew's.
    let yannick = staff(&app, YANNICK).await;
    let south_list = yannick.get("/backoffice/signalements/terrain").await;
    assert!(south_list.contains(&south.reference));
    assert!(!south_list.contains(&near_carmes.reference));
    // A quick action comes back to the same list.
    let token = from_carmes.csrf();
    let lat = carmes.0.to_string();
    let lon = carmes.1.to_string();
    let done = luc
        .post_multipart(
            &format!("{}/statut", detail(&near_carmes.id)),
            &[
                ("csrf_token", &token),
                ("retour", "terrain"),
                ("lat", &lat),
                ("lon", &lon),
                ("adresse", ""),
                ("to", "acknowledged"),
            ],
            &[],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(
        done.location(),
        Some(format!("/backoffice/signalements/terrain?lat={lat}&lon={lon}").as_str())
    );
    assert_eq!(
        report(&app, &near_carmes.id).await.status,
        Status::Acknowledged
    );
    let bad_photo = luc
        .post_multipart(
            &format!("{}/statut", detail(&near_carmes.id)),
            &[
                ("csrf_token", &token),
                ("retour", "terrain"),
                ("to", "resolved"),
            ],
            &[("photo", "x.txt", b"pas une photo")],
        )
        .await;
    assert_eq!(bad_photo.status, 422);
    assert!(bad_photo.contains(&format!("id=\"photo-{}-erreur\"", near_carmes.id)));
    assert_eq!(
        report(&app, &near_carmes.id).await.status,
        Status::Acknowledged
    );
}

#[tokio::test]
async fn the_notice_preference_stops_the_emails() {
    let app = demo_app().await;
    let luc = staff(&app, LUC).await;
    let page = luc.get("/backoffice/signalements/preferences").await;
    assert!(page.contains("id=\"avis-chaque\" name=\"avis\" value=\"chaque\" checked"));
    let before = outbox_to(&app, LUC).await;
    let saved = luc
        .submit(
            "/backoffice/signalements/preferences",
            "/backoffice/signalements/preferences",
            &[("avis", "aucun")],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    file(&app, pothole(coteaux(), "Trou.", None)).await;
    assert_eq!(outbox_to(&app, LUC).await, before);
    let wrong = luc
        .submit(
            "/backoffice/signalements/preferences",
            "/backoffice/signalements/preferences",
            &[("avis", "parfois")],
        )
        .await;
    assert_eq!(wrong.status, 422);
    luc.submit(
        "/backoffice/signalements/preferences",
        "/backoffice/signalements/preferences",
        &[("avis", "chaque")],
    )
    .await;
    file(&app, pothole(coteaux(), "Autre trou.", None)).await;
    assert_eq!(outbox_to(&app, LUC).await, before + 1);
}

/// Reads the event stream until `needle` arrives; returns everything read.
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
async fn the_live_inbox_receives_a_new_report_within_a_second() {
    let app = demo_app().await;
    let luc = staff(&app, LUC).await;
    let sophie = staff(&app, SOPHIE).await;
    let open = |client: &TestClient| {
        client
            .http
            .get(app.url("/backoffice/signalements/flux"))
            .send()
    };
    let mut luc_stream = open(&luc).await.unwrap();
    assert_eq!(luc_stream.status(), 200);
    assert!(
        luc_stream.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let mut sophie_stream = open(&sophie).await.unwrap();
    assert_eq!(sophie_stream.status(), 200);
    // Residents have no inbox.
    let camille = resident(&app).await;
    assert_eq!(open(&camille).await.unwrap().status(), 403);

    let filed = file(&app, pothole(coteaux(), "Trou tout neuf.", None)).await;
    let mut seen = String::new();
    tokio::time::timeout(
        Duration::from_secs(1),
        read_until(&mut luc_stream, &mut seen, &filed.id),
    )
    .await
    .expect("the event arrives within a second");
    assert!(seen.contains(&filed.reference));
    assert!(seen.contains("\"event\":\"new\""));

    // Sophie's stream: a report handed to her service arrives, and nothing of the roads
    // report came before it (events arrive in order).
    let etat_civil = accounts::store::service_by_slug(&app.kernel.db, "etat-civil")
        .await
        .unwrap()
        .unwrap();
    let marker = file(&app, pothole(centre(), "Pour l'état civil.", None)).await;
    let admin = caller(&app, ADMIN).await;
    reports::handling::reroute(
        &app.kernel,
        &admin,
        &marker.id,
        reports::handling::Reroute {
            service_id: etat_civil.id.clone(),
            team_id: None,
            agency: String::new(),
        },
    )
    .await
    .unwrap();
    let mut sophie_seen = String::new();
    tokio::time::timeout(
        Duration::from_secs(5),
        read_until(&mut sophie_stream, &mut sophie_seen, &marker.id),
    )
    .await
    .expect("the registry office hears of its own report");
    assert!(!sophie_seen.contains(&filed.id), "{sophie_seen}");
    assert!(!sophie_seen.contains(&filed.reference));
}
