//! The form builder in the back office: a procedure's form versions, the draft being
//! edited page by page and field by field, its preview, and the differences shown before
//! it is published (JSON files are in `builder_files`). Plain HTML forms:
//! every change is a POST with its token, answered by a redirect, or by the same page
//! with its errors (422).

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kernel::i18n::Tr;
use kernel::web::forms::FormErrors;
use kernel::web::page::{self, FormPage, Page, Staff, render, render_status};
use kernel::{AppError, Caller, Kernel};
use serde::Deserialize;
use tower_sessions::Session;

use super::form_view::{BlockView, preview_blocks};
use crate::builder::{self, BuildError, fingerprint, may_build};
use crate::form_diff::{self, FormDiff};
use crate::form_edit::{
    self, Direction, Edit, EditError, block_identity, locate, page_identity, suggest_key,
};
use crate::forms::{
    Block, Condition, DefinitionProblem, Field, FieldKind, FormDefinition, Pattern, Prefill,
    is_valid_key,
};
use crate::model::{FormVersion, Procedure};
use crate::store;

/// Field types, in the order the builder offers them.
const TYPES: [&str; 11] = [
    "short_text",
    "long_text",
    "number",
    "date",
    "email",
    "phone",
    "postal_address",
    "single_choice",
    "multiple_choice",
    "checkbox",
    "file",
];

const PREFILLS: [(&str, Prefill); 5] = [
    ("given_name", Prefill::GivenName),
    ("family_name", Prefill::FamilyName),
    ("email", Prefill::Email),
    ("phone", Prefill::Phone),
    ("postal_address", Prefill::PostalAddress),
];

fn kind_name(kind: &FieldKind) -> &'static str {
    match kind {
        FieldKind::ShortText { .. } => "short_text",
        FieldKind::LongText { .. } => "long_text",
        FieldKind::Number { .. } => "number",
        FieldKind::Date => "date",
        FieldKind::Email => "email",
        FieldKind::Phone => "phone",
        FieldKind::PostalAddress => "postal_address",
        FieldKind::SingleChoice { .. } => "single_choice",
        FieldKind::MultipleChoice { .. } => "multiple_choice",
        FieldKind::Checkbox => "checkbox",
        FieldKind::File => "file",
    }
}

fn type_label(tr: &Tr, name: &str) -> String {
    tr.t(&format!("builder-type-{}", name.replace('_', "-")))
}

fn prefill_name(prefill: Prefill) -> &'static str {
    PREFILLS
        .iter()
        .find(|(_, p)| *p == prefill)
        .map(|(n, _)| *n)
        .unwrap_or_default()
}

fn prefill_label(tr: &Tr, name: &str) -> String {
    tr.t(&format!("builder-prefill-{}", name.replace('_', "-")))
}

pub(super) fn base(slug: &str) -> String {
    format!("/backoffice/demarches/{slug}/formulaire")
}

pub(super) fn to_overview(slug: &str) -> Response {
    Redirect::to(&base(slug)).into_response()
}

/// The procedure, for someone who may build its form (404 if unknown, 403 otherwise).
pub(super) async fn procedure_for(
    kernel: &Kernel,
    caller: &Caller,
    slug: &str,
) -> Result<Procedure, AppError> {
    let procedure = store::procedure_by_slug(&kernel.db, slug)
        .await?
        .ok_or(AppError::NotFound)?;
    if !may_build(caller, &procedure) {
        return Err(AppError::Forbidden);
    }
    Ok(procedure)
}

/// What is being edited: the draft, or the published version a first change will copy.
struct Working {
    draft: Option<FormVersion>,
    published: Option<FormVersion>,
}

impl Working {
    async fn load(kernel: &Kernel, procedure: &Procedure) -> Result<Working, AppError> {
        Ok(Working {
            draft: store::draft_version(&kernel.db, &procedure.id).await?,
            published: store::published_version(&kernel.db, &procedure.id).await?,
        })
    }

    fn definition(&self) -> FormDefinition {
        self.draft
            .as_ref()
            .or(self.published.as_ref())
            .map(|v| v.definition.clone())
            .unwrap_or(FormDefinition { pages: vec![] })
    }
}

// ---------------------------------------------------------------- problems in words

fn field_label(form: &FormDefinition, key: &str) -> String {
    form.fields()
        .find(|f| f.key == key)
        .map(|f| f.label.clone())
        .unwrap_or_else(|| key.to_string())
}

/// « de la page 2 (« Envoi ») », « du champ « Nom du conjoint » ».
fn place(tr: &Tr, form: &FormDefinition, at: &str) -> String {
    match at
        .strip_prefix("page ")
        .and_then(|n| n.parse::<usize>().ok())
    {
        Some(n) => tr.t2(
            "builder-at-page",
            "number",
            n,
            "title",
            form.pages
                .get(n.wrapping_sub(1))
                .map(|p| p.title.clone())
                .unwrap_or_default(),
        ),
        None => tr.t1("builder-at-field", "label", field_label(form, at)),
    }
}

/// A problem of a definition, in words (`form` is the definition that has it).
pub(super) fn problem_text(tr: &Tr, form: &FormDefinition, problem: &DefinitionProblem) -> String {
    match problem {
        DefinitionProblem::NoPage => tr.t("builder-problem-no-page"),
        DefinitionProblem::EmptyPage { page } => tr.t2(
            "builder-problem-empty-page",
            "number",
            page,
            "title",
            form.pages
                .get(page.wrapping_sub(1))
                .map(|p| p.title.clone())
                .unwrap_or_default(),
        ),
        DefinitionProblem::BadKey { key } => tr.t1("builder-problem-bad-key", "key", key),
        DefinitionProblem::DuplicateKey { key } => {
            tr.t1("builder-problem-duplicate-key", "key", key)
        }
        DefinitionProblem::NoOptions { key } => tr.t1(
            "builder-problem-no-options",
            "label",
            field_label(form, key),
        ),
        DefinitionProblem::UnknownConditionField { at, field } => {
            let exists = form.fields().any(|f| &f.key == field);
            tr.t2(
                if exists {
                    "builder-problem-condition-later"
                } else {
                    "builder-problem-condition-unknown"
                },
                "at",
                place(tr, form, at),
                "field",
                if exists {
                    field_label(form, field)
                } else {
                    field.clone()
                },
            )
        }
        DefinitionProblem::ConditionValueNotOffered { at, field, value } => tr.tn(
            "builder-problem-condition-value",
            &[
                ("at", place(tr, form, at)),
                ("field", field_label(form, field)),
                ("value", value.clone()),
            ],
        ),
        DefinitionProblem::BadPattern { key } => tr.t1(
            "builder-problem-bad-pattern",
            "label",
            field_label(form, key),
        ),
        DefinitionProblem::BadBounds { key } => tr.t1(
            "builder-problem-bad-bounds",
            "label",
            field_label(form, key),
        ),
    }
}

/// The change would make the form wrong: each problem next to the input it comes from
/// when it is this field's or this page's (`at`), else in the general list.
fn problems_to_errors(
    tr: &Tr,
    form: &FormDefinition,
    problems: &[DefinitionProblem],
    at: Option<&str>,
    errors: &mut FormErrors,
) {
    for problem in problems {
        let input = match problem {
            DefinitionProblem::BadKey { key } | DefinitionProblem::DuplicateKey { key }
                if Some(key.as_str()) == at =>
            {
                "key"
            }
            DefinitionProblem::NoOptions { key } if Some(key.as_str()) == at => "options",
            DefinitionProblem::BadPattern { key } if Some(key.as_str()) == at => "pattern",
            DefinitionProblem::BadBounds { key } if Some(key.as_str()) == at => "min",
            DefinitionProblem::UnknownConditionField { at: owner, .. }
            | DefinitionProblem::ConditionValueNotOffered { at: owner, .. }
                if Some(owner.as_str()) == at =>
            {
                "condition"
            }
            _ => "formulaire",
        };
        // The first general problem goes in the summary; the list above the form names
        // each of them.
        errors.add(input, problem_text(tr, form, problem));
    }
}

