//! Reporting and following a problem through the real router, as a resident would, on
//! SQLite (and PostgreSQL when `PARVIS_TEST_POSTGRES_URL` is set): the step-by-step form
//! without JavaScript, photos, « moi aussi », the tracking page and its live events, the
//! resident's reports in their space, and the rules that keep personal data out.

use std::time::Duration;

use parvis::testing::{TestApp, TestClient, TestResponse, caller, demo_app, resident, run_worker};
use reports::actions::{self, NewReport, StatusChange};
use reports::model::{Point, Status};
use reports::store;
use sqlx::Row;

const FORM: &str = "/signalements/nouveau";

/// Opens the form (which starts the session) and returns its CSRF token.
async fn open_form(client: &TestClient) -> String {
    let page = client.get(FORM).await;
    assert_eq!(page.status, 200, "{}", page.body);
    page.csrf()
}

async fn post(client: &TestClient, csrf: &str, fields: &[(&str, &str)]) -> TestResponse {
    let mut all = vec![("csrf_token", csrf)];
    all.extend_from_slice(fields);
    client.post_form(FORM, &all).await
}

fn step(n: u8) -> String {
    format!("{FORM}?etape={n}")
}

/// Category and sub-category, then the place found by searching an address.
async fn choose_pothole_at(client: &TestClient, csrf: &str, address: &str) {
    let chosen = post(client, csrf, &[("etape", "1"), ("category", "voirie")]).await;
    assert_eq!(chosen.location(), Some(step(2).as_str()), "{}", chosen.body);
    let searched = post(
        client,
        csrf,
        &[
            ("etape", "2"),
            ("sub_category", "nid-de-poule"),
            ("address", address),
            ("action", "chercher"),
        ],
    )
    .await;
    assert_eq!(
        searched.location(),
        Some(step(2).as_str()),
        "{}",
        searched.body
    );
    let results = client.get(&step(2)).await;
    assert!(results.contains("name=\"place\""), "{}", results.body);
    let placed = post(
        client,
        csrf,
        &[
            ("etape", "2"),
            ("sub_category", "nid-de-poule"),
            ("address", address),
            ("place", "0"),
            ("action", "suivant"),
        ],
    )
    .await;
    assert_eq!(placed.location(), Some(step(3).as_str()), "{}", placed.body);
}

async fn describe(client: &TestClient, csrf: &str, extra: &[(&str, &str)]) {
    let mut fields = vec![
        ("etape", "3"),
        ("attribute.danger", "oui"),
        ("description", "Un trou profond au milieu de la chaussée."),
        ("action", "suivant"),
    ];
    fields.extend_from_slice(extra);
    let described = post(client, csrf, &fields).await;
    assert_eq!(
        described.location(),
        Some(step(4).as_str()),
        "{}",
        described.body
    );
}

/// Sends the report from the last step; returns the tracking token.
async fn send(client: &TestClient, csrf: &str) -> String {
    let sent = post(client, csrf, &[("etape", "4"), ("action", "envoyer")]).await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let location = sent.location().expect("a redirect").to_string();
    location
        .strip_prefix("/signalements/suivi/")
        .and_then(|rest| rest.strip_suffix("/envoye"))
        .expect("the confirmation of the tracking link")
        .to_string()
}

async fn report_of_token(app: &TestApp, token: &str) -> reports::model::Report {
    store::report_by_tracking_hash(&app.kernel.db, &actions::hash_token(token))
        .await
        .unwrap()
        .expect("the report of the link")
}

async fn report_id_of(app: &TestApp, code: &str) -> String {
    sqlx::query_scalar(
        "SELECT r.id FROM reports r JOIN report_categories c ON c.id = r.category_id WHERE c.code = $1 ORDER BY r.created_at LIMIT 1",
    )
    .bind(code)
    .fetch_one(app.kernel.db.pool())
    .await
    .unwrap()
}

