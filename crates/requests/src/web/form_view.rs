//! A page of a form as the template shows it, the answers a browser sends back (a
//! multipart body, since pages may carry files), and problems put into words.

use axum::extract::Multipart;
use kernel::AppError;
use kernel::i18n::Tr;
use kernel::web::forms::FormErrors;

use crate::forms::{AnswerProblem, Answers, Block, Field, FieldKind, FormDefinition};

/// One field, ready for the template.
#[derive(Debug, Clone)]
pub struct FieldView {
    pub key: String,
    pub label: String,
    /// text, email, tel, date, number, textarea, address, radio, checkboxes, checkbox, file
    pub control: &'static str,
    pub required: bool,
    pub help: String,
    pub value: String,
    pub options: Vec<(String, bool)>,
    pub autocomplete: &'static str,
    /// Shown only if an answer on this same page has a value: said in words, and
    /// hidden or shown by the script.
    pub condition: Option<(String, String, String)>,
    pub min: String,
    pub max: String,
}

impl FieldView {
    pub fn described(&self, errors: &FormErrors) -> bool {
        !self.help.is_empty() || errors.has(&self.key) || self.condition.is_some()
    }
}

/// A title, an explanation or a field.
#[derive(Debug, Clone)]
pub struct BlockView {
    /// title, text or field
    pub kind: &'static str,
    pub text: String,
    pub field: Option<FieldView>,
}

fn control(kind: &FieldKind) -> &'static str {
    match kind {
        FieldKind::ShortText { .. } => "text",
        FieldKind::LongText { .. } => "textarea",
        FieldKind::Number { .. } => "number",
        FieldKind::Date => "date",
        FieldKind::Email => "email",
        FieldKind::Phone => "tel",
        FieldKind::PostalAddress => "address",
        FieldKind::SingleChoice { .. } => "radio",
        FieldKind::MultipleChoice { .. } => "checkboxes",
        FieldKind::Checkbox => "checkbox",
        FieldKind::File => "file",
    }
}

fn field_view(
    form: &FormDefinition,
    field: &Field,
    answers: &Answers,
    page_keys: &[&str],
) -> FieldView {
    let values = answers.get(&field.key).cloned().unwrap_or_default();
    let options = match &field.kind {
        FieldKind::SingleChoice { options } | FieldKind::MultipleChoice { options } => options
            .iter()
            .map(|o| (o.clone(), values.contains(o)))
            .collect(),
        _ => vec![],
    };
    let (min, max) = match &field.kind {
        FieldKind::Number { min, max } => (
            min.map(|m| m.to_string()).unwrap_or_default(),
            max.map(|m| m.to_string()).unwrap_or_default(),
        ),
        _ => (String::new(), String::new()),
    };
    let condition = field
        .show_if
        .as_ref()
        .filter(|c| page_keys.contains(&c.field.as_str()))
        .map(|c| {
            let label = form
                .fields()
                .find(|f| f.key == c.field)
                .map(|f| f.label.clone())
                .unwrap_or_else(|| c.field.clone());
            (c.field.clone(), c.equals.clone(), label)
        });
    FieldView {
        key: field.key.clone(),
        label: field.label.clone(),
        control: control(&field.kind),
        required: field.required,
        help: field.help.clone(),
        value: values.first().cloned().unwrap_or_default(),
        options,
        autocomplete: match field.prefill {
            Some(crate::forms::Prefill::GivenName) => "given-name",
            Some(crate::forms::Prefill::FamilyName) => "family-name",
            Some(crate::forms::Prefill::Email) => "email",
            Some(crate::forms::Prefill::Phone) => "tel",
            Some(crate::forms::Prefill::PostalAddress) => "street-address",
            None => "",
        },
        condition,
        min,
        max,
    }
}

