//! Open311 GeoReport v2 end to end, on SQLite (and PostgreSQL when
//! PARVIS_TEST_POSTGRES_URL is set): every resource in JSON and in XML (parsed), the
//! request-list filters, filing with a key (form and multipart with a photo), the errors
//! in the specification's shape, the jurisdiction, CORS, what is never served (the author,
//! private categories, hidden text and photos), and the administration of the keys.

use jiff::SignedDuration;
use parvis::testing::{TestApp, TestClient, TestResponse, caller, demo_app, staff};
use quick_xml::events::Event;
use reports::actions;
use reports::model::{Point, Status, UpdateKind};
use reports::store;
use serde_json::Value;
use sqlx::Row;

const V2: &str = "/open311/v2";
/// The demo's sample reports outside the private category (noise).
const PUBLIC_SAMPLES: usize = 11;

// ------------------------------------------------------------------ XML, read back

/// An element of an XML answer, as a client reads it.
#[derive(Debug, Clone, Default)]
struct Node {
    name: String,
    text: String,
    children: Vec<Node>,
}

impl Node {
    fn child(&self, name: &str) -> &Node {
        self.children
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("<{}> has no <{name}>: {self:?}", self.name))
    }
    fn has(&self, name: &str) -> bool {
        self.children.iter().any(|c| c.name == name)
    }
    fn all(&self, name: &str) -> Vec<&Node> {
        self.children.iter().filter(|c| c.name == name).collect()
    }
    fn text_of(&self, name: &str) -> &str {
        &self.child(name).text
    }
}