// ---------------------------------------------------------------- conditions

/// One choice of the « afficher seulement si » select: `key=value`, or `key=` for a
/// field whose expected value is typed in the text input beside it.
pub struct ConditionOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct ConditionGroup {
    pub label: String,
    pub options: Vec<ConditionOption>,
}

/// Fields placed before (page, block): those a condition there may look at.
fn earlier_fields(form: &FormDefinition, page: usize, block: usize) -> Vec<&Field> {
    form.pages
        .iter()
        .enumerate()
        .flat_map(|(p, pg)| {
            pg.blocks
                .iter()
                .enumerate()
                .filter(move |(b, _)| p < page || (p == page && *b < block))
                .filter_map(|(_, blk)| match blk {
                    Block::Field(f) if !matches!(f.kind, FieldKind::File) => Some(f),
                    _ => None,
                })
        })
        .collect()
}

fn offers_values(kind: &FieldKind) -> Option<Vec<String>> {
    match kind {
        FieldKind::SingleChoice { options } | FieldKind::MultipleChoice { options } => {
            Some(options.clone())
        }
        FieldKind::Checkbox => Some(vec!["oui".into()]),
        _ => None,
    }
}

/// The select's value and the typed value for an existing condition.
fn condition_inputs(form: &FormDefinition, condition: Option<&Condition>) -> (String, String) {
    let Some(c) = condition else {
        return (String::new(), String::new());
    };
    let listed = form
        .fields()
        .find(|f| f.key == c.field)
        .and_then(|f| offers_values(&f.kind))
        .is_some();
    if listed {
        (format!("{}={}", c.field, c.equals), String::new())
    } else {
        (format!("{}=", c.field), c.equals.clone())
    }
}

fn condition_groups(tr: &Tr, earlier: &[&Field], selected: &str) -> Vec<ConditionGroup> {
    earlier
        .iter()
        .map(|f| {
            let options = match offers_values(&f.kind) {
                Some(values) => values
                    .into_iter()
                    .map(|v| {
                        let value = format!("{}={}", f.key, v);
                        ConditionOption {
                            selected: value == selected,
                            label: if matches!(f.kind, FieldKind::Checkbox) {
                                tr.t1("builder-condition-checked", "label", &f.label)
                            } else {
                                tr.t2("builder-condition-is", "label", &f.label, "value", &v)
                            },
                            value,
                        }
                    })
                    .collect(),
                None => {
                    let value = format!("{}=", f.key);
                    vec![ConditionOption {
                        selected: value == selected,
                        label: tr.t1("builder-condition-typed", "label", &f.label),
                        value,
                    }]
                }
            };
            ConditionGroup {
                label: f.label.clone(),
                options,
            }
        })
        .collect()
}

/// Reads the two inputs of a condition; `earlier` are the fields it may look at.
fn parse_condition(
    tr: &Tr,
    form: &FormDefinition,
    earlier: &[&Field],
    selected: &str,
    typed: &str,
    errors: &mut FormErrors,
) -> Option<Condition> {
    let selected = selected.trim();
    if selected.is_empty() {
        return None;
    }
    let Some((key, value)) = selected.split_once('=') else {
        errors.add("condition", tr.t("builder-error-condition-field"));
        return None;
    };
    let Some(field) = earlier.iter().find(|f| f.key == key) else {
        // Not among the fields before: say whether it is after, or gone.
        let message = if form.fields().any(|f| f.key == key) {
            tr.t1(
                "builder-error-condition-later",
                "field",
                field_label(form, key),
            )
        } else {
            tr.t1("builder-error-condition-unknown", "field", key)
        };
        errors.add("condition", message);
        return None;
    };
    let value = if value.is_empty() {
        typed.trim().to_string()
    } else {
        value.to_string()
    };
    if value.is_empty() {
        errors.add("condition_value", tr.t("builder-error-condition-value"));
        return None;
    }
    if !field.can_answer(&value) {
        errors.add(
            "condition",
            tr.t2(
                "builder-error-condition-not-offered",
                "field",
                &field.label,
                "value",
                &value,
            ),
        );
        return None;
    }
    Some(Condition {
        field: key.to_string(),
        equals: value,
    })
}

fn condition_text(tr: &Tr, form: &FormDefinition, condition: Option<&Condition>) -> String {
    match condition {
        Some(c) => tr.t2(
            "builder-shown-if",
            "field",
            field_label(form, &c.field),
            "value",
            &c.equals,
        ),
        None => String::new(),
    }
}

// ---------------------------------------------------------------- the overview

pub struct VersionLine {
    pub number: i64,
    pub state: String,
    pub created: String,
    pub changed: String,
    pub published: String,
}

pub struct FieldLine {
    pub key: String,
    pub type_label: String,
    pub required: bool,
    pub prefill: String,
    pub rules: Vec<String>,
}

pub struct BlockLine {
    pub number: usize,
    pub anchor: String,
    pub kind_label: String,
    pub text: String,
    pub condition: String,
    pub field: Option<FieldLine>,
    pub edit_link: String,
    /// What the block's forms name it by (`form_edit::block_identity`).
    pub identity: String,
    pub can_up: bool,
    pub can_down: bool,
}

pub struct PageLine {
    pub number: usize,
    pub anchor: String,
    pub title: String,
    pub condition: String,
    pub blocks: Vec<BlockLine>,
    /// What the page's forms name it by (`form_edit::page_identity`).
    pub identity: String,
    pub can_up: bool,
    pub can_down: bool,
}

pub struct Choice {
    pub value: String,
    pub label: String,
}

#[derive(askama::Template)]
#[template(path = "builder_overview.html")]
struct OverviewView {
    page: Page,
    procedure: Procedure,
    base: String,
    versions: Vec<VersionLine>,
    draft_number: Option<i64>,
    published_number: Option<i64>,
    pages: Vec<PageLine>,
    unfinished: Vec<String>,
    errors: FormErrors,
    new_page_title: String,
    block_types: Vec<Choice>,
}

async fn person_names(
    kernel: &Kernel,
    ids: impl Iterator<Item = String>,
) -> Result<Vec<(String, String)>, AppError> {
    let mut names = Vec::new();
    for id in ids {
        if names.iter().any(|(known, _)| *known == id) {
            continue;
        }
        if let Some(user) = accounts::store::user_by_id(&kernel.db, &id).await? {
            names.push((id, format!("{} {}", user.given_name, user.family_name)));
        }
    }
    Ok(names)
}

fn rules_of(tr: &Tr, field: &Field) -> Vec<String> {
    let mut rules = Vec::new();
    let bound = |key: &str, value: Option<String>, rules: &mut Vec<String>| {
        if let Some(v) = value {
            rules.push(tr.t1(key, "value", v));
        }
    };
    match &field.kind {
        FieldKind::ShortText {
            min_length,
            max_length,
            pattern,
        } => {
            bound(
                "builder-rule-min-length",
                min_length.map(|v| v.to_string()),
                &mut rules,
            );
            bound(
                "builder-rule-max-length",
                max_length.map(|v| v.to_string()),
                &mut rules,
            );
            if let Some(p) = pattern {
                rules.push(tr.t2(
                    "builder-rule-pattern",
                    "pattern",
                    &p.regex,
                    "message",
                    &p.message,
                ));
            }
        }
        FieldKind::LongText { max_length } => bound(
            "builder-rule-max-length",
            max_length.map(|v| v.to_string()),
            &mut rules,
        ),
        FieldKind::Number { min, max } => {
            bound("builder-rule-min", min.map(|v| v.to_string()), &mut rules);
            bound("builder-rule-max", max.map(|v| v.to_string()), &mut rules);
        }
        FieldKind::SingleChoice { options } | FieldKind::MultipleChoice { options } => {
            rules.push(tr.t1("builder-rule-options", "options", options.join(" ; ")))
        }
        _ => {}
    }
    if !field.help.is_empty() {
        rules.push(tr.t1("builder-rule-help", "help", &field.help));
    }
    rules
}

