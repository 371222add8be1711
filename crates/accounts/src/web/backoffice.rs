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
    /// Services whose teams the person organises as their manager (administrators reach
    /// every service's teams from the services page).
    team_services: Vec<(String, String)>,
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
    let team_services = identity
        .grants
        .iter()
        .filter(|g| g.role == Role::ServiceManager)
        .filter_map(|g| g.service.as_ref())
        .map(|s| (s.slug.clone(), s.name.clone()))
        .collect();
    render(&HomePage {
        roles,
        team_services,
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

#[derive(Default, Deserialize)]
pub struct TeamForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub slug: String,
}

#[derive(Default, Deserialize)]
pub struct MemberForm {
    #[serde(default)]
    pub member: String,
}

pub struct TeamView {
    pub team: crate::model::Team,
    pub members: Vec<(String, String)>,
    /// Agents of the service not yet in the team.
    pub candidates: Vec<(String, String)>,
    /// The person chosen in a refused addition, kept in the list.
    pub chosen: String,
    pub field: String,
}

#[derive(askama::Template)]
#[template(path = "backoffice_teams.html")]
struct TeamsPage {
    page: Page,
    service: Service,
    teams: Vec<TeamView>,
    form: TeamForm,
    errors: FormErrors,
    back_to_services: bool,
}

/// The service whose teams the caller may organise: 404 for an unknown one, 403 for
/// someone who is neither administrator nor its manager.
async fn team_service(
    kernel: &Kernel,
    caller: &kernel::Caller,
    slug: &str,
) -> Result<Service, AppError> {
    let identity = caller.identity.as_ref().ok_or(AppError::LoginRequired)?;
    let service = store::service_by_slug(&kernel.db, slug)
        .await?
        .ok_or(AppError::NotFound)?;
    if !crate::rules::may_manage_teams(identity, &service.id) {
        return Err(AppError::Forbidden);
    }
    Ok(service)
}

async fn teams_page(
    kernel: &Kernel,
    caller: &kernel::Caller,
    page: Page,
    service: Service,
    form: TeamForm,
    errors: FormErrors,
    refused: Option<(&str, &str)>,
) -> Result<TeamsPage, AppError> {
    let teams = store::teams_of_service(&kernel.db, &service.id).await?;
    let members = store::team_members_of_service(&kernel.db, &service.id).await?;
    let staff = store::staff_of_service(&kernel.db, &service.id).await?;
    let teams = teams
        .into_iter()
        .map(|team| {
            let in_team: Vec<(String, String)> = members
                .iter()
                .filter(|m| m.team_id == team.id)
                .map(|m| (m.user_id.clone(), m.name.clone()))
                .collect();
            let candidates = staff
                .iter()
                .filter(|(id, _)| !in_team.iter().any(|(m, _)| m == id))
                .cloned()
                .collect();
            let chosen = match refused {
                Some((team_id, user)) if team_id == team.id => user.to_string(),
                _ => String::new(),
            };
            TeamView {
                field: format!("membre-{}", team.slug),
                team,
                members: in_team,
                candidates,
                chosen,
            }
        })
        .collect();
    Ok(TeamsPage {
        back_to_services: caller.can(Permission::ManageUsers),
        page,
        service,
        teams,
        form,
        errors,
    })
}

pub async fn teams(
    State(kernel): State<Kernel>,
    Staff(caller): Staff,
    FormPage(page): FormPage,
    Path(slug): Path<String>,
) -> Result<Html<String>, AppError> {
    let service = team_service(&kernel, &caller, &slug).await?;
    render(
        &teams_page(
            &kernel,
            &caller,
            page,
            service,
            TeamForm::default(),
            FormErrors::new(),
            None,
        )
        .await?,
    )
}

fn team_failure(e: actions::TeamError) -> AppError {
    match e {
        actions::TeamError::Forbidden => AppError::Forbidden,
        e => AppError::Internal(anyhow::anyhow!(e)),
    }
}

pub async fn create_team(
    State(kernel): State<Kernel>,
    Staff(caller): Staff,
    session: Session,
    FormPage(page): FormPage,
    Path(slug): Path<String>,
    Form(form): Form<TeamForm>,
) -> Result<Response, AppError> {
    let service = team_service(&kernel, &caller, &slug).await?;
    let back = format!("/backoffice/services/{}/equipes", service.slug);
    let mut errors = FormErrors::new();
    match actions::create_team(&kernel, &caller, &service, &form.name, &form.slug).await {
        Ok(_) => {
            page::flash(
                &session,
                "success",
                page.tr.t1("bo-team-created", "name", form.name.trim()),
            )
            .await?;
            return Ok(Redirect::to(&back).into_response());
        }
        Err(actions::TeamError::InvalidName) => errors.add("name", page.tr.t("bo-error-team-name")),
        Err(actions::TeamError::NameTaken(_)) => {
            errors.add("name", page.tr.t("bo-error-team-name-taken"))
        }
        // A short name drawn from the name is reported on the name when none was typed.
        Err(actions::TeamError::InvalidSlug(_)) if form.slug.trim().is_empty() => {
            errors.add("name", page.tr.t("bo-error-team-name"))
        }
        Err(actions::TeamError::SlugTaken(_)) if form.slug.trim().is_empty() => {
            errors.add("name", page.tr.t("bo-error-team-name-taken"))
        }
        Err(actions::TeamError::InvalidSlug(_)) => errors.add("slug", page.tr.t("bo-error-slug")),
        Err(actions::TeamError::SlugTaken(_)) => {
            errors.add("slug", page.tr.t("bo-error-team-slug-taken"))
        }
        Err(e) => return Err(team_failure(e)),
    }
    render_status(
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        &teams_page(&kernel, &caller, page, service, form, errors, None).await?,
    )
}

async fn team_of(
    kernel: &Kernel,
    service: &Service,
    team: &str,
) -> Result<crate::model::Team, AppError> {
    store::team_by_slug(&kernel.db, &service.id, team)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn add_member(
    State(kernel): State<Kernel>,
    Staff(caller): Staff,
    session: Session,
    FormPage(page): FormPage,
    Path((slug, team)): Path<(String, String)>,
    Form(form): Form<MemberForm>,
) -> Result<Response, AppError> {
    let service = team_service(&kernel, &caller, &slug).await?;
    let team = team_of(&kernel, &service, &team).await?;
    let back = format!("/backoffice/services/{}/equipes", service.slug);
    match actions::add_team_member(&kernel, &caller, &team, form.member.trim()).await {
        Ok(added) => {
            let key = if added {
                "bo-team-member-added"
            } else {
                "bo-team-member-already"
            };
            page::flash(&session, "success", page.tr.t1(key, "team", &team.name)).await?;
            Ok(Redirect::to(&back).into_response())
        }
        Err(actions::TeamError::NotStaffOfService) => {
            let mut errors = FormErrors::new();
            errors.add(
                &format!("membre-{}", team.slug),
                page.tr.t("bo-error-team-member"),
            );
            render_status(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                &teams_page(
                    &kernel,
                    &caller,
                    page,
                    service,
                    TeamForm::default(),
                    errors,
                    Some((&team.id, form.member.trim())),
                )
                .await?,
            )
        }
        Err(e) => Err(team_failure(e)),
    }
}

pub async fn remove_member(
    State(kernel): State<Kernel>,
    Staff(caller): Staff,
    session: Session,
    page: Page,
    Path((slug, team, user)): Path<(String, String, String)>,
) -> Result<Response, AppError> {
    let service = team_service(&kernel, &caller, &slug).await?;
    let team = team_of(&kernel, &service, &team).await?;
    if !actions::remove_team_member(&kernel, &caller, &team, &user)
        .await
        .map_err(team_failure)?
    {
        return Err(AppError::NotFound);
    }
    page::flash(
        &session,
        "success",
        page.tr.t1("bo-team-member-removed", "team", &team.name),
    )
    .await?;
    Ok(Redirect::to(&format!("/backoffice/services/{}/equipes", service.slug)).into_response())
}
