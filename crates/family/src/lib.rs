//! The family file (*dossier famille*): one household file per family, checked once and
//! reused by every service — canteen, after-school care, leisure centres, later the crèche
//! and the conservatoire. A child may belong to two households (alternating custody), each
//! with its own paying adult.
//!
//! `model` holds the plain types (diets, the 14 regulated allergens, document types);
//! `rules` the pure rules: the family quotient, which documents a service still misses.

pub mod model;
pub mod rules;
