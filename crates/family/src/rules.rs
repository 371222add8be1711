//! Pure rules of the family file: the family quotient, when a new quotient takes effect,
//! and the summary of documents a service still needs (*récapitulatif des pièces à
//! fournir*).

use jiff::ToSpan;
use jiff::civil::Date;

use crate::model::{
    Allergen, ChildProfile, ContactKind, Diet, Document, DocumentStatus, DocumentType,
};

// ------------------------------------------------------------------ input checks

/// A problem with what was typed: the field and a sentence in French.
pub type Problem = (&'static str, String);

/// Text as kept: control characters dropped, trimmed, cut to `max` characters.
pub fn clean(raw: &str, max: usize) -> String {
    raw.chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .chars()
        .take(max)
        .collect()
}

/// A date as typed: `2018-04-12` (a date field) or `12/04/2018` (a text field).
pub fn parse_date(raw: &str) -> Option<Date> {
    let raw = raw.trim();
    if let Ok(d) = raw.parse::<Date>() {
        return Some(d);
    }
    let mut parts = raw.split('/');
    let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 {
        return None;
    }
    Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?).ok()
}

/// A child's school must be one of the commune's (`known`), or none for a child not at
/// school yet; when the commune has listed no school, any name is taken.
pub fn check_school(school: &str, known: &[String]) -> Option<Problem> {
    let school = school.trim();
    (!school.is_empty() && !known.is_empty() && !known.iter().any(|k| k == school)).then(|| {
        (
            "school",
            "Choisissez l'école dans la liste des écoles de la commune.".to_string(),
        )
    })
}

/// A child as typed in the form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChildInput {
    pub given_name: String,
    pub family_name: String,
    pub birth_date: String,
    pub school: String,
    pub class_name: String,
    pub diet: String,
    pub allergens: Vec<String>,
    pub allergy_notes: String,
    pub care_plan: bool,
    pub doctor: String,
    pub insurance: String,
}

/// A child ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidChild {
    pub given_name: String,
    pub family_name: String,
    pub birth_date: Date,
    pub profile: ChildProfile,
}

/// Checks a child's form; every problem at once, each with its field.
pub fn check_child(input: &ChildInput, today: Date) -> Result<ValidChild, Vec<Problem>> {
    let mut problems = Vec::new();
    let given_name = clean(&input.given_name, 100);
    if given_name.is_empty() {
        problems.push(("given_name", "Indiquez le prénom de l'enfant.".to_string()));
    }
    let family_name = clean(&input.family_name, 100);
    if family_name.is_empty() {
        problems.push(("family_name", "Indiquez le nom de l'enfant.".to_string()));
    }
    let birth_date = match parse_date(&input.birth_date) {
        Some(d) if d > today => {
            problems.push((
                "birth_date",
                "La date de naissance ne peut pas être dans le futur.".to_string(),
            ));
            None
        }
        Some(d) if d < today.saturating_sub(26.years()) => {
            problems.push((
                "birth_date",
                "Cette date de naissance est celle d'un adulte : vérifiez l'année.".to_string(),
            ));
            None
        }
        Some(d) => Some(d),
        None => {
            problems.push((
                "birth_date",
                "Indiquez la date de naissance au format jj/mm/aaaa.".to_string(),
            ));
            None
        }
    };
    let diet = match Diet::from_code(input.diet.trim()) {
        Some(d) => Some(d),
        None => {
            problems.push(("diet", "Choisissez un régime dans la liste.".to_string()));
            None
        }
    };
    let mut allergens = Vec::new();
    for code in &input.allergens {
        match Allergen::from_code(code.trim()) {
            Some(a) if !allergens.contains(&a) => allergens.push(a),
            Some(_) => {}
            None => problems.push((
                "allergens",
                "Choisissez les allergènes dans la liste ; précisez les autres dans le champ libre."
                    .to_string(),
            )),
        }
    }
    allergens.sort();
    match (problems.is_empty(), birth_date, diet) {
        (true, Some(birth_date), Some(diet)) => Ok(ValidChild {
            given_name,
            family_name,
            birth_date,
            profile: ChildProfile {
                school: clean(&input.school, 150),
                class_name: clean(&input.class_name, 50),
                diet,
                allergens,
                allergy_notes: clean(&input.allergy_notes, 1000),
                care_plan: input.care_plan,
                doctor: clean(&input.doctor, 200),
                insurance: clean(&input.insurance, 200),
            },
        }),
        _ => Err(problems),
    }
}

