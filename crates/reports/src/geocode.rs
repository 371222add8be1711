//! Address search: the configured address service, with the commune's street list as
//! the offline fallback.

/// Street names compared without case, accents nor punctuation.
pub use kernel::text::normalise;
