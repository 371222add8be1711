//! The family file (*dossier famille*): one household file per family, checked once and
//! reused by every service — canteen, after-school care, leisure centres, later the crèche
//! and the conservatoire. A child may belong to two households (alternating custody), each
//! with its own paying adult.
//!
//! `model` holds the plain types (diets, the 14 regulated allergens, document types);
//! `rules` the pure rules (the family quotient, which documents a service still misses,
//! the checks of what families type); `store` the queries; `actions` what a family does,
//! each in one transaction; `web` the pages under `/famille`.

pub mod actions;
pub mod backoffice;
pub mod custody;
pub mod demo;
pub mod documents;
pub mod invitations;
pub mod model;
pub mod rules;
pub mod store;
pub mod web;

use kernel::migrate::Migration;

/// The families' pages and the family service's.
pub fn router() -> axum::Router<kernel::Kernel> {
    web::router().merge(backoffice::router())
}

fluent_templates::static_loader! {
    pub static LOCALES = {
        locales: "./locales",
        fallback_language: "fr",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The family file's recurring work: asking for documents about to end.
pub fn register_jobs(registry: &mut kernel::jobs::JobRegistry) {
    registry.every(
        "family.document_reminders",
        "15 8 * * *",
        |kernel, _| async move {
            documents::remind_expiring(&kernel)
                .await
                .map(|n| tracing::info!(reminded = n, "pièces à renouveler"))
                .map_err(|e| e.to_string())
        },
    );
}

pub fn migrations() -> Vec<Migration> {
    vec![
        Migration::portable(
            "family/0001_family",
            include_str!("../migrations/0001_family.sql"),
        ),
        Migration::portable(
            "family/0002_documents",
            include_str!("../migrations/0002_documents.sql"),
        ),
        Migration::portable(
            "family/0003_invitations",
            include_str!("../migrations/0003_invitations.sql"),
        ),
        Migration::portable(
            "family/0004_schools",
            include_str!("../migrations/0004_schools.sql"),
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
