//! The family service's back office (`/backoffice/familles`): find a family, read and
//! check its file, accept or refuse its documents, enter its quotient. Only the staff of
//! the service that keeps the family files, and administrators, come here; every
//! showing of a file (children's health data) and of a document is audited.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kernel::audit::AuditTarget;
use kernel::web::forms::FormErrors;
use kernel::web::page::{self, FormPage, Page, Staff, render, render_status};
use kernel::{AppError, Caller, Kernel};
use serde::Deserialize;
use sqlx::Row;
use tower_sessions::Session;

use crate::actions::FamilyError;
use crate::custody::{self, CustodyError};
use crate::documents::{self, Check};
use crate::model::{Adult, DocumentType, Household};
use crate::rules::{self, QuotientFormula, QuotientRecord, QuotientSource};
use crate::store;
use crate::web::{ChildRow, DocumentRow, document_row};

pub fn router() -> Router<Kernel> {
    Router::new()
        .route("/backoffice/familles", get(search))
        .route("/backoffice/familles/ecoles", get(schools).post(add_school))
        .route(
            "/backoffice/familles/pieces",
            get(requirements).post(save_requirements),
        )
        .route("/backoffice/familles/{id}", get(file))
        .route("/backoffice/familles/{id}/quotient", post(quotient))
        .route("/backoffice/familles/{id}/garde-alternee", post(attach))
        .route(
            "/backoffice/familles/{id}/enfants/{child}",
            get(crate::web::agent_child).post(crate::web::agent_save_child),
        )
        .route("/backoffice/familles/documents/{id}", post(check))
        .route(
            "/backoffice/familles/documents/{id}/fichier",
            get(document_file),
        )
}