async fn count(app: &TestApp, sql: &str, id: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
        .bind(id)
        .fetch_one(app.kernel.db.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn an_anonymous_resident_reports_without_javascript_and_keeps_no_personal_data() {
    let app = demo_app().await;
    let client = app.client();
    let first = client.get(FORM).await;
    assert_eq!(first.status, 200);
    // Large tiles with icons and plain names, top-level categories only.
    assert!(first.contains("/static/signalements/icones/voirie.svg"));
    assert!(first.contains("Éclairage public"));
    assert!(!first.contains("Nid-de-poule ou chaussée dégradée"));
    // A later step cannot be opened before the earlier ones.
    assert_eq!(
        client.get(&step(3)).await.location(),
        Some(step(1).as_str())
    );
    let csrf = first.csrf();
    choose_pothole_at(&client, &csrf, "rue de la republique").await;

    // The details: the question of the sub-category, the description, photos, e-mail.
    let details = client.get(&step(3)).await;
    assert!(details.contains("name=\"attribute.danger\""));
    assert!(details.contains("enctype=\"multipart/form-data\""));
    assert!(details.contains("name=\"email\""));
    assert!(details.contains("Pour être informé(e) par courriel"));
    // « Précédent » keeps what was typed, and the place chosen.
    let back = post(
        &client,
        &csrf,
        &[
            ("etape", "3"),
            ("description", "Trou devant la boulangerie"),
            ("action", "precedent"),
        ],
    )
    .await;
    assert_eq!(back.location(), Some(step(2).as_str()));
    let place = client.get(&step(2)).await;
    assert!(place.contains("Lieu retenu : "), "{}", place.body);
    assert!(place.contains("Rue de la République"));
    // The map is an enhancement over the same fields: its place, its tiles allowed.
    assert!(place.contains("id=\"carte-signalement\""));
    assert!(place.contains("id=\"ma-position\" class=\"bouton-secondaire\" hidden"));
    assert!(place.contains("name=\"lat\" id=\"lat\" value=\"45.763300\""));
    assert!(
        place
            .header("content-security-policy")
            .is_some_and(|csp| csp.contains("img-src 'self' data: https://tile.openstreetmap.org"))
    );
    assert!(
        client
            .get(&step(3))
            .await
            .contains("Trou devant la boulangerie")
    );
    describe(&client, &csrf, &[]).await;

    // Before sending, the open pothole reported a day ago a few metres away is offered.
    let review = client.get(&step(4)).await;
    assert_eq!(review.status, 200);
    let nearby = report_id_of(&app, "nid-de-poule").await;
    assert!(
        review.contains(&format!("/signalements/{nearby}/moi-aussi")),
        "{}",
        review.body
    );
    assert!(review.contains("Moi aussi"));
    assert!(review.contains(" m — signalé le "));
    assert!(review.contains("Un trou profond au milieu de la chaussée."));

    let token = send(&client, &csrf).await;
    let confirmation = client
        .get(&format!("/signalements/suivi/{token}/envoye"))
        .await;
    assert_eq!(confirmation.status, 200);
    let report = report_of_token(&app, &token).await;
    assert!(confirmation.contains(&report.reference));
    assert!(confirmation.contains(&format!("/signalements/suivi/{token}")));
    assert!(confirmation.contains("seule clé"));
    assert!(confirmation.contains("Voirie"), "the service in charge");
    assert_eq!(confirmation.header("cache-control"), Some("no-store"));
    // The draft is gone: a new report starts afresh.
    assert_eq!(
        client.get(&step(4)).await.location(),
        Some(step(1).as_str())
    );

    let tracking = client.get(&format!("/signalements/suivi/{token}")).await;
    assert_eq!(tracking.status, 200);
    assert!(tracking.contains("Nouveau"));
    assert!(tracking.contains("Nid-de-poule ou chaussée dégradée"));
    assert!(tracking.contains("Un trou profond au milieu de la chaussée."));
    assert!(tracking.contains(&format!("data-flux=\"/signalements/suivi/{token}/flux\"")));
    assert!(tracking.contains("/static/signalements/suivi.js"));
    assert_eq!(
        app.client().get("/signalements/suivi/inconnu").await.status,
        404
    );

    // The stored row holds no personal data: no account, no e-mail, no address of the
    // visitor; the rate limit keeps a keyed hash, never the address itself.
    let row = sqlx::query(
        "SELECT author_user_id, author_email, source, address FROM reports WHERE id = $1",
    )
    .bind(&report.id)
    .fetch_one(app.kernel.db.pool())
    .await
    .unwrap();
    assert_eq!(row.get::<Option<String>, _>(0), None);
    assert_eq!(row.get::<Option<String>, _>(1), None);
    assert_eq!(row.get::<String, _>(2), "web");
    assert!(row.get::<String, _>(3).contains("Rue de la République"));
    let everything: String = sqlx::query_scalar(
        "SELECT reference || ' ' || status || ' ' || address || ' ' || description || ' ' || answers || ' ' || source || ' ' || agency || ' ' || status_note || ' ' || tracking_hash || ' ' || open311_token FROM reports WHERE id = $1",
    )
    .bind(&report.id)
    .fetch_one(app.kernel.db.pool())
    .await
    .unwrap();
    assert!(!everything.contains("127.0.0.1"), "{everything}");
    assert!(!everything.contains(&token), "only the hash of the link");
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM report_subscriptions WHERE report_id = $1",
            &report.id
        )
        .await,
        0
    );
    // The address is counted for rate limiting in memory only, as a keyed hash: nothing of
    // it reaches the database.
    let keys: Vec<String> = sqlx::query_scalar("SELECT key FROM rate_limits")
        .fetch_all(app.kernel.db.pool())
        .await
        .unwrap();
    let filing_key = app
        .kernel
        .secret
        .keyed_hash("reports/filing-address", "127.0.0.1");
    assert!(!keys.contains(&filing_key), "{keys:?}");
    assert!(keys.iter().all(|k| !k.contains("127.0.0.1")));
    assert_eq!(
        app.kernel
            .memory_limits
            .count(&filing_key, app.kernel.now()),
        1
    );
}

