//! The administration back office: staff accounts and their roles, and the audit log.
//! Every handler checks its permission itself; menus only follow.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use kernel::audit::{self, AuditEntry, AuditQuery, AuditTarget, Verification};
use kernel::identity::{Permission, Role};
use kernel::web::forms::FormErrors;
use kernel::web::page::{self, FormPage, Page, Staff, render, render_status};
use kernel::{AppError, Kernel};
use serde::Deserialize;
use tower_sessions::Session;

use crate::actions::{self, AccountError, StaffRequest};
use crate::model::{Service, StaffMember};
use crate::store;

#[derive(askama::Template)]
#[template(path = "backoffice_home.html")]
struct HomePage {
    page: Page,
    roles: Vec<(String, Option<String>)>,
    can_manage_users: bool,
    can_view_audit: bool,
    can_view_statistics: bool,
    can_manage_procedures: bool,
}

pub async fn home(Staff(caller): Staff, page: Page) -> Result<Html<String>, AppError> {
    let identity = caller.identity.as_ref().ok_or(AppError::LoginRequired)?;
    let roles = identity
        .grants
        .iter()
        .map(|g| {
            (
                page.tr.t(g.role.label_key()),
                g.service.as_ref().map(|s| s.name.clone()),
            )
        })
        .collect();
    render(&HomePage {
        roles,
        can_manage_users: caller.can(Permission::ManageUsers),
        can_view_audit: caller.can(Permission::ViewAudit),
        can_view_statistics: caller.can(Permission::ViewStatistics),
        can_manage_procedures: caller.can(Permission::ManageProcedures),
        page,
    })
}

pub struct GrantView {
    pub id: String,
    pub label: String,
}

pub struct StaffRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub grants: Vec<GrantView>,
    pub mfa: bool,
    pub invited: bool,
}

fn grant_views(page: &Page, member: &StaffMember) -> Vec<GrantView> {
    member
        .grants
        .iter()
        .map(|g| GrantView {
            id: g.id.clone(),
            label: match &g.service {
                Some(s) => format!("{} — {}", page.tr.t(g.role.label_key()), s.name),
                None => page.tr.t(g.role.label_key()),
            },
        })
        .collect()
}

#[derive(askama::Template)]
#[template(path = "backoffice_users.html")]
struct UsersPage {
    page: Page,
    rows: Vec<StaffRow>,
}

pub async fn users(
    State(kernel): State<Kernel>,
    Staff(caller): Staff,
    page: Page,
) -> Result<Html<String>, AppError> {
    caller.require(Permission::ManageUsers)?;
    let rows = store::staff(&kernel.db)
        .await?
        .iter()
        .map(|m| StaffRow {
            id: m.user.id.clone(),
            name: m.user.display_name(),
            email: m.user.email.clone(),
            grants: grant_views(&page, m),
            mfa: m.user.totp_enabled,
            invited: m.user.password_hash.starts_with('!'),
        })
        .collect();
    render(&UsersPage { page, rows })
}

#[derive(Default, Deserialize)]
pub struct NewUserForm {
    #[serde(default)]
    pub given_name: String,
    #[serde(default)]
    pub family_name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub service: String,
}

#[derive(askama::Template)]
#[template(path = "backoffice_new_user.html")]
struct NewUserPage {
    page: Page,
    form: NewUserForm,
    errors: FormErrors,
    roles: Vec<(String, String)>,
    services: Vec<Service>,
}

fn staff_roles(page: &Page) -> Vec<(String, String)> {
    Role::STAFF
        .iter()
        .map(|r| (r.as_str().to_string(), page.tr.t(r.label_key())))
        .collect()
}

pub async fn new_user_form(
    State(kernel): State<Kernel>,
    Staff(caller): Staff,
    FormPage(page): FormPage,
) -> Result<Html<String>, AppError> {
    caller.require(Permission::ManageUsers)?;
    render(&NewUserPage {
        roles: staff_roles(&page),
        services: store::services(&kernel.db).await?,
        form: NewUserForm {
            role: "agent".into(),
            ..NewUserForm::default()
        },
        errors: FormErrors::new(),
        page,
    })
}