fn page_lines(tr: &Tr, slug: &str, form: &FormDefinition) -> Vec<PageLine> {
    let page_count = form.pages.len();
    form.pages
        .iter()
        .enumerate()
        .map(|(p, page)| {
            let block_count = page.blocks.len();
            let blocks = page
                .blocks
                .iter()
                .enumerate()
                .map(|(b, block)| {
                    let (kind_label, text, condition, field, edit_link) = match block {
                        Block::Title { text } => (
                            tr.t("builder-block-title"),
                            text.clone(),
                            String::new(),
                            None,
                            format!("{}/pages/{}/blocs/{}", base(slug), p + 1, b + 1),
                        ),
                        Block::Explanation { text } => (
                            tr.t("builder-block-explanation"),
                            text.clone(),
                            String::new(),
                            None,
                            format!("{}/pages/{}/blocs/{}", base(slug), p + 1, b + 1),
                        ),
                        Block::Field(f) => (
                            tr.t("builder-block-field"),
                            f.label.clone(),
                            condition_text(tr, form, f.show_if.as_ref()),
                            Some(FieldLine {
                                key: f.key.clone(),
                                type_label: type_label(tr, kind_name(&f.kind)),
                                required: f.required,
                                prefill: f
                                    .prefill
                                    .map(|pf| prefill_label(tr, prefill_name(pf)))
                                    .unwrap_or_default(),
                                rules: rules_of(tr, f),
                            }),
                            format!("{}/champs/{}", base(slug), f.key),
                        ),
                    };
                    BlockLine {
                        number: b + 1,
                        anchor: format!("bloc-{}-{}", p + 1, b + 1),
                        kind_label,
                        text,
                        condition,
                        field,
                        edit_link,
                        identity: block_identity(block),
                        can_up: b > 0 || p > 0,
                        can_down: b + 1 < block_count || p + 1 < page_count,
                    }
                })
                .collect();
            PageLine {
                number: p + 1,
                anchor: format!("page-{}", p + 1),
                title: page.title.clone(),
                condition: condition_text(tr, form, page.show_if.as_ref()),
                blocks,
                identity: page_identity(page),
                can_up: p > 0,
                can_down: p + 1 < page_count,
            }
        })
        .collect()
}

fn block_types(tr: &Tr) -> Vec<Choice> {
    let mut types = vec![
        Choice {
            value: "title".into(),
            label: tr.t("builder-block-title"),
        },
        Choice {
            value: "explanation".into(),
            label: tr.t("builder-block-explanation"),
        },
    ];
    types.extend(TYPES.iter().map(|t| Choice {
        value: t.to_string(),
        label: tr.t1("builder-block-field-of-type", "type", type_label(tr, t)),
    }));
    types
}

async fn overview_view(
    kernel: &Kernel,
    page: Page,
    procedure: Procedure,
    errors: FormErrors,
    new_page_title: String,
) -> Result<OverviewView, AppError> {
    let working = Working::load(kernel, &procedure).await?;
    let history = store::version_history(&kernel.db, &procedure.id).await?;
    let names = person_names(
        kernel,
        history.iter().flat_map(|v| {
            [
                v.created_by.clone(),
                v.updated_by.clone(),
                v.published_by.clone(),
            ]
            .into_iter()
            .flatten()
        }),
    )
    .await?;
    let tr = &page.tr;
    let when_by = |at: Option<jiff::Timestamp>, by: &Option<String>| match at {
        None => String::new(),
        Some(at) => {
            let who = by
                .as_ref()
                .and_then(|id| names.iter().find(|(known, _)| known == id))
                .map(|(_, name)| name.clone());
            match who {
                Some(name) => tr.t2(
                    "builder-when-by",
                    "when",
                    kernel::clock::format_fr(at),
                    "who",
                    name,
                ),
                None => kernel::clock::format_fr(at),
            }
        }
    };
    let versions = history
        .iter()
        .map(|v| VersionLine {
            number: v.version,
            state: tr.t(&format!("builder-state-{}", v.state)),
            created: when_by(Some(v.created_at), &v.created_by),
            changed: when_by(v.updated_at, &v.updated_by),
            published: when_by(v.published_at, &v.published_by),
        })
        .collect();
    let form = working.definition();
    let unfinished = form
        .problems()
        .iter()
        .map(|p| problem_text(tr, &form, p))
        .collect();
    Ok(OverviewView {
        pages: page_lines(tr, &procedure.slug, &form),
        block_types: block_types(tr),
        base: base(&procedure.slug),
        versions,
        draft_number: working.draft.as_ref().map(|v| v.version),
        published_number: working.published.as_ref().map(|v| v.version),
        unfinished,
        errors,
        new_page_title,
        procedure,
        page,
    })
}

pub async fn overview(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let procedure = procedure_for(&kernel, &caller, &slug).await?;
    let view = overview_view(&kernel, page, procedure, FormErrors::new(), String::new()).await?;
    Ok(render(&view)?.into_response())
}

