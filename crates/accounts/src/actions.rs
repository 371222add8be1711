//! What can be done with accounts, used by the web pages and the command line alike.

use kernel::audit::AuditTarget;
use kernel::identity::Role;
use kernel::outbox::{Email, enqueue_email};
use kernel::{Caller, Kernel};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::rules::{self, PasswordLevel, PasswordProblem, TokenPurpose};
use crate::{password, store};

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("un compte existe déjà avec l'adresse {0}")]
    EmailTaken(String),
    #[error("adresse électronique invalide : {0}")]
    InvalidEmail(String),
    #[error("le nom et le prénom sont obligatoires (lettres, espaces, tirets, apostrophes)")]
    InvalidName,
    #[error("mot de passe refusé : {}", password_problem_fr(.0))]
    WeakPassword(PasswordProblem),
    #[error(
        "le rôle « {0} » n'existe pas (rôles : agent, service_manager, elected_official, administrator, dpo)"
    )]
    UnknownRole(String),
    #[error("le rôle {0} est rattaché à un service : indiquez --service")]
    ServiceRequired(String),
    #[error("le service « {0} » n'existe pas")]
    UnknownService(String),
    #[error(
        "le nom court du service « {0} » doit faire 2 à 40 caractères : minuscules sans accents, chiffres et tirets (ex. etat-civil)"
    )]
    InvalidSlug(String),
    #[error("le nom du service doit faire 2 à 120 caractères")]
    InvalidServiceName,
    #[error("un service « {0} » existe déjà")]
    ServiceTaken(String),
    #[error("erreur technique : {0}")]
    Internal(String),
}

impl From<sqlx::Error> for AccountError {
    fn from(e: sqlx::Error) -> Self {
        AccountError::Internal(e.to_string())
    }
}

/// French wording of a password refusal, for the command line (pages use the catalogue).
pub fn password_problem_fr(problem: &PasswordProblem) -> String {
    match problem {
        PasswordProblem::TooShort { min } => format!("il doit contenir au moins {min} caractères"),
        PasswordProblem::TooLong => "il ne doit pas dépasser 128 caractères".into(),
        PasswordProblem::TooWeak { min } => format!(
            "il est trop simple : utilisez au moins {min} caractères mêlant majuscules, minuscules, chiffres et symboles, ou une phrase plus longue"
        ),
        PasswordProblem::Common => "il figure parmi les mots de passe les plus courants".into(),
        PasswordProblem::ContainsPersonalInfo => {
            "il ne doit pas contenir votre nom ou votre adresse électronique".into()
        }
    }
}

/// A random token for an e-mail link, and the hash stored in its place.
pub fn new_link_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, bytes);
    let hash = token_hash(&token);
    (token, hash)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Creates a link token and the e-mail that carries it, in the caller's transaction.
pub async fn send_link(
    kernel: &Kernel,
    tx: &mut kernel::Tx,
    user_id: &str,
    to: &str,
    purpose: TokenPurpose,
    lang: kernel::i18n::Lang,
) -> Result<(), sqlx::Error> {
    let now = kernel.now();
    let (token, hash) = new_link_token();
    if purpose == TokenPurpose::ResetPassword {
        store::void_tokens(tx, user_id, purpose, now).await?;
    }
    store::create_token(
        tx,
        user_id,
        purpose,
        &hash,
        now + rules::token_lifetime(purpose),
        now,
    )
    .await?;
    let (subject_key, body_key, path) = match purpose {
        TokenPurpose::VerifyEmail => (
            "mail-verify-subject",
            "mail-verify-body",
            format!("/inscription/verifier/{token}"),
        ),
        TokenPurpose::ResetPassword => (
            "mail-reset-subject",
            "mail-reset-body",
            format!("/mot-de-passe/nouveau/{token}"),
        ),
        TokenPurpose::Invitation => (
            "mail-invite-subject",
            "mail-invite-body",
            format!("/mot-de-passe/nouveau/{token}"),
        ),
    };
    mail_account_owner(kernel, tx, lang, to, subject_key, body_key, &path).await
}

/// An e-mail about someone's account, in the caller's transaction: the subject names the
/// commune, the body carries one link into the site.
pub async fn mail_account_owner(
    kernel: &Kernel,
    tx: &mut kernel::Tx,
    lang: kernel::i18n::Lang,
    to: &str,
    subject_key: &str,
    body_key: &str,
    path: &str,
) -> Result<(), sqlx::Error> {
    let tr = kernel.tr(lang);
    let commune = &kernel.config.commune.name;
    let email = Email {
        to: to.to_string(),
        subject: tr.t1(subject_key, "commune", commune),
        text: tr.t2(body_key, "commune", commune, "link", kernel.link(path)),
        html: None,
    };
    enqueue_email(tx, kernel.now(), &email).await?;
    Ok(())
}

pub struct StaffRequest<'a> {
    pub email: &'a str,
    pub given_name: &'a str,
    pub family_name: &'a str,
    pub role: &'a str,
    pub service_slug: Option<&'a str>,
    /// Set from the command line; from the back office the person chooses it by invitation.
    pub password: Option<&'a str>,
}