pub async fn create_user(
    State(kernel): State<Kernel>,
    Staff(caller): Staff,
    session: Session,
    FormPage(page): FormPage,
    Form(form): Form<NewUserForm>,
) -> Result<Response, AppError> {
    caller.require(Permission::ManageUsers)?;
    let request = StaffRequest {
        email: &form.email,
        given_name: &form.given_name,
        family_name: &form.family_name,
        role: &form.role,
        service_slug: Some(form.service.as_str()),
        password: None,
    };
    let mut errors = FormErrors::new();
    match actions::create_staff(&kernel, &caller, &request).await {
        Ok(user_id) => {
            page::flash(
                &session,
                "success",
                page.tr.t1("bo-user-created", "email", form.email.trim()),
            )
            .await?;
            return Ok(Redirect::to(&format!("/backoffice/utilisateurs/{user_id}")).into_response());
        }
        Err(AccountError::EmailTaken(_)) => errors.add("email", page.tr.t("bo-error-email-taken")),
        Err(AccountError::InvalidEmail(_)) => errors.add("email", page.tr.t("signup-error-email")),
        Err(AccountError::InvalidName) => {
            if !crate::rules::is_valid_name(&form.given_name) {
                errors.add("given_name", page.tr.t("signup-error-given-name"));
            }
            if !crate::rules::is_valid_name(&form.family_name) {
                errors.add("family_name", page.tr.t("signup-error-family-name"));
            }
        }
        Err(AccountError::UnknownRole(_)) => errors.add("role", page.tr.t("bo-error-role")),
        Err(AccountError::ServiceRequired(_)) | Err(AccountError::UnknownService(_)) => {
            errors.add("service", page.tr.t("bo-error-service"))
        }
        Err(AccountError::WeakPassword(_)) => {
            errors.add("email", page.tr.t("bo-error-email-taken"))
        }
        Err(
            e @ (AccountError::InvalidSlug(_)
            | AccountError::InvalidServiceName
            | AccountError::ServiceTaken(_)),
        ) => {
            return Err(AppError::Internal(anyhow::anyhow!(e)));
        }
        Err(AccountError::Internal(e)) => return Err(AppError::Internal(anyhow::anyhow!(e))),
    }
    let response = render_status(
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        &NewUserPage {
            roles: staff_roles(&page),
            services: store::services(&kernel.db).await?,
            form,
            errors,
            page,
        },
    )?;
    Ok(response)
}

#[derive(askama::Template)]
#[template(path = "backoffice_user.html")]
struct UserPage {
    page: Page,
    row: StaffRow,
    created: String,
    last_login: Option<String>,
    roles: Vec<(String, String)>,
    services: Vec<Service>,
}

