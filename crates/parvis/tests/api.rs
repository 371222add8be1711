//! The JSON API of online procedures end to end, on SQLite (and PostgreSQL when
//! PARVIS_TEST_POSTGRES_URL is set): tokens issued in the back office and shown once, who
//! the token lets in and when it stops, the inbox's visibility, a request's legal dates,
//! its history, recording a counter request, the audit, and the OpenAPI document checked
//! against every route.

use parvis::testing::{answers, caller, demo_app, logged_in, staff as agent};
use std::collections::BTreeSet;

use parvis::testing::{TestApp, TestClient, log_in_enrolling_second_factor};
use requests::actions::{self, CounterRequest};
use requests::model::Channel;
use serde_json::{Value, json};

/// The token shown on the page, once: `pvs_` and URL-safe characters.
fn shown_token(body: &str) -> Option<String> {
    let start = body.find("pvs_")?;
    Some(
        body[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .collect(),
    )
}

/// Issues a token through the back-office page, as a person would.
async fn issue_token(client: &TestClient, label: &str) -> String {
    let issued = client
        .submit(
            "/backoffice/jetons-api",
            "/backoffice/jetons-api",
            &[("label", label)],
        )
        .await;
    assert_eq!(issued.status, 200, "{}", issued.body);
    assert_eq!(issued.header("cache-control"), Some("no-store"));
    shown_token(&issued.body).expect("the token is shown")
}

/// A token for a demo staff member, issued through the page.
async fn token_of(app: &TestApp, email: &str) -> String {
    issue_token(&agent(app, email).await, "Logiciel métier").await
}

/// The administrator logs in with a second factor, then issues a token.
async fn admin_token(app: &TestApp) -> String {
    let (admin, _) =
        log_in_enrolling_second_factor(app, "admin@demo.parvis.fr", accounts::demo::STAFF_PASSWORD)
            .await;
    issue_token(&admin, "Supervision").await
}

struct Reply {
    status: u16,
    location: Option<String>,
    cache_control: Option<String>,
    www_authenticate: Option<String>,
    json: Value,
}

async fn call(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> Reply {
    let mut request = reqwest::Client::new().request(method, app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    let response = request.send().await.expect("API call");
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(String::from)
    };
    let location = header("location");
    let cache_control = header("cache-control");
    let www_authenticate = header("www-authenticate");
    let text = response.text().await.unwrap_or_default();
    let json = serde_json::from_str(&text).unwrap_or_else(|_| panic!("JSON from {path}: {text}"));
    Reply {
        status,
        location,
        cache_control,
        www_authenticate,
        json,
    }
}

async fn get(app: &TestApp, path: &str, token: &str) -> Reply {
    call(app, reqwest::Method::GET, path, Some(token), None).await
}

async fn post(app: &TestApp, path: &str, token: &str, body: &Value) -> Reply {
    call(
        app,
        reqwest::Method::POST,
        path,
        Some(token),
        Some(&body.to_string()),
    )
    .await
}

fn assert_error(reply: &Reply, status: u16, code: &str) {
    assert_eq!(reply.status, status, "{}", reply.json);
    assert_eq!(reply.json["error"]["code"], code, "{}", reply.json);
    assert!(
        !reply.json["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .is_empty()
    );
}

async fn audit(app: &TestApp, action: &str) -> Vec<kernel::audit::AuditEntry> {
    kernel::audit::search(
        &app.kernel.db,
        &kernel::audit::AuditQuery {
            action: Some(action.into()),
            limit: 100,
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

fn hall_booking(received_on: &str) -> Value {
    json!({
        "procedure": "location-salle",
        "channel": "letter",
        "received_on": received_on,
        "applicant": {
            "name": "Germaine Roux",
            "phone": "04 78 00 00 00",
            "address": "5 impasse des Peupliers, 00000 Démo"
        },
        "answers": {
            "salle": "Salle de réunion de l'hôtel de ville (25 personnes)",
            "date": "2027-01-16",
            "horaires": "de 14 h à 17 h",
            "personnes": "20",
            "evenement": "Réunion",
            "assurance": ["attestation papier vue à l'accueil"]
        }
    })
}

#[tokio::test]
async fn a_token_is_issued_in_the_back_office_shown_once_and_revoked() {
    let app = demo_app().await;
    let sophie = agent(&app, "sophie.bernard@demo.parvis.fr").await;

    // The form carries the CSRF token; without it nothing is issued.
    let forged = sophie
        .post_form("/backoffice/jetons-api", &[("label", "Sans jeton")])
        .await;
    assert_eq!(forged.status, 403);
    let unnamed = sophie
        .submit(
            "/backoffice/jetons-api",
            "/backoffice/jetons-api",
            &[("label", "  ")],
        )
        .await;
    assert_eq!(unnamed.status, 422);
    assert!(unnamed.contains("resume-erreurs"));
    assert!(unnamed.contains("Donnez un libellé au jeton"));

    let token = issue_token(&sophie, "Registre des naissances").await;
    assert!(token.starts_with("pvs_"));
    assert_eq!(token.len(), 4 + 43, "{token}");
    // Shown once: the list names it, never shows it again.
    let list = sophie.get("/backoffice/jetons-api").await;
    assert!(list.contains("Registre des naissances"));
    assert!(!list.contains(&token));
    assert!(shown_token(&list.body).is_none());
    // Only the SHA-256 is stored.
    let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM api_tokens")
        .fetch_all(app.kernel.db.pool())
        .await
        .unwrap();
    assert_eq!(stored, vec![actions::api_token_hash(&token)]);

    // The token works, and its use is recorded.
    let procedures = get(&app, "/api/v1/procedures", &token).await;
    assert_eq!(procedures.status, 200, "{}", procedures.json);
    assert!(
        procedures.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["slug"] == "location-salle")
    );
    let used: Option<i64> = sqlx::query_scalar("SELECT last_used_at FROM api_tokens")
        .fetch_one(app.kernel.db.pool())
        .await
        .unwrap();
    assert_eq!(used, Some(kernel::clock::to_db(app.kernel.now())));
    assert!(
        !sophie
            .get("/backoffice/jetons-api")
            .await
            .contains("jamais")
    );

    // No token, another scheme, an unknown token: 401 with the JSON error.
    let anonymous = call(&app, reqwest::Method::GET, "/api/v1/procedures", None, None).await;
    assert_error(&anonymous, 401, "unauthorized");
    assert_eq!(
        anonymous.www_authenticate.as_deref(),
        Some("Bearer realm=\"parvis\"")
    );
    assert!(
        anonymous.json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Jeton d'accès")
    );
    let basic = reqwest::Client::new()
        .get(app.url("/api/v1/procedures"))
        .basic_auth("sophie.bernard@demo.parvis.fr", Some("x"))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status().as_u16(), 401);
    assert_error(
        &get(&app, "/api/v1/procedures", "pvs_inconnu").await,
        401,
        "unauthorized",
    );
    let tampered = format!("{}x", &token[..token.len() - 1]);
    assert_error(
        &get(&app, "/api/v1/procedures", &tampered).await,
        401,
        "unauthorized",
    );

    // The session cookie alone never opens the API, for reading or writing.
    let by_cookie = sophie.get("/api/v1/requests").await;
    assert_eq!(by_cookie.status, 401, "{}", by_cookie.body);
    let written = sophie
        .http
        .post(app.url("/api/v1/requests"))
        .header("content-type", "application/json")
        .body(hall_booking("2026-11-20").to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(written.status().as_u16(), 401);

    // Another agent cannot revoke it; Sophie can, with the form's token.
    let id: String = sqlx::query_scalar("SELECT id FROM api_tokens")
        .fetch_one(app.kernel.db.pool())
        .await
        .unwrap();
    let revoke_path = format!("/backoffice/jetons-api/{id}/revoquer");
    let luc = agent(&app, "luc.moreau@demo.parvis.fr").await;
    assert!(
        !luc.get("/backoffice/jetons-api")
            .await
            .contains("Registre des naissances")
    );
    let refused = luc
        .submit("/backoffice/jetons-api", &revoke_path, &[])
        .await;
    assert_eq!(refused.status, 404);
    assert_eq!(get(&app, "/api/v1/procedures", &token).await.status, 200);
    assert_eq!(sophie.post_form(&revoke_path, &[]).await.status, 403);
    let revoked = sophie
        .submit("/backoffice/jetons-api", &revoke_path, &[])
        .await;
    assert_eq!(revoked.status, 303);
    assert!(sophie.follow(&revoked).await.contains("Révoqué le"));
    assert_error(
        &get(&app, "/api/v1/procedures", &token).await,
        401,
        "unauthorized",
    );

    // Both are in the audit log, by Sophie, on the token.
    for action in ["api_token.issued", "api_token.revoked"] {
        let entries = audit(&app, action).await;
        assert_eq!(entries.len(), 1, "{action}");
        assert!(entries[0].actor_label.contains("sophie.bernard"));
        assert_eq!(entries[0].target_id.as_deref(), Some(id.as_str()));
    }

    // A resident has no such page.
    let resident = logged_in(
        &app,
        "camille.martin@demo.parvis.fr",
        accounts::demo::RESIDENT_PASSWORD,
    )
    .await;
    assert_eq!(resident.get("/backoffice/jetons-api").await.status, 403);
    // Every staff member finds it from the back-office home.
    assert!(
        sophie
            .get("/backoffice")
            .await
            .contains("/backoffice/jetons-api")
    );
}

#[tokio::test]
async fn administrators_see_and_revoke_everyones_tokens() {
    let app = demo_app().await;
    let karim = agent(&app, "karim.haddad@demo.parvis.fr").await;
    let token = issue_token(&karim, "Portail famille").await;
    let (admin, _) = log_in_enrolling_second_factor(
        &app,
        "admin@demo.parvis.fr",
        accounts::demo::STAFF_PASSWORD,
    )
    .await;
    let page = admin.get("/backoffice/jetons-api").await;
    assert_eq!(page.status, 200);
    assert!(page.contains("Jetons des autres membres du personnel"));
    assert!(page.contains("Portail famille"));
    assert!(page.contains("karim.haddad@demo.parvis.fr"));
    let id: String = sqlx::query_scalar("SELECT id FROM api_tokens")
        .fetch_one(app.kernel.db.pool())
        .await
        .unwrap();
    let revoked = admin
        .submit(
            "/backoffice/jetons-api",
            &format!("/backoffice/jetons-api/{id}/revoquer"),
            &[],
        )
        .await;
    assert_eq!(revoked.status, 303);
    assert_eq!(get(&app, "/api/v1/procedures", &token).await.status, 401);
    let entries = audit(&app, "api_token.revoked").await;
    assert!(entries[0].actor_label.contains("admin@demo.parvis.fr"));
    assert!(entries[0].details.contains("karim.haddad@demo.parvis.fr"));
}

#[tokio::test]
async fn a_token_follows_its_owners_roles_and_account() {
    let app = demo_app().await;
    let karim_token = token_of(&app, "karim.haddad@demo.parvis.fr").await;
    let luc_token = token_of(&app, "luc.moreau@demo.parvis.fr").await;
    assert_eq!(
        get(&app, "/api/v1/requests", &karim_token).await.status,
        200
    );

    // Karim loses his only role: the token no longer opens agents' operations.
    let karim = accounts::store::user_by_email(&app.kernel.db, "karim.haddad@demo.parvis.fr")
        .await
        .unwrap()
        .unwrap();
    let grants = accounts::store::grants_for(&app.kernel.db, &karim.id)
        .await
        .unwrap();
    let mut tx = app.kernel.db.begin().await.unwrap();
    for grant in grants {
        accounts::store::revoke_grant(&mut tx, &karim.id, &grant.id)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    // His token now stands for a resident, and residents do not read requests.
    assert_error(
        &get(&app, "/api/v1/requests", &karim_token).await,
        403,
        "forbidden",
    );

    // Luc's account is disabled: the same.
    assert_eq!(get(&app, "/api/v1/requests", &luc_token).await.status, 200);
    sqlx::query("UPDATE users SET disabled_at = $1 WHERE email = $2")
        .bind(kernel::clock::to_db(app.kernel.now()))
        .bind("luc.moreau@demo.parvis.fr")
        .execute(app.kernel.db.pool())
        .await
        .unwrap();
    assert_error(
        &get(&app, "/api/v1/requests", &luc_token).await,
        401,
        "unauthorized",
    );
}

#[tokio::test]
async fn the_list_shows_what_the_inbox_shows_with_its_filters() {
    let app = demo_app().await;
    let token = token_of(&app, "sophie.bernard@demo.parvis.fr").await;
    let all = get(&app, "/api/v1/requests", &token).await;
    assert_eq!(all.status, 200, "{}", all.json);
    let items = all.json["items"].as_array().unwrap();
    assert!(all.json["total"].as_i64().unwrap() >= 2);
    assert_eq!(all.json["page"], 1);
    assert_eq!(all.json["per_page"], 50);
    // Only her service's requests.
    assert!(items.iter().all(|r| r["service"]["slug"] == "etat-civil"));
    assert!(
        items
            .iter()
            .all(|r| r["number"].as_str().unwrap().starts_with("DEM-"))
    );

    // By status: the accepted census only.
    let accepted = get(&app, "/api/v1/requests?status=accepted", &token).await;
    let accepted_items = accepted.json["items"].as_array().unwrap();
    assert_eq!(accepted.json["total"], 1, "{}", accepted.json);
    assert_eq!(accepted_items[0]["status"]["key"], "accepted");
    assert_eq!(accepted_items[0]["status"]["label"], "Acceptée");
    assert_eq!(accepted_items[0]["status"]["phase"], "accepted");
    assert_eq!(
        accepted_items[0]["procedure"]["slug"],
        "recensement-citoyen"
    );
    assert!(accepted_items[0]["received_on"].is_string());
    // Open ones exclude it; paging keeps the total.
    let open = get(&app, "/api/v1/requests?open=true", &token).await;
    assert!(
        open.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"]["key"] != "accepted")
    );
    let first = get(&app, "/api/v1/requests?per_page=1&page=2", &token).await;
    assert_eq!(first.json["items"].as_array().unwrap().len(), 1);
    assert_eq!(first.json["total"], all.json["total"]);
    let none = get(&app, "/api/v1/requests?q=introuvable&channel=phone", &token).await;
    assert_eq!(none.json["total"], 0);
    let mine = get(&app, "/api/v1/requests?assignee=none", &token).await;
    assert_eq!(mine.status, 200);

    // Filters that cannot be used are said so.
    for path in [
        "/api/v1/requests?per_page=101",
        "/api/v1/requests?page=0",
        "/api/v1/requests?page=abc",
        "/api/v1/requests?channel=fax",
        "/api/v1/requests?service=inconnu",
        "/api/v1/requests?procedure=inconnue",
        "/api/v1/requests?assignee=personne@exemple.fr",
    ] {
        assert_error(&get(&app, path, &token).await, 400, "invalid_parameter");
    }

    // Another service's agent does not see Sophie's requests; an elected official, none.
    let luc = token_of(&app, "luc.moreau@demo.parvis.fr").await;
    let roads = get(&app, "/api/v1/requests?service=etat-civil", &luc).await;
    assert_eq!(roads.json["total"], 0);
    let official = token_of(&app, "helene.fabre@demo.parvis.fr").await;
    assert_eq!(
        get(&app, "/api/v1/requests", &official).await.json["total"],
        0
    );
}

#[tokio::test]
async fn a_request_carries_its_receipt_regime_and_deemed_decision_and_is_audited() {
    let app = demo_app().await;
    let thomas = caller(&app, "thomas.petit@demo.parvis.fr").await;
    let procedure = requests::store::procedure_by_slug(&app.kernel.db, "location-salle")
        .await
        .unwrap()
        .unwrap();
    let (request, _) = actions::record_counter_request(
        &app.kernel,
        &thomas,
        &procedure,
        CounterRequest {
            channel: Channel::Letter,
            received_on: "2026-11-16".parse().unwrap(),
            applicant_id: None,
            applicant_name: "Germaine Roux".into(),
            applicant_email: None,
            applicant_phone: Some("04 78 00 00 00".into()),
            applicant_address: Some("5 impasse des Peupliers, 00000 Démo".into()),
            answers: answers(&[
                (
                    "salle",
                    "Salle de réunion de l'hôtel de ville (25 personnes)",
                ),
                ("date", "2027-01-16"),
                ("horaires", "de 14 h à 17 h"),
                ("personnes", "20"),
                ("evenement", "Réunion"),
                ("assurance", "attestation papier vue à l'accueil"),
            ]),
        },
    )
    .await
    .unwrap();
    let number = request.number.clone().unwrap();
    let path = format!("/api/v1/requests/{number}");
    let token = token_of(&app, "thomas.petit@demo.parvis.fr").await;

    let reply = get(&app, &path, &token).await;
    assert_eq!(reply.status, 200, "{}", reply.json);
    assert_eq!(reply.cache_control.as_deref(), Some("no-store"));
    let r = &reply.json;
    assert_eq!(r["number"], number.as_str());
    assert_eq!(r["procedure"]["slug"], "location-salle");
    assert_eq!(r["service"]["slug"], "vie-associative");
    assert_eq!(r["status"]["key"], "submitted");
    assert_eq!(r["status"]["label"], "Déposée");
    assert_eq!(r["channel"], "letter");
    assert_eq!(r["applicant"]["name"], "Germaine Roux");
    assert_eq!(r["applicant"]["phone"], "04 78 00 00 00");
    assert_eq!(r["applicant"]["email"], Value::Null);
    assert_eq!(r["applicant"]["has_account"], false);
    assert_eq!(r["answers"]["personnes"], json!(["20"]));
    // Received on Monday the 16th: two months of silence mean rejection on 16 January.
    assert_eq!(r["received_on"], "2026-11-16");
    assert_eq!(
        r["regime"],
        json!({ "kind": "rejection", "delay": { "unit": "months", "count": 2 } })
    );
    assert_eq!(
        r["deemed_decision"],
        json!({ "kind": "rejected", "date": "2027-01-16" })
    );
    assert_eq!(r["submitted_at"], "2026-11-23T08:30:00Z");
    assert_eq!(r["decided_at"], Value::Null);
    assert_eq!(r["completion_requests"], json!([]));

    // The opening is in the audit log, as on the back-office page.
    let views = audit(&app, "request.view").await;
    let view = views
        .iter()
        .find(|e| e.target_id.as_deref() == Some(request.id.as_str()))
        .expect("the API view is audited");
    assert!(view.actor_label.contains("thomas.petit@demo.parvis.fr"));
    assert!(view.details.contains("\"via\":\"api\""), "{}", view.details);
    assert!(view.details.contains(&number));

    // An agent of another service: 403, and nothing is audited for him; unknown: 404.
    let luc = token_of(&app, "luc.moreau@demo.parvis.fr").await;
    assert_error(&get(&app, &path, &luc).await, 403, "forbidden");
    assert_error(
        &get(&app, &format!("{path}/history"), &luc).await,
        403,
        "forbidden",
    );
    assert_eq!(audit(&app, "request.view").await.len(), views.len());
    assert_error(
        &get(&app, "/api/v1/requests/DEM-2026-999999", &token).await,
        404,
        "not_found",
    );
    assert_error(
        &get(&app, "/api/v1/procedures/inconnue", &token).await,
        404,
        "not_found",
    );

    // Once refused, the implicit decision is history: null, and the decision is dated.
    actions::apply_move(&app.kernel, &thomas, &request.id, "under_review", None)
        .await
        .unwrap();
    actions::apply_move(
        &app.kernel,
        &thomas,
        &request.id,
        "refused",
        Some("La salle est déjà réservée ce jour-là."),
    )
    .await
    .unwrap();
    let refused = get(&app, &path, &token).await;
    assert_eq!(refused.json["status"]["phase"], "refused");
    assert_eq!(refused.json["deemed_decision"], Value::Null);
    assert_eq!(refused.json["decided_at"], "2026-11-23T08:30:00Z");
    let listed = get(
        &app,
        "/api/v1/requests?status=refused&channel=letter",
        &token,
    )
    .await;
    let line = listed.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["number"] == number.as_str())
        .expect("listed as refused");
    assert_eq!(line["deemed_decision"], Value::Null);

    // A procedure in full: its form and workflow.
    let hall = get(&app, "/api/v1/procedures/location-salle", &token).await;
    assert_eq!(hall.status, 200);
    assert_eq!(hall.json["regime"]["kind"], "rejection");
    assert_eq!(hall.json["service"]["slug"], "vie-associative");
    assert_eq!(hall.json["listed"], true);
    assert_eq!(hall.json["form"]["version"], 1);
    assert!(
        hall.json["form"]["definition"]["pages"][0]["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["block"] == "field" && b["key"] == "salle")
    );
    assert!(
        hall.json["workflow"]["statuses"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["key"] == "under_review")
    );
    let info = get(&app, "/api/v1/procedures/passeport-carte-identite", &token).await;
    assert_eq!(info.json["kind"], "information");
    assert_eq!(info.json["form"], Value::Null);
}

#[tokio::test]
async fn the_history_holds_events_messages_internal_notes_and_documents() {
    let app = demo_app().await;
    let sophie = caller(&app, "sophie.bernard@demo.parvis.fr").await;
    // The demo census request was accepted, with a message.
    let (id, number): (String, String) = sqlx::query_as(
        "SELECT r.id, r.number FROM requests r JOIN procedures p ON p.id = r.procedure_id WHERE p.slug = 'recensement-citoyen'",
    )
    .fetch_one(app.kernel.db.pool())
    .await
    .unwrap();
    actions::add_note(
        &app.kernel,
        &sophie,
        &id,
        "Pièces vérifiées au guichet, conformes.",
    )
    .await
    .unwrap();
    let token = token_of(&app, "sophie.bernard@demo.parvis.fr").await;
    let history = get(&app, &format!("/api/v1/requests/{number}/history"), &token).await;
    assert_eq!(history.status, 200, "{}", history.json);
    let h = &history.json;
    assert_eq!(h["number"], number.as_str());
    let notes = h["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["body"], "Pièces vérifiées au guichet, conformes.");
    assert_eq!(notes[0]["author"], "Sophie Bernard");
    let events = h["events"].as_array().unwrap();
    assert!(events.iter().any(|e| e["kind"] == "submitted"));
    assert!(
        events
            .iter()
            .any(|e| e["to_status"] == "accepted" && e["public"] == true)
    );
    assert!(
        events
            .iter()
            .all(|e| e["at"].as_str().unwrap().ends_with('Z'))
    );
    let messages = h["messages"].as_array().unwrap();
    assert!(messages.iter().any(|m| {
        m["from_staff"] == true
            && m["body"]
                .as_str()
                .unwrap()
                .contains("Votre recensement est enregistré")
    }));
    // The acceptance produced its decision document (metadata only, never the content).
    let documents = h["documents"].as_array().unwrap();
    assert_eq!(documents.len(), 1, "{documents:?}");
    assert_eq!(documents[0]["kind"], "decision");
    assert_eq!(documents[0]["public"], true);
    assert!(documents[0].get("content").is_none());
    let views = audit(&app, "request.view").await;
    assert!(
        views
            .iter()
            .any(|e| e.target_id.as_deref() == Some(id.as_str()) && e.details.contains("history"))
    );

    // Files filed online are listed with their name and size, never their content.
    let (filed, file_name): (String, String) = sqlx::query_as(
        "SELECT r.number, f.original_name FROM request_documents d
         JOIN requests r ON r.id = d.request_id JOIN files f ON f.id = d.file_id LIMIT 1",
    )
    .fetch_one(app.kernel.db.pool())
    .await
    .unwrap();
    let admin = admin_token(&app).await;
    let with_files = get(&app, &format!("/api/v1/requests/{filed}/history"), &admin).await;
    assert_eq!(with_files.status, 200, "{}", with_files.json);
    let documents = with_files.json["documents"].as_array().unwrap();
    let document = documents
        .iter()
        .find(|d| d["name"] == file_name.as_str())
        .expect("the file is listed");
    assert!(document["size_bytes"].as_i64().unwrap() > 0);
    assert_eq!(document["kind"], "answer");
    assert!(document["field_key"].is_string());
    assert!(document.get("content").is_none());
}

#[tokio::test]
async fn agents_record_a_counter_request_through_the_api() {
    let app = demo_app().await;
    let token = token_of(&app, "thomas.petit@demo.parvis.fr").await;
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM requests")
            .fetch_one(app.kernel.db.pool())
            .await
            .unwrap()
    };
    let before = count().await;

    // Bad JSON: 400, nothing recorded.
    let broken = call(
        &app,
        reqwest::Method::POST,
        "/api/v1/requests",
        Some(&token),
        Some("{\"procedure\": "),
    )
    .await;
    assert_error(&broken, 400, "bad_request");
    let wrong_type = post(&app, "/api/v1/requests", &token, &json!({ "answers": 3 })).await;
    assert_error(&wrong_type, 400, "bad_request");

    // Missing answers and a future date: 422, field by field.
    let mut incomplete = hall_booking("2026-12-01");
    incomplete["answers"] = json!({ "salle": "Salle de réunion de l'hôtel de ville (25 personnes)", "couleur": "bleu" });
    incomplete["channel"] = json!("online");
    let refused = post(&app, "/api/v1/requests", &token, &incomplete).await;
    assert_error(&refused, 422, "invalid");
    let fields = refused.json["error"]["fields"].as_array().unwrap();
    let has = |source: &str, key: &str, code: &str| {
        fields
            .iter()
            .any(|f| f["source"] == source && f["key"] == key && f["code"] == code)
    };
    assert!(has("answers", "horaires", "required"), "{fields:?}");
    assert!(has("answers", "evenement", "required"));
    assert!(has("answers", "couleur", "unknown_field"));
    assert!(has("body", "received_on", "in_the_future"));
    assert!(has("body", "channel", "invalid_channel"));
    let required = fields.iter().find(|f| f["key"] == "horaires").unwrap();
    assert_eq!(required["message"], "Ce champ est obligatoire.");
    let nobody = post(
        &app,
        "/api/v1/requests",
        &token,
        &json!({ "procedure": "location-salle", "channel": "phone", "received_on": "2026-11-20", "applicant": { "account_email": "personne@exemple.fr" } }),
    )
    .await;
    assert_error(&nobody, 422, "invalid");
    assert!(
        nobody.json["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["key"] == "applicant.account_email" && f["code"] == "unknown_account")
    );
    let unknown = post(
        &app,
        "/api/v1/requests",
        &token,
        &json!({ "procedure": "inconnue" }),
    )
    .await;
    assert_error(&unknown, 422, "invalid");
    assert_eq!(
        unknown.json["error"]["fields"][0]["code"],
        "unknown_procedure"
    );
    assert_eq!(count().await, before);

    // An elected official records nothing; nor does an agent of another service.
    let official = token_of(&app, "helene.fabre@demo.parvis.fr").await;
    assert_error(
        &post(
            &app,
            "/api/v1/requests",
            &official,
            &hall_booking("2026-11-20"),
        )
        .await,
        403,
        "forbidden",
    );
    let luc = token_of(&app, "luc.moreau@demo.parvis.fr").await;
    assert_error(
        &post(&app, "/api/v1/requests", &luc, &hall_booking("2026-11-20")).await,
        403,
        "forbidden",
    );
    assert_eq!(count().await, before);

    // Recorded, with no form token: the bearer token is the authentication.
    let created = post(
        &app,
        "/api/v1/requests",
        &token,
        &hall_booking("2026-11-20"),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.json);
    let number = created.json["number"].as_str().unwrap().to_string();
    assert!(number.starts_with("DEM-2026-"));
    assert_eq!(
        created.location.as_deref(),
        Some(format!("/api/v1/requests/{number}").as_str())
    );
    assert_eq!(created.json["channel"], "letter");
    assert_eq!(created.json["received_on"], "2026-11-20");
    assert_eq!(
        created.json["deemed_decision"],
        json!({ "kind": "rejected", "date": "2027-01-20" })
    );
    assert_eq!(
        created.json["answers"]["assurance"],
        json!(["attestation papier vue à l'accueil"])
    );
    assert_eq!(count().await, before + 1);
    let again = get(&app, created.location.as_deref().unwrap(), &token).await;
    assert_eq!(again.status, 200);
    assert_eq!(again.json["applicant"]["name"], "Germaine Roux");
    let listed = get(&app, "/api/v1/requests?channel=letter&q=germaine", &token).await;
    assert!(
        listed.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["number"] == number.as_str())
    );
    // The agent's inbox shows it too, and the recording is audited.
    let web = agent(&app, "thomas.petit@demo.parvis.fr").await;
    assert!(web.get("/backoffice/demandes").await.contains(&number));
    let recorded = audit(&app, "request.recorded").await;
    assert!(
        recorded
            .iter()
            .any(|e| e.details.contains(&number) && e.actor_label.contains("thomas.petit"))
    );

    // For a resident with an account: name and e-mail come from the account.
    let mut for_camille = hall_booking("2026-11-23");
    for_camille["channel"] = json!("counter");
    for_camille["applicant"] = json!({ "account_email": "Camille.Martin@demo.parvis.fr" });
    let camille = post(&app, "/api/v1/requests", &token, &for_camille).await;
    assert_eq!(camille.status, 201, "{}", camille.json);
    assert_eq!(camille.json["applicant"]["name"], "Camille Martin");
    assert_eq!(camille.json["applicant"]["has_account"], true);
    assert_eq!(
        camille.json["applicant"]["email"],
        "camille.martin@demo.parvis.fr"
    );
}

/// Every route of the API, as (method, path) in OpenAPI notation.
const ROUTES: &[(&str, &str)] = &[
    ("get", "/api/v1/procedures"),
    ("get", "/api/v1/procedures/{slug}"),
    ("get", "/api/v1/requests"),
    ("post", "/api/v1/requests"),
    ("get", "/api/v1/requests/{number}"),
    ("get", "/api/v1/requests/{number}/history"),
    ("get", "/api/v1/openapi.json"),
    ("get", "/api/v1/activities"),
    ("get", "/api/v1/family/children"),
    ("get", "/api/v1/family/children/{child}/days"),
    ("get", "/api/v1/family/children/{child}/bookings"),
    ("post", "/api/v1/family/children/{child}/bookings"),
    (
        "delete",
        "/api/v1/family/children/{child}/bookings/{activity}/{date}",
    ),
    ("get", "/api/v1/family/charges"),
];

fn refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if k == "$ref" {
                    out.extend(v.as_str().map(String::from));
                } else {
                    refs(v, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn the_openapi_document_declares_every_route_and_the_bearer_scheme() {
    let app = demo_app().await;
    // Public: no token needed.
    let doc = call(
        &app,
        reqwest::Method::GET,
        "/api/v1/openapi.json",
        None,
        None,
    )
    .await;
    assert_eq!(doc.status, 200);
    let doc = doc.json;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert!(doc["info"]["title"].is_string());

    let methods = ["get", "post", "put", "patch", "delete"];
    let declared: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            methods
                .iter()
                .filter(|m| item.get(**m).is_some())
                .map(|m| (m.to_string(), path.clone()))
                .collect::<Vec<_>>()
        })
        .collect();
    let expected: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(declared, expected);

    // The scheme, and every operation but the document itself requires it.
    let scheme = &doc["components"]["securitySchemes"]["bearer"];
    assert_eq!(scheme["type"], "http");
    assert_eq!(scheme["scheme"], "bearer");
    for (method, path) in ROUTES {
        let operation = &doc["paths"][*path][*method];
        let secured = operation["security"]
            .as_array()
            .is_some_and(|s| s.iter().any(|r| r.get("bearer").is_some()));
        assert_eq!(secured, *path != "/api/v1/openapi.json", "{method} {path}");
        if secured {
            assert!(operation["responses"]["401"].is_object(), "{method} {path}");
        }
        assert!(
            operation["responses"]["200"].is_object() || operation["responses"]["201"].is_object()
        );
    }
    // Every schema referred to is defined.
    let mut found = Vec::new();
    refs(&doc, &mut found);
    assert!(!found.is_empty());
    for reference in found {
        let name = reference
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("{reference}"));
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "{reference}"
        );
    }
    for schema in ["RequestJson", "NewRequest", "ErrorBody", "RequestList"] {
        assert!(doc["components"]["schemas"][schema].is_object(), "{schema}");
    }

    // And the router answers every declared route (no 404, no 405).
    let token = admin_token(&app).await;
    let number: String =
        sqlx::query_scalar("SELECT number FROM requests WHERE number IS NOT NULL LIMIT 1")
            .fetch_one(app.kernel.db.pool())
            .await
            .unwrap();
    // (The family's operations are called in `family_api.rs`, with a family's token.)
    for (method, path) in ROUTES.iter().filter(|(_, p)| !p.contains("/family/")) {
        let concrete = path
            .replace("{slug}", "location-salle")
            .replace("{number}", &number);
        let reply = match *method {
            "get" => get(&app, &concrete, &token).await,
            _ => post(&app, &concrete, &token, &hall_booking("2026-11-20")).await,
        };
        assert!(
            matches!(reply.status, 200 | 201),
            "{method} {concrete}: {} {}",
            reply.status,
            reply.json
        );
    }
}
