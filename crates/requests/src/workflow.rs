//! The statuses a request goes through and the moves agents may make between them. Each
//! procedure carries its own workflow (plain data, stored as JSON, edited by the
//! administrator); the default one follows the usual life of a municipal request.
//!
//! A few statuses belong to the law rather than to a procedure and are the same everywhere:
//! a draft not yet sent, a request deemed accepted or rejected by silence, and one
//! transmitted to the competent authority. Agents never pick those by hand.

use serde::{Deserialize, Serialize};

pub const DRAFT: &str = "draft";
pub const SUBMITTED: &str = "submitted";
pub const DEEMED_ACCEPTED: &str = "deemed_accepted";
pub const DEEMED_REJECTED: &str = "deemed_rejected";
pub const TRANSMITTED: &str = "transmitted";

/// Where a status stands in the life of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// In the commune's hands: the legal delay runs.
    Open,
    /// The applicant was asked for documents: the delay is suspended (rejection) or has
    /// not started (acceptance) until they answer.
    WaitingForApplicant,
    /// An express decision was taken: accepted.
    Accepted,
    /// An express decision was taken: refused.
    Refused,
    /// Closed without a decision on the merits (withdrawn, duplicate, no action needed).
    Closed,
}

impl Phase {
    pub const ALL: [Phase; 5] = [
        Phase::Open,
        Phase::WaitingForApplicant,
        Phase::Accepted,
        Phase::Refused,
        Phase::Closed,
    ];