/// Parses an answer with quick-xml: it must start with the declaration and carry no
/// namespace.
fn parse_xml(body: &str) -> Node {
    assert!(
        body.starts_with(r#"<?xml version="1.0" encoding="utf-8"?>"#),
        "{body}"
    );
    assert!(!body.contains("xmlns"), "{body}");
    let mut reader = quick_xml::Reader::from_str(body);
    reader.config_mut().trim_text(true);
    let mut stack: Vec<Node> = vec![Node::default()];
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => stack.push(Node {
                name: e.name().as_ref().to_string(),
                ..Node::default()
            }),
            Event::Empty(e) => stack.last_mut().unwrap().children.push(Node {
                name: e.name().as_ref().to_string(),
                ..Node::default()
            }),
            Event::Text(t) => stack.last_mut().unwrap().text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let entity = format!("&{};", &*r);
                let text = quick_xml::escape::unescape(&entity).expect("known entity");
                stack.last_mut().unwrap().text.push_str(&text);
            }
            Event::End(_) => {
                let done = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(done);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let mut top = stack.pop().unwrap();
    assert_eq!(top.children.len(), 1, "one root element");
    top.children.remove(0)
}

fn assert_xml(response: &TestResponse) -> Node {
    assert_eq!(
        response.header("content-type"),
        Some("text/xml; charset=utf-8")
    );
    parse_xml(&response.body)
}

fn assert_json(response: &TestResponse) -> Value {
    assert_eq!(
        response.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    serde_json::from_str(&response.body).unwrap_or_else(|e| panic!("{e}: {}", response.body))
}

async fn json(client: &TestClient, path: &str) -> (u16, Value) {
    let response = client.get(path).await;
    (response.status, assert_json(&response))
}

async fn xml(client: &TestClient, path: &str) -> (u16, Node) {
    let response = client.get(path).await;
    (response.status, assert_xml(&response))
}

/// The spec's error list, in JSON: every entry carries the HTTP status as its code.
fn assert_json_errors(value: &Value, status: u16) -> Vec<String> {
    let list = value.as_array().expect("errors are a top-level array");
    assert!(!list.is_empty());
    list.iter()
        .map(|e| {
            assert_eq!(e["code"], status, "{value}");
            e["description"].as_str().unwrap().to_string()
        })
        .collect()
}

fn assert_xml_errors(root: &Node, status: u16) -> Vec<String> {
    assert_eq!(root.name, "errors");
    let errors = root.all("error");
    assert!(!errors.is_empty());
    errors
        .iter()
        .map(|e| {
            assert_eq!(e.text_of("code"), status.to_string());
            e.text_of("description").to_string()
        })
        .collect()
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("a top-level array")
        .iter()
        .map(|r| r["service_request_id"].as_str().unwrap().to_string())
        .collect()
}

// ------------------------------------------------------------------ helpers

/// A key issued by the administrator, as the back office does.
async fn key(app: &TestApp) -> (String, String) {
    let admin = caller(app, "admin@demo.parvis.fr").await;
    let (client, key) = reports::open311::keys::issue(
        &app.kernel,
        &admin,
        "Appli Mon Quartier",
        "dev@monquartier.example",
    )
    .await
    .unwrap();
    (client.id, key)
}

async fn report_of(app: &TestApp, code: &str) -> reports::model::Report {
    let category = store::category_by_code(&app.kernel.db, code)
        .await
        .unwrap()
        .unwrap();
    store::list_reports(
        &app.kernel.db,
        &store::ReportFilter {
            category_ids: vec![category.id],
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .remove(0)
}

fn near_mairie() -> (String, String) {
    ("45.7641".into(), "4.8357".into())
}

/// Files a tag near the town hall with this key, and any other fields.
async fn file_tag(
    client: &TestClient,
    path: &str,
    key: &str,
    extra: &[(&str, &str)],
) -> TestResponse {
    let (lat, long) = near_mairie();
    let mut fields = vec![
        ("api_key", key),
        ("service_code", "tags"),
        ("lat", lat.as_str()),
        ("long", long.as_str()),
    ];
    fields.extend_from_slice(extra);
    client.post_form(path, &fields).await
}

async fn count_all(app: &TestApp) -> i64 {
    store::count_reports(&app.kernel.db, &store::ReportFilter::default())
        .await
        .unwrap()
}

/// The entry of a JSON list with this service code.
fn by_code<'a>(list: &'a [Value], code: &str) -> &'a Value {
    list.iter()
        .find(|entry| entry["service_code"] == code)
        .unwrap_or_else(|| panic!("no {code}"))
}

/// A JPEG with an EXIF segment naming the camera, as phones write them.
fn photo_with_exif() -> Vec<u8> {
    let image = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 4, y as u8 * 5, 90]));
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
        .encode_image(&image)
        .unwrap();
    // TIFF header (big-endian), one IFD entry: Make (0x010F), ASCII, 8 bytes at offset 26.
    let mut tiff = b"MM\x00\x2a\x00\x00\x00\x08".to_vec();
    tiff.extend_from_slice(&[0x00, 0x01]);
    tiff.extend_from_slice(&[0x01, 0x0f, 0x00, 0x02, 0x00, 0x00, 0x00, 0x08]);
    tiff.extend_from_slice(&[0x00, 0x00, 0x00, 0x1a]);
    tiff.extend_from_slice(&[0x00, 0x00, 0x00, 0x00]);
    tiff.extend_from_slice(b"TestCam\x00");
    let mut app1 = b"Exif\x00\x00".to_vec();
    app1.extend_from_slice(&tiff);
    let length = u16::try_from(app1.len() + 2).unwrap().to_be_bytes();
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xff, 0xe1, length[0], length[1]]);
    out.extend_from_slice(&app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

// ------------------------------------------------------------------ reading

#[tokio::test]
async fn discovery_describes_the_endpoint_in_both_formats() {
    let app = demo_app().await;
    let client = app.client();
    let (status, d) = json(&client, &format!("{V2}/discovery.json")).await;
    assert_eq!(status, 200);
    assert!(d.is_object(), "discovery is an object");
    assert!(d["changeset"].as_str().unwrap().starts_with("20"));
    assert!(
        d["contact"]
            .as_str()
            .unwrap()
            .contains("contact@demo.parvis.fr")
    );
    let key_service = d["key_service"].as_str().unwrap();
    assert!(
        key_service.contains("contact@demo.parvis.fr"),
        "{key_service}"
    );
    assert!(key_service.contains("/open311"), "{key_service}");
    let endpoint = &d["endpoints"][0];
    assert_eq!(
        endpoint["specification"],
        "http://wiki.open311.org/GeoReport_v2"
    );
    assert!(endpoint["url"].as_str().unwrap().ends_with("/open311/v2"));
    assert_eq!(endpoint["type"], "production");
    assert_eq!(
        endpoint["formats"],
        serde_json::json!(["text/xml", "application/json"])
    );

    let (status, root) = xml(&client, &format!("{V2}/discovery.xml")).await;
    assert_eq!(status, 200);
    assert_eq!(root.name, "discovery");
    assert!(
        root.text_of("key_service")
            .contains("contact@demo.parvis.fr")
    );
    let endpoint = root.child("endpoints").child("endpoint");
    let formats: Vec<&str> = endpoint
        .child("formats")
        .all("format")
        .iter()
        .map(|f| f.text.as_str())
        .collect();
    assert_eq!(formats, vec!["text/xml", "application/json"]);

    // The page that tells developers how to obtain a key.
    let page = client.get("/open311").await;
    assert_eq!(page.status, 200);
    assert!(page.contains("contact@demo.parvis.fr"));
    assert!(page.contains("/open311/v2"));
}

#[tokio::test]
async fn services_are_the_public_categories_with_their_groups_and_definitions() {
    let app = demo_app().await;
    let client = app.client();
    let (status, list) = json(&client, &format!("{V2}/services.json")).await;
    assert_eq!(status, 200);
    let services = list.as_array().expect("a top-level array");
    let codes: Vec<&str> = services
        .iter()
        .map(|s| s["service_code"].as_str().expect("codes are strings"))
        .collect();
    assert!(codes.contains(&"voirie"));
    assert!(codes.contains(&"nid-de-poule"));
    // The private category is nowhere.
    assert!(!codes.contains(&"bruit"), "{codes:?}");
    let pothole = by_code(services, "nid-de-poule");
    assert_eq!(pothole["group"], "Voirie");
    assert_eq!(pothole["metadata"], true);
    assert_eq!(pothole["type"], "realtime");
    assert_eq!(pothole["service_name"], "Nid-de-poule ou chaussée dégradée");
    let tags = by_code(services, "tags");
    assert_eq!(tags["metadata"], false);

    let (status, root) = xml(&client, &format!("{V2}/services.xml")).await;
    assert_eq!(status, 200);
    assert_eq!(root.name, "services");
    let all = root.all("service");
    assert_eq!(all.len(), services.len());
    let pothole = all
        .iter()
        .find(|s| s.text_of("service_code") == "nid-de-poule")
        .unwrap();
    assert_eq!(pothole.text_of("metadata"), "true");
    assert_eq!(pothole.text_of("group"), "Voirie");
    assert!(!all.iter().any(|s| s.text_of("service_code") == "bruit"));

    // A definition: the extra questions, ordered from 1, with the choices of a list.
    let (status, d) = json(&client, &format!("{V2}/services/depot-sauvage.json")).await;
    assert_eq!(status, 200);
    assert_eq!(d["service_code"], "depot-sauvage");
    let attribute = &d["attributes"][0];
    assert_eq!(attribute["code"], "volume");
    assert_eq!(attribute["variable"], true);
    assert_eq!(attribute["required"], true);
    assert_eq!(attribute["datatype"], "singlevaluelist");
    assert_eq!(attribute["order"], 1);
    assert_eq!(attribute["values"][0]["key"], "sac");
    assert_eq!(attribute["values"].as_array().unwrap().len(), 4);
    let (_, d) = json(&client, &format!("{V2}/services/lampadaire.json")).await;
    assert_eq!(d["attributes"][0]["datatype"], "string");
    assert!(
        d["attributes"][0]["datatype_description"]
            .as_str()
            .unwrap()
            .contains("plaque")
    );

    let (status, root) = xml(&client, &format!("{V2}/services/nid-de-poule.xml")).await;
    assert_eq!(status, 200);
    assert_eq!(root.name, "service_definition");
    assert_eq!(root.text_of("service_code"), "nid-de-poule");
    let attribute = root.child("attributes").child("attribute");
    assert_eq!(attribute.text_of("code"), "danger");
    assert_eq!(attribute.text_of("order"), "1");
    let keys: Vec<&str> = attribute
        .child("values")
        .all("value")
        .iter()
        .map(|v| v.text_of("key"))
        .collect();
    assert_eq!(keys, vec!["oui", "non"]);

    // Unknown and private services are missing resources, in either format.
    for code in ["inconnu", "bruit"] {
        let (status, errors) = json(&client, &format!("{V2}/services/{code}.json")).await;
        assert_eq!(status, 404);
        assert!(assert_json_errors(&errors, 404)[0].contains(code));
        let (status, root) = xml(&client, &format!("{V2}/services/{code}.xml")).await;
        assert_eq!(status, 404);
        assert_xml_errors(&root, 404);
    }
}

#[tokio::test]
async fn request_lists_serve_public_reports_in_both_formats_and_never_the_author() {
    let app = demo_app().await;
    let client = app.client();
    let (status, list) = json(&client, &format!("{V2}/requests.json")).await;
    assert_eq!(status, 200);
    let requests = list.as_array().expect("a top-level array");
    assert_eq!(requests.len(), PUBLIC_SAMPLES);
    assert!(!requests.iter().any(|r| r["service_code"] == "bruit"));
    // Newest first.
    let dates: Vec<&str> = requests
        .iter()
        .map(|r| r["requested_datetime"].as_str().unwrap())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted);
    for r in requests {
        assert!(r["status"] == "open" || r["status"] == "closed", "{r}");
        assert!(r["lat"].is_f64() && r["long"].is_f64());
        assert!(r["address_id"].is_null());
        assert!(
            r["requested_datetime"]
                .as_str()
                .unwrap()
                .ends_with("+01:00")
        );
    }
    let tree = by_code(requests, "arbre");
    assert_eq!(tree["status"], "closed");
    assert_eq!(tree["service_name"], "Arbre ou branche dangereux");
    assert_eq!(tree["zipcode"], "00000");
    assert!(tree["status_notes"].as_str().unwrap().contains("élagué"));
    assert!(tree["agency_responsible"].as_str().is_some());
    let water = by_code(requests, "eau");
    assert_eq!(water["status"], "closed");
    assert!(
        water["agency_responsible"]
            .as_str()
            .unwrap()
            .contains("Métropole")
    );
    let parking = by_code(requests, "stationnement");
    assert!(parking["service_notice"].as_str().unwrap().contains("17"));

    let (status, root) = xml(&client, &format!("{V2}/requests.xml")).await;
    assert_eq!(status, 200);
    assert_eq!(root.name, "service_requests");
    let items = root.all("request");
    assert_eq!(items.len(), PUBLIC_SAMPLES);
    for field in [
        "service_request_id",
        "status",
        "status_notes",
        "service_name",
        "service_code",
        "description",
        "agency_responsible",
        "service_notice",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
        "address_id",
        "zipcode",
        "lat",
        "long",
        "media_url",
    ] {
        assert!(items[0].has(field), "<request> lacks <{field}>");
    }
    // The demo resident filed a third of the samples: neither her e-mail nor her name
    // nor her account appear anywhere.
    let resident = accounts::store::user_by_email(&app.kernel.db, "camille.martin@demo.parvis.fr")
        .await
        .unwrap()
        .unwrap();
    for body in [
        client
            .get(&format!("{V2}/requests.json?extensions=true"))
            .await
            .body,
        client
            .get(&format!("{V2}/requests.xml?extensions=true"))
            .await
            .body,
    ] {
        assert!(!body.contains("camille.martin"), "{body}");
        assert!(!body.contains("Camille"));
        assert!(!body.contains(&resident.id));
    }
    // CORS: any web page may read.
    let response = client.get(&format!("{V2}/requests.json")).await;
    assert_eq!(response.header("access-control-allow-origin"), Some("*"));
}