/// Creates an agent, a manager, an elected official, an administrator or a DPO.
pub async fn create_staff(
    kernel: &Kernel,
    by: &Caller,
    request: &StaffRequest<'_>,
) -> Result<String, AccountError> {
    let email = rules::normalise_email(request.email);
    if !rules::is_valid_email(&email) {
        return Err(AccountError::InvalidEmail(request.email.to_string()));
    }
    if !rules::is_valid_name(request.given_name) || !rules::is_valid_name(request.family_name) {
        return Err(AccountError::InvalidName);
    }
    let role = Role::parse(request.role)
        .filter(|r| *r != Role::Resident)
        .ok_or_else(|| AccountError::UnknownRole(request.role.to_string()))?;
    let service = match request.service_slug.filter(|s| !s.is_empty()) {
        Some(slug) => Some(
            store::service_by_slug(&kernel.db, slug)
                .await?
                .ok_or_else(|| AccountError::UnknownService(slug.to_string()))?,
        ),
        None if role.needs_service() => {
            return Err(AccountError::ServiceRequired(role.as_str().into()));
        }
        None => None,
    };
    let hash = match request.password {
        Some(pw) => {
            rules::check_password(
                pw,
                PasswordLevel::Staff,
                &[&email, request.given_name, request.family_name],
            )
            .map_err(AccountError::WeakPassword)?;
            password::hash_blocking(pw.to_string())
                .await
                .map_err(AccountError::Internal)?
        }
        // Until the invitation is used, no password can match this value.
        None => "!invitation".to_string(),
    };
    if store::user_by_email(&kernel.db, &email).await?.is_some() {
        return Err(AccountError::EmailTaken(email));
    }
    let now = kernel.now();
    let mut tx = kernel.db.begin().await?;
    let user_id = store::insert_user(
        &mut tx,
        &store::NewUser {
            email: &email,
            password_hash: &hash,
            given_name: request.given_name,
            family_name: request.family_name,
            verified: true,
        },
        now,
    )
    .await
    .map_err(|e| {
        if kernel::db::is_unique_violation(&e) {
            AccountError::EmailTaken(email.clone())
        } else {
            e.into()
        }
    })?;
    let by_id = by.identity.as_ref().map(|i| i.user_id.as_str());
    store::grant_role(
        &mut tx,
        &user_id,
        role,
        service.as_ref().map(|s| s.id.as_str()),
        by_id,
        now,
    )
    .await?;
    if request.password.is_none() {
        send_link(
            kernel,
            &mut tx,
            &user_id,
            &email,
            TokenPurpose::Invitation,
            kernel::i18n::Lang::Fr,
        )
        .await?;
    }
    let target = AuditTarget::new("user", &user_id);
    kernel
        .audit(
            &mut tx,
            by,
            "account.created",
            Some(&target),
            serde_json::json!({ "email": email, "kind": "staff" }),
        )
        .await?;
    kernel
        .audit(
            &mut tx,
            by,
            "role.granted",
            Some(&target),
            serde_json::json!({ "role": role.as_str(), "service": service.as_ref().map(|s| s.slug.clone()) }),
        )
        .await?;
    tx.commit().await?;
    Ok(user_id)
}

pub struct ServiceRequest<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub email: &'a str,
    pub phone: &'a str,
}

/// Creates a municipal service (état civil, enfance, voirie ...), to which agents belong.
pub async fn create_service(
    kernel: &Kernel,
    by: &Caller,
    request: &ServiceRequest<'_>,
) -> Result<String, AccountError> {
    let slug = request.slug.trim();
    if !rules::is_valid_slug(slug) {
        return Err(AccountError::InvalidSlug(slug.to_string()));
    }
    if !rules::is_valid_service_name(request.name) {
        return Err(AccountError::InvalidServiceName);
    }
    let email = rules::normalise_email(request.email);
    if !rules::is_valid_email(&email) {
        return Err(AccountError::InvalidEmail(request.email.to_string()));
    }
    let mut tx = kernel.db.begin().await?;
    let id = store::insert_service(
        &mut tx,
        slug,
        request.name.trim(),
        &email,
        request.phone.trim(),
        kernel.now(),
    )
    .await
    .map_err(|e| {
        if kernel::db::is_unique_violation(&e) {
            AccountError::ServiceTaken(slug.to_string())
        } else {
            e.into()
        }
    })?;
    kernel
        .audit(
            &mut tx,
            by,
            "service.created",
            Some(&AuditTarget::new("service", &id)),
            serde_json::json!({ "slug": slug, "name": request.name.trim() }),
        )
        .await?;
    tx.commit().await?;
    Ok(id)
}

