//! Reporting a problem in four short steps that work without JavaScript: the category,
//! the place (an address search, or the map and the phone's position when scripts run),
//! the details (questions, description, photos, an optional e-mail), then the possible
//! duplicates before sending. Every answer is kept in the session between steps, so the
//! « Précédent » button and the browser's back button never lose anything; photos are
//! cleaned and stored at once, and attached to the report when it is sent.

use std::collections::BTreeMap;

use axum::extract::{Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use jiff::SignedDuration;
use kernel::i18n::Tr;
use kernel::ratelimit::Limit;
use kernel::web::forms::FormErrors;
use kernel::web::page::{FormPage, Page, render};
use kernel::{AppError, Caller, Kernel};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use super::{Posted, answer_lines, internal, read_posted};
use crate::actions::{self, NewReport, ReportError, check_email};
use crate::model::{AttributeType, Category, Point};
use crate::photos::{self, CleanPhoto};
use crate::rules;
use crate::store::{self, ReportFilter};

const DRAFT_KEY: &str = "reports.draft";
const STEPS: u8 = 4;
/// Where photos wait between the step that receives them and sending. An abandoned one
/// has no `files` row and is swept after a day.
const PENDING_FOLDER: &str = "reports/pending";
/// At most this many possible duplicates are offered, nearest first.
const DUPLICATES_SHOWN: usize = 5;
/// Anonymous filing per address: enough for a busy resident, not for a script.
const ANONYMOUS_LIMIT: Limit = Limit {
    max: 10,
    window: SignedDuration::from_hours(1),
};

/// A place found or pointed at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Place {
    label: String,
    lat: f64,
    lon: f64,
}

impl Place {
    fn at(label: String, point: Point) -> Place {
        Place {
            label,
            lat: point.lat,
            lon: point.lon,
        }
    }
    fn point(&self) -> Option<Point> {
        Point::new(self.lat, self.lon)
    }
}

/// A photo already cleaned and stored, waiting for the report.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct PendingPhoto {
    key: String,
    content_type: String,
    width: u32,
    height: u32,
}

/// Everything the author has answered so far.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(super) struct Draft {
    category: String,
    sub_category: String,
    /// The address as typed, and what the search found for it.
    query: String,
    found: Vec<Place>,
    place: Option<Place>,
    place_from_photo: bool,
    answers: BTreeMap<String, Vec<String>>,
    description: String,
    email: String,
    use_photo_position: bool,
    photos: Vec<PendingPhoto>,
    /// The details passed their checks (the last step may be shown).
    details_done: bool,
}

async fn load_draft(session: &Session) -> Result<Draft, AppError> {
    Ok(session.get::<Draft>(DRAFT_KEY).await?.unwrap_or_default())
}

async fn delete_photos(kernel: &Kernel, photos: &[PendingPhoto]) {
    for photo in photos {
        if let Err(error) = kernel.storage.delete(&photo.key).await {
            // Left for the nightly sweep of files that no row points to.
            tracing::warn!(%error, "photo en attente non supprimée");
        }
    }
}

/// Forgets the draft and its waiting photos (after sending, or « moi aussi » instead).
pub(super) async fn discard_draft(kernel: &Kernel, session: &Session) -> Result<(), AppError> {
    if let Some(draft) = session.remove::<Draft>(DRAFT_KEY).await? {
        delete_photos(kernel, &draft.photos).await;
    }
    Ok(())
}

/// The categories offered, as configured by the administrator.
struct Categories(Vec<Category>);

impl Categories {
    fn top(&self) -> impl Iterator<Item = &Category> {
        self.0.iter().filter(|c| c.active && c.parent_id.is_none())
    }
    fn top_by_code(&self, code: &str) -> Option<&Category> {
        self.top().find(|c| c.code == code)
    }
    fn children(&self, parent: &Category) -> Vec<&Category> {
        self.0
            .iter()
            .filter(|c| c.active && c.parent_id.as_deref() == Some(parent.id.as_str()))
            .collect()
    }
    /// The chosen category and the one the report is filed under (its sub-category when
    /// one is chosen).
    fn chosen(&self, draft: &Draft) -> Option<(&Category, &Category)> {
        let top = self.top_by_code(&draft.category)?;
        let sub = self
            .children(top)
            .into_iter()
            .find(|c| c.code == draft.sub_category);
        Some((top, sub.unwrap_or(top)))
    }
}