#[tokio::test]
async fn every_filter_of_the_request_list() {
    let app = demo_app().await;
    let client = app.client();
    let count = |v: &Value| v.as_array().unwrap().len();

    // By service, one or several, comma-separated.
    let (_, one) = json(&client, &format!("{V2}/requests.json?service_code=arbre")).await;
    assert_eq!(count(&one), 1);
    assert_eq!(one[0]["service_code"], "arbre");
    let (_, two) = json(
        &client,
        &format!("{V2}/requests.json?service_code=arbre,tags"),
    )
    .await;
    assert_eq!(count(&two), 2);
    // A private or unknown service lists nothing.
    let (status, none) = json(&client, &format!("{V2}/requests.json?service_code=bruit")).await;
    assert_eq!((status, count(&none)), (200, 0));

    // By status, folded to open / closed.
    let (_, closed) = json(&client, &format!("{V2}/requests.json?status=closed")).await;
    assert_eq!(count(&closed), 4);
    assert!(
        closed
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "closed")
    );
    let (_, open) = json(&client, &format!("{V2}/requests.json?status=open")).await;
    assert_eq!(count(&open), PUBLIC_SAMPLES - 4);
    let (_, both) = json(&client, &format!("{V2}/requests.json?status=open,closed")).await;
    assert_eq!(count(&both), PUBLIC_SAMPLES);

    // Empty parameters are absent ones.
    let (status, empty) = json(
        &client,
        &format!(
            "{V2}/requests.json?status=&service_code=&start_date=&page_size=&jurisdiction_id="
        ),
    )
    .await;
    assert_eq!((status, count(&empty)), (200, PUBLIC_SAMPLES));

    // By date of the request: the samples were filed over the last 12 days.
    let (_, recent) = json(
        &client,
        &format!("{V2}/requests.json?start_date=2026-11-20T00:00:00%2B01:00"),
    )
    .await;
    let recent = recent.as_array().unwrap();
    assert!(!recent.is_empty() && recent.len() < PUBLIC_SAMPLES);
    assert!(
        recent
            .iter()
            .all(|r| r["requested_datetime"].as_str().unwrap() >= "2026-11-20")
    );
    // A `+` left unencoded arrives as a space, and still works.
    let (status, same) = json(
        &client,
        &format!("{V2}/requests.json?start_date=2026-11-20T00:00:00+01:00"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(ids(&same), ids(&Value::Array(recent.clone())));
    let (_, older) = json(
        &client,
        &format!("{V2}/requests.json?end_date=2026-11-20T00:00:00Z"),
    )
    .await;
    assert_eq!(count(&older) + recent.len(), PUBLIC_SAMPLES);
    let (_, window) = json(
        &client,
        &format!(
            "{V2}/requests.json?start_date=2026-08-01T00:00:00Z&end_date=2026-10-01T00:00:00Z"
        ),
    )
    .await;
    assert_eq!(count(&window), 0);
    // The default window is the last 90 days: a report filed long ago is left out.
    let old = report_of(&app, "mobilier").await;
    sqlx::query("UPDATE reports SET created_at = created_at - $2 WHERE id = $1")
        .bind(&old.id)
        .bind(100_i64 * 24 * 3600 * 1_000_000)
        .execute(app.kernel.db.pool())
        .await
        .unwrap();
    let (_, default) = json(&client, &format!("{V2}/requests.json")).await;
    assert_eq!(count(&default), PUBLIC_SAMPLES - 1);
    assert!(!ids(&default).contains(&old.id));

    // By id, which overrides every other filter (here: a closed status and a window
    // that holds nothing).
    let tree = report_of(&app, "arbre").await;
    let lamp = report_of(&app, "lampadaire").await;
    let (_, by_id) = json(
        &client,
        &format!(
            "{V2}/requests.json?service_request_id={},{},{}&status=closed&start_date=2020-01-01T00:00:00Z&end_date=2020-02-01T00:00:00Z",
            tree.id, lamp.id, old.id
        ),
    )
    .await;
    let mut got = ids(&by_id);
    got.sort();
    let mut expected = vec![tree.id.clone(), lamp.id.clone(), old.id.clone()];
    expected.sort();
    assert_eq!(got, expected);
    // A private report is not found by id either.
    let noise = report_of(&app, "bruit").await;
    let (_, private) = json(
        &client,
        &format!("{V2}/requests.json?service_request_id={}", noise.id),
    )
    .await;
    assert_eq!(count(&private), 0);

    // Pages.
    let (_, page1) = json(&client, &format!("{V2}/requests.json?page_size=4")).await;
    let (_, page2) = json(&client, &format!("{V2}/requests.json?page_size=4&page=2")).await;
    let (_, page3) = json(&client, &format!("{V2}/requests.json?page_size=4&page=3")).await;
    assert_eq!((count(&page1), count(&page2), count(&page3)), (4, 4, 2));
    let mut seen = ids(&page1);
    seen.extend(ids(&page2));
    seen.extend(ids(&page3));
    assert_eq!(seen, ids(&default));

    // Bad dates, spans and values: 400, every problem listed, in either format.
    let (status, errors) = json(
        &client,
        &format!("{V2}/requests.json?start_date=hier&status=pending&page_size=5000"),
    )
    .await;
    assert_eq!(status, 400);
    let messages = assert_json_errors(&errors, 400);
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert!(messages.iter().any(|m| m.contains("start_date")));
    let (status, root) = xml(
        &client,
        &format!("{V2}/requests.xml?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z"),
    )
    .await;
    assert_eq!(status, 400);
    assert!(assert_xml_errors(&root, 400)[0].contains("90 jours"));
    let (status, _) = json(
        &client,
        &format!(
            "{V2}/requests.json?start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z"
        ),
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn one_request_and_its_token_in_both_formats_with_its_public_history() {
    let app = demo_app().await;
    let client = app.client();
    let tree = report_of(&app, "arbre").await;
    let (status, list) = json(&client, &format!("{V2}/requests/{}.json", tree.id)).await;
    assert_eq!(status, 200);
    assert_eq!(ids(&list), vec![tree.id.clone()]);
    assert_eq!(list[0]["status"], "closed");
    assert!(list[0].get("notes").is_none());
    let (status, root) = xml(&client, &format!("{V2}/requests/{}.xml", tree.id)).await;
    assert_eq!(status, 200);
    assert_eq!(root.name, "service_requests");
    assert_eq!(root.all("request").len(), 1);
    assert_eq!(root.child("request").text_of("service_request_id"), tree.id);

    // The public history, as an extension: filed, then each status change, without the
    // internal notes nor what a moderator hid.
    let admin = caller(&app, "admin@demo.parvis.fr").await;
    let filed = actions::file_report(
        &app.kernel,
        &kernel::Caller::default(),
        actions::NewReport {
            category_code: "tags".into(),
            point: Point::new(45.7641, 4.8357),
            description: "Tag sur la fontaine.".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let id = filed.report.id.clone();
    for (status, message) in [
        (Status::Acknowledged, ""),
        (Status::InProgress, "Nettoyage prévu demain."),
    ] {
        app.clock.advance(SignedDuration::from_mins(10));
        actions::change_status(
            &app.kernel,
            &admin,
            &id,
            actions::StatusChange {
                to: status,
                message: message.into(),
                photo: None,
            },
        )
        .await
        .unwrap();
    }
    for (kind, message, public, hidden) in [
        (
            UpdateKind::Note,
            "Note interne : voir avec le gardien.",
            false,
            false,
        ),
        (
            UpdateKind::Message,
            "Message masqué par la modération.",
            true,
            true,
        ),
    ] {
        app.clock.advance(SignedDuration::from_mins(10));
        let mut tx = app.kernel.db.begin().await.unwrap();
        store::insert_update(
            &mut tx,
            &reports::model::Update {
                id: store::new_id(),
                report_id: id.clone(),
                kind,
                status: None,
                message: message.into(),
                public,
                hidden,
                agent_id: None,
                agent_name: "Luc Moreau".into(),
                created_at: app.kernel.now(),
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    let (_, list) = json(&client, &format!("{V2}/requests/{id}.json?extensions=true")).await;
    let notes = list[0]["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 3, "{notes:?}");
    assert_eq!(notes[0]["type"], "filed");
    assert_eq!(notes[1]["type"], "status");
    assert_eq!(notes[1]["description"], "Pris en compte");
    assert_eq!(notes[2]["description"], "Nettoyage prévu demain.");
    assert!(notes[2]["datetime"].as_str().unwrap().ends_with("+01:00"));
    assert_eq!(list[0]["status_notes"], "Nettoyage prévu demain.");
    let (_, root) = xml(&client, &format!("{V2}/requests/{id}.xml?extensions=true")).await;
    let notes = root.child("request").child("notes").all("note");
    assert_eq!(notes.len(), 3);
    assert_eq!(notes[2].text_of("type"), "status");
    assert!(!root.child("request").has("author"));
    let body = client
        .get(&format!("{V2}/requests/{id}.xml?extensions=true"))
        .await
        .body;
    assert!(!body.contains("Note interne") && !body.contains("masqué") && !body.contains("Luc"));
    // A status message hidden by a moderator leaves the status notes too.
    sqlx::query("UPDATE report_updates SET hidden = 1 WHERE report_id = $1 AND kind = 'status'")
        .bind(&id)
        .execute(app.kernel.db.pool())
        .await
        .unwrap();
    let (_, list) = json(&client, &format!("{V2}/requests/{id}.json?extensions=true")).await;
    assert!(list[0]["status_notes"].is_null());
    assert_eq!(list[0]["notes"].as_array().unwrap().len(), 1);

    // Hidden text and photos are not served.
    let photo = reports::photos::clean(&photo_with_exif(), 10 * 1024 * 1024).unwrap();
    let basket = actions::file_report(
        &app.kernel,
        &kernel::Caller::default(),
        actions::NewReport {
            category_code: "corbeille".into(),
            point: Point::new(45.7641, 4.8357),
            description: "Corbeille renversée devant l'école.".into(),
            photos: vec![photo],
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .report;
    let photo_id = store::photos_of(&app.kernel.db, &basket.id).await.unwrap()[0]
        .id
        .clone();
    let (_, list) = json(&client, &format!("{V2}/requests/{}.json", basket.id)).await;
    assert_eq!(
        list[0]["media_url"],
        format!("http://127.0.0.1:8080/signalements/photos/{photo_id}")
    );
    assert!(
        list[0]["description"]
            .as_str()
            .unwrap()
            .contains("Corbeille renversée")
    );
    sqlx::query("UPDATE reports SET description_hidden = 1 WHERE id = $1")
        .bind(&basket.id)
        .execute(app.kernel.db.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE report_photos SET hidden = 1 WHERE id = $1")
        .bind(&photo_id)
        .execute(app.kernel.db.pool())
        .await
        .unwrap();
    let (_, list) = json(&client, &format!("{V2}/requests/{}.json", basket.id)).await;
    assert!(list[0]["description"].is_null());
    assert!(list[0]["media_url"].is_null());
    let (_, root) = xml(&client, &format!("{V2}/requests/{}.xml", basket.id)).await;
    assert_eq!(root.child("request").text_of("description"), "");
    assert!(
        !root
            .child("request")
            .text_of("media_url")
            .contains("photos")
    );

    // Tokens.
    let token = store::open311_token_of(&app.kernel.db, &tree.id)
        .await
        .unwrap()
        .unwrap();
    let (status, list) = json(&client, &format!("{V2}/tokens/{token}.json")).await;
    assert_eq!(status, 200);
    assert_eq!(list[0]["service_request_id"], tree.id.as_str());
    assert_eq!(list[0]["token"], token.as_str());
    let (status, root) = xml(&client, &format!("{V2}/tokens/{token}.xml")).await;
    assert_eq!(status, 200);
    assert_eq!(root.name, "service_requests");
    assert_eq!(root.child("request").text_of("token"), token);

    // Unknown, and private, are missing.
    let noise = report_of(&app, "bruit").await;
    let noise_token = store::open311_token_of(&app.kernel.db, &noise.id)
        .await
        .unwrap()
        .unwrap();
    for path in [
        format!("{V2}/requests/inconnu.json"),
        format!("{V2}/requests/{}.json", noise.id),
        format!("{V2}/tokens/inconnu.json"),
        format!("{V2}/tokens/{noise_token}.json"),
    ] {
        let (status, errors) = json(&client, &path).await;
        assert_eq!(status, 404, "{path}");
        assert_json_errors(&errors, 404);
    }
    let (status, root) = xml(&client, &format!("{V2}/requests/{}.xml", noise.id)).await;
    assert_eq!(status, 404);
    assert_xml_errors(&root, 404);
}

#[tokio::test]
async fn the_jurisdiction_is_the_communes_own_and_others_are_unknown() {
    let app = demo_app().await;
    let client = app.client();
    // Tests run with the default public address, http://127.0.0.1:8080.
    for path in [
        format!("{V2}/services.json?jurisdiction_id=127.0.0.1"),
        format!("{V2}/discovery.json?jurisdiction_id=127.0.0.1"),
        format!("{V2}/requests.json?jurisdiction_id=127.0.0.1"),
    ] {
        assert_eq!(client.get(&path).await.status, 200, "{path}");
    }
    let (status, errors) = json(
        &client,
        &format!("{V2}/services.json?jurisdiction_id=paris.fr"),
    )
    .await;
    assert_eq!(status, 404);
    assert!(assert_json_errors(&errors, 404)[0].contains("paris.fr"));
    let (status, root) = xml(
        &client,
        &format!("{V2}/requests.xml?jurisdiction_id=paris.fr"),
    )
    .await;
    assert_eq!(status, 404);
    assert_xml_errors(&root, 404);
    let (_, key) = key(&app).await;
    let response = file_tag(
        &client,
        &format!("{V2}/requests.json"),
        &key,
        &[("jurisdiction_id", "paris.fr")],
    )
    .await;
    assert_eq!(response.status, 404);

    // Unknown resources and formats answer in the specification's shape too.
    let (status, errors) = json(&client, &format!("{V2}/nothing.json")).await;
    assert_eq!(status, 404);
    assert_json_errors(&errors, 404);
    let (status, root) = xml(&client, &format!("{V2}/services.html")).await;
    assert_eq!(status, 404);
    assert_xml_errors(&root, 404);
    let (status, root) = xml(&client, &format!("{V2}/a/b/c.xml")).await;
    assert_eq!(status, 404);
    assert_xml_errors(&root, 404);
}

#[tokio::test]
async fn cors_lets_any_page_read_and_answers_the_preflight() {
    let app = demo_app().await;
    let client = app.client();
    for path in [
        "discovery.json",
        "services.xml",
        "requests.json",
        "services/inconnu.json",
    ] {
        let response = client.get(&format!("{V2}/{path}")).await;
        assert_eq!(
            response.header("access-control-allow-origin"),
            Some("*"),
            "{path}"
        );
    }
    let preflight = client
        .http
        .request(
            reqwest::Method::OPTIONS,
            app.url(&format!("{V2}/requests.json")),
        )
        .header("origin", "https://dashboard.example")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 204);
    let headers = preflight.headers();
    assert_eq!(headers["access-control-allow-origin"], "*");
    assert!(
        headers["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("GET")
    );
    // Filing is not open to web pages.
    let post = client
        .post_form(&format!("{V2}/requests.json"), &[("service_code", "tags")])
        .await;
    assert_eq!(post.header("access-control-allow-origin"), None);
}

// ------------------------------------------------------------------ filing

#[tokio::test]
async fn filing_needs_a_valid_key_a_known_service_and_complete_answers() {
    let app = demo_app().await;
    let client = app.client();
    let (_, key) = key(&app).await;
    let (lat, long) = near_mairie();
    let before = count_all(&app).await;
    let post = |fields: Vec<(&'static str, String)>, path: String| {
        let client = &client;
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            client.post_form(&path, &fields).await
        }
    };
    let base = |key: &str| {
        vec![
            ("api_key", key.to_string()),
            ("service_code", "nid-de-poule".to_string()),
            ("lat", lat.clone()),
            ("long", long.clone()),
            ("attribute[danger]", "oui".to_string()),
        ]
    };

    // No key, an empty key, a wrong key: 403, in either format.
    let mut no_key = base("");
    no_key.remove(0);
    let response = post(no_key, format!("{V2}/requests.json")).await;
    assert_eq!(response.status, 403);
    assert!(assert_json_errors(&assert_json(&response), 403)[0].contains("api_key"));
    let response = post(base(""), format!("{V2}/requests.xml")).await;
    assert_eq!(response.status, 403);
    assert_xml_errors(&assert_xml(&response), 403);
    let response = post(base("o311_faux"), format!("{V2}/requests.json")).await;
    assert_eq!(response.status, 403);

    // An unknown or private service: 404.
    for code in ["inconnu", "bruit"] {
        let mut fields = base(&key);
        fields[1].1 = code.to_string();
        let response = post(fields, format!("{V2}/requests.json")).await;
        assert_eq!(response.status, 404, "{code}: {}", response.body);
        assert_json_errors(&assert_json(&response), 404);
    }

    // A required answer missing: 400, naming the attribute.
    let mut fields = base(&key);
    fields.pop();
    let response = post(fields, format!("{V2}/requests.xml")).await;
    assert_eq!(response.status, 400);
    let messages = assert_xml_errors(&assert_xml(&response), 400);
    assert!(messages[0].contains("attribute[danger]"), "{messages:?}");
    // A value that is not a choice of the list.
    let mut fields = base(&key);
    fields[4].1 = "peut-etre".to_string();
    assert_eq!(
        post(fields, format!("{V2}/requests.json")).await.status,
        400
    );

    // Outside the commune: 400.
    let mut fields = base(&key);
    fields[2].1 = "48.8566".into();
    fields[3].1 = "2.3522".into();
    let response = post(fields, format!("{V2}/requests.json")).await;
    assert_eq!(response.status, 400);
    assert!(
        assert_json_errors(&assert_json(&response), 400)[0].contains("en dehors de la commune")
    );

    // Several problems are listed together: no place, no answer, HTML in the text.
    let response = post(
        vec![
            ("api_key", key.clone()),
            ("service_code", "nid-de-poule".into()),
            ("description", "<script>alert(1)</script>".into()),
        ],
        format!("{V2}/requests.json"),
    )
    .await;
    assert_eq!(response.status, 400);
    let messages = assert_json_errors(&assert_json(&response), 400);
    assert_eq!(messages.len(), 3, "{messages:?}");
    // Half a point, and an address id Parvis cannot place.
    let response = post(
        vec![
            ("api_key", key.clone()),
            ("service_code", "tags".into()),
            ("lat", lat.clone()),
        ],
        format!("{V2}/requests.json"),
    )
    .await;
    assert_eq!(response.status, 400);
    let response = post(
        vec![
            ("api_key", key.clone()),
            ("service_code", "tags".into()),
            ("address_id", "12345".into()),
        ],
        format!("{V2}/requests.json"),
    )
    .await;
    assert_eq!(response.status, 400);
    assert!(assert_json_errors(&assert_json(&response), 400)[0].contains("address_id"));

    // Nothing was filed.
    let after = count_all(&app).await;
    assert_eq!(after, before);

    // A revoked key files no more.
    let admin = caller(&app, "admin@demo.parvis.fr").await;
    let (revoked_id, revoked_key) = {
        let (client, key) =
            reports::open311::keys::issue(&app.kernel, &admin, "Ancienne appli", "x@y.example")
                .await
                .unwrap();
        (client.id, key)
    };
    reports::open311::keys::revoke(&app.kernel, &admin, &revoked_id)
        .await
        .unwrap();
    let response = post(base(&revoked_key), format!("{V2}/requests.json")).await;
    assert_eq!(response.status, 403);
}

#[tokio::test]
async fn a_client_files_a_request_keeping_only_the_email_of_its_author() {
    let app = demo_app().await;
    let client = app.client();
    let (client_id, key) = key(&app).await;
    let (lat, long) = near_mairie();
    // The key in the query string, everything else in the body, as some clients do;
    // names, phone and device ids are sent and must be dropped.
    let response = client
        .post_form(
            &format!("{V2}/requests.json?api_key={key}"),
            &[
                ("service_code", "nid-de-poule"),
                ("lat", &lat),
                ("long", &long),
                ("address_string", "Place de la Mairie, 00000 Démo"),
                ("email", "Temoin.Discret@Example.fr"),
                ("first_name", "Jeanne"),
                ("last_name", "Dupontel"),
                ("phone", "0612345678"),
                ("device_id", "device-42"),
                ("account_id", "account-42"),
                ("media_url", "https://photos.example/trou.jpg"),
                ("description", "Un trou profond.\nAttention aux vélos."),
                ("attribute[danger]", "oui"),
            ],
        )
        .await;
    assert_eq!(response.status, 200, "{}", response.body);
    let answer = assert_json(&response);
    let id = answer[0]["service_request_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(answer[0]["account_id"].is_null());
    assert!(answer[0].get("token").is_none());

    let row = sqlx::query(
        "SELECT source, api_client_id, author_email, author_user_id, description, address, answers, status FROM reports WHERE id = $1",
    )
    .bind(&id)
    .fetch_one(app.kernel.db.pool())
    .await
    .unwrap();
    assert_eq!(row.get::<String, _>(0), "open311");
    assert_eq!(
        row.get::<Option<String>, _>(1).as_deref(),
        Some(client_id.as_str())
    );
    assert_eq!(
        row.get::<Option<String>, _>(2).as_deref(),
        Some("temoin.discret@example.fr")
    );
    assert_eq!(row.get::<Option<String>, _>(3), None);
    assert_eq!(
        row.get::<String, _>(4),
        "Un trou profond.\nAttention aux vélos."
    );
    assert_eq!(row.get::<String, _>(5), "Place de la Mairie, 00000 Démo");
    assert!(row.get::<String, _>(6).contains("oui"));
    assert_eq!(row.get::<String, _>(7), Status::New.as_str());
    // The names, phone and device were neither stored anywhere in the report's rows.
    let everything: String = sqlx::query_scalar(
        "SELECT reference || ' ' || address || ' ' || description || ' ' || answers || ' ' || agency || ' ' || status_note || ' ' || COALESCE(author_email, '') FROM reports WHERE id = $1",
    )
    .bind(&id)
    .fetch_one(app.kernel.db.pool())
    .await
    .unwrap();
    for personal in [
        "Jeanne",
        "Dupontel",
        "0612345678",
        "device-42",
        "account-42",
    ] {
        assert!(!everything.contains(personal), "{everything}");
    }
    // The author is told by e-mail, and only by e-mail.
    let told: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE recipient = $1")
        .bind("temoin.discret@example.fr")
        .fetch_one(app.kernel.db.pool())
        .await
        .unwrap();
    assert_eq!(told, 1);
    // The key's last use is known.
    let clients = store::clients(&app.kernel.db).await.unwrap();
    let used = clients.iter().find(|c| c.id == client_id).unwrap();
    assert_eq!(used.last_used_at, Some(app.kernel.now()));

    // The report is served at once, without its author's e-mail.
    let (status, list) = json(&client, &format!("{V2}/requests/{id}.json")).await;
    assert_eq!(status, 200);
    assert_eq!(list[0]["status"], "open");
    assert_eq!(list[0]["service_code"], "nid-de-poule");
    assert_eq!(
        list[0]["lat"],
        Point::new(45.7641, 4.8357).unwrap().approximate().lat
    );
    for path in [
        format!("{V2}/requests.json?extensions=true"),
        format!("{V2}/requests.xml?extensions=true"),
        format!("{V2}/requests/{id}.xml?extensions=true"),
    ] {
        let body = client.get(&path).await.body;
        assert!(body.contains(&id), "{path}");
        assert!(!body.to_lowercase().contains("temoin.discret"), "{path}");
        assert!(!body.contains("Dupontel"));
    }

    // In XML, with the place given by address only: the commune's street list places it.
    let response = client
        .post_form(
            &format!("{V2}/requests.xml"),
            &[
                ("api_key", &key),
                ("service_code", "tags"),
                ("address_string", "12 rue Pasteur"),
                ("description", "Tag sur le mur du gymnase."),
            ],
        )
        .await;
    assert_eq!(response.status, 200, "{}", response.body);
    let root = assert_xml(&response);
    assert_eq!(root.name, "service_requests");
    let request = root.child("request");
    let id = request.text_of("service_request_id").to_string();
    assert!(request.has("account_id"));
    let filed = store::report_by_id(&app.kernel.db, &id)
        .await
        .unwrap()
        .unwrap();
    assert!(filed.address.contains("Rue Pasteur"), "{}", filed.address);
    assert!((filed.point.lat - 45.7612).abs() < 0.001);
    assert_eq!(filed.author_email, None);
    // The notice of the category comes back with the id.
    let response = client
        .post_form(
            &format!("{V2}/requests.json"),
            &[
                ("api_key", &key),
                ("service_code", "stationnement"),
                ("lat", &lat),
                ("long", &long),
            ],
        )
        .await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert!(
        assert_json(&response)[0]["service_notice"]
            .as_str()
            .unwrap()
            .contains("17")
    );
    // An address the commune does not know.
    let response = client
        .post_form(
            &format!("{V2}/requests.json"),
            &[
                ("api_key", &key),
                ("service_code", "tags"),
                ("address_string", "1 avenue des Champs-Élysées, Paris"),
            ],
        )
        .await;
    assert_eq!(response.status, 400);
}

#[tokio::test]
async fn a_multipart_request_keeps_its_photo_without_metadata() {
    let app = demo_app().await;
    let client = app.client();
    let (_, key) = key(&app).await;
    let (lat, long) = near_mairie();
    let original = photo_with_exif();
    assert!(contains(&original, b"Exif") && contains(&original, b"TestCam"));
    let response = client
        .post_multipart(
            &format!("{V2}/requests.json"),
            &[
                ("api_key", &key),
                ("service_code", "depot-sauvage"),
                ("lat", &lat),
                ("long", &long),
                ("attribute[volume]", "sac"),
                ("description", "Deux sacs au pied de l'arbre."),
            ],
            &[("media", "trou.jpg", &original)],
        )
        .await;
    assert_eq!(response.status, 200, "{}", response.body);
    let id = assert_json(&response)[0]["service_request_id"]
        .as_str()
        .unwrap()
        .to_string();
    let photos = store::photos_of(&app.kernel.db, &id).await.unwrap();
    assert_eq!(photos.len(), 1);
    let key_of_file: String = sqlx::query_scalar("SELECT storage_key FROM files WHERE id = $1")
        .bind(&photos[0].file_id)
        .fetch_one(app.kernel.db.pool())
        .await
        .unwrap();
    let stored = app
        .kernel
        .storage
        .get_decrypted(&key_of_file)
        .await
        .unwrap();
    assert!(image::load_from_memory(&stored).is_ok());
    assert!(!contains(&stored, b"Exif"));
    assert!(!contains(&stored, b"TestCam"));
    // The photo is the request's media.
    let (_, list) = json(&client, &format!("{V2}/requests/{id}.json")).await;
    assert_eq!(
        list[0]["media_url"],
        format!("http://127.0.0.1:8080/signalements/photos/{}", photos[0].id)
    );
    // A file that is not an image is refused, and nothing is filed.
    let before = count_all(&app).await;
    let response = client
        .post_multipart(
            &format!("{V2}/requests.xml"),
            &[
                ("api_key", &key),
                ("service_code", "tags"),
                ("lat", &lat),
                ("long", &long),
            ],
            &[("media", "notes.txt", b"juste du texte")],
        )
        .await;
    assert_eq!(response.status, 400);
    assert!(assert_xml_errors(&assert_xml(&response), 400)[0].starts_with("media"));
    let after = count_all(&app).await;
    assert_eq!(after, before);
}

// ------------------------------------------------------------------ keys

fn shown_key(body: &str) -> Option<String> {
    let start = body.find("id=\"cle-emise\">")? + "id=\"cle-emise\">".len();
    Some(body[start..].chars().take_while(|c| *c != '<').collect())
}

#[tokio::test]
async fn administrators_issue_keys_shown_once_and_revoke_them_with_an_audit_trail() {
    let app = demo_app().await;
    let page = "/backoffice/signalements/cles-open311";
    // An agent may not manage keys; a visitor is sent to log in.
    let agent = staff(&app, "luc.moreau@demo.parvis.fr").await;
    assert_eq!(agent.get(page).await.status, 403);
    assert_eq!(app.client().get(page).await.status, 303);

    let (admin, _) = parvis::testing::log_in_enrolling_second_factor(
        &app,
        "admin@demo.parvis.fr",
        accounts::demo::STAFF_PASSWORD,
    )
    .await;
    let list = admin.get(page).await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.contains("Aucune clé"));

    // Missing fields: the form comes back with the errors and what was typed.
    let refused = admin
        .submit(page, page, &[("name", "Appli Quartiers"), ("contact", " ")])
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.contains("resume-erreurs"));
    assert!(refused.contains("value=\"Appli Quartiers\""));
    assert!(refused.contains("href=\"#contact\""));

    let issued = admin
        .submit(
            page,
            page,
            &[
                ("name", "Appli Quartiers"),
                ("contact", "dev@quartiers.example"),
            ],
        )
        .await;
    assert_eq!(issued.status, 200, "{}", issued.body);
    assert_eq!(issued.header("cache-control"), Some("no-store"));
    let key = shown_key(&issued.body).expect("the key is shown");
    assert!(key.starts_with("o311_"));
    // Shown once: the list shows only its first characters.
    let list = admin.get(page).await;
    assert!(!list.contains(&key));
    assert!(list.contains(&key[..11]));
    assert!(list.contains("Appli Quartiers"));
    assert!(list.contains("dev@quartiers.example"));
    // Stored as its SHA-256.
    let hash: String = sqlx::query_scalar("SELECT key_hash FROM open311_clients")
        .fetch_one(app.kernel.db.pool())
        .await
        .unwrap();
    assert_eq!(hash, reports::actions::hash_token(&key));

    // The key files a request.
    let client = app.client();
    let filed = file_tag(&client, &format!("{V2}/requests.json"), &key, &[]).await;
    assert_eq!(filed.status, 200, "{}", filed.body);
    assert!(!admin.get(page).await.contains("jamais"));

    // Revoked, it files no more.
    let client_id: String = sqlx::query_scalar("SELECT id FROM open311_clients")
        .fetch_one(app.kernel.db.pool())
        .await
        .unwrap();
    let list = admin.get(page).await;
    let revoked = admin
        .post_form(
            &format!("{page}/{client_id}/revoquer"),
            &[("csrf_token", &list.csrf())],
        )
        .await;
    assert_eq!(revoked.location(), Some(page));
    let list = admin.follow(&revoked).await;
    assert!(list.contains("est révoquée"));
    let again = file_tag(&client, &format!("{V2}/requests.json"), &key, &[]).await;
    assert_eq!(again.status, 403);
    // An agent cannot revoke, even knowing the id.
    let agent_page = agent.get("/backoffice").await;
    let attempt = agent
        .post_form(
            &format!("{page}/{client_id}/revoquer"),
            &[("csrf_token", &agent_page.csrf())],
        )
        .await;
    assert_eq!(attempt.status, 403);

    // Both acts are in the audit log, by the administrator.
    for action in ["open311.key_issued", "open311.key_revoked"] {
        let entries = kernel::audit::search(
            &app.kernel.db,
            &kernel::audit::AuditQuery {
                action: Some(action.into()),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(entries.len(), 1, "{action}");
        assert_eq!(entries[0].target_id.as_deref(), Some(client_id.as_str()));
        assert!(entries[0].details.contains("Appli Quartiers"));
        assert!(!entries[0].details.contains(&key));
    }
}
