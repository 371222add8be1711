//! Sign-up, e-mail verification, login, logout, forgotten password, the resident's space.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use kernel::audit::AuditTarget;
use kernel::identity::Role;
use kernel::ratelimit::{self, Limit};
use kernel::web::forms::{FormErrors, safe_local_path};
use kernel::web::page::{self, FormPage, LoggedIn, Page, render, render_status};
use kernel::{AppError, Caller, Kernel};
use serde::Deserialize;
use tower_sessions::Session;

use crate::actions::{audit_user, mail_account_owner, send_link, token_hash};
use crate::rules::{self, PasswordLevel, TokenPurpose};
use crate::{password, store};

/// Translated message for a refused password.
pub(crate) fn password_message(page: &Page, problem: &rules::PasswordProblem) -> String {
    match problem {
        rules::PasswordProblem::TooShort { min } | rules::PasswordProblem::TooWeak { min } => {
            page.tr.t1(problem.message_key(), "min", min)
        }
        _ => page.tr.t(problem.message_key()),
    }
}

// ---------------------------------------------------------------- sign-up

#[derive(Default, Deserialize)]
pub struct SignupForm {
    #[serde(default)]
    pub given_name: String,
    #[serde(default)]
    pub family_name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
}

#[derive(askama::Template)]
#[template(path = "signup.html")]
struct SignupPage {
    page: Page,
    form: SignupForm,
    errors: FormErrors,
}

pub async fn signup_form(FormPage(page): FormPage, caller: Caller) -> Result<Response, AppError> {
    if caller.is_logged_in() {
        return Ok(Redirect::to("/mon-espace").into_response());
    }
    Ok(render(&SignupPage {
        page,
        form: SignupForm::default(),
        errors: FormErrors::new(),
    })?
    .into_response())
}

pub async fn signup(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    caller: Caller,
    Form(form): Form<SignupForm>,
) -> Result<Response, AppError> {
    let mut errors = FormErrors::new();
    let email = rules::normalise_email(&form.email);
    if !rules::is_valid_name(&form.given_name) {
        errors.add("given_name", page.tr.t("signup-error-given-name"));
    }
    if !rules::is_valid_name(&form.family_name) {
        errors.add("family_name", page.tr.t("signup-error-family-name"));
    }
    if !rules::is_valid_email(&email) {
        errors.add("email", page.tr.t("signup-error-email"));
    }
    if let Err(problem) = rules::check_password(
        &form.password,
        PasswordLevel::Resident,
        &[&email, &form.given_name, &form.family_name],
    ) {
        errors.add("password", password_message(&page, &problem));
    }
    if !errors.is_empty() {
        let form = SignupForm {
            password: String::new(),
            ..form
        };
        let response = render_status(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            &SignupPage { page, form, errors },
        )?;
        return Ok(response);
    }
    let may_mail = mail_budget(&kernel, &caller, "signup", &email).await?;
    let now = kernel.now();
    let lang = page.tr.lang;
    // Hashed whether or not the address is taken, so the answer takes the same time.
    let hash = password::hash_blocking(form.password.clone())
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
    let existing = store::user_by_email(&kernel.db, &email).await?;
    let mut tx = kernel.db.begin().await?;
    match existing {
        // Someone already has this address: say the same thing on screen (no enumeration),
        // and tell the owner by mail, who may simply have forgotten.
        Some(user) if may_mail => {
            mail_account_owner(
                &kernel,
                &mut tx,
                lang,
                &user.email,
                "mail-exists-subject",
                "mail-exists-body",
                "/mot-de-passe-oublie",
            )
            .await?;
        }
        // Over this hour's budget for that address: the owner has been told already.
        Some(_) => {}
        None => {
            let inserted = store::insert_user(
                &mut tx,
                &store::NewUser {
                    email: &email,
                    password_hash: &hash,
                    given_name: &form.given_name,
                    family_name: &form.family_name,
                    verified: false,
                },
                now,
            )
            .await;
            let user_id = match inserted {
                Ok(id) => id,
                // The same address signed up a moment ago: same answer as above.
                Err(e) if kernel::db::is_unique_violation(&e) => {
                    tx.rollback().await?;
                    return Ok(Redirect::to("/inscription/confirmation").into_response());
                }
                Err(e) => return Err(e.into()),
            };
            store::grant_role(&mut tx, &user_id, Role::Resident, None, None, now).await?;
            send_link(
                &kernel,
                &mut tx,
                &user_id,
                &email,
                TokenPurpose::VerifyEmail,
                lang,
            )
            .await?;
            audit_user(&kernel, &mut tx, &caller, "account.signup", &user_id).await?;
        }
    }
    tx.commit().await?;
    Ok(Redirect::to("/inscription/confirmation").into_response())
}

