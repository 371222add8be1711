//! Administering procedures: who may change which procedure, checking a catalogue entry as
//! an administrator typed it, and editing a workflow or the routing rules one row at a
//! time. Pure functions over plain types: the back-office pages read the database, call
//! these, and write back what they return.

use std::collections::BTreeMap;

use kernel::identity::{Identity, Role};

use crate::forms::{Field, FieldKind, FormDefinition};
use crate::model::{AUDIENCES, Delay, ProcedureKind, Regime, THEMES};
use crate::routing::{RouteCondition, RoutingRule, Street, normalise_street};
use crate::workflow::{Phase, Status, Transition, Workflow, WorkflowProblem, legal_status};

// ------------------------------------------------------------------ who

/// The person manages this service (a service manager's grant for it).
pub fn manages(identity: &Identity, service_id: &str) -> bool {
    identity.grants.iter().any(|g| {
        g.role == Role::ServiceManager && g.service.as_ref().is_some_and(|s| s.id == service_id)
    })
}

/// Administrators change every procedure; a service manager, those of the services they
/// manage — and may only put a procedure in the hands of one of those services.
pub fn may_manage_procedures_of(identity: &Identity, service_id: &str) -> bool {
    identity.has_role(Role::Administrator) || manages(identity, service_id)
}

// ------------------------------------------------------------------ catalogue entry

/// Slugs that would hide a back-office page (`/backoffice/demarches/nouvelle` ...).
pub const RESERVED_SLUGS: [&str; 2] = ["nouvelle", "importer"];

/// The value of the theme list that means « a new theme, typed below ».
pub const NEW_THEME: &str = "nouveau";

/// A catalogue entry as typed in the form, every field as text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EntryInput {
    pub title: String,
    pub slug: String,
    pub theme: String,
    pub theme_new: String,
    pub summary: String,
    pub description: String,
    pub audiences: Vec<String>,
    /// One document per line.
    pub documents: String,
    pub expected_delay: String,
    pub kind: String,
    pub info_url: String,
    pub regime: String,
    pub delay_count: String,
    pub delay_unit: String,
    pub legal_basis: String,
    pub service: String,
    pub listed: bool,
}

/// What the check needs to know beyond the input, found by the caller.
#[derive(Debug, Clone, Default)]
pub struct EntryContext {
    /// A new procedure: its slug is chosen now (it never changes afterwards).
    pub is_new: bool,
    /// Another procedure already has the slug typed.
    pub slug_taken: bool,
    /// Free themes other procedures already use (the commune's own, besides `THEMES`).
    pub known_themes: Vec<String>,
    /// The service chosen exists.
    pub service_known: bool,
    /// The person may put the procedure in the hands of the service chosen.
    pub service_allowed: bool,
    /// A version of the form is published (residents could file it today).
    pub form_published: bool,
}

/// A checked catalogue entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub title: String,
    pub slug: String,
    pub theme: String,
    pub summary: String,
    pub description: String,
    pub audiences: Vec<String>,
    pub documents: Vec<String>,
    pub expected_delay: String,
    pub kind: ProcedureKind,
    pub info_url: Option<String>,
    pub regime: Regime,
    pub delay: Delay,
    pub legal_basis: String,
    pub service_id: String,
    pub listed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryProblem {
    Title,
    SlugFormat,
    SlugReserved,
    SlugTaken,
    Theme,
    NewTheme,
    Summary,
    Description,
    Audiences,
    Documents,
    ExpectedDelay,
    Kind,
    InfoUrlMissing,
    InfoUrlNotHttps,
    Regime,
    DelayCount,
    DelayUnit,
    /// Rejection, or a delay other than two months, must rest on a text.
    LegalBasisNeeded,
    LegalBasisTooLong,
    ServiceUnknown,
    ServiceNotManaged,
    /// An online procedure is shown in the catalogue only once its form is published.
    ListedWithoutForm,
}

impl EntryProblem {
    /// The form field the problem is shown next to.
    pub fn field(self) -> &'static str {
        use EntryProblem::*;
        match self {
            Title => "title",
            SlugFormat | SlugReserved | SlugTaken => "slug",
            Theme => "theme",
            NewTheme => "theme_new",
            Summary => "summary",
            Description => "description",
            Audiences => "audiences",
            Documents => "documents",
            ExpectedDelay => "expected_delay",
            Kind => "kind",
            InfoUrlMissing | InfoUrlNotHttps => "info_url",
            Regime => "regime",
            DelayCount => "delay_count",
            DelayUnit => "delay_unit",
            LegalBasisNeeded | LegalBasisTooLong => "legal_basis",
            ServiceUnknown | ServiceNotManaged => "service",
            ListedWithoutForm => "listed",
        }
    }
}

fn chars(text: &str) -> usize {
    text.chars().count()
}

