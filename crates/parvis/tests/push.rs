//! Web Push end to end: a device subscribes from `/notifications`, an agent who chose it
//! gets a new report on their device, encrypted for that device alone and signed with the
//! instance's VAPID key; devices that unsubscribed are forgotten; nobody removes another
//! person's device; logging out forgets the browser. The push service is a local server of
//! the test's own, as Google's or Mozilla's would answer.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::signature::Verifier;
use parvis::testing::{TestApp, TestClient, demo_app_with, resident, staff};
use reports::actions::{self, NewReport};
use reports::model::Point;

const LUC: &str = "luc.moreau@demo.parvis.fr";
const FIREFOX_ANDROID: &str =
    "Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0";

/// One request the push service received.
#[derive(Clone, Debug)]
struct Received {
    path: String,
    headers: HeaderMap,
    body: Vec<u8>,
}

#[derive(Clone, Default)]
struct PushService {
    received: Arc<Mutex<Vec<Received>>>,
}

impl PushService {
    /// Serves on a free local port; `/push/ok-…` accepts, `/push/gone-…` says the
    /// subscription expired, `/push/busy-…` is overloaded.
    async fn start() -> (PushService, String) {
        let service = PushService::default();
        let router = axum::Router::new()
            .route("/push/{id}", axum::routing::post(receive))
            .with_state(service.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        (service, origin)
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

async fn receive(
    State(service): State<PushService>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> StatusCode {
    service.received.lock().unwrap().push(Received {
        path: format!("/push/{id}"),
        headers,
        body: body.to_vec(),
    });
    if id.starts_with("gone") {
        StatusCode::GONE
    } else if id.starts_with("busy") {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::CREATED
    }
}

/// A browser's side of a subscription: its key pair and authentication secret.
struct Browser {
    secret: p256::SecretKey,
    auth: [u8; 16],
}

impl Browser {
    fn new(seed: u8) -> Browser {
        Browser {
            secret: p256::SecretKey::from_slice(&[seed; 32]).unwrap(),
            auth: [seed.wrapping_add(1); 16],
        }
    }

    fn subscription(&self, endpoint: &str) -> serde_json::Value {
        let public = p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(
            &self.secret.public_key(),
            false,
        );
        serde_json::json!({
            "endpoint": endpoint,
            "expirationTime": null,
            "keys": {
                "p256dh": URL_SAFE_NO_PAD.encode(public.as_bytes()),
                "auth": URL_SAFE_NO_PAD.encode(self.auth),
            }
        })
    }

    /// What the browser reads of a pushed message: it must decrypt with its own keys.
    fn open(&self, body: &[u8]) -> serde_json::Value {
        let auth = web_push_native::Auth::from(self.auth);
        let plain = web_push_native::decrypt(body.to_vec(), &self.secret, &auth)
            .expect("the message decrypts with the browser's keys");
        serde_json::from_slice(&plain).expect("a JSON payload")
    }
}

async fn app_with_push_service(origin: &str) -> TestApp {
    let origin = origin.to_string();
    demo_app_with(move |mut config| {
        config.push.services = vec![origin];
        config
    })
    .await
}

/// The page's token for scripts (`data-csrf`), as `push.js` sends it.
async fn page_token(client: &TestClient) -> String {
    let page = client.get("/notifications").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let marker = "data-csrf=\"";
    let start = page.body.find(marker).expect("the activation panel") + marker.len();
    let end = page.body[start..].find('"').unwrap();
    page.body[start..start + end].to_string()
}

async fn subscribe(
    client: &TestClient,
    app: &TestApp,
    token: Option<&str>,
    body: &str,
) -> (u16, serde_json::Value) {
    let mut request = client
        .http
        .post(app.url("/notifications/appareils"))
        .header("content-type", "application/json")
        .header("user-agent", FIREFOX_ANDROID)
        .body(body.to_string());
    if let Some(token) = token {
        request = request.header("x-csrf-token", token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
    )
}

async fn count(app: &TestApp, sql: &str, bind: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
        .bind(bind)
        .fetch_one(app.kernel.db.pool())
        .await
        .unwrap()
}

fn pothole_in_les_coteaux() -> NewReport {
    let mut answers = BTreeMap::new();
    answers.insert("danger".to_string(), vec!["oui".to_string()]);
    NewReport {
        category_code: "nid-de-poule".into(),
        point: Point::new(45.7712, 4.8321),
        address: "Chemin des Vignes, 00000 Démo".into(),
        description: "Trou profond devant le n° 12, vu par M. Dupont.".into(),
        answers,
        ..NewReport::default()
    }
}

#[tokio::test]
async fn an_agent_who_chose_it_gets_a_new_report_on_their_phone() {
    let (push_service, origin) = PushService::start().await;
    let app = app_with_push_service(&origin).await;
    let luc = staff(&app, LUC).await;
    let luc_id = accounts::store::user_by_email(&app.kernel.db, LUC)
        .await
        .unwrap()
        .unwrap()
        .id;
    let token = page_token(&luc).await;
    let phone = Browser::new(11);
    let endpoint = format!("{origin}/push/ok-luc");
    let subscription = phone.subscription(&endpoint).to_string();

    // Without the page's token, nothing is recorded.
    let (status, _) = subscribe(&luc, &app, None, &subscription).await;
    assert_eq!(status, 403);
    // Bad input is refused with a code and a sentence in French, and changes nothing.
    let (status, body) = subscribe(&luc, &app, Some(&token), "{pas du json").await;
    assert_eq!(status, 422);
    assert_eq!(body["error"]["code"], "invalid_json");
    let elsewhere = phone
        .subscription("http://169.254.169.254/latest/meta-data")
        .to_string();
    let (status, body) = subscribe(&luc, &app, Some(&token), &elsewhere).await;
    assert_eq!(status, 422);
    assert_eq!(body["error"]["code"], "push_service_not_allowed");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("commune")
    );
    let mut broken = phone.subscription(&endpoint);
    broken["keys"]["p256dh"] = serde_json::json!("AAAA");
    let (status, body) = subscribe(&luc, &app, Some(&token), &broken.to_string()).await;
    assert_eq!(status, 422);
    assert_eq!(body["error"]["code"], "p256dh_invalid");
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM push_subscriptions WHERE user_id = $1",
            &luc_id
        )
        .await,
        0
    );

    let (status, body) = subscribe(&luc, &app, Some(&token), &subscription).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["label"], "Firefox sur Android");
    let device_id = body["id"].as_str().unwrap().to_string();
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'push.subscribe' AND target_id = $1",
            &device_id
        )
        .await,
        1
    );
    let page = luc.get("/notifications").await;
    assert!(page.contains("Firefox sur Android"));
    assert!(page.contains(app.kernel.push.public_key()));

    // Luc wants notifications on his devices, and no more e-mails.
    let prefs = luc.get("/backoffice/signalements/preferences").await;
    assert!(prefs.contains("Un appareil reçoit vos notifications."));
    assert!(prefs.contains("id=\"push-non\" name=\"push\" value=\"non\" checked"));
    let wrong = luc
        .submit(
            "/backoffice/signalements/preferences",
            "/backoffice/signalements/preferences",
            &[("avis", "aucun"), ("push", "peut-etre")],
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.contains("id=\"push\""));
    let saved = luc
        .submit(
            "/backoffice/signalements/preferences",
            "/backoffice/signalements/preferences",
            &[("avis", "aucun"), ("push", "oui")],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let prefs = luc.get("/backoffice/signalements/preferences").await;
    assert!(prefs.contains("id=\"push-oui\" name=\"push\" value=\"oui\" checked"));

    let emails_before = count(
        &app,
        "SELECT COUNT(*) FROM outbox WHERE channel = 'email' AND recipient = $1",
        LUC,
    )
    .await;
    let filed = actions::file_report(
        &app.kernel,
        &kernel::Caller::default(),
        pothole_in_les_coteaux(),
    )
    .await
    .unwrap()
    .report;
    // The notification is queued with the report, in its transaction; no e-mail for Luc.
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM outbox WHERE channel = 'push' AND recipient = $1 AND status = 'pending'",
            &device_id
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM outbox WHERE channel = 'email' AND recipient = $1",
            LUC
        )
        .await,
        emails_before
    );

    let report = parvis::testing::run_worker(&app).await;
    assert!(report.mail.sent >= 1, "{report:?}");
    let received = push_service.received();
    let delivered: Vec<&Received> = received
        .iter()
        .filter(|r| r.path == "/push/ok-luc")
        .collect();
    assert_eq!(delivered.len(), 1);
    let message = delivered[0];
    assert_eq!(message.headers["content-encoding"], "aes128gcm");
    assert_eq!(message.headers["ttl"], "86400");
    assert_eq!(message.headers["urgency"], "high");

    // The sender is identified by a token signed with the key browsers subscribed with.
    let authorization = message.headers["authorization"].to_str().unwrap();
    let (jwt, key) = authorization
        .strip_prefix("vapid t=")
        .and_then(|rest| rest.split_once(", k="))
        .expect("a VAPID header");
    assert_eq!(key, app.kernel.push.public_key());
    let (signed, signature) = jwt.rsplit_once('.').unwrap();
    let verifying =
        p256::ecdsa::VerifyingKey::from_sec1_bytes(&URL_SAFE_NO_PAD.decode(key).unwrap()).unwrap();
    let signature =
        p256::ecdsa::Signature::from_slice(&URL_SAFE_NO_PAD.decode(signature).unwrap()).unwrap();
    verifying
        .verify(signed.as_bytes(), &signature)
        .expect("the VAPID token verifies");
    let claims: serde_json::Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(signed.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["aud"], origin);
    assert_eq!(claims["sub"], "mailto:contact@demo.parvis.fr");

    // Only the phone reads it: what the report is and where, not who nor what they wrote.
    assert!(
        !String::from_utf8_lossy(&message.body).contains(&filed.reference),
        "the push service sees nothing in clear"
    );
    let payload = phone.open(&message.body);
    assert_eq!(
        payload["title"],
        format!("Nouveau signalement {}", filed.reference)
    );
    assert!(
        payload["body"]
            .as_str()
            .unwrap()
            .contains("Chemin des Vignes")
    );
    assert!(!payload.to_string().contains("Dupont"));
    assert_eq!(
        payload["url"],
        format!("/backoffice/signalements/{}", filed.id)
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM outbox WHERE channel = 'push' AND recipient = $1 AND status = 'sent'",
            &device_id
        )
        .await,
        1
    );
    let page = luc.get("/notifications").await;
    assert!(page.contains("dernière notification reçue le"));
}

