//! Administering procedures in the back office: the list, the catalogue entry with its
//! legal regime, the workflow and the routing rules (with the streets they rely on).
//! Administrators change every procedure, service managers those of their services; every
//! change is one transaction with its audit entry.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kernel::audit::AuditTarget;
use kernel::i18n::Tr;
use kernel::identity::{Identity, Permission, Role};
use kernel::web::forms::FormErrors;
use kernel::web::page::{self, FormPage, Page, Staff, render, render_status};
use kernel::{AppError, Caller, Kernel};
use tower_sessions::Session;

use super::public::theme_label;
use crate::administration::{
    self as admin, EditRefusal, EntryContext, EntryInput, EntryProblem, NEW_THEME, RoutingEdit,
    RuleProblem, StreetProblem, WorkflowEdit, may_manage_procedures_of,
};
use crate::forms::FormDefinition;
use crate::model::{AUDIENCES, Delay, Procedure, ProcedureKind, Regime, THEMES};
use crate::routing::{RouteCondition, RoutingRule, Street};
use crate::store;
use crate::workflow::{Phase, Reassign, Status, Transition, Workflow, WorkflowProblem};

/// One option of a list, radio group or set of checkboxes.
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn opts(items: impl IntoIterator<Item = (String, String)>, current: &[&str]) -> Vec<Opt> {
    items
        .into_iter()
        .map(|(value, label)| Opt {
            selected: current.contains(&value.as_str()),
            value,
            label,
        })
        .collect()
}

/// Administrators and service managers only; everyone else gets 403.
fn manager(caller: &Caller) -> Result<&Identity, AppError> {
    caller.require(Permission::ManageProcedures)?;
    caller.identity.as_ref().ok_or(AppError::LoginRequired)
}

/// The procedure at this address, if the caller may change it (404, then 403).
async fn editable(kernel: &Kernel, caller: &Caller, slug: &str) -> Result<Procedure, AppError> {
    let identity = manager(caller)?;
    let procedure = store::procedure_by_slug(&kernel.db, slug)
        .await?
        .ok_or(AppError::NotFound)?;
    if !may_manage_procedures_of(identity, &procedure.service_id) {
        return Err(AppError::Forbidden);
    }
    Ok(procedure)
}

/// The values of a posted form: the last value of each name, and every value of a name
/// sent several times (checkboxes).
struct Posted {
    values: Vec<(String, String)>,
}