/// Re-shows the overview when a change made from it is refused.
async fn refused_on_overview(
    kernel: &Kernel,
    page: Page,
    procedure: Procedure,
    result: Result<FormVersion, BuildError>,
    anchor: &str,
    session: &Session,
    done: String,
) -> Result<Response, AppError> {
    match result {
        Ok(_) => {
            page::flash(session, "success", done).await?;
            Ok(to_overview(&procedure.slug))
        }
        Err(BuildError::Invalid { problems, form }) => {
            let mut errors = FormErrors::new();
            for problem in &problems {
                errors.add(anchor, problem_text(&page.tr, &form, problem));
            }
            let view = overview_view(kernel, page, procedure, errors, String::new()).await?;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &view)
        }
        Err(BuildError::Edit(EditError::Changed)) => {
            changed_on_overview(kernel, page, procedure).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A change aimed at a page or a block that is no longer what the administrator saw:
/// nothing was saved; the form as it is now, with the reason (409).
async fn changed_on_overview(
    kernel: &Kernel,
    page: Page,
    procedure: Procedure,
) -> Result<Response, AppError> {
    let mut errors = FormErrors::new();
    errors.add("edition", page.tr.t("builder-error-changed"));
    let view = overview_view(kernel, page, procedure, errors, String::new()).await?;
    render_status(StatusCode::CONFLICT, &view)
}

fn saved_message(tr: &Tr, version: &FormVersion) -> String {
    tr.t1("builder-saved", "version", version.version)
}

pub async fn new_version(
    State(kernel): State<Kernel>,
    page: Page,
    Staff(caller): Staff,
    session: Session,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let procedure = procedure_for(&kernel, &caller, &slug).await?;
    let draft = builder::open_draft(&kernel, &caller, &procedure).await?;
    page::flash(
        &session,
        "success",
        page.tr.t1("builder-draft-opened", "version", draft.version),
    )
    .await?;
    Ok(to_overview(&slug))
}

// ---------------------------------------------------------------- pages

#[derive(Deserialize, Default)]
pub struct PageForm {
    /// The identity of the page when the form was shown.
    #[serde(default)]
    empreinte: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    condition: String,
    #[serde(default)]
    condition_value: String,
}

fn check_title(tr: &Tr, title: &str, errors: &mut FormErrors) -> String {
    let title = title.trim();
    if title.is_empty() || title.chars().count() > 150 {
        errors.add("title", tr.t("builder-error-page-title"));
    }
    title.to_string()
}

pub async fn add_page(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    session: Session,
    Path(slug): Path<String>,
    Form(form): Form<PageForm>,
) -> Result<Response, AppError> {
    let procedure = procedure_for(&kernel, &caller, &slug).await?;
    let mut errors = FormErrors::new();
    let title = check_title(&page.tr, &form.title, &mut errors);
    if !errors.is_empty() {
        let view = overview_view(&kernel, page, procedure, errors, form.title).await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &view);
    }
    let result = builder::edit(
        &kernel,
        &caller,
        &procedure,
        &Edit::AddPage {
            title: title.clone(),
        },
    )
    .await;
    let done = page.tr.t1("builder-page-added", "title", &title);
    refused_on_overview(&kernel, page, procedure, result, "title", &session, done).await
}

#[derive(askama::Template)]
#[template(path = "builder_page.html")]
struct PageEditView {
    page: Page,
    procedure: Procedure,
    base: String,
    number: usize,
    form: PageForm,
    groups: Vec<ConditionGroup>,
    errors: FormErrors,
    problems: Vec<String>,
}

fn page_edit_view(
    page: Page,
    procedure: Procedure,
    definition: &FormDefinition,
    index: usize,
    form: PageForm,
    errors: FormErrors,
    problems: Vec<String>,
) -> PageEditView {
    let earlier = earlier_fields(definition, index, 0);
    PageEditView {
        groups: condition_groups(&page.tr, &earlier, &form.condition),
        base: base(&procedure.slug),
        number: index + 1,
        page,
        procedure,
        form,
        errors,
        problems,
    }
}

pub async fn page_form(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    Path((slug, number)): Path<(String, usize)>,
) -> Result<Response, AppError> {
    let procedure = procedure_for(&kernel, &caller, &slug).await?;
    let definition = Working::load(&kernel, &procedure).await?.definition();
    let index = number.checked_sub(1).ok_or(AppError::NotFound)?;
    let current = definition.pages.get(index).ok_or(AppError::NotFound)?;
    let (condition, condition_value) = condition_inputs(&definition, current.show_if.as_ref());
    let form = PageForm {
        empreinte: page_identity(current),
        title: current.title.clone(),
        condition,
        condition_value,
    };
    let view = page_edit_view(
        page,
        procedure,
        &definition,
        index,
        form,
        FormErrors::new(),
        vec![],
    );
    Ok(render(&view)?.into_response())
}

pub async fn save_page(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    session: Session,
    Path((slug, number)): Path<(String, usize)>,
    Form(form): Form<PageForm>,
) -> Result<Response, AppError> {
    let procedure = procedure_for(&kernel, &caller, &slug).await?;
    let definition = Working::load(&kernel, &procedure).await?.definition();
    let index = number.checked_sub(1).ok_or(AppError::NotFound)?;
    if index >= definition.pages.len() {
        return Err(AppError::NotFound);
    }
    let mut errors = FormErrors::new();
    let title = check_title(&page.tr, &form.title, &mut errors);
    let earlier = earlier_fields(&definition, index, 0);
    let show_if = parse_condition(
        &page.tr,
        &definition,
        &earlier,
        &form.condition,
        &form.condition_value,
        &mut errors,
    );
    let mut problems = vec![];
    if errors.is_empty() {
        let change = Edit::EditPage {
            page: index,
            seen: form.empreinte.clone(),
            title: title.clone(),
            show_if,
        };
        match builder::edit(&kernel, &caller, &procedure, &change).await {
            Ok(version) => {
                page::flash(&session, "success", saved_message(&page.tr, &version)).await?;
                return Ok(to_overview(&slug));
            }
            Err(BuildError::Invalid {
                problems: found,
                form: refused,
            }) => {
                let at = format!("page {number}");
                problems_to_errors(&page.tr, &refused, &found, Some(&at), &mut errors);
                problems = found
                    .iter()
                    .map(|p| problem_text(&page.tr, &refused, p))
                    .collect();
            }
            Err(BuildError::Edit(EditError::Changed)) => {
                errors.add("title", page.tr.t("builder-error-changed"));
                let view =
                    page_edit_view(page, procedure, &definition, index, form, errors, problems);
                return render_status(StatusCode::CONFLICT, &view);
            }
            Err(e) => return Err(e.into()),
        }
    }
    let view = page_edit_view(page, procedure, &definition, index, form, errors, problems);
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &view)
}

#[derive(Deserialize, Default)]
pub struct MoveForm {
    #[serde(default)]
    direction: String,
    /// The identity of the page or block moved, as shown.
    #[serde(default)]
    empreinte: String,
}

/// A deletion names what it deletes.
#[derive(Deserialize, Default)]
pub struct SeenForm {
    #[serde(default)]
    empreinte: String,
}

pub async fn move_page(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    session: Session,
    Path((slug, number)): Path<(String, usize)>,
    Form(form): Form<MoveForm>,
) -> Result<Response, AppError> {
    let procedure = procedure_for(&kernel, &caller, &slug).await?;
    let direction = Direction::parse(&form.direction)
        .ok_or_else(|| AppError::BadRequest("sens de déplacement inconnu".into()))?;
    let index = number.checked_sub(1).ok_or(AppError::NotFound)?;
    let change = Edit::MovePage {
        page: index,
        seen: form.empreinte,
        direction,
    };
    let result = builder::edit(&kernel, &caller, &procedure, &change).await;
    let result = match result {
        Err(BuildError::Edit(form_edit::EditError::CannotMove)) => {
            return Ok(to_overview(&slug));
        }
        other => other,
    };
    let done = page.tr.t1("builder-page-moved", "number", number);
    let anchor = format!("page-{number}");
    refused_on_overview(&kernel, page, procedure, result, &anchor, &session, done).await
}

#[derive(askama::Template)]
#[template(path = "builder_delete_page.html")]
struct DeletePageView {
    page: Page,
    procedure: Procedure,
    base: String,
    number: usize,
    title: String,
    /// The identity of the page shown, sent with the confirmation.
    identity: String,
    fields: Vec<String>,
    errors: FormErrors,
}

async fn delete_page_view(
    kernel: &Kernel,
    page: Page,
    procedure: Procedure,
    number: usize,
    errors: FormErrors,
) -> Result<DeletePageView, AppError> {
    let definition = Working::load(kernel, &procedure).await?.definition();
    let index = number.checked_sub(1).ok_or(AppError::NotFound)?;
    let target = definition.pages.get(index).ok_or(AppError::NotFound)?;
    Ok(DeletePageView {
        base: base(&procedure.slug),
        title: target.title.clone(),
        identity: page_identity(target),
        fields: target
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Field(f) => Some(f.label.clone()),
                _ => None,
            })
            .collect(),
        number,
        page,
        procedure,
        errors,
    })
}

pub async fn confirm_delete_page(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    Path((slug, number)): Path<(String, usize)>,
) -> Result<Response, AppError> {
    let procedure = procedure_for(&kernel, &caller, &slug).await?;
    let view = delete_page_view(&kernel, page, procedure, number, FormErrors::new()).await?;
    Ok(render(&view)?.into_response())
}

