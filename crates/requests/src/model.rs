//! Plain types of procedures and requests.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// What silence means when the delay runs out with no express decision (CRPA L231-1,
/// L231-4 and the decrees listing exceptions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Regime {
    /// Silence vaut acceptation: the request is deemed accepted.
    Acceptance,
    /// Silence vaut rejet: the request is deemed rejected.
    Rejection,
    /// No implicit decision (information requests, messages to the mayor's office...).
    None,
}

/// The delay after which silence is a decision; two months unless a text says otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "unit", content = "count", rename_all = "snake_case")]
pub enum Delay {
    Months(u8),
    Weeks(u8),
    Days(u16),
}

impl Default for Delay {
    fn default() -> Self {
        Delay::Months(2)
    }
}

/// A request for missing documents (L114-5): when it was sent and, once they arrived,
/// when the documents were received.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Completion {
    pub requested_on: Date,
    pub answered_on: Option<Date>,
}

/// What the deadline of one request depends on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineFacts {
    pub regime: Regime,
    pub delay: Delay,
    /// Receipt by the first authority that received the request (the day a letter or a
    /// visit was received, entered by the agent, or the online filing date).
    pub received_on: Date,
    /// Receipt by the competent authority, when the request was first sent elsewhere and
    /// forwarded (L114-2). `None` when the commune was competent from the start.
    pub competent_received_on: Option<Date>,
    /// The file was incomplete when received; the documents asked for in the
    /// acknowledgement arrived on this date (`Some(None)`: still awaited).
    pub incomplete_at_receipt: Option<Option<Date>>,
    /// Later requests for missing documents.
    pub completions: Vec<Completion>,
}

/// The implicit decision the law attaches to the request's silence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum DeemedDecision {
    /// Silence means nothing for this procedure.
    NotApplicable,
    /// The delay does not run: documents are awaited from the applicant.
    Suspended,
    /// With no express decision by the end of this day, the request is deemed accepted.
    AcceptedOn { on: Date },
    /// With no express decision by the end of this day, the request is deemed rejected.
    RejectedOn { on: Date },
}

impl Regime {
    pub fn as_str(self) -> &'static str {
        match self {
            Regime::Acceptance => "acceptance",
            Regime::Rejection => "rejection",
            Regime::None => "none",
        }
    }

    pub fn parse(s: &str) -> Option<Regime> {
        [Regime::Acceptance, Regime::Rejection, Regime::None]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

impl Delay {
    /// The unit and count as stored.
    pub fn parts(self) -> (&'static str, i64) {
        match self {
            Delay::Months(n) => ("months", i64::from(n)),
            Delay::Weeks(n) => ("weeks", i64::from(n)),
            Delay::Days(n) => ("days", i64::from(n)),
        }
    }

    pub fn from_parts(unit: &str, count: i64) -> Option<Delay> {
        match unit {
            "months" => u8::try_from(count).ok().map(Delay::Months),
            "weeks" => u8::try_from(count).ok().map(Delay::Weeks),
            "days" => u16::try_from(count).ok().map(Delay::Days),
            _ => None,
        }
    }

    /// « 2 mois », « 15 jours ».
    pub fn french(self) -> String {
        match self {
            Delay::Months(n) => format!("{n} mois"),
            Delay::Weeks(1) => "1 semaine".into(),
            Delay::Weeks(n) => format!("{n} semaines"),
            Delay::Days(1) => "1 jour".into(),
            Delay::Days(n) => format!("{n} jours"),
        }
    }
}

impl DeemedDecision {
    /// The kind and date as stored, so that the inbox can sort and the job can find them.
    pub fn parts(self) -> (&'static str, Option<Date>) {
        match self {
            DeemedDecision::NotApplicable => ("none", None),
            DeemedDecision::Suspended => ("suspended", None),
            DeemedDecision::AcceptedOn { on } => ("accepted", Some(on)),
            DeemedDecision::RejectedOn { on } => ("rejected", Some(on)),
        }
    }

    pub fn from_parts(kind: &str, on: Option<Date>) -> DeemedDecision {
        match (kind, on) {
            ("accepted", Some(on)) => DeemedDecision::AcceptedOn { on },
            ("rejected", Some(on)) => DeemedDecision::RejectedOn { on },
            ("suspended", _) => DeemedDecision::Suspended,
            _ => DeemedDecision::NotApplicable,
        }
    }

    pub fn date(self) -> Option<Date> {
        self.parts().1
    }
}

/// How a request reached the commune.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Online,
    Counter,
    Phone,
    Letter,
    Email,
}

