//! Plain types of problem reports: categories and their extra questions, districts,
//! routing rules, reports, their history and their photos.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// A point in WGS84, in degrees. Stored as integer micro-degrees (about 11 cm), so both
/// databases index and compare it the same way.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub lat: f64,
    pub lon: f64,
}

impl Point {
    pub fn new(lat: f64, lon: f64) -> Option<Point> {
        let valid = lat.is_finite()
            && lon.is_finite()
            && (-90.0..=90.0).contains(&lat)
            && (-180.0..=180.0).contains(&lon);
        valid.then_some(Point { lat, lon })
    }

    pub fn to_micro(self) -> (i64, i64) {
        (
            (self.lat * 1_000_000.0).round() as i64,
            (self.lon * 1_000_000.0).round() as i64,
        )
    }

    pub fn from_micro(lat: i64, lon: i64) -> Point {
        Point {
            lat: lat as f64 / 1_000_000.0,
            lon: lon as f64 / 1_000_000.0,
        }
    }

    /// The point rounded to about 100 m, as the public map shows it: close enough to find
    /// the pothole, not enough to point at a doorstep.
    pub fn approximate(self) -> Point {
        Point {
            lat: (self.lat * 1000.0).round() / 1000.0,
            lon: (self.lon * 1000.0).round() / 1000.0,
        }
    }
}

/// Where a report stands, in words residents understand. Open311 folds them into
/// open / closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    New,
    Acknowledged,
    InProgress,
    Resolved,
    /// Not the commune's competence, or not a problem; always with a reason.
    Rejected,
    /// Merged into another report.
    Duplicate,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::New,
        Status::Acknowledged,
        Status::InProgress,
        Status::Resolved,
        Status::Rejected,
        Status::Duplicate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Acknowledged => "acknowledged",
            Status::InProgress => "in_progress",
            Status::Resolved => "resolved",
            Status::Rejected => "rejected",
            Status::Duplicate => "duplicate",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }

    pub fn is_open(self) -> bool {
        matches!(
            self,
            Status::New | Status::Acknowledged | Status::InProgress
        )
    }

    /// Open311's two states.
    pub fn open311(self) -> &'static str {
        if self.is_open() { "open" } else { "closed" }
    }

    /// Translation key of the status's name.
    pub fn label_key(self) -> &'static str {
        match self {
            Status::New => "report-status-new",
            Status::Acknowledged => "report-status-acknowledged",
            Status::InProgress => "report-status-in-progress",
            Status::Resolved => "report-status-resolved",
            Status::Rejected => "report-status-rejected",
            Status::Duplicate => "report-status-duplicate",
        }
    }
}

/// The type of an extra question, as Open311 names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AttributeType {
    String,
    Number,
    Datetime,
    Text,
    Singlevaluelist,
    Multivaluelist,
}

impl AttributeType {
    pub fn as_str(self) -> &'static str {
        match self {
            AttributeType::String => "string",
            AttributeType::Number => "number",
            AttributeType::Datetime => "datetime",
            AttributeType::Text => "text",
            AttributeType::Singlevaluelist => "singlevaluelist",
            AttributeType::Multivaluelist => "multivaluelist",
        }
    }
    pub fn is_list(self) -> bool {
        matches!(
            self,
            AttributeType::Singlevaluelist | AttributeType::Multivaluelist
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeValue {
    pub key: String,
    pub name: String,
}

/// An extra question of a category (Open311 « attribute »).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attribute {
    /// Stable code, used in forms and in Open311 (`attribute[code]`).
    pub code: String,
    /// The question as residents read it.
    pub description: String,
    pub datatype: AttributeType,
    pub required: bool,
    /// False for an information text shown with the questions (Open311 `variable`).
    #[serde(default = "yes")]
    pub variable: bool,
    /// A hint on the expected answer (Open311 `datatype_description`).
    #[serde(default)]
    pub datatype_description: String,
    #[serde(default)]
    pub values: Vec<AttributeValue>,
}

fn yes() -> bool {
    true
}

/// A category of report, offered to residents and as an Open311 service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Category {
    pub id: String,
    /// Stable code: the Open311 `service_code`, and the form value.
    pub code: String,
    pub name: String,
    pub description: String,
    /// Name of the icon in the built-in set (`voirie`, `eclairage` ...).
    pub icon: String,
    /// A sub-category belongs to a top-level category.
    pub parent_id: Option<String>,
    /// Search words (Open311 `keywords`).
    pub keywords: String,
    /// Shown before sending ("en cas de danger immédiat, appelez le 17").
    pub notice: String,
    /// Private categories never appear on the public map nor in Open311 lists.
    pub private: bool,
    /// Radius in metres within which open reports of this category are offered as
    /// possible duplicates.
    pub duplicate_radius_m: i64,
    pub attributes: Vec<Attribute>,
    pub position: i64,
    pub active: bool,
}

