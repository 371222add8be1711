//! The JSON API of online procedures (`/api/v1/`): the catalogue, the requests an agent may
//! see with their legal dates and history, and requests recorded by another system on an
//! agent's behalf.
//!
//! Calls authenticate with a personal token issued in the back office
//! (`Authorization: Bearer pvs_…`) and act as that staff member, with the roles and
//! services they hold at the time of the call. The session cookie is never read here: the
//! API is exempt from the form tokens (CSRF), so a cookie alone must not open it, or any
//! web page could make a logged-in agent's browser call it.
//!
//! The OpenAPI document is built from the same handler annotations as the router
//! (`utoipa-axum`), so a route cannot exist without being described.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json, Router};
use fluent_templates::fluent_bundle::FluentValue;
use kernel::audit::AuditTarget;
use kernel::i18n::{Lang, Tr};
use kernel::{Caller, Kernel};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::actions::{self, CounterRequest, RequestError, inbox_services, may_handle, today};
use crate::forms::{AnswerProblem, Answers, FormDefinition};
use crate::model::{Channel, DeemedDecision, Delay, Procedure, ProcedureKind, Regime, Request};
use crate::rules::deemed_decision;
use crate::store::{self, InboxQuery};
use crate::web::form_view::problem_message;
use crate::workflow::{Phase, Workflow};

/// Where the API lives; every path below starts with it.
pub const PREFIX: &str = "/api/v1";
/// The largest page of a list.
pub const MAX_PER_PAGE: i64 = 100;
const DEFAULT_PER_PAGE: i64 = 50;

// ---------------------------------------------------------------- errors

/// The body of every error: a stable code for programs, a sentence in French for people
/// (the same shape as the errors the platform returns for any path under `/api/`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// `unauthorized`, `forbidden`, `not_found`, `bad_request`, `invalid_parameter`,
    /// `invalid`, `conflict` or `internal_error`.
    #[schema(example = "not_found")]
    pub code: String,
    /// What went wrong, in French.
    #[schema(example = "Aucune demande ne porte ce numéro.")]
    pub message: String,
    /// With `invalid`: every field to correct.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

/// Where a refused value was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldSource {
    /// A member of the request body (`received_on`, `applicant.name` …).
    Body,
    /// An answer to the procedure's form, by the field's key.
    Answers,
}

/// One value to correct.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldError {
    pub source: FieldSource,
    /// The body member or the form field's key.
    #[schema(example = "enfant_nom")]
    pub key: String,
    /// `required`, `too_short`, `too_long`, `pattern_mismatch`, `not_a_number`, `below_min`,
    /// `above_max`, `not_a_date`, `not_an_email`, `not_a_phone`, `not_an_option`,
    /// `unknown_field`, `unknown_procedure`, `not_fileable`, `invalid_channel`,
    /// `in_the_future`, `unknown_account`.
    #[schema(example = "required")]
    pub code: String,
    /// What to change, in French.
    #[schema(example = "Ce champ est obligatoire.")]
    pub message: String,
}

/// What can go wrong in an API call; each becomes one status and one code.
#[derive(Debug)]
pub enum ApiError {
    /// No token, an unknown or revoked one, or its owner is no longer staff.
    Unauthorized,
    Forbidden,
    /// The catalogue key of what was not found.
    NotFound(&'static str),
    /// What was not found, already in French (for another capability's catalogue).
    Missing(String),
    /// The body is not the JSON expected.
    BadJson(String),
    /// A query parameter cannot be used; the message says which and why.
    InvalidParameter(String),
    Invalid(Vec<FieldError>),
    Conflict(String),
    Internal(anyhow::Error),
}

/// A text of the crate's catalogue, in French: the API speaks French to people.
fn french(key: &str, args: &[(&'static str, String)]) -> String {
    use fluent_templates::Loader;
    let lang = fluent_templates::langid!("fr");
    if args.is_empty() {
        return crate::LOCALES.lookup(&lang, key);
    }
    let args: HashMap<Cow<'static, str>, FluentValue> = args
        .iter()
        .map(|(name, value)| (Cow::Borrowed(*name), FluentValue::from(value.clone())))
        .collect();
    crate::LOCALES.lookup_with_args(&lang, key, &args)
}

impl ApiError {
    fn parts(self) -> (StatusCode, &'static str, String, Vec<FieldError>) {
        match self {
            ApiError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                french("api-error-unauthorized", &[]),
                vec![],
            ),
            ApiError::Forbidden => (
                StatusCode::FORBIDDEN,
                "forbidden",
                french("api-error-forbidden", &[]),
                vec![],
            ),
            ApiError::NotFound(key) => {
                (StatusCode::NOT_FOUND, "not_found", french(key, &[]), vec![])
            }
            ApiError::Missing(message) => (StatusCode::NOT_FOUND, "not_found", message, vec![]),
            ApiError::BadJson(detail) => (
                StatusCode::BAD_REQUEST,
                "bad_request",
                french("api-error-bad-json", &[("detail", detail)]),
                vec![],
            ),
            ApiError::InvalidParameter(message) => (
                StatusCode::BAD_REQUEST,
                "invalid_parameter",
                message,
                vec![],
            ),
            ApiError::Invalid(fields) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                french("api-error-invalid", &[]),
                fields,
            ),
            ApiError::Conflict(message) => (StatusCode::CONFLICT, "conflict", message, vec![]),
            ApiError::Internal(cause) => {
                tracing::error!(error = ?cause, "erreur interne de l'API");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal_error",
                    french("api-error-internal", &[]),
                    vec![],
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message, fields) = self.parts();
        let body = ErrorBody {
            error: ErrorDetail {
                code: code.into(),
                message,
                fields,
            },
        };
        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"parvis\""),
            );
        }
        response
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        ApiError::Internal(e.into())
    }
}

