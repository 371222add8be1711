//! Reporting and following, for residents: the step-by-step form that works without
//! JavaScript (`new`), the tracking page that updates live (`tracking`), « moi aussi »
//! (`me_too`), and the resident's reports in their space (`mine`).

mod me_too;
mod mine;
mod new;
mod tracking;

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kernel::{AppError, Kernel};

pub use mine::MyReports;

const SUIVI_JS: &str = include_str!("../../../static/suivi.js");

pub fn routes() -> Router<Kernel> {
    Router::new()
        .route("/signalements/nouveau", get(new::show).post(new::submit))
        .route("/signalements/suivi/{token}", get(tracking::page))
        .route("/signalements/suivi/{token}/envoye", get(tracking::filed))
        .route(
            "/signalements/suivi/{token}/moi-aussi",
            get(tracking::followed),
        )
        .route("/signalements/suivi/{token}/flux", get(tracking::stream))
        .route(
            "/signalements/suivi/{token}/photos/{photo}",
            get(tracking::photo),
        )
        .route("/signalements/{id}/moi-aussi", post(me_too::submit))
        .route("/mes-signalements", get(mine::list))
        .route("/mes-signalements/{id}", get(mine::detail))
        .route("/mes-signalements/{id}/flux", get(mine::stream))
        .route("/mes-signalements/{id}/photos/{photo}", get(mine::photo))
        .route(
            "/static/signalements/suivi.js",
            get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
                        (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
                    ],
                    SUIVI_JS,
                )
            }),
        )
}

/// What a form sent, as urlencoded fields or multipart with files.
#[derive(Debug, Default)]
struct Posted {
    fields: BTreeMap<String, Vec<String>>,
    /// (field, bytes) of each file actually chosen.
    files: Vec<(String, Vec<u8>)>,
}

impl Posted {
    fn text(&self, name: &str) -> String {
        self.fields
            .get(name)
            .and_then(|v| v.first())
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    }

    fn has(&self, name: &str) -> bool {
        self.fields.contains_key(name)
    }
}

fn unreadable(e: impl std::fmt::Display) -> AppError {
    AppError::BadRequest(format!("formulaire illisible : {e}"))
}

/// Reads a form whichever way it was encoded (the step with photos is multipart).
async fn read_posted(request: Request) -> Result<Posted, AppError> {
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let mut posted = Posted::default();
    if multipart {
        let mut form = Multipart::from_request(request, &())
            .await
            .map_err(unreadable)?;
        while let Some(field) = form.next_field().await.map_err(unreadable)? {
            let name = field.name().unwrap_or_default().to_string();
            let is_file = field.file_name().is_some();
            let bytes = field.bytes().await.map_err(unreadable)?;
            if is_file {
                if !bytes.is_empty() {
                    posted.files.push((name, bytes.to_vec()));
                }
            } else {
                let value = String::from_utf8_lossy(&bytes).into_owned();
                posted.fields.entry(name).or_default().push(value);
            }
        }
    } else {
        let bytes = axum::body::to_bytes(request.into_body(), 1024 * 1024)
            .await
            .map_err(unreadable)?;
        for (name, value) in url::form_urlencoded::parse(&bytes) {
            posted
                .fields
                .entry(name.into_owned())
                .or_default()
                .push(value.into_owned());
        }
    }
    posted.fields.remove(kernel::web::csrf::FIELD);
    Ok(posted)
}

/// The answers to a category's questions as people read them: each question with the
/// names of the choices given (or the text typed), unanswered ones left out.
fn answer_lines(
    attributes: &[crate::model::Attribute],
    given: impl Fn(&str) -> Vec<String>,
) -> Vec<(String, String)> {
    attributes
        .iter()
        .filter(|a| a.variable)
        .filter_map(|a| {
            let names: Vec<String> = given(&a.code)
                .into_iter()
                .filter(|v| !v.trim().is_empty())
                .map(|v| {
                    a.values
                        .iter()
                        .find(|k| k.key == v)
                        .map(|k| k.name.clone())
                        .unwrap_or(v)
                })
                .collect();
            (!names.is_empty()).then(|| (a.description.clone(), names.join(", ")))
        })
        .collect()
}

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(anyhow::anyhow!(e.to_string()))
}

/// Pages that carry a tracking token are never cached nor indexed.
fn private_page(response: impl IntoResponse) -> Response {
    (
        [
            (header::CACHE_CONTROL, "no-store"),
            (
                header::HeaderName::from_static("x-robots-tag"),
                "noindex, nofollow",
            ),
        ],
        response,
    )
        .into_response()
}
