//! Browser tests: real journeys in headless Chromium, each page checked with
//! axe-core. Run with `PARVIS_BROWSER_TESTS=1` (see `browser/support.rs` for
//! the other variables); without it every test here is skipped.

#[path = "browser/support.rs"]
mod support;

use axum::Router;
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use support::Browser;

const CSP: &str = "default-src 'self'; script-src 'self'";

/// An accessible page, whose inline script the CSP must block.
const GOOD_PAGE: &str = r#"<!doctype html>
<html lang="fr">
<head><meta charset="utf-8"><title>Accueil — Parvis</title></head>
<body>
<main>
<h1>Bienvenue</h1>
<p>Une page accessible.</p>
<script>document.documentElement.dataset.inline = "ran";</script>
</main>
</body>
</html>"#;

/// The same page with an image that has no text alternative.
const BAD_PAGE: &str = r#"<!doctype html>
<html lang="fr">
<head><meta charset="utf-8"><title>Image — Parvis</title></head>
<body>
<main>
<h1>Une image</h1>
<img id="no-alt" src="/pixel.svg">
</main>
</body>
</html>"#;

const PIXEL: &str = r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>"#;

fn with_csp(html: &'static str) -> impl IntoResponse {
    ([(header::CONTENT_SECURITY_POLICY, CSP)], Html(html))
}

/// Serves the two pages on 127.0.0.1 and returns the base URL.
async fn serve_test_pages() -> String {
    let app = Router::new()
        .route("/", get(|| async { with_csp(GOOD_PAGE) }))
        .route("/broken", get(|| async { with_csp(BAD_PAGE) }))
        .route(
            "/pixel.svg",
            get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, "image/svg+xml"),
                        (header::CONTENT_SECURITY_POLICY, CSP),
                    ],
                    PIXEL,
                )
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind test server");
    let addr = listener.local_addr().expect("test server address");
    tokio::spawn(async move {
        axum::serve(listener, app).await.expect("test server");
    });
    format!("http://{addr}")
}

async fn axe_journey(browser: &Browser, base: &str) -> Result<(), String> {
    browser.goto(&format!("{base}/")).await?;
    if browser.title().await? != "Accueil — Parvis" {
        return Err("the accessible page did not load".into());
    }
    // The page's own inline script was blocked: the CSP is in force.
    let inline = browser
        .client
        .execute(
            "return document.documentElement.dataset.inline || null;",
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?;
    if !inline.is_null() {
        return Err("the CSP did not block the page's inline script".into());
    }
    browser.axe_check("accessible page").await?;

    browser.goto(&format!("{base}/broken")).await?;
    browser.find_text("Une image").await?;
    match browser.axe_check("page with an image without alt").await {
        Ok(()) => Err("axe reported no violation on an <img> without alt".into()),
        Err(report) if report.contains("image-alt") && report.contains("#no-alt") => {
            println!("expected violation reported:\n{report}");
            Ok(())
        }
        Err(report) => Err(format!("expected an image-alt violation, got:\n{report}")),
    }
}

#[tokio::test]
async fn harness_runs_axe_on_a_csp_page() {
    if !support::run_or_skip("harness_runs_axe_on_a_csp_page") {
        return;
    }
    let base = serve_test_pages().await;
    let browser = Browser::start().await;
    let outcome = axe_journey(&browser, &base).await;
    browser
        .finish("harness_runs_axe_on_a_csp_page", outcome)
        .await;
}
