//! One answer, two encodings. Open311 defines its resources in XML and says that JSON is
//! the same tree with the root element dropped; building each answer once as a `Doc` and
//! encoding it either way keeps the two formats from drifting apart.

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

/// The two formats of every resource, named by the URL's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xml,
    Json,
}

impl Format {
    pub fn from_extension(ext: &str) -> Option<Format> {
        match ext.to_ascii_lowercase().as_str() {
            "xml" => Some(Format::Xml),
            "json" => Some(Format::Json),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Xml => "text/xml; charset=utf-8",
            Format::Json => "application/json; charset=utf-8",
        }
    }
}

/// A value of the tree.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// Absent: `null` in JSON, an empty element in XML.
    Null,
    /// Named fields, in the order the specification lists them.
    Object(Vec<(&'static str, Value)>),
    /// A list whose items are each wrapped, in XML, in an element of this name
    /// (`<attributes><attribute>…</attribute></attributes>`).
    List(&'static str, Vec<Value>),
}

impl Value {
    pub fn text(s: impl Into<String>) -> Value {
        Value::Text(s.into())
    }

    /// Text, or absent when empty.
    pub fn text_or_null(s: &str) -> Value {
        if s.trim().is_empty() {
            Value::Null
        } else {
            Value::Text(s.to_string())
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Text(s) => serde_json::Value::String(s.clone()),
            Value::Int(i) => serde_json::Value::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Null => serde_json::Value::Null,
            Value::Object(fields) => serde_json::Value::Object(
                fields
                    .iter()
                    .map(|(name, value)| ((*name).to_string(), value.to_json()))
                    .collect(),
            ),
            Value::List(_, items) => {
                serde_json::Value::Array(items.iter().map(Value::to_json).collect())
            }
        }
    }

    fn write_xml(&self, name: &str, out: &mut Writer<Vec<u8>>) -> std::io::Result<()> {
        let scalar = match self {
            Value::Null => {
                return out.write_event(Event::Empty(BytesStart::new(name)));
            }
            Value::Text(s) => s.clone(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Object(fields) => {
                out.write_event(Event::Start(BytesStart::new(name)))?;
                for (field, value) in fields {
                    value.write_xml(field, out)?;
                }
                return out.write_event(Event::End(BytesEnd::new(name)));
            }
            Value::List(item, items) => {
                out.write_event(Event::Start(BytesStart::new(name)))?;
                for value in items {
                    value.write_xml(item, out)?;
                }
                return out.write_event(Event::End(BytesEnd::new(name)));
            }
        };
        if scalar.is_empty() {
            return out.write_event(Event::Empty(BytesStart::new(name)));
        }
        out.write_event(Event::Start(BytesStart::new(name)))?;
        // `BytesText::new` escapes &, < and > (quotes need no escaping in text); the
        // control characters XML 1.0 forbids are dropped, or one stored report would make
        // a whole list unreadable.
        let scalar: String = scalar
            .chars()
            .filter(|c| !c.is_control() || matches!(c, '\n' | '\t' | '\r'))
            .collect();
        out.write_event(Event::Text(BytesText::new(&scalar)))?;
        out.write_event(Event::End(BytesEnd::new(name)))
    }
}

/// A whole answer: the XML root element's name and what it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    pub root: &'static str,
    pub body: Value,
}

impl Doc {
    pub fn new(root: &'static str, body: Value) -> Doc {
        Doc { root, body }
    }

    /// A list answer: `<services><service>…</service></services>`, a JSON array.
    pub fn list(root: &'static str, item: &'static str, items: Vec<Value>) -> Doc {
        Doc {
            root,
            body: Value::List(item, items),
        }
    }

    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Json => self.body.to_json().to_string(),
            Format::Xml => self.to_xml(),
        }
    }

    fn to_xml(&self) -> String {
        let mut out = Writer::new(Vec::new());
        // Writing to a Vec cannot fail; an error here would be a bug in the tree.
        let written = out
            .write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))
            .and_then(|_| self.body.write_xml(self.root, &mut out));
        debug_assert!(written.is_ok());
        String::from_utf8(out.into_inner()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Doc {
        Doc::list(
            "services",
            "service",
            vec![Value::Object(vec![
                ("service_code", Value::text("nid-de-poule")),
                ("service_name", Value::text("Nid-de-poule & trou <profond>")),
                ("metadata", Value::Bool(true)),
                ("keywords", Value::Null),
                ("order", Value::Int(1)),
                ("lat", Value::Float(45.764)),
                (
                    "formats",
                    Value::List(
                        "format",
                        vec![Value::text("text/xml"), Value::text("application/json")],
                    ),
                ),
            ])],
        )
    }

    #[test]
    fn json_drops_the_root_and_keeps_types() {
        let json: serde_json::Value = serde_json::from_str(&sample().render(Format::Json)).unwrap();
        let first = &json.as_array().unwrap()[0];
        assert_eq!(first["service_code"], "nid-de-poule");
        assert_eq!(first["metadata"], true);
        assert!(first["keywords"].is_null());
        assert_eq!(first["order"], 1);
        assert_eq!(first["lat"], 45.764);
        assert_eq!(first["formats"][1], "application/json");
    }

    #[test]
    fn xml_has_the_declaration_the_root_and_escapes_text() {
        let xml = sample().render(Format::Xml);
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?><services><service>"));
        assert!(
            xml.contains("<service_name>Nid-de-poule &amp; trou &lt;profond&gt;</service_name>")
        );
        assert!(xml.contains("<metadata>true</metadata>"));
        assert!(xml.contains("<keywords/>"));
        assert!(xml.contains(
            "<formats><format>text/xml</format><format>application/json</format></formats>"
        ));
        assert!(xml.ends_with("</service></services>"));
        assert!(!xml.contains("xmlns"));
    }

    #[test]
    fn an_object_answer_is_a_json_object() {
        let doc = Doc::new(
            "discovery",
            Value::Object(vec![(
                "changeset",
                Value::text("2026-11-01T00:00:00+01:00"),
            )]),
        );
        assert_eq!(
            doc.render(Format::Json),
            r#"{"changeset":"2026-11-01T00:00:00+01:00"}"#
        );
        assert!(
            doc.render(Format::Xml).ends_with(
                "<discovery><changeset>2026-11-01T00:00:00+01:00</changeset></discovery>"
            )
        );
    }

    #[test]
    fn formats_come_from_the_extension() {
        assert_eq!(Format::from_extension("xml"), Some(Format::Xml));
        assert_eq!(Format::from_extension("JSON"), Some(Format::Json));
        assert_eq!(Format::from_extension("html"), None);
    }
}