impl Posted {
    fn get(&self, name: &str) -> String {
        self.values
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
    fn all(&self, name: &str) -> Vec<String> {
        self.values
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
    fn checked(&self, name: &str) -> bool {
        self.values.iter().any(|(n, v)| n == name && v == "oui")
    }
}

fn service_name(services: &[accounts::model::Service], id: &str) -> String {
    services
        .iter()
        .find(|s| s.id == id)
        .map(|s| s.name.clone())
        .unwrap_or_default()
}

fn delay_text(tr: &Tr, delay: Delay) -> String {
    let (unit, count) = delay.parts();
    tr.t1(&format!("pa-delay-{unit}"), "count", count)
}

/// « Silence vaut acceptation (2 mois) ».
fn regime_summary(tr: &Tr, regime: Regime, delay: Delay) -> String {
    match regime {
        Regime::None => tr.t("pa-regime-none-short"),
        _ => tr.t1(
            &format!("pa-regime-{}-short", regime.as_str()),
            "delay",
            delay_text(tr, delay),
        ),
    }
}

/// Themes other procedures use besides the usual ones.
fn own_themes(procedures: &[Procedure]) -> Vec<String> {
    let mut themes: Vec<String> = procedures
        .iter()
        .map(|p| p.theme.clone())
        .filter(|t| !THEMES.contains(&t.as_str()))
        .collect();
    themes.sort();
    themes.dedup();
    themes
}

// ---------------------------------------------------------------- the list

pub struct ProcedureLine {
    pub slug: String,
    pub title: String,
    pub theme: String,
    pub service: String,
    pub kind: String,
    pub regime: String,
    pub form: String,
    pub listed: String,
}

#[derive(askama::Template)]
#[template(path = "admin_procedures.html")]
struct ListPage {
    page: Page,
    lines: Vec<ProcedureLine>,
}

pub async fn list(
    State(kernel): State<Kernel>,
    page: Page,
    Staff(caller): Staff,
) -> Result<Response, AppError> {
    let identity = manager(&caller)?;
    let services = accounts::store::services(&kernel.db).await?;
    let overview = store::form_overview(&kernel.db).await?;
    let tr = &page.tr;
    let lines = store::procedures(&kernel.db, false, "")
        .await?
        .into_iter()
        .filter(|p| may_manage_procedures_of(identity, &p.service_id))
        .map(|p| {
            let (published, draft) = overview.get(&p.id).copied().unwrap_or_default();
            let form = match (p.kind, published) {
                (ProcedureKind::Information, _) => tr.t("pa-form-none-needed"),
                (_, Some(version)) => tr.t1("pa-form-published", "version", version),
                (_, None) => tr.t("pa-form-unpublished"),
            };
            let form = if draft && p.kind == ProcedureKind::Online {
                format!("{form} {}", tr.t("pa-form-draft"))
            } else {
                form
            };
            ProcedureLine {
                theme: theme_label(tr, &p.theme),
                service: service_name(&services, &p.service_id),
                kind: tr.t(&format!("pa-kind-{}", p.kind.as_str())),
                regime: if p.kind == ProcedureKind::Information {
                    String::new()
                } else {
                    regime_summary(tr, p.regime, p.delay)
                },
                listed: tr.t(if p.listed { "pa-listed" } else { "pa-hidden" }),
                form,
                slug: p.slug,
                title: p.title,
            }
        })
        .collect();
    Ok(render(&ListPage { page, lines })?.into_response())
}

// ---------------------------------------------------------------- the catalogue entry

#[derive(askama::Template)]
#[template(path = "admin_procedure.html")]
struct EntryPage {
    page: Page,
    is_new: bool,
    /// The procedure being edited (its address and title), when not new.
    slug: String,
    heading: String,
    section: &'static str,
    form: EntryInput,
    errors: FormErrors,
    themes: Vec<Opt>,
    services: Vec<Opt>,
    audiences: Vec<Opt>,
    kinds: Vec<Opt>,
    regimes: Vec<Opt>,
    units: Vec<Opt>,
    /// Requests already received, which keep their regime.
    filed: i64,
    form_published: bool,
}

fn entry_from(p: &Procedure) -> EntryInput {
    let (unit, count) = p.delay.parts();
    EntryInput {
        title: p.title.clone(),
        slug: p.slug.clone(),
        theme: p.theme.clone(),
        theme_new: String::new(),
        summary: p.summary.clone(),
        description: p.description.clone(),
        audiences: p.audiences.clone(),
        documents: p.documents.join("\n"),
        expected_delay: p.expected_delay.clone(),
        kind: p.kind.as_str().into(),
        info_url: p.info_url.clone().unwrap_or_default(),
        regime: p.regime.as_str().into(),
        delay_count: count.to_string(),
        delay_unit: unit.into(),
        legal_basis: p.legal_basis.clone(),
        service: p.service_id.clone(),
        listed: p.listed,
    }
}

fn entry_posted(posted: &Posted) -> EntryInput {
    EntryInput {
        title: posted.get("title"),
        slug: posted.get("slug"),
        theme: posted.get("theme"),
        theme_new: posted.get("theme_new"),
        summary: posted.get("summary"),
        description: posted.get("description"),
        audiences: posted.all("audiences"),
        documents: posted.get("documents"),
        expected_delay: posted.get("expected_delay"),
        kind: posted.get("kind"),
        info_url: posted.get("info_url"),
        regime: posted.get("regime"),
        delay_count: posted.get("delay_count"),
        delay_unit: posted.get("delay_unit"),
        legal_basis: posted.get("legal_basis"),
        service: posted.get("service"),
        listed: posted.checked("listed"),
    }
}

fn entry_problem_key(problem: EntryProblem) -> &'static str {
    use EntryProblem::*;
    match problem {
        Title => "pa-error-title",
        SlugFormat => "pa-error-slug",
        SlugReserved => "pa-error-slug-reserved",
        SlugTaken => "pa-error-slug-taken",
        Theme => "pa-error-theme",
        NewTheme => "pa-error-theme-new",
        Summary => "pa-error-summary",
        Description => "pa-error-description",
        Audiences => "pa-error-audiences",
        Documents => "pa-error-documents",
        ExpectedDelay => "pa-error-expected-delay",
        Kind => "pa-error-kind",
        InfoUrlMissing => "pa-error-info-url-missing",
        InfoUrlNotHttps => "pa-error-info-url-https",
        Regime => "pa-error-regime",
        DelayCount => "pa-error-delay-count",
        DelayUnit => "pa-error-delay-unit",
        LegalBasisNeeded => "pa-error-legal-basis",
        LegalBasisTooLong => "pa-error-legal-basis-long",
        ServiceUnknown => "pa-error-service",
        ServiceNotManaged => "pa-error-service-managed",
        ListedWithoutForm => "pa-error-listed",
    }
}

struct EntryFacts {
    is_new: bool,
    slug: String,
    heading: String,
    filed: i64,
    form_published: bool,
}

async fn entry_page(
    kernel: &Kernel,
    page: Page,
    identity: &Identity,
    facts: EntryFacts,
    form: EntryInput,
    errors: FormErrors,
) -> Result<EntryPage, AppError> {
    let tr = page.tr.clone();
    let services = accounts::store::services(&kernel.db).await?;
    let procedures = store::procedures(&kernel.db, false, "").await?;
    let mut themes = vec![(String::new(), tr.t("pa-theme-choose"))];
    themes.extend(THEMES.iter().map(|t| (t.to_string(), theme_label(&tr, t))));
    themes.extend(own_themes(&procedures).into_iter().map(|t| (t.clone(), t)));
    themes.push((NEW_THEME.to_string(), tr.t("pa-theme-new-option")));
    let mut service_items = vec![(String::new(), tr.t("pa-service-choose"))];
    service_items.extend(
        services
            .iter()
            .filter(|s| may_manage_procedures_of(identity, &s.id))
            .map(|s| (s.id.clone(), s.name.clone())),
    );
    let audiences: Vec<&str> = form.audiences.iter().map(String::as_str).collect();
    Ok(EntryPage {
        themes: opts(themes, &[form.theme.as_str()]),
        services: opts(service_items, &[form.service.as_str()]),
        audiences: opts(
            AUDIENCES
                .iter()
                .map(|a| (a.to_string(), tr.t(&format!("audience-{a}")))),
            &audiences,
        ),
        kinds: opts(
            ["online", "information"]
                .map(|k| (k.to_string(), tr.t(&format!("pa-kind-{k}-choice")))),
            &[form.kind.as_str()],
        ),
        regimes: opts(
            [Regime::Acceptance, Regime::Rejection, Regime::None].map(|r| {
                (
                    r.as_str().to_string(),
                    tr.t(&format!("pa-regime-{}-choice", r.as_str())),
                )
            }),
            &[form.regime.as_str()],
        ),
        units: opts(
            ["days", "weeks", "months"].map(|u| (u.to_string(), tr.t(&format!("pa-unit-{u}")))),
            &[form.delay_unit.as_str()],
        ),
        is_new: facts.is_new,
        slug: facts.slug,
        heading: facts.heading,
        section: "fiche",
        filed: facts.filed,
        form_published: facts.form_published,
        page,
        form,
        errors,
    })
}

fn entry_errors(tr: &Tr, problems: &[EntryProblem]) -> FormErrors {
    let mut errors = FormErrors::new();
    for p in problems {
        errors.add(p.field(), tr.t(entry_problem_key(*p)));
    }
    errors
}

pub async fn new_form(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
) -> Result<Response, AppError> {
    let identity = manager(&caller)?;
    let services = accounts::store::services(&kernel.db).await?;
    let mine: Vec<_> = services
        .iter()
        .filter(|s| may_manage_procedures_of(identity, &s.id))
        .collect();
    let form = EntryInput {
        kind: "online".into(),
        regime: "acceptance".into(),
        delay_count: "2".into(),
        delay_unit: "months".into(),
        audiences: vec!["resident".into()],
        // A manager of one service has nothing to choose.
        service: match mine.as_slice() {
            [only] => only.id.clone(),
            _ => String::new(),
        },
        ..EntryInput::default()
    };
    let facts = EntryFacts {
        is_new: true,
        slug: String::new(),
        heading: page.tr.t("pa-new-title"),
        filed: 0,
        form_published: false,
    };
    let view = entry_page(&kernel, page, identity, facts, form, FormErrors::new()).await?;
    Ok(render(&view)?.into_response())
}

pub async fn create(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    session: Session,
    Form(values): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let identity = manager(&caller)?;
    let input = entry_posted(&Posted { values });
    let services = accounts::store::services(&kernel.db).await?;
    let procedures = store::procedures(&kernel.db, false, "").await?;
    let ctx = EntryContext {
        is_new: true,
        slug_taken: store::procedure_by_slug(&kernel.db, input.slug.trim())
            .await?
            .is_some(),
        known_themes: own_themes(&procedures),
        service_known: services.iter().any(|s| s.id == input.service),
        service_allowed: may_manage_procedures_of(identity, &input.service),
        form_published: false,
    };
    let entry = match admin::check_entry(&input, &ctx) {
        Ok(entry) => entry,
        Err(problems) => {
            let errors = entry_errors(&page.tr, &problems);
            let facts = EntryFacts {
                is_new: true,
                slug: String::new(),
                heading: page.tr.t("pa-new-title"),
                filed: 0,
                form_published: false,
            };
            let view = entry_page(&kernel, page, identity, facts, input, errors).await?;
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &view);
        }
    };
    let procedure = Procedure {
        id: uuid::Uuid::new_v4().to_string(),
        slug: entry.slug,
        title: entry.title,
        theme: entry.theme,
        summary: entry.summary,
        description: entry.description,
        audiences: entry.audiences,
        documents: entry.documents,
        expected_delay: entry.expected_delay,
        kind: entry.kind,
        info_url: entry.info_url,
        regime: entry.regime,
        delay: entry.delay,
        legal_basis: entry.legal_basis,
        service_id: entry.service_id,
        workflow: Workflow::default(),
        listed: entry.listed,
    };
    let now = kernel.now();
    let mut tx = kernel.db.begin().await?;
    store::save_procedure(&mut tx, &procedure, now).await?;
    if procedure.kind == ProcedureKind::Online {
        store::insert_draft_version(
            &mut tx,
            &procedure.id,
            &admin::empty_form(),
            Some(&identity.user_id),
            now,
        )
        .await?;
    }
    kernel
        .audit(
            &mut tx,
            &caller,
            "procedure.created",
            Some(&AuditTarget::new("procedure", &procedure.id)),
            serde_json::json!({
                "slug": procedure.slug,
                "service": procedure.service_id,
                "kind": procedure.kind.as_str(),
                "regime": procedure.regime.as_str(),
                "listed": procedure.listed,
            }),
        )
        .await?;
    tx.commit().await?;
    let message = match procedure.kind {
        ProcedureKind::Online => page.tr.t("pa-created-online"),
        ProcedureKind::Information => page.tr.t("pa-created"),
    };
    page::flash(&session, "success", message).await?;
    Ok(Redirect::to(&format!("/backoffice/demarches/{}", procedure.slug)).into_response())
}