#[tokio::test]
async fn devices_that_left_are_forgotten_and_busy_services_are_retried() {
    let (push_service, origin) = PushService::start().await;
    let app = app_with_push_service(&origin).await;
    let camille = resident(&app).await;
    let token = page_token(&camille).await;
    let (status, gone) = subscribe(
        &camille,
        &app,
        Some(&token),
        &Browser::new(21)
            .subscription(&format!("{origin}/push/gone-1"))
            .to_string(),
    )
    .await;
    assert_eq!(status, 201);
    let (status, busy) = subscribe(
        &camille,
        &app,
        Some(&token),
        &Browser::new(22)
            .subscription(&format!("{origin}/push/busy-1"))
            .to_string(),
    )
    .await;
    assert_eq!(status, 201);
    let gone = gone["id"].as_str().unwrap().to_string();
    let busy = busy["id"].as_str().unwrap().to_string();

    let sent = camille
        .submit("/notifications", "/notifications/essai", &[])
        .await;
    assert_eq!(sent.status, 303);
    assert!(
        camille
            .follow(&sent)
            .await
            .contains("part vers vos appareils")
    );
    let report = parvis::testing::run_worker(&app).await;
    assert_eq!(report.mail.expired, 1, "{report:?}");
    assert_eq!(report.mail.retried, 1, "{report:?}");
    assert_eq!(push_service.received().len(), 2);
    // The expired subscription is gone with its message; the busy one waits for a retry.
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM push_subscriptions WHERE id = $1",
            &gone
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM outbox WHERE recipient = $1 AND status = 'expired'",
            &gone
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM outbox WHERE recipient = $1 AND status = 'pending' AND attempts = 1",
            &busy
        )
        .await,
        1
    );
    // Nothing more is due until the backoff has passed.
    let again = parvis::testing::run_worker(&app).await;
    assert_eq!(again.mail, kernel::outbox::DeliveryReport::default());
}