/// A district of the commune, as one or more polygons (GeoJSON geometry).
#[derive(Debug, Clone, PartialEq)]
pub struct District {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub area: geo::MultiPolygon<f64>,
}

/// Category × area → who handles it. `None` matches any category or any district; the
/// first rule that holds wins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutingRule {
    pub id: String,
    pub category_id: Option<String>,
    pub district_id: Option<String>,
    pub service_id: String,
    pub team_id: Option<String>,
    /// An external body that handles it instead (the intercommunality for waste...),
    /// named to the author.
    pub agency: String,
    pub position: i64,
}

/// Where a channel filed a report from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Web,
    Open311,
    Counter,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Web => "web",
            Source::Open311 => "open311",
            Source::Counter => "counter",
        }
    }
    pub fn parse(s: &str) -> Source {
        match s {
            "open311" => Source::Open311,
            "counter" => Source::Counter,
            _ => Source::Web,
        }
    }
}

/// One report as stored. The author is only an account id, or an e-mail the author chose
/// to give to be told of progress; an anonymous report holds neither.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub id: String,
    /// Short reference read out on the phone (« S-2026-00042 »).
    pub reference: String,
    pub category_id: String,
    pub status: Status,
    pub point: Point,
    pub address: String,
    pub district_id: Option<String>,
    pub description: String,
    /// Answers to the category's extra questions, by attribute code.
    pub answers: serde_json::Map<String, serde_json::Value>,
    pub service_id: Option<String>,
    pub team_id: Option<String>,
    pub agency: String,
    pub author_user_id: Option<String>,
    pub author_email: Option<String>,
    pub source: Source,
    pub api_client_id: Option<String>,
    /// Public text hidden by a moderator (the agent still sees it).
    pub description_hidden: bool,
    pub planned_on: Option<Date>,
    /// Why it was rejected, or the note of the last status change.
    pub status_note: String,
    pub merged_into: Option<String>,
    pub me_too_count: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub acknowledged_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
}

/// What an entry of a report's history records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UpdateKind {
    Filed,
    Status,
    Message,
    Note,
    Recategorised,
    Rerouted,
    Merged,
    Planned,
    Moderated,
    MeToo,
}

impl UpdateKind {
    pub fn as_str(self) -> &'static str {
        match self {
            UpdateKind::Filed => "filed",
            UpdateKind::Status => "status",
            UpdateKind::Message => "message",
            UpdateKind::Note => "note",
            UpdateKind::Recategorised => "recategorised",
            UpdateKind::Rerouted => "rerouted",
            UpdateKind::Merged => "merged",
            UpdateKind::Planned => "planned",
            UpdateKind::Moderated => "moderated",
            UpdateKind::MeToo => "me_too",
        }
    }
    pub fn parse(s: &str) -> UpdateKind {
        match s {
            "filed" => UpdateKind::Filed,
            "status" => UpdateKind::Status,
            "message" => UpdateKind::Message,
            "recategorised" => UpdateKind::Recategorised,
            "rerouted" => UpdateKind::Rerouted,
            "merged" => UpdateKind::Merged,
            "planned" => UpdateKind::Planned,
            "moderated" => UpdateKind::Moderated,
            "me_too" => UpdateKind::MeToo,
            _ => UpdateKind::Note,
        }
    }
}

/// One entry of a report's history. Public entries are shown to the author and on the
/// tracking page; internal notes only to agents.
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    pub id: String,
    pub report_id: String,
    pub kind: UpdateKind,
    pub status: Option<Status>,
    /// The public message (empty when none).
    pub message: String,
    pub public: bool,
    /// Hidden by a moderator from the public.
    pub hidden: bool,
    pub agent_id: Option<String>,
    pub agent_name: String,
    pub created_at: Timestamp,
}

/// A photo, already re-encoded and stripped of metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct Photo {
    pub id: String,
    pub report_id: String,
    /// Set for a photo of the fix attached to a status change.
    pub update_id: Option<String>,
    /// The kernel's stored file (encrypted at rest).
    pub file_id: String,
    pub width: i64,
    pub height: i64,
    pub hidden: bool,
    pub created_at: Timestamp,
}