#[derive(Debug, thiserror::Error)]
pub enum TeamError {
    #[error("seuls les administrateurs et les responsables du service organisent ses équipes")]
    Forbidden,
    #[error("le nom de l'équipe doit faire 2 à 120 caractères")]
    InvalidName,
    #[error(
        "le nom court de l'équipe « {0} » doit faire 2 à 40 caractères : minuscules sans accents, chiffres et tirets (ex. equipe-nord)"
    )]
    InvalidSlug(String),
    #[error("une équipe « {0} » existe déjà dans ce service")]
    NameTaken(String),
    #[error("une équipe de nom court « {0} » existe déjà dans ce service")]
    SlugTaken(String),
    #[error("cette personne n'est pas agent ou responsable du service")]
    NotStaffOfService,
    #[error("erreur technique : {0}")]
    Internal(String),
}

impl From<sqlx::Error> for TeamError {
    fn from(e: sqlx::Error) -> Self {
        TeamError::Internal(e.to_string())
    }
}

fn require_team_manager(by: &Caller, service_id: &str) -> Result<(), TeamError> {
    match &by.identity {
        Some(identity) if rules::may_manage_teams(identity, service_id) => Ok(()),
        _ => Err(TeamError::Forbidden),
    }
}

/// Creates a team inside a service; its short name comes from its name when left empty.
pub async fn create_team(
    kernel: &Kernel,
    by: &Caller,
    service: &crate::model::Service,
    name: &str,
    slug: &str,
) -> Result<String, TeamError> {
    require_team_manager(by, &service.id)?;
    let name = name.trim();
    if !rules::is_valid_team_name(name) {
        return Err(TeamError::InvalidName);
    }
    let slug = match slug.trim() {
        "" => rules::team_slug_from_name(name),
        given => given.to_string(),
    };
    if !rules::is_valid_slug(&slug) {
        return Err(TeamError::InvalidSlug(slug));
    }
    let existing = store::teams_of_service(&kernel.db, &service.id).await?;
    if existing
        .iter()
        .any(|t| t.name.to_lowercase() == name.to_lowercase())
    {
        return Err(TeamError::NameTaken(name.to_string()));
    }
    if existing.iter().any(|t| t.slug == slug) {
        return Err(TeamError::SlugTaken(slug));
    }
    let mut tx = kernel.db.begin().await?;
    let id = store::insert_team(&mut tx, &service.id, &slug, name, kernel.now())
        .await
        .map_err(|e| {
            // Created by someone else a moment ago.
            if kernel::db::is_unique_violation(&e) {
                TeamError::SlugTaken(slug.clone())
            } else {
                e.into()
            }
        })?;
    kernel
        .audit(
            &mut tx,
            by,
            "team.created",
            Some(&AuditTarget::new("team", &id)),
            serde_json::json!({ "service": service.slug, "slug": slug, "name": name }),
        )
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// Adds an agent or a manager of the team's service to the team; false when they already
/// belonged to it.
pub async fn add_team_member(
    kernel: &Kernel,
    by: &Caller,
    team: &crate::model::Team,
    user_id: &str,
) -> Result<bool, TeamError> {
    require_team_manager(by, &team.service_id)?;
    let staff = store::staff_of_service(&kernel.db, &team.service_id).await?;
    if !staff.iter().any(|(id, _)| id == user_id) {
        return Err(TeamError::NotStaffOfService);
    }
    let mut tx = kernel.db.begin().await?;
    let added = store::add_team_member(&mut tx, &team.id, user_id).await?;
    if added {
        kernel
            .audit(
                &mut tx,
                by,
                "team.member_added",
                Some(&AuditTarget::new("team", &team.id)),
                serde_json::json!({ "team": team.slug, "user": user_id }),
            )
            .await?;
    }
    tx.commit().await?;
    Ok(added)
}

/// Takes someone out of a team; false when they were not in it.
pub async fn remove_team_member(
    kernel: &Kernel,
    by: &Caller,
    team: &crate::model::Team,
    user_id: &str,
) -> Result<bool, TeamError> {
    require_team_manager(by, &team.service_id)?;
    let mut tx = kernel.db.begin().await?;
    let removed = store::remove_team_member(&mut tx, &team.id, user_id).await?;
    if removed {
        kernel
            .audit(
                &mut tx,
                by,
                "team.member_removed",
                Some(&AuditTarget::new("team", &team.id)),
                serde_json::json!({ "team": team.slug, "user": user_id }),
            )
            .await?;
    }
    tx.commit().await?;
    Ok(removed)
}

/// Records an event about a person's account, in the caller's transaction.
pub async fn audit_user(
    kernel: &Kernel,
    tx: &mut kernel::Tx,
    caller: &Caller,
    action: &str,
    user_id: &str,
) -> Result<(), sqlx::Error> {
    kernel
        .audit(
            tx,
            caller,
            action,
            Some(&AuditTarget::new("user", user_id)),
            serde_json::json!({}),
        )
        .await
}

/// The identity loader the kernel calls on each request.
pub struct DbIdentities(pub kernel::Db);

#[async_trait::async_trait]
impl kernel::identity::IdentityLoader for DbIdentities {
    async fn load(&self, user_id: &str) -> Result<Option<kernel::Identity>, sqlx::Error> {
        store::load_identity(&self.0, user_id).await
    }
}