/// The furthest step the author may open.
fn reachable(draft: &Draft, categories: &Categories) -> u8 {
    let Some(top) = categories.top_by_code(&draft.category) else {
        return 1;
    };
    let subs = categories.children(top);
    let sub_ok = subs.is_empty() || subs.iter().any(|s| s.code == draft.sub_category);
    if draft.place.is_none() || !sub_ok {
        2
    } else if !draft.details_done {
        3
    } else {
        4
    }
}

fn step_url(step: u8) -> String {
    format!("/signalements/nouveau?etape={step}")
}

fn step_title(tr: &Tr, step: u8) -> String {
    tr.t(&format!("report-new-step-{step}"))
}

/// One step in the step list at the top of each page.
pub struct StepLink {
    pub title: String,
    pub href: String,
    pub current: bool,
    pub open: bool,
}

fn step_links(tr: &Tr, current: u8, reachable: u8) -> Vec<StepLink> {
    (1..=STEPS)
        .map(|number| StepLink {
            title: step_title(tr, number),
            href: step_url(number),
            current: number == current,
            open: number <= reachable && number != current,
        })
        .collect()
}

#[derive(Deserialize, Default)]
pub struct StepQuery {
    etape: Option<String>,
}

pub async fn show(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    caller: Caller,
    session: Session,
    Query(query): Query<StepQuery>,
) -> Result<Response, AppError> {
    let draft = load_draft(&session).await?;
    let categories = Categories(store::categories(&kernel.db).await?);
    let step = query
        .etape
        .and_then(|s| s.parse::<u8>().ok())
        .unwrap_or(1)
        .clamp(1, STEPS);
    let furthest = reachable(&draft, &categories);
    if step > furthest {
        return Ok(Redirect::to(&step_url(furthest)).into_response());
    }
    let context = StepContext {
        kernel: &kernel,
        caller: &caller,
        draft: &draft,
        categories: &categories,
    };
    context
        .render(page, step, FormErrors::new(), StatusCode::OK)
        .await
}

pub async fn submit(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    caller: Caller,
    session: Session,
    request: Request,
) -> Result<Response, AppError> {
    let posted = read_posted(request).await?;
    let mut draft = load_draft(&session).await?;
    let categories = Categories(store::categories(&kernel.db).await?);
    let step = posted
        .text("etape")
        .parse::<u8>()
        .unwrap_or(1)
        .clamp(1, STEPS);
    let action = posted.text("action");
    let furthest = reachable(&draft, &categories);
    if step > furthest {
        return Ok(Redirect::to(&step_url(furthest)).into_response());
    }
    let tr = &page.tr;
    let (errors, movement) = match step {
        1 => (
            take_category(tr, &mut draft, &categories, &posted),
            Move::Forward,
        ),
        2 => take_place(&kernel, tr, &mut draft, &categories, &posted, &action).await?,
        3 => {
            take_details(
                &kernel,
                tr,
                &caller,
                &mut draft,
                &categories,
                &posted,
                &action,
            )
            .await?
        }
        _ if action == "envoyer" => {
            return send(&kernel, page, &caller, &session, draft, &categories).await;
        }
        _ => (FormErrors::new(), Move::from_action(&action)),
    };
    if !errors.is_empty() && movement != Move::Back {
        return refused(
            &kernel,
            page,
            &caller,
            &session,
            &categories,
            draft,
            step,
            errors,
        )
        .await;
    }
    session.insert(DRAFT_KEY, &draft).await?;
    let next = match movement {
        Move::Back => step.saturating_sub(1).max(1),
        Move::Stay => step,
        Move::Forward => (step + 1).min(STEPS),
    };
    Ok(Redirect::to(&step_url(next)).into_response())
}

/// Where a step's buttons lead once its answers are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Move {
    /// « Précédent »: nothing is checked, nothing is lost.
    Back,
    /// The same step again (an address searched).
    Stay,
    Forward,
}