async fn filed_count(kernel: &Kernel, procedure_id: &str) -> Result<i64, AppError> {
    let mut conn = kernel.db.pool().acquire().await?;
    Ok(store::status_counts(&mut conn, procedure_id)
        .await?
        .values()
        .sum())
}

pub async fn edit_form(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let procedure = editable(&kernel, &caller, &slug).await?;
    let identity = manager(&caller)?;
    let facts = EntryFacts {
        is_new: false,
        slug: procedure.slug.clone(),
        heading: procedure.title.clone(),
        filed: filed_count(&kernel, &procedure.id).await?,
        form_published: store::published_version(&kernel.db, &procedure.id)
            .await?
            .is_some(),
    };
    let form = entry_from(&procedure);
    let view = entry_page(&kernel, page, identity, facts, form, FormErrors::new()).await?;
    Ok(render(&view)?.into_response())
}

pub async fn update(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    session: Session,
    Path(slug): Path<String>,
    Form(values): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let procedure = editable(&kernel, &caller, &slug).await?;
    let identity = manager(&caller)?;
    let mut input = entry_posted(&Posted { values });
    input.slug = procedure.slug.clone();
    let services = accounts::store::services(&kernel.db).await?;
    let others: Vec<Procedure> = store::procedures(&kernel.db, false, "")
        .await?
        .into_iter()
        .filter(|p| p.id != procedure.id)
        .collect();
    let mut known_themes = own_themes(&others);
    known_themes.push(procedure.theme.clone());
    let form_published = store::published_version(&kernel.db, &procedure.id)
        .await?
        .is_some();
    let ctx = EntryContext {
        is_new: false,
        slug_taken: false,
        known_themes,
        service_known: services.iter().any(|s| s.id == input.service),
        service_allowed: may_manage_procedures_of(identity, &input.service),
        form_published,
    };
    let entry = match admin::check_entry(&input, &ctx) {
        Ok(entry) => entry,
        Err(problems) => {
            let errors = entry_errors(&page.tr, &problems);
            let facts = EntryFacts {
                is_new: false,
                slug: procedure.slug.clone(),
                heading: procedure.title.clone(),
                filed: filed_count(&kernel, &procedure.id).await?,
                form_published,
            };
            let view = entry_page(&kernel, page, identity, facts, input, errors).await?;
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &view);
        }
    };
    let updated = Procedure {
        title: entry.title,
        theme: entry.theme,
        summary: entry.summary,
        description: entry.description,
        audiences: entry.audiences,
        documents: entry.documents,
        expected_delay: entry.expected_delay,
        kind: entry.kind,
        info_url: entry.info_url,
        regime: entry.regime,
        delay: entry.delay,
        legal_basis: entry.legal_basis,
        service_id: entry.service_id,
        listed: entry.listed,
        ..procedure.clone()
    };
    let changed: Vec<&str> = [
        ("title", procedure.title != updated.title),
        ("theme", procedure.theme != updated.theme),
        ("summary", procedure.summary != updated.summary),
        ("description", procedure.description != updated.description),
        ("audiences", procedure.audiences != updated.audiences),
        ("documents", procedure.documents != updated.documents),
        (
            "expected_delay",
            procedure.expected_delay != updated.expected_delay,
        ),
        ("kind", procedure.kind != updated.kind),
        ("info_url", procedure.info_url != updated.info_url),
        ("regime", procedure.regime != updated.regime),
        ("delay", procedure.delay != updated.delay),
        ("legal_basis", procedure.legal_basis != updated.legal_basis),
        ("service", procedure.service_id != updated.service_id),
        ("listed", procedure.listed != updated.listed),
    ]
    .into_iter()
    .filter(|(_, changed)| *changed)
    .map(|(name, _)| name)
    .collect();
    let regime_changed = procedure.regime != updated.regime || procedure.delay != updated.delay;
    let now = kernel.now();
    let mut tx = kernel.db.begin().await?;
    // The workflow is edited on its own page: keep the one stored now, under the lock, so
    // that saving the catalogue entry never brings back an older workflow.
    let mut updated = updated;
    updated.workflow = store::procedure_for_update(&mut tx, &procedure.id)
        .await?
        .ok_or(AppError::NotFound)?
        .workflow;
    store::save_procedure(&mut tx, &updated, now).await?;
    // An information page turned into an online procedure gets a form to build.
    if updated.kind == ProcedureKind::Online
        && store::versions(&kernel.db, &updated.id).await?.is_empty()
    {
        store::insert_draft_version(
            &mut tx,
            &updated.id,
            &admin::empty_form(),
            Some(&identity.user_id),
            now,
        )
        .await?;
    }
    let filed: i64 = store::status_counts(&mut tx, &updated.id)
        .await?
        .values()
        .sum();
    kernel
        .audit(
            &mut tx,
            &caller,
            "procedure.updated",
            Some(&AuditTarget::new("procedure", &updated.id)),
            serde_json::json!({
                "slug": updated.slug,
                "changed": changed,
                "regime": { "before": procedure.regime.as_str(), "after": updated.regime.as_str() },
                "delay": { "before": procedure.delay.parts(), "after": updated.delay.parts() },
                "service": { "before": procedure.service_id, "after": updated.service_id },
            }),
        )
        .await?;
    tx.commit().await?;
    let message = if regime_changed {
        page.tr.t1("pa-saved-regime", "count", filed)
    } else {
        page.tr.t("pa-saved")
    };
    page::flash(&session, "success", message).await?;
    Ok(Redirect::to(&format!("/backoffice/demarches/{}", updated.slug)).into_response())
}