#[derive(askama::Template)]
#[template(path = "signup_done.html")]
struct SignupDonePage {
    page: Page,
}

pub async fn signup_done(page: Page) -> Result<Html<String>, AppError> {
    render(&SignupDonePage { page })
}

pub async fn verify_email(
    State(kernel): State<Kernel>,
    session: Session,
    caller: Caller,
    page: Page,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let now = kernel.now();
    let mut tx = kernel.db.begin().await?;
    let user = store::take_token(
        &mut tx,
        &token_hash(&token),
        &[TokenPurpose::VerifyEmail],
        now,
    )
    .await?;
    let Some(user_id) = user else {
        tx.rollback().await?;
        page::flash(&session, "error", page.tr.t("verify-invalid")).await?;
        return Ok(Redirect::to("/connexion").into_response());
    };
    store::mark_verified(&mut tx, &user_id, now).await?;
    audit_user(
        &kernel,
        &mut tx,
        &caller,
        "account.email_verified",
        &user_id,
    )
    .await?;
    tx.commit().await?;
    page::flash(&session, "success", page.tr.t("verify-done")).await?;
    Ok(Redirect::to("/connexion").into_response())
}

// ---------------------------------------------------------------- login

#[derive(Default, Deserialize)]
pub struct LoginQuery {
    pub suivant: Option<String>,
}

#[derive(Default, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub suivant: String,
}

#[derive(askama::Template)]
#[template(path = "login.html")]
struct LoginPage {
    page: Page,
    email: String,
    next: String,
    errors: FormErrors,
    /// A message about the whole form (wrong credentials, too many attempts).
    problem: Option<String>,
}

pub async fn login_form(
    FormPage(page): FormPage,
    caller: Caller,
    Query(q): Query<LoginQuery>,
) -> Result<Response, AppError> {
    if caller.is_logged_in() {
        return Ok(Redirect::to("/mon-espace").into_response());
    }
    let next = q
        .suivant
        .as_deref()
        .and_then(safe_local_path)
        .unwrap_or("")
        .to_string();
    Ok(render(&LoginPage {
        page,
        email: String::new(),
        next,
        errors: FormErrors::new(),
        problem: None,
    })?
    .into_response())
}

pub(crate) const PENDING_MFA: &str = "pending_mfa";

/// Who passed the password step and still owes a second factor.
#[derive(serde::Serialize, Deserialize, Clone)]
pub(crate) struct PendingMfa {
    pub user_id: String,
    pub next: String,
    pub at: i64,
}