/// A contact as typed: someone allowed to pick the children up, or to call.
pub fn check_contact(
    kind: &str,
    name: &str,
    relation: &str,
    phone: &str,
) -> Result<(ContactKind, String, String, String), Vec<Problem>> {
    let mut problems = Vec::new();
    let kind = ContactKind::from_code(kind.trim());
    if kind.is_none() {
        problems.push((
            "kind",
            "Choisissez s'il s'agit d'une personne autorisée à récupérer les enfants ou à prévenir en cas d'urgence."
                .to_string(),
        ));
    }
    let name = clean(name, 150);
    if name.is_empty() {
        problems.push(("name", "Indiquez le nom de la personne.".to_string()));
    }
    let phone = clean(phone, 30);
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    if !(10..=15).contains(&digits)
        || !phone
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '.' | '-' | '+' | '(' | ')'))
    {
        problems.push((
            "phone",
            "Indiquez un numéro de téléphone, par exemple 06 12 34 56 78.".to_string(),
        ));
    }
    match (problems.is_empty(), kind) {
        (true, Some(kind)) => Ok((kind, name, clean(relation, 100), phone)),
        _ => Err(problems),
    }
}

// ------------------------------------------------------------------ family quotient

/// How the commune counts a household's parts, in half-parts. The CAF's: 2 parts for a
/// couple or a single parent, half a part for each of the first two children, one part
/// from the third.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotientFormula {
    pub single_parent_halves: u32,
    pub couple_halves: u32,
    pub first_child_halves: u32,
    pub second_child_halves: u32,
    pub further_child_halves: u32,
}

impl QuotientFormula {
    pub fn caf() -> QuotientFormula {
        QuotientFormula {
            single_parent_halves: 4,
            couple_halves: 4,
            first_child_halves: 1,
            second_child_halves: 1,
            further_child_halves: 2,
        }
    }

    /// The household's parts, in halves.
    pub fn halves(&self, couple: bool, children: u32) -> u32 {
        let adults = if couple {
            self.couple_halves
        } else {
            self.single_parent_halves
        };
        let kids = match children {
            0 => 0,
            1 => self.first_child_halves,
            n => {
                self.first_child_halves
                    + self.second_child_halves
                    + (n - 2) * self.further_child_halves
            }
        };
        adults + kids
    }

    /// The quotient in whole euros: monthly resources (taxable income of year N-2 divided
    /// by 12, plus monthly family benefits) divided by the parts, rounded down.
    pub fn quotient(&self, monthly_resources_cents: i64, couple: bool, children: u32) -> u32 {
        let halves = i64::from(self.halves(couple, children).max(1));
        let euros = monthly_resources_cents.max(0) * 2 / (halves * 100);
        u32::try_from(euros).unwrap_or(u32::MAX)
    }
}

/// Where a quotient comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuotientSource {
    /// Computed from the resources the family declared, with the commune's formula.
    Computed,
    /// Copied by an agent from a CAF (or MSA) certificate.
    CafCertificate,
}

/// A quotient and the first day it applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotientRecord {
    pub value: u32,
    pub source: QuotientSource,
    pub effective_from: Date,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuotientError {
    #[error(
        "un nouveau quotient s'applique à partir d'aujourd'hui au plus tôt ; un effet rétroactif demande une décision d'un agent"
    )]
    Retroactive,
}

/// Checks the first day of a new quotient: never in the past unless an agent decided it.
pub fn check_effective_date(
    effective_from: Date,
    today: Date,
    agent_decision: bool,
) -> Result<(), QuotientError> {
    if effective_from < today && !agent_decision {
        Err(QuotientError::Retroactive)
    } else {
        Ok(())
    }
}