// ---------------------------------------------------------------- the workflow

pub struct StatusRow {
    /// `status-{key}`: the start of the ids of its form's fields.
    pub prefix: String,
    pub key: String,
    pub label: String,
    pub phase: String,
    pub count: i64,
}

pub struct TransitionRow {
    /// `transition-{index}`, or `new-transition` for the form that adds one.
    pub prefix: String,
    pub is_new: bool,
    pub index: usize,
    pub from: String,
    pub to: String,
    pub label: String,
    pub message: String,
    pub requests_documents: bool,
    pub decision_document: bool,
    pub assign_to: String,
    /// What the row says in words (« Déposée → En cours d'instruction »).
    pub heading: String,
}

#[derive(Default)]
pub struct NewStatusForm {
    pub key: String,
    pub label: String,
    pub phase: String,
    pub exit_to: String,
    pub exit_label: String,
}

#[derive(askama::Template)]
#[template(path = "admin_workflow.html")]
struct WorkflowPage {
    page: Page,
    slug: String,
    heading: String,
    section: &'static str,
    statuses: Vec<StatusRow>,
    /// (key, label) of the procedure's statuses, for the move lists.
    status_keys: Vec<(String, String)>,
    phases: Vec<(String, String)>,
    reassigns: Vec<(String, String)>,
    legal: Vec<(String, String)>,
    new_status: NewStatusForm,
    /// The procedure's moves, then the form that adds one.
    transitions_and_new: Vec<TransitionRow>,
    errors: FormErrors,
}

impl WorkflowPage {
    /// The error shown next to `{prefix}-{field}`.
    fn error(&self, prefix: &str, field: &str) -> Option<&str> {
        self.errors.get(&format!("{prefix}-{field}"))
    }
}

fn reassign_value(r: &Option<Reassign>) -> String {
    match r {
        None => String::new(),
        Some(Reassign::Unassign) => "unassign".into(),
        Some(Reassign::Service(id)) => format!("service:{id}"),
    }
}

fn transition_row(workflow: &Workflow, index: usize, t: &Transition) -> TransitionRow {
    TransitionRow {
        prefix: format!("transition-{index}"),
        is_new: false,
        index,
        heading: format!("{} → {}", workflow.label(&t.from), workflow.label(&t.to)),
        from: t.from.clone(),
        to: t.to.clone(),
        label: t.label.clone(),
        message: t.message.clone().unwrap_or_default(),
        requests_documents: t.requests_documents,
        decision_document: t.decision_document,
        assign_to: reassign_value(&t.assign_to),
    }
}

/// Values typed in the form that was posted, shown again with its errors.
enum Typed {
    Nothing,
    Status {
        key: String,
        label: String,
        phase: String,
    },
    NewStatus(NewStatusForm),
    Transition(TransitionRow),
}

async fn workflow_page(
    kernel: &Kernel,
    page: Page,
    procedure: &Procedure,
    typed: Typed,
    errors: FormErrors,
) -> Result<WorkflowPage, AppError> {
    let tr = page.tr.clone();
    let workflow = &procedure.workflow;
    let counts = {
        let mut conn = kernel.db.pool().acquire().await?;
        store::status_counts(&mut conn, &procedure.id).await?
    };
    let services = accounts::store::services(&kernel.db).await?;
    let mut statuses: Vec<StatusRow> = workflow
        .statuses
        .iter()
        .map(|s| StatusRow {
            prefix: format!("status-{}", s.key),
            key: s.key.clone(),
            label: s.label.clone(),
            phase: s.phase.as_str().into(),
            count: counts.get(&s.key).copied().unwrap_or(0),
        })
        .collect();
    let mut transitions: Vec<TransitionRow> = workflow
        .transitions
        .iter()
        .enumerate()
        .map(|(i, t)| transition_row(workflow, i, t))
        .collect();
    let mut new_status = NewStatusForm {
        phase: Phase::Open.as_str().into(),
        ..NewStatusForm::default()
    };
    let mut new_transition = TransitionRow {
        prefix: "new-transition".into(),
        is_new: true,
        index: usize::MAX,
        from: String::new(),
        to: String::new(),
        label: String::new(),
        message: String::new(),
        requests_documents: false,
        decision_document: false,
        assign_to: String::new(),
        heading: String::new(),
    };
    match typed {
        Typed::Nothing => {}
        Typed::Status { key, label, phase } => {
            if let Some(row) = statuses.iter_mut().find(|s| s.key == key) {
                row.label = label;
                row.phase = phase;
            }
        }
        Typed::NewStatus(form) => new_status = form,
        Typed::Transition(row) if row.is_new => new_transition = row,
        Typed::Transition(row) => {
            if let Some(shown) = transitions.get_mut(row.index) {
                let heading = std::mem::take(&mut shown.heading);
                *shown = TransitionRow { heading, ..row };
            }
        }
    }
    let mut reassigns = vec![
        (String::new(), tr.t("pa-wf-reassign-none")),
        ("unassign".to_string(), tr.t("pa-wf-reassign-unassign")),
    ];
    reassigns.extend(services.iter().map(|s| {
        (
            format!("service:{}", s.id),
            tr.t1("pa-wf-reassign-service", "service", &s.name),
        )
    }));
    Ok(WorkflowPage {
        slug: procedure.slug.clone(),
        heading: procedure.title.clone(),
        section: "circuit",
        status_keys: workflow
            .statuses
            .iter()
            .map(|s| (s.key.clone(), format!("{} ({})", s.label, s.key)))
            .collect(),
        phases: Phase::ALL
            .iter()
            .map(|p| {
                (
                    p.as_str().to_string(),
                    tr.t(&format!("pa-phase-{}", p.as_str().replace('_', "-"))),
                )
            })
            .collect(),
        legal: [
            crate::workflow::DRAFT,
            crate::workflow::DEEMED_ACCEPTED,
            crate::workflow::DEEMED_REJECTED,
            crate::workflow::TRANSMITTED,
        ]
        .iter()
        .map(|k| (k.to_string(), workflow.label(k)))
        .collect(),
        statuses,
        transitions_and_new: {
            transitions.push(new_transition);
            transitions
        },
        reassigns,
        new_status,
        errors,
        page,
    })
}

pub async fn workflow(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let procedure = editable(&kernel, &caller, &slug).await?;
    let view = workflow_page(&kernel, page, &procedure, Typed::Nothing, FormErrors::new()).await?;
    Ok(render(&view)?.into_response())
}

/// Where each kind of refusal is shown, for the form that was posted.
#[derive(Default)]
struct Anchors {
    key: Option<String>,
    label: Option<String>,
    phase: Option<String>,
    from: Option<String>,
    to: Option<String>,
    exit_to: Option<String>,
    exit_label: Option<String>,
    message: Option<String>,
    /// The form's button: what is left.
    button: String,
}

