//! The categories of reports: their list, and the form that creates or changes one (its
//! questions are listed there and edited on pages of their own).

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kernel::audit::AuditTarget;
use kernel::i18n::Tr;
use kernel::web::forms::FormErrors;
use kernel::web::page::{self, FormPage, Page, Staff, render, render_status};
use kernel::{AppError, Kernel};
use tower_sessions::Session;

use super::{CATEGORIES, Opt, Posted, administrator, opts};
use crate::admin_rules::{
    self as rules, CategoryContext, CategoryInput, CategoryProblem, ICONS, full_name,
};
use crate::model::Category;
use crate::store;

pub(crate) fn icon_label(tr: &Tr, icon: &str) -> String {
    tr.t(&format!("radm-icon-{icon}"))
}

pub(crate) fn datatype_label(tr: &Tr, datatype: crate::model::AttributeType) -> String {
    tr.t(&format!("radm-type-{}", datatype.as_str()))
}

/// Reports filed in a category, whatever their status.
pub(crate) async fn reports_in(kernel: &Kernel, category_id: &str) -> Result<i64, AppError> {
    let filter = store::ReportFilter {
        category_ids: vec![category_id.to_string()],
        ..store::ReportFilter::default()
    };
    Ok(store::count_reports(&kernel.db, &filter).await?)
}

// ---------------------------------------------------------------- the list

pub struct CategoryLine {
    pub id: String,
    pub name: String,
    pub code: String,
    pub icon: String,
    pub sub: bool,
    pub questions: usize,
    pub private: bool,
    pub active: bool,
    pub reports: i64,
}

#[derive(askama::Template)]
#[template(path = "admin_categories.html")]
struct ListPage {
    page: Page,
    section: &'static str,
    lines: Vec<CategoryLine>,
}

pub async fn list(
    State(kernel): State<Kernel>,
    page: Page,
    Staff(caller): Staff,
) -> Result<Response, AppError> {
    administrator(&caller)?;
    let categories = store::categories(&kernel.db).await?;
    let counts = store::report_counts_by_category(&kernel.db).await?;
    let lines = rules::tree(&categories)
        .into_iter()
        .map(|(c, sub)| CategoryLine {
            id: c.id.clone(),
            name: c.name.clone(),
            code: c.code.clone(),
            icon: icon_label(&page.tr, &c.icon),
            sub,
            questions: c.attributes.len(),
            private: c.private,
            active: c.active,
            reports: counts.get(&c.id).copied().unwrap_or(0),
        })
        .collect();
    Ok(render(&ListPage {
        page,
        section: "categories",
        lines,
    })?
    .into_response())
}

// ---------------------------------------------------------------- the form

pub struct QuestionLine {
    /// Its form; `…/deplacer` and `…/supprimer` below it.
    pub url: String,
    pub move_url: String,
    pub remove_url: String,
    pub code: String,
    pub description: String,
    pub datatype: String,
    pub required: bool,
    pub information: bool,
    pub values: usize,
    pub first: bool,
    pub last: bool,
}

#[derive(askama::Template)]
#[template(path = "admin_category.html")]
struct CategoryPage {
    page: Page,
    section: &'static str,
    is_new: bool,
    id: String,
    heading: String,
    form: CategoryInput,
    errors: FormErrors,
    icons: Vec<Opt>,
    parents: Vec<Opt>,
    /// Reports filed in it: its code is theirs.
    reports: i64,
    questions: Vec<QuestionLine>,
}

fn problem_key(problem: CategoryProblem) -> &'static str {
    use CategoryProblem::*;
    match problem {
        CodeMissing => "radm-error-code-missing",
        CodeFormat => "radm-error-code-format",
        CodeTaken => "radm-error-code-taken",
        CodeLocked => "radm-error-code-locked",
        NameMissing => "radm-error-name-missing",
        NameTooLong => "radm-error-name-long",
        DescriptionTooLong => "radm-error-description-long",
        Icon => "radm-error-icon",
        ParentUnknown => "radm-error-parent-unknown",
        ParentItself => "radm-error-parent-itself",
        ParentNotTopLevel => "radm-error-parent-not-top",
        HasSubcategories => "radm-error-parent-has-children",
        KeywordsTooLong => "radm-error-keywords-long",
        NoticeTooLong => "radm-error-notice-long",
        Radius => "radm-error-radius",
        Position => "radm-error-position",
    }
}

