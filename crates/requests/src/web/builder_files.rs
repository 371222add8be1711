//! Procedures and forms as JSON files in the back office: a procedure exported for
//! another commune, a procedure created from such a file, a draft form replaced by a form
//! shared by another commune. Unreadable or wrong files are explained, and change nothing.

use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kernel::audit::AuditTarget;
use kernel::i18n::Tr;
use kernel::web::forms::FormErrors;
use kernel::web::page::{self, FormPage, Page, Staff, render, render_status};
use kernel::{AppError, Kernel};
use tower_sessions::Session;

use super::builder::{base, problem_text, procedure_for, to_overview};
use crate::builder::{self, BuildError, may_create_procedures};
use crate::exchange::{self, ImportError, ProcedureFile, ReadError, ShapeDetail};
use crate::forms::FormDefinition;
use crate::model::Procedure;
use crate::store;

/// Largest JSON text read from an upload or a paste.
const MAX_JSON_BYTES: usize = 1024 * 1024;

pub async fn export(
    State(kernel): State<Kernel>,
    Staff(caller): Staff,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let procedure = procedure_for(&kernel, &caller, &slug).await?;
    let file = exchange::export(&kernel, &procedure)
        .await
        .map_err(|e| match e {
            exchange::ExportError::Db(e) => AppError::from(e),
            e => AppError::Internal(e.into()),
        })?;
    let json = serde_json::to_vec_pretty(&file).map_err(|e| AppError::Internal(e.into()))?;
    super::download(&format!("{slug}.json"), "application/json", json)
}

/// What an import form sent: a file, or text pasted in the box.
#[derive(Default)]
struct Sent {
    file: Option<(String, Vec<u8>)>,
    pasted: String,
    slug: String,
    service: String,
}

async fn read_sent(mut multipart: Multipart) -> Result<Sent, AppError> {
    let mut sent = Sent::default();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| AppError::BadRequest(format!("formulaire illisible : {e}")))?
    {
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(String::from);
        let bytes = field
            .bytes()
            .await
            .map_err(|e| AppError::BadRequest(format!("formulaire illisible : {e}")))?;
        let text = || String::from_utf8_lossy(&bytes).into_owned();
        match (name.as_str(), file_name) {
            ("fichier", Some(file_name)) if !bytes.is_empty() => {
                sent.file = Some((file_name, bytes.to_vec()))
            }
            ("json", _) => sent.pasted = text(),
            ("slug", _) => sent.slug = text(),
            ("service", _) => sent.service = text(),
            _ => {}
        }
    }
    Ok(sent)
}

impl Sent {
    /// The JSON text and the input it came from; `Err` is the message for that input.
    fn text(&self, tr: &Tr) -> Result<(String, &'static str), (String, &'static str)> {
        let (bytes, input) = match &self.file {
            Some((_, bytes)) => (bytes.clone(), "fichier"),
            None => (self.pasted.clone().into_bytes(), "json"),
        };
        if bytes.len() > MAX_JSON_BYTES {
            return Err((tr.t("builder-json-too-large"), input));
        }
        match String::from_utf8(bytes) {
            Ok(text) => Ok((text.trim_start_matches('\u{feff}').to_string(), input)),
            Err(_) => Err((tr.t("builder-json-not-text"), input)),
        }
    }
}

fn read_error_text(tr: &Tr, error: &ReadError) -> String {
    match error {
        ReadError::Empty => tr.t("builder-json-empty"),
        ReadError::Syntax { line, column } => {
            tr.t2("builder-json-syntax", "line", line, "column", column)
        }
        ReadError::Shape {
            line,
            column,
            detail,
        } => {
            let detail = match detail {
                ShapeDetail::MissingField(name) => tr.t1("builder-json-missing", "name", name),
                ShapeDetail::UnknownVariant(name) => tr.t1("builder-json-unknown", "name", name),
                ShapeDetail::InvalidType(what) => tr.t1("builder-json-type", "detail", what),
                ShapeDetail::Other(what) => what.clone(),
            };
            tr.tn(
                "builder-json-shape",
                &[
                    ("line", line.to_string()),
                    ("column", column.to_string()),
                    ("detail", detail),
                ],
            )
        }
        ReadError::NoForm => tr.t("builder-json-no-form"),
        ReadError::NotAForm => tr.t("builder-json-not-a-form"),
    }
}

#[derive(askama::Template)]
#[template(path = "builder_import.html")]
struct ImportView {
    page: Page,
    procedure: Procedure,
    base: String,
    pasted: String,
    errors: FormErrors,
    problems: Vec<String>,
}

pub async fn import_form(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let procedure = procedure_for(&kernel, &caller, &slug).await?;
    let view = ImportView {
        base: base(&slug),
        pasted: String::new(),
        errors: FormErrors::new(),
        problems: vec![],
        page,
        procedure,
    };
    Ok(render(&view)?.into_response())
}

