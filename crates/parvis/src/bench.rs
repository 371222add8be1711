//! `parvis bench`: measures the request path a resident hits most — a page rendered for a
//! logged-in person, which loads the session and the identity from the database — on a
//! throw-away instance, with several clients at once.

use std::sync::Arc;
use std::time::{Duration, Instant};

use kernel::clock::SystemClock;

pub struct BenchReport {
    pub requests: usize,
    pub concurrency: usize,
    pub elapsed: Duration,
    pub median: Duration,
    pub p95: Duration,
    pub backend: &'static str,
}

impl std::fmt::Display for BenchReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "GET /mon-espace (session + identité + rendu), {} : {} requêtes, {} clients simultanés\n  débit : {:.0} requêtes/s\n  médiane : {:.2} ms, 95e centile : {:.2} ms",
            self.backend,
            self.requests,
            self.concurrency,
            self.requests as f64 / self.elapsed.as_secs_f64(),
            self.median.as_secs_f64() * 1000.0,
            self.p95.as_secs_f64() * 1000.0,
        )
    }
}

/// Runs the benchmark against a fresh instance in a temporary folder (SQLite), or on the
/// PostgreSQL database given.
pub async fn run(
    requests: usize,
    concurrency: usize,
    database_url: Option<String>,
) -> anyhow::Result<BenchReport> {
    let dir = tempfile::tempdir()?;
    let config = kernel::Config {
        data_dir: dir.path().to_path_buf(),
        database_url,
        worker_interval_seconds: 3600,
        ..kernel::Config::default()
    };
    let kernel = crate::start(config, Arc::new(SystemClock)).await?;
    let backend = match kernel.db.backend() {
        kernel::Backend::Sqlite => "SQLite",
        kernel::Backend::Postgres => "PostgreSQL",
    };
    accounts::demo::seed(&kernel).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = crate::router(&kernel);
    let server = tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await;
    });
    let base = format!("http://{addr}");

    // Each client logs in once as the demo resident, then reads its space in a loop.
    let per_client = requests.div_ceil(concurrency.max(1));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency.max(1) {
        let base = base.clone();
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()?;
            let login_page = client
                .get(format!("{base}/connexion"))
                .send()
                .await?
                .text()
                .await?;
            let marker = "name=\"csrf_token\" value=\"";
            let start = login_page
                .find(marker)
                .map(|i| i + marker.len())
                .unwrap_or(0);
            let token = &login_page[start..start + login_page[start..].find('"').unwrap_or(0)];
            let response = client
                .post(format!("{base}/connexion"))
                .form(&[
                    ("csrf_token", token),
                    ("email", "camille.martin@demo.parvis.fr"),
                    ("password", accounts::demo::RESIDENT_PASSWORD),
                ])
                .send()
                .await?;
            anyhow::ensure!(
                response.status().is_redirection(),
                "connexion refusée : {}",
                response.status()
            );
            let mut timings = Vec::with_capacity(per_client);
            for _ in 0..per_client {
                let t = Instant::now();
                let response = client.get(format!("{base}/mon-espace")).send().await?;
                anyhow::ensure!(
                    response.status().is_success(),
                    "statut {}",
                    response.status()
                );
                let _ = response.bytes().await?;
                timings.push(t.elapsed());
            }
            Ok::<_, anyhow::Error>(timings)
        }));
    }
    let mut timings = Vec::new();
    for task in tasks {
        timings.extend(task.await??);
    }
    let elapsed = started.elapsed();
    server.abort();
    timings.sort();
    let at = |q: f64| timings[((timings.len() as f64 - 1.0) * q).round() as usize];
    Ok(BenchReport {
        requests: timings.len(),
        concurrency,
        elapsed,
        median: at(0.5),
        p95: at(0.95),
        backend,
    })
}