impl Anchors {
    fn status(key: &str) -> Anchors {
        Anchors {
            label: Some(format!("status-{key}-label")),
            phase: Some(format!("status-{key}-phase")),
            button: format!("status-{key}-save"),
            ..Anchors::default()
        }
    }
    fn remove_status(key: &str) -> Anchors {
        Anchors {
            button: format!("status-{key}-remove"),
            ..Anchors::default()
        }
    }
    fn new_status() -> Anchors {
        Anchors {
            key: Some("new-status-key".into()),
            label: Some("new-status-label".into()),
            phase: Some("new-status-phase".into()),
            exit_to: Some("new-status-exit-to".into()),
            exit_label: Some("new-status-exit-label".into()),
            button: "new-status-add".into(),
            ..Anchors::default()
        }
    }
    fn transition(prefix: &str) -> Anchors {
        Anchors {
            label: Some(format!("{prefix}-label")),
            from: Some(format!("{prefix}-from")),
            to: Some(format!("{prefix}-to")),
            message: Some(format!("{prefix}-message")),
            button: format!("{prefix}-save"),
            ..Anchors::default()
        }
    }
    fn button(id: &str) -> Anchors {
        Anchors {
            button: id.into(),
            ..Anchors::default()
        }
    }

    fn pick(&self, choices: &[&Option<String>]) -> String {
        choices
            .iter()
            .find_map(|c| c.as_ref().cloned())
            .unwrap_or_else(|| self.button.clone())
    }

    fn for_problem(&self, problem: &WorkflowProblem) -> String {
        match problem {
            WorkflowProblem::DuplicateStatus(_) | WorkflowProblem::ReservedStatus(_) => {
                self.pick(&[&self.key])
            }
            WorkflowProblem::DeadEnd(_) => self.pick(&[&self.exit_to, &self.phase, &self.from]),
            WorkflowProblem::LeavesFinal(_) => self.pick(&[&self.phase, &self.from]),
            WorkflowProblem::UnknownStatus(_)
            | WorkflowProblem::DuplicateMove { .. }
            | WorkflowProblem::RefusalWithoutDecision { .. } => {
                self.pick(&[&self.to, &self.exit_to])
            }
            WorkflowProblem::NoSubmittedStatus => self.button.clone(),
        }
    }

    fn for_refusal(&self, refusal: &EditRefusal) -> String {
        match refusal {
            EditRefusal::BadKey => self.pick(&[&self.key]),
            EditRefusal::StatusLabel => self.pick(&[&self.label]),
            EditRefusal::TransitionLabel => self.pick(&[&self.exit_label, &self.label]),
            EditRefusal::MessageTooLong => self.pick(&[&self.message]),
            EditRefusal::InUse { .. } => self.pick(&[&self.phase]),
            EditRefusal::Problems(problems) => problems
                .first()
                .map(|p| self.for_problem(p))
                .unwrap_or_else(|| self.button.clone()),
            EditRefusal::NoSuchStatus | EditRefusal::NoSuchTransition => self.button.clone(),
        }
    }
}

/// A workflow problem in words, with the statuses' labels.
fn problem_text(tr: &Tr, workflow: &Workflow, problem: &WorkflowProblem) -> String {
    match problem {
        WorkflowProblem::NoSubmittedStatus => tr.t("pa-wf-problem-no-submitted"),
        WorkflowProblem::DuplicateStatus(key) => tr.t1("pa-wf-problem-duplicate", "key", key),
        WorkflowProblem::ReservedStatus(key) => tr.t1("pa-wf-problem-reserved", "key", key),
        WorkflowProblem::UnknownStatus(key) => tr.t1("pa-wf-problem-unknown", "key", key),
        WorkflowProblem::DeadEnd(key) => {
            tr.t1("pa-wf-problem-dead-end", "status", workflow.label(key))
        }
        WorkflowProblem::LeavesFinal(key) => {
            tr.t1("pa-wf-problem-leaves-final", "status", workflow.label(key))
        }
        WorkflowProblem::DuplicateMove { from, to } => tr.t2(
            "pa-wf-problem-duplicate-move",
            "from",
            workflow.label(from),
            "to",
            workflow.label(to),
        ),
        WorkflowProblem::RefusalWithoutDecision { from, to } => tr.t2(
            "pa-wf-problem-refusal-decision",
            "from",
            workflow.label(from),
            "to",
            workflow.label(to),
        ),
    }
}

fn refusal_text(tr: &Tr, before: &Workflow, edited: &Workflow, refusal: &EditRefusal) -> String {
    match refusal {
        EditRefusal::BadKey => tr.t("pa-wf-error-key"),
        EditRefusal::StatusLabel => tr.t("pa-wf-error-status-label"),
        EditRefusal::TransitionLabel => tr.t("pa-wf-error-transition-label"),
        EditRefusal::MessageTooLong => tr.t("pa-wf-error-message"),
        EditRefusal::NoSuchStatus | EditRefusal::NoSuchTransition => tr.t("pa-wf-error-stale"),
        EditRefusal::InUse { status, count } => tr.t2(
            "pa-wf-error-in-use",
            "count",
            count,
            "status",
            before.label(status),
        ),
        EditRefusal::Problems(problems) => problems
            .iter()
            .map(|p| problem_text(tr, edited, p))
            .collect::<Vec<_>>()
            .join(" "),
    }
}

fn parse_reassign(
    value: &str,
    services: &[accounts::model::Service],
) -> Result<Option<Reassign>, ()> {
    match value {
        "" => Ok(None),
        "unassign" => Ok(Some(Reassign::Unassign)),
        other => match other.strip_prefix("service:") {
            Some(id) if services.iter().any(|s| s.id == id) => {
                Ok(Some(Reassign::Service(id.to_string())))
            }
            _ => Err(()),
        },
    }
}

fn posted_transition(posted: &Posted, index: usize) -> TransitionRow {
    let is_new = index == usize::MAX;
    TransitionRow {
        prefix: if is_new {
            "new-transition".into()
        } else {
            format!("transition-{index}")
        },
        is_new,
        index,
        from: posted.get("from"),
        to: posted.get("to"),
        label: posted.get("label").trim().to_string(),
        message: posted.get("message"),
        requests_documents: posted.checked("requests_documents"),
        decision_document: posted.checked("decision_document"),
        assign_to: posted.get("assign_to"),
        heading: String::new(),
    }
}

fn transition_of(row: &TransitionRow, assign_to: Option<Reassign>) -> Transition {
    let message = row.message.trim();
    Transition {
        from: row.from.clone(),
        to: row.to.clone(),
        label: row.label.trim().to_string(),
        message: (!message.is_empty()).then(|| message.replace("\r\n", "\n")),
        requests_documents: row.requests_documents,
        decision_document: row.decision_document,
        assign_to,
    }
}