pub async fn delete_page(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    session: Session,
    Path((slug, number)): Path<(String, usize)>,
    Form(form): Form<SeenForm>,
) -> Result<Response, AppError> {
    let procedure = procedure_for(&kernel, &caller, &slug).await?;
    let index = number.checked_sub(1).ok_or(AppError::NotFound)?;
    let change = Edit::DeletePage {
        page: index,
        seen: form.empreinte,
    };
    match builder::edit(&kernel, &caller, &procedure, &change).await {
        Ok(version) => {
            page::flash(&session, "success", saved_message(&page.tr, &version)).await?;
            Ok(to_overview(&slug))
        }
        Err(BuildError::Invalid { problems, form }) => {
            let mut errors = FormErrors::new();
            for problem in &problems {
                errors.add("confirmer", problem_text(&page.tr, &form, problem));
            }
            let view = delete_page_view(&kernel, page, procedure, number, errors).await?;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &view)
        }
        Err(BuildError::Edit(EditError::Changed)) => {
            changed_on_overview(&kernel, page, procedure).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- blocks

pub async fn move_block(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    session: Session,
    Path((slug, number, block)): Path<(String, usize, usize)>,
    Form(form): Form<MoveForm>,
) -> Result<Response, AppError> {
    let procedure = procedure_for(&kernel, &caller, &slug).await?;
    let direction = Direction::parse(&form.direction)
        .ok_or_else(|| AppError::BadRequest("sens de déplacement inconnu".into()))?;
    let change = Edit::MoveBlock {
        page: number.checked_sub(1).ok_or(AppError::NotFound)?,
        block: block.checked_sub(1).ok_or(AppError::NotFound)?,
        seen: form.empreinte,
        direction,
    };
    let result = match builder::edit(&kernel, &caller, &procedure, &change).await {
        Err(BuildError::Edit(form_edit::EditError::CannotMove)) => {
            return Ok(to_overview(&slug));
        }
        other => other,
    };
    let done = page.tr.t("builder-block-moved");
    let anchor = format!("bloc-{number}-{block}");
    refused_on_overview(&kernel, page, procedure, result, &anchor, &session, done).await
}

pub async fn delete_block(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    session: Session,
    Path((slug, number, block)): Path<(String, usize, usize)>,
    Form(form): Form<SeenForm>,
) -> Result<Response, AppError> {
    let procedure = procedure_for(&kernel, &caller, &slug).await?;
    let change = Edit::DeleteBlock {
        page: number.checked_sub(1).ok_or(AppError::NotFound)?,
        block: block.checked_sub(1).ok_or(AppError::NotFound)?,
        seen: form.empreinte,
    };
    let result = builder::edit(&kernel, &caller, &procedure, &change).await;
    let done = page.tr.t("builder-block-deleted");
    let anchor = format!("bloc-{number}-{block}");
    refused_on_overview(&kernel, page, procedure, result, &anchor, &session, done).await
}

/// Everything a block's form may send: a title or an explanation (`text`), or a field.
#[derive(Deserialize, Default, Clone)]
pub struct BlockForm {
    /// The identity of what the form acts on when it was shown: the page a new block
    /// goes on, or the title or explanation edited (a field is named by its key).
    #[serde(default)]
    empreinte: String,
    #[serde(default, rename = "type")]
    kind: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    label: String,
    #[serde(default)]
    key: String,
    #[serde(default)]
    required: String,
    #[serde(default)]
    help: String,
    #[serde(default)]
    min: String,
    #[serde(default)]
    max: String,
    #[serde(default)]
    min_length: String,
    #[serde(default)]
    max_length: String,
    #[serde(default)]
    pattern: String,
    #[serde(default)]
    pattern_message: String,
    #[serde(default)]
    options: String,
    #[serde(default)]
    condition: String,
    #[serde(default)]
    condition_value: String,
    #[serde(default)]
    prefill: String,
}

impl BlockForm {
    fn from_field(form: &FormDefinition, field: &Field) -> BlockForm {
        let text = |v: Option<String>| v.unwrap_or_default();
        let (condition, condition_value) = condition_inputs(form, field.show_if.as_ref());
        let mut out = BlockForm {
            kind: kind_name(&field.kind).into(),
            label: field.label.clone(),
            key: field.key.clone(),
            required: if field.required {
                "oui".into()
            } else {
                "".into()
            },
            help: field.help.clone(),
            condition,
            condition_value,
            prefill: field.prefill.map(prefill_name).unwrap_or_default().into(),
            ..BlockForm::default()
        };
        match &field.kind {
            FieldKind::ShortText {
                min_length,
                max_length,
                pattern,
            } => {
                out.min_length = text(min_length.map(|v| v.to_string()));
                out.max_length = text(max_length.map(|v| v.to_string()));
                if let Some(p) = pattern {
                    out.pattern = p.regex.clone();
                    out.pattern_message = p.message.clone();
                }
            }
            FieldKind::LongText { max_length } => {
                out.max_length = text(max_length.map(|v| v.to_string()));
            }
            FieldKind::Number { min, max } => {
                out.min = text(min.map(|v| v.to_string()));
                out.max = text(max.map(|v| v.to_string()));
            }
            FieldKind::SingleChoice { options } | FieldKind::MultipleChoice { options } => {
                out.options = options.join("\n");
            }
            _ => {}
        }
        out
    }

    fn is_text(&self) -> bool {
        self.kind == "title" || self.kind == "explanation"
    }
}

fn parse_number<T: std::str::FromStr>(
    tr: &Tr,
    input: &str,
    name: &str,
    errors: &mut FormErrors,
) -> Option<T> {
    let input = input.trim().replace(' ', "");
    if input.is_empty() {
        return None;
    }
    match input.parse() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.add(name, tr.t("builder-error-number"));
            None
        }
    }
}

/// Reads a field's form. `original` is the key of the field being edited (none for a new
/// one); `(page, block)` is where the field stands, for the fields its condition may use.
fn parse_field(
    tr: &Tr,
    input: &BlockForm,
    definition: &FormDefinition,
    original: Option<&str>,
    place: (usize, usize),
    errors: &mut FormErrors,
) -> Option<Field> {
    let label = input.label.trim().to_string();
    if label.is_empty() || label.chars().count() > 200 {
        errors.add("label", tr.t("builder-error-label"));
    }
    let others: Vec<&Field> = definition
        .fields()
        .filter(|f| Some(f.key.as_str()) != original)
        .collect();
    let typed_key = input.key.trim();
    let key = if typed_key.is_empty() {
        suggest_key(&label, |k| others.iter().any(|f| f.key == k))
    } else {
        typed_key.to_string()
    };
    if !is_valid_key(&key) {
        errors.add("key", tr.t1("builder-error-key", "key", &key));
    } else if let Some(other) = others.iter().find(|f| f.key == key) {
        errors.add(
            "key",
            tr.t2(
                "builder-error-key-taken",
                "key",
                &key,
                "label",
                &other.label,
            ),
        );
    }
    let kind = match input.kind.as_str() {
        "short_text" => {
            let min_length = parse_number(tr, &input.min_length, "min_length", errors);
            let max_length = parse_number(tr, &input.max_length, "max_length", errors);
            let regex = input.pattern.trim();
            let message = input.pattern_message.trim();
            let pattern = if regex.is_empty() {
                None
            } else {
                if regex::Regex::new(&format!("^(?:{regex})$")).is_err() {
                    errors.add("pattern", tr.t("builder-error-pattern"));
                }
                if message.is_empty() {
                    errors.add("pattern_message", tr.t("builder-error-pattern-message"));
                }
                Some(Pattern {
                    regex: regex.to_string(),
                    message: message.to_string(),
                })
            };
            FieldKind::ShortText {
                min_length,
                max_length,
                pattern,
            }
        }
        "long_text" => FieldKind::LongText {
            max_length: parse_number(tr, &input.max_length, "max_length", errors),
        },
        "number" => FieldKind::Number {
            min: parse_number(tr, &input.min, "min", errors),
            max: parse_number(tr, &input.max, "max", errors),
        },
        "date" => FieldKind::Date,
        "email" => FieldKind::Email,
        "phone" => FieldKind::Phone,
        "postal_address" => FieldKind::PostalAddress,
        "single_choice" | "multiple_choice" => {
            let mut options: Vec<String> = Vec::new();
            for line in input
                .options
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
            {
                if options.iter().any(|o| o == line) {
                    errors.add(
                        "options",
                        tr.t1("builder-error-option-twice", "option", line),
                    );
                }
                options.push(line.to_string());
            }
            if options.is_empty() {
                errors.add("options", tr.t("builder-error-options"));
            }
            if input.kind == "single_choice" {
                FieldKind::SingleChoice { options }
            } else {
                FieldKind::MultipleChoice { options }
            }
        }
        "checkbox" => FieldKind::Checkbox,
        "file" => FieldKind::File,
        _ => {
            errors.add("type", tr.t("builder-error-type"));
            FieldKind::Date
        }
    };
    match &kind {
        FieldKind::ShortText {
            min_length: Some(min),
            max_length: Some(max),
            ..
        } if min > max => errors.add("min_length", tr.t("builder-error-bounds")),
        FieldKind::Number {
            min: Some(min),
            max: Some(max),
        } if min > max => errors.add("min", tr.t("builder-error-bounds")),
        _ => {}
    }
    let help = input.help.trim().to_string();
    if help.chars().count() > 1000 {
        errors.add("help", tr.t("builder-error-help"));
    }
    let prefill = match input.prefill.as_str() {
        "" => None,
        name => match PREFILLS.iter().find(|(n, _)| *n == name) {
            Some((_, p)) => Some(*p),
            None => {
                errors.add("prefill", tr.t("builder-error-prefill"));
                None
            }
        },
    };
    let earlier = earlier_fields(definition, place.0, place.1);
    let show_if = parse_condition(
        tr,
        definition,
        &earlier,
        &input.condition,
        &input.condition_value,
        errors,
    );
    errors.is_empty().then(|| Field {
        key,
        label,
        kind,
        required: input.required == "oui",
        help,
        show_if,
        prefill,
    })
}

