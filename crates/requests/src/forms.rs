//! Forms that agents build without a developer: pages of fields and text blocks, fields and
//! pages shown only when an earlier answer has a given value, validation rules with a human
//! message. Definitions are plain data (exported to and imported from JSON so communes can
//! share procedures); checking a definition and checking answers are pure functions.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FormDefinition {
    pub pages: Vec<FormPage>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FormPage {
    pub title: String,
    /// The page is shown only when this holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_if: Option<Condition>,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "block", rename_all = "snake_case")]
pub enum Block {
    Title { text: String },
    Explanation { text: String },
    Field(Field),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Field {
    /// Stable name of the answer (`nom_naissance`, `date_evenement`), unique in the form.
    pub key: String,
    pub label: String,
    #[serde(flatten)]
    pub kind: FieldKind,
    #[serde(default)]
    pub required: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub help: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_if: Option<Condition>,
    /// Pre-filled from what the commune knows about the person (said once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefill: Option<Prefill>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FieldKind {
    ShortText {
        #[serde(default)]
        min_length: Option<u32>,
        #[serde(default)]
        max_length: Option<u32>,
        /// A regular expression the answer must match, and what to tell the person if not.
        #[serde(default)]
        pattern: Option<Pattern>,
    },
    LongText {
        #[serde(default)]
        max_length: Option<u32>,
    },
    Number {
        #[serde(default)]
        min: Option<i64>,
        #[serde(default)]
        max: Option<i64>,
    },
    Date,
    Email,
    Phone,
    PostalAddress,
    SingleChoice {
        options: Vec<String>,
    },
    MultipleChoice {
        options: Vec<String>,
    },
    Checkbox,
    File,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Pattern {
    pub regex: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Condition {
    /// An earlier field's key.
    pub field: String,
    /// Shown when that field's answer is (or, for multiple choice, contains) this value.
    pub equals: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Prefill {
    GivenName,
    FamilyName,
    Email,
    Phone,
    PostalAddress,
}

/// What is wrong with a definition (shown to the administrator building it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DefinitionProblem {
    NoPage,
    EmptyPage {
        page: usize,
    },
    BadKey {
        key: String,
    },
    DuplicateKey {
        key: String,
    },
    NoOptions {
        key: String,
    },
    /// A condition must refer to a field placed before it.
    UnknownConditionField {
        at: String,
        field: String,
    },
    /// A condition on a choice or a checkbox must wait for a value that can be answered.
    ConditionValueNotOffered {
        at: String,
        field: String,
        value: String,
    },
    BadPattern {
        key: String,
    },
    BadBounds {
        key: String,
    },
}

/// Keys are what other systems and exports see: lower-case ASCII, digits and `_`.
pub fn is_valid_key(key: &str) -> bool {
    (1..=60).contains(&key.len())
        && key.starts_with(|c: char| c.is_ascii_lowercase())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl FormDefinition {
    pub fn fields(&self) -> impl Iterator<Item = &Field> {
        self.pages
            .iter()
            .flat_map(|p| p.blocks.iter())
            .filter_map(|b| match b {
                Block::Field(f) => Some(f),
                _ => None,
            })
    }

    /// Every problem of the definition; empty when it can be published.
    pub fn problems(&self) -> Vec<DefinitionProblem> {
        let mut problems = Vec::new();
        if self.pages.is_empty() {
            problems.push(DefinitionProblem::NoPage);
        }
        // Fields met so far: a condition may only look back.
        let mut seen: HashMap<&str, &Field> = HashMap::new();
        let check_condition =
            |at: String, condition: &Condition, seen: &HashMap<&str, &Field>| match seen
                .get(condition.field.as_str())
            {
                None => Some(DefinitionProblem::UnknownConditionField {
                    at,
                    field: condition.field.clone(),
                }),
                Some(earlier) if !earlier.can_answer(&condition.equals) => {
                    Some(DefinitionProblem::ConditionValueNotOffered {
                        at,
                        field: condition.field.clone(),
                        value: condition.equals.clone(),
                    })
                }
                Some(_) => None,
            };
        for (index, page) in self.pages.iter().enumerate() {
            if page.blocks.is_empty() {
                problems.push(DefinitionProblem::EmptyPage { page: index + 1 });
            }
            if let Some(condition) = &page.show_if {
                problems.extend(check_condition(
                    format!("page {}", index + 1),
                    condition,
                    &seen,
                ));
            }
            for block in &page.blocks {
                let Block::Field(field) = block else { continue };
                if let Some(condition) = &field.show_if {
                    problems.extend(check_condition(field.key.clone(), condition, &seen));
                }
                if !is_valid_key(&field.key) {
                    problems.push(DefinitionProblem::BadKey {
                        key: field.key.clone(),
                    });
                } else if seen.insert(field.key.as_str(), field).is_some() {
                    problems.push(DefinitionProblem::DuplicateKey {
                        key: field.key.clone(),
                    });
                }
                match &field.kind {
                    FieldKind::SingleChoice { options } | FieldKind::MultipleChoice { options }
                        if options.iter().all(|o| o.trim().is_empty()) =>
                    {
                        problems.push(DefinitionProblem::NoOptions {
                            key: field.key.clone(),
                        })
                    }
                    FieldKind::ShortText {
                        pattern: Some(p), ..
                    } if regex::Regex::new(&p.regex).is_err() => {
                        problems.push(DefinitionProblem::BadPattern {
                            key: field.key.clone(),
                        })
                    }
                    FieldKind::ShortText {
                        min_length: Some(min),
                        max_length: Some(max),
                        ..
                    } if min > max => problems.push(DefinitionProblem::BadBounds {
                        key: field.key.clone(),
                    }),
                    FieldKind::Number {
                        min: Some(min),
                        max: Some(max),
                    } if min > max => problems.push(DefinitionProblem::BadBounds {
                        key: field.key.clone(),
                    }),
                    _ => {}
                }
            }
        }
        problems
    }
}

impl DefinitionProblem {
    /// Problems that only say the form is not finished (no page yet, a page still empty):
    /// a draft may have them while it is being built, but it cannot be published.
    pub fn is_incomplete(&self) -> bool {
        matches!(
            self,
            DefinitionProblem::NoPage | DefinitionProblem::EmptyPage { .. }
        )
    }
}

impl Field {
    /// Whether a person could give this answer: one of the options of a choice, « oui »
    /// for a checkbox; any text for other fields.
    pub fn can_answer(&self, value: &str) -> bool {
        match &self.kind {
            FieldKind::SingleChoice { options } | FieldKind::MultipleChoice { options } => {
                options.iter().any(|o| o == value)
            }
            FieldKind::Checkbox => value == "oui",
            _ => !value.trim().is_empty(),
        }
    }
}

/// A person's answers: one text per field, several for a multiple choice.
pub type Answers = BTreeMap<String, Vec<String>>;

fn holds(condition: &Condition, answers: &Answers) -> bool {
    answers
        .get(&condition.field)
        .is_some_and(|values| values.iter().any(|v| v == &condition.equals))
}

/// Pages shown for these answers, in order (indices into `pages`).
pub fn visible_pages(form: &FormDefinition, answers: &Answers) -> Vec<usize> {
    form.pages
        .iter()
        .enumerate()
        .filter(|(_, page)| page.show_if.as_ref().is_none_or(|c| holds(c, answers)))
        .map(|(i, _)| i)
        .collect()
}

/// Why an answer is refused; the web layer words it (with the field's own pattern message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerProblem {
    Required,
    TooShort { min: u32 },
    TooLong { max: u32 },
    PatternMismatch { message: String },
    NotANumber,
    BelowMin { min: i64 },
    AboveMax { max: i64 },
    NotADate,
    NotAnEmail,
    NotAPhone,
    NotAnOption,
}

fn check_value(field: &Field, value: &str) -> Option<AnswerProblem> {
    let length = u32::try_from(value.chars().count()).unwrap_or(u32::MAX);
    match &field.kind {
        FieldKind::ShortText {
            min_length,
            max_length,
            pattern,
        } => {
            if let Some(min) = min_length.filter(|m| length < *m) {
                return Some(AnswerProblem::TooShort { min });
            }
            if let Some(max) = max_length.filter(|m| length > *m) {
                return Some(AnswerProblem::TooLong { max });
            }
            if let Some(p) = pattern {
                let anchored = format!("^(?:{})$", p.regex);
                if !regex::Regex::new(&anchored).is_ok_and(|r| r.is_match(value)) {
                    return Some(AnswerProblem::PatternMismatch {
                        message: p.message.clone(),
                    });
                }
            }
            None
        }
        FieldKind::LongText { max_length } => max_length
            .filter(|m| length > *m)
            .map(|max| AnswerProblem::TooLong { max }),
        FieldKind::Number { min, max } => match value.trim().replace(' ', "").parse::<i64>() {
            Err(_) => Some(AnswerProblem::NotANumber),
            Ok(n) if min.is_some_and(|m| n < m) => min.map(|min| AnswerProblem::BelowMin { min }),
            Ok(n) if max.is_some_and(|m| n > m) => max.map(|max| AnswerProblem::AboveMax { max }),
            Ok(_) => None,
        },
        FieldKind::Date => value
            .trim()
            .parse::<jiff::civil::Date>()
            .err()
            .map(|_| AnswerProblem::NotADate),
        FieldKind::Email => {
            let v = value.trim();
            let ok = v
                .split_once('@')
                .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.ends_with('.'))
                && !v.contains(char::is_whitespace);
            (!ok).then_some(AnswerProblem::NotAnEmail)
        }
        FieldKind::Phone => {
            let digits: String = value.chars().filter(|c| c.is_ascii_digit()).collect();
            let allowed = value
                .chars()
                .all(|c| c.is_ascii_digit() || " .-+()".contains(c));
            (!(allowed && (10..=15).contains(&digits.len()))).then_some(AnswerProblem::NotAPhone)
        }
        FieldKind::SingleChoice { options } | FieldKind::MultipleChoice { options } => {
            (!options.iter().any(|o| o == value)).then_some(AnswerProblem::NotAnOption)
        }
        FieldKind::Checkbox => (value != "oui").then_some(AnswerProblem::NotAnOption),
        FieldKind::PostalAddress | FieldKind::File => None,
    }
}

/// Checks the answers of one page; hidden fields are neither required nor checked.
pub fn check_page(
    form: &FormDefinition,
    page: usize,
    answers: &Answers,
) -> Vec<(String, AnswerProblem)> {
    let Some(page) = form.pages.get(page) else {
        return vec![];
    };
    let mut problems = Vec::new();
    for block in &page.blocks {
        let Block::Field(field) = block else { continue };
        if field.show_if.as_ref().is_some_and(|c| !holds(c, answers)) {
            continue;
        }
        let values: Vec<&String> = answers
            .get(&field.key)
            .map(|v| v.iter().filter(|s| !s.trim().is_empty()).collect())
            .unwrap_or_default();
        if values.is_empty() {
            if field.required {
                problems.push((field.key.clone(), AnswerProblem::Required));
            }
            continue;
        }
        if let Some(problem) = values.iter().find_map(|v| check_value(field, v)) {
            problems.push((field.key.clone(), problem));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A civil status certificate request, as an administrator would build it.
    fn civil_status() -> FormDefinition {
        serde_json::from_str(
            r#"{"pages": [
              {"title": "L'acte demandé", "blocks": [
                {"block": "explanation", "text": "Pour un acte de naissance, de mariage ou de décès enregistré dans la commune."},
                {"block": "field", "key": "type_acte", "label": "Type d'acte", "type": "single_choice",
                 "options": ["naissance", "mariage", "décès"], "required": true},
                {"block": "field", "key": "nom_conjoint", "label": "Nom du conjoint", "type": "short_text",
                 "show_if": {"field": "type_acte", "equals": "mariage"}, "required": true},
                {"block": "field", "key": "date_evenement", "label": "Date de l'événement", "type": "date", "required": true},
                {"block": "field", "key": "nombre_copies", "label": "Nombre de copies", "type": "number", "min": 1, "max": 5}
              ]},
              {"title": "Envoi par courrier", "show_if": {"field": "type_acte", "equals": "naissance"}, "blocks": [
                {"block": "field", "key": "code_postal", "label": "Code postal", "type": "short_text", "required": true,
                 "pattern": {"regex": "[0-9]{5}", "message": "Le code postal compte 5 chiffres."}},
                {"block": "field", "key": "telephone", "label": "Téléphone", "type": "phone", "prefill": "phone"}
              ]}
            ]}"#,
        )
        .expect("valid JSON definition")
    }

    fn answers(pairs: &[(&str, &str)]) -> Answers {
        let mut a = Answers::new();
        for (k, v) in pairs {
            a.entry(k.to_string()).or_default().push(v.to_string());
        }
        a
    }

    #[test]
    fn a_definition_round_trips_through_json() {
        let form = civil_status();
        assert!(form.problems().is_empty(), "{:?}", form.problems());
        let json = serde_json::to_string_pretty(&form).unwrap();
        assert_eq!(serde_json::from_str::<FormDefinition>(&json).unwrap(), form);
        assert_eq!(form.fields().count(), 6);
    }

    #[test]
    fn conditional_pages_and_fields_follow_earlier_answers() {
        let form = civil_status();
        assert_eq!(
            visible_pages(&form, &answers(&[("type_acte", "naissance")])),
            vec![0, 1]
        );
        assert_eq!(
            visible_pages(&form, &answers(&[("type_acte", "décès")])),
            vec![0]
        );
        // The spouse's name is required only for a marriage certificate.
        let death = answers(&[("type_acte", "décès"), ("date_evenement", "2025-03-02")]);
        assert!(check_page(&form, 0, &death).is_empty());
        let marriage = answers(&[("type_acte", "mariage"), ("date_evenement", "2025-03-02")]);
        assert_eq!(
            check_page(&form, 0, &marriage),
            vec![("nom_conjoint".into(), AnswerProblem::Required)]
        );
    }

    #[test]
    fn answers_are_checked_with_human_messages() {
        let form = civil_status();
        let bad = answers(&[
            ("type_acte", "divorce"),
            ("date_evenement", "32/13/2025"),
            ("nombre_copies", "9"),
        ]);
        assert_eq!(
            check_page(&form, 0, &bad),
            vec![
                ("type_acte".into(), AnswerProblem::NotAnOption),
                ("date_evenement".into(), AnswerProblem::NotADate),
                ("nombre_copies".into(), AnswerProblem::AboveMax { max: 5 }),
            ]
        );
        let page2 = answers(&[
            ("type_acte", "naissance"),
            ("code_postal", "7500"),
            ("telephone", "01 23 45"),
        ]);
        assert_eq!(
            check_page(&form, 1, &page2),
            vec![
                (
                    "code_postal".into(),
                    AnswerProblem::PatternMismatch {
                        message: "Le code postal compte 5 chiffres.".into()
                    }
                ),
                ("telephone".into(), AnswerProblem::NotAPhone),
            ]
        );
        let good = answers(&[
            ("type_acte", "naissance"),
            ("code_postal", "75004"),
            ("telephone", "+33 1 23 45 67 89"),
        ]);
        assert!(check_page(&form, 1, &good).is_empty());
    }

    #[test]
    fn a_broken_definition_is_explained_before_publication() {
        let mut form = civil_status();
        if let Block::Field(f) = &mut form.pages[0].blocks[2] {
            f.key = "type_acte".into();
        }
        form.pages[1].show_if = Some(Condition {
            field: "plus_tard".into(),
            equals: "x".into(),
        });
        if let Block::Field(f) = &mut form.pages[1].blocks[0] {
            f.kind = FieldKind::ShortText {
                min_length: Some(9),
                max_length: Some(2),
                pattern: Some(Pattern {
                    regex: "[".into(),
                    message: "?".into(),
                }),
            };
        }
        let problems = form.problems();
        assert!(problems.contains(&DefinitionProblem::DuplicateKey {
            key: "type_acte".into()
        }));
        assert!(
            problems.contains(&DefinitionProblem::UnknownConditionField {
                at: "page 2".into(),
                field: "plus_tard".into()
            })
        );
        assert!(problems.contains(&DefinitionProblem::BadPattern {
            key: "code_postal".into()
        }));
        assert_eq!(
            FormDefinition { pages: vec![] }.problems(),
            vec![DefinitionProblem::NoPage]
        );
    }
}