pub async fn edit_workflow(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    session: Session,
    Path(slug): Path<String>,
    Form(values): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let procedure = editable(&kernel, &caller, &slug).await?;
    let posted = Posted { values };
    let action = posted.get("action");
    let services = accounts::store::services(&kernel.db).await?;
    let tr = page.tr.clone();
    let index: Option<usize> = posted.get("index").parse().ok();
    let was = (posted.get("was_from"), posted.get("was_to"));
    // The edit asked for, where to show its problems, and what to show again.
    let (edit, anchors, typed) = match action.as_str() {
        "add_status" => {
            let form = NewStatusForm {
                key: posted.get("key").trim().to_string(),
                label: posted.get("label").trim().to_string(),
                phase: posted.get("phase"),
                exit_to: posted.get("exit_to"),
                exit_label: posted.get("exit_label").trim().to_string(),
            };
            let anchors = Anchors::new_status();
            let Some(phase) = Phase::parse(&form.phase) else {
                return refuse_workflow(
                    &kernel,
                    page,
                    &procedure,
                    Typed::NewStatus(form),
                    "new-status-phase",
                    tr.t("pa-wf-error-phase"),
                )
                .await;
            };
            let exit = if form.exit_to.is_empty() && form.exit_label.is_empty() {
                None
            } else if form.exit_to.is_empty() {
                return refuse_workflow(
                    &kernel,
                    page,
                    &procedure,
                    Typed::NewStatus(form),
                    "new-status-exit-to",
                    tr.t("pa-wf-error-exit-to"),
                )
                .await;
            } else {
                Some(Transition {
                    from: form.key.clone(),
                    to: form.exit_to.clone(),
                    label: form.exit_label.clone(),
                    message: None,
                    requests_documents: false,
                    decision_document: false,
                    assign_to: None,
                })
            };
            let edit = WorkflowEdit::AddStatus {
                status: Status {
                    key: form.key.clone(),
                    label: form.label.clone(),
                    phase,
                },
                exit,
            };
            (edit, anchors, Typed::NewStatus(form))
        }
        "edit_status" => {
            let key = posted.get("key");
            let label = posted.get("label").trim().to_string();
            let phase_text = posted.get("phase");
            let typed = Typed::Status {
                key: key.clone(),
                label: label.clone(),
                phase: phase_text.clone(),
            };
            let Some(phase) = Phase::parse(&phase_text) else {
                let anchor = format!("status-{key}-phase");
                return refuse_workflow(
                    &kernel,
                    page,
                    &procedure,
                    typed,
                    &anchor,
                    tr.t("pa-wf-error-phase"),
                )
                .await;
            };
            let anchors = Anchors::status(&key);
            (
                WorkflowEdit::EditStatus { key, label, phase },
                anchors,
                typed,
            )
        }
        "remove_status" => {
            let key = posted.get("key");
            let anchors = Anchors::remove_status(&key);
            (WorkflowEdit::RemoveStatus { key }, anchors, Typed::Nothing)
        }
        "add_transition" | "edit_transition" => {
            let adding = action == "add_transition";
            let row = posted_transition(
                &posted,
                if adding {
                    usize::MAX
                } else {
                    index.unwrap_or(usize::MAX - 1)
                },
            );
            let prefix = if adding {
                "new-transition".to_string()
            } else {
                format!("transition-{}", row.index)
            };
            let anchors = Anchors::transition(&prefix);
            // A manager hands requests over only to services they manage.
            let identity = manager(&caller)?;
            let allowed: Vec<accounts::model::Service> = services
                .iter()
                .filter(|s| may_manage_procedures_of(identity, &s.id))
                .cloned()
                .collect();
            let Ok(assign_to) = parse_reassign(&row.assign_to, &allowed) else {
                let anchor = format!("{prefix}-assign-to");
                return refuse_workflow(
                    &kernel,
                    page,
                    &procedure,
                    Typed::Transition(row),
                    &anchor,
                    tr.t("pa-wf-error-reassign"),
                )
                .await;
            };
            let transition = transition_of(&row, assign_to);
            let edit = if adding {
                WorkflowEdit::AddTransition(transition)
            } else {
                WorkflowEdit::EditTransition {
                    index: row.index,
                    was,
                    transition,
                }
            };
            (edit, anchors, Typed::Transition(row))
        }
        "remove_transition" => {
            let index = index.unwrap_or(usize::MAX);
            let anchors = Anchors::button(&format!("transition-{index}-remove"));
            (
                WorkflowEdit::RemoveTransition { index, was },
                anchors,
                Typed::Nothing,
            )
        }
        "reset" => (
            WorkflowEdit::Reset,
            Anchors::button("reset"),
            Typed::Nothing,
        ),
        _ => return Err(AppError::BadRequest("action inconnue".into())),
    };
    let action_name = action.clone();
    let mut tx = kernel.db.begin().await?;
    // Read again inside the transaction: the change is made on the workflow as it is now.
    let mut current = store::procedure_for_update(&mut tx, &procedure.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let counts = store::status_counts(&mut tx, &current.id).await?;
    match admin::apply_edit(&current.workflow, edit.clone(), &counts) {
        Ok(next) => {
            current.workflow = next;
            store::save_procedure(&mut tx, &current, kernel.now()).await?;
            kernel
                .audit(
                    &mut tx,
                    &caller,
                    "procedure.workflow_changed",
                    Some(&AuditTarget::new("procedure", &current.id)),
                    serde_json::json!({
                        "slug": current.slug,
                        "action": action_name,
                        "edit": format!("{edit:?}"),
                    }),
                )
                .await?;
            tx.commit().await?;
            page::flash(&session, "success", tr.t("pa-wf-saved")).await?;
            Ok(
                Redirect::to(&format!("/backoffice/demarches/{}/circuit", current.slug))
                    .into_response(),
            )
        }
        Err(refusal) => {
            tx.rollback().await?;
            // The problems are explained with the labels of the workflow as edited (a new
            // status's label is known only there).
            let edited = preview(&current.workflow, &edit);
            let anchor = anchors.for_refusal(&refusal);
            let text = refusal_text(&tr, &current.workflow, &edited, &refusal);
            refuse_workflow(&kernel, page, &current, typed, &anchor, text).await
        }
    }
}

/// The workflow with the edit made regardless of its problems, to name what it mentions.
fn preview(workflow: &Workflow, edit: &WorkflowEdit) -> Workflow {
    let mut next = workflow.clone();
    match edit {
        WorkflowEdit::AddStatus { status, exit } => {
            next.statuses.push(status.clone());
            next.transitions.extend(exit.clone());
        }
        WorkflowEdit::EditStatus { key, label, phase } => {
            if let Some(s) = next.statuses.iter_mut().find(|s| &s.key == key) {
                s.label = label.clone();
                s.phase = *phase;
            }
        }
        _ => {}
    }
    next
}

async fn refuse_workflow(
    kernel: &Kernel,
    page: Page,
    procedure: &Procedure,
    typed: Typed,
    anchor: &str,
    message: String,
) -> Result<Response, AppError> {
    let mut errors = FormErrors::new();
    errors.add(anchor, message);
    let view = workflow_page(kernel, page, procedure, typed, errors).await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &view)
}