/// The quotient that applies on `day`: the record that took effect last, on or before it.
pub fn quotient_on(records: &[QuotientRecord], day: Date) -> Option<u32> {
    records
        .iter()
        .filter(|r| r.effective_from <= day)
        .max_by_key(|r| r.effective_from)
        .map(|r| r.value)
}

// ------------------------------------------------------------------ documents

/// How long a document usually stays valid from its date; the agent checking it may
/// correct the end. A proof of address is taken for three months, a tax notice or a CAF
/// certificate for a year, an insurance or a PAI for the school year (to 31 August).
pub fn default_validity(kind: DocumentType, dated: Date) -> Option<Date> {
    match kind {
        DocumentType::ProofOfAddress => Some(dated.saturating_add(3.months())),
        DocumentType::TaxNotice | DocumentType::CafCertificate => {
            Some(dated.saturating_add(1.year()))
        }
        DocumentType::SchoolInsurance | DocumentType::CarePlan => {
            let end = jiff::civil::date(dated.year(), 8, 31);
            Some(if dated <= end {
                end
            } else {
                jiff::civil::date(dated.year() + 1, 8, 31)
            })
        }
        DocumentType::VaccinationRecord | DocumentType::CustodyJudgement => None,
    }
}

/// How one required document stands for a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirement {
    Missing,
    /// Given, waiting for an agent's check.
    Pending,
    /// Refused with its reason, and nothing better given since.
    Refused {
        reason: String,
    },
    Valid {
        until: Option<Date>,
    },
    /// Valid, but ends within the reminder period: the family is asked for a new one.
    ExpiringSoon {
        until: Date,
    },
    Expired {
        on: Date,
    },
}

impl Requirement {
    /// Whether the service has what it needs today.
    pub fn is_satisfied(&self) -> bool {
        matches!(
            self,
            Requirement::Valid { .. } | Requirement::ExpiringSoon { .. }
        )
    }
}

/// Where one kind of document stands: an accepted document valid today wins, whichever
/// service asked for it first; then one waiting for a check; then the latest refusal or
/// expiry.
pub fn requirement(
    kind: DocumentType,
    documents: &[Document],
    today: Date,
    remind_days: i64,
) -> Requirement {
    let of_kind: Vec<&Document> = documents.iter().filter(|d| d.kind == kind).collect();
    let valid_today = |d: &&&Document| {
        d.status == DocumentStatus::Accepted
            && d.valid_from <= today
            && d.valid_until.is_none_or(|until| until >= today)
    };
    if let Some(best) = of_kind
        .iter()
        .filter(valid_today)
        .max_by_key(|d| d.valid_until.unwrap_or(Date::MAX))
    {
        return match best.valid_until {
            Some(until) if until <= today.saturating_add(remind_days.days()) => {
                Requirement::ExpiringSoon { until }
            }
            until => Requirement::Valid { until },
        };
    }
    if of_kind.iter().any(|d| d.status == DocumentStatus::Pending) {
        return Requirement::Pending;
    }
    let expired = of_kind
        .iter()
        .filter(|d| d.status == DocumentStatus::Accepted)
        .filter_map(|d| d.valid_until)
        .filter(|until| *until < today)
        .max();
    if let Some(on) = expired {
        return Requirement::Expired { on };
    }
    if let Some(reason) = of_kind.iter().rev().find_map(|d| match &d.status {
        DocumentStatus::Refused { reason } => Some(reason.clone()),
        _ => None,
    }) {
        return Requirement::Refused { reason };
    }
    Requirement::Missing
}

