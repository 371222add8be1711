//! Reports on the web: reporting and tracking for residents (`report`), the public map
//! and list (`map`), the agents' inbox and tools (`inbox`), the administration of
//! categories, districts and routing (`admin`), statistics and exports (`statistics`),
//! and the keys of Open311 clients (`api_keys`).

pub mod admin;
pub mod api_keys;
pub mod inbox;
pub mod map;
pub mod report;
pub mod statistics;

use axum::Router;
use kernel::Kernel;

pub fn router() -> Router<Kernel> {
    Router::new()
        .merge(report::routes())
        .merge(map::routes())
        .merge(inbox::routes())
        .merge(admin::routes())
        .merge(statistics::routes())
        .merge(api_keys::routes())
        .merge(crate::open311::routes())
}