impl From<RequestError> for ApiError {
    fn from(e: RequestError) -> Self {
        match e {
            RequestError::NotFound => ApiError::NotFound("api-error-request-not-found"),
            RequestError::Forbidden => ApiError::Forbidden,
            // Handlers word answer problems themselves; this is the fallback.
            RequestError::Invalid(_) => ApiError::Invalid(vec![]),
            RequestError::Conflict(message) => ApiError::Conflict(message.into()),
            RequestError::Db(e) => e.into(),
            RequestError::Storage(e) => ApiError::Internal(anyhow::anyhow!(e)),
        }
    }
}

// ---------------------------------------------------------------- extractors

/// The account a bearer token stands for: a staff member, or a resident calling for their
/// own family. Only the `Authorization` header counts.
pub struct ApiCaller(pub Caller);

/// A bearer token's owner who is staff; a resident's token is refused (403).
pub struct ApiStaff(pub Caller);

impl FromRequestParts<Kernel> for ApiStaff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, kernel: &Kernel) -> Result<Self, ApiError> {
        let ApiCaller(caller) = ApiCaller::from_request_parts(parts, kernel).await?;
        if !caller.identity.as_ref().is_some_and(|i| i.is_staff()) {
            return Err(ApiError::Forbidden);
        }
        Ok(ApiStaff(caller))
    }
}

/// The token of an `Authorization: Bearer <token>` header.
pub fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

impl FromRequestParts<Kernel> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, kernel: &Kernel) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(bearer_token)
            .ok_or(ApiError::Unauthorized)?;
        let identity = actions::authenticate_api_token(kernel, token)
            .await?
            .ok_or(ApiError::Unauthorized)?;
        Ok(ApiCaller(Caller {
            identity: Some(identity),
            acting_for: None,
            ip: kernel::web::page::client_ip(parts, kernel.config.behind_proxy),
        }))
    }
}

/// Query parameters, refused with a JSON error (not axum's plain text) when unreadable.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::try_from_uri(&parts.uri)
            .map(|q| ApiQuery(q.0))
            .map_err(|e| {
                ApiError::InvalidParameter(french("api-error-query", &[("detail", e.body_text())]))
            })
    }
}

// ---------------------------------------------------------------- JSON types

/// A service of the commune.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceJson {
    #[schema(example = "etat-civil")]
    pub slug: String,
    #[schema(example = "État civil et citoyenneté")]
    pub name: String,
}

/// A team inside a service, named by its slug within that service.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamJson {
    #[schema(example = "equipe-nord")]
    pub slug: String,
    #[schema(example = "Équipe Nord")]
    pub name: String,
}

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DelayUnit {
    Months,
    Weeks,
    Days,
}

/// The delay after which silence is a decision.
#[derive(Debug, Serialize, ToSchema)]
pub struct DelayJson {
    pub unit: DelayUnit,
    #[schema(example = 2)]
    pub count: i64,
}

/// What silence means, and after which delay (CRPA L231-1, L231-4).
#[derive(Debug, Serialize, ToSchema)]
pub struct RegimeJson {
    pub kind: Regime,
    pub delay: DelayJson,
}

/// A procedure of the catalogue.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProcedureJson {
    #[schema(example = "location-salle")]
    pub slug: String,
    pub title: String,
    #[schema(example = "vie-associative")]
    pub theme: String,
    pub summary: String,
    pub kind: ProcedureKind,
    /// Who may file it: `resident`, `association`, `business`.
    pub audiences: Vec<String>,
    pub regime: RegimeJson,
    /// The text the regime comes from.
    pub legal_basis: String,
    /// The delay announced to residents, in words.
    pub expected_delay: String,
    /// For an information procedure: where to go.
    pub info_url: Option<String>,
    /// The service in charge (before routing rules).
    pub service: Option<ServiceJson>,
    /// Shown in the catalogue (false: being prepared).
    pub listed: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProcedureList {
    pub items: Vec<ProcedureJson>,
}

/// The form version new requests are filed with.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublishedForm {
    pub version: i64,
    #[schema(format = DateTime)]
    pub published_at: Option<String>,
    pub definition: FormDefinition,
}

/// A procedure with its description, its published form and its workflow.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProcedureDetail {
    #[serde(flatten)]
    pub procedure: ProcedureJson,
    pub description: String,
    /// Documents to have at hand.
    pub documents: Vec<String>,
    /// None for an information procedure, or one whose form is not published yet.
    pub form: Option<PublishedForm>,
    pub workflow: Workflow,
}

/// A procedure, named.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProcedureRef {
    pub slug: String,
    pub title: String,
}

/// A status of the request's workflow.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusJson {
    #[schema(example = "under_review")]
    pub key: String,
    #[schema(example = "En cours d'instruction")]
    pub label: String,
    pub phase: Phase,
}

/// A staff member.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonJson {
    pub name: String,
    pub email: String,
}

/// Who filed the request, or for whom it was recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicantJson {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    /// The applicant has an account (and follows the request online).
    pub has_account: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeemedKind {
    /// Deemed accepted at the end of `date` without an express decision.
    Accepted,
    /// Deemed rejected at the end of `date` without an express decision.
    Rejected,
    /// Documents are awaited: the delay does not run (no date).
    Suspended,
}

/// The implicit decision the law attaches to silence, as the rules compute it.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeemedDecisionJson {
    pub kind: DeemedKind,
    #[schema(format = Date, example = "2027-01-16")]
    pub date: Option<String>,
}

/// A request for missing documents (L114-5).
#[derive(Debug, Serialize, ToSchema)]
pub struct CompletionJson {
    #[schema(format = Date)]
    pub requested_on: String,
    #[schema(format = Date)]
    pub answered_on: Option<String>,
}