/// The blocks of one page. Fields hidden by an answer on an earlier page are left out;
/// fields that depend on an answer of this same page are shown with their condition.
pub fn page_blocks(form: &FormDefinition, page: usize, answers: &Answers) -> Vec<BlockView> {
    let Some(p) = form.pages.get(page) else {
        return vec![];
    };
    let page_keys: Vec<&str> = p
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Field(f) => Some(f.key.as_str()),
            _ => None,
        })
        .collect();
    p.blocks
        .iter()
        .filter_map(|block| match block {
            Block::Title { text } => Some(BlockView {
                kind: "title",
                text: text.clone(),
                field: None,
            }),
            Block::Explanation { text } => Some(BlockView {
                kind: "text",
                text: text.clone(),
                field: None,
            }),
            Block::Field(field) => {
                let hidden_by_earlier_page = field.show_if.as_ref().is_some_and(|c| {
                    !page_keys.contains(&c.field.as_str())
                        && !answers.get(&c.field).is_some_and(|v| v.contains(&c.equals))
                });
                (!hidden_by_earlier_page).then(|| BlockView {
                    kind: "field",
                    text: String::new(),
                    field: Some(field_view(form, field, answers, &page_keys)),
                })
            }
        })
        .collect()
}

/// The blocks of one page as the form builder's preview shows them: every field, each
/// with its condition in words, whichever page the answer it waits for is on.
pub fn preview_blocks(form: &FormDefinition, page: usize) -> Vec<BlockView> {
    let Some(p) = form.pages.get(page) else {
        return vec![];
    };
    let every_key: Vec<&str> = form.fields().map(|f| f.key.as_str()).collect();
    p.blocks
        .iter()
        .map(|block| match block {
            Block::Title { text } => BlockView {
                kind: "title",
                text: text.clone(),
                field: None,
            },
            Block::Explanation { text } => BlockView {
                kind: "text",
                text: text.clone(),
                field: None,
            },
            Block::Field(field) => BlockView {
                kind: "field",
                text: String::new(),
                field: Some(field_view(form, field, &Answers::new(), &every_key)),
            },
        })
        .collect()
}

/// A problem in words, next to its field.
pub fn problem_message(tr: &Tr, problem: &AnswerProblem) -> String {
    match problem {
        AnswerProblem::Required => tr.t("answer-required"),
        AnswerProblem::TooShort { min } => tr.t1("answer-too-short", "min", min),
        AnswerProblem::TooLong { max } => tr.t1("answer-too-long", "max", max),
        AnswerProblem::PatternMismatch { message } => message.clone(),
        AnswerProblem::NotANumber => tr.t("answer-not-a-number"),
        AnswerProblem::BelowMin { min } => tr.t1("answer-below-min", "min", min),
        AnswerProblem::AboveMax { max } => tr.t1("answer-above-max", "max", max),
        AnswerProblem::NotADate => tr.t("answer-not-a-date"),
        AnswerProblem::NotAnEmail => tr.t("answer-not-an-email"),
        AnswerProblem::NotAPhone => tr.t("answer-not-a-phone"),
        AnswerProblem::NotAnOption => tr.t("answer-not-an-option"),
    }
}

pub fn form_errors(tr: &Tr, problems: &[(String, AnswerProblem)]) -> FormErrors {
    let mut errors = FormErrors::new();
    for (key, problem) in problems {
        errors.add(key, problem_message(tr, problem));
    }
    errors
}

pub use crate::actions::Upload;

/// What a page's form sent: text answers, files, and the button pressed.
#[derive(Default)]
pub struct Posted {
    pub answers: Answers,
    pub uploads: Vec<Upload>,
    pub action: String,
}

impl Posted {
    pub fn text(&self, key: &str) -> String {
        self.answers
            .get(key)
            .and_then(|v| v.first())
            .cloned()
            .unwrap_or_default()
    }
}

/// Reads a multipart body; an empty file input (nothing chosen) is no upload.
pub async fn read_multipart(mut multipart: Multipart) -> Result<Posted, AppError> {
    let mut posted = Posted::default();
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
        match file_name {
            Some(file_name) => {
                if !bytes.is_empty() || !file_name.is_empty() {
                    posted.uploads.push(Upload {
                        field: name,
                        name: file_name,
                        bytes: bytes.to_vec(),
                    });
                }
            }
            None => {
                let value = String::from_utf8_lossy(&bytes).into_owned();
                match name.as_str() {
                    "action" => posted.action = value,
                    kernel::web::csrf::FIELD => {}
                    _ => posted.answers.entry(name).or_default().push(value),
                }
            }
        }
    }
    Ok(posted)
}
