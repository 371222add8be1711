//! The test harness every capability uses: a fresh database per test (a SQLite file in a
//! temporary folder, or a fresh PostgreSQL schema when `PARVIS_TEST_POSTGRES_URL` is set),
//! the real router on a random port, a manual clock, and an HTTP client with cookies.

use std::net::SocketAddr;
use std::path::PathBuf;

use axum::Router;
use base64::Engine;
use jiff::Timestamp;

use crate::clock::ManualClock;
use crate::config::Config;
use crate::{Backend, Kernel};

/// Where a test's data lives; dropped (and the PostgreSQL schema removed) at the end.
pub struct TestEnv {
    pub config: Config,
    pub dir: tempfile::TempDir,
    pg: Option<(String, String)>,
}

impl TestEnv {
    pub async fn new() -> TestEnv {
        crate::install_crypto_provider();
        let dir = tempfile::tempdir().expect("temporary folder");
        let mut config = Config {
            data_dir: dir.path().to_path_buf(),
            ..Config::default()
        };
        // Tests never reach the national address service; a test that needs one serves it.
        config.map.geocoder_url = String::new();
        let mut pg = None;
        if let Ok(admin_url) = std::env::var("PARVIS_TEST_POSTGRES_URL")
            && !admin_url.trim().is_empty()
        {
            let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
            let db = crate::Db::connect(&admin_url)
                .await
                .expect("PostgreSQL de test injoignable");
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                .execute(db.pool())
                .await
                .expect("création du schéma de test");
            db.close().await;
            let sep = if admin_url.contains('?') { '&' } else { '?' };
            config.database_url = Some(format!(
                "{admin_url}{sep}options=-c%20search_path%3D{schema}"
            ));
            pg = Some((admin_url, schema));
        }
        TestEnv { config, dir, pg }
    }

    pub fn backend(&self) -> Backend {
        if self.pg.is_some() {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }

    pub fn mail_dir(&self) -> PathBuf {
        self.config.mail_dir()
    }
}

impl Drop for TestEnv {
    fn drop(&mut self) {
        if let Some((admin_url, schema)) = self.pg.take() {
            // Drop runs outside async code: clean the schema on a small runtime of its own.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(rt) = rt {
                    rt.block_on(async {
                        if let Ok(db) = crate::Db::connect(&admin_url).await {
                            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                                "DROP SCHEMA IF EXISTS {schema} CASCADE"
                            )))
                            .execute(db.pool())
                            .await;
                            db.close().await;
                        }
                    });
                }
            })
            .join();
        }
    }
}

/// What an attacker with the database owner's rights would do before rewriting the audit
/// log: remove the trigger that refuses updates. Tests use it to prove the hash chain
/// still catches the change.
pub async fn drop_audit_guard(db: &crate::Db) {
    let sql = match db.backend() {
        Backend::Sqlite => "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;",
        Backend::Postgres => "DROP TRIGGER audit_log_append_only ON audit_log",
    };
    sqlx::raw_sql(sql)
        .execute(db.pool())
        .await
        .expect("drop the audit triggers");
}

/// A running application for one test.
pub struct TestApp {
    pub kernel: Kernel,
    pub clock: ManualClock,
    pub addr: SocketAddr,
    pub env: TestEnv,
    server: tokio::task::JoinHandle<()>,
}

impl TestApp {
    /// The moment tests start at: a Monday morning in Paris.
    pub fn start_time() -> Timestamp {
        "2026-11-23T08:30:00Z".parse().expect("valid instant")
    }