impl Move {
    fn from_action(action: &str) -> Move {
        match action {
            "precedent" => Move::Back,
            "chercher" => Move::Stay,
            _ => Move::Forward,
        }
    }
}

fn take_category(
    tr: &Tr,
    draft: &mut Draft,
    categories: &Categories,
    posted: &Posted,
) -> FormErrors {
    let mut errors = FormErrors::new();
    match categories.top_by_code(&posted.text("category")) {
        Some(category) => {
            // Another category asks other questions: its answers start afresh.
            if draft.category != category.code {
                draft.category = category.code.clone();
                draft.sub_category.clear();
                draft.answers.clear();
                draft.details_done = false;
            }
        }
        None => errors.add("category", tr.t("report-new-category-missing")),
    }
    errors
}

/// Said at once rather than at sending: the same rule as filing (the districts, or the
/// extent of the commune's streets while no district is drawn).
async fn outside_commune(kernel: &Kernel, point: Point) -> Result<bool, AppError> {
    let districts = store::districts(&kernel.db).await?;
    if !districts.is_empty() {
        return Ok(rules::district_of(point, &districts).is_none());
    }
    let streets = store::streets(&kernel.db).await?;
    Ok(!streets.is_empty() && !rules::near_streets(point, &streets))
}

async fn search(kernel: &Kernel, query: &str) -> Vec<Place> {
    crate::geocode::search(kernel, query, 5)
        .await
        .into_iter()
        .map(|found| Place::at(found.label, found.point))
        .collect()
}

/// Words written into the report itself (its address) are in French, the language the
/// town hall works in, whatever the visitor reads.
fn stored_text(kernel: &Kernel) -> Tr {
    kernel.tr(kernel::i18n::Lang::Fr)
}

fn same_point(a: &Place, b: Point) -> bool {
    (a.lat - b.lat).abs() < 1e-7 && (a.lon - b.lon).abs() < 1e-7
}

async fn take_place(
    kernel: &Kernel,
    tr: &Tr,
    draft: &mut Draft,
    categories: &Categories,
    posted: &Posted,
    action: &str,
) -> Result<(FormErrors, Move), AppError> {
    let mut errors = FormErrors::new();
    let subs: Vec<String> = categories
        .top_by_code(&draft.category)
        .map(|top| {
            categories
                .children(top)
                .iter()
                .map(|c| c.code.clone())
                .collect()
        })
        .unwrap_or_default();
    if !subs.is_empty() {
        let sub = posted.text("sub_category");
        if sub != draft.sub_category {
            draft.sub_category = sub;
            draft.answers.clear();
            draft.details_done = false;
        }
    }
    let query = posted.text("address");
    let query_changed = !query.is_empty()
        && kernel::text::normalise(&query) != kernel::text::normalise(&draft.query);
    let picked = posted
        .text("place")
        .parse::<usize>()
        .ok()
        .and_then(|i| draft.found.get(i).cloned());
    // Enter pressed on a chosen result submits with the form's first button (search):
    // the person meant to go on.
    let movement = match Move::from_action(action) {
        Move::Stay if !query_changed && picked.is_some() => Move::Forward,
        other => other,
    };
    if movement == Move::Back {
        draft.query = query;
        return Ok((errors, movement));
    }
    if movement == Move::Stay {
        draft.query = query.clone();
        draft.found = if query.is_empty() {
            vec![]
        } else {
            search(kernel, &query).await
        };
        if query.is_empty() {
            errors.add("address", tr.t("report-new-address-empty"));
        } else if draft.found.is_empty() {
            errors.add("address", tr.t1("report-new-address-none", "query", &query));
        }
        return Ok((errors, movement));
    }
    if !subs.is_empty() && !subs.contains(&draft.sub_category) {
        errors.add("sub_category", tr.t("report-new-sub-category-missing"));
    }
    let pin = posted
        .text("lat")
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .zip(posted.text("lon").replace(',', ".").parse::<f64>().ok())
        .and_then(|(lat, lon)| Point::new(lat, lon));
    let previous = draft.place.clone();
    let pin_moved = pin.filter(|p| previous.as_ref().is_none_or(|old| !same_point(old, *p)));
    let place = if let Some(point) = pin_moved {
        // The map or the phone placed it; what was typed describes it, else the nearest
        // street does.
        draft.query = query.clone();
        let label = if query.is_empty() {
            let streets = store::streets(&kernel.db).await?;
            crate::geocode::reverse_label(point, &streets)
                .map(|street| stored_text(kernel).t1("report-new-place-near", "street", street))
                .unwrap_or_default()
        } else {
            query
        };
        Some(Place::at(label, point))
    } else if query_changed || (previous.is_none() && picked.is_none() && !query.is_empty()) {
        draft.query = query.clone();
        draft.found = search(kernel, &query).await;
        match draft.found.as_slice() {
            [] => {
                errors.add("address", tr.t1("report-new-address-none", "query", &query));
                None
            }
            [only] => Some(only.clone()),
            _ => {
                errors.add("place", tr.t("report-new-place-choose"));
                None
            }
        }
    } else if picked.is_some() {
        picked
    } else if previous.is_some() {
        previous
    } else {
        errors.add("address", tr.t("report-new-place-missing"));
        None
    };
    match place {
        Some(place) => {
            let point = place
                .point()
                .ok_or(AppError::BadRequest("lieu invalide".into()))?;
            if outside_commune(kernel, point).await? {
                errors.add("address", tr.t("report-new-place-outside"));
                draft.place = None;
            } else {
                draft.place = Some(place);
                draft.place_from_photo = false;
            }
        }
        None => draft.place = None,
    }
    Ok((errors, movement))
}

