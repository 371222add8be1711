//! Address search against a stand-in for the national address service, served on a random
//! local port: its answers, the fallback to the commune's street list when it fails, and
//! that results outside the commune are dropped.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use parvis::testing::{TestApp, spawn_with};
use reports::geocode::{self, Found, FoundSource};
use reports::model::Point;
use reports::store;
use serde_json::json;

type Asked = Arc<Mutex<Vec<HashMap<String, String>>>>;

fn feature(label: &str, postcode: &str, lon: f64, lat: f64) -> serde_json::Value {
    json!({
        "type": "Feature",
        "geometry": { "type": "Point", "coordinates": [lon, lat] },
        "properties": { "label": label, "postcode": postcode, "score": 0.9, "type": "housenumber" }
    })
}

/// Answers like the national address base, by what is asked.
async fn national(
    State(asked): State<Asked>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let q = params.get("q").cloned().unwrap_or_default().to_lowercase();
    asked.lock().unwrap().push(params);
    let features = if q.contains("paris") {
        vec![feature(
            "Rue de Paris 75001 Paris",
            "75001",
            2.3400,
            48.8600,
        )]
    } else if q.contains("pasteur") {
        vec![
            feature("8 Rue Pasteur 00000 Démo", "00000", 4.8402, 45.7612),
            feature("8 Rue Pasteur 75005 Paris", "75005", 2.3470, 48.8440),
        ]
    } else if q.contains("stade") {
        vec![feature(
            "Rue du Stade 75015 Paris",
            "75015",
            2.2900,
            48.8400,
        )]
    } else if q.contains("panne") {
        return (StatusCode::INTERNAL_SERVER_ERROR, "maintenance").into_response();
    } else if q.contains("html") {
        return "<html><body>Service en maintenance</body></html>".into_response();
    } else {
        vec![]
    };
    axum::Json(json!({ "type": "FeatureCollection", "features": features })).into_response()
}

/// The stand-in service, and what it was asked.
async fn serve_national() -> (String, Asked) {
    let asked: Asked = Arc::default();
    let router = axum::Router::new()
        .route("/search", get(national))
        .with_state(asked.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (format!("http://{addr}/search"), asked)
}

async fn app_with(geocoder_url: String, seed: bool) -> TestApp {
    let app = spawn_with(move |mut c| {
        c.map.geocoder_url = geocoder_url;
        c.map.citycode = "69999".into();
        c
    })
    .await;
    if seed {
        accounts::demo::seed(&app.kernel)
            .await
            .expect("demo accounts");
        requests::demo::seed(&app.kernel)
            .await
            .expect("demo procedures");
        reports::demo::seed(&app.kernel)
            .await
            .expect("demo reports");
    }
    app
}

fn summary(found: &[Found]) -> Vec<(&str, FoundSource)> {
    found.iter().map(|f| (f.label.as_str(), f.source)).collect()
}

#[tokio::test]
async fn the_national_service_answers_inside_the_commune() {
    let (url, asked) = serve_national().await;
    let app = app_with(url, true).await;
    let found = geocode::search(&app.kernel, "  8 rue Pasteur ", 5).await;
    // The Paris result lies outside every district of the commune: dropped.
    assert_eq!(
        summary(&found),
        [("8 Rue Pasteur 00000 Démo", FoundSource::National)]
    );
    assert_eq!(
        found[0].point,
        Point {
            lat: 45.7612,
            lon: 4.8402
        }
    );
    assert_eq!(found[0].postcode, "00000");
    let asked = asked.lock().unwrap();
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].get("q").map(String::as_str), Some("8 rue Pasteur"));
    assert_eq!(asked[0].get("limit").map(String::as_str), Some("5"));
    assert_eq!(asked[0].get("citycode").map(String::as_str), Some("69999"));
}

#[tokio::test]
async fn without_districts_every_national_result_is_kept() {
    let (url, _) = serve_national().await;
    // No demo commune: no district drawn, so nothing tells where the commune ends.
    let app = app_with(url, false).await;
    let found = geocode::search(&app.kernel, "8 rue pasteur", 5).await;
    assert_eq!(found.len(), 2);
    assert!(found.iter().all(|f| f.source == FoundSource::National));
}

#[tokio::test]
async fn only_results_outside_the_commune_fall_back_to_the_street_list() {
    let (url, asked) = serve_national().await;
    let app = app_with(url, true).await;
    let found = geocode::search(&app.kernel, "4 rue du stade", 5).await;
    assert_eq!(summary(&found), [("4 Rue du Stade", FoundSource::Streets)]);
    assert_eq!(
        found[0].point,
        Point {
            lat: 45.7702,
            lon: 4.8398
        }
    );
    assert_eq!(
        asked.lock().unwrap().len(),
        1,
        "the service was asked first"
    );
    // Outside the commune and unknown to the street list: nothing at all.
    let nothing = geocode::search(&app.kernel, "rue de paris", 5).await;
    assert_eq!(nothing, []);
    assert_eq!(asked.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_service_that_is_down_falls_back_to_the_street_list() {
    // A port that was just freed: nothing listens there.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let app = app_with(format!("http://{addr}/search"), true).await;
    let found = geocode::search(&app.kernel, "12 rue de la republique", 5).await;
    assert_eq!(
        summary(&found),
        [("12 Rue de la République", FoundSource::Streets)]
    );
    assert_eq!(found[0].postcode, "00000");
    let avenue = geocode::search(&app.kernel, "av jean jaures", 5).await;
    assert_eq!(
        summary(&avenue),
        [("Avenue Jean-Jaurès", FoundSource::Streets)]
    );
}

#[tokio::test]
async fn errors_and_empty_answers_fall_back_to_the_street_list() {
    let (url, asked) = serve_national().await;
    let app = app_with(url, true).await;
    for query in [
        "rue victor hugo panne",
        "rue victor hugo html",
        "rue victor hugo",
    ] {
        let found = geocode::search(&app.kernel, query, 5).await;
        assert_eq!(
            summary(&found),
            [("Rue Victor-Hugo", FoundSource::Streets)],
            "{query}"
        );
    }
    assert_eq!(asked.lock().unwrap().len(), 3);
    // An empty query asks nobody.
    assert!(geocode::search(&app.kernel, " , ", 5).await.is_empty());
    assert_eq!(asked.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn a_service_that_never_answers_gives_way_to_the_street_list() {
    // Accepts connections and keeps them open without a word.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let app = app_with(format!("http://{addr}/search"), true).await;
    // Far above the service's own timeout: only guards against waiting forever.
    let found = tokio::time::timeout(
        std::time::Duration::from_secs(60),
        geocode::search(&app.kernel, "rue pasteur", 5),
    )
    .await
    .expect("the search gives up on a silent service");
    assert_eq!(summary(&found), [("Rue Pasteur", FoundSource::Streets)]);
}

#[tokio::test]
async fn without_a_service_the_street_list_answers_and_names_pins() {
    let app = app_with(String::new(), true).await;
    let found = geocode::search(&app.kernel, "bd de la plaine", 5).await;
    assert_eq!(
        summary(&found),
        [("Boulevard de la Plaine", FoundSource::Streets)]
    );
    let streets = store::streets(&app.kernel.db).await.unwrap();
    let pin = Point::new(45.7704, 4.8399).unwrap();
    assert_eq!(
        geocode::reverse_label(pin, &streets),
        Some("Rue du Stade".into())
    );
    let far = Point::new(45.80, 4.90).unwrap();
    assert_eq!(geocode::reverse_label(far, &streets), None);
}
