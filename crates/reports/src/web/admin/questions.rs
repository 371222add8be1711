//! A category's extra questions, edited one by one with plain fields (the list values one
//! per line), moved up and down, removed. Each change locks the category, rewrites its
//! questions and is audited.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kernel::Caller;
use kernel::audit::AuditTarget;
use kernel::i18n::Tr;
use kernel::web::forms::FormErrors;
use kernel::web::page::{self, FormPage, Page, Staff, render, render_status};
use kernel::{AppError, Kernel, Tx};
use tower_sessions::Session;

use super::categories::{datatype_label, reports_in};
use super::{CATEGORIES, Opt, Posted, administrator, opts};
use crate::admin_rules::{
    self as rules, DATATYPES, QuestionInput, QuestionProblem, ValueProblem, move_one,
};
use crate::model::{Attribute, Category};
use crate::store;

#[derive(askama::Template)]
#[template(path = "admin_question.html")]
struct QuestionPage {
    page: Page,
    section: &'static str,
    category: Category,
    /// The question's code in its address; empty for a new one.
    code: String,
    heading: String,
    form: QuestionInput,
    errors: FormErrors,
    datatypes: Vec<Opt>,
    /// Reports were filed in the category: the question's code is what their answers
    /// are stored under.
    code_locked: bool,
}

fn problem_text(tr: &Tr, problem: &QuestionProblem) -> String {
    use QuestionProblem::*;
    match problem {
        CodeMissing => tr.t("radm-q-error-code-missing"),
        CodeFormat => tr.t("radm-q-error-code-format"),
        CodeTaken => tr.t("radm-q-error-code-taken"),
        CodeLocked => tr.t("radm-q-error-code-locked"),
        TextMissing => tr.t("radm-q-error-text-missing"),
        TextTooLong => tr.t("radm-q-error-text-long"),
        Datatype => tr.t("radm-q-error-type"),
        HintTooLong => tr.t("radm-q-error-hint-long"),
        InformationRequired => tr.t("radm-q-error-information-required"),
        ListWithoutValues => tr.t("radm-q-error-list-empty"),
        ValuesWithoutList => tr.t("radm-q-error-values-not-list"),
        TooManyValues => tr.t("radm-q-error-values-many"),
        Value { line, problem } => match problem {
            ValueProblem::KeyFormat(key) => {
                tr.t2("radm-q-error-value-key", "line", line, "key", key)
            }
            ValueProblem::NameMissing => tr.t1("radm-q-error-value-name", "line", line),
            ValueProblem::NameTooLong => tr.t1("radm-q-error-value-name-long", "line", line),
            ValueProblem::DuplicateKey(key) => {
                tr.t2("radm-q-error-value-duplicate", "line", line, "key", key)
            }
        },
    }
}

/// Problems by field; several lines of the values box are joined in one message.
fn errors_of(tr: &Tr, problems: &[QuestionProblem]) -> FormErrors {
    let mut errors = FormErrors::new();
    let lines: Vec<String> = problems
        .iter()
        .filter(|p| matches!(p, QuestionProblem::Value { .. }))
        .map(|p| problem_text(tr, p))
        .collect();
    if !lines.is_empty() {
        errors.add("values", lines.join(" "));
    }
    for p in problems {
        errors.add(p.field(), problem_text(tr, p));
    }
    errors
}

fn posted(values: Vec<(String, String)>) -> QuestionInput {
    let posted = Posted(values);
    QuestionInput {
        code: posted.get("code"),
        description: posted.get("description"),
        datatype: posted.get("datatype"),
        required: posted.checked("required"),
        information: posted.checked("information"),
        hint: posted.get("hint"),
        values: posted.get("values"),
    }
}

fn question_page(
    page: Page,
    category: Category,
    code: &str,
    form: QuestionInput,
    errors: FormErrors,
    code_locked: bool,
) -> QuestionPage {
    let tr = page.tr.clone();
    QuestionPage {
        section: "categories",
        heading: if code.is_empty() {
            tr.t1("radm-q-new-title", "category", &category.name)
        } else {
            tr.t1("radm-q-edit-title", "category", &category.name)
        },
        datatypes: opts(
            DATATYPES
                .iter()
                .map(|t| (t.as_str().to_string(), datatype_label(&tr, *t))),
            &form.datatype,
        ),
        code: code.to_string(),
        code_locked: code_locked && !code.is_empty(),
        category,
        page,
        form,
        errors,
    }
}