// ---------------------------------------------------------------- routing

pub struct RuleRow {
    pub index: usize,
    pub text: String,
    pub service: String,
    /// The team the rule names, empty for the service's common inbox.
    pub team: String,
    pub fingerprint: String,
    /// The rule names a field the published form no longer has: it never holds.
    pub missing_field: bool,
    pub first: bool,
    pub last: bool,
}

pub struct OptionGroup {
    pub label: String,
    pub options: Vec<Opt>,
}

#[derive(Default)]
pub struct RoutingInput {
    pub choice_answer: String,
    pub choice_service: String,
    pub choice_team: String,
    pub text_field: String,
    pub text_value: String,
    pub text_service: String,
    pub text_team: String,
    pub district_field: String,
    pub district_name: String,
    pub district_service: String,
    pub district_team: String,
    pub street_name: String,
    pub street_district: String,
}

#[derive(askama::Template)]
#[template(path = "admin_routing.html")]
struct RoutingPage {
    page: Page,
    slug: String,
    heading: String,
    section: &'static str,
    default_service: String,
    has_form: bool,
    rules: Vec<RuleRow>,
    choice_groups: Vec<OptionGroup>,
    text_fields: Vec<Opt>,
    address_fields: Vec<Opt>,
    districts: Vec<Opt>,
    services: Vec<(String, String)>,
    /// Teams grouped by service: (service name, [(team id, team name)]).
    team_groups: Vec<(String, Vec<(String, String)>)>,
    streets: Vec<Street>,
    input: RoutingInput,
    errors: FormErrors,
}

fn field_label(form: Option<&FormDefinition>, key: &str) -> Option<String> {
    form.and_then(|f| f.fields().find(|x| x.key == key))
        .map(|f| f.label.clone())
}

async fn routing_page(
    kernel: &Kernel,
    page: Page,
    procedure: &Procedure,
    input: RoutingInput,
    errors: FormErrors,
) -> Result<RoutingPage, AppError> {
    let tr = page.tr.clone();
    let services = accounts::store::services(&kernel.db).await?;
    let version = store::published_version(&kernel.db, &procedure.id).await?;
    let form = version.as_ref().map(|v| &v.definition);
    let rules = store::routing_rules(&kernel.db, &procedure.id).await?;
    let streets = store::streets(&kernel.db).await?;
    let teams = accounts::store::teams(&kernel.db).await?;
    let count = rules.len();
    let rule_rows = rules
        .iter()
        .enumerate()
        .map(|(index, rule)| {
            let (field, text) = match &rule.condition {
                RouteCondition::Answer { field, equals } => (
                    field,
                    tr.t2(
                        "pa-rt-rule-answer",
                        "field",
                        field_label(form, field).unwrap_or_else(|| field.clone()),
                        "value",
                        equals,
                    ),
                ),
                RouteCondition::District { field, district } => (
                    field,
                    tr.t2(
                        "pa-rt-rule-district",
                        "field",
                        field_label(form, field).unwrap_or_else(|| field.clone()),
                        "district",
                        district,
                    ),
                ),
            };
            RuleRow {
                index,
                missing_field: field_label(form, field).is_none(),
                text,
                service: service_name(&services, &rule.service_id),
                team: rule
                    .team_id
                    .as_ref()
                    .and_then(|id| teams.iter().find(|t| &t.id == id))
                    .map(|t| t.name.clone())
                    .unwrap_or_default(),
                fingerprint: admin::rule_fingerprint(rule),
                first: index == 0,
                last: index + 1 == count,
            }
        })
        .collect();
    let mut choice_groups = Vec::new();
    let mut text_fields = Vec::new();
    let mut address_fields = Vec::new();
    for field in form.into_iter().flat_map(|f| f.fields()) {
        if matches!(field.kind, crate::forms::FieldKind::PostalAddress) {
            address_fields.push((field.key.clone(), field.label.clone()));
        }
        match admin::routable_values(field) {
            Some(Some(options)) => choice_groups.push(OptionGroup {
                label: field.label.clone(),
                options: options
                    .into_iter()
                    .map(|o| {
                        let value = format!("{}={o}", field.key);
                        Opt {
                            selected: value == input.choice_answer,
                            value,
                            label: o,
                        }
                    })
                    .collect(),
            }),
            Some(None) => text_fields.push((field.key.clone(), field.label.clone())),
            None => {}
        }
    }
    let districts = admin::districts(&streets)
        .into_iter()
        .map(|d| (d.clone(), d))
        .collect::<Vec<_>>();
    Ok(RoutingPage {
        slug: procedure.slug.clone(),
        heading: procedure.title.clone(),
        section: "orientation",
        default_service: service_name(&services, &procedure.service_id),
        has_form: form.is_some(),
        rules: rule_rows,
        choice_groups,
        text_fields: opts(text_fields, &[input.text_field.as_str()]),
        address_fields: opts(address_fields, &[input.district_field.as_str()]),
        districts: opts(districts, &[input.district_name.as_str()]),
        services: services
            .iter()
            .map(|s| (s.id.clone(), s.name.clone()))
            .collect(),
        team_groups: services
            .iter()
            .map(|s| {
                (
                    s.name.clone(),
                    teams
                        .iter()
                        .filter(|t| t.service_id == s.id)
                        .map(|t| (t.id.clone(), t.name.clone()))
                        .collect::<Vec<_>>(),
                )
            })
            .filter(|(_, teams)| !teams.is_empty())
            .collect(),
        streets,
        input,
        errors,
        page,
    })
}

pub async fn routing(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let procedure = editable(&kernel, &caller, &slug).await?;
    let view = routing_page(
        &kernel,
        page,
        &procedure,
        RoutingInput::default(),
        FormErrors::new(),
    )
    .await?;
    Ok(render(&view)?.into_response())
}

fn rule_problem_key(problem: RuleProblem) -> &'static str {
    match problem {
        RuleProblem::NoPublishedForm => "pa-rt-error-no-form",
        RuleProblem::UnknownField => "pa-rt-error-field",
        RuleProblem::NotAnOption => "pa-rt-error-option",
        RuleProblem::EmptyValue => "pa-rt-error-value",
        RuleProblem::NotAnAddressField => "pa-rt-error-address-field",
        RuleProblem::UnknownDistrict => "pa-rt-error-district",
        RuleProblem::UnknownService => "pa-rt-error-service",
        RuleProblem::TeamNotInService => "pa-rt-error-team",
        RuleProblem::Stale => "pa-rt-error-stale",
    }
}