#[tokio::test]
async fn nobody_removes_another_persons_device_and_logging_out_forgets_the_browser() {
    let (_push_service, origin) = PushService::start().await;
    let app = app_with_push_service(&origin).await;
    let camille = resident(&app).await;
    let token = page_token(&camille).await;
    let (_, device) = subscribe(
        &camille,
        &app,
        Some(&token),
        &Browser::new(31)
            .subscription(&format!("{origin}/push/ok-camille"))
            .to_string(),
    )
    .await;
    let device = device["id"].as_str().unwrap().to_string();
    let remove = format!("/notifications/appareils/{device}/retirer");

    // Anonymous visitors are sent to the login page; another person gets a 404.
    let anonymous = app.client();
    assert_eq!(
        anonymous.get("/notifications").await.location(),
        Some("/connexion?suivant=%2Fnotifications")
    );
    let luc = staff(&app, LUC).await;
    let refused = luc.submit("/notifications", &remove, &[]).await;
    assert_eq!(refused.status, 404);
    assert!(!luc.get("/notifications").await.contains(&device));
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM push_subscriptions WHERE id = $1",
            &device
        )
        .await,
        1
    );

    // Camille sees her device and removes it, without any script.
    let page = camille.get("/notifications").await;
    assert!(page.contains(&remove));
    let removed = camille.submit("/notifications", &remove, &[]).await;
    assert_eq!(removed.status, 303);
    assert!(
        camille
            .follow(&removed)
            .await
            .contains("ne recevra plus de notification")
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM push_subscriptions WHERE id = $1",
            &device
        )
        .await,
        0
    );
    let none = camille
        .submit("/notifications", "/notifications/essai", &[])
        .await;
    assert!(
        camille
            .follow(&none)
            .await
            .contains("est enregistré : activez")
    );

    // Subscribed again, then logged out: the shared computer stops getting her messages.
    let token = page_token(&camille).await;
    let (status, again) = subscribe(
        &camille,
        &app,
        Some(&token),
        &Browser::new(31)
            .subscription(&format!("{origin}/push/ok-camille"))
            .to_string(),
    )
    .await;
    assert_eq!(status, 201);
    let again = again["id"].as_str().unwrap().to_string();
    let home = camille.get("/").await;
    let logout = camille
        .post_form("/deconnexion", &[("csrf_token", &home.csrf())])
        .await;
    assert_eq!(logout.status, 303);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM push_subscriptions WHERE id = $1",
            &again
        )
        .await,
        0
    );
}

