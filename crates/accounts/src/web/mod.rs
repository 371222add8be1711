//! Accounts on the web: public pages (sign-up, login, password), the resident's space,
//! and the administration back office (staff accounts, roles, audit log).

pub mod backoffice;
pub mod mfa;
pub mod public;

use axum::Router;
use axum::routing::{get, post};
use kernel::Kernel;

pub fn router() -> Router<Kernel> {
    Router::new()
        .route(
            "/inscription",
            get(public::signup_form).post(public::signup),
        )
        .route("/inscription/confirmation", get(public::signup_done))
        .route("/inscription/verifier/{token}", get(public::verify_email))
        .route("/connexion", get(public::login_form).post(public::login))
        .route("/deconnexion", post(public::logout))
        .route(
            "/mot-de-passe-oublie",
            get(public::forgot_form).post(public::forgot),
        )
        .route(
            "/mot-de-passe/nouveau/{token}",
            get(public::reset_form).post(public::reset),
        )
        .route("/mon-espace", get(public::my_space))
        .route(
            "/mon-espace/mot-de-passe",
            get(public::change_password_form).post(public::change_password),
        )
        .route(
            "/connexion/double-authentification",
            get(mfa::challenge_form).post(mfa::challenge),
        )
        .route(
            "/connexion/double-authentification/activer",
            get(mfa::setup_form).post(mfa::setup),
        )
        .route("/connexion/codes-de-secours", get(mfa::recovery_codes_page))
        .route("/backoffice", get(backoffice::home))
        .route("/backoffice/utilisateurs", get(backoffice::users))
        .route(
            "/backoffice/utilisateurs/nouveau",
            get(backoffice::new_user_form).post(backoffice::create_user),
        )
        .route(
            "/backoffice/utilisateurs/{id}",
            get(backoffice::user_detail),
        )
        .route(
            "/backoffice/utilisateurs/{id}/roles",
            post(backoffice::grant),
        )
        .route(
            "/backoffice/utilisateurs/{id}/roles/{grant}/retirer",
            post(backoffice::revoke),
        )
        .route("/backoffice/audit", get(backoffice::audit))
        .route(
            "/backoffice/services",
            get(backoffice::services).post(backoffice::create_service),
        )
        .route(
            "/backoffice/services/{slug}/equipes",
            get(backoffice::teams).post(backoffice::create_team),
        )
        .route(
            "/backoffice/services/{slug}/equipes/{team}/membres",
            post(backoffice::add_member),
        )
        .route(
            "/backoffice/services/{slug}/equipes/{team}/membres/{user}/retirer",
            post(backoffice::remove_member),
        )
}