impl Channel {
    pub const ALL: [Channel; 5] = [
        Channel::Online,
        Channel::Counter,
        Channel::Phone,
        Channel::Letter,
        Channel::Email,
    ];
    /// Channels an agent records a request from.
    pub const RECORDED: [Channel; 4] = [
        Channel::Counter,
        Channel::Phone,
        Channel::Letter,
        Channel::Email,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Online => "online",
            Channel::Counter => "counter",
            Channel::Phone => "phone",
            Channel::Letter => "letter",
            Channel::Email => "email",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn label_key(self) -> String {
        format!("channel-{}", self.as_str())
    }
}

/// Whether a procedure is filed online or only tells residents where to go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProcedureKind {
    Online,
    Information,
}

impl ProcedureKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProcedureKind::Online => "online",
            ProcedureKind::Information => "information",
        }
    }
    pub fn parse(s: &str) -> Option<ProcedureKind> {
        match s {
            "online" => Some(ProcedureKind::Online),
            "information" => Some(ProcedureKind::Information),
            _ => None,
        }
    }
}

/// The catalogue's themes, in the order they are shown.
pub const THEMES: [&str; 7] = [
    "etat-civil",
    "citoyennete",
    "enfance",
    "urbanisme-voirie",
    "vie-associative",
    "social",
    "mairie",
];

/// Who may file a procedure.
pub const AUDIENCES: [&str; 3] = ["resident", "association", "business"];

/// A procedure of the catalogue, with its legal regime.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Procedure {
    pub id: String,
    pub slug: String,
    pub title: String,
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
    pub workflow: crate::workflow::Workflow,
    pub listed: bool,
}

/// A version of a procedure's form.
#[derive(Debug, Clone, PartialEq)]
pub struct FormVersion {
    pub id: String,
    pub procedure_id: String,
    pub version: i64,
    pub definition: crate::forms::FormDefinition,
    /// draft, published or retired.
    pub state: String,
    pub published_at: Option<jiff::Timestamp>,
}

/// A request, from draft to decision.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub id: String,
    pub number: Option<String>,
    pub procedure_id: String,
    pub form_version_id: String,
    pub service_id: String,
    /// A team of that service, when routing or an agent chose one.
    pub team_id: Option<String>,
    pub assignee_id: Option<String>,
    pub status: String,
    pub channel: Channel,
    pub applicant_id: Option<String>,
    pub applicant_name: String,
    pub applicant_email: Option<String>,
    pub applicant_phone: Option<String>,
    pub applicant_address: Option<String>,
    pub answers: crate::forms::Answers,
    pub current_page: i64,
    pub regime: Regime,
    pub delay: Delay,
    pub received_on: Option<Date>,
    pub competent_received_on: Option<Date>,
    pub incomplete_at_receipt: bool,
    pub complete_on: Option<Date>,
    pub deemed: DeemedDecision,
    pub submitted_at: Option<jiff::Timestamp>,
    pub decided_at: Option<jiff::Timestamp>,
    pub created_at: jiff::Timestamp,
    pub updated_at: jiff::Timestamp,
}

impl Request {
    /// What the deadline depends on, with the completion requests made so far.
    pub fn deadline_facts(&self, completions: &[Completion]) -> Option<DeadlineFacts> {
        Some(DeadlineFacts {
            regime: self.regime,
            delay: self.delay,
            received_on: self.received_on?,
            competent_received_on: self.competent_received_on,
            incomplete_at_receipt: self.incomplete_at_receipt.then_some(self.complete_on),
            completions: completions.to_vec(),
        })
    }
}