#[tokio::test]
async fn the_service_worker_is_served_from_the_root() {
    let (_push_service, origin) = PushService::start().await;
    let app = app_with_push_service(&origin).await;
    let response = app.client().get("/sw.js").await;
    assert_eq!(response.status, 200);
    assert!(
        response
            .header("content-type")
            .unwrap()
            .starts_with("text/javascript")
    );
    assert_eq!(response.header("cache-control"), Some("no-cache"));
    assert!(response.contains("showNotification"));
    assert!(response.contains("notificationclick"));
    let script = app.client().get("/static/push.js").await;
    assert!(script.contains("pushManager.subscribe"));
}

#[tokio::test]
async fn a_person_keeps_twenty_devices_at_most() {
    let (_push_service, origin) = PushService::start().await;
    let app = app_with_push_service(&origin).await;
    let camille = resident(&app).await;
    let token = page_token(&camille).await;
    let mut ids = Vec::new();
    for n in 0..=kernel::push::MAX_DEVICES {
        app.clock.advance(jiff::SignedDuration::from_secs(60));
        let (status, body) = subscribe(
            &camille,
            &app,
            Some(&token),
            &Browser::new(40)
                .subscription(&format!("{origin}/push/ok-{n}"))
                .to_string(),
        )
        .await;
        assert_eq!(status, 201);
        ids.push(body["id"].as_str().unwrap().to_string());
    }
    let devices = kernel::push::devices(&app.kernel.db, &camille_id(&app).await)
        .await
        .unwrap();
    assert_eq!(devices.len(), kernel::push::MAX_DEVICES);
    // The oldest went; the newest is first.
    assert!(!devices.iter().any(|d| d.id == ids[0]));
    assert_eq!(devices[0].id, ids[kernel::push::MAX_DEVICES]);
}

async fn camille_id(app: &TestApp) -> String {
    accounts::store::user_by_email(&app.kernel.db, "camille.martin@demo.parvis.fr")
        .await
        .unwrap()
        .unwrap()
        .id
}