#[tokio::test]
async fn errors_are_shown_next_to_their_field_and_the_input_is_kept() {
    let app = demo_app().await;
    let client = app.client();
    let csrf = open_form(&client).await;
    let nothing = post(&client, &csrf, &[("etape", "1"), ("action", "suivant")]).await;
    assert_eq!(nothing.status, 422);
    assert!(nothing.contains("resume-erreurs"));
    assert!(nothing.contains("href=\"#category\""));
    assert!(nothing.contains("<title>Erreur :"));

    post(&client, &csrf, &[("etape", "1"), ("category", "voirie")]).await;
    let no_place = post(&client, &csrf, &[("etape", "2"), ("action", "suivant")]).await;
    assert_eq!(no_place.status, 422);
    assert!(no_place.contains("href=\"#sub_category\""));
    assert!(no_place.contains("Indiquez le lieu"));
    // A pin outside the commune is refused at once, the sub-category kept.
    let paris = post(
        &client,
        &csrf,
        &[
            ("etape", "2"),
            ("sub_category", "nid-de-poule"),
            ("lat", "48.8566"),
            ("lon", "2.3522"),
            ("action", "suivant"),
        ],
    )
    .await;
    assert_eq!(paris.status, 422);
    assert!(paris.contains("en dehors de la commune"));
    assert!(paris.contains("value=\"nid-de-poule\" checked"));
    let unknown = post(
        &client,
        &csrf,
        &[
            ("etape", "2"),
            ("sub_category", "nid-de-poule"),
            ("address", "rue imaginaire"),
            ("action", "chercher"),
        ],
    )
    .await;
    assert_eq!(unknown.status, 422);
    assert!(unknown.contains("Aucune adresse trouvée pour « rue imaginaire »"));
    assert!(unknown.contains("value=\"rue imaginaire\""));
    // A pin placed on the map (the hidden fields the map script fills) is enough.
    let pinned = post(
        &client,
        &csrf,
        &[
            ("etape", "2"),
            ("sub_category", "nid-de-poule"),
            ("lat", "45.7641"),
            ("lon", "4.8357"),
            ("action", "suivant"),
        ],
    )
    .await;
    assert_eq!(pinned.location(), Some(step(3).as_str()), "{}", pinned.body);
    assert!(
        client
            .get(&step(2))
            .await
            .contains("Lieu retenu : Près de Place de la Mairie"),
        "a pin is described by its nearest street"
    );

    let bad = post(
        &client,
        &csrf,
        &[
            ("etape", "3"),
            ("description", "<b>gros</b> trou"),
            ("email", "pas-une-adresse"),
            ("action", "suivant"),
        ],
    )
    .await;
    assert_eq!(bad.status, 422);
    for field in ["attribute.danger", "description", "email"] {
        assert!(
            bad.contains(&format!("href=\"#{field}\"")),
            "{field}: {}",
            bad.body
        );
    }
    assert!(
        bad.contains("&#60;b&#62;gros&#60;/b&#62; trou"),
        "the description is kept"
    );
    assert!(
        bad.contains("value=\"pas-une-adresse\""),
        "the e-mail is kept"
    );
    assert!(bad.contains("aria-invalid=\"true\""));
    // Nothing was filed.
    assert_eq!(
        client.get(&step(4)).await.location(),
        Some(step(3).as_str())
    );
}

#[tokio::test]
async fn forms_without_their_security_token_are_refused() {
    let app = demo_app().await;
    let client = app.client();
    open_form(&client).await;
    let refused = client
        .post_form(FORM, &[("etape", "1"), ("category", "voirie")])
        .await;
    assert_eq!(refused.status, 403);
    let id = report_id_of(&app, "lampadaire").await;
    let refused = client
        .post_form(&format!("/signalements/{id}/moi-aussi"), &[])
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(
        count(&app, "SELECT me_too_count FROM reports WHERE id = $1", &id).await,
        0
    );
}

/// A second resident, signed up and verified through the site.
async fn another_resident(app: &TestApp) -> TestClient {
    let client = app.client();
    let password = "Lavande-et-thym-42";
    let signed_up = client
        .submit(
            "/inscription",
            "/inscription",
            &[
                ("given_name", "Jeanne"),
                ("family_name", "Dupuis"),
                ("email", "jeanne.dupuis@exemple.fr"),
                ("password", password),
            ],
        )
        .await;
    assert_eq!(signed_up.status, 303, "{}", signed_up.body);
    run_worker(app).await;
    let link = app
        .mails()
        .iter()
        .find(|m| m.to == "jeanne.dupuis@exemple.fr")
        .and_then(|m| m.link("/inscription/verifier/"))
        .expect("the verification link");
    client.get(&link).await;
    let logged_in = client.log_in("jeanne.dupuis@exemple.fr", password).await;
    assert_eq!(logged_in.status, 303, "{}", logged_in.body);
    client
}

#[tokio::test]
async fn a_signed_in_report_is_in_my_reports_and_my_space_and_nobody_elses() {
    let app = demo_app().await;
    let camille = resident(&app).await;
    let csrf = open_form(&camille).await;
    choose_pothole_at(&camille, &csrf, "chemin des vignes").await;
    let details = camille.get(&step(3)).await;
    assert!(
        !details.contains("name=\"email\""),
        "an account needs no e-mail"
    );
    describe(&camille, &csrf, &[]).await;
    let token = send(&camille, &csrf).await;
    let report = report_of_token(&app, &token).await;
    let user = accounts::store::user_by_email(&app.kernel.db, "camille.martin@demo.parvis.fr")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(report.author_user_id.as_deref(), Some(user.id.as_str()));
    assert_eq!(report.author_email, None, "the account is enough");

    let mine = camille.get("/mes-signalements").await;
    assert_eq!(mine.status, 200);
    assert!(mine.contains(&report.reference));
    assert!(mine.contains(&format!("/mes-signalements/{}", report.id)));
    let space = camille.get("/mon-espace").await;
    assert_eq!(space.status, 200);
    assert!(space.contains("Mes signalements"));
    assert!(space.contains(&report.reference), "{}", space.body);
    let detail = camille
        .get(&format!("/mes-signalements/{}", report.id))
        .await;
    assert_eq!(detail.status, 200);
    assert!(detail.contains("Chemin des Vignes"));
    assert!(detail.contains(&format!("/mes-signalements/{}/flux", report.id)));

    let jeanne = another_resident(&app).await;
    assert_eq!(
        jeanne
            .get(&format!("/mes-signalements/{}", report.id))
            .await
            .status,
        404
    );
    assert_eq!(
        jeanne
            .get(&format!("/mes-signalements/{}/flux", report.id))
            .await
            .status,
        404
    );
    assert!(
        !jeanne
            .get("/mes-signalements")
            .await
            .contains(&report.reference)
    );
    assert!(!jeanne.get("/mon-espace").await.contains(&report.reference));
    let visitor = app.client().get("/mes-signalements").await;
    assert_eq!(visitor.status, 303);
    assert!(visitor.location().unwrap().starts_with("/connexion"));
}