async fn take_details(
    kernel: &Kernel,
    tr: &Tr,
    caller: &Caller,
    draft: &mut Draft,
    categories: &Categories,
    posted: &Posted,
    action: &str,
) -> Result<(FormErrors, Move), AppError> {
    let mut errors = FormErrors::new();
    let movement = Move::from_action(action);
    let Some((_, category)) = categories.chosen(draft) else {
        return Ok((errors, movement));
    };
    let attributes = category.attributes.clone();
    draft.answers = posted
        .fields
        .iter()
        .filter_map(|(name, values)| {
            name.strip_prefix("attribute.")
                .map(|code| (code.to_string(), values.clone()))
        })
        .collect();
    draft.description = posted
        .fields
        .get("description")
        .and_then(|v| v.first())
        .cloned()
        .unwrap_or_default();
    draft.email = if caller.is_logged_in() {
        String::new()
    } else {
        posted.text("email")
    };
    draft.use_photo_position = posted.has("use_photo_position");
    draft.details_done = false;

    let removed: Vec<usize> = posted
        .fields
        .get("remove_photo")
        .map(|v| v.iter().filter_map(|n| n.parse().ok()).collect())
        .unwrap_or_default();
    if !removed.is_empty() {
        let (gone, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut draft.photos)
            .into_iter()
            .enumerate()
            .partition(|(n, _)| removed.contains(n));
        draft.photos = kept.into_iter().map(|(_, p)| p).collect();
        let gone: Vec<PendingPhoto> = gone.into_iter().map(|(_, p)| p).collect();
        delete_photos(kernel, &gone).await;
    }
    let mut position = None;
    for (_, bytes) in posted.files.iter().filter(|(field, _)| field == "photos") {
        if draft.photos.len() >= rules::MAX_PHOTOS {
            errors.add(
                "photos",
                tr.t1("report-new-photos-too-many", "max", rules::MAX_PHOTOS),
            );
            break;
        }
        match photos::clean_async(bytes.clone(), kernel.config.max_upload_bytes).await {
            Err(refused) => errors.add("photos", refused.to_string()),
            Ok(clean) => {
                // The position is read from the original file, and only when asked.
                if draft.use_photo_position && position.is_none() {
                    position = photos::position_in(bytes);
                }
                let object = kernel
                    .storage
                    .put_encrypted(PENDING_FOLDER, &clean.bytes)
                    .await
                    .map_err(internal)?;
                draft.photos.push(PendingPhoto {
                    key: object.key,
                    content_type: clean.content_type.to_string(),
                    width: clean.width,
                    height: clean.height,
                });
            }
        }
    }
    match position {
        Some(point) if outside_commune(kernel, point).await? => errors.add(
            "use_photo_position",
            tr.t("report-new-photo-position-outside"),
        ),
        Some(point) => {
            draft.place = Some(Place::at(
                stored_text(kernel).t("report-new-photo-place"),
                point,
            ));
            draft.place_from_photo = true;
        }
        None if draft.use_photo_position
            && !draft.place_from_photo
            && movement == Move::Forward =>
        {
            errors.add("use_photo_position", tr.t("report-new-photo-position-none"))
        }
        None => {}
    }
    if movement != Move::Forward {
        return Ok((errors, movement));
    }
    if let Err(problems) = rules::check_answers(&attributes, &draft.answers) {
        for problem in problems {
            errors.add(&format!("attribute.{}", problem.code), problem.message);
        }
    }
    if let Err(message) = rules::check_description(&draft.description) {
        errors.add("description", message);
    }
    if !draft.email.is_empty()
        && let Err(message) = check_email(&draft.email)
    {
        errors.add("email", message);
    }
    draft.details_done = errors.is_empty();
    Ok((errors, movement))
}