async fn require_agent(kernel: &Kernel, caller: &Caller) -> Result<(), AppError> {
    if documents::is_family_agent(kernel, caller).await? {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

// ------------------------------------------------------------------ search

pub struct FamilyHit {
    pub id: String,
    pub label: String,
    pub people: String,
}

pub struct PendingRow {
    pub household_id: String,
    pub household: String,
    pub document: DocumentRow,
}

#[derive(askama::Template)]
#[template(path = "bo_families.html")]
struct SearchPage {
    page: Page,
    q: String,
    hits: Vec<FamilyHit>,
    searched: bool,
    pending: Vec<PendingRow>,
}

#[derive(Deserialize)]
struct SearchQuery {
    #[serde(default)]
    q: String,
}

async fn search_households(kernel: &Kernel, q: &str) -> Result<Vec<FamilyHit>, AppError> {
    let pattern = format!("%{}%", q.trim().to_lowercase().replace(['%', '_'], ""));
    let rows = sqlx::query(
        "SELECT DISTINCT h.id, h.label, h.created_at FROM households h
           JOIN household_members m ON m.household_id = h.id
           JOIN family_people p ON p.id = m.person_id
         WHERE LOWER(h.label) LIKE $1 OR LOWER(p.given_name || ' ' || p.family_name) LIKE $1
            OR LOWER(p.email) LIKE $1
         ORDER BY h.label, h.created_at LIMIT 50",
    )
    .bind(pattern)
    .fetch_all(kernel.db.pool())
    .await?;
    let mut hits = Vec::with_capacity(rows.len());
    for row in rows {
        let id: String = row.get(0);
        let adults = store::adults(&kernel.db, &id).await?;
        let children = store::children(&kernel.db, &id).await?;
        let people = adults
            .iter()
            .map(|a| a.person.full_name())
            .chain(children.iter().map(|c| c.person.given_name.clone()))
            .collect::<Vec<_>>()
            .join(", ");
        hits.push(FamilyHit {
            id,
            label: row.get(1),
            people,
        });
    }
    Ok(hits)
}

async fn search(
    State(kernel): State<Kernel>,
    page: Page,
    Staff(caller): Staff,
    Query(query): Query<SearchQuery>,
) -> Result<Html<String>, AppError> {
    require_agent(&kernel, &caller).await?;
    let q = rules::clean(&query.q, 100);
    let hits = if q.is_empty() {
        Vec::new()
    } else {
        search_households(&kernel, &q).await?
    };
    let pending = documents::pending_documents(&kernel.db, 50)
        .await?
        .into_iter()
        .map(|(d, household)| PendingRow {
            household_id: d.household_id.clone(),
            household,
            document: document_row(&d),
        })
        .collect();
    render(&SearchPage {
        page,
        searched: !q.is_empty(),
        q,
        hits,
        pending,
    })
}

// ------------------------------------------------------------------ one file

pub struct AgentDocument {
    pub row: DocumentRow,
    pub pending: bool,
    /// The end of validity proposed when accepting (`2027-02-28`), empty for none.
    pub proposed_until: String,
}

pub struct QuotientRow {
    pub value: u32,
    pub source: &'static str,
    pub from: String,
}

#[derive(askama::Template)]
#[template(path = "bo_family.html")]
struct FilePage {
    page: Page,
    household: Household,
    adults: Vec<Adult>,
    children: Vec<ChildRow>,
    documents: Vec<AgentDocument>,
    quotients: Vec<QuotientRow>,
    /// Each child's other households (alternating custody).
    custody: Vec<CustodyRow>,
    errors: FormErrors,
    typed: Vec<(String, String)>,
}

pub struct CustodyRow {
    pub child_id: String,
    pub child_name: String,
    pub others: Vec<Household>,
}

impl FilePage {
    fn typed(&self, key: &str) -> String {
        self.typed
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}

async fn file_page(
    kernel: &Kernel,
    caller: &Caller,
    page: Page,
    id: &str,
    errors: FormErrors,
    typed: Vec<(String, String)>,
) -> Result<FilePage, AppError> {
    require_agent(kernel, caller).await?;
    let household = store::household(&kernel.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let children = store::children(&kernel.db, id).await?;
    kernel
        .audit_view(
            caller,
            "family.file_viewed",
            Some(&AuditTarget::new("household", id)),
            serde_json::json!({ "children": children.len() }),
        )
        .await?;
    let documents = documents::documents_of(&kernel.db, id)
        .await?
        .iter()
        .map(|d| AgentDocument {
            row: document_row(d),
            pending: d.document.status == crate::model::DocumentStatus::Pending,
            proposed_until: d
                .document
                .valid_until
                .map(|u| u.to_string())
                .unwrap_or_default(),
        })
        .collect();
    let quotients = documents::quotients(&kernel.db, id)
        .await?
        .iter()
        .rev()
        .map(|q| QuotientRow {
            value: q.value,
            source: match q.source {
                QuotientSource::CafCertificate => "attestation CAF",
                QuotientSource::Computed => "calculé",
            },
            from: q.effective_from.strftime("%d/%m/%Y").to_string(),
        })
        .collect();
    let mut custody = Vec::with_capacity(children.len());
    for child in &children {
        custody.push(CustodyRow {
            child_id: child.person.id.clone(),
            child_name: child.person.full_name(),
            others: store::households_of_child(&kernel.db, &child.person.id)
                .await?
                .into_iter()
                .filter(|h| h.id != id)
                .collect(),
        });
    }
    Ok(FilePage {
        page,
        adults: store::adults(&kernel.db, id).await?,
        custody,
        children: children.iter().map(crate::web::child_row).collect(),
        household,
        documents,
        quotients,
        errors,
        typed,
    })
}

async fn file(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    render(&file_page(&kernel, &caller, page, &id, FormErrors::new(), Vec::new()).await?)
}

/// `POST /backoffice/familles/{id}/garde-alternee`: links a child to the other parent's
/// household.
async fn attach(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    session: Session,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let typed: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let field = |k: &str| {
        typed
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    match custody::attach_to_other_parent(
        &kernel,
        &caller,
        &id,
        &field("child"),
        &field("other_parent"),
    )
    .await
    {
        Ok(other) => {
            page::flash(
                &session,
                "success",
                format!(
                    "L'enfant est aussi rattaché au foyer « {} » : chaque foyer réserve et paie ses propres jours.",
                    other.label
                ),
            )
            .await?;
            Ok(Redirect::to(&format!("/backoffice/familles/{id}#garde")).into_response())
        }
        Err(CustodyError::Refused(message)) => {
            let mut errors = FormErrors::new();
            errors.add("other_parent", message);
            let view = file_page(&kernel, &caller, page, &id, errors, typed).await?;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &view)
        }
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------------ documents asked for

/// A document type: its code, its name, and whether the service asks for it.
type AskedKind = (&'static str, &'static str, bool);

#[derive(askama::Template)]
#[template(path = "bo_requirements.html")]
struct RequirementsPage {
    page: Page,
    /// Each service, with every document type.
    services: Vec<(String, Vec<AskedKind>)>,
    kinds: Vec<(&'static str, &'static str)>,
    errors: FormErrors,
    typed_service: String,
}

async fn requirements_page(
    kernel: &Kernel,
    page: Page,
    errors: FormErrors,
    typed_service: String,
) -> Result<RequirementsPage, AppError> {
    let services = documents::requirements(&kernel.db)
        .await?
        .into_iter()
        .map(|(service, asked)| {
            let kinds = DocumentType::ALL
                .iter()
                .map(|k| (k.code(), k.label_fr(), asked.contains(k)))
                .collect();
            (service, kinds)
        })
        .collect();
    Ok(RequirementsPage {
        page,
        services,
        kinds: DocumentType::ALL
            .iter()
            .map(|k| (k.code(), k.label_fr()))
            .collect(),
        errors,
        typed_service,
    })
}

/// `/backoffice/familles/pieces`: what each family service asks families to give; `/famille`
/// shows each family what it lacks per service.
async fn requirements(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
) -> Result<Html<String>, AppError> {
    require_agent(&kernel, &caller).await?;
    render(&requirements_page(&kernel, page, FormErrors::new(), String::new()).await?)
}

/// Saves one service's list; a service left with no document type is removed.
async fn save_requirements(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    session: Session,
    body: Bytes,
) -> Result<Response, AppError> {
    require_agent(&kernel, &caller).await?;
    let typed: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let service = typed
        .iter()
        .find(|(k, _)| k == "service")
        .map(|(_, v)| v.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_default();
    let kinds: Vec<DocumentType> = DocumentType::ALL
        .into_iter()
        .filter(|k| typed.iter().any(|(key, v)| key == "kinds" && v == k.code()))
        .collect();
    if service.chars().count() < 3 || service.chars().count() > 100 {
        let mut errors = FormErrors::new();
        errors.add(
            "service",
            "Indiquez le nom du service tel que les familles le liront, par exemple « Restaurant scolaire » (100 caractères au plus).",
        );
        let view = requirements_page(&kernel, page, errors, service).await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &view);
    }
    let mut tx = kernel.db.begin().await?;
    documents::set_requirements(&mut tx, &service, &kinds).await?;
    kernel
        .audit(
            &mut tx,
            &caller,
            "family.requirements_changed",
            None,
            serde_json::json!({
                "service": service,
                "kinds": kinds.iter().map(|k| k.code()).collect::<Vec<_>>(),
            }),
        )
        .await?;
    tx.commit().await?;
    let message = if kinds.is_empty() {
        format!("« {service} » ne demande plus aucune pièce.")
    } else {
        format!("Les pièces demandées par « {service} » sont enregistrées.")
    };
    page::flash(&session, "success", message).await?;
    Ok(Redirect::to("/backoffice/familles/pieces").into_response())
}

// ------------------------------------------------------------------ schools

#[derive(askama::Template)]
#[template(path = "bo_schools.html")]
struct SchoolsPage {
    page: Page,
    schools: Vec<(String, String)>,
    errors: FormErrors,
    // Not `name`: the form macro's own parameter has that name.
    typed_name: String,
    typed_address: String,
}

async fn schools_page(
    kernel: &Kernel,
    page: Page,
    errors: FormErrors,
    name: String,
    address: String,
) -> Result<SchoolsPage, AppError> {
    Ok(SchoolsPage {
        page,
        schools: store::schools(&kernel.db).await?,
        errors,
        typed_name: name,
        typed_address: address,
    })
}

/// `/backoffice/familles/ecoles`: the commune's schools, which families choose from and
/// activities serve.
async fn schools(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
) -> Result<Html<String>, AppError> {
    require_agent(&kernel, &caller).await?;
    render(
        &schools_page(
            &kernel,
            page,
            FormErrors::new(),
            String::new(),
            String::new(),
        )
        .await?,
    )
}

async fn add_school(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    session: Session,
    body: Bytes,
) -> Result<Response, AppError> {
    require_agent(&kernel, &caller).await?;
    let typed: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let field = |k: &str| {
        typed
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    };
    let (name, address) = (field("name"), field("address"));
    let mut errors = FormErrors::new();
    if name.chars().count() < 3 || name.chars().count() > 150 {
        errors.add(
            "name",
            "Indiquez le nom complet de l'école, par exemple « École élémentaire Jules-Ferry ».",
        );
    }
    if address.chars().count() > 200 {
        errors.add("address", "L'adresse a 200 caractères au plus.");
    }
    if errors.is_empty() {
        let mut tx = kernel.db.begin().await?;
        if store::add_school(&mut tx, &name, &address, kernel.now()).await? {
            kernel
                .audit(
                    &mut tx,
                    &caller,
                    "family.school_added",
                    None,
                    serde_json::json!({ "name": name }),
                )
                .await?;
            tx.commit().await?;
            page::flash(
                &session,
                "success",
                format!("« {name} » est ajoutée à la liste."),
            )
            .await?;
            return Ok(Redirect::to("/backoffice/familles/ecoles").into_response());
        }
        errors.add("name", "Une école porte déjà ce nom.");
    }
    let view = schools_page(&kernel, page, errors, name, address).await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &view)
}

fn errors_of(problems: Vec<rules::Problem>) -> FormErrors {
    let mut errors = FormErrors::new();
    for (field, message) in problems {
        errors.add(field, message);
    }
    errors
}

/// `POST /backoffice/familles/{id}/quotient`: a value from a CAF certificate, or the
/// resources and household from which the commune's formula computes it.
async fn quotient(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    session: Session,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    require_agent(&kernel, &caller).await?;
    let typed: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let field = |k: &str| {
        typed
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let mut problems = Vec::new();
    let source = field("source");
    let value = match source.as_str() {
        "caf" => match field("value").parse::<u32>() {
            Ok(v) if v <= 100_000 => Some((v, QuotientSource::CafCertificate)),
            _ => {
                problems.push((
                    "value",
                    "Indiquez le quotient de l'attestation, en euros (par exemple 850)."
                        .to_string(),
                ));
                None
            }
        },
        "calcul" => {
            let resources = field("resources")
                .replace([' ', '\u{a0}'], "")
                .replace(',', ".");
            let children = field("children").parse::<u32>();
            match (resources.parse::<f64>(), children) {
                (Ok(r), Ok(n)) if (0.0..10_000_000.0).contains(&r) && n <= 20 => Some((
                    QuotientFormula::caf().quotient(
                        (r * 100.0).round() as i64,
                        field("couple") == "oui",
                        n,
                    ),
                    QuotientSource::Computed,
                )),
                _ => {
                    problems.push((
                        "resources",
                        "Indiquez les ressources mensuelles en euros et le nombre d'enfants à charge."
                            .to_string(),
                    ));
                    None
                }
            }
        }
        _ => {
            problems.push((
                "source",
                "Choisissez : attestation CAF ou calcul sur les ressources.".to_string(),
            ));
            None
        }
    };
    let from = rules::parse_date(&field("effective_from"));
    if from.is_none() {
        problems.push((
            "effective_from",
            "Indiquez la date d'effet au format jj/mm/aaaa.".to_string(),
        ));
    }
    let outcome = match (value, from, problems.is_empty()) {
        (Some((value, source)), Some(effective_from), true) => {
            documents::record_quotient(
                &kernel,
                &caller,
                &id,
                &QuotientRecord {
                    value,
                    source,
                    effective_from,
                },
                field("retroactive") == "oui",
                &field("note"),
            )
            .await
        }
        _ => Err(FamilyError::Invalid(problems)),
    };
    match outcome {
        Ok(()) => {
            page::flash(&session, "success", page.tr.t("bo-family-quotient-saved")).await?;
            Ok(Redirect::to(&format!("/backoffice/familles/{id}#quotient")).into_response())
        }
        Err(FamilyError::Invalid(problems)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &file_page(&kernel, &caller, page, &id, errors_of(problems), typed).await?,
        )
        .map(IntoResponse::into_response),
        Err(e) => Err(e.into()),
    }
}

/// `POST /backoffice/familles/documents/{id}`: accept (with its end of validity) or
/// refuse (with a reason the family reads).
async fn check(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    session: Session,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    require_agent(&kernel, &caller).await?;
    let typed: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let field = |k: &str| {
        typed
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let document = documents::document_by_id(&kernel.db, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    let decision = match field("decision").as_str() {
        "accepter" => Check::Accept {
            valid_until: rules::parse_date(&field("valid_until")),
        },
        "refuser" => Check::Refuse {
            reason: field("reason"),
        },
        _ => return Err(AppError::BadRequest("décision inconnue".into())),
    };
    match documents::check(&kernel, &caller, &id, decision).await {
        Ok(()) => {
            page::flash(&session, "success", page.tr.t("bo-family-document-checked")).await?;
            Ok(Redirect::to(&format!(
                "/backoffice/familles/{}#pieces",
                document.household_id
            ))
            .into_response())
        }
        Err(FamilyError::Invalid(problems)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &file_page(
                &kernel,
                &caller,
                page,
                &document.household_id,
                errors_of(problems),
                typed,
            )
            .await?,
        )
        .map(IntoResponse::into_response),
        Err(e) => Err(e.into()),
    }
}

async fn document_file(
    State(kernel): State<Kernel>,
    Staff(caller): Staff,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    require_agent(&kernel, &caller).await?;
    let document = documents::document_by_id(&kernel.db, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    kernel
        .audit_view(
            &caller,
            "family.document_viewed",
            Some(&AuditTarget::new("document", &id)),
            serde_json::json!({ "household": document.household_id }),
        )
        .await?;
    crate::web::send_file(&kernel, &document.file_id).await
}