async fn category(kernel: &Kernel, id: &str) -> Result<Category, AppError> {
    store::category_by_id(&kernel.db, id)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn new_form(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    administrator(&caller)?;
    let category = category(&kernel, &id).await?;
    let form = QuestionInput {
        datatype: "string".into(),
        ..QuestionInput::default()
    };
    let view = question_page(page, category, "", form, FormErrors::new(), false);
    Ok(render(&view)?.into_response())
}

pub async fn edit_form(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    Path((id, code)): Path<(String, String)>,
) -> Result<Response, AppError> {
    administrator(&caller)?;
    let category = category(&kernel, &id).await?;
    let attribute = category
        .attributes
        .iter()
        .find(|a| a.code == code)
        .ok_or(AppError::NotFound)?;
    let form = QuestionInput::from_attribute(attribute);
    let locked = reports_in(&kernel, &id).await? > 0;
    let view = question_page(page, category, &code, form, FormErrors::new(), locked);
    Ok(render(&view)?.into_response())
}

/// The category locked for a change of its questions, and the place of the question
/// `code` in them (404 when either is missing).
async fn locked(
    kernel: &Kernel,
    id: &str,
    code: Option<&str>,
) -> Result<(Tx, Category, usize), AppError> {
    let mut tx = kernel.db.begin().await?;
    let found = store::lock_category(&mut tx, id)
        .await?
        .and_then(|category| {
            let index = match code {
                Some(code) => category.attributes.iter().position(|a| a.code == code)?,
                None => category.attributes.len(),
            };
            Some((category, index))
        });
    match found {
        Some((category, index)) => Ok((tx, category, index)),
        None => {
            tx.rollback().await?;
            Err(AppError::NotFound)
        }
    }
}

/// What was done to a question, as the audit log and the person read it.
#[derive(Clone, Copy)]
enum Done {
    Added,
    Updated,
    Removed,
    Moved,
}

impl Done {
    fn action(self) -> &'static str {
        match self {
            Done::Added => "reports.category.question_added",
            Done::Updated => "reports.category.question_updated",
            Done::Removed => "reports.category.question_removed",
            Done::Moved => "reports.category.question_moved",
        }
    }
    fn message(self) -> &'static str {
        match self {
            Done::Added => "radm-q-added",
            Done::Updated => "radm-q-saved",
            Done::Removed => "radm-q-removed",
            Done::Moved => "radm-q-moved",
        }
    }
}

/// Writes the category's new questions with the audit entry, commits, and goes back to
/// the category's questions with a message.
async fn save(
    kernel: &Kernel,
    mut tx: Tx,
    caller: &Caller,
    (session, tr): (&Session, &Tr),
    category: &Category,
    done: Done,
    code: &str,
) -> Result<Response, AppError> {
    store::save_category(&mut tx, category, kernel.now()).await?;
    kernel
        .audit(
            &mut tx,
            caller,
            done.action(),
            Some(&AuditTarget::new("report_category", &category.id)),
            serde_json::json!({
                "category": category.code,
                "question": code,
                "questions": category.attributes.iter().map(|a| a.code.as_str()).collect::<Vec<_>>(),
            }),
        )
        .await?;
    tx.commit().await?;
    page::flash(session, "success", tr.t(done.message())).await?;
    Ok(back_to(&category.id))
}

fn back_to(category_id: &str) -> Response {
    Redirect::to(&format!("{CATEGORIES}/{category_id}#questions")).into_response()
}

pub async fn create(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    session: Session,
    Path(id): Path<String>,
    Form(values): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    administrator(&caller)?;
    let input = posted(values);
    let (tx, mut category, _) = locked(&kernel, &id, None).await?;
    let question = match rules::check_question(&input, &category.attributes, None) {
        Ok(q) => q,
        Err(problems) => {
            tx.rollback().await?;
            let errors = errors_of(&page.tr, &problems);
            let view = question_page(page, category, "", input, errors, false);
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &view);
        }
    };
    let code = question.code.clone();
    category.attributes.push(question);
    save(
        &kernel,
        tx,
        &caller,
        (&session, &page.tr),
        &category,
        Done::Added,
        &code,
    )
    .await
}

pub async fn update(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    session: Session,
    Path((id, code)): Path<(String, String)>,
    Form(values): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    administrator(&caller)?;
    let input = posted(values);
    let (mut tx, mut category, index) = locked(&kernel, &id, Some(&code)).await?;
    let locked = store::reports_in_category(&mut tx, &id).await? > 0;
    let others: Vec<Attribute> = category
        .attributes
        .iter()
        .filter(|a| a.code != code)
        .cloned()
        .collect();
    let locked_code = locked.then_some(code.as_str());
    let question = match rules::check_question(&input, &others, locked_code) {
        Ok(q) => q,
        Err(problems) => {
            tx.rollback().await?;
            let errors = errors_of(&page.tr, &problems);
            let view = question_page(page, category, &code, input, errors, locked);
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &view);
        }
    };
    category.attributes[index] = question;
    save(
        &kernel,
        tx,
        &caller,
        (&session, &page.tr),
        &category,
        Done::Updated,
        &code,
    )
    .await
}

pub async fn remove(
    State(kernel): State<Kernel>,
    page: Page,
    Staff(caller): Staff,
    session: Session,
    Path((id, code)): Path<(String, String)>,
) -> Result<Response, AppError> {
    administrator(&caller)?;
    let (tx, mut category, index) = locked(&kernel, &id, Some(&code)).await?;
    category.attributes.remove(index);
    save(
        &kernel,
        tx,
        &caller,
        (&session, &page.tr),
        &category,
        Done::Removed,
        &code,
    )
    .await
}

pub async fn move_question(
    State(kernel): State<Kernel>,
    page: Page,
    Staff(caller): Staff,
    session: Session,
    Path((id, code)): Path<(String, String)>,
    Form(values): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    administrator(&caller)?;
    let up = match Posted(values).get("direction").as_str() {
        "up" => true,
        "down" => false,
        _ => return Err(AppError::BadRequest("sens de déplacement inconnu".into())),
    };
    let (tx, mut category, index) = locked(&kernel, &id, Some(&code)).await?;
    if !move_one(&mut category.attributes, index, up) {
        // Already first or last (the list changed in another window): nothing to do.
        tx.rollback().await?;
        page::flash(&session, "info", page.tr.t("radm-q-not-moved")).await?;
        return Ok(back_to(&category.id));
    }
    save(
        &kernel,
        tx,
        &caller,
        (&session, &page.tr),
        &category,
        Done::Moved,
        &code,
    )
    .await
}