/// Which step holds a field, to show a refusal where it can be fixed.
fn step_of(field: &str) -> u8 {
    match field {
        "category" => 1,
        "location" | "address" | "sub_category" => 2,
        _ => 3,
    }
}

/// Shows a step again with what must be corrected, the draft kept.
#[allow(clippy::too_many_arguments)]
async fn refused(
    kernel: &Kernel,
    page: Page,
    caller: &Caller,
    session: &Session,
    categories: &Categories,
    draft: Draft,
    step: u8,
    errors: FormErrors,
) -> Result<Response, AppError> {
    session.insert(DRAFT_KEY, &draft).await?;
    let context = StepContext {
        kernel,
        caller,
        draft: &draft,
        categories,
    };
    context
        .render(page, step, errors, StatusCode::UNPROCESSABLE_ENTITY)
        .await
}

async fn send(
    kernel: &Kernel,
    page: Page,
    caller: &Caller,
    session: &Session,
    mut draft: Draft,
    categories: &Categories,
) -> Result<Response, AppError> {
    let (Some((_, category)), Some(place)) = (categories.chosen(&draft), draft.place.clone())
    else {
        return Ok(Redirect::to(&step_url(reachable(&draft, categories))).into_response());
    };
    let rate_key = (!caller.is_logged_in()).then(|| {
        kernel.secret.keyed_hash(
            "reports/filing-address",
            caller.ip.as_deref().unwrap_or("?"),
        )
    });
    if let Some(key) = &rate_key
        && kernel.memory_limits.hit(key, ANONYMOUS_LIMIT, kernel.now()) > ANONYMOUS_LIMIT.max
    {
        let mut errors = FormErrors::new();
        errors.add("envoyer", page.tr.t("report-new-too-many"));
        let response = refused(kernel, page, caller, session, categories, draft, 4, errors).await?;
        return Ok((StatusCode::TOO_MANY_REQUESTS, response).into_response());
    }
    let mut photos = Vec::with_capacity(draft.photos.len());
    let mut kept = Vec::with_capacity(draft.photos.len());
    for pending in &draft.photos {
        match kernel.storage.get_decrypted(&pending.key).await {
            Ok(bytes) => {
                photos.push(CleanPhoto {
                    bytes,
                    content_type: match pending.content_type.as_str() {
                        "image/png" => "image/png",
                        "image/webp" => "image/webp",
                        _ => "image/jpeg",
                    },
                    width: pending.width,
                    height: pending.height,
                });
                kept.push(pending.clone());
            }
            Err(error) => tracing::warn!(%error, "photo en attente introuvable"),
        }
    }
    if kept.len() < draft.photos.len() {
        draft.photos = kept;
        draft.details_done = false;
        if let Some(key) = &rate_key {
            kernel.memory_limits.take_back(key);
        }
        let mut errors = FormErrors::new();
        errors.add("photos", page.tr.t("report-new-photo-lost"));
        return refused(kernel, page, caller, session, categories, draft, 3, errors).await;
    }
    let new = NewReport {
        category_code: category.code.clone(),
        point: place.point(),
        address: place.label.clone(),
        description: draft.description.clone(),
        answers: draft.answers.clone(),
        photos,
        email: (!caller.is_logged_in() && !draft.email.is_empty()).then(|| draft.email.clone()),
        ..NewReport::default()
    };
    match actions::file_report(kernel, caller, new).await {
        Ok(filed) => {
            discard_draft(kernel, session).await?;
            Ok(Redirect::to(&format!(
                "/signalements/suivi/{}/envoye",
                filed.tracking_token
            ))
            .into_response())
        }
        Err(ReportError::Invalid(problems)) => {
            if let Some(key) = &rate_key {
                kernel.memory_limits.take_back(key);
            }
            let step = problems
                .iter()
                .map(|(field, _)| step_of(field))
                .min()
                .unwrap_or(3);
            let mut errors = FormErrors::new();
            for (field, message) in problems.into_iter().filter(|(f, _)| step_of(f) == step) {
                let field = if field == "location" {
                    "address".to_string()
                } else {
                    field
                };
                errors.add(&field, message);
            }
            if step < 4 {
                draft.details_done = false;
            }
            if step <= 2 {
                draft.place = None;
            }
            refused(
                kernel, page, caller, session, categories, draft, step, errors,
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

// ---------------------------------------------------------------- pages

pub struct Choice {
    pub value: String,
    pub name: String,
    pub description: String,
    pub icon: String,
    pub checked: bool,
}

pub struct OptionView {
    pub key: String,
    pub name: String,
    pub checked: bool,
}

/// An extra question as a form control.
pub struct AttributeView {
    pub field: String,
    pub label: String,
    pub hint: String,
    pub required: bool,
    /// `info`, `text`, `number`, `datetime`, `textarea`, `radio`, `select`, `checkboxes`.
    pub control: &'static str,
    pub value: String,
    pub options: Vec<OptionView>,
}

impl AttributeView {
    pub fn described(&self, errors: &FormErrors) -> bool {
        !self.hint.is_empty() || errors.has(&self.field)
    }
}

/// Radios read well up to a handful of choices; beyond, a list box.
const MAX_RADIOS: usize = 6;

fn attribute_views(
    category: &Category,
    answers: &BTreeMap<String, Vec<String>>,
) -> Vec<AttributeView> {
    category
        .attributes
        .iter()
        .map(|a| {
            let given = answers.get(&a.code).cloned().unwrap_or_default();
            let control = if !a.variable {
                "info"
            } else {
                match a.datatype {
                    AttributeType::String => "text",
                    AttributeType::Number => "number",
                    AttributeType::Datetime => "datetime",
                    AttributeType::Text => "textarea",
                    AttributeType::Singlevaluelist if a.values.len() > MAX_RADIOS => "select",
                    AttributeType::Singlevaluelist => "radio",
                    AttributeType::Multivaluelist => "checkboxes",
                }
            };
            AttributeView {
                field: format!("attribute.{}", a.code),
                label: a.description.clone(),
                hint: a.datatype_description.clone(),
                required: a.required && a.variable,
                control,
                value: given.first().cloned().unwrap_or_default(),
                options: a
                    .values
                    .iter()
                    .map(|v| OptionView {
                        key: v.key.clone(),
                        name: v.name.clone(),
                        checked: given.contains(&v.key),
                    })
                    .collect(),
            }
        })
        .collect()
}

pub struct DuplicateView {
    pub id: String,
    pub reference: String,
    pub status: String,
    pub distance: String,
    pub date: String,
    pub description: String,
    pub me_too_count: i64,
}

/// Open reports of the same category near the place in the last 30 days, nearest first.
/// Private categories are never offered: their reports are not public.
async fn duplicates(
    kernel: &Kernel,
    tr: &Tr,
    category: &Category,
    point: Point,
) -> Result<Vec<DuplicateView>, AppError> {
    if category.private {
        return Ok(vec![]);
    }
    let radius = category.duplicate_radius_m as f64;
    let now = kernel.now();
    let candidates = store::nearby(
        &kernel.db,
        &category.id,
        rules::bounding_box(point, radius),
        now - rules::DUPLICATE_WINDOW,
    )
    .await?;
    let found: Vec<(String, f64)> =
        rules::possible_duplicates(&candidates, &category.id, point, radius, now)
            .into_iter()
            .take(DUPLICATES_SHOWN)
            .map(|(n, d)| (n.id.clone(), d))
            .collect();
    if found.is_empty() {
        return Ok(vec![]);
    }
    let reports = store::list_reports(
        &kernel.db,
        &ReportFilter {
            ids: found.iter().map(|(id, _)| id.clone()).collect(),
            limit: DUPLICATES_SHOWN as i64,
            ..ReportFilter::default()
        },
    )
    .await?;
    Ok(found
        .iter()
        .filter_map(|(id, distance)| {
            let report = reports.iter().find(|r| &r.id == id)?;
            Some(DuplicateView {
                id: report.id.clone(),
                reference: report.reference.clone(),
                status: tr.t(report.status.label_key()),
                distance: tr.t1(
                    "report-new-duplicate-distance",
                    "metres",
                    distance.round() as i64,
                ),
                date: kernel::clock::format_fr(report.created_at),
                description: if report.description_hidden {
                    String::new()
                } else {
                    report.description.chars().take(300).collect()
                },
                me_too_count: report.me_too_count,
            })
        })
        .collect())
}

#[derive(askama::Template)]
#[template(path = "report_new_category.html")]
struct CategoryStep {
    page: Page,
    steps: Vec<StepLink>,
    step: u8,
    title: String,
    errors: FormErrors,
    categories: Vec<Choice>,
}

#[derive(askama::Template)]
#[template(path = "report_new_place.html")]
struct PlaceStep {
    page: Page,
    steps: Vec<StepLink>,
    step: u8,
    title: String,
    errors: FormErrors,
    category: String,
    subs: Vec<Choice>,
    query: String,
    found: Vec<(String, bool)>,
    place: Option<String>,
    lat: String,
    lon: String,
    map: Option<MapData>,
}

pub struct MapData {
    pub tile_url: String,
    pub attribution: String,
    pub lat: String,
    pub lon: String,
    pub zoom: u8,
}

#[derive(askama::Template)]
#[template(path = "report_new_details.html")]
struct DetailsStep {
    page: Page,
    steps: Vec<StepLink>,
    step: u8,
    title: String,
    errors: FormErrors,
    category: String,
    notices: Vec<String>,
    attributes: Vec<AttributeView>,
    description: String,
    email: String,
    logged_in: bool,
    photos: Vec<String>,
    more_photos: usize,
    use_photo_position: bool,
}

#[derive(askama::Template)]
#[template(path = "report_new_review.html")]
struct ReviewStep {
    page: Page,
    steps: Vec<StepLink>,
    step: u8,
    title: String,
    errors: FormErrors,
    category: String,
    place: String,
    description: String,
    answers: Vec<(String, String)>,
    photos: usize,
    email: String,
    logged_in: bool,
    duplicates: Vec<DuplicateView>,
    private: bool,
}

struct StepContext<'a> {
    kernel: &'a Kernel,
    caller: &'a Caller,
    draft: &'a Draft,
    categories: &'a Categories,
}

fn place_label(tr: &Tr, place: &Place) -> String {
    if place.label.trim().is_empty() {
        tr.t2(
            "report-new-place-pin",
            "lat",
            format!("{:.5}", place.lat),
            "lon",
            format!("{:.5}", place.lon),
        )
    } else {
        place.label.clone()
    }
}

impl StepContext<'_> {
    async fn render(
        &self,
        page: Page,
        step: u8,
        errors: FormErrors,
        status: StatusCode,
    ) -> Result<Response, AppError> {
        let tr = page.tr.clone();
        let draft = self.draft;
        let furthest = reachable(draft, self.categories).max(step);
        let steps = step_links(&tr, step, furthest);
        let title = step_title(&tr, step);
        let chosen = self.categories.chosen(draft);
        let category_name = match chosen {
            Some((top, sub)) if top.id != sub.id => format!("{} — {}", top.name, sub.name),
            Some((top, _)) => top.name.clone(),
            None => String::new(),
        };
        let body = match (step, chosen) {
            (2, Some((top, _))) => {
                let map = &self.kernel.config.map;
                let (lat, lon) = draft
                    .place
                    .as_ref()
                    .map(|p| (format!("{:.6}", p.lat), format!("{:.6}", p.lon)))
                    .unwrap_or_default();
                let view = PlaceStep {
                    steps,
                    step,
                    title,
                    errors,
                    category: top.name.clone(),
                    subs: self
                        .categories
                        .children(top)
                        .into_iter()
                        .map(|c| Choice {
                            value: c.code.clone(),
                            name: c.name.clone(),
                            description: c.description.clone(),
                            icon: c.icon.clone(),
                            checked: c.code == draft.sub_category,
                        })
                        .collect(),
                    query: draft.query.clone(),
                    found: draft
                        .found
                        .iter()
                        .map(|f| (f.label.clone(), draft.place.as_ref() == Some(f)))
                        .collect(),
                    place: draft.place.as_ref().map(|p| place_label(&tr, p)),
                    map: (!map.tile_url.is_empty()).then(|| MapData {
                        tile_url: map.tile_url.clone(),
                        attribution: map.tile_attribution.clone(),
                        lat: if lat.is_empty() {
                            format!("{:.6}", map.center_lat)
                        } else {
                            lat.clone()
                        },
                        lon: if lon.is_empty() {
                            format!("{:.6}", map.center_lon)
                        } else {
                            lon.clone()
                        },
                        zoom: map.zoom,
                    }),
                    lat,
                    lon,
                    page,
                };
                let csp = crate::web::map::map_csp(self.kernel);
                return Ok((
                    status,
                    [(header::CONTENT_SECURITY_POLICY, csp)],
                    render(&view)?,
                )
                    .into_response());
            }
            (3, Some((top, sub))) => {
                let mut notices: Vec<String> = [&top.notice, &sub.notice]
                    .into_iter()
                    .filter(|n| !n.trim().is_empty())
                    .cloned()
                    .collect();
                notices.dedup();
                render(&DetailsStep {
                    steps,
                    step,
                    title,
                    errors,
                    category: category_name,
                    notices,
                    attributes: attribute_views(sub, &draft.answers),
                    description: draft.description.clone(),
                    email: draft.email.clone(),
                    logged_in: self.caller.is_logged_in(),
                    photos: draft
                        .photos
                        .iter()
                        .enumerate()
                        .map(|(n, p)| {
                            tr.tn(
                                "report-new-photo-item",
                                &[
                                    ("n", (n + 1).to_string()),
                                    ("width", p.width.to_string()),
                                    ("height", p.height.to_string()),
                                ],
                            )
                        })
                        .collect(),
                    more_photos: rules::MAX_PHOTOS.saturating_sub(draft.photos.len()),
                    use_photo_position: draft.use_photo_position,
                    page,
                })?
            }
            (4, Some((_, sub))) => {
                let place = draft.place.clone().ok_or(AppError::NotFound)?;
                let point = place.point().ok_or(AppError::NotFound)?;
                let answers = answer_lines(&sub.attributes, |code| {
                    draft.answers.get(code).cloned().unwrap_or_default()
                });
                render(&ReviewStep {
                    steps,
                    step,
                    title,
                    errors,
                    category: category_name,
                    place: place_label(&tr, &place),
                    description: draft.description.trim().to_string(),
                    answers,
                    photos: draft.photos.len(),
                    email: draft.email.clone(),
                    logged_in: self.caller.is_logged_in(),
                    duplicates: duplicates(self.kernel, &tr, sub, point).await?,
                    private: sub.private,
                    page,
                })?
            }
            _ => render(&CategoryStep {
                steps,
                step: 1,
                title: step_title(&tr, 1),
                errors,
                categories: self
                    .categories
                    .top()
                    .map(|c| Choice {
                        value: c.code.clone(),
                        name: c.name.clone(),
                        description: c.description.clone(),
                        icon: c.icon.clone(),
                        checked: c.code == draft.category,
                    })
                    .collect(),
                page,
            })?,
        };
        Ok((status, body).into_response())
    }
}