pub struct TypeChoice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(askama::Template)]
#[template(path = "builder_field.html")]
struct FieldView {
    page: Page,
    procedure: Procedure,
    base: String,
    /// Where the form is sent.
    action: String,
    /// The field's key when it exists, for the title.
    editing: Option<String>,
    page_number: usize,
    page_title: String,
    form: BlockForm,
    types: Vec<TypeChoice>,
    prefills: Vec<TypeChoice>,
    groups: Vec<ConditionGroup>,
    errors: FormErrors,
    problems: Vec<String>,
}

#[allow(clippy::too_many_arguments)]
fn field_view(
    page: Page,
    procedure: Procedure,
    definition: &FormDefinition,
    editing: Option<String>,
    place: (usize, usize),
    form: BlockForm,
    errors: FormErrors,
    problems: Vec<String>,
) -> FieldView {
    let tr = &page.tr;
    let earlier = earlier_fields(definition, place.0, place.1);
    let slug = procedure.slug.clone();
    FieldView {
        action: match &editing {
            Some(key) => format!("{}/champs/{key}", base(&slug)),
            None => format!("{}/pages/{}/ajouter", base(&slug), place.0 + 1),
        },
        types: TYPES
            .iter()
            .map(|t| TypeChoice {
                value: t.to_string(),
                label: type_label(tr, t),
                selected: form.kind == *t,
            })
            .collect(),
        prefills: PREFILLS
            .iter()
            .map(|(n, _)| TypeChoice {
                value: n.to_string(),
                label: prefill_label(tr, n),
                selected: form.prefill == *n,
            })
            .collect(),
        groups: condition_groups(tr, &earlier, &form.condition),
        page_number: place.0 + 1,
        page_title: definition
            .pages
            .get(place.0)
            .map(|p| p.title.clone())
            .unwrap_or_default(),
        base: base(&slug),
        editing,
        page,
        procedure,
        form,
        errors,
        problems,
    }
}

#[derive(askama::Template)]
#[template(path = "builder_text.html")]
struct TextView {
    page: Page,
    procedure: Procedure,
    base: String,
    action: String,
    heading: String,
    page_number: usize,
    form: BlockForm,
    errors: FormErrors,
}

/// The form of a title or an explanation: new on page `number`, or its block `block`.
fn text_view(
    page: Page,
    procedure: Procedure,
    number: usize,
    block: Option<usize>,
    form: BlockForm,
    errors: FormErrors,
) -> TextView {
    let slug = procedure.slug.clone();
    let kind = if form.kind == "title" {
        "title"
    } else {
        "explanation"
    };
    TextView {
        base: base(&slug),
        action: match block {
            Some(b) => format!("{}/pages/{number}/blocs/{b}", base(&slug)),
            None => format!("{}/pages/{number}/ajouter", base(&slug)),
        },
        heading: page.tr.t(&format!(
            "builder-text-{kind}-{}",
            if block.is_some() { "edit" } else { "new" }
        )),
        page_number: number,
        page,
        procedure,
        form,
        errors,
    }
}

#[derive(Deserialize, Default)]
pub struct AddQuery {
    #[serde(default, rename = "type")]
    kind: String,
}

pub async fn add_block_form(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    Path((slug, number)): Path<(String, usize)>,
    Query(query): Query<AddQuery>,
) -> Result<Response, AppError> {
    let procedure = procedure_for(&kernel, &caller, &slug).await?;
    let definition = Working::load(&kernel, &procedure).await?.definition();
    let index = number.checked_sub(1).ok_or(AppError::NotFound)?;
    let target = definition.pages.get(index).ok_or(AppError::NotFound)?;
    let form = BlockForm {
        empreinte: page_identity(target),
        kind: query.kind.clone(),
        required: "oui".into(),
        ..BlockForm::default()
    };
    if form.is_text() {
        let view = text_view(page, procedure, number, None, form, FormErrors::new());
        return Ok(render(&view)?.into_response());
    }
    if !TYPES.contains(&query.kind.as_str()) {
        return Ok(to_overview(&slug));
    }
    let place = (index, target.blocks.len());
    let view = field_view(
        page,
        procedure,
        &definition,
        None,
        place,
        form,
        FormErrors::new(),
        vec![],
    );
    Ok(render(&view)?.into_response())
}

fn check_text(tr: &Tr, text: &str, errors: &mut FormErrors) -> String {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > 2000 {
        errors.add("text", tr.t("builder-error-text"));
    }
    text.to_string()
}

pub async fn add_block(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    session: Session,
    Path((slug, number)): Path<(String, usize)>,
    Form(form): Form<BlockForm>,
) -> Result<Response, AppError> {
    let procedure = procedure_for(&kernel, &caller, &slug).await?;
    let definition = Working::load(&kernel, &procedure).await?.definition();
    let index = number.checked_sub(1).ok_or(AppError::NotFound)?;
    let target = definition.pages.get(index).ok_or(AppError::NotFound)?;
    let place = (index, target.blocks.len());
    let mut errors = FormErrors::new();
    if form.is_text() {
        let text = check_text(&page.tr, &form.text, &mut errors);
        if errors.is_empty() {
            let block = if form.kind == "title" {
                Block::Title { text }
            } else {
                Block::Explanation { text }
            };
            let change = Edit::AddBlock {
                page: index,
                seen: form.empreinte.clone(),
                block,
            };
            match builder::edit(&kernel, &caller, &procedure, &change).await {
                Ok(version) => {
                    page::flash(&session, "success", saved_message(&page.tr, &version)).await?;
                    return Ok(to_overview(&slug));
                }
                Err(BuildError::Edit(EditError::Changed)) => {
                    errors.add("text", page.tr.t("builder-error-changed"));
                    let view = text_view(page, procedure, number, None, form, errors);
                    return render_status(StatusCode::CONFLICT, &view);
                }
                Err(e) => return Err(e.into()),
            }
        }
        let view = text_view(page, procedure, number, None, form, errors);
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &view);
    }
    let mut problems = vec![];
    if let Some(field) = parse_field(&page.tr, &form, &definition, None, place, &mut errors) {
        let key = field.key.clone();
        let change = Edit::AddBlock {
            page: index,
            seen: form.empreinte.clone(),
            block: Block::Field(field),
        };
        match builder::edit(&kernel, &caller, &procedure, &change).await {
            Ok(version) => {
                page::flash(&session, "success", saved_message(&page.tr, &version)).await?;
                return Ok(to_overview(&slug));
            }
            Err(BuildError::Invalid {
                problems: found,
                form: refused,
            }) => {
                problems_to_errors(&page.tr, &refused, &found, Some(&key), &mut errors);
                problems = found
                    .iter()
                    .map(|p| problem_text(&page.tr, &refused, p))
                    .collect();
            }
            Err(BuildError::Edit(EditError::Changed)) => {
                errors.add("label", page.tr.t("builder-error-changed"));
                let view = field_view(
                    page,
                    procedure,
                    &definition,
                    None,
                    place,
                    form,
                    errors,
                    problems,
                );
                return render_status(StatusCode::CONFLICT, &view);
            }
            Err(e) => return Err(e.into()),
        }
    }
    let view = field_view(
        page,
        procedure,
        &definition,
        None,
        place,
        form,
        errors,
        problems,
    );
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &view)
}

