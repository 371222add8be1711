//! The family part of the JSON API end to end, on SQLite (and PostgreSQL when
//! PARVIS_TEST_POSTGRES_URL is set): a parent issues a token in their space, reads the
//! children, the activities and each day's deadline and price (the same as the month
//! page says), books and cancels on each side of the deadlines, reads the account's
//! lines; another family gets 404 everywhere, an agent of the family service reads
//! (audited) but never books. The clock starts on Monday 23 November 2026 at 9:30 in Paris.

use parvis::testing::{TestApp, TestClient, demo_app, resident, staff};
use serde_json::{Value, json};

const CANTEEN: &str = "cantine-elementaire-jules-ferry";

/// Issues a token in the resident's space, as a parent would; it is shown once.
async fn issue_token(client: &TestClient) -> String {
    let issued = client
        .submit(
            "/mon-espace/jetons-api",
            "/mon-espace/jetons-api",
            &[("label", "Application mobile")],
        )
        .await;
    assert_eq!(issued.status, 200, "{}", issued.body);
    assert_eq!(issued.header("cache-control"), Some("no-store"));
    let start = issued.body.find("pvs_").expect("the token is shown");
    issued.body[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect()
}

async fn call(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<&str>,
) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .request(method, app.url(path))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    let response = request.send().await.expect("API call");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    let json = serde_json::from_str(&text).unwrap_or_else(|_| panic!("JSON from {path}: {text}"));
    (status, json)
}

async fn get(app: &TestApp, path: &str, token: &str) -> (u16, Value) {
    call(app, reqwest::Method::GET, path, token, None).await
}

async fn book(app: &TestApp, child: &str, token: &str, body: Value) -> (u16, Value) {
    call(
        app,
        reqwest::Method::POST,
        &format!("/api/v1/family/children/{child}/bookings"),
        token,
        Some(&body.to_string()),
    )
    .await
}

async fn cancel(app: &TestApp, child: &str, token: &str, day: &str) -> (u16, Value) {
    call(
        app,
        reqwest::Method::DELETE,
        &format!("/api/v1/family/children/{child}/bookings/{CANTEEN}/{day}"),
        token,
        None,
    )
    .await
}

fn code(reply: &(u16, Value)) -> &str {
    reply.1["error"]["code"].as_str().unwrap_or_default()
}

async fn child(app: &TestApp, given_name: &str) -> String {
    sqlx::query_scalar("SELECT id FROM family_people WHERE given_name = $1 AND kind = 'child'")
        .bind(given_name)
        .fetch_one(app.kernel.db.pool())
        .await
        .unwrap()
}

fn day<'a>(days: &'a Value, date: &str) -> &'a Value {
    days["activities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["activity"]["code"] == CANTEEN)
        .expect("the canteen")["days"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["date"] == date)
        .unwrap_or_else(|| panic!("{date} in {days}"))
}

