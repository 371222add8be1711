//! (being written)

use axum::Router;
use kernel::Kernel;

pub fn routes() -> Router<Kernel> {
    Router::new()
}
