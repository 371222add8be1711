//! Harness for the browser tests: a headless Chromium driven through
//! chromedriver (WebDriver) with fantoccini, plus an axe-core accessibility
//! check (WCAG 2.1 A and AA).
//!
//! The browser tests only run when `PARVIS_BROWSER_TESTS=1`; otherwise each
//! test prints that it is skipped and passes, so that a plain `cargo test`
//! works on a machine without Chromium. When they are enabled, a missing
//! Chromium, chromedriver or axe-core makes the test fail loudly.
//!
//! Environment:
//! - `PARVIS_BROWSER_TESTS=1`: run the browser tests.
//! - `PARVIS_CHROMIUM`: Chromium binary (default `/usr/bin/chromium`).
//! - `PARVIS_CHROMEDRIVER`: chromedriver binary (default `/usr/bin/chromedriver`).
//! - `PARVIS_AXE_JS`: path to `axe.min.js` (default
//!   `<workspace>/target/browser-tools/node_modules/axe-core/axe.min.js`).
//!
//! Helpers return `Result<_, String>` so that a journey can be written as an
//! `async fn` using `?`, and handed to [`Browser::finish`], which saves a
//! screenshot and panics with the message when the journey failed.

// Each test file uses only part of the harness.
#![allow(dead_code)]

use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// Workspace root, from this crate's manifest directory.
const WORKSPACE_ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// How long helpers wait for an element, a text or a navigation.
const WAIT: Duration = Duration::from_secs(10);

/// How long chromedriver gets to accept connections.
const DRIVER_START: Duration = Duration::from_secs(10);

/// How long creating the WebDriver session (starting Chromium) may take.
const SESSION_START: Duration = Duration::from_secs(60);

/// The WCAG tags axe checks against.
const AXE_TAGS: [&str; 4] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/// Whether the browser tests are enabled (`PARVIS_BROWSER_TESTS=1`).
pub fn enabled() -> bool {
    std::env::var("PARVIS_BROWSER_TESTS").is_ok_and(|v| v == "1")
}

/// `true` when the test should run; otherwise prints why it is skipped.
///
/// ```ignore
/// if !support::run_or_skip("signup_and_login") { return; }
/// ```
pub fn run_or_skip(test: &str) -> bool {
    if enabled() {
        true
    } else {
        println!(
            "skipped {test}: PARVIS_BROWSER_TESTS is not set to 1 (browser tests need Chromium, chromedriver and axe-core)"
        );
        false
    }
}

fn env_path(var: &str, default: &str) -> PathBuf {
    match std::env::var_os(var) {
        Some(v) if !v.is_empty() => PathBuf::from(v),
        _ => PathBuf::from(default),
    }
}

fn chromium_path() -> PathBuf {
    env_path("PARVIS_CHROMIUM", "/usr/bin/chromium")
}

fn chromedriver_path() -> PathBuf {
    env_path("PARVIS_CHROMEDRIVER", "/usr/bin/chromedriver")
}

fn axe_path() -> PathBuf {
    env_path(
        "PARVIS_AXE_JS",
        &format!("{WORKSPACE_ROOT}/target/browser-tools/node_modules/axe-core/axe.min.js"),
    )
}

/// Panics with a clear message when a required file is missing.
fn require_file(path: &Path, var: &str, how: &str) {
    assert!(
        path.is_file(),
        "browser tests are enabled (PARVIS_BROWSER_TESTS=1) but {} does not exist; \
         set {var} or {how}",
        path.display()
    );
}

/// Where screenshots of failed journeys go.
pub fn screenshot_dir() -> PathBuf {
    PathBuf::from(WORKSPACE_ROOT).join("target/browser-screenshots")
}

fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local address").port()
}

/// A headless Chromium session, through its own chromedriver.
///
/// chromedriver runs in its own process group; dropping the `Browser` kills
/// that whole group (chromedriver and the Chromium it started), so nothing is
/// left behind when a test panics. Call [`Browser::close`] (or
/// [`Browser::finish`]) to end the session cleanly first.
pub struct Browser {
    pub client: Client,
    driver: Driver,
    axe_source: String,
    driver_log: PathBuf,
    // Chromium's profile and chromedriver's log; removed on drop, after the
    // processes are gone.
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium session.
    ///
    /// Panics with a clear message when a binary or axe-core is missing, or
    /// when chromedriver or Chromium do not start.
    pub async fn start() -> Browser {
        Browser::launch(true).await
    }