/// Counts a form that sends mail: refuses (429) a client address sending too many, and
/// tells whether one more e-mail may go to `email` this hour. Over the per-address budget
/// the page still says the same thing, so nothing is revealed; the mail is just not sent.
async fn mail_budget(
    kernel: &Kernel,
    caller: &Caller,
    form: &str,
    email: &str,
) -> Result<bool, AppError> {
    let now = kernel.now();
    let address_key = kernel.secret.keyed_hash(
        &format!("{form}/address"),
        caller.ip.as_deref().unwrap_or("?"),
    );
    let per_address = limit(rules::MAX_REQUESTS_PER_ADDRESS);
    if ratelimit::hit(&kernel.db, &address_key, per_address, now).await?
        > rules::MAX_REQUESTS_PER_ADDRESS
    {
        return Err(AppError::TooManyRequests);
    }
    let account_key = kernel.secret.keyed_hash("mail/recipient", email);
    let per_account = Limit {
        max: rules::MAX_MAILS_PER_ACCOUNT,
        window: rules::MAIL_WINDOW,
    };
    Ok(
        ratelimit::hit(&kernel.db, &account_key, per_account, now).await?
            <= rules::MAX_MAILS_PER_ACCOUNT,
    )
}

fn limit(max: i64) -> Limit {
    Limit {
        max,
        window: rules::LOGIN_WINDOW,
    }
}

pub async fn login(
    State(kernel): State<Kernel>,
    session: Session,
    caller: Caller,
    FormPage(page): FormPage,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    let now = kernel.now();
    let email = rules::normalise_email(&form.email);
    let next = safe_local_path(&form.suivant).unwrap_or("").to_string();
    let account_key = kernel.secret.keyed_hash("login/account", &email);
    let address_key = kernel
        .secret
        .keyed_hash("login/address", caller.ip.as_deref().unwrap_or("?"));

    let refuse =
        |page: Page, status: u16, key: &str, errors: FormErrors| -> Result<Response, AppError> {
            let problem = Some(page.tr.t(key));
            let response = render_status(
                axum::http::StatusCode::from_u16(status).unwrap_or_default(),
                &LoginPage {
                    page,
                    email: form.email.clone(),
                    next: next.clone(),
                    errors,
                    problem,
                },
            )?;
            Ok(response)
        };

    let mut errors = FormErrors::new();
    if email.is_empty() {
        errors.add("email", page.tr.t("login-error-email-missing"));
    }
    if form.password.is_empty() {
        errors.add("password", page.tr.t("login-error-password-missing"));
    }
    if !errors.is_empty() {
        return refuse(page, 422, "login-error-incomplete", errors);
    }

    // Throttled per account and per address with the same message whether the account
    // exists or not. Every attempt is counted *before* the password is checked, so that
    // parallel requests cannot all slip under the limit; a successful one is taken back.
    let account_hits = ratelimit::hit(
        &kernel.db,
        &account_key,
        limit(rules::MAX_FAILURES_PER_ACCOUNT),
        now,
    )
    .await?;
    let address_hits = ratelimit::hit(
        &kernel.db,
        &address_key,
        limit(rules::MAX_FAILURES_PER_ADDRESS),
        now,
    )
    .await?;
    if account_hits > rules::MAX_FAILURES_PER_ACCOUNT
        || address_hits > rules::MAX_FAILURES_PER_ADDRESS
    {
        return refuse(page, 429, "login-error-throttled", FormErrors::new());
    }

    let user = store::user_by_email(&kernel.db, &email).await?;
    let ok = password::verify_blocking(
        user.as_ref().map(|u| u.password_hash.clone()),
        form.password.clone(),
    )
    .await;
    let user = match user {
        Some(user) if ok && !user.disabled => user,
        other => {
            if let Some(user) = other {
                let mut tx = kernel.db.begin().await?;
                audit_user(&kernel, &mut tx, &caller, "login.failed", &user.id).await?;
                tx.commit().await?;
            }
            return refuse(page, 401, "login-error-credentials", FormErrors::new());
        }
    };
    // The right password: this attempt does not count against anyone.
    ratelimit::reset(&kernel.db, &account_key).await?;
    ratelimit::take_back(&kernel.db, &address_key).await?;
    if !user.email_verified {
        let mut tx = kernel.db.begin().await?;
        send_link(
            &kernel,
            &mut tx,
            &user.id,
            &user.email,
            TokenPurpose::VerifyEmail,
            page.tr.lang,
        )
        .await?;
        tx.commit().await?;
        return refuse(page, 403, "login-error-unverified", FormErrors::new());
    }

    let identity = store::load_identity(&kernel.db, &user.id)
        .await?
        .ok_or(AppError::Forbidden)?;
    if identity.requires_mfa() {
        session.cycle_id().await?;
        session
            .insert(
                PENDING_MFA,
                PendingMfa {
                    user_id: user.id.clone(),
                    next,
                    at: now.as_microsecond(),
                },
            )
            .await?;
        let to = if user.totp_enabled {
            "/connexion/double-authentification"
        } else {
            "/connexion/double-authentification/activer"
        };
        return Ok(Redirect::to(to).into_response());
    }
    complete_login(
        &kernel,
        &session,
        &caller,
        &user.id,
        identity.is_staff(),
        &next,
    )
    .await
}

