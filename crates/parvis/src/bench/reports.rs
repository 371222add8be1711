//! `parvis bench --scenario signalements`: filing problem reports and the public map's
//! query, with years of reports stored.

use std::fmt;
use std::time::{Duration, Instant};

use reports::actions::{self, NewReport};
use reports::model::{Point, Report, Source, Status};

use super::percentile;

pub struct ReportsReport {
    backend: &'static str,
    stored: usize,
    seeding: Duration,
    filing_median: Duration,
    filing_p95: Duration,
    map_median: Duration,
    map_p95: Duration,
    map_features: usize,
}

impl fmt::Display for ReportsReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        write!(
            f,
            "Signalements, {} : {} signalements en base (insérés en {:.0} s)\n  dépôt (quartier, orientation, référence, historique, courriels de l'équipe) : médiane {:.2} ms, 95e centile {:.2} ms\n  GET /signalements/carte.json (quartier du centre, {} points) : médiane {:.2} ms, 95e centile {:.2} ms",
            self.backend,
            self.stored,
            self.seeding.as_secs_f64(),
            ms(self.filing_median),
            ms(self.filing_p95),
            self.map_features,
            ms(self.map_median),
            ms(self.map_p95),
        )
    }
}

/// A pseudo-random but repeatable spread of points over the demo commune.
fn spread(i: usize) -> Point {
    let a = (i.wrapping_mul(2_654_435_761) % 10_000) as f64 / 10_000.0;
    let b = (i.wrapping_mul(40_503) % 10_000) as f64 / 10_000.0;
    Point {
        lat: 45.7505 + a * 0.0270,
        lon: 4.8285 + b * 0.0140,
    }
}

pub async fn run(
    stored: usize,
    samples: usize,
    database_url: Option<String>,
) -> anyhow::Result<ReportsReport> {
    let (_dir, kernel, backend) = super::throwaway(database_url).await?;
    accounts::demo::seed(&kernel).await?;
    reports::demo::seed(&kernel).await?;
    let categories: Vec<_> = reports::store::categories(&kernel.db)
        .await?
        .into_iter()
        .filter(|c| c.parent_id.is_some() || c.code == "tags")
        .collect();
    let districts = reports::store::districts(&kernel.db).await?;

    // Two years of reports: most closed long ago, a tenth still open.
    let seeding = Instant::now();
    let now = kernel.now();
    let mut tx = kernel.db.begin().await?;
    for i in 0..stored {
        let category = &categories[i % categories.len()];
        let point = spread(i);
        let age = jiff::SignedDuration::from_secs(((i * 7919) % (730 * 86_400)) as i64);
        let created = now - age;
        let status = match i % 10 {
            0 => Status::New,
            1 => Status::InProgress,
            2 => Status::Rejected,
            _ => Status::Resolved,
        };
        let closed = (!status.is_open()).then(|| created + jiff::SignedDuration::from_hours(72));
        let report = Report {
            id: uuid::Uuid::new_v4().to_string(),
            reference: format!("S-2020-{i:07}"),
            category_id: category.id.clone(),
            status,
            point,
            address: format!("{} rue de la République, 00000 Démo", i % 200 + 1),
            district_id: reports::rules::district_of(point, &districts).map(|d| d.id.clone()),
            description: format!("Signalement de charge numéro {i}"),
            answers: serde_json::Map::new(),
            service_id: None,
            team_id: None,
            agency: String::new(),
            author_user_id: None,
            author_email: None,
            source: Source::Web,
            api_client_id: None,
            description_hidden: false,
            planned_on: None,
            status_note: String::new(),
            merged_into: None,
            me_too_count: 0,
            created_at: created,
            updated_at: closed.unwrap_or(created),
            acknowledged_at: closed,
            closed_at: closed,
        };
        let (_, tracking) = actions::new_token();
        let (open311, _) = actions::new_token();
        reports::store::insert_report(&mut tx, &report, &tracking, &open311).await?;
        if i % 2000 == 1999 {
            tx.commit().await?;
            tx = kernel.db.begin().await?;
        }
    }
    tx.commit().await?;
    if kernel.db.backend() == kernel::Backend::Postgres {
        // As autovacuum would after such a load: the planner needs the table's statistics.
        sqlx::query("ANALYZE reports")
            .execute(kernel.db.pool())
            .await?;
    }
    let seeding = seeding.elapsed();

    // Filing: an anonymous report end to end (checks, district, routing, reference,
    // history, the team's e-mails), one transaction.
    let anonymous = kernel::Caller::default();
    let mut filing = Vec::with_capacity(samples);
    for i in 0..samples {
        let mut answers = std::collections::BTreeMap::new();
        answers.insert("danger".to_string(), vec!["oui".to_string()]);
        let t = Instant::now();
        actions::file_report(
            &kernel,
            &anonymous,
            NewReport {
                category_code: "nid-de-poule".into(),
                point: Some(spread(i * 13 + 7)),
                address: "Rue de la République, 00000 Démo".into(),
                description: format!("Nid-de-poule numéro {i}"),
                answers,
                ..NewReport::default()
            },
        )
        .await?;
        filing.push(t.elapsed());
    }

    // The public map over HTTP: the centre district's open and recently resolved reports.
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
    let client = reqwest::Client::new();
    let url = format!("http://{addr}/signalements/carte.json?bbox=4.8280,45.7600,4.8430,45.7680");
    let mut map = Vec::with_capacity(samples);
    let mut map_features = 0;
    for _ in 0..samples {
        let t = Instant::now();
        let response = client.get(&url).send().await?;
        anyhow::ensure!(
            response.status().is_success(),
            "statut {}",
            response.status()
        );
        let body: serde_json::Value = serde_json::from_slice(&response.bytes().await?)?;
        map.push(t.elapsed());
        map_features = body["features"].as_array().map_or(0, Vec::len);
    }
    server.abort();
    Ok(ReportsReport {
        backend,
        stored,
        seeding,
        filing_median: percentile(&mut filing, 0.5),
        filing_p95: percentile(&mut filing, 0.95),
        map_median: percentile(&mut map, 0.5),
        map_p95: percentile(&mut map, 0.95),
        map_features,
    })
}