/// A filed request, as agents see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequestJson {
    #[schema(example = "DEM-2026-000012")]
    pub number: String,
    pub procedure: ProcedureRef,
    pub service: Option<ServiceJson>,
    /// The team of that service the request went to; null for the service's common list.
    pub team: Option<TeamJson>,
    pub assignee: Option<PersonJson>,
    pub status: StatusJson,
    pub channel: Channel,
    pub applicant: ApplicantJson,
    /// Answers by field key; every answer is a list (several for a multiple choice).
    pub answers: BTreeMap<String, Vec<String>>,
    /// The day the commune received the request (Europe/Paris): legal delays run from it.
    #[schema(format = Date, example = "2026-11-16")]
    pub received_on: Option<String>,
    /// When the request was first sent to another authority and forwarded (L114-2): the day
    /// the competent authority received it.
    #[schema(format = Date)]
    pub competent_received_on: Option<String>,
    /// The regime as it was when the request was received.
    pub regime: RegimeJson,
    /// Null when silence means nothing for this procedure, or once the request is decided.
    pub deemed_decision: Option<DeemedDecisionJson>,
    #[schema(format = DateTime)]
    pub submitted_at: Option<String>,
    /// When an express (or implicit) decision closed it.
    #[schema(format = DateTime)]
    pub decided_at: Option<String>,
    pub completion_requests: Vec<CompletionJson>,
}

/// A line of the list of requests.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequestSummary {
    pub number: String,
    pub procedure: ProcedureRef,
    pub service: Option<ServiceJson>,
    /// The team of that service the request went to; null for the service's common list.
    pub team: Option<TeamJson>,
    pub assignee: Option<PersonJson>,
    pub status: StatusJson,
    pub channel: Channel,
    pub applicant_name: String,
    #[schema(format = Date)]
    pub received_on: Option<String>,
    /// As in the request: null when none is to come.
    pub deemed_decision: Option<DeemedDecisionJson>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RequestList {
    /// Requests matching the filters, over every page.
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub items: Vec<RequestSummary>,
}

/// Something that happened to the request.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventJson {
    #[schema(format = DateTime)]
    pub at: String,
    pub actor: String,
    /// `submitted`, `status`, `assigned`, `routed` …
    pub kind: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub detail: String,
    /// Shown to the applicant too (false: agents only).
    pub public: bool,
}

/// A message between the applicant and the service.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageJson {
    #[schema(format = DateTime)]
    pub at: String,
    pub author: String,
    pub from_staff: bool,
    pub body: String,
}

/// An internal note between agents; never shown to the applicant.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoteJson {
    #[schema(format = DateTime)]
    pub at: String,
    pub author: String,
    pub body: String,
}

/// A file of the request (its content is not sent).
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentJson {
    pub id: String,
    pub name: String,
    pub size_bytes: i64,
    /// `answer`, `document`, `decision`, `acknowledgement`, `attestation`.
    pub kind: String,
    /// For an answer: the form field it answers.
    pub field_key: Option<String>,
    pub from_staff: bool,
    pub public: bool,
    #[schema(format = DateTime)]
    pub added_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryJson {
    pub number: String,
    pub events: Vec<EventJson>,
    pub messages: Vec<MessageJson>,
    pub notes: Vec<NoteJson>,
    pub documents: Vec<DocumentJson>,
}

/// An answer: one text, or several for a multiple choice.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum AnswerInput {
    One(String),
    Many(Vec<String>),
}

/// The applicant: the e-mail of their account, or a contact record for someone without
/// one (then `name` is required).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ApplicantInput {
    #[schema(example = "camille.martin@demo.parvis.fr")]
    pub account_email: Option<String>,
    #[schema(example = "Germaine Roux")]
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
}

/// A request received at the counter, by phone, letter or e-mail, to record.
/// Members left out are reported with the other values to correct (422), not as bad JSON.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct NewRequest {
    /// The procedure's slug.
    #[serde(default)]
    #[schema(required = true, example = "location-salle")]
    pub procedure: String,
    /// How it was received: `counter`, `phone`, `letter` or `email`.
    #[serde(default)]
    #[schema(required = true, value_type = Channel, example = "letter")]
    pub channel: String,
    /// The day it was received (not in the future): legal delays run from it.
    #[serde(default)]
    #[schema(required = true, format = Date, example = "2026-11-16")]
    pub received_on: String,
    #[serde(default)]
    #[schema(required = true)]
    pub applicant: ApplicantInput,
    /// Answers by field key, as the procedure's published form defines them.
    #[serde(default)]
    pub answers: BTreeMap<String, AnswerInput>,
}

/// Filters of the list of requests; each one narrows it.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequestFilters {
    /// A service's slug.
    pub service: Option<String>,
    /// A procedure's slug.
    pub procedure: Option<String>,
    /// A status key (`submitted`, `under_review`, `accepted`, `deemed_accepted` …).
    pub status: Option<String>,
    pub channel: Option<Channel>,
    /// Words found in the number, the applicant's name or the answers.
    pub q: Option<String>,
    /// `me`, `none` (nobody holds it) or a staff member's e-mail address.
    pub assignee: Option<String>,
    /// `mine` (the caller's teams), `none` (no team) or a team's slug (with `service` to
    /// tell apart two services' teams of the same slug).
    pub team: Option<String>,
    /// `true`: only requests with no decision yet.
    pub open: Option<bool>,
    /// From 1.
    #[param(minimum = 1)]
    pub page: Option<i64>,
    /// From 1 to 100; 50 by default.
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

// ---------------------------------------------------------------- conversions

fn instant(at: jiff::Timestamp) -> String {
    at.to_string()
}

fn date(on: jiff::civil::Date) -> String {
    on.to_string()
}