    /// The name stored in workflows (as serde writes it).
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Open => "open",
            Phase::WaitingForApplicant => "waiting_for_applicant",
            Phase::Accepted => "accepted",
            Phase::Refused => "refused",
            Phase::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Phase> {
        Phase::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn is_final(self) -> bool {
        matches!(self, Phase::Accepted | Phase::Refused | Phase::Closed)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Status {
    /// Stable name (`under_review`), unique in the workflow.
    pub key: String,
    /// What residents and agents read (« En cours d'instruction »).
    pub label: String,
    pub phase: Phase,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Transition {
    pub from: String,
    pub to: String,
    /// The button agents see (« Demander un complément »).
    pub label: String,
    /// A message sent to the applicant with the move; the agent can edit it first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The move asks the applicant for missing documents (L114-5).
    #[serde(default)]
    pub requests_documents: bool,
    /// The move produces a decision document (PDF) for the applicant.
    #[serde(default)]
    pub decision_document: bool,
    /// The move hands the request to another service, or frees it for anyone of its
    /// service to take. Absent from workflows written before re-assignment existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assign_to: Option<Reassign>,
}

/// Who holds a request after a move.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reassign {
    /// Nobody: the request waits in its service's inbox for an agent to take it.
    Unassign,
    /// This service (by id), with nobody holding it there yet.
    Service(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Workflow {
    pub statuses: Vec<Status>,
    pub transitions: Vec<Transition>,
}

/// What is wrong with a workflow an administrator wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkflowProblem {
    NoSubmittedStatus,
    DuplicateStatus(String),
    ReservedStatus(String),
    UnknownStatus(String),
    /// A status no move leads out of, though it is not final.
    DeadEnd(String),
    /// A final status a move leads out of.
    LeavesFinal(String),
    /// Two moves between the same statuses: agents could not tell them apart.
    DuplicateMove {
        from: String,
        to: String,
    },
    /// A refusal must be motivated and tell the appeal routes (CRPA L211-2, L211-5;
    /// CJA R421-5): a move into a refused status always produces the decision document.
    RefusalWithoutDecision {
        from: String,
        to: String,
    },
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

impl Default for Workflow {
    /// submitted → under review → waiting for the applicant → accepted / refused / closed.
    fn default() -> Workflow {
        let mut ask = transition(
            "under_review",
            "waiting_for_applicant",
            "Demander un complément",
        );
        ask.requests_documents = true;
        ask.message = Some(
            "Bonjour {prenom} {nom},\n\nPour instruire votre demande {numero}, nous avons besoin des pièces suivantes :\n\n- \n\nVous pouvez les déposer depuis votre espace.\n\nCordialement,\n{service}".into(),
        );
        let mut accept = transition("under_review", "accepted", "Accepter");
        accept.decision_document = true;
        accept.message = Some(
            "Bonjour {prenom} {nom},\n\nVotre demande {numero} ({demarche}) est acceptée. La décision est disponible dans votre espace.\n\nCordialement,\n{service}".into(),
        );
        let mut refuse = transition("under_review", "refused", "Refuser");
        refuse.decision_document = true;
        refuse.message = Some(
            "Bonjour {prenom} {nom},\n\nNous ne pouvons pas donner une suite favorable à votre demande {numero} ({demarche}), pour les motifs suivants :\n\n- \n\nLa décision motivée, avec les voies de recours, est disponible dans votre espace.\n\nCordialement,\n{service}".into(),
        );
        Workflow {
            statuses: vec![
                status(SUBMITTED, "Déposée", Phase::Open),
                status("under_review", "En cours d'instruction", Phase::Open),
                status(
                    "waiting_for_applicant",
                    "En attente de complément",
                    Phase::WaitingForApplicant,
                ),
                status("accepted", "Acceptée", Phase::Accepted),
                status("refused", "Refusée", Phase::Refused),
                status("closed", "Classée sans suite", Phase::Closed),
            ],
            transitions: vec![
                transition(SUBMITTED, "under_review", "Prendre en instruction"),
                transition(SUBMITTED, "closed", "Classer sans suite"),
                ask,
                accept,
                refuse,
                transition("under_review", "closed", "Classer sans suite"),
                transition(
                    "waiting_for_applicant",
                    "under_review",
                    "Reprendre l'instruction",
                ),
                transition("waiting_for_applicant", "closed", "Classer sans suite"),
            ],
        }
    }
}

/// A status of the law, the same in every workflow.
pub fn legal_status(key: &str) -> Option<Status> {
    match key {
        DRAFT => Some(status(DRAFT, "Brouillon", Phase::Open)),
        DEEMED_ACCEPTED => Some(status(
            DEEMED_ACCEPTED,
            "Acceptée tacitement",
            Phase::Accepted,
        )),
        DEEMED_REJECTED => Some(status(
            DEEMED_REJECTED,
            "Rejetée tacitement",
            Phase::Refused,
        )),
        TRANSMITTED => Some(status(
            TRANSMITTED,
            "Transmise à l'autorité compétente",
            Phase::Closed,
        )),
        _ => None,
    }
}

impl Workflow {
    /// The status of that key, from this workflow or the law's own.
    pub fn status(&self, key: &str) -> Option<Status> {
        self.statuses
            .iter()
            .find(|s| s.key == key)
            .cloned()
            .or_else(|| legal_status(key))
    }

    /// The label shown for a status; the key itself if a later version dropped it.
    pub fn label(&self, key: &str) -> String {
        self.status(key)
            .map(|s| s.label)
            .unwrap_or_else(|| key.to_string())
    }

    pub fn phase(&self, key: &str) -> Phase {
        self.status(key).map(|s| s.phase).unwrap_or(Phase::Open)
    }

    /// The moves an agent may make from this status.
    pub fn moves_from<'a>(&'a self, from: &'a str) -> impl Iterator<Item = &'a Transition> {
        self.transitions.iter().filter(move |t| t.from == from)
    }

    pub fn find_move(&self, from: &str, to: &str) -> Option<&Transition> {
        self.transitions
            .iter()
            .find(|t| t.from == from && t.to == to)
    }

    pub fn problems(&self) -> Vec<WorkflowProblem> {
        let mut problems = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for s in &self.statuses {
            if legal_status(&s.key).is_some() {
                problems.push(WorkflowProblem::ReservedStatus(s.key.clone()));
            } else if !seen.insert(s.key.as_str()) {
                problems.push(WorkflowProblem::DuplicateStatus(s.key.clone()));
            }
        }
        if !seen.contains(SUBMITTED) {
            problems.push(WorkflowProblem::NoSubmittedStatus);
        }
        let mut moves = std::collections::HashSet::new();
        for t in &self.transitions {
            for end in [&t.from, &t.to] {
                if !seen.contains(end.as_str()) {
                    problems.push(WorkflowProblem::UnknownStatus(end.clone()));
                }
            }
            let refuses = self
                .statuses
                .iter()
                .any(|s| s.key == t.to && s.phase == Phase::Refused);
            if refuses && !t.decision_document {
                problems.push(WorkflowProblem::RefusalWithoutDecision {
                    from: t.from.clone(),
                    to: t.to.clone(),
                });
            }
            if !moves.insert((t.from.as_str(), t.to.as_str())) {
                problems.push(WorkflowProblem::DuplicateMove {
                    from: t.from.clone(),
                    to: t.to.clone(),
                });
            }
        }
        for s in &self.statuses {
            let leaves = self.transitions.iter().any(|t| t.from == s.key);
            if s.phase.is_final() && leaves {
                problems.push(WorkflowProblem::LeavesFinal(s.key.clone()));
            }
            if !s.phase.is_final() && !leaves {
                problems.push(WorkflowProblem::DeadEnd(s.key.clone()));
            }
        }
        problems.dedup();
        problems
    }
}

/// The values of a message's placeholders for one request: the applicant's given and
/// family names (the first word of the name, then the rest), its number, the procedure and
/// the service.
pub fn placeholder_values<'a>(
    applicant_name: &'a str,
    number: &'a str,
    procedure: &'a str,
    service: &'a str,
) -> [(&'static str, &'a str); 5] {
    let (given, family) = applicant_name
        .split_once(' ')
        .unwrap_or((applicant_name, ""));
    [
        ("prenom", given),
        ("nom", family),
        ("numero", number),
        ("demarche", procedure),
        ("service", service),
    ]
}

/// The grounds of a refusal, unless the agent sent the move's template as it came: a text
/// that says nothing of the case is no motivation (CRPA L211-5). Whitespace is ignored.
pub fn refusal_grounds<'a>(message: &'a str, filled_template: Option<&str>) -> Option<&'a str> {
    let squash = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    let grounds = message.trim();
    if grounds.is_empty() || filled_template.is_some_and(|t| squash(t) == squash(grounds)) {
        None
    } else {
        Some(grounds)
    }
}

/// Fills the placeholders of a message template (`{numero}`, `{prenom}` ...). Unknown
/// placeholders are left as they are, so an agent sees and fixes them before sending.
pub fn fill_placeholders(template: &str, values: &[(&str, &str)]) -> String {
    let mut text = template.to_string();
    for (name, value) in values {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_sent_as_its_template_has_no_grounds() {
        let template = "Bonjour {prenom} {nom},\n\nVotre demande {numero} est refusée pour les motifs suivants :\n\n- ";
        let values = placeholder_values(
            "Camille Martin",
            "DEM-2026-000001",
            "Salle",
            "Vie associative",
        );
        let filled = fill_placeholders(template, &values);
        assert!(filled.starts_with("Bonjour Camille Martin,"));
        assert_eq!(refusal_grounds(&filled, Some(&filled)), None);
        assert_eq!(
            refusal_grounds(&format!("  {filled}\n"), Some(&filled)),
            None
        );
        assert_eq!(refusal_grounds("   ", None), None);
        let written = format!("{filled}la salle est déjà réservée ce jour-là.");
        assert_eq!(
            refusal_grounds(&written, Some(&filled)),
            Some(written.as_str())
        );
    }

    #[test]
    fn a_refusal_always_produces_its_decision_document() {
        let mut workflow = Workflow::default();
        let refuse = workflow
            .transitions
            .iter_mut()
            .find(|t| t.to == "refused")
            .expect("a refusal move");
        refuse.decision_document = false;
        assert_eq!(
            workflow.problems(),
            [WorkflowProblem::RefusalWithoutDecision {
                from: "under_review".into(),
                to: "refused".into(),
            }]
        );
    }

    #[test]
    fn the_default_workflow_is_sound() {
        let workflow = Workflow::default();
        assert!(workflow.problems().is_empty(), "{:?}", workflow.problems());
        let from_review: Vec<_> = workflow.moves_from("under_review").map(|t| &t.to).collect();
        assert_eq!(
            from_review,
            ["waiting_for_applicant", "accepted", "refused", "closed"]
        );
        assert!(workflow.find_move(SUBMITTED, "accepted").is_none());
        assert_eq!(
            workflow.phase("waiting_for_applicant"),
            Phase::WaitingForApplicant
        );
        assert_eq!(workflow.label(DEEMED_ACCEPTED), "Acceptée tacitement");
        assert!(workflow.phase(DEEMED_REJECTED).is_final());
    }

    #[test]
    fn a_broken_workflow_is_explained() {
        let mut workflow = Workflow::default();
        workflow
            .statuses
            .push(status("accepted", "Doublon", Phase::Open));
        workflow
            .statuses
            .push(status(DEEMED_ACCEPTED, "x", Phase::Accepted));
        workflow
            .statuses
            .push(status("limbo", "Nulle part", Phase::Open));
        workflow
            .transitions
            .push(transition("accepted", "nowhere", "?"));
        workflow
            .transitions
            .push(transition(SUBMITTED, "under_review", "Encore"));
        let problems = workflow.problems();
        assert!(problems.contains(&WorkflowProblem::DuplicateMove {
            from: SUBMITTED.into(),
            to: "under_review".into()
        }));
        assert!(problems.contains(&WorkflowProblem::DuplicateStatus("accepted".into())));
        assert!(problems.contains(&WorkflowProblem::ReservedStatus(DEEMED_ACCEPTED.into())));
        assert!(problems.contains(&WorkflowProblem::UnknownStatus("nowhere".into())));
        assert!(problems.contains(&WorkflowProblem::DeadEnd("limbo".into())));
        assert!(problems.contains(&WorkflowProblem::LeavesFinal("accepted".into())));
        let empty = Workflow {
            statuses: vec![],
            transitions: vec![],
        };
        assert_eq!(empty.problems(), vec![WorkflowProblem::NoSubmittedStatus]);
    }

    #[test]
    fn placeholders_are_filled_and_unknown_ones_kept() {
        let text = fill_placeholders(
            "Bonjour {prenom}, votre demande {numero} {inconnu}",
            &[("prenom", "Camille"), ("numero", "DEM-2026-000001")],
        );
        assert_eq!(
            text,
            "Bonjour Camille, votre demande DEM-2026-000001 {inconnu}"
        );
    }

    #[test]
    fn a_workflow_round_trips_through_json() {
        let mut workflow = Workflow::default();
        workflow.transitions[0].assign_to = Some(Reassign::Service("urbanisme".into()));
        workflow.transitions[1].assign_to = Some(Reassign::Unassign);
        let json = serde_json::to_string(&workflow).unwrap();
        assert_eq!(serde_json::from_str::<Workflow>(&json).unwrap(), workflow);
    }

    #[test]
    fn phases_are_named_as_stored() {
        for phase in Phase::ALL {
            let json = serde_json::to_string(&phase).unwrap();
            assert_eq!(json, format!("\"{}\"", phase.as_str()));
            assert_eq!(Phase::parse(phase.as_str()), Some(phase));
        }
    }

    #[test]
    fn workflows_stored_before_reassignment_still_load() {
        let json = r#"{"statuses":[{"key":"submitted","label":"Déposée","phase":"open"},
            {"key":"closed","label":"Close","phase":"closed"}],
            "transitions":[{"from":"submitted","to":"closed","label":"Classer"}]}"#;
        let workflow: Workflow = serde_json::from_str(json).unwrap();
        assert_eq!(workflow.transitions[0].assign_to, None);
        assert!(workflow.problems().is_empty());
    }
}
