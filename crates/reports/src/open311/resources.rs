//! The Open311 resources built from reports and categories: what is public and nothing
//! more. Never the author; no hidden text or photo; no private category. Pure.

use std::collections::HashMap;

use super::doc::Value;
use super::params::{format_instant, postcode_in};
use crate::model::{AttributeType, Category, Report, Update, UpdateKind};

pub const SPECIFICATION: &str = "http://wiki.open311.org/GeoReport_v2";
/// When this description of the endpoint last changed (the discovery's `changeset`).
pub const CHANGESET: &str = "2026-11-01T00:00:00+01:00";

/// The categories a client may see and use: active, not private, and under a parent that
/// is itself active and public (a sub-category of a private category stays private).
pub fn public_categories(all: &[Category]) -> Vec<&Category> {
    let usable = |c: &Category| c.active && !c.private;
    all.iter()
        .filter(|c| usable(c))
        .filter(|c| match &c.parent_id {
            None => true,
            Some(parent) => all.iter().any(|p| &p.id == parent && usable(p)),
        })
        .collect()
}

/// Reports of these categories may be read; others are as if they did not exist. A
/// category retired from the list (inactive) still shows its past reports.
pub fn readable_categories(all: &[Category]) -> Vec<&Category> {
    all.iter()
        .filter(|c| !c.private)
        .filter(|c| match &c.parent_id {
            None => true,
            Some(parent) => all.iter().any(|p| &p.id == parent && !p.private),
        })
        .collect()
}

fn group_of<'a>(category: &'a Category, all: &'a [Category]) -> &'a str {
    category
        .parent_id
        .as_deref()
        .and_then(|parent| all.iter().find(|p| p.id == parent))
        .map(|p| p.name.as_str())
        .unwrap_or(&category.name)
}

/// One entry of the service list.
pub fn service(category: &Category, all: &[Category]) -> Value {
    Value::Object(vec![
        ("service_code", Value::text(&category.code)),
        ("service_name", Value::text(&category.name)),
        ("description", Value::text_or_null(&category.description)),
        (
            "metadata",
            Value::Bool(category.attributes.iter().any(|a| a.variable)),
        ),
        ("type", Value::text("realtime")),
        ("keywords", Value::text_or_null(&category.keywords)),
        ("group", Value::text(group_of(category, all))),
    ])
}

/// A service definition: the category's extra questions, in order.
pub fn definition(category: &Category) -> Value {
    let attributes = category
        .attributes
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let mut fields = vec![
                ("variable", Value::Bool(a.variable)),
                ("code", Value::text(&a.code)),
                ("datatype", Value::text(a.datatype.as_str())),
                ("required", Value::Bool(a.required)),
                (
                    "datatype_description",
                    Value::text_or_null(&a.datatype_description),
                ),
                ("order", Value::Int(i as i64 + 1)),
                ("description", Value::text(&a.description)),
            ];
            if matches!(
                a.datatype,
                AttributeType::Singlevaluelist | AttributeType::Multivaluelist
            ) {
                fields.push((
                    "values",
                    Value::List(
                        "value",
                        a.values
                            .iter()
                            .map(|v| {
                                Value::Object(vec![
                                    ("key", Value::text(&v.key)),
                                    ("name", Value::text(&v.name)),
                                ])
                            })
                            .collect(),
                    ),
                ));
            }
            Value::Object(fields)
        })
        .collect();
    Value::Object(vec![
        ("service_code", Value::text(&category.code)),
        ("attributes", Value::List("attribute", attributes)),
    ])
}

/// What a request's public view needs besides the report itself.
pub struct Context<'a> {
    pub category: &'a Category,
    /// The agency, or the name of the service that handles it.
    pub agency: String,
    /// The absolute URL of the first photo the public may see.
    pub media_url: Option<String>,
    /// The report's public history, oldest first (hidden entries already left out).
    pub history: &'a [Update],
    /// Whether the last status message was hidden by a moderator.
    pub status_note_hidden: bool,
    /// Add the public history as `notes` (`extensions=true`).
    pub with_notes: bool,
}

/// The entries of a report's history the public sees: public, not hidden, and about the
/// report's progress (never an internal note nor a moderation).
pub fn public_history(updates: &[Update]) -> Vec<Update> {
    updates
        .iter()
        .filter(|u| u.public && !u.hidden)
        .filter(|u| !matches!(u.kind, UpdateKind::Note | UpdateKind::Moderated))
        .cloned()
        .collect()
}

/// Whether the message of the report's last status change was hidden by a moderator.
pub fn last_status_hidden(updates: &[Update]) -> bool {
    updates
        .iter()
        .rfind(|u| u.kind == UpdateKind::Status)
        .is_some_and(|u| u.hidden)
}