    /// Serves `router` (built by the caller from the kernel) on a random local port.
    pub async fn serve(
        env: TestEnv,
        kernel: Kernel,
        clock: ManualClock,
        router: Router,
    ) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("free port");
        let addr = listener.local_addr().expect("local address");
        let server = tokio::spawn(async move {
            let _ = axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await;
        });
        TestApp {
            kernel,
            clock,
            addr,
            env,
            server,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn client(&self) -> TestClient {
        TestClient {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("HTTP client"),
            base: format!("http://{}", self.addr),
        }
    }

    /// Every e-mail written to the mail folder, oldest first.
    pub fn mails(&self) -> Vec<TestMail> {
        let mut entries: Vec<_> = std::fs::read_dir(self.env.mail_dir())
            .map(|dir| dir.filter_map(Result::ok).collect())
            .unwrap_or_default();
        entries.sort_by_key(|e| e.metadata().and_then(|m| m.modified()).ok());
        entries
            .into_iter()
            .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
            .map(|raw| TestMail::parse(&raw))
            .collect()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

#[derive(Debug, Clone)]
pub struct TestMail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

impl TestMail {
    /// Reads a single-part message as lettre writes it (quoted-printable, base64 or plain).
    pub fn parse(raw: &str) -> TestMail {
        let raw = raw.replace("\r\n", "\n");
        let (head, body) = raw.split_once("\n\n").unwrap_or((&raw, ""));
        // Unfold long headers (continuation lines start with white space).
        let head = head.replace("\n ", " ").replace("\n\t", " ");
        let header = |name: &str| {
            head.lines()
                .find(|l| {
                    l.to_ascii_lowercase()
                        .starts_with(&format!("{}:", name.to_ascii_lowercase()))
                })
                .map(|l| l[name.len() + 1..].trim().to_string())
                .unwrap_or_default()
        };
        let encoding = header("Content-Transfer-Encoding").to_ascii_lowercase();
        let body = match encoding.as_str() {
            "base64" => String::from_utf8(
                base64::engine::general_purpose::STANDARD
                    .decode(body.split_whitespace().collect::<String>())
                    .unwrap_or_default(),
            )
            .unwrap_or_default(),
            "quoted-printable" => decode_quoted_printable(body),
            _ => body.to_string(),
        };
        TestMail {
            to: header("To"),
            subject: decode_subject(&header("Subject")),
            body,
        }
    }

    /// The path (and query) of the first link in the body whose path starts with
    /// `path_prefix`, to be opened on the test server whatever the configured base address.
    pub fn link(&self, path_prefix: &str) -> Option<String> {
        self.body
            .split_whitespace()
            .filter_map(|word| word.find("http").map(|i| &word[i..]))
            .filter_map(|raw| url::Url::parse(raw.trim_end_matches(['.', ',', ')', '>'])).ok())
            .find(|url| url.path().starts_with(path_prefix))
            .map(|url| match url.query() {
                Some(q) => format!("{}?{q}", url.path()),
                None => url.path().to_string(),
            })
    }
}

fn decode_quoted_printable(body: &str) -> String {
    let joined = body.replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len() + 1
            && let Some(hex) = joined.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn decode_subject(subject: &str) -> String {
    // RFC 2047: encoded words (=?utf-8?b?...?=) are decoded, and the white space between
    // two encoded words is dropped; white space next to plain words is kept.
    let decode = |word: &str| -> Option<String> {
        let lower = word.to_ascii_lowercase();
        if !(lower.starts_with("=?utf-8?") && lower.ends_with("?=") && word.len() > 12) {
            return None;
        }
        let inner = &word[10..word.len() - 2];
        match &lower[8..9] {
            "b" => String::from_utf8(
                base64::engine::general_purpose::STANDARD
                    .decode(inner)
                    .ok()?,
            )
            .ok(),
            "q" => Some(decode_quoted_printable(&inner.replace('_', " "))),
            _ => None,
        }
    };
    let mut out = String::new();
    let mut previous_encoded = false;
    for word in subject.split_whitespace() {
        match decode(word) {
            Some(text) => {
                if !out.is_empty() && !previous_encoded {
                    out.push(' ');
                }
                out.push_str(&text);
                previous_encoded = true;
            }
            None => {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(word);
                previous_encoded = false;
            }
        }
    }
    out
}

/// An HTTP client that keeps cookies and does not follow redirects.
pub struct TestClient {
    pub http: reqwest::Client,
    base: String,
}

#[derive(Debug)]
pub struct TestResponse {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    /// The body as text (lossy for binary content such as a PDF; see `bytes`).
    pub body: String,
    pub bytes: Vec<u8>,
}

impl TestResponse {
    pub fn location(&self) -> Option<&str> {
        self.headers.get("location").and_then(|v| v.to_str().ok())
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    /// The CSRF token of the first form on the page.
    pub fn csrf(&self) -> String {
        let marker = "name=\"csrf_token\" value=\"";
        let start = self.body.find(marker).expect("a form with a CSRF token") + marker.len();
        let end = self.body[start..].find('"').expect("end of token");
        self.body[start..start + end].to_string()
    }
    pub fn contains(&self, text: &str) -> bool {
        self.body.contains(text)
    }
}

impl TestClient {
    async fn finish(response: reqwest::Response) -> TestResponse {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response
            .bytes()
            .await
            .map(|b| b.to_vec())
            .unwrap_or_default();
        TestResponse {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes,
        }
    }

    fn absolute(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{}", self.base, path)
        }
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        Self::finish(
            self.http
                .get(self.absolute(path))
                .send()
                .await
                .expect("GET"),
        )
        .await
    }

    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> TestResponse {
        Self::finish(
            self.http
                .post(self.absolute(path))
                .form(fields)
                .send()
                .await
                .expect("POST"),
        )
        .await
    }

    /// Posts a multipart form (a page that carries files): text fields, then files as
    /// (field, file name, content).
    pub async fn post_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> TestResponse {
        let mut form = reqwest::multipart::Form::new();
        for (name, value) in fields {
            form = form.text(name.to_string(), value.to_string());
        }
        for (name, file_name, bytes) in files {
            form = form.part(
                name.to_string(),
                reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(file_name.to_string()),
            );
        }
        Self::finish(
            self.http
                .post(self.absolute(path))
                .multipart(form)
                .send()
                .await
                .expect("POST multipart"),
        )
        .await
    }

    /// GETs the page at `form_page`, then posts `fields` with its CSRF token to `action`.
    pub async fn submit(
        &self,
        form_page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> TestResponse {
        let page = self.get(form_page).await;
        assert_eq!(page.status, 200, "GET {form_page}: {}", page.body);
        let token = page.csrf();
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.post_form(action, &all).await
    }

    /// Logs in through the login form, as a person would.
    pub async fn log_in(&self, email: &str, password: &str) -> TestResponse {
        self.submit(
            "/connexion",
            "/connexion",
            &[("email", email), ("password", password)],
        )
        .await
    }

    /// Follows a redirect response with a GET.
    pub async fn follow(&self, response: &TestResponse) -> TestResponse {
        let location = response.location().expect("a redirect");
        self.get(location).await
    }
}