/// The last step of every login: a fresh session, the audit, the landing page.
pub(crate) async fn complete_login(
    kernel: &Kernel,
    session: &Session,
    caller: &Caller,
    user_id: &str,
    is_staff: bool,
    next: &str,
) -> Result<Response, AppError> {
    let now = kernel.now();
    // The audit is committed before the session says "logged in": no login goes unrecorded.
    let mut tx = kernel.db.begin().await?;
    store::record_login(&mut tx, user_id, now).await?;
    let who = kernel::Caller {
        identity: kernel.identities.load(user_id).await?,
        ..caller.clone()
    };
    audit_user(kernel, &mut tx, &who, "login.succeeded", user_id).await?;
    tx.commit().await?;
    page::log_in(session, user_id, now).await?;
    let landing = match safe_local_path(next) {
        Some(path) if !path.is_empty() => path.to_string(),
        _ if is_staff => "/backoffice".to_string(),
        _ => "/mon-espace".to_string(),
    };
    Ok(Redirect::to(&landing).into_response())
}

pub async fn logout(
    State(kernel): State<Kernel>,
    session: Session,
    caller: Caller,
    page: Page,
) -> Result<Response, AppError> {
    if let Some(identity) = &caller.identity {
        let mut tx = kernel.db.begin().await?;
        audit_user(&kernel, &mut tx, &caller, "logout", &identity.user_id).await?;
        tx.commit().await?;
    }
    kernel::web::push::forget_this_browser(&kernel, &session).await?;
    page::log_out(&session).await?;
    page::flash(&session, "success", page.tr.t("logout-done")).await?;
    Ok(Redirect::to("/").into_response())
}

// ---------------------------------------------------------------- forgotten password

#[derive(Default, Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    pub email: String,
}

#[derive(askama::Template)]
#[template(path = "forgot.html")]
struct ForgotPage {
    page: Page,
    email: String,
    errors: FormErrors,
    sent: bool,
}

pub async fn forgot_form(FormPage(page): FormPage) -> Result<Html<String>, AppError> {
    render(&ForgotPage {
        page,
        email: String::new(),
        errors: FormErrors::new(),
        sent: false,
    })
}

pub async fn forgot(
    State(kernel): State<Kernel>,
    caller: Caller,
    FormPage(page): FormPage,
    Form(form): Form<ForgotForm>,
) -> Result<Response, AppError> {
    let email = rules::normalise_email(&form.email);
    if !rules::is_valid_email(&email) {
        let mut errors = FormErrors::new();
        errors.add("email", page.tr.t("signup-error-email"));
        let response = render_status(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            &ForgotPage {
                page,
                email: form.email,
                errors,
                sent: false,
            },
        )?;
        return Ok(response);
    }
    let may_mail = mail_budget(&kernel, &caller, "reset", &email).await?;
    if let Some(user) = store::user_by_email(&kernel.db, &email)
        .await?
        .filter(|u| !u.disabled && may_mail)
    {
        let mut tx = kernel.db.begin().await?;
        send_link(
            &kernel,
            &mut tx,
            &user.id,
            &user.email,
            TokenPurpose::ResetPassword,
            page.tr.lang,
        )
        .await?;
        audit_user(
            &kernel,
            &mut tx,
            &caller,
            "password.reset_requested",
            &user.id,
        )
        .await?;
        tx.commit().await?;
    }
    Ok(render(&ForgotPage {
        page,
        email: String::new(),
        errors: FormErrors::new(),
        sent: true,
    })?
    .into_response())
}

