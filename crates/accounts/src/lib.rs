//! Accounts: residents and staff, services and roles, sign-up, login with a second factor
//! for administrators and the DPO, password reset, and the administration back office.

pub mod actions;
pub mod demo;
pub mod model;
pub mod password;
pub mod rules;
pub mod store;
pub mod totp;
pub mod web;

use kernel::migrate::Migration;

pub use actions::{
    AccountError, DbIdentities, ServiceRequest, StaffRequest, TeamError, create_service,
    create_staff,
};
pub use web::router;

fluent_templates::static_loader! {
    pub static LOCALES = {
        locales: "./locales",
        fallback_language: "fr",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

pub fn migrations() -> Vec<Migration> {
    vec![
        Migration::portable(
            "accounts/0001_accounts",
            include_str!("../migrations/0001_accounts.sql"),
        ),
        Migration::portable(
            "accounts/0002_teams",
            include_str!("../migrations/0002_teams.sql"),
        ),
    ]
}

#[cfg(test)]
mod tests {
    #[test]
    fn catalogue_is_complete_in_both_languages() {
        let diff = kernel::i18n::differences(
            include_str!("../locales/fr/accounts.ftl"),
            include_str!("../locales/en/accounts.ftl"),
        );
        assert!(diff.is_empty(), "{diff:?}");
    }
}
