//! Open311 GeoReport v2 under `/open311/v2/`.

use axum::Router;
use kernel::Kernel;

pub fn routes() -> Router<Kernel> {
    Router::new()
}
