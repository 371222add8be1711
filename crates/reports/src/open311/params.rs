//! Reading what an Open311 client sends: the resource and format in the path, query and
//! form parameters (an empty parameter is an absent one), the request-list filters and
//! the answers to extra questions. Pure: the handlers turn the errors into answers.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};

use super::doc::Format;
use crate::model::Status;

/// The widest span of a request list, and its default (the specification's 90 days).
pub const MAX_SPAN: SignedDuration = SignedDuration::from_hours(90 * 24);
/// The most requests one answer lists (the specification's 1,000).
pub const MAX_PAGE_SIZE: i64 = 1000;

/// The last segment of a path, `services.json`: the resource's name and its format, or
/// `None` for the format when the extension is missing or unknown.
pub fn split_file(file: &str) -> (&str, Option<Format>) {
    match file.rsplit_once('.') {
        Some((stem, ext)) => (stem, Format::from_extension(ext)),
        None => (file, None),
    }
}

/// Every parameter sent, in order: the body's first, then the query string's, so that a
/// value in the body wins.
#[derive(Debug, Clone, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn new(pairs: Vec<(String, String)>) -> Params {
        Params(pairs)
    }

    pub fn from_urlencoded(raw: &[u8]) -> Params {
        Params(
            url::form_urlencoded::parse(raw)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    pub fn then(mut self, other: Params) -> Params {
        self.0.extend(other.0);
        self
    }

    /// The first non-empty value of a parameter, trimmed.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.trim())
            .find(|v| !v.is_empty())
    }

    /// Every value of a parameter given several times or comma-separated, non-empty.
    pub fn list(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// `attribute[CODE]=v` and `attribute[CODE][]=v1&attribute[CODE][]=v2`, by code.
    pub fn attributes(&self) -> BTreeMap<String, Vec<String>> {
        let mut answers: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (key, value) in &self.0 {
            let Some(rest) = key.strip_prefix("attribute[") else {
                continue;
            };
            let Some((code, tail)) = rest.split_once(']') else {
                continue;
            };
            if code.is_empty() || !(tail.is_empty() || tail == "[]") {
                continue;
            }
            let value = value.trim();
            if !value.is_empty() {
                answers
                    .entry(code.to_string())
                    .or_default()
                    .push(value.to_string());
            }
        }
        answers
    }
}

/// An instant as clients send it: ISO 8601 with a zone (`2026-03-05T08:15:30+01:00`,
/// `…Z`); a date or a time without a zone is read in the commune's time. A `+` sent
/// unencoded in a query string arrives as a space, and is put back.
pub fn parse_instant(raw: &str) -> Option<Timestamp> {
    let raw = raw.trim();
    let repaired = raw.replace(' ', "+");
    for candidate in [raw, repaired.as_str()] {
        if let Ok(at) = candidate.parse::<Timestamp>() {
            return Some(at);
        }
    }
    let tz = kernel::clock::paris();
    if let Ok(at) = raw.parse::<jiff::civil::DateTime>() {
        return at.to_zoned(tz.clone()).ok().map(|z| z.timestamp());
    }
    if let Ok(day) = raw.parse::<jiff::civil::Date>() {
        return day.to_zoned(tz).ok().map(|z| z.timestamp());
    }
    None
}

/// An instant as Open311 writes it: ISO 8601 with the commune's offset.
pub fn format_instant(at: Timestamp) -> String {
    at.to_zoned(kernel::clock::paris())
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// What a request list asks for, once checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ListQuery {
    /// Asked by id: every other filter is ignored.
    pub ids: Vec<String>,
    pub service_codes: Vec<String>,
    pub from: Timestamp,
    pub until: Timestamp,
    /// Parvis statuses to keep; empty for all.
    pub statuses: Vec<Status>,
    pub page_size: i64,
    /// From 0.
    pub offset: i64,
}

/// Reads the filters of `GET requests`, every problem at once.
pub fn list_query(params: &Params, now: Timestamp) -> Result<ListQuery, Vec<String>> {
    let mut problems = Vec::new();
    let ids = params.list("service_request_id");
    if ids.len() as i64 > MAX_PAGE_SIZE {
        problems.push(format!(
            "Demandez au plus {MAX_PAGE_SIZE} service_request_id à la fois."
        ));
    }
    let mut date = |key: &str| match params.get(key) {
        None => None,
        Some(raw) => match parse_instant(raw) {
            Some(at) => Some(at),
            None => {
                if ids.is_empty() {
                    problems.push(format!(
                        "{key} « {raw} » n'est pas une date ISO 8601 (par exemple 2026-03-05T08:15:30+01:00)."
                    ));
                }
                None
            }
        },
    };
    let start = date("start_date");
    let end = date("end_date");
    let (from, until) = match (start, end) {
        (None, None) => (now - MAX_SPAN, now),
        // Dates at the edge of the representable range must not overflow.
        (Some(s), None) => (s, s.checked_add(MAX_SPAN).unwrap_or(Timestamp::MAX)),
        (None, Some(e)) => (e.checked_sub(MAX_SPAN).unwrap_or(Timestamp::MIN), e),
        (Some(s), Some(e)) => {
            if !ids.is_empty() {
                // Asked by id: the dates are ignored, so they cannot be wrong.
            } else if e < s {
                problems.push("end_date doit être postérieure à start_date.".to_string());
            } else if e.duration_since(s) > MAX_SPAN {
                problems.push(
                    "L'intervalle entre start_date et end_date ne peut pas dépasser 90 jours."
                        .to_string(),
                );
            }
            (s, e)
        }
    };
    let mut open = false;
    let mut closed = false;
    for status in params.list("status") {
        match status.to_ascii_lowercase().as_str() {
            "open" => open = true,
            "closed" => closed = true,
            other => problems.push(format!(
                "status « {other} » est inconnu : indiquez open, closed ou les deux."
            )),
        }
    }
    let statuses = if open == closed {
        vec![]
    } else {
        Status::ALL
            .into_iter()
            .filter(|s| s.is_open() == open)
            .collect()
    };
    let mut number = |key: &str, default: i64, max: i64| match params.get(key) {
        None => default,
        Some(raw) => match raw.parse::<i64>() {
            Ok(n) if (1..=max).contains(&n) => n,
            _ => {
                problems.push(format!(
                    "{key} doit être un nombre entier entre 1 et {max} (reçu : « {raw} »)."
                ));
                default
            }
        },
    };
    let page_size = number("page_size", MAX_PAGE_SIZE, MAX_PAGE_SIZE);
    let page = number("page", 1, 1_000_000);
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(ListQuery {
        ids,
        service_codes: params.list("service_code"),
        from,
        until,
        statuses,
        page_size,
        offset: (page - 1) * page_size,
    })
}

/// Where a new request is, as the client gave it.
#[derive(Debug, Clone, PartialEq)]
pub enum Location {
    Point(crate::model::Point),
    Address(String),
}

/// Reads the location of a new request: `lat` and `long`, or `address_string`. Parvis
/// keeps no address repository, so an `address_id` alone cannot be placed.
pub fn location(params: &Params) -> Result<Location, String> {
    match (params.get("lat"), params.get("long")) {
        (Some(lat), Some(long)) => {
            let point = lat
                .parse::<f64>()
                .ok()
                .zip(long.parse::<f64>().ok())
                .and_then(|(lat, lon)| crate::model::Point::new(lat, lon));
            point.map(Location::Point).ok_or_else(|| {
                format!("lat « {lat} » et long « {long} » ne sont pas des coordonnées WGS84 en degrés décimaux.")
            })
        }
        (Some(_), None) | (None, Some(_)) => {
            Err("lat et long vont ensemble : envoyez les deux.".to_string())
        }
        (None, None) => match (params.get("address_string"), params.get("address_id")) {
            (Some(address), _) => Ok(Location::Address(address.to_string())),
            (None, Some(_)) => Err(
                "address_id n'est pas reconnu ici : indiquez lat et long, ou address_string."
                    .to_string(),
            ),
            (None, None) => Err("Indiquez le lieu : lat et long, ou address_string.".to_string()),
        },
    }
}

/// A French postcode written in an address (« 12 rue Pasteur, 69100 Villeurbanne »).
pub fn postcode_in(address: &str) -> Option<String> {
    address
        .split(|c: char| !c.is_ascii_digit())
        .find(|token| token.len() == 5)
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        Params::new(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    fn now() -> Timestamp {
        "2026-11-23T08:30:00Z".parse().unwrap()
    }

    #[test]
    fn the_file_names_the_resource_and_format() {
        assert_eq!(
            split_file("services.json"),
            ("services", Some(Format::Json))
        );
        assert_eq!(split_file("a.b.xml"), ("a.b", Some(Format::Xml)));
        assert_eq!(split_file("services"), ("services", None));
        assert_eq!(split_file("services.html"), ("services", None));
    }

    #[test]
    fn an_empty_parameter_is_absent_and_the_body_wins() {
        let p = params(&[("email", ""), ("api_key", "body")])
            .then(params(&[("email", "a@b.fr"), ("api_key", "query")]));
        assert_eq!(p.get("email"), Some("a@b.fr"));
        assert_eq!(p.get("api_key"), Some("body"));
        assert_eq!(p.get("phone"), None);
        assert_eq!(params(&[("lat", "  ")]).get("lat"), None);
    }

    #[test]
    fn lists_are_comma_separated_or_repeated() {
        let p = params(&[("service_code", "a, b,"), ("service_code", "c")]);
        assert_eq!(p.list("service_code"), vec!["a", "b", "c"]);
        assert!(params(&[("status", "")]).list("status").is_empty());
    }

    #[test]
    fn attributes_read_single_and_multiple_values() {
        let p = params(&[
            ("attribute[danger]", "oui"),
            ("attribute[types][]", "a"),
            ("attribute[types][]", "b"),
            ("attribute[vide]", ""),
            ("attribute[]", "x"),
            ("attribute[bad]x", "y"),
            ("other", "z"),
        ]);
        let answers = p.attributes();
        assert_eq!(answers.get("danger").unwrap(), &vec!["oui".to_string()]);
        assert_eq!(
            answers.get("types").unwrap(),
            &vec!["a".to_string(), "b".to_string()]
        );
        assert_eq!(answers.len(), 2);
    }

    #[test]
    fn instants_with_a_zone_a_repaired_plus_or_the_communes_time() {
        let expected: Timestamp = "2026-03-05T07:15:30Z".parse().unwrap();
        assert_eq!(parse_instant("2026-03-05T08:15:30+01:00"), Some(expected));
        assert_eq!(parse_instant("2026-03-05T08:15:30 01:00"), Some(expected));
        assert_eq!(parse_instant("2026-03-05T07:15:30Z"), Some(expected));
        assert_eq!(parse_instant("2026-03-05T08:15:30"), Some(expected));
        assert_eq!(
            parse_instant("2026-03-05"),
            Some("2026-03-04T23:00:00Z".parse().unwrap())
        );
        assert_eq!(parse_instant("hier"), None);
        assert_eq!(parse_instant("2026-13-01"), None);
    }

    #[test]
    fn instants_are_written_with_the_communes_offset() {
        let winter: Timestamp = "2026-03-05T07:15:30Z".parse().unwrap();
        assert_eq!(format_instant(winter), "2026-03-05T08:15:30+01:00");
        let summer: Timestamp = "2026-07-05T07:15:30Z".parse().unwrap();
        assert_eq!(format_instant(summer), "2026-07-05T09:15:30+02:00");
        assert_eq!(parse_instant(&format_instant(summer)), Some(summer));
    }

    #[test]
    fn the_default_window_is_the_last_90_days() {
        let q = list_query(&Params::default(), now()).unwrap();
        assert_eq!(q.until, now());
        assert_eq!(q.from, now() - MAX_SPAN);
        assert!(q.statuses.is_empty());
        assert_eq!((q.page_size, q.offset), (1000, 0));
    }

    #[test]
    fn one_bound_gives_a_90_day_window() {
        let start: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let q = list_query(&params(&[("start_date", "2026-01-01T00:00:00Z")]), now()).unwrap();
        assert_eq!((q.from, q.until), (start, start + MAX_SPAN));
        let q = list_query(&params(&[("end_date", "2026-01-01T00:00:00Z")]), now()).unwrap();
        assert_eq!((q.from, q.until), (start - MAX_SPAN, start));
    }

    #[test]
    fn bad_dates_and_spans_are_refused_together() {
        let problems = list_query(
            &params(&[
                ("start_date", "demain"),
                ("status", "pending"),
                ("page_size", "5000"),
            ]),
            now(),
        )
        .unwrap_err();
        assert_eq!(problems.len(), 3, "{problems:?}");
        let too_wide = list_query(
            &params(&[
                ("start_date", "2026-01-01T00:00:00Z"),
                ("end_date", "2026-06-01T00:00:00Z"),
            ]),
            now(),
        )
        .unwrap_err();
        assert!(too_wide[0].contains("90 jours"));
        let backwards = list_query(
            &params(&[
                ("start_date", "2026-02-01T00:00:00Z"),
                ("end_date", "2026-01-01T00:00:00Z"),
            ]),
            now(),
        )
        .unwrap_err();
        assert!(backwards[0].contains("postérieure"));
    }

    #[test]
    fn statuses_fold_to_open_and_closed() {
        let open = list_query(&params(&[("status", "open")]), now()).unwrap();
        assert_eq!(
            open.statuses,
            vec![Status::New, Status::Acknowledged, Status::InProgress]
        );
        let closed = list_query(&params(&[("status", "CLOSED")]), now()).unwrap();
        assert_eq!(
            closed.statuses,
            vec![Status::Resolved, Status::Rejected, Status::Duplicate]
        );
        let both = list_query(&params(&[("status", "open,closed")]), now()).unwrap();
        assert!(both.statuses.is_empty());
    }

    #[test]
    fn pages_become_offsets() {
        let q = list_query(&params(&[("page", "3"), ("page_size", "20")]), now()).unwrap();
        assert_eq!((q.page_size, q.offset), (20, 40));
        assert!(list_query(&params(&[("page", "0")]), now()).is_err());
    }

    #[test]
    fn a_location_is_a_point_or_an_address() {
        assert_eq!(
            location(&params(&[("lat", "45.7641"), ("long", "4.8357")])),
            Ok(Location::Point(
                crate::model::Point::new(45.7641, 4.8357).unwrap()
            ))
        );
        assert_eq!(
            location(&params(&[("address_string", "Rue Pasteur")])),
            Ok(Location::Address("Rue Pasteur".into()))
        );
        assert!(location(&params(&[("lat", "45.7")])).is_err());
        assert!(location(&params(&[("lat", "north"), ("long", "4.8")])).is_err());
        assert!(location(&params(&[("lat", "95"), ("long", "4.8")])).is_err());
        assert!(location(&params(&[("address_id", "12")])).is_err());
        assert!(location(&Params::default()).is_err());
    }

    #[test]
    fn postcodes_are_read_from_addresses() {
        assert_eq!(
            postcode_in("12 rue Pasteur, 69100 Villeurbanne").as_deref(),
            Some("69100")
        );
        assert_eq!(
            postcode_in("Route de Lyon, 00000 Démo").as_deref(),
            Some("00000")
        );
        assert_eq!(postcode_in("123456 chemin"), None);
        assert_eq!(postcode_in(""), None);
    }
}