pub async fn user_detail(
    State(kernel): State<Kernel>,
    Staff(caller): Staff,
    FormPage(page): FormPage,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    caller.require(Permission::ManageUsers)?;
    let user = store::user_by_id(&kernel.db, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    let grants = store::grants_for(&kernel.db, &id).await?;
    // Looking at someone's account is an access to personal data: it is recorded.
    let mut tx = kernel.db.begin().await?;
    kernel
        .audit(
            &mut tx,
            &caller,
            "personal_data.viewed",
            Some(&AuditTarget::new("user", &id)),
            serde_json::json!({ "page": "backoffice/user" }),
        )
        .await?;
    tx.commit().await?;
    let member = StaffMember { user, grants };
    render(&UserPage {
        created: kernel::clock::format_fr(member.user.created_at),
        last_login: member.user.last_login_at.map(kernel::clock::format_fr),
        row: StaffRow {
            id: member.user.id.clone(),
            name: member.user.display_name(),
            email: member.user.email.clone(),
            grants: grant_views(&page, &member),
            mfa: member.user.totp_enabled,
            invited: member.user.password_hash.starts_with('!'),
        },
        roles: staff_roles(&page),
        services: store::services(&kernel.db).await?,
        page,
    })
}

#[derive(Deserialize)]
pub struct GrantForm {
    pub role: String,
    #[serde(default)]
    pub service: String,
}

pub async fn grant(
    State(kernel): State<Kernel>,
    Staff(caller): Staff,
    session: Session,
    page: Page,
    Path(id): Path<String>,
    Form(form): Form<GrantForm>,
) -> Result<Response, AppError> {
    caller.require(Permission::ManageUsers)?;
    store::user_by_id(&kernel.db, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    let back = format!("/backoffice/utilisateurs/{id}");
    let role = Role::parse(&form.role).filter(|r| *r != Role::Resident);
    let service = match form.service.as_str() {
        "" => None,
        slug => store::service_by_slug(&kernel.db, slug).await?,
    };
    let Some(role) = role.filter(|r| !r.needs_service() || service.is_some()) else {
        page::flash(&session, "error", page.tr.t("bo-error-service")).await?;
        return Ok(Redirect::to(&back).into_response());
    };
    let service = if role.needs_service() { service } else { None };
    let existing = store::grants_for(&kernel.db, &id).await?;
    if existing.iter().any(|g| {
        g.role == role && g.service.as_ref().map(|s| &s.id) == service.as_ref().map(|s| &s.id)
    }) {
        page::flash(&session, "info", page.tr.t("bo-grant-exists")).await?;
        return Ok(Redirect::to(&back).into_response());
    }
    let now = kernel.now();
    let mut tx = kernel.db.begin().await?;
    let by = caller.identity.as_ref().map(|i| i.user_id.as_str());
    let granted = store::grant_role(
        &mut tx,
        &id,
        role,
        service.as_ref().map(|s| s.id.as_str()),
        by,
        now,
    )
    .await;
    match granted {
        Ok(_) => {}
        // Granted by someone else a moment ago.
        Err(e) if kernel::db::is_unique_violation(&e) => {
            tx.rollback().await?;
            page::flash(&session, "info", page.tr.t("bo-grant-exists")).await?;
            return Ok(Redirect::to(&back).into_response());
        }
        Err(e) => return Err(e.into()),
    }
    kernel
        .audit(
            &mut tx,
            &caller,
            "role.granted",
            Some(&AuditTarget::new("user", &id)),
            serde_json::json!({ "role": role.as_str(), "service": service.as_ref().map(|s| s.slug.clone()) }),
        )
        .await?;
    tx.commit().await?;
    page::flash(&session, "success", page.tr.t("bo-grant-done")).await?;
    Ok(Redirect::to(&back).into_response())
}

pub async fn revoke(
    State(kernel): State<Kernel>,
    Staff(caller): Staff,
    session: Session,
    page: Page,
    Path((id, grant_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    caller.require(Permission::ManageUsers)?;
    let is_self = caller.identity.as_ref().is_some_and(|i| i.user_id == id);
    let mut tx = kernel.db.begin().await?;
    let Some(role) = store::revoke_grant(&mut tx, &id, &grant_id).await? else {
        return Err(AppError::NotFound);
    };
    // An administrator cannot remove their own administrator role (nobody would be left
    // to give it back).
    if is_self && role == Role::Administrator.as_str() {
        tx.rollback().await?;
        page::flash(&session, "error", page.tr.t("bo-error-self-admin")).await?;
        return Ok(Redirect::to(&format!("/backoffice/utilisateurs/{id}")).into_response());
    }
    kernel
        .audit(
            &mut tx,
            &caller,
            "role.revoked",
            Some(&AuditTarget::new("user", &id)),
            serde_json::json!({ "role": role }),
        )
        .await?;
    tx.commit().await?;
    page::flash(&session, "success", page.tr.t("bo-revoke-done")).await?;
    Ok(Redirect::to(&format!("/backoffice/utilisateurs/{id}")).into_response())
}

#[derive(Default, Deserialize)]
pub struct ServiceForm {
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
}

#[derive(askama::Template)]
#[template(path = "backoffice_services.html")]
struct ServicesPage {
    page: Page,
    services: Vec<Service>,
    form: ServiceForm,
    errors: FormErrors,
}

pub async fn services(
    State(kernel): State<Kernel>,
    Staff(caller): Staff,
    FormPage(page): FormPage,
) -> Result<Html<String>, AppError> {
    caller.require(Permission::ManageUsers)?;
    render(&ServicesPage {
        services: store::services(&kernel.db).await?,
        form: ServiceForm::default(),
        errors: FormErrors::new(),
        page,
    })
}

pub async fn create_service(
    State(kernel): State<Kernel>,
    Staff(caller): Staff,
    session: Session,
    FormPage(page): FormPage,
    Form(form): Form<ServiceForm>,
) -> Result<Response, AppError> {
    caller.require(Permission::ManageUsers)?;
    let request = actions::ServiceRequest {
        slug: &form.slug,
        name: &form.name,
        email: &form.email,
        phone: &form.phone,
    };
    let mut errors = FormErrors::new();
    match actions::create_service(&kernel, &caller, &request).await {
        Ok(_) => {
            page::flash(
                &session,
                "success",
                page.tr.t1("bo-service-created", "name", form.name.trim()),
            )
            .await?;
            return Ok(Redirect::to("/backoffice/services").into_response());
        }
        Err(AccountError::InvalidSlug(_)) => errors.add("slug", page.tr.t("bo-error-slug")),
        Err(AccountError::ServiceTaken(_)) => errors.add("slug", page.tr.t("bo-error-slug-taken")),
        Err(AccountError::InvalidServiceName) => {
            errors.add("name", page.tr.t("bo-error-service-name"))
        }
        Err(AccountError::InvalidEmail(_)) => errors.add("email", page.tr.t("signup-error-email")),
        Err(e) => return Err(AppError::Internal(anyhow::anyhow!(e))),
    }
    render_status(
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        &ServicesPage {
            services: store::services(&kernel.db).await?,
            form,
            errors,
            page,
        },
    )
}

#[derive(Default, Deserialize)]
pub struct AuditFilters {
    #[serde(default)]
    pub qui: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub cible: String,
    #[serde(default)]
    pub du: String,
    #[serde(default)]
    pub au: String,
    #[serde(default)]
    pub avant: Option<i64>,
    #[serde(default)]
    pub verifier: Option<String>,
}

pub struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub acting_for: Option<String>,
    pub action: String,
    pub target: String,
    pub ip: String,
    pub details: String,
}

#[derive(askama::Template)]
#[template(path = "backoffice_audit.html")]
struct AuditPage {
    page: Page,
    filters: AuditFilters,
    rows: Vec<AuditRow>,
    next_before: Option<i64>,
    verification: Option<String>,
    errors: FormErrors,
}

fn parse_day(raw: &str) -> Result<Option<jiff::Timestamp>, ()> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    let date: jiff::civil::Date = raw.trim().parse().map_err(|_| ())?;
    date.to_zoned(kernel::clock::paris())
        .map(|z| Some(z.timestamp()))
        .map_err(|_| ())
}

const PAGE_SIZE: i64 = 50;

pub async fn audit(
    State(kernel): State<Kernel>,
    Staff(caller): Staff,
    page: Page,
    Query(filters): Query<AuditFilters>,
) -> Result<Html<String>, AppError> {
    caller.require(Permission::ViewAudit)?;
    let mut errors = FormErrors::new();
    let from = parse_day(&filters.du).unwrap_or_else(|_| {
        errors.add("du", page.tr.t("bo-audit-error-date"));
        None
    });
    let to = parse_day(&filters.au).unwrap_or_else(|_| {
        errors.add("au", page.tr.t("bo-audit-error-date"));
        None
    });
    let query = AuditQuery {
        who: Some(filters.qui.trim().to_string()).filter(|s| !s.is_empty()),
        action: Some(filters.action.trim().to_string()).filter(|s| !s.is_empty()),
        target_id: Some(filters.cible.trim().to_string()).filter(|s| !s.is_empty()),
        from,
        to: to.map(|t| t + jiff::SignedDuration::from_hours(24)),
        before_seq: filters.avant,
        limit: PAGE_SIZE,
    };
    let entries: Vec<AuditEntry> = audit::search(&kernel.db, &query).await?;
    let verification = match filters.verifier.as_deref() {
        Some(_) => Some(match audit::verify(&kernel.db, &kernel.secret).await? {
            Verification::Intact { entries } => page.tr.t1("bo-audit-intact", "count", entries),
            Verification::Broken { seq, reason } => {
                page.tr.t2("bo-audit-broken", "seq", seq, "reason", reason)
            }
        }),
        None => None,
    };
    // Reading the audit log is itself recorded.
    let mut tx = kernel.db.begin().await?;
    kernel
        .audit(&mut tx, &caller, "audit.searched", None, serde_json::json!({ "who": query.who, "action": query.action, "target": query.target_id }))
        .await?;
    tx.commit().await?;
    let next_before = (entries.len() as i64 == PAGE_SIZE)
        .then(|| entries.last().map(|e| e.seq))
        .flatten();
    let rows = entries
        .into_iter()
        .map(|e| AuditRow {
            seq: e.seq,
            at: kernel::clock::format_fr(e.at),
            actor: e.actor_label,
            acting_for: e.acting_for_label,
            action: e.action,
            target: match (e.target_type, e.target_id) {
                (Some(kind), Some(id)) => format!("{kind} {id}"),
                _ => String::new(),
            },
            ip: e.ip.unwrap_or_default(),
            details: if e.details == "{}" {
                String::new()
            } else {
                e.details
            },
        })
        .collect();
    render(&AuditPage {
        page,
        filters,
        rows,
        next_before,
        verification,
        errors,
    })
}
