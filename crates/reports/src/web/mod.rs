//! Reports on the web: reporting and tracking for residents, the public map, the agents'
//! inbox and tools, the administration of categories and routing, and Open311.

use axum::Router;
use kernel::Kernel;

pub fn router() -> Router<Kernel> {
    Router::new()
}
