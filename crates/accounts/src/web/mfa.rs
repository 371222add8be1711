//! The second factor: enrolment (QR code, then a first code, then recovery codes shown
//! once) and the challenge at login. Required for administrators and the DPO.

use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use kernel::ratelimit::{self, Limit};
use kernel::web::forms::FormErrors;
use kernel::web::page::{FormPage, Page, render, render_status};
use kernel::{AppError, Caller, Kernel};
use rand::Rng;
use serde::Deserialize;
use tower_sessions::Session;

use super::public::{PENDING_MFA, PendingMfa, complete_login};
use crate::actions::audit_user;
use crate::rules;
use crate::{store, totp};

const SETUP_SECRET: &str = "totp_setup";
const FRESH_CODES: &str = "recovery_codes_once";
const TOTP_PURPOSE: &str = "accounts/totp-secret";
/// The password step is valid for ten minutes while the second factor is awaited.
const PENDING_MICROS: i64 = 10 * 60 * 1_000_000;

async fn pending(kernel: &Kernel, session: &Session) -> Result<Option<PendingMfa>, AppError> {
    let pending = session.get::<PendingMfa>(PENDING_MFA).await?;
    Ok(pending.filter(|p| kernel.now().as_microsecond() - p.at < PENDING_MICROS))
}

/// A pending login whose account has no second factor yet: only then may one be enrolled.
/// Someone who knows only the password must never replace an enrolled authenticator.
async fn pending_enrolment(
    kernel: &Kernel,
    session: &Session,
) -> Result<Option<PendingMfa>, AppError> {
    let Some(pending) = pending(kernel, session).await? else {
        return Ok(None);
    };
    let enrolled = store::user_by_id(&kernel.db, &pending.user_id)
        .await?
        .is_none_or(|u| u.totp_enabled);
    Ok((!enrolled).then_some(pending))
}

/// Keyed with the instance secret: a copy of the database alone does not allow the
/// roughly 50-bit codes to be searched for.
fn recovery_hash(kernel: &Kernel, code: &str) -> String {
    kernel.secret.keyed_hash(
        "accounts/recovery-code",
        &rules::normalise_recovery_code(code),
    )
}

fn unix_seconds(kernel: &Kernel) -> u64 {
    u64::try_from(kernel.now().as_second()).unwrap_or(0)
}

#[derive(Default, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    pub code: String,
}

// ---------------------------------------------------------------- enrolment

#[derive(askama::Template)]
#[template(path = "mfa_setup.html")]
struct SetupPage {
    page: Page,
    secret: String,
    qr: String,
    errors: FormErrors,
}

async fn setup_page(
    kernel: &Kernel,
    session: &Session,
    page: Page,
    errors: FormErrors,
    user_id: &str,
) -> Result<Response, AppError> {
    let secret = match session.get::<String>(SETUP_SECRET).await? {
        Some(secret) => secret,
        None => {
            let secret = totp::new_secret();
            session.insert(SETUP_SECRET, secret.clone()).await?;
            secret
        }
    };
    let user = store::user_by_id(&kernel.db, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let url = totp::otpauth_url(&secret, &user.email, &kernel.config.commune.name)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("otpauth")))?;
    let qr = totp::qr_svg(&url, &page.tr.t("mfa-setup-qr-label")).unwrap_or_default();
    let status = if errors.is_empty() { 200 } else { 422 };
    let response = render_status(
        axum::http::StatusCode::from_u16(status).unwrap_or_default(),
        &SetupPage {
            page,
            secret,
            qr,
            errors,
        },
    )?;
    Ok(response)
}

pub async fn setup_form(
    State(kernel): State<Kernel>,
    session: Session,
    FormPage(page): FormPage,
) -> Result<Response, AppError> {
    let Some(pending) = pending_enrolment(&kernel, &session).await? else {
        return Ok(Redirect::to("/connexion/double-authentification").into_response());
    };
    setup_page(&kernel, &session, page, FormErrors::new(), &pending.user_id).await
}