    /// A browser whose pages run no script at all, as for a person who turned JavaScript
    /// off: every journey must still work. (WebDriver's own scripts, such as axe-core,
    /// still run.)
    #[allow(dead_code)]
    pub async fn start_without_javascript() -> Browser {
        Browser::launch(false).await
    }

    async fn launch(javascript: bool) -> Browser {
        let chromium = chromium_path();
        let chromedriver = chromedriver_path();
        let axe = axe_path();
        let apt = "install it: apt-get install chromium chromium-driver";
        require_file(&chromium, "PARVIS_CHROMIUM", apt);
        require_file(&chromedriver, "PARVIS_CHROMEDRIVER", apt);
        require_file(
            &axe,
            "PARVIS_AXE_JS",
            "install axe-core: npm install --no-save --prefix target/browser-tools axe-core@4",
        );
        let axe_source = std::fs::read_to_string(&axe)
            .unwrap_or_else(|e| panic!("cannot read axe-core at {}: {e}", axe.display()));

        // fantoccini's TLS stack (hyper-rustls) brings in rustls' aws-lc-rs
        // provider next to the workspace's ring one, so rustls cannot choose
        // by itself: pick ring. An error only means one is already installed.
        let _ = rustls::crypto::ring::default_provider().install_default();

        let profile = tempfile::Builder::new()
            .prefix("parvis-chromium-")
            .tempdir()
            .expect("create a temporary Chromium profile directory");
        let user_data_dir = profile.path().join("profile");
        let driver_log = profile.path().join("chromedriver.log");
        let log = std::fs::File::create(&driver_log).expect("create chromedriver log");

        let port = free_port();
        let child = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("clone log handle"))
            .stderr(log)
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromedriver.display()));
        // From here on, dropping `driver` (also when panicking) kills it.
        let mut driver = Driver(child);

        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let started = Instant::now();
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            if let Ok(Some(status)) = driver.0.try_wait() {
                panic!(
                    "chromedriver exited before accepting connections ({status}):\n{}",
                    read_tail(&driver_log)
                );
            }
            assert!(
                started.elapsed() < DRIVER_START,
                "chromedriver did not listen on {addr} within {DRIVER_START:?}:\n{}",
                read_tail(&driver_log)
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }

        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": chromium.to_string_lossy(),
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--disable-dev-shm-usage",
                    "--window-size=1280,900",
                    format!("--user-data-dir={}", user_data_dir.display()),
                ],
                "prefs": {
                    "profile.managed_default_content_settings.javascript":
                        if javascript { 1 } else { 2 },
                },
            }),
        );
        let builder = ClientBuilder::rustls().map(|mut b| {
            b.capabilities(caps);
            b
        });
        let connect = async {
            match builder {
                Ok(b) => b
                    .connect(&format!("http://{addr}"))
                    .await
                    .map_err(|e| e.to_string()),
                Err(e) => Err(format!("WebDriver client setup: {e}")),
            }
        };
        let client = match tokio::time::timeout(SESSION_START, connect).await {
            Ok(Ok(client)) => client,
            Ok(Err(why)) => panic!(
                "cannot start Chromium ({}) through chromedriver: {why}\nchromedriver log:\n{}",
                chromium.display(),
                read_tail(&driver_log)
            ),
            Err(_) => panic!(
                "Chromium ({}) did not start within {SESSION_START:?}\nchromedriver log:\n{}",
                chromium.display(),
                read_tail(&driver_log)
            ),
        };

        Browser {
            client,
            driver,
            axe_source,
            driver_log,
            _profile: profile,
        }
    }

    /// Ends the WebDriver session (Chromium quits), then stops chromedriver.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
        // Drop kills chromedriver's process group.
    }

    /// Ends a journey: on `Err`, saves a screenshot named `name`, closes the
    /// browser and panics with the error; on `Ok`, just closes the browser.
    ///
    /// ```ignore
    /// let browser = Browser::start().await;
    /// let outcome = signup_journey(&browser, &base_url).await;
    /// browser.finish("signup", outcome).await;
    /// ```
    pub async fn finish<E: std::fmt::Display>(self, name: &str, outcome: Result<(), E>) {
        if let Err(e) = outcome {
            let url = self.current_url().await.unwrap_or_default();
            let shot = self.screenshot_on_failure(name).await;
            self.close().await;
            panic!("browser journey `{name}` failed at {url}: {e}\n{shot}");
        }
        self.close().await;
    }

    /// Saves a PNG of the current page to `target/browser-screenshots/<name>.png`.
    /// Returns a line saying where it went (or why it could not be saved).
    pub async fn screenshot_on_failure(&self, name: &str) -> String {
        let dir = screenshot_dir();
        let file: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let path = dir.join(format!("{file}.png"));
        let saved = match self.client.screenshot().await {
            Ok(png) => std::fs::create_dir_all(&dir)
                .and_then(|()| std::fs::write(&path, png))
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        let line = match saved {
            Ok(()) => format!("screenshot saved to {}", path.display()),
            Err(e) => format!("could not save screenshot {}: {e}", path.display()),
        };
        eprintln!("{line}");
        line
    }

    /// chromedriver's output so far (last lines), for diagnostics.
    pub fn driver_log(&self) -> String {
        read_tail(&self.driver_log)
    }

    // ---- accessibility ---------------------------------------------------

    /// Runs axe-core (WCAG 2.0/2.1, A and AA) on the current page. Returns an
    /// error listing every violation: rule id, impact, help text, and the
    /// CSS selectors of the offending nodes.
    ///
    /// WebDriver scripts are not subject to the page's Content-Security-Policy,
    /// so this works on pages served with `script-src 'self'`.
    pub async fn axe_check(&self, label: &str) -> Result<(), String> {
        let loaded = self
            .client
            .execute("return typeof window.axe === 'object';", vec![])
            .await
            .map_err(|e| format!("axe on {label}: {e}"))?;
        if loaded != Value::Bool(true) {
            self.client
                .execute(&self.axe_source, vec![])
                .await
                .map_err(|e| format!("axe on {label}: injecting axe-core failed: {e}"))?;
        }
        let outcome = self
            .client
            .execute_async(AXE_RUN, vec![json!(AXE_TAGS)])
            .await
            .map_err(|e| format!("axe on {label}: running axe failed: {e}"))?;
        if let Some(err) = outcome.get("error").and_then(Value::as_str) {
            return Err(format!("axe on {label}: {err}"));
        }
        let violations = outcome
            .get("violations")
            .and_then(Value::as_array)
            .ok_or_else(|| format!("axe on {label}: unexpected result {outcome}"))?;
        if violations.is_empty() {
            return Ok(());
        }
        let url = self.current_url().await.unwrap_or_default();
        let mut report = format!(
            "axe found {} accessibility violation(s) on {label} ({url}):",
            violations.len()
        );
        for v in violations {
            let field = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("?").to_owned();
            report.push_str(&format!(
                "\n- {} [{}]: {} ({})",
                field("id"),
                field("impact"),
                field("help"),
                field("helpUrl")
            ));
            for node in v
                .get("nodes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let target = node.get("target").and_then(Value::as_str).unwrap_or("?");
                let html = node.get("html").and_then(Value::as_str).unwrap_or("");
                report.push_str(&format!("\n    at {target}  {html}"));
            }
        }
        Err(report)
    }

    /// Like [`Browser::axe_check`], but panics (after a screenshot) on violations.
    pub async fn assert_accessible(&self, label: &str) {
        if let Err(report) = self.axe_check(label).await {
            let shot = self.screenshot_on_failure(&format!("axe-{label}")).await;
            panic!("{report}\n{shot}");
        }
    }

    // ---- navigation and forms --------------------------------------------

    /// Opens `url` and waits for it to load.
    pub async fn goto(&self, url: &str) -> Result<(), String> {
        self.client
            .goto(url)
            .await
            .map_err(|e| format!("goto {url}: {e}"))
    }

    /// The URL of the current page.
    pub async fn current_url(&self) -> Result<String, String> {
        self.client
            .current_url()
            .await
            .map(|u| u.to_string())
            .map_err(|e| format!("current url: {e}"))
    }

    /// The path (and query) of the current page, e.g. `/compte?x=1`.
    pub async fn current_path(&self) -> Result<String, String> {
        let url = self
            .client
            .current_url()
            .await
            .map_err(|e| format!("current url: {e}"))?;
        Ok(match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        })
    }

    /// The page title.
    pub async fn title(&self) -> Result<String, String> {
        self.client.title().await.map_err(|e| format!("title: {e}"))
    }

    /// Waits (up to 10 s) for an element matching `css`.
    pub async fn find(&self, css: &str) -> Result<fantoccini::elements::Element, String> {
        self.client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
            .map_err(|e| format!("no element `{css}`: {e}"))
    }

    /// Whether an element matching `css` is on the page now (no waiting).
    pub async fn exists(&self, css: &str) -> Result<bool, String> {
        self.client
            .find_all(Locator::Css(css))
            .await
            .map(|found| !found.is_empty())
            .map_err(|e| format!("find `{css}`: {e}"))
    }

    /// Replaces the value of the field matching `css` by `value`.
    pub async fn fill(&self, css: &str, value: &str) -> Result<(), String> {
        let field = self.find(css).await?;
        field
            .clear()
            .await
            .map_err(|e| format!("clear `{css}`: {e}"))?;
        field
            .send_keys(value)
            .await
            .map_err(|e| format!("type into `{css}`: {e}"))
    }

    /// Clicks the element matching `css`.
    pub async fn click(&self, css: &str) -> Result<(), String> {
        self.find(css)
            .await?
            .click()
            .await
            .map_err(|e| format!("click `{css}`: {e}"))
    }

    /// Clicks the submit button matching `css` and waits until the browser
    /// has loaded the next document (also when it is the same URL again, as
    /// after a form redisplayed with errors).
    pub async fn submit_form_by_button(&self, css: &str) -> Result<(), String> {
        self.click_and_wait_for_load(css).await
    }

    /// Follows the link matching `css` and waits for the next document.
    pub async fn follow_link(&self, css: &str) -> Result<(), String> {
        self.click_and_wait_for_load(css).await
    }

    async fn click_and_wait_for_load(&self, css: &str) -> Result<(), String> {
        let element = self.find(css).await?;
        // Mark the current document; a new document will not carry the mark.
        self.client
            .execute("window.__parvisOldPage = true;", vec![])
            .await
            .map_err(|e| format!("mark page: {e}"))?;
        element
            .click()
            .await
            .map_err(|e| format!("click `{css}`: {e}"))?;
        let started = Instant::now();
        loop {
            let state = self
                .client
                .execute(
                    "return window.__parvisOldPage ? 'old' : document.readyState;",
                    vec![],
                )
                .await;
            // While the document is being replaced, a script may fail: retry.
            if let Ok(Value::String(s)) = state
                && s == "complete"
            {
                return Ok(());
            }
            if started.elapsed() > WAIT {
                return Err(format!(
                    "clicking `{css}` did not load a new page within {WAIT:?}"
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The visible text of the page.
    pub async fn page_text(&self) -> Result<String, String> {
        self.find("body")
            .await?
            .text()
            .await
            .map_err(|e| format!("page text: {e}"))
    }

    /// Waits (up to 10 s) until the visible text of the page contains `needle`.
    pub async fn find_text(&self, needle: &str) -> Result<(), String> {
        let started = Instant::now();
        loop {
            let text = self.page_text().await?;
            if text.contains(needle) {
                return Ok(());
            }
            if started.elapsed() > WAIT {
                return Err(format!(
                    "text {needle:?} not found on the page; the page says:\n{text}"
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The text of the element matching `css`.
    pub async fn text_of(&self, css: &str) -> Result<String, String> {
        self.find(css)
            .await?
            .text()
            .await
            .map_err(|e| format!("text of `{css}`: {e}"))
    }

    /// An attribute of the element matching `css`.
    pub async fn attr(&self, css: &str, name: &str) -> Result<Option<String>, String> {
        self.find(css)
            .await?
            .attr(name)
            .await
            .map_err(|e| format!("attribute {name} of `{css}`: {e}"))
    }
}

/// The chromedriver process, started in its own process group.
struct Driver(Child);

impl Drop for Driver {
    /// Kills chromedriver and everything in its process group (Chromium),
    /// then reaps chromedriver.
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            // Started with process_group(0): its pid is the group id.
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", self.0.id())])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
            let _ = self.0.kill();
        }
        let _ = self.0.wait();
    }
}

fn read_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

/// Runs axe on the document; calls back with `{violations: [...]}` or `{error}`.
const AXE_RUN: &str = r#"
const tags = arguments[0];
const done = arguments[arguments.length - 1];
const selector = (t) => Array.isArray(t) ? t.join(' >>> ') : String(t);
axe.run(document, {
  runOnly: { type: 'tag', values: tags },
  resultTypes: ['violations'],
}).then((results) => done({
  violations: results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({ target: n.target.map(selector).join(', '), html: n.html })),
  })),
})).catch((e) => done({ error: String(e && e.stack || e) }));
"#;
