//! Problem reports in public space (signalements): anyone reports a pothole or an illegal
//! dump in a minute, with or without an account; routing by category and area sends it
//! to the right team at once; the author follows it live; the public map shows what is
//! open; other systems read and file reports through Open311 GeoReport v2.

pub mod actions;
pub mod demo;
pub mod geocode;
pub mod model;
pub mod photos;
pub mod rules;
pub mod store;
pub mod web;

pub use web::router;

fluent_templates::static_loader! {
    pub static LOCALES = {
        locales: "./locales",
        fallback_language: "fr",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

use kernel::migrate::Migration;

pub fn migrations() -> Vec<Migration> {
    vec![Migration::portable(
        "reports/0001_reports",
        include_str!("../migrations/0001_reports.sql"),
    )]
}

#[cfg(test)]
mod tests {
    #[test]
    fn catalogue_is_complete_in_both_languages() {
        let diff = kernel::i18n::differences(
            include_str!("../locales/fr/reports.ftl"),
            include_str!("../locales/en/reports.ftl"),
        );
        assert!(diff.is_empty(), "{diff:?}");
    }
}