#[derive(Default, Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    pub password: String,
}

#[derive(askama::Template)]
#[template(path = "reset.html")]
struct ResetPage {
    page: Page,
    token: String,
    valid: bool,
    errors: FormErrors,
}

const RESET_PURPOSES: [TokenPurpose; 2] = [TokenPurpose::ResetPassword, TokenPurpose::Invitation];

pub async fn reset_form(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let valid = store::peek_token(
        &kernel.db,
        &token_hash(&token),
        &RESET_PURPOSES,
        kernel.now(),
    )
    .await?
    .is_some();
    // A used or expired link answers 410 Gone, with a way to ask for a new one.
    let status = if valid {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::GONE
    };
    render_status(
        status,
        &ResetPage {
            page,
            token,
            valid,
            errors: FormErrors::new(),
        },
    )
}

pub async fn reset(
    State(kernel): State<Kernel>,
    session: Session,
    caller: Caller,
    FormPage(page): FormPage,
    Path(token): Path<String>,
    Form(form): Form<ResetForm>,
) -> Result<Response, AppError> {
    let now = kernel.now();
    let hash = token_hash(&token);
    let Some(user_id) = store::peek_token(&kernel.db, &hash, &RESET_PURPOSES, now).await? else {
        return reset_form(State(kernel), FormPage(page), Path(token)).await;
    };
    let user = store::user_by_id(&kernel.db, &user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let identity = store::load_identity(&kernel.db, &user_id).await?;
    let level = if identity.as_ref().is_some_and(|i| i.is_staff()) {
        PasswordLevel::Staff
    } else {
        PasswordLevel::Resident
    };
    if let Err(problem) = rules::check_password(
        &form.password,
        level,
        &[&user.email, &user.given_name, &user.family_name],
    ) {
        let mut errors = FormErrors::new();
        errors.add("password", password_message(&page, &problem));
        let response = render_status(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            &ResetPage {
                page,
                token,
                valid: true,
                errors,
            },
        )?;
        return Ok(response);
    }
    let new_hash = password::hash_blocking(form.password)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
    let mut tx = kernel.db.begin().await?;
    if store::take_token(&mut tx, &hash, &RESET_PURPOSES, now)
        .await?
        .is_none()
    {
        tx.rollback().await?;
        return reset_form(State(kernel), FormPage(page), Path(token)).await;
    }
    store::set_password(&mut tx, &user_id, &new_hash).await?;
    // Whoever could read the mail proved they own the address.
    store::mark_verified(&mut tx, &user_id, now).await?;
    kernel
        .audit(
            &mut tx,
            &caller,
            "password.changed",
            Some(&AuditTarget::new("user", &user_id)),
            serde_json::json!({ "via": "email_link" }),
        )
        .await?;
    // A new password ends every session opened with the old one, in the same transaction.
    kernel::session::revoke_all(&mut tx, &user_id).await?;
    tx.commit().await?;
    page::flash(&session, "success", page.tr.t("reset-done")).await?;
    Ok(Redirect::to("/connexion").into_response())
}

// ---------------------------------------------------------------- the resident's space

#[derive(askama::Template)]
#[template(path = "my_space.html")]
struct MySpacePage {
    page: Page,
    email: String,
    given_name: String,
    member_since: String,
    last_login: Option<String>,
    /// What the other capabilities hold for the person (reports...).
    sections: Vec<kernel::space::SpaceView>,
}

pub async fn my_space(
    State(kernel): State<Kernel>,
    LoggedIn(caller): LoggedIn,
    page: Page,
) -> Result<Html<String>, AppError> {
    let identity = caller.identity.as_ref().ok_or(AppError::LoginRequired)?;
    let user = store::user_by_id(&kernel.db, &identity.user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let sections = kernel::space::views(&kernel, &caller, &page.tr).await;
    render(&MySpacePage {
        page,
        sections,
        email: user.email.clone(),
        given_name: user.given_name.clone(),
        member_since: kernel::clock::format_fr(user.created_at),
        last_login: user.last_login_at.map(kernel::clock::format_fr),
    })
}

// ---------------------------------------------------------------- password change

#[derive(Default, Deserialize)]
pub struct ChangePasswordForm {
    #[serde(default)]
    pub current_password: String,
    #[serde(default)]
    pub new_password: String,
}

#[derive(askama::Template)]
#[template(path = "change_password.html")]
struct ChangePasswordPage {
    page: Page,
    errors: FormErrors,
}

pub async fn change_password_form(
    LoggedIn(_): LoggedIn,
    FormPage(page): FormPage,
) -> Result<Html<String>, AppError> {
    render(&ChangePasswordPage {
        page,
        errors: FormErrors::new(),
    })
}

pub async fn change_password(
    State(kernel): State<Kernel>,
    LoggedIn(caller): LoggedIn,
    session: Session,
    FormPage(page): FormPage,
    Form(form): Form<ChangePasswordForm>,
) -> Result<Response, AppError> {
    let identity = caller.identity.as_ref().ok_or(AppError::LoginRequired)?;
    let user = store::user_by_id(&kernel.db, &identity.user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = kernel.now();
    // Guessing the current password from an open session counts like a failed login.
    let account_key = kernel.secret.keyed_hash("login/account", &user.email);
    let hits = ratelimit::hit(
        &kernel.db,
        &account_key,
        limit(rules::MAX_FAILURES_PER_ACCOUNT),
        now,
    )
    .await?;
    let mut errors = FormErrors::new();
    if hits > rules::MAX_FAILURES_PER_ACCOUNT {
        errors.add("current_password", page.tr.t("login-error-throttled"));
    } else if !password::verify_blocking(
        Some(user.password_hash.clone()),
        form.current_password.clone(),
    )
    .await
    {
        errors.add(
            "current_password",
            page.tr.t("password-change-wrong-current"),
        );
    } else {
        ratelimit::reset(&kernel.db, &account_key).await?;
        let level = if identity.is_staff() {
            PasswordLevel::Staff
        } else {
            PasswordLevel::Resident
        };
        if let Err(problem) = rules::check_password(
            &form.new_password,
            level,
            &[&user.email, &user.given_name, &user.family_name],
        ) {
            errors.add("new_password", password_message(&page, &problem));
        }
    }
    if !errors.is_empty() {
        return render_status(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            &ChangePasswordPage { page, errors },
        );
    }
    let hash = password::hash_blocking(form.new_password)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
    let mut tx = kernel.db.begin().await?;
    store::set_password(&mut tx, &user.id, &hash).await?;
    kernel
        .audit(
            &mut tx,
            &caller,
            "password.changed",
            Some(&AuditTarget::new("user", &user.id)),
            serde_json::json!({ "via": "account_page" }),
        )
        .await?;
    // The owner is told, in case it was not them.
    mail_account_owner(
        &kernel,
        &mut tx,
        page.tr.lang,
        &user.email,
        "mail-password-changed-subject",
        "mail-password-changed-body",
        "/mot-de-passe-oublie",
    )
    .await?;
    // Every other session ends; this one starts afresh.
    kernel::session::revoke_all(&mut tx, &user.id).await?;
    tx.commit().await?;
    page::log_in(&session, &user.id, now).await?;
    page::flash(&session, "success", page.tr.t("password-change-done")).await?;
    Ok(Redirect::to("/mon-espace").into_response())
}