/// One `request`, as the lists and the single lookup serve it. The place is the one the
/// public map shows, rounded to about 100 m.
pub fn request(
    report: &Report,
    cx: &Context<'_>,
    status_label: &dyn Fn(&Update) -> String,
) -> Value {
    let place = report.point.approximate();
    let description = if report.description_hidden {
        Value::Null
    } else {
        Value::text_or_null(&report.description)
    };
    let status_notes = if cx.status_note_hidden {
        Value::Null
    } else {
        Value::text_or_null(&report.status_note)
    };
    let mut fields = vec![
        ("service_request_id", Value::text(&report.id)),
        ("status", Value::text(report.status.open311())),
        ("status_notes", status_notes),
        ("service_name", Value::text(&cx.category.name)),
        ("service_code", Value::text(&cx.category.code)),
        ("description", description),
        ("agency_responsible", Value::text_or_null(&cx.agency)),
        ("service_notice", Value::text_or_null(&cx.category.notice)),
        (
            "requested_datetime",
            Value::text(format_instant(report.created_at)),
        ),
        (
            "updated_datetime",
            Value::text(format_instant(report.updated_at)),
        ),
        (
            "expected_datetime",
            report
                .planned_on
                .and_then(|day| day.to_zoned(kernel::clock::paris()).ok())
                .map(|z| Value::text(format_instant(z.timestamp())))
                .unwrap_or(Value::Null),
        ),
        (
            "address",
            Value::text_or_null(&crate::rules::public_address(&report.address)),
        ),
        ("address_id", Value::Null),
        (
            "zipcode",
            postcode_in(&report.address)
                .map(Value::Text)
                .unwrap_or(Value::Null),
        ),
        ("lat", Value::Float(place.lat)),
        ("long", Value::Float(place.lon)),
        (
            "media_url",
            cx.media_url.clone().map(Value::Text).unwrap_or(Value::Null),
        ),
    ];
    if cx.with_notes {
        let notes = cx
            .history
            .iter()
            .map(|u| {
                let description = if u.message.trim().is_empty() {
                    status_label(u)
                } else {
                    u.message.clone()
                };
                Value::Object(vec![
                    ("datetime", Value::text(format_instant(u.created_at))),
                    ("description", Value::text(description)),
                    ("type", Value::text(u.kind.as_str())),
                ])
            })
            .collect();
        fields.push(("notes", Value::List("note", notes)));
    }
    Value::Object(fields)
}

/// The agency named on a report, or else the name of the service handling it.
pub fn agency_of(report: &Report, service_names: &HashMap<String, String>) -> String {
    if !report.agency.trim().is_empty() {
        return report.agency.clone();
    }
    report
        .service_id
        .as_ref()
        .and_then(|s| service_names.get(s))
        .cloned()
        .unwrap_or_default()
}

