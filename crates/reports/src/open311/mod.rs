//! Open311 GeoReport v2 under `/open311/v2/`: discovery, services and their definitions,
//! request lists with their filters, one request, tokens, and the filing of a request by
//! a client holding a key. Every resource in XML and JSON, errors in the specification's
//! shape. Only public categories and public text are served; never the author.

pub mod doc;
pub mod keys;
pub mod params;
pub mod resources;

use std::collections::HashMap;

use axum::Router;
use axum::extract::{FromRequest, FromRequestParts, Multipart, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use kernel::{Caller, Kernel};

use self::doc::{Doc, Format, Value};
use self::params::{Location, Params, split_file};
use crate::actions::{self, NewReport, ReportError};
use crate::model::{Category, Report, Source, Update, UpdateKind};
use crate::store::{self, ReportFilter, ReportOrder};

/// Where the endpoint lives, as the discovery announces it.
pub const BASE_PATH: &str = "/open311/v2";
/// The largest form body read (photos come as multipart, whose limit is the upload's).
const FORM_LIMIT: usize = 1024 * 1024;

pub fn routes() -> Router<Kernel> {
    let api = Router::new()
        .route(
            "/{file}",
            get(top_level)
                .post(post_request)
                .options(preflight)
                .fallback(wrong_method),
        )
        .route(
            "/services/{file}",
            get(service_definition)
                .options(preflight)
                .fallback(wrong_method),
        )
        .route(
            "/requests/{file}",
            get(one_request).options(preflight).fallback(wrong_method),
        )
        .route(
            "/tokens/{file}",
            get(token).options(preflight).fallback(wrong_method),
        )
        .fallback(unknown_resource)
        .layer(middleware::from_fn(cors));
    Router::new().nest(BASE_PATH, api)
}

// ------------------------------------------------------------------ answers and errors

/// What stops an answer: an HTTP status and the errors to list, in French.
#[derive(Debug)]
struct Failure {
    status: StatusCode,
    messages: Vec<String>,
}

impl Failure {
    fn not_found(message: impl Into<String>) -> Failure {
        Failure {
            status: StatusCode::NOT_FOUND,
            messages: vec![message.into()],
        }
    }
    fn forbidden(message: impl Into<String>) -> Failure {
        Failure {
            status: StatusCode::FORBIDDEN,
            messages: vec![message.into()],
        }
    }
    fn bad(messages: Vec<String>) -> Failure {
        Failure {
            status: StatusCode::BAD_REQUEST,
            messages,
        }
    }
    fn internal(cause: impl std::fmt::Display) -> Failure {
        tracing::error!(error = %cause, "Open311 : erreur interne");
        Failure {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            messages: vec![
                "Erreur interne du serveur : réessayez plus tard ou prévenez la mairie.".into(),
            ],
        }
    }

    fn doc(&self) -> Doc {
        Doc::list(
            "errors",
            "error",
            self.messages
                .iter()
                .map(|m| resources::error(self.status.as_u16(), m))
                .collect(),
        )
    }
}

impl From<sqlx::Error> for Failure {
    fn from(e: sqlx::Error) -> Failure {
        Failure::internal(e)
    }
}

fn respond(format: Format, status: StatusCode, doc: &Doc) -> Response {
    let mut response = (status, doc.render(format)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    response
}

fn reply(format: Format, result: Result<Doc, Failure>) -> Response {
    match result {
        Ok(doc) => respond(format, StatusCode::OK, &doc),
        Err(failure) => respond(format, failure.status, &failure.doc()),
    }
}

/// A path without a known format: answered in XML, the format every client reads.
fn unknown_format(file: &str) -> Response {
    let failure = Failure::not_found(format!(
        "« {file} » : indiquez le format à la fin de l'adresse, .xml ou .json."
    ));
    respond(Format::Xml, failure.status, &failure.doc())
}

/// The resource and format of the last segment, when the format is known.
fn format_of(file: &str) -> Option<(&str, Format)> {
    match split_file(file) {
        (stem, Some(format)) => Some((stem, format)),
        _ => None,
    }
}

async fn unknown_resource(request: Request) -> Response {
    let path = request.uri().path().to_string();
    let format = path
        .rsplit('/')
        .next()
        .and_then(|last| split_file(last).1)
        .unwrap_or(Format::Xml);
    let failure = Failure::not_found(format!("Aucune ressource Open311 à l'adresse « {path} »."));
    respond(format, failure.status, &failure.doc())
}

fn only_requests_are_filed(method: &Method) -> String {
    format!(
        "La méthode {method} n'est pas acceptée ici : seules les demandes se déposent (POST requests)."
    )
}

async fn wrong_method(method: Method, Path(file): Path<String>) -> Response {
    let format = split_file(&file).1.unwrap_or(Format::Xml);
    let failure = Failure {
        status: StatusCode::METHOD_NOT_ALLOWED,
        messages: vec![only_requests_are_filed(&method)],
    };
    respond(format, failure.status, &failure.doc())
}

/// Any web page may read the public resources (CORS); filing stays with clients that
/// hold a key, which have no business running in a visitor's browser.
async fn cors(request: Request, next: Next) -> Response {
    let readable = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let mut response = next.run(request).await;
    if readable {
        response.headers_mut().insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
    }
    response
}

async fn preflight() -> Response {
    (
        StatusCode::NO_CONTENT,
        [
            (header::ACCESS_CONTROL_ALLOW_METHODS, "GET, HEAD, OPTIONS"),
            (header::ACCESS_CONTROL_ALLOW_HEADERS, "Accept, Content-Type"),
            (header::ACCESS_CONTROL_MAX_AGE, "86400"),
        ],
    )
        .into_response()
}

// ------------------------------------------------------------------ jurisdiction

/// The commune's `jurisdiction_id`: the host name of its public address.
pub fn jurisdiction_id(kernel: &Kernel) -> String {
    url::Url::parse(&kernel.config.base_url())
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        .unwrap_or_default()
}

/// A single-commune endpoint: the commune's own id is accepted and ignored, any other is
/// a jurisdiction Parvis does not serve.
fn check_jurisdiction(kernel: &Kernel, params: &Params) -> Result<(), Failure> {
    match params.get("jurisdiction_id") {
        Some(given) if !given.eq_ignore_ascii_case(&jurisdiction_id(kernel)) => {
            Err(Failure::not_found(format!(
                "jurisdiction_id « {given} » inconnu : ce point d'accès ne sert que « {} ».",
                jurisdiction_id(kernel)
            )))
        }
        _ => Ok(()),
    }
}

/// The API speaks French to people: the history's notes and the key service come from the
/// catalogue in French, whatever the client's language.
fn french(kernel: &Kernel) -> kernel::i18n::Tr {
    kernel.tr(kernel::i18n::Lang::Fr)
}

/// A call to a resource: its name and format from the last path segment, and the query
/// string's parameters.
struct Call {
    name: String,
    format: Format,
    params: Params,
}

impl FromRequestParts<Kernel> for Call {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, kernel: &Kernel) -> Result<Call, Response> {
        let file = Path::<String>::from_request_parts(parts, kernel)
            .await
            .map(|Path(file)| file)
            .unwrap_or_default();
        let Some((name, format)) = format_of(&file) else {
            return Err(unknown_format(&file));
        };
        Ok(Call {
            name: name.to_string(),
            format,
            params: Params::from_urlencoded(parts.uri.query().unwrap_or_default().as_bytes()),
        })
    }
}

// ------------------------------------------------------------------ reading

async fn top_level(State(kernel): State<Kernel>, call: Call) -> Response {
    let result = match check_jurisdiction(&kernel, &call.params) {
        Err(failure) => Err(failure),
        Ok(()) => match call.name.as_str() {
            "discovery" => Ok(discovery(&kernel)),
            "services" => services(&kernel).await,
            "requests" => list_requests(&kernel, &call.params).await,
            other => Err(Failure::not_found(format!(
                "Aucune ressource Open311 nommée « {other} »."
            ))),
        },
    };
    reply(call.format, result)
}

/// How a developer obtains a key, as the discovery tells it (in French) and the page
/// for developers shows it (in the visitor's language).
pub fn key_service(kernel: &Kernel, tr: &kernel::i18n::Tr) -> String {
    let commune = &kernel.config.commune;
    tr.tn(
        "open311-key-service",
        &[
            ("commune", commune.name.clone()),
            ("email", commune.email.clone()),
            ("url", kernel.link("/open311")),
        ],
    )
}

fn discovery(kernel: &Kernel) -> Doc {
    let commune = &kernel.config.commune;
    let contact = [
        commune.name.as_str(),
        commune.email.as_str(),
        commune.phone.as_str(),
    ]
    .iter()
    .filter(|s| !s.trim().is_empty())
    .copied()
    .collect::<Vec<_>>()
    .join(" — ");
    Doc::new(
        "discovery",
        Value::Object(vec![
            ("changeset", Value::text(resources::CHANGESET)),
            ("contact", Value::text(contact)),
            (
                "key_service",
                Value::text(key_service(kernel, &french(kernel))),
            ),
            (
                "endpoints",
                Value::List(
                    "endpoint",
                    vec![Value::Object(vec![
                        ("specification", Value::text(resources::SPECIFICATION)),
                        ("url", Value::text(kernel.link(BASE_PATH))),
                        ("changeset", Value::text(resources::CHANGESET)),
                        ("type", Value::text("production")),
                        (
                            "formats",
                            Value::List(
                                "format",
                                vec![Value::text("text/xml"), Value::text("application/json")],
                            ),
                        ),
                    ])],
                ),
            ),
        ]),
    )
}

async fn services(kernel: &Kernel) -> Result<Doc, Failure> {
    let all = store::categories(&kernel.db).await?;
    let list = resources::public_categories(&all)
        .into_iter()
        .map(|c| resources::service(c, &all))
        .collect();
    Ok(Doc::list("services", "service", list))
}

async fn service_definition(State(kernel): State<Kernel>, call: Call) -> Response {
    reply(call.format, definition(&kernel, &call).await)
}

async fn definition(kernel: &Kernel, call: &Call) -> Result<Doc, Failure> {
    check_jurisdiction(kernel, &call.params)?;
    let all = store::categories(&kernel.db).await?;
    let category = resources::public_categories(&all)
        .into_iter()
        .find(|c| c.code == call.name)
        .ok_or_else(|| Failure::not_found(unknown_service(&call.name)))?;
    Ok(Doc::new(
        "service_definition",
        resources::definition(category),
    ))
}

fn unknown_service(code: &str) -> String {
    format!("service_code « {code} » inconnu : la liste des services est dans services.xml.")
}

fn wants_notes(params: &Params) -> bool {
    params
        .get("extensions")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

async fn list_requests(kernel: &Kernel, params: &Params) -> Result<Doc, Failure> {
    let query = params::list_query(params, kernel.now()).map_err(Failure::bad)?;
    let all = store::categories(&kernel.db).await?;
    let readable = resources::readable_categories(&all);
    let mut filter = ReportFilter {
        order: ReportOrder::NewestFirst,
        ..ReportFilter::default()
    };
    let category_ids: Vec<String> = readable
        .iter()
        .filter(|c| {
            !query.ids.is_empty()
                || query.service_codes.is_empty()
                || query.service_codes.contains(&c.code)
        })
        .map(|c| c.id.clone())
        .collect();
    // An empty list means "any category" to the store: nothing to look for instead.
    if category_ids.is_empty() {
        return Ok(Doc::list("service_requests", "request", vec![]));
    }
    filter.category_ids = category_ids;
    if query.ids.is_empty() {
        filter.created_from = Some(query.from);
        filter.created_until = Some(query.until);
        filter.statuses = query.statuses;
        filter.limit = query.page_size;
        filter.offset = query.offset;
    } else {
        // Asked by id, every other filter is ignored (the specification says so).
        filter.limit = params::MAX_PAGE_SIZE;
        filter.ids = query.ids;
    }
    let reports = store::list_reports(&kernel.db, &filter).await?;
    let items = request_values(kernel, &all, &reports, wants_notes(params)).await?;
    Ok(Doc::list("service_requests", "request", items))
}

/// The public view of each report, with what it needs read in a few queries for the
/// whole list.
async fn request_values(
    kernel: &Kernel,
    categories: &[Category],
    reports: &[Report],
    with_notes: bool,
) -> Result<Vec<Value>, sqlx::Error> {
    let ids: Vec<String> = reports.iter().map(|r| r.id.clone()).collect();
    let photos = store::first_visible_photos(&kernel.db, &ids).await?;
    let mut history: HashMap<String, Vec<Update>> = HashMap::new();
    for update in store::public_updates_of(&kernel.db, &ids).await? {
        history
            .entry(update.report_id.clone())
            .or_default()
            .push(update);
    }
    let service_names: HashMap<String, String> = accounts::store::services(&kernel.db)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let tr = french(kernel);
    let label = |u: &Update| match (u.kind, u.status) {
        (UpdateKind::Status, Some(status)) => tr.t(status.label_key()),
        (UpdateKind::Filed, _) => tr.t("open311-note-filed"),
        _ => tr.t("open311-note-update"),
    };
    let mut values = Vec::with_capacity(reports.len());
    for report in reports {
        let Some(category) = categories.iter().find(|c| c.id == report.category_id) else {
            continue;
        };
        let entries = history.get(&report.id).map(Vec::as_slice).unwrap_or(&[]);
        let public = resources::public_history(entries);
        let cx = resources::Context {
            category,
            agency: resources::agency_of(report, &service_names),
            media_url: photos
                .get(&report.id)
                .map(|photo| kernel.link(&format!("/signalements/photos/{photo}"))),
            history: &public,
            status_note_hidden: resources::last_status_hidden(entries),
            with_notes,
        };
        values.push(resources::request(report, &cx, &label));
    }
    Ok(values)
}

/// A report the public may read: one of a category that is not private.
async fn readable_report(
    kernel: &Kernel,
    report: Option<Report>,
) -> Result<Option<(Report, Vec<Category>)>, sqlx::Error> {
    let Some(report) = report else {
        return Ok(None);
    };
    let all = store::categories(&kernel.db).await?;
    let readable = resources::readable_categories(&all)
        .iter()
        .any(|c| c.id == report.category_id);
    Ok(readable.then_some((report, all)))
}

async fn one_request(State(kernel): State<Kernel>, call: Call) -> Response {
    reply(call.format, find_request(&kernel, &call).await)
}

async fn find_request(kernel: &Kernel, call: &Call) -> Result<Doc, Failure> {
    check_jurisdiction(kernel, &call.params)?;
    let found = store::report_by_id(&kernel.db, &call.name).await?;
    let (report, all) = readable_report(kernel, found)
        .await?
        .ok_or_else(|| Failure::not_found(unknown_request(&call.name)))?;
    let items = request_values(
        kernel,
        &all,
        std::slice::from_ref(&report),
        wants_notes(&call.params),
    )
    .await?;
    Ok(Doc::list("service_requests", "request", items))
}

fn unknown_request(id: &str) -> String {
    format!("service_request_id « {id} » inconnu.")
}

async fn token(State(kernel): State<Kernel>, call: Call) -> Response {
    reply(call.format, find_token(&kernel, &call).await)
}

async fn find_token(kernel: &Kernel, call: &Call) -> Result<Doc, Failure> {
    check_jurisdiction(kernel, &call.params)?;
    let token = call.name.as_str();
    let found = store::report_by_open311_token(&kernel.db, token).await?;
    let (report, _) = readable_report(kernel, found)
        .await?
        .ok_or_else(|| Failure::not_found(format!("token « {token} » inconnu.")))?;
    Ok(Doc::list(
        "service_requests",
        "request",
        vec![Value::Object(vec![
            ("service_request_id", Value::text(&report.id)),
            ("token", Value::text(token)),
        ])],
    ))
}

// ------------------------------------------------------------------ filing

/// A file sent with a request (some clients attach the photo as `media`).
struct Upload {
    field: String,
    bytes: Vec<u8>,
}

async fn post_request(State(kernel): State<Kernel>, call: Call, request: Request) -> Response {
    if call.name != "requests" {
        let failure = Failure {
            status: StatusCode::METHOD_NOT_ALLOWED,
            messages: vec![only_requests_are_filed(&Method::POST)],
        };
        return respond(call.format, failure.status, &failure.doc());
    }
    reply(
        call.format,
        create_request(&kernel, call.params, request).await,
    )
}

/// Reads the fields of a POST: a form (url-encoded) or a multipart body with files.
async fn read_body(request: Request) -> Result<(Params, Vec<Upload>), Failure> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let unreadable = |e: &dyn std::fmt::Display| {
        Failure::bad(vec![format!("Le corps de la demande est illisible : {e}.")])
    };
    if content_type.starts_with("multipart/form-data") {
        let mut multipart = Multipart::from_request(request, &())
            .await
            .map_err(|e| unreadable(&e))?;
        let mut pairs = Vec::new();
        let mut uploads = Vec::new();
        while let Some(field) = multipart.next_field().await.map_err(|e| unreadable(&e))? {
            let name = field.name().unwrap_or_default().to_string();
            let is_file = field.file_name().is_some()
                || field
                    .content_type()
                    .is_some_and(|t| t.starts_with("image/"));
            let bytes = field.bytes().await.map_err(|e| unreadable(&e))?;
            if is_file {
                if !bytes.is_empty() {
                    uploads.push(Upload {
                        field: name,
                        bytes: bytes.to_vec(),
                    });
                }
            } else {
                pairs.push((name, String::from_utf8_lossy(&bytes).into_owned()));
            }
        }
        return Ok((Params::new(pairs), uploads));
    }
    let bytes = axum::body::to_bytes(request.into_body(), FORM_LIMIT)
        .await
        .map_err(|_| {
            Failure::bad(vec![
                "Le corps de la demande est trop volumineux : envoyez les photos en multipart/form-data."
                    .into(),
            ])
        })?;
    let is_form =
        content_type.is_empty() || content_type.starts_with("application/x-www-form-urlencoded");
    if !is_form && !bytes.is_empty() {
        return Err(Failure::bad(vec![
            "Envoyez les champs en application/x-www-form-urlencoded ou multipart/form-data."
                .into(),
        ]));
    }
    Ok((Params::from_urlencoded(&bytes), vec![]))
}

/// The Open311 parameter a problem of the filing is about, for the client's developer.
fn parameter_of(field: &str) -> String {
    match field {
        "category" => "service_code".into(),
        "location" => "lat/long".into(),
        "photos" => "media".into(),
        other => match other.strip_prefix("attribute.") {
            Some(code) => format!("attribute[{code}]"),
            None => other.to_string(),
        },
    }
}

async fn create_request(kernel: &Kernel, query: Params, request: Request) -> Result<Doc, Failure> {
    let (body, uploads) = read_body(request).await?;
    // The body first: a value there wins over the same one in the query string.
    let params = body.then(query);
    check_jurisdiction(kernel, &params)?;
    let key = params.get("api_key").ok_or_else(|| {
        Failure::forbidden(
            "api_key manquant : une clé d'API est nécessaire pour déposer une demande (voir key_service dans discovery.xml).",
        )
    })?;
    let client = keys::authenticate(kernel, key).await?.ok_or_else(|| {
        Failure::forbidden("api_key inconnu ou révoqué : demandez une clé à la mairie.")
    })?;
    let code = params
        .get("service_code")
        .ok_or_else(|| Failure::bad(vec!["service_code manquant.".into()]))?;
    let all = store::categories(&kernel.db).await?;
    let category = resources::public_categories(&all)
        .into_iter()
        .find(|c| c.code == code)
        .ok_or_else(|| Failure::not_found(unknown_service(code)))?;

    let mut problems = Vec::new();
    let given_address = params.get("address_string").unwrap_or_default().to_string();
    let (point, address) = match params::location(&params) {
        Ok(Location::Point(point)) => (Some(point), given_address),
        Ok(Location::Address(typed)) => {
            match crate::geocode::search(kernel, &typed, 1)
                .await
                .into_iter()
                .next()
            {
                Some(found) => (Some(found.point), found.label),
                None => {
                    problems.push(format!(
                        "address_string : l'adresse « {typed} » est introuvable dans la commune ; indiquez lat et long."
                    ));
                    (None, typed)
                }
            }
        }
        Err(message) => {
            problems.push(message);
            (None, given_address)
        }
    };
    let mut photos = Vec::new();
    if uploads.len() > crate::rules::MAX_PHOTOS {
        problems.push(format!(
            "media : au plus {} photos par signalement.",
            crate::rules::MAX_PHOTOS
        ));
    }
    for upload in uploads.into_iter().take(crate::rules::MAX_PHOTOS) {
        match crate::photos::clean_async(upload.bytes, kernel.config.max_upload_bytes).await {
            Ok(photo) => photos.push(photo),
            Err(e) => problems.push(format!("{} : {e}", upload.field)),
        }
    }
    let description = params.get("description").unwrap_or_default().to_string();
    let answers = params.attributes();
    if !problems.is_empty() {
        // Nothing is filed; list what the rules would also refuse, so that the client
        // fixes everything at once.
        if let Err(message) = crate::rules::check_description(&description) {
            problems.push(format!("description : {message}"));
        }
        if let Err(list) = crate::rules::check_answers(&category.attributes, &answers) {
            problems.extend(
                list.into_iter()
                    .map(|p| format!("attribute[{}] : {}", p.code, p.message)),
            );
        }
        return Err(Failure::bad(problems));
    }
    let filed = actions::file_report(
        kernel,
        // A client files for someone we do not know: the report is anonymous. Names,
        // phone, device and account ids are neither used nor stored.
        &Caller::default(),
        NewReport {
            category_code: category.code.clone(),
            point,
            address,
            description,
            answers,
            photos,
            email: params.get("email").map(str::to_string),
            source: Some(Source::Open311),
            api_client_id: Some(client.id.clone()),
        },
    )
    .await;
    match filed {
        Ok(filed) => Ok(Doc::list(
            "service_requests",
            "request",
            vec![Value::Object(vec![
                ("service_request_id", Value::text(&filed.report.id)),
                ("service_notice", Value::text_or_null(&category.notice)),
                ("account_id", Value::Null),
            ])],
        )),
        Err(ReportError::Invalid(list)) => Err(Failure::bad(
            list.into_iter()
                .map(|(field, message)| format!("{} : {message}", parameter_of(&field)))
                .collect(),
        )),
        Err(other) => Err(Failure::internal(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_name_the_open311_parameter() {
        assert_eq!(parameter_of("category"), "service_code");
        assert_eq!(parameter_of("location"), "lat/long");
        assert_eq!(parameter_of("photos"), "media");
        assert_eq!(parameter_of("attribute.danger"), "attribute[danger]");
        assert_eq!(parameter_of("email"), "email");
    }

    #[test]
    fn errors_take_the_specifications_shape() {
        let failure = Failure::bad(vec!["a".into(), "b".into()]);
        let json: serde_json::Value =
            serde_json::from_str(&failure.doc().render(Format::Json)).unwrap();
        assert_eq!(json[0]["code"], 400);
        assert_eq!(json[1]["description"], "b");
        let xml = Failure::forbidden("clé").doc().render(Format::Xml);
        assert!(xml.ends_with(
            "<errors><error><code>403</code><description>clé</description></error></errors>"
        ));
    }
}
