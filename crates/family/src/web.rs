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

fn child_row(child: &Child) -> ChildRow {
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
    Ok(HomePage {
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
}

impl ChildPage {
    fn new(page: Page, child_id: Option<String>, input: ChildInput, errors: FormErrors) -> Self {
        ChildPage {
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
        match &self.child_id {
            Some(id) => format!("/famille/enfants/{id}"),
            None => "/famille/enfants/nouveau".to_string(),
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
    render(&ChildPage::new(page, None, input, FormErrors::new())).map(IntoResponse::into_response)
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
            &ChildPage::new(page, None, input, errors_of(problems)),
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
            &ChildPage::new(page, Some(id), input, errors_of(problems)),
        )
        .map(IntoResponse::into_response),
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