fn regime_json(regime: Regime, delay: Delay) -> RegimeJson {
    let (unit, count) = match delay {
        Delay::Months(n) => (DelayUnit::Months, i64::from(n)),
        Delay::Weeks(n) => (DelayUnit::Weeks, i64::from(n)),
        Delay::Days(n) => (DelayUnit::Days, i64::from(n)),
    };
    RegimeJson {
        kind: regime,
        delay: DelayJson { unit, count },
    }
}

fn deemed_json(deemed: DeemedDecision) -> Option<DeemedDecisionJson> {
    let (kind, on) = match deemed {
        DeemedDecision::NotApplicable => return None,
        DeemedDecision::Suspended => (DeemedKind::Suspended, None),
        DeemedDecision::AcceptedOn { on } => (DeemedKind::Accepted, Some(on)),
        DeemedDecision::RejectedOn { on } => (DeemedKind::Rejected, Some(on)),
    };
    Some(DeemedDecisionJson {
        kind,
        date: on.map(date),
    })
}

fn service_json(services: &[accounts::model::Service], id: &str) -> Option<ServiceJson> {
    services.iter().find(|s| s.id == id).map(|s| ServiceJson {
        slug: s.slug.clone(),
        name: s.name.clone(),
    })
}

fn team_json(teams: &[accounts::model::Team], id: Option<&str>) -> Option<TeamJson> {
    let id = id?;
    teams.iter().find(|t| t.id == id).map(|t| TeamJson {
        slug: t.slug.clone(),
        name: t.name.clone(),
    })
}

fn status_json(workflow: &Workflow, key: &str) -> StatusJson {
    StatusJson {
        key: key.to_string(),
        label: workflow.label(key),
        phase: workflow.phase(key),
    }
}

fn procedure_json(p: &Procedure, services: &[accounts::model::Service]) -> ProcedureJson {
    ProcedureJson {
        slug: p.slug.clone(),
        title: p.title.clone(),
        theme: p.theme.clone(),
        summary: p.summary.clone(),
        kind: p.kind,
        audiences: p.audiences.clone(),
        regime: regime_json(p.regime, p.delay),
        legal_basis: p.legal_basis.clone(),
        expected_delay: p.expected_delay.clone(),
        info_url: p.info_url.clone(),
        service: service_json(services, &p.service_id),
        listed: p.listed,
    }
}

/// A request as agents see it, its implicit decision computed by the rules from its
/// receipt and its completion requests.
async fn request_json(kernel: &Kernel, request: &Request) -> Result<RequestJson, ApiError> {
    let procedure = store::procedure_by_id(&kernel.db, &request.procedure_id)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("procédure de la demande absente")))?;
    let services = accounts::store::services(&kernel.db).await?;
    let teams = accounts::store::teams(&kernel.db).await?;
    let assignee = match &request.assignee_id {
        Some(id) => accounts::store::user_by_id(&kernel.db, id)
            .await?
            .map(|u| PersonJson {
                name: u.display_name(),
                email: u.email,
            }),
        None => None,
    };
    let completions = {
        let mut conn = kernel.db.pool().acquire().await?;
        store::completions(&mut conn, &request.id).await?
    };
    // Once decided, no implicit decision is to come: agents see no deadline either.
    let deemed = if procedure.workflow.phase(&request.status).is_final() {
        DeemedDecision::NotApplicable
    } else {
        request
            .deadline_facts(&completions)
            .map(|facts| deemed_decision(&facts))
            .unwrap_or(DeemedDecision::NotApplicable)
    };
    Ok(RequestJson {
        number: request.number.clone().unwrap_or_default(),
        procedure: ProcedureRef {
            slug: procedure.slug.clone(),
            title: procedure.title.clone(),
        },
        service: service_json(&services, &request.service_id),
        team: team_json(&teams, request.team_id.as_deref()),
        assignee,
        status: status_json(&procedure.workflow, &request.status),
        channel: request.channel,
        applicant: ApplicantJson {
            name: request.applicant_name.clone(),
            email: request.applicant_email.clone(),
            phone: request.applicant_phone.clone(),
            address: request.applicant_address.clone(),
            has_account: request.applicant_id.is_some(),
        },
        answers: request.answers.clone(),
        received_on: request.received_on.map(date),
        competent_received_on: request.competent_received_on.map(date),
        regime: regime_json(request.regime, request.delay),
        deemed_decision: deemed_json(deemed),
        submitted_at: request.submitted_at.map(instant),
        decided_at: request.decided_at.map(instant),
        completion_requests: completions
            .iter()
            .map(|c| CompletionJson {
                requested_on: date(c.requested_on),
                answered_on: c.answered_on.map(date),
            })
            .collect(),
    })
}

/// A filed request the caller handles: unknown numbers are 404, another service's 403 (as
/// on the back-office page).
async fn load_request(kernel: &Kernel, caller: &Caller, number: &str) -> Result<Request, ApiError> {
    let request = store::request_by_number(&kernel.db, number)
        .await?
        .filter(|r| r.number.is_some())
        .ok_or(ApiError::NotFound("api-error-request-not-found"))?;
    if !may_handle(caller, &request) {
        return Err(ApiError::Forbidden);
    }
    Ok(request)
}

/// Every reading of a person's request by an agent is in the audit log, through the API as
/// on the back-office page.
async fn audit_view(
    kernel: &Kernel,
    caller: &Caller,
    request: &Request,
    part: &str,
) -> Result<(), ApiError> {
    kernel
        .audit_view(
            caller,
            "request.view",
            Some(&AuditTarget::new("request", &request.id)),
            serde_json::json!({ "number": request.number, "via": "api", "part": part }),
        )
        .await?;
    Ok(())
}