pub async fn edit_routing(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    session: Session,
    Path(slug): Path<String>,
    Form(values): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let procedure = editable(&kernel, &caller, &slug).await?;
    let posted = Posted { values };
    let action = posted.get("action");
    let tr = page.tr.clone();
    let back = format!("/backoffice/demarches/{}/orientation", procedure.slug);
    let input = RoutingInput {
        choice_answer: posted.get("choice_answer"),
        choice_service: posted.get("choice_service"),
        choice_team: posted.get("choice_team"),
        text_field: posted.get("text_field"),
        text_value: posted.get("text_value"),
        text_service: posted.get("text_service"),
        text_team: posted.get("text_team"),
        district_field: posted.get("district_field"),
        district_name: posted.get("district_name"),
        district_service: posted.get("district_service"),
        district_team: posted.get("district_team"),
        street_name: posted.get("street_name"),
        street_district: posted.get("street_district"),
    };
    let streets = store::streets(&kernel.db).await?;

    if action == "add_street" {
        // The street list routes every procedure: the commune's administrators keep it.
        if !manager(&caller)?.has_role(Role::Administrator) {
            return Err(AppError::Forbidden);
        }
        let street = match admin::check_street(&input.street_name, &input.street_district, &streets)
        {
            Ok(street) => street,
            Err(problems) => {
                let mut errors = FormErrors::new();
                for p in problems {
                    let (field, key) = match p {
                        StreetProblem::Name => ("street_name", "pa-rt-error-street-name"),
                        StreetProblem::Duplicate => ("street_name", "pa-rt-error-street-duplicate"),
                        StreetProblem::District => {
                            ("street_district", "pa-rt-error-street-district")
                        }
                    };
                    errors.add(field, tr.t(key));
                }
                let view = routing_page(&kernel, page, &procedure, input, errors).await?;
                return render_status(StatusCode::UNPROCESSABLE_ENTITY, &view);
            }
        };
        let mut tx = kernel.db.begin().await?;
        store::insert_street(&mut tx, &street.name, &street.district).await?;
        kernel
            .audit(
                &mut tx,
                &caller,
                "street.created",
                None,
                serde_json::json!({ "name": street.name, "district": street.district }),
            )
            .await?;
        tx.commit().await?;
        page::flash(
            &session,
            "success",
            tr.t2(
                "pa-rt-street-added",
                "street",
                &street.name,
                "district",
                &street.district,
            ),
        )
        .await?;
        return Ok(Redirect::to(&back).into_response());
    }

    let services = accounts::store::services(&kernel.db).await?;
    let version = store::published_version(&kernel.db, &procedure.id).await?;
    let form = version.as_ref().map(|v| &v.definition);
    // A manager sends requests (and the personal data in them) only to services they
    // manage; administrators to any.
    let identity = manager(&caller)?;
    let service_of = |id: &str| {
        services
            .iter()
            .any(|s| s.id == id && may_manage_procedures_of(identity, &s.id))
            .then(|| id.to_string())
            .ok_or(RuleProblem::UnknownService)
    };
    let teams: Vec<(String, String)> = accounts::store::teams(&kernel.db)
        .await?
        .into_iter()
        .map(|t| (t.id, t.service_id))
        .collect();
    // The service and team of a new rule, or the field its problem is shown next to.
    let target = |service: &str,
                  team: &str,
                  service_field: &'static str,
                  team_field: &'static str|
     -> Result<(String, Option<String>), (&'static str, RuleProblem)> {
        let service_id = service_of(service).map_err(|p| (service_field, p))?;
        let team_id =
            admin::team_of_service(&teams, &service_id, team).map_err(|p| (team_field, p))?;
        Ok((service_id, team_id))
    };
    let index: usize = posted.get("index").parse().unwrap_or(usize::MAX);
    let fingerprint = posted.get("fingerprint");
    // The edit, or the field its problem is shown next to.
    let edit: Result<RoutingEdit, (&str, RuleProblem)> = match action.as_str() {
        "add_choice" => {
            let (field, value) = input.choice_answer.split_once('=').unwrap_or(("", ""));
            match (
                admin::answer_condition(form, field, value),
                target(
                    &input.choice_service,
                    &input.choice_team,
                    "choice_service",
                    "choice_team",
                ),
            ) {
                (Err(p), _) => Err(("choice_answer", p)),
                (_, Err(refusal)) => Err(refusal),
                (Ok(condition), Ok((service_id, team_id))) => Ok(RoutingEdit::Add(RoutingRule {
                    condition,
                    service_id,
                    team_id,
                })),
            }
        }
        "add_text" => match (
            admin::answer_condition(form, &input.text_field, &input.text_value),
            target(
                &input.text_service,
                &input.text_team,
                "text_service",
                "text_team",
            ),
        ) {
            (Err(p @ RuleProblem::EmptyValue), _) => Err(("text_value", p)),
            (Err(p), _) => Err(("text_field", p)),
            (_, Err(refusal)) => Err(refusal),
            (Ok(condition), Ok((service_id, team_id))) => Ok(RoutingEdit::Add(RoutingRule {
                condition,
                service_id,
                team_id,
            })),
        },
        "add_district" => match (
            admin::district_condition(form, &input.district_field, &input.district_name, &streets),
            target(
                &input.district_service,
                &input.district_team,
                "district_service",
                "district_team",
            ),
        ) {
            (Err(p @ RuleProblem::UnknownDistrict), _) => Err(("district_name", p)),
            (Err(p), _) => Err(("district_field", p)),
            (_, Err(refusal)) => Err(refusal),
            (Ok(condition), Ok((service_id, team_id))) => Ok(RoutingEdit::Add(RoutingRule {
                condition,
                service_id,
                team_id,
            })),
        },
        "up" => Ok(RoutingEdit::Up { index, fingerprint }),
        "down" => Ok(RoutingEdit::Down { index, fingerprint }),
        "remove" => Ok(RoutingEdit::Remove { index, fingerprint }),
        _ => return Err(AppError::BadRequest("action inconnue".into())),
    };
    let mut refusal = edit.as_ref().err().copied();
    if let Ok(edit) = &edit {
        // The rules are read under the procedure's lock: of two edits at once, neither is
        // lost (the second sees the first, or is refused as made on an older page).
        let mut tx = kernel.db.begin().await?;
        store::lock_procedure(&mut tx, &procedure.id).await?;
        let rules = store::routing_rules_in(&mut tx, &procedure.id).await?;
        match admin::edit_rules(&rules, edit.clone()) {
            Ok(next) => {
                store::replace_routing_rules(&mut tx, &procedure.id, &next).await?;
                kernel
                    .audit(
                        &mut tx,
                        &caller,
                        "procedure.routing_changed",
                        Some(&AuditTarget::new("procedure", &procedure.id)),
                        serde_json::json!({
                            "slug": procedure.slug,
                            "action": action,
                            "rules": next.iter().map(admin::rule_fingerprint).collect::<Vec<_>>(),
                        }),
                    )
                    .await?;
                tx.commit().await?;
                page::flash(&session, "success", tr.t("pa-rt-saved")).await?;
                return Ok(Redirect::to(&back).into_response());
            }
            Err(problem) => refusal = Some(("rules", problem)),
        }
    }
    let (field, problem) = refusal.unwrap_or(("rules", RuleProblem::Stale));
    let mut errors = FormErrors::new();
    errors.add(field, tr.t(rule_problem_key(problem)));
    let view = routing_page(&kernel, page, &procedure, input, errors).await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &view)
}