fn errors_of(tr: &Tr, problems: &[CategoryProblem]) -> FormErrors {
    let mut errors = FormErrors::new();
    for p in problems {
        errors.add(p.field(), tr.t(problem_key(*p)));
    }
    errors
}

fn posted(values: Vec<(String, String)>) -> CategoryInput {
    let posted = Posted(values);
    CategoryInput {
        code: posted.get("code"),
        name: posted.get("name"),
        description: posted.get("description"),
        icon: posted.get("icon"),
        parent_id: posted.get("parent_id"),
        keywords: posted.get("keywords"),
        notice: posted.get("notice"),
        private: posted.checked("private"),
        duplicate_radius_m: posted.get("duplicate_radius_m"),
        position: posted.get("position"),
        active: posted.checked("active"),
    }
}

/// The page of a category's form, new (`editing` none) or stored.
async fn form_page(
    kernel: &Kernel,
    page: Page,
    editing: Option<&Category>,
    reports: i64,
    form: CategoryInput,
    errors: FormErrors,
) -> Result<CategoryPage, AppError> {
    let tr = page.tr.clone();
    let categories = store::categories(&kernel.db).await?;
    let id = editing.map(|c| c.id.clone()).unwrap_or_default();
    let mut parents = vec![(String::new(), tr.t("radm-parent-none"))];
    parents.extend(
        categories
            .iter()
            .filter(|c| c.parent_id.is_none() && c.id != id)
            .map(|c| (c.id.clone(), c.name.clone())),
    );
    let mut icons = vec![(String::new(), tr.t("radm-icon-choose"))];
    icons.extend(ICONS.iter().map(|i| (i.to_string(), icon_label(&tr, i))));
    let attributes = editing.map(|c| c.attributes.as_slice()).unwrap_or(&[]);
    let questions = attributes
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let url = format!("{CATEGORIES}/{id}/questions/{}", a.code);
            QuestionLine {
                move_url: format!("{url}/deplacer"),
                remove_url: format!("{url}/supprimer"),
                url,
                code: a.code.clone(),
                description: a.description.clone(),
                datatype: datatype_label(&tr, a.datatype),
                required: a.required,
                information: !a.variable,
                values: a.values.len(),
                first: i == 0,
                last: i + 1 == attributes.len(),
            }
        })
        .collect();
    Ok(CategoryPage {
        section: "categories",
        is_new: editing.is_none(),
        heading: match editing {
            Some(c) => tr.t1(
                "radm-category-edit-title",
                "name",
                full_name(&categories, c),
            ),
            None => tr.t("radm-category-new-title"),
        },
        icons: opts(icons, &form.icon),
        parents: opts(parents, &form.parent_id),
        id,
        reports,
        questions,
        page,
        form,
        errors,
    })
}

pub async fn new_form(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
) -> Result<Response, AppError> {
    administrator(&caller)?;
    let form = CategoryInput {
        icon: "autre".into(),
        duplicate_radius_m: "50".into(),
        active: true,
        ..CategoryInput::default()
    };
    let view = form_page(&kernel, page, None, 0, form, FormErrors::new()).await?;
    Ok(render(&view)?.into_response())
}