/// The stable code of an answer problem.
pub fn problem_code(problem: &AnswerProblem) -> &'static str {
    match problem {
        AnswerProblem::Required => "required",
        AnswerProblem::TooShort { .. } => "too_short",
        AnswerProblem::TooLong { .. } => "too_long",
        AnswerProblem::PatternMismatch { .. } => "pattern_mismatch",
        AnswerProblem::NotANumber => "not_a_number",
        AnswerProblem::BelowMin { .. } => "below_min",
        AnswerProblem::AboveMax { .. } => "above_max",
        AnswerProblem::NotADate => "not_a_date",
        AnswerProblem::NotAnEmail => "not_an_email",
        AnswerProblem::NotAPhone => "not_a_phone",
        AnswerProblem::NotAnOption => "not_an_option",
    }
}

fn answer_errors(tr: &Tr, problems: &[(String, AnswerProblem)]) -> Vec<FieldError> {
    problems
        .iter()
        .map(|(key, problem)| FieldError {
            source: FieldSource::Answers,
            key: key.clone(),
            code: problem_code(problem).into(),
            message: problem_message(tr, problem),
        })
        .collect()
}

fn body_error(key: &str, code: &str, message: String) -> FieldError {
    FieldError {
        source: FieldSource::Body,
        key: key.into(),
        code: code.into(),
        message,
    }
}

// ---------------------------------------------------------------- handlers

