//! Plain types of procedures and requests.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// What silence means when the delay runs out with no express decision (CRPA L231-1,
/// L231-4 and the decrees listing exceptions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