/// The summary for one service: each document type it requires and where it stands.
pub fn summary(
    required: &[DocumentType],
    documents: &[Document],
    today: Date,
    remind_days: i64,
) -> Vec<(DocumentType, Requirement)> {
    required
        .iter()
        .map(|kind| (*kind, requirement(*kind, documents, today, remind_days)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_school_comes_from_the_communes_list_when_there_is_one() {
        let known = vec!["École élémentaire Jules-Ferry".to_string()];
        assert_eq!(check_school("École élémentaire Jules-Ferry", &known), None);
        assert_eq!(check_school("", &known), None);
        assert_eq!(
            check_school("Ecole Jules Ferry", &known).unwrap().0,
            "school"
        );
        assert_eq!(check_school("Ecole Jules Ferry", &[]), None);
    }
    use jiff::civil::date;
    use proptest::prelude::*;

    fn input() -> ChildInput {
        ChildInput {
            given_name: " Léa ".into(),
            family_name: "Martin".into(),
            birth_date: "2018-04-12".into(),
            school: "École Jules-Ferry".into(),
            class_name: "CE1".into(),
            diet: "sans-porc".into(),
            allergens: vec!["arachides".into(), "lait".into(), "arachides".into()],
            allergy_notes: "Anaphylaxie aux arachides\u{7}".into(),
            care_plan: true,
            ..ChildInput::default()
        }
    }

    #[test]
    fn a_child_as_typed() {
        let today = date(2025, 9, 1);
        let child = check_child(&input(), today).unwrap();
        assert_eq!(child.given_name, "Léa");
        assert_eq!(child.birth_date, date(2018, 4, 12));
        assert_eq!(child.profile.diet, Diet::NoPork);
        assert_eq!(
            child.profile.allergens,
            vec![Allergen::Peanuts, Allergen::Milk]
        );
        assert_eq!(child.profile.allergy_notes, "Anaphylaxie aux arachides");
        let bad = ChildInput {
            given_name: "  ".into(),
            birth_date: "2030-01-01".into(),
            diet: "halal".into(),
            allergens: vec!["chocolat".into()],
            ..input()
        };
        let problems = check_child(&bad, today).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|(f, _)| *f).collect();
        assert_eq!(
            fields,
            vec!["given_name", "birth_date", "diet", "allergens"]
        );
        let typed = ChildInput {
            birth_date: "12/04/2018".into(),
            ..input()
        };
        assert_eq!(
            check_child(&typed, today).unwrap().birth_date,
            date(2018, 4, 12)
        );
        for unreadable in ["31/02/2018", "12/04/18", "hier", ""] {
            let bad = ChildInput {
                birth_date: unreadable.into(),
                ..input()
            };
            assert_eq!(check_child(&bad, today).unwrap_err()[0].0, "birth_date");
        }
    }

    #[test]
    fn a_contact_needs_a_name_and_a_phone() {
        assert_eq!(
            check_contact(
                "recuperation",
                "Jeanne Martin",
                "Grand-mère",
                "06 12 34 56 78"
            )
            .unwrap(),
            (
                ContactKind::Pickup,
                "Jeanne Martin".to_string(),
                "Grand-mère".to_string(),
                "06 12 34 56 78".to_string()
            )
        );
        let problems = check_contact("voisin", "", "", "pas de numéro").unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, vec!["kind", "name", "phone"]);
    }

    #[test]
    fn the_caf_examples() {
        let caf = QuotientFormula::caf();
        // A couple, one child, 2,500 € a month: 2.5 parts, quotient 1,000.
        assert_eq!(caf.halves(true, 1), 5);
        assert_eq!(caf.quotient(250_000, true, 1), 1000);
        // A couple, three children, 4,000 € a month: 4 parts, quotient 1,000.
        assert_eq!(caf.halves(true, 3), 8);
        assert_eq!(caf.quotient(400_000, true, 3), 1000);
        // A single parent with two children: 3 parts.
        assert_eq!(caf.halves(false, 2), 6);
        assert_eq!(caf.quotient(180_050, false, 2), 600);
        assert_eq!(caf.quotient(-5, false, 0), 0);
    }

    #[test]
    fn a_new_quotient_is_never_retroactive_without_an_agent() {
        let today = date(2026, 1, 15);
        assert!(check_effective_date(today, today, false).is_ok());
        assert!(check_effective_date(date(2026, 2, 1), today, false).is_ok());
        assert_eq!(
            check_effective_date(date(2026, 1, 1), today, false),
            Err(QuotientError::Retroactive)
        );
        assert!(check_effective_date(date(2026, 1, 1), today, true).is_ok());
        let records = vec![
            QuotientRecord {
                value: 850,
                source: QuotientSource::CafCertificate,
                effective_from: date(2025, 9, 1),
            },
            QuotientRecord {
                value: 640,
                source: QuotientSource::Computed,
                effective_from: date(2026, 2, 1),
            },
        ];
        assert_eq!(quotient_on(&records, date(2025, 8, 31)), None);
        assert_eq!(quotient_on(&records, date(2026, 1, 31)), Some(850));
        assert_eq!(quotient_on(&records, date(2026, 2, 1)), Some(640));
    }

    fn doc(kind: DocumentType, status: DocumentStatus, until: Option<Date>) -> Document {
        Document {
            kind,
            status,
            valid_from: date(2025, 1, 1),
            valid_until: until,
        }
    }

    #[test]
    fn what_a_service_still_misses() {
        let today = date(2025, 9, 1);
        let documents = vec![
            doc(
                DocumentType::ProofOfAddress,
                DocumentStatus::Accepted,
                Some(date(2025, 9, 20)),
            ),
            doc(
                DocumentType::SchoolInsurance,
                DocumentStatus::Accepted,
                Some(date(2025, 8, 31)),
            ),
            doc(
                DocumentType::VaccinationRecord,
                DocumentStatus::Pending,
                None,
            ),
            doc(
                DocumentType::CafCertificate,
                DocumentStatus::Refused {
                    reason: "Document illisible".into(),
                },
                None,
            ),
            doc(
                DocumentType::CustodyJudgement,
                DocumentStatus::Accepted,
                None,
            ),
        ];
        let canteen = [
            DocumentType::ProofOfAddress,
            DocumentType::SchoolInsurance,
            DocumentType::VaccinationRecord,
            DocumentType::CafCertificate,
            DocumentType::TaxNotice,
            DocumentType::CustodyJudgement,
        ];
        let canteen_summary = summary(&canteen, &documents, today, 30);
        assert_eq!(
            canteen_summary,
            vec![
                (
                    DocumentType::ProofOfAddress,
                    Requirement::ExpiringSoon {
                        until: date(2025, 9, 20)
                    }
                ),
                (
                    DocumentType::SchoolInsurance,
                    Requirement::Expired {
                        on: date(2025, 8, 31)
                    }
                ),
                (DocumentType::VaccinationRecord, Requirement::Pending),
                (
                    DocumentType::CafCertificate,
                    Requirement::Refused {
                        reason: "Document illisible".into()
                    }
                ),
                (DocumentType::TaxNotice, Requirement::Missing),
                (
                    DocumentType::CustodyJudgement,
                    Requirement::Valid { until: None }
                ),
            ]
        );
        // A second service asking for the same proof of address reuses the accepted one.
        let leisure = summary(&[DocumentType::ProofOfAddress], &documents, today, 0);
        assert!(leisure[0].1.is_satisfied());
    }

    #[test]
    fn documents_last_as_long_as_they_usually_do() {
        assert_eq!(
            default_validity(DocumentType::ProofOfAddress, date(2026, 11, 30)),
            Some(date(2027, 2, 28))
        );
        assert_eq!(
            default_validity(DocumentType::SchoolInsurance, date(2026, 9, 2)),
            Some(date(2027, 8, 31))
        );
        assert_eq!(
            default_validity(DocumentType::CarePlan, date(2027, 3, 1)),
            Some(date(2027, 8, 31))
        );
        assert_eq!(
            default_validity(DocumentType::CafCertificate, date(2026, 1, 15)),
            Some(date(2027, 1, 15))
        );
        assert_eq!(
            default_validity(DocumentType::VaccinationRecord, date(2020, 1, 1)),
            None
        );
    }

    proptest! {
        #[test]
        fn more_resources_never_lower_the_quotient(a in 0i64..2_000_000, b in 0i64..2_000_000, kids in 0u32..8, couple: bool) {
            let caf = QuotientFormula::caf();
            let (low, high) = (a.min(b), a.max(b));
            prop_assert!(caf.quotient(low, couple, kids) <= caf.quotient(high, couple, kids));
        }

        #[test]
        fn one_more_child_never_raises_the_quotient(resources in 0i64..2_000_000, kids in 0u32..8, couple: bool) {
            let caf = QuotientFormula::caf();
            prop_assert!(caf.quotient(resources, couple, kids + 1) <= caf.quotient(resources, couple, kids));
        }
    }
}