/// Lower-case ASCII letters and digits in words joined by single hyphens: the address of
/// the procedure's page (`/demarches/location-salle`).
pub fn is_valid_slug(slug: &str) -> bool {
    (2..=60).contains(&slug.len())
        && slug.split('-').all(|w| {
            !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

/// A slug a procedure may take: well formed, and not one of the back office's own pages.
pub fn is_usable_slug(slug: &str) -> bool {
    is_valid_slug(slug) && !RESERVED_SLUGS.contains(&slug)
}

/// An address residents are sent to, which must be HTTPS.
pub fn check_url(text: &str) -> Result<String, EntryProblem> {
    if text.is_empty() {
        return Err(EntryProblem::InfoUrlMissing);
    }
    match url::Url::parse(text) {
        Ok(url)
            if url.scheme() == "https"
                && url.host_str().is_some_and(|h| h.contains('.'))
                && chars(text) <= 500 =>
        {
            Ok(url.to_string())
        }
        _ => Err(EntryProblem::InfoUrlNotHttps),
    }
}

fn check_delay(unit: &str, count: &str) -> Result<Delay, EntryProblem> {
    let count: i64 = count.trim().parse().map_err(|_| EntryProblem::DelayCount)?;
    let max = match unit {
        "days" => 365,
        "weeks" => 52,
        "months" => 24,
        _ => return Err(EntryProblem::DelayUnit),
    };
    if !(1..=max).contains(&count) {
        return Err(EntryProblem::DelayCount);
    }
    Delay::from_parts(unit, count).ok_or(EntryProblem::DelayCount)
}

/// Checks a catalogue entry: every problem, each next to its field, or the entry.
pub fn check_entry(input: &EntryInput, ctx: &EntryContext) -> Result<Entry, Vec<EntryProblem>> {
    let mut problems = Vec::new();
    let title = input.title.trim();
    if title.is_empty() || chars(title) > 150 {
        problems.push(EntryProblem::Title);
    }
    let slug = input.slug.trim();
    if ctx.is_new {
        if !is_valid_slug(slug) {
            problems.push(EntryProblem::SlugFormat);
        } else if RESERVED_SLUGS.contains(&slug) {
            problems.push(EntryProblem::SlugReserved);
        } else if ctx.slug_taken {
            problems.push(EntryProblem::SlugTaken);
        }
    }
    let theme = match input.theme.as_str() {
        NEW_THEME => {
            let typed = input.theme_new.trim();
            if typed.is_empty() || chars(typed) > 60 {
                problems.push(EntryProblem::NewTheme);
            }
            typed.to_string()
        }
        chosen if THEMES.contains(&chosen) || ctx.known_themes.iter().any(|t| t == chosen) => {
            chosen.to_string()
        }
        _ => {
            problems.push(EntryProblem::Theme);
            String::new()
        }
    };
    let summary = input.summary.trim();
    if summary.is_empty() || chars(summary) > 300 {
        problems.push(EntryProblem::Summary);
    }
    let description = input.description.trim();
    if chars(description) > 5000 {
        problems.push(EntryProblem::Description);
    }
    let audiences: Vec<String> = AUDIENCES
        .iter()
        .filter(|a| input.audiences.iter().any(|x| x == *a))
        .map(|a| a.to_string())
        .collect();
    if audiences.is_empty()
        || input
            .audiences
            .iter()
            .any(|a| !AUDIENCES.contains(&a.as_str()))
    {
        problems.push(EntryProblem::Audiences);
    }
    let documents: Vec<String> = input
        .documents
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect();
    if documents.len() > 30 || documents.iter().any(|d| chars(d) > 200) {
        problems.push(EntryProblem::Documents);
    }
    let expected_delay = input.expected_delay.trim();
    if expected_delay.is_empty() || chars(expected_delay) > 60 {
        problems.push(EntryProblem::ExpectedDelay);
    }
    let kind = ProcedureKind::parse(&input.kind);
    if kind.is_none() {
        problems.push(EntryProblem::Kind);
    }
    let info_url = match kind {
        Some(ProcedureKind::Information) => match check_url(input.info_url.trim()) {
            Ok(url) => Some(url),
            Err(problem) => {
                problems.push(problem);
                None
            }
        },
        _ => None,
    };
    let regime = Regime::parse(&input.regime);
    if regime.is_none() {
        problems.push(EntryProblem::Regime);
    }
    let delay = match check_delay(&input.delay_unit, &input.delay_count) {
        Ok(delay) => Some(delay),
        // With no implicit decision the delay is not used: keep the default.
        Err(_) if regime == Some(Regime::None) => Some(Delay::default()),
        Err(problem) => {
            problems.push(problem);
            None
        }
    };
    let legal_basis = input.legal_basis.trim();
    if chars(legal_basis) > 300 {
        problems.push(EntryProblem::LegalBasisTooLong);
    } else if legal_basis.is_empty()
        && (regime == Some(Regime::Rejection)
            || (regime == Some(Regime::Acceptance) && delay.is_some_and(|d| d != Delay::default())))
    {
        problems.push(EntryProblem::LegalBasisNeeded);
    }
    if !ctx.service_known {
        problems.push(EntryProblem::ServiceUnknown);
    } else if !ctx.service_allowed {
        problems.push(EntryProblem::ServiceNotManaged);
    }
    if input.listed && kind == Some(ProcedureKind::Online) && !ctx.form_published {
        problems.push(EntryProblem::ListedWithoutForm);
    }
    match (kind, regime, delay) {
        (Some(kind), Some(regime), Some(delay)) if problems.is_empty() => Ok(Entry {
            title: title.into(),
            slug: slug.into(),
            theme,
            summary: summary.into(),
            description: description.into(),
            audiences,
            documents,
            expected_delay: expected_delay.into(),
            kind,
            info_url,
            regime,
            delay,
            legal_basis: legal_basis.into(),
            service_id: input.service.clone(),
            listed: input.listed,
        }),
        _ => Err(problems),
    }
}

/// The first form of a new online procedure: one empty page, to be built.
pub fn empty_form() -> FormDefinition {
    FormDefinition {
        pages: vec![crate::forms::FormPage {
            title: "Votre demande".into(),
            show_if: None,
            blocks: vec![],
        }],
    }
}

// ------------------------------------------------------------------ workflow

/// One change an administrator makes to a workflow.
#[derive(Debug, Clone, PartialEq)]
pub enum WorkflowEdit {
    /// A new status, with the move out of it that keeps it from being a dead end.
    AddStatus {
        status: Status,
        exit: Option<Transition>,
    },
    EditStatus {
        key: String,
        label: String,
        phase: Phase,
    },
    /// Removes the status and every move from or to it.
    RemoveStatus {
        key: String,
    },
    AddTransition(Transition),
    /// `was` is the move as the page showed it, so that a workflow changed meanwhile by
    /// someone else is not edited blindly.
    EditTransition {
        index: usize,
        was: (String, String),
        transition: Transition,
    },
    RemoveTransition {
        index: usize,
        was: (String, String),
    },
    /// Back to the default workflow.
    Reset,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditRefusal {
    /// A status key must be lower-case ASCII, digits and `_`.
    BadKey,
    StatusLabel,
    TransitionLabel,
    MessageTooLong,
    NoSuchStatus,
    /// The move shown is no longer there (changed meanwhile).
    NoSuchTransition,
    /// Requests are in this status now: it cannot go, nor change phase.
    InUse {
        status: String,
        count: i64,
    },
    /// The workflow would be broken.
    Problems(Vec<WorkflowProblem>),
}

/// Status keys are what the database and exports hold.
pub fn is_valid_status_key(key: &str) -> bool {
    (1..=40).contains(&key.len())
        && key.starts_with(|c: char| c.is_ascii_lowercase())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn check_transition(t: &Transition) -> Result<(), EditRefusal> {
    if t.label.trim().is_empty() || chars(&t.label) > 80 {
        return Err(EditRefusal::TransitionLabel);
    }
    if t.message.as_deref().is_some_and(|m| chars(m) > 5000) {
        return Err(EditRefusal::MessageTooLong);
    }
    Ok(())
}

fn check_status_label(label: &str) -> Result<(), EditRefusal> {
    if label.trim().is_empty() || chars(label) > 80 {
        Err(EditRefusal::StatusLabel)
    } else {
        Ok(())
    }
}

fn in_use(counts: &BTreeMap<String, i64>, key: &str) -> Result<(), EditRefusal> {
    match counts.get(key).copied().unwrap_or(0) {
        0 => Ok(()),
        count => Err(EditRefusal::InUse {
            status: key.to_string(),
            count,
        }),
    }
}

fn find_transition(
    workflow: &Workflow,
    index: usize,
    was: &(String, String),
) -> Result<(), EditRefusal> {
    match workflow.transitions.get(index) {
        Some(t) if t.from == was.0 && t.to == was.1 => Ok(()),
        _ => Err(EditRefusal::NoSuchTransition),
    }
}

/// Applies one edit. `counts` holds how many filed requests are in each status now.
/// The result is refused if it breaks the workflow (see `Workflow::problems`).
pub fn apply_edit(
    workflow: &Workflow,
    edit: WorkflowEdit,
    counts: &BTreeMap<String, i64>,
) -> Result<Workflow, EditRefusal> {
    let mut next = workflow.clone();
    match edit {
        WorkflowEdit::AddStatus { status, exit } => {
            if !is_valid_status_key(&status.key) {
                return Err(EditRefusal::BadKey);
            }
            check_status_label(&status.label)?;
            if let Some(exit) = &exit {
                check_transition(exit)?;
            }
            next.statuses.push(status);
            next.transitions.extend(exit);
        }
        WorkflowEdit::EditStatus { key, label, phase } => {
            check_status_label(&label)?;
            let status = next
                .statuses
                .iter_mut()
                .find(|s| s.key == key)
                .ok_or(EditRefusal::NoSuchStatus)?;
            if status.phase != phase {
                in_use(counts, &key)?;
            }
            status.label = label.trim().to_string();
            status.phase = phase;
        }
        WorkflowEdit::RemoveStatus { key } => {
            if !next.statuses.iter().any(|s| s.key == key) {
                return Err(EditRefusal::NoSuchStatus);
            }
            in_use(counts, &key)?;
            next.statuses.retain(|s| s.key != key);
            next.transitions.retain(|t| t.from != key && t.to != key);
        }
        WorkflowEdit::AddTransition(t) => {
            check_transition(&t)?;
            next.transitions.push(t);
        }
        WorkflowEdit::EditTransition {
            index,
            was,
            transition,
        } => {
            find_transition(workflow, index, &was)?;
            check_transition(&transition)?;
            next.transitions[index] = transition;
        }
        WorkflowEdit::RemoveTransition { index, was } => {
            find_transition(workflow, index, &was)?;
            next.transitions.remove(index);
        }
        WorkflowEdit::Reset => {
            next = Workflow::default();
            // Requests in a status the default workflow lacks (or gives another phase)
            // would be stranded.
            for (key, count) in counts {
                let kept = match (workflow.status(key), next.status(key)) {
                    (Some(now), Some(then)) => now.phase == then.phase,
                    (None, _) => true,
                    (Some(_), None) => false,
                };
                if *count > 0 && !kept {
                    return Err(EditRefusal::InUse {
                        status: key.clone(),
                        count: *count,
                    });
                }
            }
        }
    }
    let problems = next.problems();
    if problems.is_empty() {
        Ok(next)
    } else {
        Err(EditRefusal::Problems(problems))
    }
}

/// Whether a status of the law (draft, deemed decisions, transmitted), not editable.
pub fn is_legal_status(key: &str) -> bool {
    legal_status(key).is_some()
}

// ------------------------------------------------------------------ routing

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleProblem {
    /// The procedure has no published form: rules refer to its fields.
    NoPublishedForm,
    UnknownField,
    /// For a choice field, the value must be one of its options.
    NotAnOption,
    EmptyValue,
    /// Routing by district reads an address field.
    NotAnAddressField,
    UnknownDistrict,
    UnknownService,
    /// The team chosen is not one of the chosen service's teams.
    TeamNotInService,
    /// The list changed since the page was shown.
    Stale,
}

/// The team a rule targets, checked against the teams of the chosen service (given as
/// (team id, service id) pairs): none when left empty.
pub fn team_of_service(
    teams: &[(String, String)],
    service_id: &str,
    team_id: &str,
) -> Result<Option<String>, RuleProblem> {
    match team_id.trim() {
        "" => Ok(None),
        team_id => teams
            .iter()
            .any(|(t, s)| t == team_id && s == service_id)
            .then(|| Some(team_id.to_string()))
            .ok_or(RuleProblem::TeamNotInService),
    }
}

/// The answers a field can be routed on: its options for a choice field (`None` for a
/// field answered in the person's own words). Files and addresses are not routed on by
/// value.
pub fn routable_values(field: &Field) -> Option<Option<Vec<String>>> {
    match &field.kind {
        FieldKind::SingleChoice { options } | FieldKind::MultipleChoice { options } => {
            Some(Some(options.clone()))
        }
        FieldKind::Checkbox => Some(Some(vec!["oui".into()])),
        FieldKind::File | FieldKind::PostalAddress => None,
        _ => Some(None),
    }
}

/// « When the answer to `field` is `value` ».
pub fn answer_condition(
    form: Option<&FormDefinition>,
    field: &str,
    value: &str,
) -> Result<RouteCondition, RuleProblem> {
    let form = form.ok_or(RuleProblem::NoPublishedForm)?;
    let field = form
        .fields()
        .find(|f| f.key == field)
        .ok_or(RuleProblem::UnknownField)?;
    let value = value.trim();
    match routable_values(field) {
        None => return Err(RuleProblem::UnknownField),
        Some(Some(options)) if !options.iter().any(|o| o == value) => {
            return Err(RuleProblem::NotAnOption);
        }
        Some(_) if value.is_empty() || chars(value) > 200 => return Err(RuleProblem::EmptyValue),
        Some(_) => {}
    }
    Ok(RouteCondition::Answer {
        field: field.key.clone(),
        equals: value.to_string(),
    })
}

/// « When the address given in `field` lies in `district` ».
pub fn district_condition(
    form: Option<&FormDefinition>,
    field: &str,
    district: &str,
    streets: &[Street],
) -> Result<RouteCondition, RuleProblem> {
    let form = form.ok_or(RuleProblem::NoPublishedForm)?;
    let field = form
        .fields()
        .find(|f| f.key == field)
        .ok_or(RuleProblem::NotAnAddressField)?;
    if !matches!(field.kind, FieldKind::PostalAddress) {
        return Err(RuleProblem::NotAnAddressField);
    }
    if !streets.iter().any(|s| s.district == district) {
        return Err(RuleProblem::UnknownDistrict);
    }
    Ok(RouteCondition::District {
        field: field.key.clone(),
        district: district.to_string(),
    })
}

/// What identifies a rule on the page (its place may have changed meanwhile).
pub fn rule_fingerprint(rule: &RoutingRule) -> String {
    match &rule.condition {
        RouteCondition::Answer { field, equals } => {
            format!(
                "answer|{field}|{equals}|{}{}",
                rule.service_id,
                team_suffix(rule)
            )
        }
        RouteCondition::District { field, district } => {
            format!(
                "district|{field}|{district}|{}{}",
                rule.service_id,
                team_suffix(rule)
            )
        }
    }
}

fn team_suffix(rule: &RoutingRule) -> String {
    rule.team_id
        .as_ref()
        .map(|t| format!("|{t}"))
        .unwrap_or_default()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoutingEdit {
    Add(RoutingRule),
    Up { index: usize, fingerprint: String },
    Down { index: usize, fingerprint: String },
    Remove { index: usize, fingerprint: String },
}

/// The rules after one edit, in order.
pub fn edit_rules(
    rules: &[RoutingRule],
    edit: RoutingEdit,
) -> Result<Vec<RoutingRule>, RuleProblem> {
    let mut next = rules.to_vec();
    let check = |index: usize, fingerprint: &str| match rules.get(index) {
        Some(rule) if rule_fingerprint(rule) == fingerprint => Ok(()),
        _ => Err(RuleProblem::Stale),
    };
    match edit {
        RoutingEdit::Add(rule) => next.push(rule),
        RoutingEdit::Up { index, fingerprint } => {
            check(index, &fingerprint)?;
            if index > 0 {
                next.swap(index - 1, index);
            }
        }
        RoutingEdit::Down { index, fingerprint } => {
            check(index, &fingerprint)?;
            if index + 1 < next.len() {
                next.swap(index, index + 1);
            }
        }
        RoutingEdit::Remove { index, fingerprint } => {
            check(index, &fingerprint)?;
            next.remove(index);
        }
    }
    Ok(next)
}

/// The districts of the commune, from its streets, in alphabetical order.
pub fn districts(streets: &[Street]) -> Vec<String> {
    let mut out: Vec<String> = streets.iter().map(|s| s.district.clone()).collect();
    out.sort();
    out.dedup();
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreetProblem {
    Name,
    District,
    /// The street is already listed (whatever the spelling).
    Duplicate,
}

/// A street to add; a district spelt like an existing one (« centre ») takes its spelling.
pub fn check_street(
    name: &str,
    district: &str,
    streets: &[Street],
) -> Result<Street, Vec<StreetProblem>> {
    let mut problems = Vec::new();
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    let district = district.split_whitespace().collect::<Vec<_>>().join(" ");
    let normalised = normalise_street(&name);
    if normalised.is_empty() || chars(&name) > 120 {
        problems.push(StreetProblem::Name);
    } else if streets
        .iter()
        .any(|s| normalise_street(&s.name) == normalised)
    {
        problems.push(StreetProblem::Duplicate);
    }
    if normalise_street(&district).is_empty() || chars(&district) > 80 {
        problems.push(StreetProblem::District);
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let district = streets
        .iter()
        .find(|s| normalise_street(&s.district) == normalise_street(&district))
        .map(|s| s.district.clone())
        .unwrap_or(district);
    Ok(Street { name, district })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kernel::identity::{RoleGrant, ServiceRef};

    fn person(grants: &[(Role, Option<&str>)]) -> Identity {
        Identity {
            user_id: "u".into(),
            email: "a@b.fr".into(),
            display_name: "A".into(),
            grants: grants
                .iter()
                .map(|(role, service)| RoleGrant {
                    role: *role,
                    service: service.map(|s| ServiceRef {
                        id: s.into(),
                        slug: s.into(),
                        name: s.into(),
                    }),
                })
                .collect(),
            team_ids: Vec::new(),
        }
    }

    #[test]
    fn managers_change_their_services_procedures_only() {
        let manager = person(&[
            (Role::ServiceManager, Some("enfance")),
            (Role::Agent, Some("voirie")),
        ]);
        assert!(may_manage_procedures_of(&manager, "enfance"));
        assert!(
            !may_manage_procedures_of(&manager, "voirie"),
            "an agent's grant is not a manager's"
        );
        let admin = person(&[(Role::Administrator, None)]);
        assert!(may_manage_procedures_of(&admin, "voirie"));
        let agent = person(&[(Role::Agent, Some("enfance"))]);
        assert!(!may_manage_procedures_of(&agent, "enfance"));
    }

    fn input() -> EntryInput {
        EntryInput {
            title: "Demander un badge de déchetterie".into(),
            slug: "badge-decheterie".into(),
            theme: "urbanisme-voirie".into(),
            summary: "Un badge pour accéder à la déchetterie.".into(),
            audiences: vec!["resident".into()],
            documents: "Justificatif de domicile\n\n  Carte grise  \n".into(),
            expected_delay: "10 jours".into(),
            kind: "online".into(),
            regime: "acceptance".into(),
            delay_count: "2".into(),
            delay_unit: "months".into(),
            service: "voirie".into(),
            ..EntryInput::default()
        }
    }

    fn context() -> EntryContext {
        EntryContext {
            is_new: true,
            service_known: true,
            service_allowed: true,
            ..EntryContext::default()
        }
    }

    #[test]
    fn a_good_entry_is_accepted_and_tidied() {
        let entry = check_entry(&input(), &context()).unwrap();
        assert_eq!(entry.documents, ["Justificatif de domicile", "Carte grise"]);
        assert_eq!(entry.delay, Delay::Months(2));
        assert_eq!(entry.regime, Regime::Acceptance);
        assert_eq!(entry.info_url, None);
        assert!(!entry.listed);
    }

    #[test]
    fn every_problem_is_found_next_to_its_field() {
        let bad = EntryInput {
            title: " ".into(),
            slug: "Badge Déchetterie".into(),
            theme: String::new(),
            summary: String::new(),
            audiences: vec!["martians".into()],
            expected_delay: String::new(),
            kind: "information".into(),
            info_url: "http://rdv.example.fr".into(),
            regime: "rejection".into(),
            delay_count: "0".into(),
            listed: true,
            ..input()
        };
        let ctx = EntryContext {
            service_allowed: false,
            ..context()
        };
        let problems = check_entry(&bad, &ctx).unwrap_err();
        for expected in [
            EntryProblem::Title,
            EntryProblem::SlugFormat,
            EntryProblem::Theme,
            EntryProblem::Summary,
            EntryProblem::Audiences,
            EntryProblem::ExpectedDelay,
            EntryProblem::InfoUrlNotHttps,
            EntryProblem::DelayCount,
            EntryProblem::LegalBasisNeeded,
            EntryProblem::ServiceNotManaged,
        ] {
            assert!(problems.contains(&expected), "{expected:?} in {problems:?}");
        }
        // An information procedure may be listed without any form.
        assert!(!problems.contains(&EntryProblem::ListedWithoutForm));
        assert_eq!(EntryProblem::InfoUrlNotHttps.field(), "info_url");
    }

    #[test]
    fn slugs_are_lower_case_unique_and_not_reserved() {
        for (slug, taken, problem) in [
            ("nouvelle", false, Some(EntryProblem::SlugReserved)),
            ("location-salle", true, Some(EntryProblem::SlugTaken)),
            ("a--b", false, Some(EntryProblem::SlugFormat)),
            ("-ab", false, Some(EntryProblem::SlugFormat)),
            ("étoile", false, Some(EntryProblem::SlugFormat)),
            ("carte-2", false, None),
        ] {
            let ctx = EntryContext {
                slug_taken: taken,
                ..context()
            };
            let result = check_entry(
                &EntryInput {
                    slug: slug.into(),
                    ..input()
                },
                &ctx,
            );
            assert_eq!(
                result.err().and_then(|p| p.first().copied()),
                problem,
                "{slug}"
            );
        }
        // The slug of an existing procedure is not checked again: it does not change.
        let ctx = EntryContext {
            is_new: false,
            slug_taken: true,
            ..context()
        };
        assert!(check_entry(&input(), &ctx).is_ok());
    }

    #[test]
    fn an_online_procedure_is_listed_only_with_a_published_form() {
        let listed = EntryInput {
            listed: true,
            ..input()
        };
        assert_eq!(
            check_entry(&listed, &context()).unwrap_err(),
            vec![EntryProblem::ListedWithoutForm]
        );
        let ctx = EntryContext {
            form_published: true,
            ..context()
        };
        assert!(check_entry(&listed, &ctx).unwrap().listed);
    }

    #[test]
    fn an_information_procedure_needs_an_https_address() {
        let info = EntryInput {
            kind: "information".into(),
            ..input()
        };
        assert_eq!(
            check_entry(&info, &context()).unwrap_err(),
            vec![EntryProblem::InfoUrlMissing]
        );
        let info = EntryInput {
            info_url: "https://rendezvous.example.fr/mairie".into(),
            ..info
        };
        assert_eq!(
            check_entry(&info, &context()).unwrap().info_url.as_deref(),
            Some("https://rendezvous.example.fr/mairie")
        );
        for bad in ["javascript:alert(1)", "https://localhost/x", "ftp://a.fr/"] {
            let info = EntryInput {
                info_url: bad.into(),
                ..info.clone()
            };
            assert_eq!(
                check_entry(&info, &context()).unwrap_err(),
                vec![EntryProblem::InfoUrlNotHttps],
                "{bad}"
            );
        }
    }

    #[test]
    fn other_delays_and_rejection_rest_on_a_text() {
        let weeks = EntryInput {
            delay_count: "3".into(),
            delay_unit: "weeks".into(),
            ..input()
        };
        assert_eq!(
            check_entry(&weeks, &context()).unwrap_err(),
            vec![EntryProblem::LegalBasisNeeded]
        );
        let four_months = EntryInput {
            delay_count: "4".into(),
            legal_basis: "Décret n° 2016-677 : avis consultatif".into(),
            ..input()
        };
        assert_eq!(
            check_entry(&four_months, &context()).unwrap().delay,
            Delay::Months(4)
        );
        // No implicit decision: neither a text nor a delay is needed.
        let none = EntryInput {
            regime: "none".into(),
            delay_count: String::new(),
            ..input()
        };
        assert_eq!(
            check_entry(&none, &context()).unwrap().delay,
            Delay::default()
        );
        let too_long = EntryInput {
            delay_count: "400".into(),
            delay_unit: "days".into(),
            legal_basis: "x".into(),
            ..input()
        };
        assert_eq!(
            check_entry(&too_long, &context()).unwrap_err(),
            vec![EntryProblem::DelayCount]
        );
    }

    #[test]
    fn a_new_theme_is_typed_known_ones_are_chosen() {
        let new = EntryInput {
            theme: NEW_THEME.into(),
            theme_new: "  Environnement ".into(),
            ..input()
        };
        assert_eq!(
            check_entry(&new, &context()).unwrap().theme,
            "Environnement"
        );
        let empty = EntryInput {
            theme_new: String::new(),
            ..new
        };
        assert_eq!(
            check_entry(&empty, &context()).unwrap_err(),
            vec![EntryProblem::NewTheme]
        );
        let known = EntryInput {
            theme: "Environnement".into(),
            ..input()
        };
        assert!(check_entry(&known, &context()).is_err());
        let ctx = EntryContext {
            known_themes: vec!["Environnement".into()],
            ..context()
        };
        assert!(check_entry(&known, &ctx).is_ok());
    }

    fn status(key: &str, label: &str, phase: Phase) -> Status {
        Status {
            key: key.into(),
            label: label.into(),
            phase,
        }
    }

    fn transition(from: &str, to: &str, label: &str) -> Transition {
        Transition {
            from: from.into(),
            to: to.into(),
            label: label.into(),
            message: None,
            requests_documents: false,
            decision_document: false,
            assign_to: None,
        }
    }

    #[test]
    fn a_status_is_added_with_its_way_out_never_as_a_dead_end() {
        let counts = BTreeMap::new();
        let workflow = Workflow::default();
        let dead_end = WorkflowEdit::AddStatus {
            status: status("site_visit", "Visite sur place", Phase::Open),
            exit: None,
        };
        assert_eq!(
            apply_edit(&workflow, dead_end, &counts),
            Err(EditRefusal::Problems(vec![WorkflowProblem::DeadEnd(
                "site_visit".into()
            )]))
        );
        let added = apply_edit(
            &workflow,
            WorkflowEdit::AddStatus {
                status: status("site_visit", "Visite sur place", Phase::Open),
                exit: Some(transition("site_visit", "under_review", "Visite faite")),
            },
            &counts,
        )
        .unwrap();
        let reached = apply_edit(
            &added,
            WorkflowEdit::AddTransition(transition("under_review", "site_visit", "Visiter")),
            &counts,
        )
        .unwrap();
        assert!(reached.find_move("under_review", "site_visit").is_some());
        // A final status needs no way out.
        assert!(
            apply_edit(
                &workflow,
                WorkflowEdit::AddStatus {
                    status: status("withdrawn", "Retirée", Phase::Closed),
                    exit: None,
                },
                &counts,
            )
            .is_ok()
        );
        for bad in ["Visite", "1visite", "", "deemed_accepted"] {
            let refused = apply_edit(
                &workflow,
                WorkflowEdit::AddStatus {
                    status: status(bad, "x", Phase::Closed),
                    exit: None,
                },
                &counts,
            );
            assert!(refused.is_err(), "{bad}");
        }
        assert_eq!(
            apply_edit(
                &workflow,
                WorkflowEdit::AddStatus {
                    status: status("accepted", "Encore", Phase::Accepted),
                    exit: None,
                },
                &counts,
            ),
            Err(EditRefusal::Problems(vec![
                WorkflowProblem::DuplicateStatus("accepted".into())
            ]))
        );
    }

    #[test]
    fn a_status_with_requests_in_it_stays() {
        let workflow = Workflow::default();
        let counts = BTreeMap::from([("closed".to_string(), 3)]);
        let remove = WorkflowEdit::RemoveStatus {
            key: "closed".into(),
        };
        assert_eq!(
            apply_edit(&workflow, remove, &counts),
            Err(EditRefusal::InUse {
                status: "closed".into(),
                count: 3
            })
        );
        // Its label may change, not its phase.
        let relabel = WorkflowEdit::EditStatus {
            key: "closed".into(),
            label: "Sans suite".into(),
            phase: Phase::Closed,
        };
        assert_eq!(
            apply_edit(&workflow, relabel, &counts)
                .unwrap()
                .label("closed"),
            "Sans suite"
        );
        let rephase = WorkflowEdit::EditStatus {
            key: "closed".into(),
            label: "Sans suite".into(),
            phase: Phase::Open,
        };
        assert!(matches!(
            apply_edit(&workflow, rephase, &counts),
            Err(EditRefusal::InUse { .. })
        ));
        // With no request in it, it goes, with its moves.
        let removed = apply_edit(
            &workflow,
            WorkflowEdit::RemoveStatus {
                key: "closed".into(),
            },
            &BTreeMap::new(),
        )
        .unwrap();
        assert!(removed.transitions.iter().all(|t| t.to != "closed"));
        // The submitted status never goes.
        assert_eq!(
            apply_edit(
                &workflow,
                WorkflowEdit::RemoveStatus {
                    key: "submitted".into()
                },
                &BTreeMap::new()
            ),
            Err(EditRefusal::Problems(vec![
                WorkflowProblem::NoSubmittedStatus
            ]))
        );
    }

    #[test]
    fn moves_are_edited_where_the_page_showed_them() {
        let workflow = Workflow::default();
        let counts = BTreeMap::new();
        let first = &workflow.transitions[0];
        let was = (first.from.clone(), first.to.clone());
        let mut changed = first.clone();
        changed.label = "Instruire".into();
        changed.assign_to = Some(crate::workflow::Reassign::Unassign);
        let edited = apply_edit(
            &workflow,
            WorkflowEdit::EditTransition {
                index: 0,
                was: was.clone(),
                transition: changed.clone(),
            },
            &counts,
        )
        .unwrap();
        assert_eq!(edited.transitions[0], changed);
        assert_eq!(
            apply_edit(
                &workflow,
                WorkflowEdit::RemoveTransition {
                    index: 1,
                    was: was.clone()
                },
                &counts
            ),
            Err(EditRefusal::NoSuchTransition)
        );
        // « Waiting » has two ways out: one may go, not both (it would be a dead end).
        let waiting: Vec<usize> = workflow
            .transitions
            .iter()
            .enumerate()
            .filter(|(_, t)| t.from == "waiting_for_applicant")
            .map(|(i, _)| i)
            .collect();
        let once = apply_edit(
            &workflow,
            WorkflowEdit::RemoveTransition {
                index: waiting[1],
                was: ("waiting_for_applicant".into(), "closed".into()),
            },
            &counts,
        )
        .unwrap();
        assert_eq!(
            apply_edit(
                &once,
                WorkflowEdit::RemoveTransition {
                    index: waiting[0],
                    was: ("waiting_for_applicant".into(), "under_review".into()),
                },
                &counts
            ),
            Err(EditRefusal::Problems(vec![WorkflowProblem::DeadEnd(
                "waiting_for_applicant".into()
            )]))
        );
        // A move out of a final status, to an unknown one, or without a label: refused.
        for (t, refusal) in [
            (
                transition("accepted", "under_review", "Rouvrir"),
                EditRefusal::Problems(vec![WorkflowProblem::LeavesFinal("accepted".into())]),
            ),
            (
                transition("submitted", "nowhere", "Ailleurs"),
                EditRefusal::Problems(vec![WorkflowProblem::UnknownStatus("nowhere".into())]),
            ),
            (
                transition("submitted", "refused", " "),
                EditRefusal::TransitionLabel,
            ),
        ] {
            assert_eq!(
                apply_edit(&workflow, WorkflowEdit::AddTransition(t), &counts),
                Err(refusal)
            );
        }
    }

    #[test]
    fn the_default_workflow_comes_back_unless_requests_would_be_stranded() {
        let mut custom = Workflow::default();
        custom
            .statuses
            .push(status("site_visit", "Visite", Phase::Open));
        custom
            .transitions
            .push(transition("site_visit", "under_review", "Fait"));
        let counts = BTreeMap::from([("site_visit".to_string(), 2), ("submitted".to_string(), 5)]);
        assert_eq!(
            apply_edit(&custom, WorkflowEdit::Reset, &counts),
            Err(EditRefusal::InUse {
                status: "site_visit".into(),
                count: 2
            })
        );
        let counts = BTreeMap::from([
            ("submitted".to_string(), 5),
            ("deemed_accepted".to_string(), 1),
        ]);
        assert_eq!(
            apply_edit(&custom, WorkflowEdit::Reset, &counts).unwrap(),
            Workflow::default()
        );
    }

    fn form() -> FormDefinition {
        serde_json::from_str(
            r#"{"pages":[{"title":"p","blocks":[
              {"block":"field","key":"objet","label":"Objet","type":"single_choice","options":["Terrasse","Benne"]},
              {"block":"field","key":"adresse","label":"Adresse","type":"postal_address"},
              {"block":"field","key":"precision","label":"Précision","type":"short_text"},
              {"block":"field","key":"piece","label":"Pièce","type":"file"}
            ]}]}"#,
        )
        .unwrap()
    }

    fn streets() -> Vec<Street> {
        vec![
            Street {
                name: "Rue du Stade".into(),
                district: "Les Coteaux".into(),
            },
            Street {
                name: "Place de la Mairie".into(),
                district: "Centre".into(),
            },
        ]
    }

    #[test]
    fn rules_name_a_field_of_the_published_form_and_one_of_its_options() {
        let form = form();
        assert_eq!(
            answer_condition(Some(&form), "objet", "Benne"),
            Ok(RouteCondition::Answer {
                field: "objet".into(),
                equals: "Benne".into()
            })
        );
        assert_eq!(
            answer_condition(Some(&form), "objet", "Échafaudage"),
            Err(RuleProblem::NotAnOption)
        );
        assert_eq!(
            answer_condition(Some(&form), "precision", "urgent"),
            Ok(RouteCondition::Answer {
                field: "precision".into(),
                equals: "urgent".into()
            })
        );
        assert_eq!(
            answer_condition(Some(&form), "precision", " "),
            Err(RuleProblem::EmptyValue)
        );
        assert_eq!(
            answer_condition(Some(&form), "piece", "x"),
            Err(RuleProblem::UnknownField)
        );
        assert_eq!(
            answer_condition(None, "objet", "Benne"),
            Err(RuleProblem::NoPublishedForm)
        );
        let s = streets();
        assert!(district_condition(Some(&form), "adresse", "Centre", &s).is_ok());
        assert_eq!(
            district_condition(Some(&form), "objet", "Centre", &s),
            Err(RuleProblem::NotAnAddressField)
        );
        assert_eq!(
            district_condition(Some(&form), "adresse", "Ailleurs", &s),
            Err(RuleProblem::UnknownDistrict)
        );
    }

    #[test]
    fn rules_move_up_and_down_and_go() {
        let rule = |value: &str| RoutingRule {
            condition: RouteCondition::Answer {
                field: "objet".into(),
                equals: value.into(),
            },
            service_id: "urbanisme".into(),
            team_id: None,
        };
        let rules = vec![rule("a"), rule("b"), rule("c")];
        let fp = |i: usize| rule_fingerprint(&rules[i]);
        let up = edit_rules(
            &rules,
            RoutingEdit::Up {
                index: 2,
                fingerprint: fp(2),
            },
        )
        .unwrap();
        assert_eq!(up, vec![rule("a"), rule("c"), rule("b")]);
        let down = edit_rules(
            &rules,
            RoutingEdit::Down {
                index: 2,
                fingerprint: fp(2),
            },
        )
        .unwrap();
        assert_eq!(down, rules, "the last one stays last");
        let gone = edit_rules(
            &rules,
            RoutingEdit::Remove {
                index: 0,
                fingerprint: fp(0),
            },
        )
        .unwrap();
        assert_eq!(gone, vec![rule("b"), rule("c")]);
        assert_eq!(
            edit_rules(
                &rules,
                RoutingEdit::Remove {
                    index: 1,
                    fingerprint: fp(0)
                }
            ),
            Err(RuleProblem::Stale)
        );
    }

    #[test]
    fn a_rule_targets_only_a_team_of_its_service() {
        let teams = vec![
            ("nord".to_string(), "voirie".to_string()),
            ("accueil".to_string(), "etat-civil".to_string()),
        ];
        assert_eq!(team_of_service(&teams, "voirie", ""), Ok(None));
        assert_eq!(
            team_of_service(&teams, "voirie", "nord"),
            Ok(Some("nord".into()))
        );
        assert_eq!(
            team_of_service(&teams, "voirie", "accueil"),
            Err(RuleProblem::TeamNotInService)
        );
        assert_eq!(
            team_of_service(&teams, "voirie", "inconnue"),
            Err(RuleProblem::TeamNotInService)
        );
        // The same condition to another team is another rule.
        let rule = |team: Option<&str>| RoutingRule {
            condition: RouteCondition::Answer {
                field: "objet".into(),
                equals: "Benne".into(),
            },
            service_id: "voirie".into(),
            team_id: team.map(Into::into),
        };
        assert_ne!(
            rule_fingerprint(&rule(None)),
            rule_fingerprint(&rule(Some("nord")))
        );
    }

    #[test]
    fn streets_are_unique_and_districts_keep_their_spelling() {
        let s = streets();
        assert_eq!(
            check_street("  rue du  stade ", "Centre", &s),
            Err(vec![StreetProblem::Duplicate])
        );
        assert_eq!(
            check_street("Allée des Roses", "  les coteaux ", &s),
            Ok(Street {
                name: "Allée des Roses".into(),
                district: "Les Coteaux".into()
            })
        );
        assert_eq!(
            check_street("", "", &s),
            Err(vec![StreetProblem::Name, StreetProblem::District])
        );
        assert_eq!(districts(&s), ["Centre", "Les Coteaux"]);
    }
}
