//! The administration of reports, for administrators: the categories offered to
//! residents with their extra questions (`categories`, `questions`), and where reports go —
//! the ordered routing rules and the districts they rely on (`routing`). Every change is
//! one transaction with its audit entry.

mod categories;
mod questions;
mod routing;

use axum::Router;
use axum::routing::{get, post};
use kernel::identity::{Identity, Role};
use kernel::{AppError, Caller, Kernel};

const CATEGORIES: &str = "/backoffice/signalements/categories";
const ROUTING: &str = "/backoffice/signalements/orientation";

pub fn routes() -> Router<Kernel> {
    let category = |rest: &str| format!("{CATEGORIES}/{{id}}{rest}");
    Router::new()
        .route(CATEGORIES, get(categories::list))
        .route(
            &format!("{CATEGORIES}/nouvelle"),
            get(categories::new_form).post(categories::create),
        )
        .route(
            &category(""),
            get(categories::edit_form).post(categories::update),
        )
        .route(
            &category("/questions/nouvelle"),
            get(questions::new_form).post(questions::create),
        )
        .route(
            &category("/questions/{code}"),
            get(questions::edit_form).post(questions::update),
        )
        .route(
            &category("/questions/{code}/supprimer"),
            post(questions::remove),
        )
        .route(
            &category("/questions/{code}/deplacer"),
            post(questions::move_question),
        )
        .route(ROUTING, get(routing::page).post(routing::add_rule))
        .route(
            &format!("{ROUTING}/regles/{{id}}"),
            post(routing::change_rule),
        )
        .route(
            &format!("{ROUTING}/quartiers"),
            post(routing::import_districts),
        )
        .route(
            &format!("{ROUTING}/quartiers/{{id}}/supprimer"),
            post(routing::delete_district),
        )
}

/// Administrators only: everyone else of the back office gets 403.
pub(crate) fn administrator(caller: &Caller) -> Result<&Identity, AppError> {
    let identity = caller.identity.as_ref().ok_or(AppError::LoginRequired)?;
    if identity.has_role(Role::Administrator) {
        Ok(identity)
    } else {
        Err(AppError::Forbidden)
    }
}

/// The names of services and teams, for the pages and exports that say who handles what.
pub(crate) struct Handlers {
    pub services: Vec<accounts::model::Service>,
    pub teams: Vec<accounts::model::Team>,
}

impl Handlers {
    pub async fn load(kernel: &Kernel) -> Result<Handlers, AppError> {
        Ok(Handlers {
            services: accounts::store::services(&kernel.db).await?,
            teams: accounts::store::teams(&kernel.db).await?,
        })
    }
    pub fn service(&self, id: Option<&str>) -> String {
        id.and_then(|id| self.services.iter().find(|s| s.id == id))
            .map(|s| s.name.clone())
            .unwrap_or_default()
    }
    pub fn team(&self, id: Option<&str>) -> String {
        id.and_then(|id| self.teams.iter().find(|t| t.id == id))
            .map(|t| t.name.clone())
            .unwrap_or_default()
    }
}

/// One option of a list.
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub(crate) fn opts(items: impl IntoIterator<Item = (String, String)>, current: &str) -> Vec<Opt> {
    items
        .into_iter()
        .map(|(value, label)| Opt {
            selected: value == current,
            value,
            label,
        })
        .collect()
}

/// The values of a posted form, by name (the last one wins).
pub(crate) struct Posted(pub Vec<(String, String)>);

impl Posted {
    pub fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
    pub fn checked(&self, name: &str) -> bool {
        self.0.iter().any(|(n, v)| n == name && v == "oui")
    }
}
