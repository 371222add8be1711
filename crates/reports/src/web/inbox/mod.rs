//! The agents' side of reports: the live inbox, one report with every handling form, the
//! field agents' nearest-first view on a phone, and each agent's notice preference. Staff
//! only; an agent sees the reports of the services they work for (administrators: all),
//! anything else is "not found".

mod detail;
mod field;
mod list;

use axum::Router;
use axum::response::Response;
use axum::routing::{get, post};
use kernel::Kernel;

use crate::model::Status;

const SCRIPT: &str = include_str!("../../../static/boite.js");

pub fn routes() -> Router<Kernel> {
    Router::new()
        .route("/backoffice/signalements", get(list::inbox))
        .route("/backoffice/signalements/flux", get(list::flux))
        .route("/backoffice/signalements/terrain", get(field::terrain))
        .route(
            "/backoffice/signalements/preferences",
            get(field::preferences).post(field::save_preferences),
        )
        .route("/backoffice/signalements/{id}", get(detail::detail))
        .route(
            "/backoffice/signalements/{id}/statut",
            post(detail::change_status),
        )
        .route("/backoffice/signalements/{id}/note", post(detail::note))
        .route(
            "/backoffice/signalements/{id}/categorie",
            post(detail::recategorise),
        )
        .route(
            "/backoffice/signalements/{id}/orientation",
            post(detail::reroute),
        )
        .route("/backoffice/signalements/{id}/fusion", post(detail::merge))
        .route(
            "/backoffice/signalements/{id}/intervention",
            post(detail::plan),
        )
        .route(
            "/backoffice/signalements/{id}/moderation",
            post(detail::moderate),
        )
        .route("/static/signalements/boite.js", get(script))
}

/// The inbox's script, cached for a year like the kernel's static files (the pages link
/// it with the release in the query string).
async fn script() -> Response {
    kernel::web::shell::asset("text/javascript; charset=utf-8", SCRIPT)
}

/// An option of a select.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub fn choices(items: impl IntoIterator<Item = (String, String)>, current: &str) -> Vec<Choice> {
    items
        .into_iter()
        .map(|(value, label)| Choice {
            selected: value == current,
            value,
            label,
        })
        .collect()
}

/// The statuses an agent may move a report to from `from` (a duplicate is made by
/// merging, not chosen).
pub fn targets(from: Status) -> Vec<Status> {
    Status::ALL
        .into_iter()
        .filter(|to| *to != Status::Duplicate && crate::rules::can_move(from, *to))
        .collect()
}

/// The CSS class of a status label: the colour repeats the word, it never replaces it.
pub fn status_class(status: Status) -> &'static str {
    match status {
        Status::New => "statut-nouveau",
        Status::Acknowledged | Status::InProgress => "statut-en-cours",
        Status::Resolved => "statut-resolu",
        Status::Rejected | Status::Duplicate => "statut-clos",
    }
}

/// « 120 m », « 1,4 km ».
pub fn distance_text(metres: f64) -> String {
    let rounded = ((metres / 10.0).round() * 10.0) as i64;
    if rounded < 1000 {
        format!("{rounded} m")
    } else {
        let tenths = (metres / 100.0).round() as i64;
        format!("{},{} km", tenths / 10, tenths % 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_read_like_a_street_sign() {
        assert_eq!(distance_text(4.0), "0 m");
        assert_eq!(distance_text(123.0), "120 m");
        assert_eq!(distance_text(994.0), "990 m");
        assert_eq!(distance_text(999.0), "1,0 km");
        assert_eq!(distance_text(1450.0), "1,5 km");
        assert_eq!(distance_text(12_340.0), "12,3 km");
    }

    #[test]
    fn a_duplicate_is_never_chosen_from_the_list() {
        assert!(!targets(Status::New).contains(&Status::Duplicate));
        assert_eq!(
            targets(Status::Resolved),
            vec![Status::Acknowledged, Status::InProgress]
        );
        assert!(!targets(Status::InProgress).contains(&Status::InProgress));
    }
}
