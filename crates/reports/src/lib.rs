//! Problem reports in public space (signalements): anyone reports a pothole or an illegal
//! dump in a minute, with or without an account; routing by category and area sends it
//! to the right team at once; the author follows it live; the public map shows what is
//! open; other systems read and file reports through Open311 GeoReport v2.

pub mod actions;
pub mod admin_districts;
pub mod admin_rules;
pub mod demo;
pub mod follow;
pub mod geocode;
pub mod handling;
pub mod model;
pub mod open311;
pub mod photos;
pub mod rules;
pub mod stats;
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
    vec![
        Migration::portable(
            "reports/0001_reports",
            include_str!("../migrations/0001_reports.sql"),
        ),
        Migration::portable(
            "reports/0002_map",
            include_str!("../migrations/0002_map.sql"),
        ),
        Migration::portable(
            "reports/0003_push_notice",
            include_str!("../migrations/0003_push_notice.sql"),
        ),
    ]
}

#[cfg(test)]
mod tests {
    /// Every catalogue file has the same keys in French and English.
    #[test]
    fn catalogue_is_complete_in_both_languages() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
        let mut checked = 0;
        for entry in std::fs::read_dir(root.join("fr")).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap();
            let fr = std::fs::read_to_string(&path).unwrap();
            let en = std::fs::read_to_string(root.join("en").join(name))
                .unwrap_or_else(|_| panic!("{name:?} has no English version"));
            let diff = kernel::i18n::differences(&fr, &en);
            assert!(diff.is_empty(), "{name:?}: {diff:?}");
            checked += 1;
        }
        assert!(checked >= 1);
    }
}