fn text_block(definition: &FormDefinition, number: usize, block: usize) -> Option<&Block> {
    definition
        .pages
        .get(number.checked_sub(1)?)?
        .blocks
        .get(block.checked_sub(1)?)
        .filter(|b| !matches!(b, Block::Field(_)))
}

pub async fn text_form(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    Path((slug, number, block)): Path<(String, usize, usize)>,
) -> Result<Response, AppError> {
    let procedure = procedure_for(&kernel, &caller, &slug).await?;
    let definition = Working::load(&kernel, &procedure).await?.definition();
    let shown = text_block(&definition, number, block).ok_or(AppError::NotFound)?;
    let (kind, text) = match shown {
        Block::Title { text } => ("title", text.clone()),
        Block::Explanation { text } => ("explanation", text.clone()),
        Block::Field(_) => return Err(AppError::NotFound),
    };
    let form = BlockForm {
        empreinte: block_identity(shown),
        kind: kind.into(),
        text,
        ..BlockForm::default()
    };
    let view = text_view(
        page,
        procedure,
        number,
        Some(block),
        form,
        FormErrors::new(),
    );
    Ok(render(&view)?.into_response())
}

pub async fn save_text(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    session: Session,
    Path((slug, number, block)): Path<(String, usize, usize)>,
    Form(mut form): Form<BlockForm>,
) -> Result<Response, AppError> {
    let procedure = procedure_for(&kernel, &caller, &slug).await?;
    let definition = Working::load(&kernel, &procedure).await?.definition();
    let index = number.checked_sub(1).ok_or(AppError::NotFound)?;
    let place = block.checked_sub(1).ok_or(AppError::NotFound)?;
    // What is at this place now may no longer be a text (a colleague's change): the
    // identity check below says so, without a 404.
    form.kind = match definition
        .pages
        .get(index)
        .and_then(|p| p.blocks.get(place))
    {
        Some(Block::Title { .. }) => "title".into(),
        _ => "explanation".into(),
    };
    let mut errors = FormErrors::new();
    let text = check_text(&page.tr, &form.text, &mut errors);
    if errors.is_empty() {
        let change = Edit::EditText {
            page: index,
            block: place,
            seen: form.empreinte.clone(),
            text,
        };
        match builder::edit(&kernel, &caller, &procedure, &change).await {
            Ok(version) => {
                page::flash(&session, "success", saved_message(&page.tr, &version)).await?;
                return Ok(to_overview(&slug));
            }
            Err(BuildError::Edit(EditError::Changed)) => {
                errors.add("text", page.tr.t("builder-error-changed"));
                let view = text_view(page, procedure, number, Some(block), form, errors);
                return render_status(StatusCode::CONFLICT, &view);
            }
            Err(e) => return Err(e.into()),
        }
    }
    let view = text_view(page, procedure, number, Some(block), form, errors);
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &view)
}

// ---------------------------------------------------------------- fields

pub async fn field_form(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    Path((slug, key)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let procedure = procedure_for(&kernel, &caller, &slug).await?;
    let definition = Working::load(&kernel, &procedure).await?.definition();
    let place = locate(&definition, &key).ok_or(AppError::NotFound)?;
    let field = definition
        .fields()
        .find(|f| f.key == key)
        .ok_or(AppError::NotFound)?;
    let form = BlockForm::from_field(&definition, field);
    let view = field_view(
        page,
        procedure,
        &definition,
        Some(key),
        place,
        form,
        FormErrors::new(),
        vec![],
    );
    Ok(render(&view)?.into_response())
}

pub async fn save_field(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    session: Session,
    Path((slug, key)): Path<(String, String)>,
    Form(form): Form<BlockForm>,
) -> Result<Response, AppError> {
    let procedure = procedure_for(&kernel, &caller, &slug).await?;
    let definition = Working::load(&kernel, &procedure).await?.definition();
    let place = locate(&definition, &key).ok_or(AppError::NotFound)?;
    let mut errors = FormErrors::new();
    let mut problems = vec![];
    if let Some(field) = parse_field(&page.tr, &form, &definition, Some(&key), place, &mut errors) {
        let new_key = field.key.clone();
        let change = Edit::SaveField {
            key: key.clone(),
            field,
        };
        match builder::edit(&kernel, &caller, &procedure, &change).await {
            Ok(version) => {
                page::flash(&session, "success", saved_message(&page.tr, &version)).await?;
                return Ok(to_overview(&slug));
            }
            Err(BuildError::Invalid {
                problems: found,
                form: refused,
            }) => {
                problems_to_errors(&page.tr, &refused, &found, Some(&new_key), &mut errors);
                problems = found
                    .iter()
                    .map(|p| problem_text(&page.tr, &refused, p))
                    .collect();
            }
            Err(e) => return Err(e.into()),
        }
    }
    let view = field_view(
        page,
        procedure,
        &definition,
        Some(key),
        place,
        form,
        errors,
        problems,
    );
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &view)
}

// ---------------------------------------------------------------- preview

pub struct PreviewPage {
    pub number: usize,
    pub title: String,
    pub condition: String,
    pub blocks: Vec<BlockView>,
}

#[derive(askama::Template)]
#[template(path = "builder_preview.html")]
struct PreviewView {
    page: Page,
    procedure: Procedure,
    base: String,
    version: Option<i64>,
    is_draft: bool,
    pages: Vec<PreviewPage>,
    errors: FormErrors,
    /// Files are uploaded online (the shared field template also serves the counter).
    paper: bool,
}

pub async fn preview(
    State(kernel): State<Kernel>,
    page: Page,
    Staff(caller): Staff,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let procedure = procedure_for(&kernel, &caller, &slug).await?;
    let working = Working::load(&kernel, &procedure).await?;
    let shown = working.draft.as_ref().or(working.published.as_ref());
    let definition = working.definition();
    let pages = (0..definition.pages.len())
        .map(|index| PreviewPage {
            number: index + 1,
            title: definition.pages[index].title.clone(),
            condition: condition_text(
                &page.tr,
                &definition,
                definition.pages[index].show_if.as_ref(),
            ),
            blocks: preview_blocks(&definition, index),
        })
        .collect();
    let view = PreviewView {
        base: base(&slug),
        version: shown.map(|v| v.version),
        is_draft: working.draft.is_some(),
        pages,
        errors: FormErrors::new(),
        paper: false,
        page,
        procedure,
    };
    Ok(render(&view)?.into_response())
}