/// A small JPEG carrying an EXIF block (a big-endian TIFF), as phones write them.
fn jpeg_with_exif(tiff: &[u8]) -> Vec<u8> {
    let pixels = image::RgbImage::from_fn(64, 48, |x, y| {
        image::Rgb([(x * 4) as u8, (y * 5) as u8, 90])
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
        .encode_image(&pixels)
        .unwrap();
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xff, 0xe1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// One 12-byte IFD entry: tag, type, count, value or offset.
fn entry(tiff: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]) {
    tiff.extend_from_slice(&tag.to_be_bytes());
    tiff.extend_from_slice(&kind.to_be_bytes());
    tiff.extend_from_slice(&count.to_be_bytes());
    tiff.extend_from_slice(&value);
}

const ASCII: u16 = 2;
const LONG: u16 = 4;
const RATIONAL: u16 = 5;

/// The camera's make and model, nothing else.
fn photo_with_metadata() -> Vec<u8> {
    let make = b"Canon EOS 5D\0";
    let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
    tiff.extend_from_slice(&1u16.to_be_bytes());
    entry(
        &mut tiff,
        0x010f,
        ASCII,
        make.len() as u32,
        26u32.to_be_bytes(),
    );
    tiff.extend_from_slice(&0u32.to_be_bytes());
    tiff.extend_from_slice(make);
    jpeg_with_exif(&tiff)
}

/// Where the photo was taken, in degrees, minutes and hundredths of seconds (north, east).
fn photo_taken_at(lat: [u32; 3], lon: [u32; 3]) -> Vec<u8> {
    let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
    // IFD0 at 8: one entry pointing to the GPS IFD at 26.
    tiff.extend_from_slice(&1u16.to_be_bytes());
    entry(&mut tiff, 0x8825, LONG, 1, 26u32.to_be_bytes());
    tiff.extend_from_slice(&0u32.to_be_bytes());
    // GPS IFD at 26: four entries, their rationals from 80 on.
    tiff.extend_from_slice(&4u16.to_be_bytes());
    entry(&mut tiff, 0x0001, ASCII, 2, *b"N\0\0\0");
    entry(&mut tiff, 0x0002, RATIONAL, 3, 80u32.to_be_bytes());
    entry(&mut tiff, 0x0003, ASCII, 2, *b"E\0\0\0");
    entry(&mut tiff, 0x0004, RATIONAL, 3, 104u32.to_be_bytes());
    tiff.extend_from_slice(&0u32.to_be_bytes());
    for [degrees, minutes, hundredths] in [lat, lon] {
        for (n, d) in [(degrees, 1u32), (minutes, 1), (hundredths, 100)] {
            tiff.extend_from_slice(&n.to_be_bytes());
            tiff.extend_from_slice(&d.to_be_bytes());
        }
    }
    jpeg_with_exif(&tiff)
}

fn holds(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn photos_are_kept_across_steps_and_stored_without_their_metadata() {
    let app = demo_app().await;
    let client = app.client();
    let csrf = open_form(&client).await;
    choose_pothole_at(&client, &csrf, "rue pasteur").await;
    let photo = photo_with_metadata();
    assert!(holds(&photo, b"Canon") && holds(&photo, b"Exif"));
    // A photo with a mistake elsewhere on the page is kept; a text file is refused.
    let first = client
        .post_multipart(
            FORM,
            &[("csrf_token", &csrf), ("etape", "3"), ("action", "suivant")],
            &[
                ("photos", "IMG_0001.jpg", &photo),
                ("photos", "notes.txt", b"ceci n'est pas une image"),
            ],
        )
        .await;
    assert_eq!(first.status, 422, "{}", first.body);
    assert!(first.contains("href=\"#photos\""));
    assert!(first.contains("href=\"#attribute.danger\""));
    assert!(first.contains("Photo 1 (64 × 48 pixels)"), "{}", first.body);
    let described = client
        .post_multipart(
            FORM,
            &[
                ("csrf_token", &csrf),
                ("etape", "3"),
                ("attribute.danger", "non"),
                ("description", "Trou avec photo."),
                ("email", "Moi@Exemple.fr"),
                ("action", "suivant"),
            ],
            &[],
        )
        .await;
    assert_eq!(
        described.location(),
        Some(step(4).as_str()),
        "{}",
        described.body
    );
    assert!(client.get(&step(4)).await.contains("Une photo"));
    let token = send(&client, &csrf).await;
    let report = report_of_token(&app, &token).await;
    // The e-mail the author chose to give, and nothing else of them.
    assert_eq!(report.author_email.as_deref(), Some("moi@exemple.fr"));
    assert_eq!(report.author_user_id, None);
    let photos = store::photos_of(&app.kernel.db, &report.id).await.unwrap();
    assert_eq!(photos.len(), 1);
    assert_eq!((photos[0].width, photos[0].height), (64, 48));
    let (file, bytes) = kernel::files::read(&app.kernel, &photos[0].file_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(file.content_type, "image/jpeg");
    assert!(!holds(&bytes, b"Exif"), "no EXIF block is stored");
    assert!(!holds(&bytes, b"Canon"), "no camera make is stored");
    assert_eq!(image::load_from_memory(&bytes).unwrap().width(), 64);
    // The tracking page shows it, served under the link.
    let tracking = client.get(&format!("/signalements/suivi/{token}")).await;
    let src = format!("/signalements/suivi/{token}/photos/{}", photos[0].id);
    assert!(tracking.contains(&src));
    let served = client.get(&src).await;
    assert_eq!(served.status, 200);
    assert_eq!(served.header("content-type"), Some("image/jpeg"));
    assert_eq!(served.bytes, bytes);
    assert_eq!(
        client
            .get(&format!(
                "/signalements/suivi/{token}/photos/{}",
                store::new_id()
            ))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn the_position_of_a_photo_is_read_only_when_asked() {
    let app = demo_app().await;
    let client = app.client();
    let csrf = open_form(&client).await;
    choose_pothole_at(&client, &csrf, "rue pasteur").await;
    let photo = photo_with_metadata();
    let asked = client
        .post_multipart(
            FORM,
            &[
                ("csrf_token", &csrf),
                ("etape", "3"),
                ("attribute.danger", "oui"),
                ("use_photo_position", "oui"),
                ("action", "suivant"),
            ],
            &[("photos", "IMG_0002.jpg", &photo)],
        )
        .await;
    assert_eq!(asked.status, 422, "this photo holds no position");
    assert!(asked.contains("href=\"#use_photo_position\""));
    assert!(asked.contains("value=\"oui\" checked"));
    assert!(asked.contains("Photo 1 (64 × 48 pixels)"));
    let kept = post(
        &client,
        &csrf,
        &[
            ("etape", "3"),
            ("attribute.danger", "oui"),
            ("action", "suivant"),
        ],
    )
    .await;
    assert_eq!(kept.location(), Some(step(4).as_str()));
    let review = client.get(&step(4)).await;
    assert!(review.contains("Rue Pasteur"), "the place chosen is kept");
    assert!(review.contains("Une photo"));
    // Removing a photo: tick it and go on.
    let removed = post(
        &client,
        &csrf,
        &[
            ("etape", "3"),
            ("attribute.danger", "oui"),
            ("remove_photo", "0"),
            ("action", "suivant"),
        ],
    )
    .await;
    assert_eq!(removed.location(), Some(step(4).as_str()));
    assert!(client.get(&step(4)).await.contains("Aucune photo"));

    // A photo taken in Les Coteaux (45° 46′ 16.32″ N, 4° 49′ 55.56″ E), the box ticked:
    // its position replaces the street chosen, and the report goes to that district's crew.
    let located = photo_taken_at([45, 46, 1632], [4, 49, 5556]);
    let unasked = client
        .post_multipart(
            FORM,
            &[
                ("csrf_token", &csrf),
                ("etape", "3"),
                ("attribute.danger", "oui"),
                ("action", "suivant"),
            ],
            &[("photos", "IMG_0003.jpg", &located)],
        )
        .await;
    assert_eq!(unasked.location(), Some(step(4).as_str()));
    let review = client.get(&step(4)).await;
    assert!(review.contains("Rue Pasteur"), "not read without the box");
    assert!(!review.contains("Position lue sur la photo"));
    let moved = client
        .post_multipart(
            FORM,
            &[
                ("csrf_token", &csrf),
                ("etape", "3"),
                ("attribute.danger", "oui"),
                ("use_photo_position", "oui"),
                ("remove_photo", "0"),
                ("action", "suivant"),
            ],
            &[("photos", "IMG_0003.jpg", &located)],
        )
        .await;
    assert_eq!(moved.location(), Some(step(4).as_str()), "{}", moved.body);
    assert!(
        client
            .get(&step(4))
            .await
            .contains("Position lue sur la photo")
    );
    let token = send(&client, &csrf).await;
    let report = report_of_token(&app, &token).await;
    assert!(
        (report.point.lat - 45.7712).abs() < 1e-4,
        "{:?}",
        report.point
    );
    assert!(
        (report.point.lon - 4.8321).abs() < 1e-4,
        "{:?}",
        report.point
    );
    let voirie = accounts::store::service_by_slug(&app.kernel.db, "voirie")
        .await
        .unwrap()
        .unwrap();
    let north = accounts::store::team_by_slug(&app.kernel.db, &voirie.id, "equipe-nord")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(report.team_id.as_deref(), Some(north.id.as_str()));
    let photos = store::photos_of(&app.kernel.db, &report.id).await.unwrap();
    let (_, stored) = kernel::files::read(&app.kernel, &photos[0].file_id)
        .await
        .unwrap()
        .unwrap();
    assert!(
        !holds(&stored, b"Exif"),
        "the position is not kept in the photo"
    );
}

#[tokio::test]
async fn me_too_counts_a_person_once_and_subscribes_them() {
    let app = demo_app().await;
    let id = report_id_of(&app, "lampadaire").await;
    let author_mail_before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox")
        .fetch_one(app.kernel.db.pool())
        .await
        .unwrap();
    let camille = resident(&app).await;
    let page = camille.get("/mes-signalements").await;
    let csrf = page.csrf();
    let action = format!("/signalements/{id}/moi-aussi");
    let counted = camille
        .post_form(&action, &[("csrf_token", csrf.as_str())])
        .await;
    assert_eq!(
        counted.location(),
        Some(format!("/mes-signalements/{id}").as_str())
    );
    let again = camille
        .post_form(&action, &[("csrf_token", csrf.as_str())])
        .await;
    assert_eq!(again.status, 303);
    assert!(camille.follow(&again).await.contains("déjà"));
    assert_eq!(
        count(&app, "SELECT me_too_count FROM reports WHERE id = $1", &id).await,
        1
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM report_updates WHERE report_id = $1 AND kind = 'me_too' AND public = 0",
            &id
        )
        .await,
        1
    );
    let user = accounts::store::user_by_email(&app.kernel.db, "camille.martin@demo.parvis.fr")
        .await
        .unwrap()
        .unwrap();
    assert!(
        store::is_subscribed(&app.kernel.db, &id, &user.id)
            .await
            .unwrap()
    );
    let mine = camille.get("/mes-signalements").await;
    assert!(mine.contains("Les signalements que je suis"));
    assert!(mine.contains(&format!("/mes-signalements/{id}")));
    assert_eq!(
        camille.get(&format!("/mes-signalements/{id}")).await.status,
        200
    );

    // Without an account: an optional e-mail, and a tracking link of their own.
    let visitor = app.client();
    let csrf = open_form(&visitor).await;
    let followed = visitor
        .post_form(
            &action,
            &[
                ("csrf_token", csrf.as_str()),
                ("email", "Voisine@Exemple.fr"),
            ],
        )
        .await;
    let location = followed.location().expect("a redirect").to_string();
    let token = location
        .strip_prefix("/signalements/suivi/")
        .and_then(|r| r.strip_suffix("/moi-aussi"))
        .expect("the follower's own link")
        .to_string();
    let shown = visitor.get(&location).await;
    assert!(shown.contains(&format!("/signalements/suivi/{token}")));
    let tracking = visitor.get(&format!("/signalements/suivi/{token}")).await;
    assert_eq!(tracking.status, 200);
    assert!(tracking.contains("2 personnes ont dit « moi aussi »"));
    assert_eq!(
        count(&app, "SELECT me_too_count FROM reports WHERE id = $1", &id).await,
        2
    );
    // Only the follower is told: one mail, to them, with their link.
    let outbox: Vec<String> = sqlx::query_scalar("SELECT recipient FROM outbox")
        .fetch_all(app.kernel.db.pool())
        .await
        .unwrap();
    assert_eq!(outbox.len() as i64, author_mail_before + 1, "{outbox:?}");
    assert!(outbox.contains(&"voisine@exemple.fr".to_string()));
    run_worker(&app).await;
    let mail = app
        .mails()
        .into_iter()
        .find(|m| m.to == "voisine@exemple.fr")
        .expect("the follower's mail");
    assert_eq!(
        mail.link("/signalements/suivi/").as_deref(),
        Some(format!("/signalements/suivi/{token}").as_str())
    );
    // The same address counts once.
    let twice = visitor
        .post_form(
            &action,
            &[
                ("csrf_token", csrf.as_str()),
                ("email", "voisine@exemple.fr"),
            ],
        )
        .await;
    assert_eq!(twice.status, 303);
    assert_eq!(
        count(&app, "SELECT me_too_count FROM reports WHERE id = $1", &id).await,
        2
    );
    // A bad address is said next to the field, nothing counted.
    let bad = visitor
        .post_form(&action, &[("csrf_token", csrf.as_str()), ("email", "nope")])
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.contains("value=\"nope\""));
    assert_eq!(
        count(&app, "SELECT me_too_count FROM reports WHERE id = $1", &id).await,
        2
    );
    // Reports of private categories cannot be joined; unknown ones neither.
    let noise = report_id_of(&app, "bruit").await;
    for target in [noise, store::new_id()] {
        let refused = visitor
            .post_form(
                &format!("/signalements/{target}/moi-aussi"),
                &[("csrf_token", csrf.as_str())],
            )
            .await;
        assert_eq!(refused.status, 404);
    }
}

#[tokio::test]
async fn me_too_from_the_possible_duplicates_instead_of_sending() {
    let app = demo_app().await;
    let before = store::count_reports(&app.kernel.db, &store::ReportFilter::default())
        .await
        .unwrap();
    let client = app.client();
    let csrf = open_form(&client).await;
    choose_pothole_at(&client, &csrf, "rue de la republique").await;
    describe(&client, &csrf, &[("email", "passant@exemple.fr")]).await;
    let nearby = report_id_of(&app, "nid-de-poule").await;
    let review = client.get(&step(4)).await;
    assert!(review.contains("name=\"email\" value=\"passant@exemple.fr\""));
    let joined = client
        .post_form(
            &format!("/signalements/{nearby}/moi-aussi"),
            &[
                ("csrf_token", csrf.as_str()),
                ("email", "passant@exemple.fr"),
                ("from_draft", "1"),
            ],
        )
        .await;
    assert!(joined.location().unwrap().ends_with("/moi-aussi"));
    assert_eq!(
        count(
            &app,
            "SELECT me_too_count FROM reports WHERE id = $1",
            &nearby
        )
        .await,
        1
    );
    let after = store::count_reports(&app.kernel.db, &store::ReportFilter::default())
        .await
        .unwrap();
    assert_eq!(before, after, "no duplicate was sent");
    assert_eq!(
        client.get(&step(4)).await.location(),
        Some(step(1).as_str())
    );
}

#[tokio::test]
async fn every_kind_of_question_is_asked_with_its_own_control() {
    use reports::model::{Attribute, AttributeType, AttributeValue};
    let app = demo_app().await;
    let mut category = store::category_by_code(&app.kernel.db, "tags")
        .await
        .unwrap()
        .unwrap();
    let values = |n: usize| {
        (1..=n)
            .map(|i| AttributeValue {
                key: format!("v{i}"),
                name: format!("Choix {i}"),
            })
            .collect::<Vec<_>>()
    };
    let question = |code: &str, datatype, required, values| Attribute {
        code: code.into(),
        description: format!("Question {code}"),
        datatype,
        required,
        variable: true,
        datatype_description: String::new(),
        values,
    };
    category.attributes = vec![
        Attribute {
            variable: false,
            ..question("info", AttributeType::Text, false, vec![])
        },
        question("texte", AttributeType::String, false, vec![]),
        question("nombre", AttributeType::Number, false, vec![]),
        question("quand", AttributeType::Datetime, false, vec![]),
        question("long", AttributeType::Text, false, vec![]),
        question("un", AttributeType::Singlevaluelist, true, values(3)),
        question("liste", AttributeType::Singlevaluelist, false, values(8)),
        question("plusieurs", AttributeType::Multivaluelist, false, values(3)),
    ];
    let mut tx = app.kernel.db.begin().await.unwrap();
    store::save_category(&mut tx, &category, app.kernel.now())
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let client = app.client();
    let csrf = open_form(&client).await;
    post(&client, &csrf, &[("etape", "1"), ("category", "tags")]).await;
    let placed = post(
        &client,
        &csrf,
        &[
            ("etape", "2"),
            ("address", "rue victor hugo"),
            ("action", "suivant"),
        ],
    )
    .await;
    assert_eq!(
        placed.location(),
        Some(step(3).as_str()),
        "one result is taken"
    );
    let page = client.get(&step(3)).await;
    assert!(page.contains("<p class=\"explication signalement-information\">Question info</p>"));
    assert!(page.contains("type=\"text\" id=\"attribute.texte\""));
    assert!(page.contains(
        "id=\"attribute.nombre\" name=\"attribute.nombre\" value=\"\" inputmode=\"decimal\""
    ));
    assert!(page.contains("type=\"datetime-local\" id=\"attribute.quand\""));
    assert!(page.contains("<textarea id=\"attribute.long\""));
    assert!(page.contains("type=\"radio\" id=\"attribute.un-1\""));
    assert!(page.contains("<select id=\"attribute.liste\""));
    assert!(page.contains("type=\"checkbox\" id=\"attribute.plusieurs-1\""));
    // Answers come back checked when the page is shown again with an error.
    let refused = post(
        &client,
        &csrf,
        &[
            ("etape", "3"),
            ("attribute.nombre", "beaucoup"),
            ("attribute.quand", "2026-11-20T18:30"),
            ("attribute.plusieurs", "v1"),
            ("attribute.plusieurs", "v3"),
            ("attribute.liste", "v7"),
            ("action", "suivant"),
        ],
    )
    .await;
    assert_eq!(refused.status, 422);
    assert!(refused.contains("href=\"#attribute.un\""));
    assert!(refused.contains("href=\"#attribute.nombre\""));
    assert!(!refused.contains("href=\"#attribute.quand\""));
    assert!(refused.contains("value=\"v1\" checked"));
    assert!(refused.contains("value=\"v3\" checked"));
    assert!(refused.contains("value=\"v7\" selected"));
    assert!(refused.contains("value=\"2026-11-20T18:30\""));
    let accepted = post(
        &client,
        &csrf,
        &[
            ("etape", "3"),
            ("attribute.un", "v2"),
            ("attribute.nombre", "3,5"),
            ("attribute.plusieurs", "v1"),
            ("attribute.plusieurs", "v3"),
            ("action", "suivant"),
        ],
    )
    .await;
    assert_eq!(
        accepted.location(),
        Some(step(4).as_str()),
        "{}",
        accepted.body
    );
    let review = client.get(&step(4)).await;
    assert!(review.contains("Choix 1, Choix 3"));
    let token = send(&client, &csrf).await;
    let report = report_of_token(&app, &token).await;
    assert_eq!(report.answers["un"], "v2");
    assert_eq!(report.answers["plusieurs"], serde_json::json!(["v1", "v3"]));
}

#[tokio::test]
async fn anonymous_filing_is_limited_per_address() {
    let app = demo_app().await;
    let key = app
        .kernel
        .secret
        .keyed_hash("reports/filing-address", "127.0.0.1");
    let limit = kernel::ratelimit::Limit {
        max: 10,
        window: jiff::SignedDuration::from_hours(1),
    };
    for _ in 0..10 {
        app.kernel.memory_limits.hit(&key, limit, app.kernel.now());
    }
    let client = app.client();
    let csrf = open_form(&client).await;
    choose_pothole_at(&client, &csrf, "rue du stade").await;
    describe(&client, &csrf, &[]).await;
    let refused = post(&client, &csrf, &[("etape", "4"), ("action", "envoyer")]).await;
    assert_eq!(refused.status, 429);
    assert!(refused.contains("Patientez une heure"));
    // The draft is kept for later.
    assert_eq!(client.get(&step(4)).await.status, 200);
    // An account is not limited by the address it shares.
    let camille = resident(&app).await;
    let csrf = open_form(&camille).await;
    choose_pothole_at(&camille, &csrf, "rue du stade").await;
    describe(&camille, &csrf, &[]).await;
    send(&camille, &csrf).await;
}

/// Reads a Server-Sent Events stream until `wanted` arrives (bounded by a timeout).
async fn read_until(response: &mut reqwest::Response, wanted: &str) -> String {
    let mut seen = String::new();
    tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(chunk) = response.chunk().await.expect("the stream") {
            seen.push_str(&String::from_utf8_lossy(&chunk));
            if seen.contains(wanted) {
                return;
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("no {wanted:?} in {seen:?}"));
    seen
}

#[tokio::test]
async fn the_tracking_page_hears_each_change_live() {
    let app = demo_app().await;
    let filed = actions::file_report(
        &app.kernel,
        &kernel::Caller::default(),
        NewReport {
            category_code: "depot-sauvage".into(),
            point: Point::new(45.7641, 4.8357),
            address: "Place de la Mairie, 00000 Démo".into(),
            answers: [("volume".to_string(), vec!["sac".to_string()])]
                .into_iter()
                .collect(),
            ..NewReport::default()
        },
    )
    .await
    .unwrap();
    let client = app.client();
    let flux = format!("/signalements/suivi/{}/flux", filed.tracking_token);
    let mut stream = client.http.get(app.url(&flux)).send().await.unwrap();
    assert_eq!(stream.status(), 200);
    assert!(
        stream
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/event-stream"))
    );
    // Another report's change is not heard; this one's is.
    let other = actions::file_report(
        &app.kernel,
        &kernel::Caller::default(),
        NewReport {
            category_code: "tags".into(),
            point: Point::new(45.7641, 4.8357),
            ..NewReport::default()
        },
    )
    .await
    .unwrap();
    let luc = caller(&app, "luc.moreau@demo.parvis.fr").await;
    for id in [&other.report.id, &filed.report.id] {
        actions::change_status(
            &app.kernel,
            &luc,
            id,
            StatusChange {
                to: Status::InProgress,
                message: "Enlèvement prévu demain matin.".into(),
                photo: None,
            },
        )
        .await
        .unwrap();
    }
    let seen = read_until(&mut stream, "event: changement").await;
    assert!(seen.contains(&filed.report.id), "{seen}");
    assert!(!seen.contains(&other.report.id), "{seen}");
    let page = client
        .get(&format!("/signalements/suivi/{}", filed.tracking_token))
        .await;
    assert!(page.contains("En cours"));
    assert!(page.contains("Enlèvement prévu demain matin."));
    assert_eq!(
        client.get("/signalements/suivi/inconnu/flux").await.status,
        404
    );
    let script = client.get("/static/signalements/suivi.js").await;
    assert_eq!(script.status, 200);
    assert!(
        script
            .header("cache-control")
            .unwrap()
            .contains("immutable")
    );
    assert!(script.body.contains("EventSource"));
}

// ------------------------------------------------------------------ in a browser

#[path = "browser/support.rs"]
mod support;

async fn no_sideways_scroll(browser: &support::Browser, label: &str) -> Result<(), String> {
    let fits = browser
        .client
        .execute(
            "return document.documentElement.scrollWidth <= window.innerWidth;",
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?;
    if fits == serde_json::Value::Bool(true) {
        Ok(())
    } else {
        Err(format!("{label} scrolls sideways on a narrow screen"))
    }
}

/// axe-core needs the page's timers, which are off without JavaScript: the same pages are
/// checked in the journey with scripts.
async fn checked(browser: &support::Browser, javascript: bool, label: &str) -> Result<(), String> {
    if javascript {
        browser.axe_check(label).await
    } else {
        Ok(())
    }
}

/// The whole journey in a browser, checked with axe-core on each page. With scripts, the
/// tracking page changes by itself and says so; without, a reload shows the same.
async fn reporting_journey(
    app: &TestApp,
    browser: &support::Browser,
    javascript: bool,
) -> Result<(), String> {
    let base = app.url("");
    browser
        .client
        .set_window_size(360, 900)
        .await
        .map_err(|e| e.to_string())?;
    browser.goto(&format!("{base}{FORM}")).await?;
    checked(browser, javascript, "signalement : le problème").await?;
    no_sideways_scroll(browser, "the categories").await?;
    browser.click("label[for=category-voirie]").await?;
    browser
        .submit_form_by_button("button[value=suivant]")
        .await?;
    browser.find_text("Précisez le problème").await?;
    checked(browser, javascript, "signalement : le lieu").await?;
    browser
        .click("label[for=sub_category-nid-de-poule]")
        .await?;
    browser.fill("#address", "rue de la republique").await?;
    browser
        .submit_form_by_button("button[value=chercher]")
        .await?;
    browser.find_text("Choisissez l'adresse").await?;
    checked(browser, javascript, "signalement : adresses trouvées").await?;
    browser.click("label[for=place-0]").await?;
    browser
        .submit_form_by_button("button[value=suivant]")
        .await?;
    browser.find_text("Description du problème").await?;
    checked(browser, javascript, "signalement : les détails").await?;
    browser
        .submit_form_by_button("button[value=suivant]")
        .await?;
    browser.find_text("Le formulaire contient").await?;
    checked(
        browser,
        javascript,
        "signalement : les détails avec une erreur",
    )
    .await?;
    browser.click("label[for='attribute.danger-1']").await?;
    browser
        .fill("#description", "Un trou profond devant le numéro 12.")
        .await?;
    browser
        .submit_form_by_button("button[value=suivant]")
        .await?;
    browser.find_text("Déjà signalé près d'ici ?").await?;
    checked(browser, javascript, "signalement : vérifier et envoyer").await?;
    browser.submit_form_by_button("#envoyer").await?;
    browser.find_text("Votre lien de suivi").await?;
    checked(browser, javascript, "signalement envoyé").await?;
    let link = browser.text_of("#lien-suivi").await?;
    let token = link
        .rsplit('/')
        .next()
        .ok_or("no tracking link")?
        .to_string();

    browser
        .follow_link("a[href^='/signalements/suivi/']")
        .await?;
    browser.find_text("Signalement reçu").await?;
    checked(browser, javascript, "page de suivi").await?;
    no_sideways_scroll(browser, "the tracking page").await?;
    if javascript {
        // The page listens before the team changes anything.
        browser.find("#etat-signalement[data-direct=oui]").await?;
    }
    let report = report_of_token(app, &token).await;
    let luc = caller(app, "luc.moreau@demo.parvis.fr").await;
    actions::change_status(
        &app.kernel,
        &luc,
        &report.id,
        StatusChange {
            to: Status::InProgress,
            message: "Rebouchage prévu jeudi.".into(),
            photo: None,
        },
    )
    .await
    .map_err(|e| e.to_string())?;
    if javascript {
        browser
            .find_text("Le signalement vient d'être mis à jour. Nouveau statut : En cours")
            .await?;
    } else {
        let page = browser.current_url().await?;
        browser.goto(&page).await?;
    }
    browser.find_text("Rebouchage prévu jeudi.").await?;
    checked(browser, javascript, "page de suivi mise à jour").await?;
    Ok(())
}

#[tokio::test]
async fn a_resident_reports_in_a_browser_and_sees_the_change_live() {
    if !support::run_or_skip("a_resident_reports_in_a_browser_and_sees_the_change_live") {
        return;
    }
    let app = demo_app().await;
    let browser = support::Browser::start().await;
    let outcome = reporting_journey(&app, &browser, true).await;
    browser
        .finish(
            "a_resident_reports_in_a_browser_and_sees_the_change_live",
            outcome,
        )
        .await;
}

#[tokio::test]
async fn without_javascript_a_resident_reports_in_a_browser() {
    if !support::run_or_skip("without_javascript_a_resident_reports_in_a_browser") {
        return;
    }
    let app = demo_app().await;
    let browser = support::Browser::start_without_javascript().await;
    let outcome = reporting_journey(&app, &browser, false).await;
    browser
        .finish(
            "without_javascript_a_resident_reports_in_a_browser",
            outcome,
        )
        .await;
}