/// The catalogue: every procedure, listed or being prepared.
#[utoipa::path(
    get,
    path = "/api/v1/procedures",
    tag = "procedures",
    operation_id = "list_procedures",
    responses(
        (status = 200, description = "The catalogue, by theme then title.", body = ProcedureList),
        (status = 401, description = "No token, or an unknown or revoked one.", body = ErrorBody),
        (status = 403, description = "The token belongs to a resident: this is for agents.", body = ErrorBody),
        (status = 500, description = "A technical error; nothing was changed.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
async fn list_procedures(
    State(kernel): State<Kernel>,
    ApiStaff(_caller): ApiStaff,
) -> Result<Json<ProcedureList>, ApiError> {
    let services = accounts::store::services(&kernel.db).await?;
    let items = store::procedures(&kernel.db, false, "")
        .await?
        .iter()
        .map(|p| procedure_json(p, &services))
        .collect();
    Ok(Json(ProcedureList { items }))
}

/// One procedure, with its published form and its workflow.
#[utoipa::path(
    get,
    path = "/api/v1/procedures/{slug}",
    tag = "procedures",
    operation_id = "get_procedure",
    params(("slug" = String, Path, description = "The procedure's slug.", example = "location-salle")),
    responses(
        (status = 200, description = "The procedure.", body = ProcedureDetail),
        (status = 401, description = "No token, or an unknown or revoked one.", body = ErrorBody),
        (status = 403, description = "The token belongs to a resident: this is for agents.", body = ErrorBody),
        (status = 500, description = "A technical error; nothing was changed.", body = ErrorBody),
        (status = 404, description = "No procedure has this slug.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
async fn get_procedure(
    State(kernel): State<Kernel>,
    ApiStaff(_caller): ApiStaff,
    Path(slug): Path<String>,
) -> Result<Json<ProcedureDetail>, ApiError> {
    let procedure = store::procedure_by_slug(&kernel.db, &slug)
        .await?
        .ok_or(ApiError::NotFound("api-error-procedure-not-found"))?;
    let services = accounts::store::services(&kernel.db).await?;
    let form = store::published_version(&kernel.db, &procedure.id)
        .await?
        .map(|v| PublishedForm {
            version: v.version,
            published_at: v.published_at.map(instant),
            definition: v.definition,
        });
    Ok(Json(ProcedureDetail {
        procedure: procedure_json(&procedure, &services),
        description: procedure.description.clone(),
        documents: procedure.documents.clone(),
        form,
        workflow: procedure.workflow.clone(),
    }))
}

/// The requests of the caller's services (every service for an administrator), as in the
/// inbox: soonest legal deadline first.
#[utoipa::path(
    get,
    path = "/api/v1/requests",
    tag = "requests",
    operation_id = "list_requests",
    params(RequestFilters),
    responses(
        (status = 200, description = "One page of requests, with the total.", body = RequestList),
        (status = 400, description = "A parameter cannot be used (unknown slug, page out of range).", body = ErrorBody),
        (status = 403, description = "The token belongs to a resident: this is for agents.", body = ErrorBody),
        (status = 401, description = "No token, or an unknown or revoked one.", body = ErrorBody),
        (status = 500, description = "A technical error; nothing was changed.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
async fn list_requests(
    State(kernel): State<Kernel>,
    ApiStaff(caller): ApiStaff,
    ApiQuery(filters): ApiQuery<RequestFilters>,
) -> Result<Json<RequestList>, ApiError> {
    let visible = inbox_services(&kernel, &caller).await?;
    let services = accounts::store::services(&kernel.db).await?;
    let invalid = |name: &'static str| {
        ApiError::InvalidParameter(french("api-error-parameter", &[("name", name.into())]))
    };
    let service = match filters.service.as_deref() {
        Some(slug) => Some(
            services
                .iter()
                .find(|s| s.slug == slug)
                .ok_or_else(|| invalid("service"))?
                .id
                .clone(),
        ),
        None => None,
    };
    let procedure = match filters.procedure.as_deref() {
        Some(slug) => Some(
            store::procedure_by_slug(&kernel.db, slug)
                .await?
                .ok_or_else(|| invalid("procedure"))?
                .id,
        ),
        None => None,
    };
    let assignee = match filters.assignee.as_deref() {
        None => None,
        Some("me") => caller.identity.as_ref().map(|i| i.user_id.clone()),
        Some("none") => Some("none".to_string()),
        Some(email) => Some(
            accounts::store::user_by_email(&kernel.db, &email.trim().to_lowercase())
                .await?
                .ok_or_else(|| invalid("assignee"))?
                .id,
        ),
    };
    let teams = accounts::store::teams(&kernel.db).await?;
    let team = match filters.team.as_deref() {
        None => None,
        Some("none") => Some(store::TeamFilter::NoTeam),
        Some("mine") => Some(store::TeamFilter::AnyOf(
            caller
                .identity
                .as_ref()
                .map(|i| i.team_ids.clone())
                .unwrap_or_default(),
        )),
        Some(slug) => {
            let matching: Vec<String> = teams
                .iter()
                .filter(|t| t.slug == slug && visible.contains(&t.service_id))
                .filter(|t| service.as_ref().is_none_or(|s| s == &t.service_id))
                .map(|t| t.id.clone())
                .collect();
            if matching.is_empty() {
                return Err(invalid("team"));
            }
            Some(store::TeamFilter::AnyOf(matching))
        }
    };
    let page = filters.page.unwrap_or(1);
    if !(1..=1_000_000).contains(&page) {
        return Err(invalid("page"));
    }
    let per_page = filters.per_page.unwrap_or(DEFAULT_PER_PAGE);
    if !(1..=MAX_PER_PAGE).contains(&per_page) {
        return Err(invalid("per_page"));
    }
    let query = InboxQuery {
        services: visible,
        service,
        procedure,
        status: filters.status.clone(),
        assignee,
        channel: filters.channel.map(|c| c.as_str().to_string()),
        team,
        due_before: None,
        open_only: filters.open.unwrap_or(false),
        text: filters.q.unwrap_or_default().chars().take(100).collect(),
        limit: per_page,
        offset: (page - 1) * per_page,
    };
    let (rows, total) = store::inbox(&kernel.db, &query).await?;
    let items = rows
        .into_iter()
        .map(|r| RequestSummary {
            status: status_json(&r.workflow, &r.status),
            service: service_json(&services, &r.service_id),
            team: team_json(&teams, r.team_id.as_deref()),
            assignee: r
                .assignee_name
                .zip(r.assignee_email)
                .map(|(name, email)| PersonJson { name, email }),
            number: r.number,
            procedure: ProcedureRef {
                slug: r.procedure_slug,
                title: r.procedure_title,
            },
            channel: r.channel,
            applicant_name: r.applicant_name,
            received_on: r.received_on.map(date),
            deemed_decision: if r.workflow.phase(&r.status).is_final() {
                None
            } else {
                deemed_json(r.deemed)
            },
        })
        .collect();
    Ok(Json(RequestList {
        total,
        page,
        per_page,
        items,
    }))
}

/// One request, with its receipt date, its regime and its computed implicit decision.
/// Each call is recorded in the audit log as a view of personal data.
#[utoipa::path(
    get,
    path = "/api/v1/requests/{number}",
    tag = "requests",
    operation_id = "get_request",
    params(("number" = String, Path, description = "The request's number.", example = "DEM-2026-000012")),
    responses(
        (status = 200, description = "The request.", body = RequestJson),
        (status = 401, description = "No token, or an unknown or revoked one.", body = ErrorBody),
        (status = 500, description = "A technical error; nothing was changed.", body = ErrorBody),
        (status = 403, description = "The request belongs to a service the caller does not work for.", body = ErrorBody),
        (status = 404, description = "No request has this number.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
async fn get_request(
    State(kernel): State<Kernel>,
    ApiStaff(caller): ApiStaff,
    Path(number): Path<String>,
) -> Result<Json<RequestJson>, ApiError> {
    let request = load_request(&kernel, &caller, &number).await?;
    audit_view(&kernel, &caller, &request, "request").await?;
    Ok(Json(request_json(&kernel, &request).await?))
}

/// What happened to a request: events (public and internal), messages, internal notes and
/// documents (without their content). Audited like the request itself.
#[utoipa::path(
    get,
    path = "/api/v1/requests/{number}/history",
    tag = "requests",
    operation_id = "get_request_history",
    params(("number" = String, Path, description = "The request's number.", example = "DEM-2026-000012")),
    responses(
        (status = 200, description = "The history, oldest first.", body = HistoryJson),
        (status = 401, description = "No token, or an unknown or revoked one.", body = ErrorBody),
        (status = 500, description = "A technical error; nothing was changed.", body = ErrorBody),
        (status = 403, description = "The request belongs to a service the caller does not work for.", body = ErrorBody),
        (status = 404, description = "No request has this number.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
async fn get_request_history(
    State(kernel): State<Kernel>,
    ApiStaff(caller): ApiStaff,
    Path(number): Path<String>,
) -> Result<Json<HistoryJson>, ApiError> {
    let request = load_request(&kernel, &caller, &number).await?;
    audit_view(&kernel, &caller, &request, "history").await?;
    let events = store::events(&kernel.db, &request.id, false)
        .await?
        .into_iter()
        .map(|e| EventJson {
            at: instant(e.at),
            actor: e.actor_label,
            kind: e.kind,
            from_status: e.from_status,
            to_status: e.to_status,
            detail: e.detail,
            public: e.public,
        })
        .collect();
    let messages = store::messages(&kernel.db, &request.id)
        .await?
        .into_iter()
        .map(|m| MessageJson {
            at: instant(m.at),
            author: m.author_label,
            from_staff: m.from_staff,
            body: m.body,
        })
        .collect();
    let notes = store::notes(&kernel.db, &request.id)
        .await?
        .into_iter()
        .map(|n| NoteJson {
            at: instant(n.at),
            author: n.author_label,
            body: n.body,
        })
        .collect();
    let documents = store::documents(&kernel.db, &request.id)
        .await?
        .into_iter()
        .map(|d| DocumentJson {
            id: d.id,
            name: d.name,
            size_bytes: d.size_bytes,
            kind: d.kind,
            field_key: d.field_key,
            from_staff: d.from_staff,
            public: d.public,
            added_at: instant(d.at),
        })
        .collect();
    Ok(Json(HistoryJson {
        number: request.number.unwrap_or_default(),
        events,
        messages,
        notes,
        documents,
    }))
}

/// Records a request received at the counter, by phone, letter or e-mail, as the
/// back-office counter page does: same checks, same receipt (number, legal dates,
/// acknowledgement e-mail), same audit. Agents of the procedure's service and
/// administrators may.
#[utoipa::path(
    post,
    path = "/api/v1/requests",
    tag = "requests",
    operation_id = "record_request",
    request_body(content = NewRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "Recorded; `Location` gives its address.", body = RequestJson,
            headers(("Location" = String, description = "The new request's address in the API."))),
        (status = 400, description = "The body is not the JSON expected.", body = ErrorBody),
        (status = 401, description = "No token, or an unknown or revoked one.", body = ErrorBody),
        (status = 500, description = "A technical error; nothing was changed.", body = ErrorBody),
        (status = 403, description = "The caller may not record requests of this procedure.", body = ErrorBody),
        (status = 409, description = "The recording cannot be done as things stand.", body = ErrorBody),
        (status = 422, description = "Values to correct, field by field.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
async fn record_request(
    State(kernel): State<Kernel>,
    ApiStaff(caller): ApiStaff,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: NewRequest =
        serde_json::from_slice(&body).map_err(|e| ApiError::BadJson(e.to_string()))?;
    let tr = kernel.tr(Lang::Fr);
    let unknown_procedure = || {
        ApiError::Invalid(vec![body_error(
            "procedure",
            "unknown_procedure",
            french("api-field-unknown-procedure", &[]),
        )])
    };
    let procedure = store::procedure_by_slug(&kernel.db, input.procedure.trim())
        .await?
        .ok_or_else(unknown_procedure)?;
    // Who may record is decided before anything else is said about the input.
    if !actions::may_record(&caller, &procedure) {
        return Err(ApiError::Forbidden);
    }
    let version = match procedure.kind {
        ProcedureKind::Online => store::published_version(&kernel.db, &procedure.id).await?,
        ProcedureKind::Information => None,
    };
    let Some(version) = version else {
        return Err(ApiError::Invalid(vec![body_error(
            "procedure",
            "not_fileable",
            french("api-field-not-fileable", &[]),
        )]));
    };
    let mut errors = Vec::new();
    let channel = Channel::parse(input.channel.trim()).filter(|c| *c != Channel::Online);
    if channel.is_none() {
        errors.push(body_error(
            "channel",
            "invalid_channel",
            french("api-field-channel", &[]),
        ));
    }
    let received_on = input.received_on.trim().parse::<jiff::civil::Date>().ok();
    match received_on {
        None => errors.push(body_error(
            "received_on",
            "not_a_date",
            tr.t("answer-not-a-date"),
        )),
        Some(d) if d > today(&kernel) => errors.push(body_error(
            "received_on",
            "in_the_future",
            tr.t("counter-error-future"),
        )),
        Some(_) => {}
    }
    let applicant = &input.applicant;
    let clean = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(String::from)
    };
    let account = match clean(&applicant.account_email) {
        Some(email) => {
            let user = accounts::store::user_by_email(&kernel.db, &email.to_lowercase()).await?;
            if user.is_none() {
                errors.push(body_error(
                    "applicant.account_email",
                    "unknown_account",
                    french("api-field-unknown-account", &[]),
                ));
            }
            user
        }
        None => None,
    };
    if clean(&applicant.account_email).is_none() && clean(&applicant.name).is_none() {
        errors.push(body_error(
            "applicant.name",
            "required",
            tr.t("counter-error-name"),
        ));
    }
    let mut answers = Answers::new();
    for (key, value) in &input.answers {
        if !version.definition.fields().any(|f| &f.key == key) {
            errors.push(FieldError {
                source: FieldSource::Answers,
                key: key.clone(),
                code: "unknown_field".into(),
                message: french("api-field-unknown-field", &[]),
            });
            continue;
        }
        let values = match value {
            AnswerInput::One(v) => vec![v.clone()],
            AnswerInput::Many(v) => v.clone(),
        };
        answers.insert(key.clone(), values);
    }
    let problems: Vec<_> = actions::check_all(&version.definition, &answers)
        .into_iter()
        .map(|(_, key, problem)| (key, problem))
        .collect();
    errors.extend(answer_errors(&tr, &problems));
    let (Some(channel), Some(received_on), true) = (channel, received_on, errors.is_empty()) else {
        return Err(ApiError::Invalid(errors));
    };
    let counter = CounterRequest {
        channel,
        received_on,
        applicant_id: account.as_ref().map(|u| u.id.clone()),
        applicant_name: account
            .as_ref()
            .map(|u| u.display_name())
            .or_else(|| clean(&applicant.name))
            .unwrap_or_default(),
        applicant_email: account
            .as_ref()
            .map(|u| u.email.clone())
            .or_else(|| clean(&applicant.email)),
        applicant_phone: clean(&applicant.phone),
        applicant_address: clean(&applicant.address),
        answers,
    };
    let (request, _) =
        match actions::record_counter_request(&kernel, &caller, &procedure, counter).await {
            Ok(done) => done,
            // The form was published anew between the checks and the recording.
            Err(RequestError::Invalid(problems)) => {
                return Err(ApiError::Invalid(answer_errors(&tr, &problems)));
            }
            Err(e) => return Err(e.into()),
        };
    let json = request_json(&kernel, &request).await?;
    let location = format!("{PREFIX}/requests/{}", json.number);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(json),
    )
        .into_response())
}

/// This document. Public: it describes the API, it opens nothing.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "meta",
    operation_id = "openapi",
    responses((status = 200, description = "The OpenAPI document of this API.", content_type = "application/json", body = Object))
)]
async fn openapi_document(Extension(document): Extension<Arc<String>>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        document.as_str().to_owned(),
    )
        .into_response()
}

// ---------------------------------------------------------------- router and document

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Parvis",
        version = "1.0.0",
        description = "The JSON API of the commune's one-stop counter, for a mobile application and for the commune's other systems. \
            Every call but this document needs a personal token, sent as `Authorization: Bearer pvs_…`: \
            agents issue theirs in the back office (/backoffice/jetons-api), residents in their space (/mon-espace/jetons-api). \
            A call acts as the token's owner, with their current roles and services; the procedures and requests operations are for agents, \
            the family operations for a family's own adults and for the family service's agents. \
            Errors are JSON: `{\"error\": {\"code\": \"…\", \"message\": \"…\"}}`, messages in French."
    ),
    tags(
        (name = "procedures", description = "The catalogue: procedures, their legal regime, form and workflow."),
        (name = "requests", description = "Requests of the caller's services, their history, and requests recorded from the counter."),
        (name = "meta", description = "This description."),
    ),
    modifiers(&BearerSecurity),
    components(schemas(ErrorBody, ErrorDetail, FieldError, FieldSource))
)]
struct ApiDoc;

/// The scheme every protected operation refers to as `bearer`.
struct BearerSecurity;

impl utoipa::Modify for BearerSecurity {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("pvs_ token")
                    .description(Some(
                        "A personal token, issued to agents in the back office (/backoffice/jetons-api) and to residents in their space (/mon-espace/jetons-api).",
                    ))
                    .build(),
            ),
        );
    }
}