/// One error of the specification's error list.
pub fn error(code: u16, description: &str) -> Value {
    Value::Object(vec![
        ("code", Value::Int(i64::from(code))),
        ("description", Value::text(description)),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Attribute, AttributeValue, Point, Source, Status};
    use jiff::Timestamp;

    fn category(id: &str, parent: Option<&str>, private: bool, active: bool) -> Category {
        Category {
            id: id.into(),
            code: format!("code-{id}"),
            name: format!("Nom {id}"),
            description: String::new(),
            icon: "autre".into(),
            parent_id: parent.map(str::to_string),
            keywords: String::new(),
            notice: String::new(),
            private,
            duplicate_radius_m: 50,
            attributes: vec![],
            position: 0,
            active,
        }
    }

    fn report() -> Report {
        let at: Timestamp = "2026-11-20T10:00:00Z".parse().unwrap();
        Report {
            id: "r1".into(),
            reference: "S-2026-00001".into(),
            category_id: "voirie".into(),
            status: Status::InProgress,
            point: Point::new(45.764_123, 4.835_789).unwrap(),
            address: "12 rue Pasteur, 69100 Démo".into(),
            district_id: None,
            description: "Un trou".into(),
            answers: serde_json::Map::new(),
            service_id: Some("svc".into()),
            team_id: None,
            agency: String::new(),
            author_user_id: Some("user-1".into()),
            author_email: Some("camille@example.fr".into()),
            source: Source::Web,
            api_client_id: None,
            description_hidden: false,
            planned_on: Some("2026-11-25".parse().unwrap()),
            status_note: "Équipe prévenue".into(),
            merged_into: None,
            me_too_count: 0,
            created_at: at,
            updated_at: at,
            acknowledged_at: None,
            closed_at: None,
        }
    }

    fn update(kind: UpdateKind, message: &str, public: bool, hidden: bool) -> Update {
        Update {
            id: format!("u-{message}"),
            report_id: "r1".into(),
            kind,
            status: Some(Status::InProgress),
            message: message.into(),
            public,
            hidden,
            agent_id: Some("agent".into()),
            agent_name: "Luc Moreau".into(),
            created_at: "2026-11-21T10:00:00Z".parse().unwrap(),
        }
    }

    #[test]
    fn only_active_public_categories_under_public_parents_are_services() {
        let all = vec![
            category("voirie", None, false, true),
            category("trou", Some("voirie"), false, true),
            category("bruit", None, true, true),
            category("nuit", Some("bruit"), false, true),
            category("ancien", None, false, false),
        ];
        let ids: Vec<&str> = public_categories(&all)
            .iter()
            .map(|c| c.id.as_str())
            .collect();
        assert_eq!(ids, vec!["voirie", "trou"]);
        let readable: Vec<&str> = readable_categories(&all)
            .iter()
            .map(|c| c.id.as_str())
            .collect();
        assert_eq!(readable, vec!["voirie", "trou", "ancien"]);
    }

    #[test]
    fn a_sub_category_is_grouped_under_its_parent() {
        let all = vec![
            category("voirie", None, false, true),
            category("trou", Some("voirie"), false, true),
        ];
        let json = service(&all[1], &all).to_json();
        assert_eq!(json["group"], "Nom voirie");
        assert_eq!(json["service_code"], "code-trou");
        assert_eq!(json["type"], "realtime");
        assert_eq!(json["metadata"], false);
        assert_eq!(service(&all[0], &all).to_json()["group"], "Nom voirie");
    }

    #[test]
    fn a_definition_lists_attributes_in_order_with_values_for_lists() {
        let mut c = category("trou", None, false, true);
        c.attributes = vec![
            Attribute {
                code: "info".into(),
                description: "À lire".into(),
                datatype: AttributeType::Text,
                required: false,
                variable: false,
                datatype_description: String::new(),
                values: vec![],
            },
            Attribute {
                code: "danger".into(),
                description: "Danger ?".into(),
                datatype: AttributeType::Singlevaluelist,
                required: true,
                variable: true,
                datatype_description: "Oui ou non".into(),
                values: vec![AttributeValue {
                    key: "oui".into(),
                    name: "Oui".into(),
                }],
            },
        ];
        let json = definition(&c).to_json();
        let attributes = json["attributes"].as_array().unwrap();
        assert_eq!(attributes[0]["order"], 1);
        assert_eq!(attributes[0]["variable"], false);
        assert!(attributes[0]["datatype_description"].is_null());
        assert!(attributes[0].get("values").is_none());
        assert_eq!(attributes[1]["order"], 2);
        assert_eq!(attributes[1]["values"][0]["key"], "oui");
        assert_eq!(attributes[1]["datatype_description"], "Oui ou non");
        assert_eq!(
            service(&c, std::slice::from_ref(&c)).to_json()["metadata"],
            true
        );
    }

    #[test]
    fn a_request_never_shows_the_author_nor_hidden_text() {
        let c = category("voirie", None, false, true);
        let mut r = report();
        let history = public_history(&[
            update(UpdateKind::Status, "En route", true, false),
            update(UpdateKind::Note, "Note interne", false, false),
            update(UpdateKind::Message, "Insulte", true, true),
        ]);
        let cx = Context {
            category: &c,
            agency: "Voirie".into(),
            media_url: Some("https://ville.fr/signalements/photos/p1".into()),
            history: &history,
            status_note_hidden: false,
            with_notes: true,
        };
        let label = |_: &Update| "Statut".to_string();
        let json = request(&r, &cx, &label).to_json();
        let text = json.to_string();
        assert!(!text.contains("camille@example.fr"));
        assert!(!text.contains("user-1"));
        assert!(!text.contains("Luc Moreau"));
        assert!(!text.contains("Note interne"));
        assert!(!text.contains("Insulte"));
        assert_eq!(json["status"], "open");
        assert_eq!(json["zipcode"], "69100");
        assert_eq!(json["lat"], 45.764);
        assert_eq!(json["long"], 4.836);
        assert_eq!(json["expected_datetime"], "2026-11-25T00:00:00+01:00");
        assert_eq!(json["requested_datetime"], "2026-11-20T11:00:00+01:00");
        assert_eq!(json["notes"].as_array().unwrap().len(), 1);
        assert_eq!(json["notes"][0]["description"], "En route");
        assert_eq!(json["status_notes"], "Équipe prévenue");

        r.description_hidden = true;
        let hidden_note = Context {
            status_note_hidden: true,
            with_notes: false,
            ..cx
        };
        let json = request(&r, &hidden_note, &label).to_json();
        assert!(json["description"].is_null());
        assert!(json["status_notes"].is_null());
        assert!(json.get("notes").is_none());
    }

    #[test]
    fn the_last_status_message_decides_whether_notes_are_hidden() {
        let shown = update(UpdateKind::Status, "a", true, false);
        let hidden = update(UpdateKind::Status, "b", true, true);
        assert!(last_status_hidden(&[shown.clone(), hidden.clone()]));
        assert!(!last_status_hidden(&[hidden, shown]));
        assert!(!last_status_hidden(&[]));
    }

    #[test]
    fn the_agency_is_named_or_else_the_service() {
        let mut names = HashMap::new();
        names.insert("svc".to_string(), "Voirie".to_string());
        let mut r = report();
        assert_eq!(agency_of(&r, &names), "Voirie");
        r.agency = "Métropole".into();
        assert_eq!(agency_of(&r, &names), "Métropole");
    }
}
