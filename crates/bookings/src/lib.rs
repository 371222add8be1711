//! The booking engine behind every daily activity of the family services — the canteen
//! first, then after-school care and leisure centres.
//!
//! Its rules are declarative, typed values evaluated by pure functions with the clock
//! passed in: when a day opens (`calendar`), until when it is booked or cancelled at the
//! normal price (`deadlines`), and what each booking, late booking, late cancellation or
//! unbooked presence costs, with how it was computed (`pricing`). `store` keeps
//! activities, places, bookings and charge lines; `actions` books and cancels in one
//! transaction each; `web` serves the parents' month calendar and account.

pub mod actions;
pub mod activity_admin;
pub mod api;
pub mod backoffice;
pub mod calendar;
pub mod days;
pub mod deadlines;
pub mod demo;
pub mod kitchen;
pub mod menu_pages;
pub mod menus;
pub mod model;
pub mod one_euro;
pub mod pricing;
pub mod rules_form;
pub mod settings_form;
pub mod store;
pub mod web;

use kernel::migrate::Migration;

/// The families' pages and the staff's.
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

pub fn migrations() -> Vec<Migration> {
    vec![
        Migration::portable(
            "bookings/0001_bookings",
            include_str!("../migrations/0001_bookings.sql"),
        ),
        Migration::portable(
            "bookings/0002_menus",
            include_str!("../migrations/0002_menus.sql"),
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