#[tokio::test]
async fn a_parent_books_and_cancels_through_the_api_by_the_same_rules_as_the_pages() {
    let app = demo_app().await;
    let camille = resident(&app).await;
    let token = issue_token(&camille).await;
    let lea = child(&app, "Léa").await;

    // The children, with what the canteen must know.
    let (status, children) = get(&app, "/api/v1/family/children", &token).await;
    assert_eq!(status, 200, "{children}");
    let items = children["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let lea_json = items.iter().find(|c| c["id"] == lea.as_str()).unwrap();
    assert_eq!(lea_json["given_name"], "Léa");
    assert!(
        lea_json["allergens"]
            .as_array()
            .unwrap()
            .contains(&json!("arachides"))
    );
    assert_eq!(lea_json["care_plan"], true);

    let (status, activities) = get(&app, "/api/v1/activities", &token).await;
    assert_eq!(status, 200);
    assert!(
        activities["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["code"] == CANTEEN && a["unit"] == "repas")
    );

    // Monday 9:30. Monday is over; Tuesday's normal deadline passed (last minute until
    // 9:00 on Tuesday, 1 € more); Friday closes on Wednesday at noon.
    let week = format!(
        "/api/v1/family/children/{lea}/days?from=2026-11-23&to=2026-11-27&activity={CANTEEN}"
    );
    let (status, days) = get(&app, &week, &token).await;
    assert_eq!(status, 200, "{days}");
    let monday = day(&days, "2026-11-23");
    assert_eq!(monday["state"], "closed");
    assert!(monday["reason"].as_str().unwrap().contains("closes"));
    let tuesday = day(&days, "2026-11-24");
    assert_eq!(tuesday["state"], "bookable_late");
    assert_eq!(tuesday["closes_at"], "2026-11-24T08:00:00Z");
    assert_eq!(tuesday["price"]["cents"], 420);
    let friday = day(&days, "2026-11-27");
    assert_eq!(friday["state"], "bookable");
    assert_eq!(friday["closes_at"], "2026-11-25T11:00:00Z");
    assert_eq!(friday["price"]["cents"], 320);
    assert_eq!(
        friday["price"]["explanation"],
        "Tranche 2 (QF ≤ 1000) : 3,20 € = 3,20 €"
    );
    // With the day's menu and its allergens, as the kitchen published them.
    assert_eq!(monday["menu"]["main"], "Poulet rôti");
    assert_eq!(
        monday["menu"]["allergens"],
        json!(["oeufs", "lait", "moutarde"])
    );
    assert_eq!(tuesday["menu"]["vegetarian"], true);
    // The month page says the same.
    let page = camille
        .get(&format!("/famille/reservations/{lea}?mois=2026-11"))
        .await;
    assert!(page.contains("Réservable jusqu&#39;au mercredi 25 à 12:00 (3,20 €)."));

    // Booking, on each side of the deadlines.
    let (status, booked) = book(
        &app,
        &lea,
        &token,
        json!({ "activity": CANTEEN, "date": "2026-11-27" }),
    )
    .await;
    assert_eq!(status, 201, "{booked}");
    assert_eq!(
        (booked["late"].clone(), booked["cents"].clone()),
        (json!(false), json!(320))
    );
    let (_, late) = book(
        &app,
        &lea,
        &token,
        json!({ "activity": CANTEEN, "date": "2026-11-24" }),
    )
    .await;
    assert_eq!(
        (late["late"].clone(), late["cents"].clone()),
        (json!(true), json!(420))
    );
    let refused = book(
        &app,
        &lea,
        &token,
        json!({ "activity": CANTEEN, "date": "2026-11-23" }),
    )
    .await;
    assert_eq!((refused.0, code(&refused)), (409, "conflict"));

    let (_, days) = get(&app, &week, &token).await;
    let friday = day(&days, "2026-11-27");
    assert_eq!(friday["state"], "booked");
    assert_eq!(friday["cancellable_free_until"], "2026-11-25T11:00:00Z");
    let (status, bookings) = get(
        &app,
        &format!("/api/v1/family/children/{lea}/bookings?from=2026-11-23&to=2026-11-30"),
        &token,
    )
    .await;
    assert_eq!(status, 200);
    let dates: Vec<_> = bookings["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["date"].as_str().unwrap().to_string())
        .collect();
    // With the Mondays, Tuesdays and Thursdays of the demo's weekly pattern.
    assert_eq!(
        dates,
        ["2026-11-24", "2026-11-26", "2026-11-27", "2026-11-30"]
    );

    // Bad input changes nothing and says why.
    let invalid = book(&app, &lea, &token, json!({ "date": "27/11/2026" })).await;
    assert_eq!((invalid.0, code(&invalid)), (422, "invalid"));
    let keys: Vec<_> = invalid.1["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["key"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(keys, ["activity", "date"]);
    let bad_json = call(
        &app,
        reqwest::Method::POST,
        &format!("/api/v1/family/children/{lea}/bookings"),
        &token,
        Some("{"),
    )
    .await;
    assert_eq!((bad_json.0, code(&bad_json)), (400, "bad_request"));
    let too_long = get(
        &app,
        &format!("/api/v1/family/children/{lea}/days?from=2026-11-01&to=2027-02-01"),
        &token,
    )
    .await;
    assert_eq!((too_long.0, code(&too_long)), (400, "invalid_parameter"));

    // Cancelled in time: free; a second time: nothing to cancel.
    let (status, cancelled) = cancel(&app, &lea, &token, "2026-11-27").await;
    assert_eq!(status, 200, "{cancelled}");
    assert_eq!(cancelled["charged_cents"], Value::Null);
    let again = cancel(&app, &lea, &token, "2026-11-27").await;
    assert_eq!((again.0, code(&again)), (409, "conflict"));

    // The month's lines: the last-minute Tuesday with how it was computed, the pattern's
    // days, nothing for the Friday cancelled in time.
    let (status, charges) = get(&app, "/api/v1/family/charges?month=2026-11", &token).await;
    assert_eq!(status, 200, "{charges}");
    let items = charges["items"].as_array().unwrap();
    let sum: i64 = items.iter().map(|l| l["cents"].as_i64().unwrap()).sum();
    assert_eq!(charges["total_cents"], sum);
    assert!(items.iter().all(|l| l["date"] != "2026-11-27"));
    let line = items.iter().find(|l| l["date"] == "2026-11-24").unwrap();
    assert_eq!(
        (line["kind"].clone(), line["cents"].clone()),
        (json!("late_booking"), json!(420))
    );
    assert!(
        line["explanation"]
            .as_str()
            .unwrap()
            .contains("dernière minute")
    );
    let bad_month = get(&app, "/api/v1/family/charges?month=novembre", &token).await;
    assert_eq!((bad_month.0, code(&bad_month)), (400, "invalid_parameter"));

    // A resident's token does not open the agents' operations.
    let requests = get(&app, "/api/v1/requests", &token).await;
    assert_eq!((requests.0, code(&requests)), (403, "forbidden"));

    // Revoked in the space: the token stops at once.
    let id: String = sqlx::query_scalar("SELECT id FROM api_tokens")
        .fetch_one(app.kernel.db.pool())
        .await
        .unwrap();
    let revoked = camille
        .submit(
            "/mon-espace/jetons-api",
            &format!("/mon-espace/jetons-api/{id}/revoquer"),
            &[],
        )
        .await;
    assert_eq!(revoked.status, 303);
    let after = get(&app, "/api/v1/family/children", &token).await;
    assert_eq!((after.0, code(&after)), (401, "unauthorized"));
}

#[tokio::test]
async fn another_family_gets_404_and_an_agent_reads_audited_but_never_books() {
    let app = demo_app().await;
    let lea = child(&app, "Léa").await;
    let household: String =
        sqlx::query_scalar("SELECT household_id FROM household_members WHERE person_id = $1")
            .bind(&lea)
            .fetch_one(app.kernel.db.pool())
            .await
            .unwrap();

    // Luc, with a family file of his own, and no right on the Martins'.
    let luc = staff(&app, "luc.moreau@demo.parvis.fr").await;
    let no_file = get(&app, "/api/v1/family/children", &issue_token(&luc).await).await;
    assert_eq!((no_file.0, code(&no_file)), (404, "not_found"));
    luc.submit(
        "/famille",
        "/famille",
        &[("address", "3 impasse des Lilas")],
    )
    .await;
    let luc_token = issue_token(&luc).await;
    let (status, mine) = get(&app, "/api/v1/family/children", &luc_token).await;
    assert_eq!(status, 200);
    assert_eq!(mine["items"], json!([]));
    for path in [
        format!("/api/v1/family/children/{lea}/days"),
        format!("/api/v1/family/children/{lea}/bookings"),
    ] {
        let reply = get(&app, &path, &luc_token).await;
        assert_eq!((reply.0, code(&reply)), (404, "not_found"), "{path}");
    }
    let forced = book(
        &app,
        &lea,
        &luc_token,
        json!({ "activity": CANTEEN, "date": "2026-11-27" }),
    )
    .await;
    assert_eq!((forced.0, code(&forced)), (404, "not_found"));
    let named = get(
        &app,
        &format!("/api/v1/family/charges?household={household}"),
        &luc_token,
    )
    .await;
    assert_eq!((named.0, code(&named)), (403, "forbidden"));

    // Karim, of the family service, reads the Martins' file: each reading is audited.
    let karim = staff(&app, "karim.haddad@demo.parvis.fr").await;
    let karim_token = issue_token(&karim).await;
    let (status, children) = get(
        &app,
        &format!("/api/v1/family/children?household={household}"),
        &karim_token,
    )
    .await;
    assert_eq!(status, 200, "{children}");
    assert_eq!(children["items"].as_array().unwrap().len(), 2);
    let (status, _) = get(
        &app,
        &format!("/api/v1/family/children/{lea}/days?household={household}"),
        &karim_token,
    )
    .await;
    assert_eq!(status, 200);
    let audited = kernel::audit::search(
        &app.kernel.db,
        &kernel::audit::AuditQuery {
            action: Some("family.file_viewed".into()),
            limit: 100,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        audited
            .iter()
            .filter(|e| e.details.contains("\"via\":\"api\""))
            .count(),
        2
    );
    let unknown = get(
        &app,
        "/api/v1/family/children?household=inconnu",
        &karim_token,
    )
    .await;
    assert_eq!((unknown.0, code(&unknown)), (404, "not_found"));
    // Booking is the family's act.
    let by_agent = book(
        &app,
        &lea,
        &karim_token,
        json!({ "activity": CANTEEN, "date": "2026-11-27" }),
    )
    .await;
    assert_eq!((by_agent.0, code(&by_agent)), (404, "not_found"));
    let booked: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM bookings WHERE child_id = $1 AND day = '2026-11-27'",
    )
    .bind(&lea)
    .fetch_one(app.kernel.db.pool())
    .await
    .unwrap();
    assert_eq!(booked, 0);
}