pub async fn create(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    session: Session,
    Form(values): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    administrator(&caller)?;
    let input = posted(values);
    let categories = store::categories(&kernel.db).await?;
    let ctx = CategoryContext {
        categories: &categories,
        editing: None,
        reports: 0,
    };
    let category = match rules::check_category(&input, &ctx, &store::new_id()) {
        Ok(c) => c,
        Err(problems) => {
            let errors = errors_of(&page.tr, &problems);
            let view = form_page(&kernel, page, None, 0, input, errors).await?;
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &view);
        }
    };
    let now = kernel.now();
    let mut tx = kernel.db.begin().await?;
    if let Err(e) = store::save_category(&mut tx, &category, now).await {
        tx.rollback().await?;
        return code_taken_or(e, &kernel, page, None, 0, input).await;
    }
    kernel
        .audit(
            &mut tx,
            &caller,
            "reports.category.created",
            Some(&AuditTarget::new("report_category", &category.id)),
            serde_json::json!({
                "code": category.code,
                "parent": category.parent_id,
                "private": category.private,
                "active": category.active,
            }),
        )
        .await?;
    tx.commit().await?;
    page::flash(
        &session,
        "success",
        page.tr.t1("radm-category-created", "name", &category.name),
    )
    .await?;
    Ok(Redirect::to(&format!("{CATEGORIES}/{}", category.id)).into_response())
}

/// Two administrators creating the same code at once: the database refuses the second,
/// who sees the same message as if it had been there before.
async fn code_taken_or(
    error: sqlx::Error,
    kernel: &Kernel,
    page: Page,
    editing: Option<&Category>,
    reports: i64,
    input: CategoryInput,
) -> Result<Response, AppError> {
    if !kernel::db::is_unique_violation(&error) {
        return Err(error.into());
    }
    let errors = errors_of(&page.tr, &[CategoryProblem::CodeTaken]);
    let view = form_page(kernel, page, editing, reports, input, errors).await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &view)
}

pub async fn edit_form(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    administrator(&caller)?;
    let category = store::category_by_id(&kernel.db, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    let reports = reports_in(&kernel, &category.id).await?;
    let form = CategoryInput::from_category(&category);
    let view = form_page(
        &kernel,
        page,
        Some(&category),
        reports,
        form,
        FormErrors::new(),
    )
    .await?;
    Ok(render(&view)?.into_response())
}

pub async fn update(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    session: Session,
    Path(id): Path<String>,
    Form(values): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    administrator(&caller)?;
    let input = posted(values);
    let categories = store::categories(&kernel.db).await?;
    let now = kernel.now();
    let mut tx = kernel.db.begin().await?;
    let Some(current) = store::lock_category(&mut tx, &id).await? else {
        tx.rollback().await?;
        return Err(AppError::NotFound);
    };
    let reports = store::reports_in_category(&mut tx, &id).await?;
    let ctx = CategoryContext {
        categories: &categories,
        editing: Some(&current),
        reports,
    };
    let updated = match rules::check_category(&input, &ctx, &id) {
        Ok(c) => c,
        Err(problems) => {
            tx.rollback().await?;
            let errors = errors_of(&page.tr, &problems);
            let view = form_page(&kernel, page, Some(&current), reports, input, errors).await?;
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &view);
        }
    };
    if let Err(e) = store::save_category(&mut tx, &updated, now).await {
        tx.rollback().await?;
        return code_taken_or(e, &kernel, page, Some(&current), reports, input).await;
    }
    let changed: Vec<&str> = [
        ("code", current.code != updated.code),
        ("name", current.name != updated.name),
        ("description", current.description != updated.description),
        ("icon", current.icon != updated.icon),
        ("parent", current.parent_id != updated.parent_id),
        ("keywords", current.keywords != updated.keywords),
        ("notice", current.notice != updated.notice),
        ("private", current.private != updated.private),
        (
            "duplicate_radius_m",
            current.duplicate_radius_m != updated.duplicate_radius_m,
        ),
        ("position", current.position != updated.position),
        ("active", current.active != updated.active),
    ]
    .into_iter()
    .filter(|(_, changed)| *changed)
    .map(|(name, _)| name)
    .collect();
    kernel
        .audit(
            &mut tx,
            &caller,
            "reports.category.updated",
            Some(&AuditTarget::new("report_category", &updated.id)),
            serde_json::json!({
                "code": updated.code,
                "changed": changed,
                "private": updated.private,
                "active": updated.active,
            }),
        )
        .await?;
    tx.commit().await?;
    page::flash(
        &session,
        "success",
        page.tr.t1("radm-category-saved", "name", &updated.name),
    )
    .await?;
    Ok(Redirect::to(&format!("{CATEGORIES}/{}", updated.id)).into_response())
}
