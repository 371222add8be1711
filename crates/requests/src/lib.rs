//! Online procedures and requests (démarches et demandes): the catalogue, forms built by
//! agents, filing, routing, the agents' inbox, acknowledgements and the deadlines the law
//! sets.

pub mod acknowledgement;
pub mod actions;
pub mod administration;
pub mod api;
pub mod builder;
pub mod decision;
pub mod demo;
pub mod documents;
pub mod exchange;
pub mod form_diff;
pub mod form_edit;
pub mod forms;
pub mod model;
pub mod routing;
pub mod rules;
pub mod stats;
pub mod store;
pub mod timeline;
pub mod web;
pub mod workflow;

pub use web::router;

fluent_templates::static_loader! {
    pub static LOCALES = {
        locales: "./locales",
        fallback_language: "fr",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

use kernel::jobs::JobRegistry;
use kernel::migrate::Migration;

pub fn migrations() -> Vec<Migration> {
    vec![
        Migration::portable(
            "requests/0001_requests",
            include_str!("../migrations/0001_requests.sql"),
        ),
        Migration::portable(
            "requests/0002_article_links",
            include_str!("../migrations/0002_article_links.sql"),
        ),
        Migration::portable(
            "requests/0003_form_version_authors",
            include_str!("../migrations/0003_form_version_authors.sql"),
        ),
        Migration::portable(
            "requests/0004_teams",
            include_str!("../migrations/0004_teams.sql"),
        ),
    ]
}

/// The deemed-decision sweep runs every hour: a request deemed accepted at the end of a day
/// is settled early the next morning. Agents are warned of near deadlines every morning.
pub fn register_jobs(registry: &mut JobRegistry) {
    registry.every(
        "requests.deemed_decisions",
        "5 * * * *",
        |kernel, _| async move {
            actions::settle_deemed_decisions(&kernel)
                .await
                .map(|n| tracing::info!(settled = n, "décisions implicites"))
                .map_err(|e| e.to_string())
        },
    );
}

#[cfg(test)]
mod tests {
    #[test]
    fn catalogue_is_complete_in_both_languages() {
        let diff = kernel::i18n::differences(
            include_str!("../locales/fr/requests.ftl"),
            include_str!("../locales/en/requests.ftl"),
        );
        assert!(diff.is_empty(), "{diff:?}");
        let diff = kernel::i18n::differences(
            include_str!("../locales/fr/builder.ftl"),
            include_str!("../locales/en/builder.ftl"),
        );
        assert!(diff.is_empty(), "{diff:?}");
    }
}