pub async fn import(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    session: Session,
    Path(slug): Path<String>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let procedure = procedure_for(&kernel, &caller, &slug).await?;
    let sent = read_sent(multipart).await?;
    let mut errors = FormErrors::new();
    let mut problems = vec![];
    match sent.text(&page.tr) {
        Err((message, input)) => errors.add(input, message),
        Ok((text, input)) => match exchange::read_form(&text) {
            Err(e) => errors.add(input, read_error_text(&page.tr, &e)),
            Ok(definition) => {
                match builder::replace_draft(&kernel, &caller, &procedure, &definition).await {
                    Ok(version) => {
                        page::flash(
                            &session,
                            "success",
                            page.tr.t1("builder-imported", "version", version.version),
                        )
                        .await?;
                        return Ok(to_overview(&slug));
                    }
                    Err(BuildError::Invalid {
                        problems: found,
                        form,
                    }) => {
                        errors.add(input, page.tr.t("builder-json-invalid"));
                        problems = found
                            .iter()
                            .map(|p| problem_text(&page.tr, &form, p))
                            .collect();
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        },
    }
    let view = ImportView {
        base: base(&slug),
        pasted: sent.pasted,
        errors,
        problems,
        page,
        procedure,
    };
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &view)
}

#[derive(askama::Template)]
#[template(path = "builder_import_procedure.html")]
struct ImportProcedureView {
    page: Page,
    pasted: String,
    slug: String,
    service: String,
    services: Vec<(String, String)>,
    errors: FormErrors,
    problems: Vec<String>,
}

async fn import_procedure_view(
    kernel: &Kernel,
    page: Page,
    sent: Sent,
    errors: FormErrors,
    problems: Vec<String>,
) -> Result<ImportProcedureView, AppError> {
    let services = accounts::store::services(&kernel.db)
        .await?
        .into_iter()
        .map(|s| (s.slug, s.name))
        .collect();
    Ok(ImportProcedureView {
        page,
        pasted: sent.pasted,
        slug: sent.slug,
        service: sent.service,
        services,
        errors,
        problems,
    })
}

pub async fn import_procedure_form(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
) -> Result<Response, AppError> {
    if !may_create_procedures(&caller) {
        return Err(AppError::Forbidden);
    }
    let view =
        import_procedure_view(&kernel, page, Sent::default(), FormErrors::new(), vec![]).await?;
    Ok(render(&view)?.into_response())
}

pub async fn import_procedure(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    session: Session,
    multipart: Multipart,
) -> Result<Response, AppError> {
    if !may_create_procedures(&caller) {
        return Err(AppError::Forbidden);
    }
    let sent = read_sent(multipart).await?;
    let tr = page.tr.clone();
    let mut errors = FormErrors::new();
    let mut problems = vec![];
    let file: Option<(ProcedureFile, &'static str)> = match sent.text(&tr) {
        Err((message, input)) => {
            errors.add(input, message);
            None
        }
        Ok((text, input)) => match exchange::read_procedure(&text) {
            Err(e) => {
                errors.add(input, read_error_text(&tr, &e));
                None
            }
            Ok(file) => Some((file, input)),
        },
    };
    if let Some((mut file, input)) = file {
        let slug = sent.slug.trim();
        if !slug.is_empty() {
            file.slug = slug.to_string();
        }
        if !sent.service.is_empty() {
            file.service = sent.service.clone();
        }
        let mut tx = kernel.db.begin().await?;
        let by = caller.identity.as_ref().map(|i| i.user_id.as_str());
        match exchange::import(&kernel, &mut tx, &file, by).await {
            Ok(procedure) => {
                let version =
                    store::version_in_state_for_update(&mut tx, &procedure.id, "published")
                        .await?
                        .map(|v| v.version);
                kernel
                    .audit(
                        &mut tx,
                        &caller,
                        "procedure.imported",
                        Some(&AuditTarget::new("procedure", &procedure.id)),
                        serde_json::json!({
                            "slug": procedure.slug,
                            "title": procedure.title,
                            "service": file.service,
                            "version": version,
                        }),
                    )
                    .await?;
                tx.commit().await?;
                page::flash(
                    &session,
                    "success",
                    tr.t1("builder-procedure-imported", "title", &procedure.title),
                )
                .await?;
                return Ok(to_overview(&procedure.slug));
            }
            Err(ImportError::SlugTaken(slug)) => {
                errors.add("slug", tr.t1("builder-import-slug-taken", "slug", slug))
            }
            Err(ImportError::BadSlug(slug)) => {
                errors.add("slug", tr.t1("builder-import-bad-slug", "slug", slug))
            }
            Err(ImportError::UnknownService(service)) if service == file.service => errors.add(
                "service",
                tr.t1("builder-import-unknown-service", "service", service),
            ),
            Err(ImportError::UnknownService(service)) => errors.add(
                input,
                tr.t1("builder-import-unknown-routing-service", "service", service),
            ),
            Err(ImportError::UnknownTeam(service, team)) => errors.add(
                input,
                tr.t2(
                    "builder-import-unknown-team",
                    "service",
                    service,
                    "team",
                    team,
                ),
            ),
            Err(ImportError::Form(found)) => {
                errors.add(input, tr.t("builder-json-invalid"));
                let form = file
                    .form
                    .clone()
                    .unwrap_or(FormDefinition { pages: vec![] });
                problems = found.iter().map(|p| problem_text(&tr, &form, p)).collect();
            }
            Err(ImportError::InfoUrl(url)) => {
                errors.add(input, tr.t1("builder-import-info-url", "url", url))
            }
            Err(ImportError::Workflow(detail)) => {
                errors.add(input, tr.t1("builder-import-workflow", "detail", detail))
            }
            Err(ImportError::Json(e)) => errors.add(input, e.to_string()),
            Err(ImportError::Db(e)) => return Err(e.into()),
        }
    }
    let view = import_procedure_view(&kernel, page, sent, errors, problems).await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &view)
}