// ---------------------------------------------------------------- publication

pub struct DiffLine {
    pub label: String,
    pub detail: String,
}

#[derive(askama::Template)]
#[template(path = "builder_publish.html")]
struct PublishView {
    page: Page,
    procedure: Procedure,
    base: String,
    draft_number: Option<i64>,
    published_number: Option<i64>,
    fingerprint: String,
    pages_added: Vec<String>,
    pages_removed: Vec<String>,
    pages_moved: Vec<String>,
    pages_changed: Vec<DiffLine>,
    blocks_moved: Vec<String>,
    fields_added: Vec<DiffLine>,
    fields_removed: Vec<DiffLine>,
    fields_changed: Vec<DiffLine>,
    no_change: bool,
    open_requests: i64,
    draft_requests: i64,
    routing_warnings: Vec<String>,
    problems: Vec<String>,
    errors: FormErrors,
}

fn aspects_text(tr: &Tr, keys: impl Iterator<Item = &'static str>, prefix: &str) -> String {
    keys.map(|k| tr.t(&format!("{prefix}{}", k.replace('_', "-"))))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The differences in words: pages moved and changed, blocks moved, fields added,
/// removed, changed.
struct DiffLines {
    pages_moved: Vec<String>,
    pages_changed: Vec<DiffLine>,
    blocks_moved: Vec<String>,
    fields_added: Vec<DiffLine>,
    fields_removed: Vec<DiffLine>,
    fields_changed: Vec<DiffLine>,
}

fn diff_lines(tr: &Tr, d: &FormDiff) -> DiffLines {
    let pages_changed = d
        .pages_changed
        .iter()
        .map(|c| DiffLine {
            label: if c.title == c.old_title {
                c.title.clone()
            } else {
                tr.t2("builder-renamed", "old", &c.old_title, "new", &c.title)
            },
            detail: aspects_text(
                tr,
                c.aspects.iter().map(|a| a.as_str()),
                "builder-page-aspect-",
            ),
        })
        .collect();
    let field = |f: &form_diff::FieldSummary| DiffLine {
        label: tr.t2("builder-field-named", "label", &f.label, "key", &f.key),
        detail: tr.t1("builder-on-page", "title", &f.page),
    };
    let fields_changed = d
        .fields_changed
        .iter()
        .map(|c| DiffLine {
            label: if c.label == c.old_label {
                tr.t2("builder-field-named", "label", &c.label, "key", &c.key)
            } else {
                tr.tn(
                    "builder-field-renamed",
                    &[
                        ("old", c.old_label.clone()),
                        ("label", c.label.clone()),
                        ("key", c.key.clone()),
                    ],
                )
            },
            detail: aspects_text(tr, c.aspects.iter().map(|a| a.as_str()), "builder-aspect-"),
        })
        .collect();
    let pages_moved = d
        .pages_moved
        .iter()
        .map(|m| {
            tr.tn(
                "builder-page-moved-from-to",
                &[
                    ("title", m.title.clone()),
                    ("from", m.from.to_string()),
                    ("to", m.to.to_string()),
                ],
            )
        })
        .collect();
    let blocks_moved = d
        .blocks_moved
        .iter()
        .map(|m| {
            let mut values = vec![
                ("name", m.name.clone()),
                ("page", m.page.clone()),
                ("from", m.from.to_string()),
                ("to", m.to.to_string()),
            ];
            match &m.key {
                Some(key) => {
                    values.push(("key", key.clone()));
                    tr.tn("builder-field-moved-from-to", &values)
                }
                None => tr.tn("builder-text-moved-from-to", &values),
            }
        })
        .collect();
    DiffLines {
        pages_moved,
        blocks_moved,
        pages_changed,
        fields_added: d.fields_added.iter().map(field).collect(),
        fields_removed: d.fields_removed.iter().map(field).collect(),
        fields_changed,
    }
}

async fn publish_view(
    kernel: &Kernel,
    page: Page,
    procedure: Procedure,
    errors: FormErrors,
) -> Result<PublishView, AppError> {
    let working = Working::load(kernel, &procedure).await?;
    let tr = &page.tr;
    let empty = FormDefinition { pages: vec![] };
    let old = working
        .published
        .as_ref()
        .map(|v| &v.definition)
        .unwrap_or(&empty);
    let new = working.draft.as_ref().map(|v| &v.definition).unwrap_or(old);
    let d = form_diff::diff(old, new);
    let lines = diff_lines(tr, &d);
    let using = match &working.published {
        Some(v) => store::open_requests_using(&kernel.db, &v.id).await?,
        None => Default::default(),
    };
    // Routing rules name fields by key: say which ones would look at a field that is gone.
    let keys: Vec<&str> = new.fields().map(|f| f.key.as_str()).collect();
    let routing_warnings = store::routing_rules(&kernel.db, &procedure.id)
        .await?
        .iter()
        .filter_map(|rule| {
            let field = match &rule.condition {
                crate::routing::RouteCondition::Answer { field, .. }
                | crate::routing::RouteCondition::District { field, .. } => field,
            };
            (!keys.contains(&field.as_str()))
                .then(|| tr.t1("builder-routing-warning", "key", field))
        })
        .collect();
    let problems = if working.draft.is_some() {
        new.problems()
            .iter()
            .map(|p| problem_text(tr, new, p))
            .collect()
    } else {
        vec![]
    };
    Ok(PublishView {
        base: base(&procedure.slug),
        draft_number: working.draft.as_ref().map(|v| v.version),
        published_number: working.published.as_ref().map(|v| v.version),
        fingerprint: fingerprint(new),
        pages_added: d.pages_added.clone(),
        pages_removed: d.pages_removed.clone(),
        no_change: d.is_empty(),
        pages_moved: lines.pages_moved,
        blocks_moved: lines.blocks_moved,
        pages_changed: lines.pages_changed,
        fields_added: lines.fields_added,
        fields_removed: lines.fields_removed,
        fields_changed: lines.fields_changed,
        open_requests: using.open,
        draft_requests: using.drafts,
        routing_warnings,
        problems,
        errors,
        page,
        procedure,
    })
}

pub async fn publish_form(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let procedure = procedure_for(&kernel, &caller, &slug).await?;
    let view = publish_view(&kernel, page, procedure, FormErrors::new()).await?;
    Ok(render(&view)?.into_response())
}

#[derive(Deserialize, Default)]
pub struct PublishForm {
    #[serde(default)]
    empreinte: String,
}

pub async fn publish(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    session: Session,
    Path(slug): Path<String>,
    Form(form): Form<PublishForm>,
) -> Result<Response, AppError> {
    let procedure = procedure_for(&kernel, &caller, &slug).await?;
    let previous = store::published_version(&kernel.db, &procedure.id).await?;
    let mut errors = FormErrors::new();
    match builder::publish(&kernel, &caller, &procedure, &form.empreinte).await {
        Ok(version) => {
            let message = match previous {
                Some(old) => page.tr.t2(
                    "builder-published",
                    "version",
                    version.version,
                    "old",
                    old.version,
                ),
                None => page
                    .tr
                    .t1("builder-published-first", "version", version.version),
            };
            page::flash(&session, "success", message).await?;
            return Ok(to_overview(&slug));
        }
        Err(BuildError::Stale) => errors.add("publier", page.tr.t("builder-error-stale")),
        Err(BuildError::NoDraft) => errors.add("publier", page.tr.t("builder-error-no-draft")),
        Err(BuildError::Invalid { problems, form }) => {
            for p in &problems {
                errors.add("publier", problem_text(&page.tr, &form, p));
            }
        }
        Err(e) => return Err(e.into()),
    }
    let view = publish_view(&kernel, page, procedure, errors).await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &view)
}
