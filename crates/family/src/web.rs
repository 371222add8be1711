//! The family's pages (`/famille`): open the file, the household's adults and children,
//! a child's form (school, class, diet, allergies, PAI), the people allowed to pick the
//! children up and to call in an emergency. Everything works without JavaScript.

use async_trait::async_trait;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kernel::i18n::Tr;
use kernel::space::{SpaceLink, SpaceSection, SpaceView};
use kernel::web::forms::FormErrors;
use kernel::web::page::{self, FormPage, LoggedIn, Page, render, render_status};
use kernel::{AppError, Caller, Kernel};
use tower_sessions::Session;

use crate::actions::{self, FamilyError};
use crate::model::{Adult, Allergen, Child, Contact, ContactKind, Diet, Household};
use crate::rules::{ChildInput, Problem};
use crate::store;

pub fn router() -> Router<Kernel> {
    Router::new()
        .route("/famille", get(home).post(open_file))
        .route(
            "/famille/enfants/nouveau",
            get(new_child).post(create_child),
        )
        .route("/famille/enfants/{id}", get(edit_child).post(save_child))
        .route("/famille/documents", get(documents).post(give_document))
        .route("/famille/documents/{id}/fichier", get(document_file))
        .route("/famille/invitations", post(invite))
        .route(
            "/famille/invitation/{token}",
            get(invitation).post(accept_invitation),
        )
        .route("/famille/contacts", post(add_contact))
        .route("/famille/contacts/{id}/supprimer", post(remove_contact))
}

/// A posted form as pairs, so that repeated keys (checkboxes) are all kept.
struct Posted(Vec<(String, String)>);

