//! Address search: the configured address service, with the commune's street list as
//! the offline fallback.

/// Street names compared without case, accents nor punctuation.
pub use kernel::text::normalise;

use kernel::Kernel;

use crate::model::Point;
use crate::store;

/// Where a result comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FoundSource {
    National,
    Streets,
}

/// One address found.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub label: String,
    pub point: Point,
    pub postcode: String,
    pub source: FoundSource,
}

/// Streets of the commune whose name holds every word typed (the house number is kept in
/// the label).
pub async fn search(kernel: &Kernel, query: &str, limit: usize) -> Vec<Found> {
    let wanted = normalise(query);
    let (number, words): (Vec<&str>, Vec<&str>) = wanted
        .split(' ')
        .filter(|w| !w.is_empty())
        .partition(|w| w.chars().all(|c| c.is_ascii_digit()));
    if words.is_empty() {
        return vec![];
    }
    let streets = match store::streets(&kernel.db).await {
        Ok(streets) => streets,
        Err(error) => {
            tracing::warn!(%error, "liste des rues illisible");
            return vec![];
        }
    };
    let number = number.first().map(|n| format!("{n} ")).unwrap_or_default();
    streets
        .into_iter()
        .filter(|s| words.iter().all(|w| s.normalised.contains(w)))
        .take(limit)
        .map(|s| Found {
            label: format!("{number}{} {}", s.name, s.postcode),
            point: s.point,
            postcode: s.postcode,
            source: FoundSource::Streets,
        })
        .collect()
}