fn routes() -> OpenApiRouter<Kernel> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(list_procedures))
        .routes(routes!(get_procedure))
        .routes(routes!(list_requests, record_request))
        .routes(routes!(get_request))
        .routes(routes!(get_request_history))
        .routes(routes!(openapi_document))
}

/// The whole API: these routes and other capabilities' (`others`), described by one
/// OpenAPI document. Answers carry personal data: no cache keeps them.
pub fn router(others: Vec<OpenApiRouter<Kernel>>) -> Router<Kernel> {
    let (router, document) = others
        .into_iter()
        .fold(routes(), |all, more| all.merge(more))
        .split_for_parts();
    let document = Arc::new(
        document
            .to_pretty_json()
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}")),
    );
    router
        .layer(Extension(document))
        .layer(axum::middleware::map_response(no_store))
}

async fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

/// The OpenAPI document of this capability's routes alone.
pub fn openapi() -> utoipa::openapi::OpenApi {
    routes().split_for_parts().1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_tokens_are_read_from_the_header_only_when_well_formed() {
        assert_eq!(bearer_token("Bearer pvs_abc"), Some("pvs_abc"));
        assert_eq!(bearer_token("bearer   pvs_abc "), Some("pvs_abc"));
        assert_eq!(bearer_token("Basic dXNlcjpwYXNz"), None);
        assert_eq!(bearer_token("Bearer "), None);
        assert_eq!(bearer_token("pvs_abc"), None);
    }

    #[test]
    fn errors_have_the_platform_shape_with_french_messages() {
        let (status, code, message, fields) = ApiError::Unauthorized.parts();
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let body = serde_json::to_value(ErrorBody {
            error: ErrorDetail {
                code: code.into(),
                message: message.clone(),
                fields,
            },
        })
        .unwrap();
        assert_eq!(body, kernel::web::error::json_error_body(code, &message));
        assert!(message.contains("jeton"), "{message}");
        let (status, code, _, _) = ApiError::BadJson("x".into()).parts();
        assert_eq!((status, code), (StatusCode::BAD_REQUEST, "bad_request"));
    }

    #[test]
    fn every_answer_problem_has_its_own_code() {
        let problems = [
            AnswerProblem::Required,
            AnswerProblem::TooShort { min: 1 },
            AnswerProblem::TooLong { max: 1 },
            AnswerProblem::PatternMismatch {
                message: String::new(),
            },
            AnswerProblem::NotANumber,
            AnswerProblem::BelowMin { min: 1 },
            AnswerProblem::AboveMax { max: 1 },
            AnswerProblem::NotADate,
            AnswerProblem::NotAnEmail,
            AnswerProblem::NotAPhone,
            AnswerProblem::NotAnOption,
        ];
        let codes: std::collections::HashSet<_> = problems.iter().map(problem_code).collect();
        assert_eq!(codes.len(), problems.len());
    }

    #[test]
    fn the_deemed_decision_is_null_only_where_silence_means_nothing() {
        assert!(deemed_json(DeemedDecision::NotApplicable).is_none());
        let suspended = deemed_json(DeemedDecision::Suspended).unwrap();
        assert_eq!(
            (suspended.kind, suspended.date),
            (DeemedKind::Suspended, None)
        );
        let on = "2027-01-16".parse().unwrap();
        let rejected = deemed_json(DeemedDecision::RejectedOn { on }).unwrap();
        assert_eq!(rejected.kind, DeemedKind::Rejected);
        assert_eq!(rejected.date.as_deref(), Some("2027-01-16"));
    }

    #[test]
    fn the_document_describes_every_route_with_the_bearer_scheme() {
        let doc: serde_json::Value = serde_json::to_value(openapi()).unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
        assert_eq!(
            doc["components"]["securitySchemes"]["bearer"]["scheme"],
            "bearer"
        );
        let paths = doc["paths"].as_object().unwrap();
        assert_eq!(paths.len(), 6, "{:?}", paths.keys());
        assert!(paths["/api/v1/requests"]["post"]["requestBody"].is_object());
    }
}
