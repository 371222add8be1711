//! `parvis bench`: measures the request path a resident hits most — a page rendered for a
//! logged-in person, which loads the session and the identity from the database — on a
//! throw-away instance, with several clients at once.

use std::sync::Arc;
use std::time::{Duration, Instant};

use kernel::clock::SystemClock;

/// An HTTP client logged in as the demo resident.
async fn logged_in_client(base: &str) -> anyhow::Result<reqwest::Client> {
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
    Ok(client)
}

/// A throw-away instance for a benchmark: a temporary folder (SQLite) or the PostgreSQL
/// database given, migrated, with the system clock. Keep the folder alive while measuring.
pub async fn throwaway(
    database_url: Option<String>,
) -> anyhow::Result<(tempfile::TempDir, kernel::Kernel, &'static str)> {
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
    Ok((dir, kernel, backend))
}

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
    let (_dir, kernel, backend) = throwaway(database_url).await?;
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
    // Each client logs in once as the demo resident, one after the other (the login
    // throttle counts attempts in flight), then all read their space at once.
    let mut clients = Vec::new();
    for _ in 0..concurrency.max(1) {
        clients.push(logged_in_client(&base).await?);
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for client in clients {
        let base = base.clone();
        tasks.push(tokio::spawn(async move {
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

/// Figures of the requests benchmark.
pub struct RequestsReport {
    pub backend: &'static str,
    pub stored: usize,
    pub seeding: Duration,
    pub filing_median: Duration,
    pub filing_p95: Duration,
    pub inbox_median: Duration,
    pub inbox_p95: Duration,
    pub search_median: Duration,
}

impl std::fmt::Display for RequestsReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        write!(
            f,
            "Démarches, {} : {} demandes en base (insérées en {:.0} s)\n  dépôt (orientation, numéro, échéance, accusé, courriel) : médiane {:.2} ms, 95e centile {:.2} ms\n  GET /backoffice/demandes (page 1, tri par échéance) : médiane {:.2} ms, 95e centile {:.2} ms\n  GET /backoffice/demandes?q=… (recherche plein texte) : médiane {:.2} ms",
            self.backend,
            self.stored,
            self.seeding.as_secs_f64(),
            ms(self.filing_median),
            ms(self.filing_p95),
            ms(self.inbox_median),
            ms(self.inbox_p95),
            ms(self.search_median),
        )
    }
}

pub mod bookings;
pub mod reports;

fn percentile(timings: &mut [Duration], q: f64) -> Duration {
    timings.sort();
    timings[((timings.len() as f64 - 1.0) * q).round() as usize]
}

/// Fills the database with `stored` requests spread over the demo procedures, services and
/// statuses, then times filing a request and listing and searching the inbox over HTTP.
pub async fn run_requests(
    stored: usize,
    samples: usize,
    database_url: Option<String>,
) -> anyhow::Result<RequestsReport> {
    use requests::model::{Channel, DeemedDecision, Regime};

    let (_dir, kernel, backend) = throwaway(database_url).await?;
    accounts::demo::seed(&kernel).await?;
    requests::demo::seed(&kernel).await?;

    // Bulk rows, as years of use would leave them.
    let procedures = requests::store::procedures(&kernel.db, false, "").await?;
    let procedures: Vec<_> = procedures
        .into_iter()
        .filter(|p| p.kind == requests::model::ProcedureKind::Online)
        .collect();
    let mut versions = Vec::new();
    for p in &procedures {
        versions.push(
            requests::store::published_version(&kernel.db, &p.id)
                .await?
                .ok_or_else(|| anyhow::anyhow!("formulaire absent"))?,
        );
    }
    let names = [
        "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
        "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David",
    ];
    let given = [
        "Camille", "Léa", "Hugo", "Chloé", "Louis", "Manon", "Lucas", "Inès", "Jules", "Zoé",
    ];
    let statuses = [
        "submitted",
        "under_review",
        "waiting_for_applicant",
        "accepted",
        "refused",
        "closed",
    ];
    let seeding = Instant::now();
    let now = kernel.now();
    let today = requests::actions::today(&kernel);
    let mut tx = kernel.db.begin().await?;
    for i in 0..stored {
        let which = i % procedures.len();
        let p = &procedures[which];
        let received = today.saturating_sub(jiff::Span::new().days((i % 400) as i64));
        let status = statuses[i % statuses.len()];
        let mut answers = requests::forms::Answers::new();
        answers.insert("objet".into(), vec![format!("demande de test {i}")]);
        let facts = requests::model::DeadlineFacts {
            regime: p.regime,
            delay: p.delay,
            received_on: received,
            competent_received_on: None,
            incomplete_at_receipt: None,
            completions: vec![],
        };
        let deemed = if p.regime == Regime::None {
            DeemedDecision::NotApplicable
        } else {
            requests::rules::deemed_decision(&facts)
        };
        let decided = matches!(status, "accepted" | "refused" | "closed");
        let request = requests::model::Request {
            id: uuid::Uuid::new_v4().to_string(),
            number: Some(format!("DEM-2020-{i:07}")),
            procedure_id: p.id.clone(),
            form_version_id: versions[which].id.clone(),
            service_id: p.service_id.clone(),
            team_id: None,
            assignee_id: None,
            status: status.into(),
            channel: Channel::ALL[i % Channel::ALL.len()],
            applicant_id: None,
            applicant_name: format!(
                "{} {}",
                given[i % given.len()],
                names[(i / 7) % names.len()]
            ),
            applicant_email: None,
            applicant_phone: None,
            applicant_address: None,
            answers,
            current_page: 0,
            regime: p.regime,
            delay: p.delay,
            received_on: Some(received),
            competent_received_on: None,
            incomplete_at_receipt: false,
            complete_on: None,
            deemed,
            submitted_at: Some(now),
            decided_at: decided.then_some(now),
            created_at: now,
            updated_at: now,
        };
        requests::store::save_request(&mut tx, &request).await?;
        if i % 2000 == 1999 {
            tx.commit().await?;
            tx = kernel.db.begin().await?;
        }
    }
    tx.commit().await?;
    let seeding = seeding.elapsed();

    // Filing: the receipt of a request recorded by an agent, end to end in one transaction.
    let agent = accounts::store::user_by_email(&kernel.db, "thomas.petit@demo.parvis.fr")
        .await?
        .ok_or_else(|| anyhow::anyhow!("agent de démonstration absent"))?;
    let caller = kernel::Caller {
        identity: accounts::store::load_identity(&kernel.db, &agent.id).await?,
        ..kernel::Caller::default()
    };
    let hall = requests::store::procedure_by_slug(&kernel.db, "location-salle")
        .await?
        .ok_or_else(|| anyhow::anyhow!("démarche absente"))?;
    let mut filing = Vec::with_capacity(samples);
    for i in 0..samples {
        let mut answers = requests::forms::Answers::new();
        for (k, v) in [
            (
                "salle",
                "Salle de réunion de l'hôtel de ville (25 personnes)",
            ),
            ("date", "2027-03-13"),
            ("horaires", "de 14 h à 17 h"),
            ("personnes", "20"),
            ("evenement", "Réunion"),
            ("assurance", "attestation vue à l'accueil"),
        ] {
            answers.insert(k.into(), vec![v.into()]);
        }
        let t = Instant::now();
        requests::actions::record_counter_request(
            &kernel,
            &caller,
            &hall,
            requests::actions::CounterRequest {
                channel: Channel::Counter,
                received_on: today,
                applicant_id: None,
                applicant_name: format!("Demandeur {i}"),
                applicant_email: Some(format!("demandeur{i}@exemple.fr")),
                applicant_phone: None,
                applicant_address: None,
                answers,
            },
        )
        .await?;
        filing.push(t.elapsed());
    }

    // The inbox over HTTP, as an administrator sees it (every service).
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
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let login = client
        .get(format!("{base}/connexion"))
        .send()
        .await?
        .text()
        .await?;
    let marker = "name=\"csrf_token\" value=\"";
    let start = login.find(marker).map(|i| i + marker.len()).unwrap_or(0);
    let token = &login[start..start + login[start..].find('"').unwrap_or(0)];
    let response = client
        .post(format!("{base}/connexion"))
        .form(&[
            ("csrf_token", token),
            ("email", "thomas.petit@demo.parvis.fr"),
            ("password", accounts::demo::STAFF_PASSWORD),
        ])
        .send()
        .await?;
    anyhow::ensure!(response.status().is_redirection(), "connexion refusée");
    let timed = |path: String| {
        let client = client.clone();
        async move {
            let t = Instant::now();
            let response = client.get(path).send().await?;
            anyhow::ensure!(
                response.status().is_success(),
                "statut {}",
                response.status()
            );
            let _ = response.bytes().await?;
            Ok::<_, anyhow::Error>(t.elapsed())
        }
    };
    let mut inbox = Vec::with_capacity(samples);
    let mut search = Vec::with_capacity(samples);
    for i in 0..samples {
        inbox.push(timed(format!("{base}/backoffice/demandes")).await?);
        search.push(
            timed(format!(
                "{base}/backoffice/demandes?q=test+{}",
                i * 37 % stored.max(1)
            ))
            .await?,
        );
    }
    server.abort();
    Ok(RequestsReport {
        backend,
        stored,
        seeding,
        filing_median: percentile(&mut filing, 0.5),
        filing_p95: percentile(&mut filing, 0.95),
        inbox_median: percentile(&mut inbox, 0.5),
        inbox_p95: percentile(&mut inbox, 0.95),
        search_median: percentile(&mut search, 0.5),
    })
}