pub async fn setup(
    State(kernel): State<Kernel>,
    session: Session,
    caller: Caller,
    FormPage(page): FormPage,
    Form(form): Form<CodeForm>,
) -> Result<Response, AppError> {
    let Some(pending) = pending_enrolment(&kernel, &session).await? else {
        return Ok(Redirect::to("/connexion/double-authentification").into_response());
    };
    let Some(secret) = session.get::<String>(SETUP_SECRET).await? else {
        return setup_form(State(kernel), session, FormPage(page)).await;
    };
    let Some(step) = totp::check(&secret, &form.code, unix_seconds(&kernel)) else {
        let mut errors = FormErrors::new();
        errors.add("code", page.tr.t("mfa-error-code"));
        return setup_page(&kernel, &session, page, errors, &pending.user_id).await;
    };
    let codes: Vec<String> = (0..rules::RECOVERY_CODES)
        .map(|_| {
            let mut rng = rand::rng();
            (0..10)
                .map(|_| {
                    rules::RECOVERY_ALPHABET[rng.random_range(0..rules::RECOVERY_ALPHABET.len())]
                        as char
                })
                .collect::<String>()
        })
        .collect();
    let hashes: Vec<String> = codes.iter().map(|c| recovery_hash(&kernel, c)).collect();
    let mut tx = kernel.db.begin().await?;
    let enrolled = store::enable_totp(
        &mut tx,
        &pending.user_id,
        &kernel.secret.seal(TOTP_PURPOSE, secret.as_bytes()),
        step,
        kernel.now(),
    )
    .await?;
    if !enrolled {
        // Enrolled meanwhile (another tab): the code must now be given at the challenge.
        tx.rollback().await?;
        return Ok(Redirect::to("/connexion/double-authentification").into_response());
    }
    store::replace_recovery_codes(&mut tx, &pending.user_id, &hashes).await?;
    let who = Caller {
        identity: kernel.identities.load(&pending.user_id).await?,
        ..caller.clone()
    };
    audit_user(&kernel, &mut tx, &who, "mfa.enabled", &pending.user_id).await?;
    tx.commit().await?;
    session.remove::<String>(SETUP_SECRET).await?;
    let landing = complete_login(
        &kernel,
        &session,
        &caller,
        &pending.user_id,
        true,
        &pending.next,
    )
    .await?;
    let next = landing
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("/backoffice")
        .to_string();
    session.insert(FRESH_CODES, (codes, next)).await?;
    Ok(Redirect::to("/connexion/codes-de-secours").into_response())
}

#[derive(askama::Template)]
#[template(path = "mfa_codes.html")]
struct CodesPage {
    page: Page,
    codes: Vec<String>,
    next: String,
}

/// Shown once, right after enrolment.
pub async fn recovery_codes_page(session: Session, page: Page) -> Result<Response, AppError> {
    let Some((codes, next)) = session.remove::<(Vec<String>, String)>(FRESH_CODES).await? else {
        return Ok(Redirect::to("/mon-espace").into_response());
    };
    Ok(render(&CodesPage { page, codes, next })?.into_response())
}

// ---------------------------------------------------------------- challenge

#[derive(askama::Template)]
#[template(path = "mfa_challenge.html")]
struct ChallengePage {
    page: Page,
    errors: FormErrors,
}

pub async fn challenge_form(
    State(kernel): State<Kernel>,
    session: Session,
    FormPage(page): FormPage,
) -> Result<Response, AppError> {
    if pending(&kernel, &session).await?.is_none() {
        return Ok(Redirect::to("/connexion").into_response());
    }
    Ok(render(&ChallengePage {
        page,
        errors: FormErrors::new(),
    })?
    .into_response())
}

pub async fn challenge(
    State(kernel): State<Kernel>,
    session: Session,
    caller: Caller,
    FormPage(page): FormPage,
    Form(form): Form<CodeForm>,
) -> Result<Response, AppError> {
    let Some(pending) = pending(&kernel, &session).await? else {
        return Ok(Redirect::to("/connexion").into_response());
    };
    let now = kernel.now();
    let key = kernel.secret.keyed_hash("login/mfa", &pending.user_id);
    let limit = Limit {
        max: rules::MAX_MFA_FAILURES,
        window: rules::LOGIN_WINDOW,
    };
    let refuse = |page: Page, key_name: &str, status: u16| -> Result<Response, AppError> {
        let mut errors = FormErrors::new();
        errors.add("code", page.tr.t(key_name));
        let response = render_status(
            axum::http::StatusCode::from_u16(status).unwrap_or_default(),
            &ChallengePage { page, errors },
        )?;
        Ok(response)
    };
    // Counted before the code is checked, so parallel guesses cannot slip under the limit.
    if ratelimit::hit(&kernel.db, &key, limit, now).await? > rules::MAX_MFA_FAILURES {
        return refuse(page, "login-error-throttled", 429);
    }
    let user = store::user_by_id(&kernel.db, &pending.user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let secret = user
        .totp_secret
        .as_deref()
        .and_then(|sealed| kernel.secret.open(TOTP_PURPOSE, sealed))
        .and_then(|bytes| String::from_utf8(bytes).ok());
    let mut accepted = false;
    let mut used_recovery = false;
    if let Some(secret) = secret
        && let Some(step) = totp::check(&secret, &form.code, unix_seconds(&kernel))
    {
        accepted = store::consume_totp_step(&kernel.db, &user.id, step).await?;
    }
    if !accepted && rules::normalise_recovery_code(&form.code).len() == 10 {
        let mut tx = kernel.db.begin().await?;
        accepted =
            store::use_recovery_code(&mut tx, &user.id, &recovery_hash(&kernel, &form.code), now)
                .await?;
        tx.commit().await?;
        used_recovery = accepted;
    }
    if !accepted {
        let mut tx = kernel.db.begin().await?;
        audit_user(&kernel, &mut tx, &caller, "mfa.failed", &user.id).await?;
        tx.commit().await?;
        return refuse(page, "mfa-error-code", 401);
    }
    ratelimit::reset(&kernel.db, &key).await?;
    let landing = complete_login(&kernel, &session, &caller, &user.id, true, &pending.next).await?;
    if used_recovery {
        let remaining = store::remaining_recovery_codes(&kernel.db, &user.id).await?;
        kernel::web::page::flash(
            &session,
            "info",
            page.tr.t1("mfa-recovery-used", "count", remaining),
        )
        .await?;
    }
    Ok(landing)
}