impl Posted {
    fn parse(body: &Bytes) -> Posted {
        Posted(url::form_urlencoded::parse(body).into_owned().collect())
    }
    fn text(&self, key: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
    fn all(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

fn errors_of(problems: Vec<Problem>) -> FormErrors {
    let mut errors = FormErrors::new();
    for (field, message) in problems {
        errors.add(field, message);
    }
    errors
}

// ------------------------------------------------------------------ the file

pub struct ChildRow {
    pub id: String,
    pub name: String,
    pub birth_date: String,
    pub school: String,
    pub diet: &'static str,
    pub allergies: String,
    pub care_plan: bool,
}

pub fn child_row(child: &Child) -> ChildRow {
    let mut allergies: Vec<String> = child
        .profile
        .allergens
        .iter()
        .map(|a| a.label_fr().to_string())
        .collect();
    if !child.profile.allergy_notes.is_empty() {
        allergies.push(child.profile.allergy_notes.clone());
    }
    ChildRow {
        id: child.person.id.clone(),
        name: child.person.full_name(),
        birth_date: child
            .person
            .birth_date
            .map(|d| d.strftime("%d/%m/%Y").to_string())
            .unwrap_or_default(),
        school: [
            child.profile.school.as_str(),
            child.profile.class_name.as_str(),
        ]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(", "),
        diet: child.profile.diet.label_fr(),
        allergies: allergies.join(" ; "),
        care_plan: child.profile.care_plan,
    }
}

#[derive(askama::Template)]
#[template(path = "family_home.html")]
struct HomePage {
    page: Page,
    household: Option<Household>,
    adults: Vec<Adult>,
    children: Vec<ChildRow>,
    pickups: Vec<Contact>,
    emergencies: Vec<Contact>,
    errors: FormErrors,
    /// What was typed in the open-the-file or new-contact form, kept on an error.
    typed: Posted,
    /// « 850, attestation CAF, depuis le 01/09/2026 », or `None` when none was entered.
    quotient: Option<String>,
    /// Each family service with its documents and where each stands.
    summary: Vec<(String, Vec<RequirementRow>)>,
}

pub struct RequirementRow {
    pub label: &'static str,
    pub state: String,
    pub ok: bool,
}

fn requirement_row(
    kind: crate::model::DocumentType,
    r: &crate::rules::Requirement,
) -> RequirementRow {
    use crate::rules::Requirement;
    let date = |d: &jiff::civil::Date| d.strftime("%d/%m/%Y").to_string();
    let state = match r {
        Requirement::Missing => "À fournir".to_string(),
        Requirement::Pending => "Reçu, en cours de vérification".to_string(),
        Requirement::Refused { reason } => format!("Refusé : {reason} — à fournir de nouveau"),
        Requirement::Valid { until: None } => "Valide".to_string(),
        Requirement::Valid { until: Some(u) } => format!("Valide jusqu'au {}", date(u)),
        Requirement::ExpiringSoon { until } => {
            format!("Expire le {} : pensez à en fournir un nouveau", date(until))
        }
        Requirement::Expired { on } => format!("Expiré le {} — à fournir de nouveau", date(on)),
    };
    RequirementRow {
        label: kind.label_fr(),
        ok: r.is_satisfied(),
        state,
    }
}

impl HomePage {
    fn typed(&self, key: &str) -> String {
        self.typed.text(key)
    }
}

async fn home_page(
    kernel: &Kernel,
    caller: &Caller,
    page: Page,
    errors: FormErrors,
    typed: Posted,
) -> Result<HomePage, AppError> {
    let household = actions::my_household(kernel, caller).await?;
    let (adults, children, contacts) = match &household {
        Some(h) => (
            store::adults(&kernel.db, &h.id).await?,
            store::children(&kernel.db, &h.id).await?,
            store::contacts(&kernel.db, &h.id).await?,
        ),
        None => (Vec::new(), Vec::new(), Vec::new()),
    };
    let (pickups, emergencies) = contacts
        .into_iter()
        .partition(|c| c.kind == ContactKind::Pickup);
    let today = kernel.now().to_zoned(kernel::clock::paris()).date();
    let (quotient, summary) = match &household {
        Some(h) => {
            let records = crate::documents::quotients(&kernel.db, &h.id).await?;
            let quotient = records
                .iter()
                .filter(|r| r.effective_from <= today)
                .max_by_key(|r| r.effective_from)
                .map(|r| {
                    format!(
                        "{} ({}, depuis le {})",
                        r.value,
                        match r.source {
                            crate::rules::QuotientSource::CafCertificate => "attestation CAF",
                            crate::rules::QuotientSource::Computed => "calculé par la mairie",
                        },
                        r.effective_from.strftime("%d/%m/%Y")
                    )
                });
            let documents: Vec<crate::model::Document> =
                crate::documents::documents_of(&kernel.db, &h.id)
                    .await?
                    .into_iter()
                    .map(|d| d.document)
                    .collect();
            let summary = crate::documents::requirements(&kernel.db)
                .await?
                .into_iter()
                .map(|(service, kinds)| {
                    let rows = crate::rules::summary(&kinds, &documents, today, 30)
                        .iter()
                        .map(|(kind, r)| requirement_row(*kind, r))
                        .collect();
                    (service, rows)
                })
                .collect();
            (quotient, summary)
        }
        None => (None, Vec::new()),
    };
    Ok(HomePage {
        quotient,
        summary,
        page,
        household,
        adults,
        children: children.iter().map(child_row).collect(),
        pickups,
        emergencies,
        errors,
        typed,
    })
}

async fn home(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    LoggedIn(caller): LoggedIn,
) -> Result<Html<String>, AppError> {
    render(
        &home_page(
            &kernel,
            &caller,
            page,
            FormErrors::new(),
            Posted(Vec::new()),
        )
        .await?,
    )
}

async fn open_file(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    LoggedIn(caller): LoggedIn,
    session: Session,
    body: Bytes,
) -> Result<Response, AppError> {
    let posted = Posted::parse(&body);
    match actions::open_file(&kernel, &caller, &posted.text("address")).await {
        Ok(_) => {
            page::flash(&session, "success", page.tr.t("family-opened")).await?;
            Ok(Redirect::to("/famille").into_response())
        }
        Err(FamilyError::Invalid(problems)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &home_page(&kernel, &caller, page, errors_of(problems), posted).await?,
        )
        .map(IntoResponse::into_response),
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------------ a child

#[derive(askama::Template)]
#[template(path = "family_child.html")]
struct ChildPage {
    page: Page,
    /// `None` for a new child.
    child_id: Option<String>,
    input: ChildInput,
    errors: FormErrors,
    diets: Vec<(&'static str, &'static str)>,
    allergens: Vec<(&'static str, &'static str)>,
    /// The commune's schools; a text field when it has listed none.
    schools: Vec<String>,
    /// For the family service correcting the record: the household's file.
    agent_household: Option<String>,
}

impl ChildPage {
    /// The child's school is in the list (or there is none): no extra option needed.
    fn school_listed(&self) -> bool {
        self.input.school.is_empty() || self.schools.contains(&self.input.school)
    }

    fn new(
        page: Page,
        child_id: Option<String>,
        input: ChildInput,
        errors: FormErrors,
        schools: Vec<String>,
    ) -> Self {
        ChildPage {
            agent_household: None,
            schools,
            page,
            child_id,
            input,
            errors,
            diets: Diet::ALL.iter().map(|d| (d.code(), d.label_fr())).collect(),
            allergens: Allergen::ALL
                .iter()
                .map(|a| (a.code(), a.label_fr()))
                .collect(),
        }
    }

    fn action(&self) -> String {
        match (&self.agent_household, &self.child_id) {
            (Some(household), Some(id)) => format!("/backoffice/familles/{household}/enfants/{id}"),
            (_, Some(id)) => format!("/famille/enfants/{id}"),
            (_, None) => "/famille/enfants/nouveau".to_string(),
        }
    }

    /// Where « back » leads: the family's page, or the file in the back office.
    fn back(&self) -> String {
        match &self.agent_household {
            Some(household) => format!("/backoffice/familles/{household}"),
            None => "/famille".to_string(),
        }
    }

    fn has_allergen(&self, code: &str) -> bool {
        self.input.allergens.iter().any(|a| a == code)
    }
}

fn input_of(posted: &Posted) -> ChildInput {
    ChildInput {
        given_name: posted.text("given_name"),
        family_name: posted.text("family_name"),
        birth_date: posted.text("birth_date"),
        school: posted.text("school"),
        class_name: posted.text("class_name"),
        diet: posted.text("diet"),
        allergens: posted.all("allergens"),
        allergy_notes: posted.text("allergy_notes"),
        care_plan: posted.text("care_plan") == "oui",
        doctor: posted.text("doctor"),
        insurance: posted.text("insurance"),
    }
}

fn input_from(child: &Child) -> ChildInput {
    ChildInput {
        given_name: child.person.given_name.clone(),
        family_name: child.person.family_name.clone(),
        birth_date: child
            .person
            .birth_date
            .map(|d| d.to_string())
            .unwrap_or_default(),
        school: child.profile.school.clone(),
        class_name: child.profile.class_name.clone(),
        diet: child.profile.diet.code().to_string(),
        allergens: child
            .profile
            .allergens
            .iter()
            .map(|a| a.code().to_string())
            .collect(),
        allergy_notes: child.profile.allergy_notes.clone(),
        care_plan: child.profile.care_plan,
        doctor: child.profile.doctor.clone(),
        insurance: child.profile.insurance.clone(),
    }
}

async fn household_or_home(kernel: &Kernel, caller: &Caller) -> Result<Household, AppError> {
    actions::my_household(kernel, caller)
        .await?
        .ok_or(AppError::NotFound)
}

async fn new_child(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    LoggedIn(caller): LoggedIn,
) -> Result<Response, AppError> {
    let Some(household) = actions::my_household(&kernel, &caller).await? else {
        return Ok(Redirect::to("/famille").into_response());
    };
    // The household's name is a good guess for a child's.
    let family_name = household
        .label
        .strip_prefix("Famille ")
        .unwrap_or_default()
        .to_string();
    let input = ChildInput {
        family_name,
        diet: Diet::Standard.code().to_string(),
        ..ChildInput::default()
    };
    let schools = store::school_names(&kernel.db).await?;
    render(&ChildPage::new(
        page,
        None,
        input,
        FormErrors::new(),
        schools,
    ))
    .map(IntoResponse::into_response)
}

async fn create_child(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    LoggedIn(caller): LoggedIn,
    session: Session,
    body: Bytes,
) -> Result<Response, AppError> {
    let input = input_of(&Posted::parse(&body));
    match actions::add_child(&kernel, &caller, &input).await {
        Ok(_) => {
            page::flash(&session, "success", page.tr.t("family-child-added")).await?;
            Ok(Redirect::to("/famille").into_response())
        }
        Err(FamilyError::Invalid(problems)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ChildPage::new(
                page,
                None,
                input,
                errors_of(problems),
                store::school_names(&kernel.db).await?,
            ),
        )
        .map(IntoResponse::into_response),
        Err(e) => Err(e.into()),
    }
}

async fn edit_child(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    LoggedIn(caller): LoggedIn,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let household = household_or_home(&kernel, &caller).await?;
    let child = store::child_of_household(&kernel.db, &household.id, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    render(&ChildPage::new(
        page,
        Some(id),
        input_from(&child),
        FormErrors::new(),
        store::school_names(&kernel.db).await?,
    ))
}

async fn save_child(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    LoggedIn(caller): LoggedIn,
    session: Session,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let input = input_of(&Posted::parse(&body));
    match actions::update_child(&kernel, &caller, &id, &input).await {
        Ok(()) => {
            page::flash(&session, "success", page.tr.t("family-child-saved")).await?;
            Ok(Redirect::to("/famille").into_response())
        }
        Err(FamilyError::Invalid(problems)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ChildPage::new(
                page,
                Some(id),
                input,
                errors_of(problems),
                store::school_names(&kernel.db).await?,
            ),
        )
        .map(IntoResponse::into_response),
        Err(e) => Err(e.into()),
    }
}

/// `/backoffice/familles/{id}/enfants/{child}`: the family service reads and corrects a
/// child's record; showing it (health data) is audited.
pub(crate) async fn agent_child(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    kernel::web::page::Staff(caller): kernel::web::page::Staff,
    Path((household, id)): Path<(String, String)>,
) -> Result<Html<String>, AppError> {
    if !crate::documents::is_family_agent(&kernel, &caller).await? {
        return Err(AppError::Forbidden);
    }
    let child = store::child_of_household(&kernel.db, &household, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    kernel
        .audit_view(
            &caller,
            "family.file_viewed",
            Some(&kernel::audit::AuditTarget::new("household", &household)),
            serde_json::json!({ "part": "child", "child": id }),
        )
        .await?;
    let mut view = ChildPage::new(
        page,
        Some(id),
        input_from(&child),
        FormErrors::new(),
        store::school_names(&kernel.db).await?,
    );
    view.agent_household = Some(household);
    render(&view)
}

pub(crate) async fn agent_save_child(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    kernel::web::page::Staff(caller): kernel::web::page::Staff,
    session: Session,
    Path((household, id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let input = input_of(&Posted::parse(&body));
    match actions::correct_child(&kernel, &caller, &household, &id, &input).await {
        Ok(()) => {
            page::flash(&session, "success", page.tr.t("family-child-saved")).await?;
            Ok(Redirect::to(&format!("/backoffice/familles/{household}")).into_response())
        }
        Err(FamilyError::Invalid(problems)) => {
            let mut view = ChildPage::new(
                page,
                Some(id),
                input,
                errors_of(problems),
                store::school_names(&kernel.db).await?,
            );
            view.agent_household = Some(household);
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &view).map(IntoResponse::into_response)
        }
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------------ contacts

async fn add_contact(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    LoggedIn(caller): LoggedIn,
    session: Session,
    body: Bytes,
) -> Result<Response, AppError> {
    let posted = Posted::parse(&body);
    let outcome = actions::add_contact(
        &kernel,
        &caller,
        &posted.text("kind"),
        &posted.text("name"),
        &posted.text("relation"),
        &posted.text("phone"),
    )
    .await;
    match outcome {
        Ok(()) => {
            page::flash(&session, "success", page.tr.t("family-contact-added")).await?;
            Ok(Redirect::to("/famille#contacts").into_response())
        }
        Err(FamilyError::Invalid(problems)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &home_page(&kernel, &caller, page, errors_of(problems), posted).await?,
        )
        .map(IntoResponse::into_response),
        Err(e) => Err(e.into()),
    }
}

async fn remove_contact(
    State(kernel): State<Kernel>,
    page: Page,
    LoggedIn(caller): LoggedIn,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    actions::remove_contact(&kernel, &caller, &id).await?;
    page::flash(&session, "success", page.tr.t("family-contact-removed")).await?;
    Ok(Redirect::to("/famille#contacts").into_response())
}

// ------------------------------------------------------------------ the resident's space

/// « Ma famille » in `/mon-espace`: the children of the file, or how to open it.
pub struct MyFamily;

#[async_trait]
impl SpaceSection for MyFamily {
    async fn view(
        &self,
        kernel: &Kernel,
        caller: &Caller,
        tr: &Tr,
    ) -> Result<SpaceView, sqlx::Error> {
        let Some(user_id) = caller.identity.as_ref().map(|i| i.user_id.as_str()) else {
            return Ok(SpaceView {
                title: tr.t("family-space-title"),
                links: Vec::new(),
                empty: tr.t("family-space-empty"),
                more: Vec::new(),
            });
        };
        let household = store::household_of_user(&kernel.db, user_id).await?;
        let links = match &household {
            Some(h) => store::children(&kernel.db, &h.id)
                .await?
                .into_iter()
                .map(|c| SpaceLink {
                    label: c.person.full_name(),
                    href: format!("/famille/enfants/{}", c.person.id),
                })
                .collect(),
            None => Vec::new(),
        };
        Ok(SpaceView {
            title: tr.t("family-space-title"),
            links,
            empty: tr.t(if household.is_some() {
                "family-space-no-child"
            } else {
                "family-space-empty"
            }),
            more: vec![SpaceLink {
                label: tr.t("family-space-open"),
                href: "/famille".into(),
            }],
        })
    }
}

// ------------------------------------------------------------------ documents

pub struct DocumentRow {
    pub id: String,
    pub kind: &'static str,
    pub file_name: String,
    pub dated: String,
    pub until: String,
    pub status: String,
}

pub fn document_row(d: &crate::documents::StoredDocument) -> DocumentRow {
    use crate::model::DocumentStatus;
    DocumentRow {
        id: d.id.clone(),
        kind: d.document.kind.label_fr(),
        file_name: d.file_name.clone(),
        dated: d.document.valid_from.strftime("%d/%m/%Y").to_string(),
        until: d
            .document
            .valid_until
            .map(|u| u.strftime("%d/%m/%Y").to_string())
            .unwrap_or_else(|| "—".into()),
        status: match &d.document.status {
            DocumentStatus::Pending => "En cours de vérification".into(),
            DocumentStatus::Accepted => "Accepté".into(),
            DocumentStatus::Refused { reason } => format!("Refusé : {reason}"),
        },
    }
}

#[derive(askama::Template)]
#[template(path = "family_documents.html")]
struct DocumentsPage {
    page: Page,
    documents: Vec<DocumentRow>,
    kinds: Vec<(&'static str, &'static str)>,
    errors: FormErrors,
    kind: String,
    dated: String,
}

async fn documents_page(
    kernel: &Kernel,
    page: Page,
    household: &Household,
    errors: FormErrors,
    kind: String,
    dated: String,
) -> Result<DocumentsPage, AppError> {
    Ok(DocumentsPage {
        page,
        documents: crate::documents::documents_of(&kernel.db, &household.id)
            .await?
            .iter()
            .map(document_row)
            .collect(),
        kinds: crate::model::DocumentType::ALL
            .iter()
            .map(|k| (k.code(), k.label_fr()))
            .collect(),
        errors,
        kind,
        dated,
    })
}

async fn documents(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    LoggedIn(caller): LoggedIn,
) -> Result<Response, AppError> {
    let Some(household) = actions::my_household(&kernel, &caller).await? else {
        return Ok(Redirect::to("/famille").into_response());
    };
    render(
        &documents_page(
            &kernel,
            page,
            &household,
            FormErrors::new(),
            String::new(),
            String::new(),
        )
        .await?,
    )
    .map(IntoResponse::into_response)
}

async fn give_document(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    LoggedIn(caller): LoggedIn,
    session: Session,
    mut form: axum::extract::Multipart,
) -> Result<Response, AppError> {
    let household = household_or_home(&kernel, &caller).await?;
    let (mut kind, mut dated, mut name, mut bytes) =
        (String::new(), String::new(), String::new(), Vec::new());
    let unreadable = |_| AppError::BadRequest("formulaire illisible".into());
    while let Some(field) = form.next_field().await.map_err(unreadable)? {
        match field.name().unwrap_or_default() {
            "kind" => kind = field.text().await.map_err(unreadable)?,
            "dated" => dated = field.text().await.map_err(unreadable)?,
            "file" => {
                name = field.file_name().unwrap_or_default().to_string();
                bytes = field.bytes().await.map_err(unreadable)?.to_vec();
            }
            _ => {}
        }
    }
    let upload = crate::documents::Upload {
        kind: &kind,
        dated: &dated,
        file_name: &name,
        bytes: &bytes,
    };
    match crate::documents::upload(&kernel, &caller, &household.id, upload).await {
        Ok(_) => {
            page::flash(&session, "success", page.tr.t("family-document-given")).await?;
            Ok(Redirect::to("/famille/documents").into_response())
        }
        Err(FamilyError::Invalid(problems)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &documents_page(&kernel, page, &household, errors_of(problems), kind, dated).await?,
        )
        .map(IntoResponse::into_response),
        Err(e) => Err(e.into()),
    }
}

/// Sends a stored document back: to its family, or to an agent of the family service.
pub async fn send_file(kernel: &Kernel, file_id: &str) -> Result<Response, AppError> {
    let (file, bytes) = kernel::files::read(kernel, file_id)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?
        .ok_or(AppError::NotFound)?;
    let disposition = format!(
        "attachment; filename=\"{}\"",
        file.original_name.replace(['"', '\\'], "_")
    );
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, file.content_type),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
            (
                axum::http::header::CACHE_CONTROL,
                "private, no-store".into(),
            ),
        ],
        bytes,
    )
        .into_response())
}

async fn document_file(
    State(kernel): State<Kernel>,
    LoggedIn(caller): LoggedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let household = household_or_home(&kernel, &caller).await?;
    let document = crate::documents::document_by_id(&kernel.db, &id)
        .await?
        .filter(|d| d.household_id == household.id)
        .ok_or(AppError::NotFound)?;
    send_file(&kernel, &document.file_id).await
}

// ------------------------------------------------------------------ the second adult

async fn invite(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    LoggedIn(caller): LoggedIn,
    session: Session,
    body: Bytes,
) -> Result<Response, AppError> {
    let posted = Posted::parse(&body);
    match crate::invitations::invite(&kernel, &caller, &posted.text("email")).await {
        Ok(()) => {
            page::flash(&session, "success", page.tr.t("family-invitation-sent")).await?;
            Ok(Redirect::to("/famille#foyer").into_response())
        }
        Err(FamilyError::Invalid(problems)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &home_page(&kernel, &caller, page, errors_of(problems), posted).await?,
        )
        .map(IntoResponse::into_response),
        Err(e) => Err(e.into()),
    }
}

#[derive(askama::Template)]
#[template(path = "family_invitation.html")]
struct InvitationPage {
    page: Page,
    token: String,
    household: String,
    /// Why the account cannot accept, in plain French; `None` when it can.
    refusal: Option<String>,
}

fn refusal_text(page: &Page, refusal: &crate::invitations::Refusal) -> String {
    use crate::invitations::Refusal;
    match refusal {
        Refusal::Expired => page.tr.t("family-invitation-expired"),
        Refusal::OtherAddress(email) => {
            page.tr
                .t1("family-invitation-other-address", "email", email)
        }
        Refusal::HasOwnFile => page.tr.t("family-invitation-own-file"),
    }
}

async fn invitation(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    LoggedIn(caller): LoggedIn,
    Path(token): Path<String>,
) -> Result<Html<String>, AppError> {
    let found = crate::invitations::find(&kernel, &token)
        .await?
        .ok_or(AppError::NotFound)?;
    let account = caller
        .identity
        .as_ref()
        .map(|i| i.email.clone())
        .unwrap_or_default();
    let refusal = if found.expired {
        Some(crate::invitations::Refusal::Expired)
    } else if !account.eq_ignore_ascii_case(&found.email) {
        Some(crate::invitations::Refusal::OtherAddress(
            found.email.clone(),
        ))
    } else if actions::my_household(&kernel, &caller).await?.is_some() {
        Some(crate::invitations::Refusal::HasOwnFile)
    } else {
        None
    };
    render(&InvitationPage {
        refusal: refusal.map(|r| refusal_text(&page, &r)),
        page,
        token,
        household: found.household.label,
    })
}

async fn accept_invitation(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    LoggedIn(caller): LoggedIn,
    session: Session,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    match crate::invitations::accept(&kernel, &caller, &token).await? {
        Ok(household) => {
            page::flash(
                &session,
                "success",
                page.tr
                    .t1("family-invitation-accepted", "household", household.label),
            )
            .await?;
            Ok(Redirect::to("/famille").into_response())
        }
        Err(refusal) => {
            let household = crate::invitations::find(&kernel, &token)
                .await?
                .map(|i| i.household.label)
                .unwrap_or_default();
            render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &InvitationPage {
                    refusal: Some(refusal_text(&page, &refusal)),
                    page,
                    token,
                    household,
                },
            )
            .map(IntoResponse::into_response)
        }
    }
}
