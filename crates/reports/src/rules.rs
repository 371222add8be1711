//! Pure rules of reports: where a point lies, who handles a report, which earlier reports
//! may be the same problem, which answers a category accepts, how statuses move. No I/O.

use std::collections::BTreeMap;

use geo::{Distance, Haversine, Intersects};
use jiff::{SignedDuration, Timestamp};

use crate::model::{Attribute, AttributeType, Category, District, Point, RoutingRule, Status};

/// Longest description accepted (Open311 sets 4,000 characters).
pub const MAX_DESCRIPTION: usize = 4000;
/// At most this many photos per report.
pub const MAX_PHOTOS: usize = 3;
/// Possible duplicates are looked for among reports of the last 30 days.
pub const DUPLICATE_WINDOW: SignedDuration = SignedDuration::from_hours(30 * 24);

fn geo_point(point: Point) -> geo::Point<f64> {
    geo::Point::new(point.lon, point.lat)
}

/// Distance in metres along the Earth's surface.
pub fn distance_m(a: Point, b: Point) -> f64 {
    Haversine.distance(geo_point(a), geo_point(b))
}

/// The district containing the point, if any. Polygons given in GeoJSON order
/// (longitude, latitude). A point on a boundary belongs to the first district that has
/// it (streets often are the boundaries): it is never "outside the commune".
pub fn district_of(point: Point, districts: &[District]) -> Option<&District> {
    let p = geo_point(point);
    districts.iter().find(|d| d.area.intersects(&p))
}

/// A box around a point that holds every point within `radius_m`: a cheap SQL filter
/// before the exact distance.
pub fn bounding_box(center: Point, radius_m: f64) -> (Point, Point) {
    const METRES_PER_DEGREE: f64 = 111_320.0;
    let dlat = radius_m / METRES_PER_DEGREE;
    let cos = center.lat.to_radians().cos().abs().max(0.01);
    let dlon = radius_m / (METRES_PER_DEGREE * cos);
    (
        Point {
            lat: (center.lat - dlat).max(-90.0),
            lon: (center.lon - dlon).max(-180.0),
        },
        Point {
            lat: (center.lat + dlat).min(90.0),
            lon: (center.lon + dlon).min(180.0),
        },
    )
}

/// Within 1 km of the box around the commune's streets: the commune's extent while no
/// district is drawn.
pub fn near_streets(point: Point, streets: &[crate::store::StreetPoint]) -> bool {
    let Some(first) = streets.first() else {
        return true;
    };
    let (mut min, mut max) = (first.point, first.point);
    for s in streets {
        min.lat = min.lat.min(s.point.lat);
        min.lon = min.lon.min(s.point.lon);
        max.lat = max.lat.max(s.point.lat);
        max.lon = max.lon.max(s.point.lon);
    }
    let (low, _) = bounding_box(min, 1000.0);
    let (_, high) = bounding_box(max, 1000.0);
    (low.lat..=high.lat).contains(&point.lat) && (low.lon..=high.lon).contains(&point.lon)
}

/// Who handles a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    pub service_id: String,
    pub team_id: Option<String>,
    pub agency: String,
}

/// The first rule (by position) whose category and district hold: a rule holds for its
/// category, for that category's sub-categories, or for any category when it names none.
/// Administrators order the rules; what they see is what applies.
pub fn route(
    rules: &[RoutingRule],
    category: &Category,
    district_id: Option<&str>,
) -> Option<Destination> {
    let mut ordered: Vec<&RoutingRule> = rules.iter().collect();
    ordered.sort_by_key(|r| r.position);
    ordered
        .into_iter()
        .find(|rule| {
            let category_ok = match &rule.category_id {
                None => true,
                Some(c) => *c == category.id || category.parent_id.as_ref() == Some(c),
            };
            let district_ok = match &rule.district_id {
                None => true,
                Some(d) => Some(d.as_str()) == district_id,
            };
            category_ok && district_ok
        })
        .map(|r| Destination {
            service_id: r.service_id.clone(),
            team_id: r.team_id.clone(),
            agency: r.agency.clone(),
        })
}

/// What the duplicate search knows of an earlier report.
#[derive(Debug, Clone, PartialEq)]
pub struct Nearby {
    pub id: String,
    pub category_id: String,
    pub status: Status,
    pub point: Point,
    pub created_at: Timestamp,
}

/// Open reports of the same category within `radius_m` filed in the last 30 days, nearest
/// first, with their distance in metres.
pub fn possible_duplicates<'a>(
    candidates: &'a [Nearby],
    category_id: &str,
    point: Point,
    radius_m: f64,
    now: Timestamp,
) -> Vec<(&'a Nearby, f64)> {
    let since = now - DUPLICATE_WINDOW;
    let mut found: Vec<(&Nearby, f64)> = candidates
        .iter()
        .filter(|c| c.category_id == category_id && c.status.is_open() && c.created_at >= since)
        .map(|c| (c, distance_m(point, c.point)))
        .filter(|(_, d)| *d <= radius_m)
        .collect();
    found.sort_by(|a, b| a.1.total_cmp(&b.1));
    found
}

/// An answer to an extra question, once checked.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    One(String),
    Many(Vec<String>),
}

/// One problem with an answer, for the field `code` (empty for the whole form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerProblem {
    pub code: String,
    pub message: String,
}

/// Checks the answers to a category's extra questions; `raw` holds every value given per
/// code (one for most types, several for a multi-value list). Unknown codes are ignored.
pub fn check_answers(
    attributes: &[Attribute],
    raw: &BTreeMap<String, Vec<String>>,
) -> Result<serde_json::Map<String, serde_json::Value>, Vec<AnswerProblem>> {
    let mut answers = serde_json::Map::new();
    let mut problems = Vec::new();
    for attribute in attributes.iter().filter(|a| a.variable) {
        let values: Vec<String> = raw
            .get(&attribute.code)
            .map(|v| {
                v.iter()
                    .map(|s| clean_text(s))
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let problem = |message: String| AnswerProblem {
            code: attribute.code.clone(),
            message,
        };
        if values.is_empty() {
            if attribute.required {
                problems.push(problem(format!(
                    "Répondez à la question « {} ».",
                    attribute.description
                )));
            }
            continue;
        }
        let known = |v: &String| attribute.values.iter().any(|k| &k.key == v);
        match attribute.datatype {
            AttributeType::Multivaluelist => {
                if let Some(bad) = values.iter().find(|v| !known(v)) {
                    problems.push(problem(format!(
                        "« {bad} » n'est pas un choix possible pour « {} ».",
                        attribute.description
                    )));
                    continue;
                }
                answers.insert(attribute.code.clone(), serde_json::json!(values));
            }
            _ if values.len() > 1 => problems.push(problem(format!(
                "Une seule réponse est attendue pour « {} ».",
                attribute.description
            ))),
            AttributeType::Singlevaluelist if !known(&values[0]) => {
                problems.push(problem(format!(
                    "« {} » n'est pas un choix possible pour « {} ».",
                    values[0], attribute.description
                )))
            }
            AttributeType::Number if values[0].replace(',', ".").parse::<f64>().is_err() => {
                problems.push(problem(format!(
                    "« {} » attend un nombre.",
                    attribute.description
                )))
            }
            AttributeType::Datetime if parse_datetime(&values[0]).is_none() => {
                problems.push(problem(format!(
                    "« {} » attend une date (AAAA-MM-JJ ou AAAA-MM-JJTHH:MM).",
                    attribute.description
                )))
            }
            AttributeType::String | AttributeType::Text if values[0].chars().count() > 2000 => {
                problems.push(problem(format!(
                    "La réponse à « {} » dépasse 2 000 caractères.",
                    attribute.description
                )))
            }
            _ => {
                answers.insert(attribute.code.clone(), serde_json::json!(values[0]));
            }
        }
    }
    if problems.is_empty() {
        Ok(answers)
    } else {
        Err(problems)
    }
}

fn parse_datetime(raw: &str) -> Option<()> {
    if raw.parse::<jiff::Timestamp>().is_ok()
        || raw.parse::<jiff::civil::DateTime>().is_ok()
        || raw.parse::<jiff::civil::Date>().is_ok()
    {
        Some(())
    } else {
        None
    }
}

/// Text as stored: no control characters but line breaks and tabs (PostgreSQL refuses a
/// NUL; XML forbids the others), trimmed.
pub fn clean_text(raw: &str) -> String {
    raw.replace("\r\n", "\n")
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect::<String>()
        .trim()
        .to_string()
}

/// An address as the public reads it: without the house number, so that a place shown
/// to about 100 m is not pinned back to a doorstep by its address.
pub fn public_address(address: &str) -> String {
    let trimmed = address.trim_start();
    let rest = trimmed.trim_start_matches(|c: char| c.is_ascii_digit());
    if rest.len() == trimmed.len() {
        return address.trim().to_string();
    }
    let rest = rest.trim_start();
    let lower = rest.to_lowercase();
    let rest = ["bis ", "ter ", "quater "]
        .iter()
        .find(|suffix| lower.starts_with(*suffix))
        .map_or(rest, |suffix| &rest[suffix.len()..]);
    let rest = rest.trim_start_matches([',', ' ']);
    // « 12b rue … »: a letter right after the number.
    let rest = match rest.split_once(' ') {
        Some((first, tail)) if first.len() == 1 && first.chars().all(|c| c.is_alphabetic()) => tail,
        _ => rest,
    };
    rest.trim().to_string()
}

/// Checks a description: at most 4,000 characters, plain text (no HTML tags).
pub fn check_description(raw: &str) -> Result<String, String> {
    let text = clean_text(raw);
    if text.chars().count() > MAX_DESCRIPTION {
        return Err(format!(
            "La description dépasse {MAX_DESCRIPTION} caractères."
        ));
    }
    if looks_like_html(&text) {
        return Err("La description doit être du texte simple, sans balises HTML.".into());
    }
    Ok(text)
}

fn looks_like_html(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes
        .windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/' || w[1] == b'!'))
}

/// The moves an agent may make from a status. A closed report may be reopened (the
/// problem came back); a duplicate only leaves that state by being un-merged, which is a
/// reopening too.
pub fn can_move(from: Status, to: Status) -> bool {
    use Status::*;
    if from == to {
        return false;
    }
    match from {
        New => true,
        Acknowledged => to != New,
        InProgress => !matches!(to, New | Acknowledged),
        Resolved | Rejected | Duplicate => matches!(to, Acknowledged | InProgress),
    }
}

/// The short reference of the n-th report of a year.
pub fn reference(year: i16, sequence: i64) -> String {
    format!("S-{year}-{sequence:05}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AttributeValue;
    use geo::{LineString, MultiPolygon, Polygon};
    use proptest::prelude::*;

    fn square(id: &str, lat: f64, lon: f64, size: f64) -> District {
        let ring = LineString::from(vec![
            (lon, lat),
            (lon + size, lat),
            (lon + size, lat + size),
            (lon, lat + size),
            (lon, lat),
        ]);
        District {
            id: id.into(),
            slug: id.into(),
            name: id.into(),
            area: MultiPolygon(vec![Polygon::new(ring, vec![])]),
        }
    }

    fn category(id: &str, parent: Option<&str>) -> Category {
        Category {
            id: id.into(),
            code: id.into(),
            name: id.into(),
            description: String::new(),
            icon: "autre".into(),
            parent_id: parent.map(str::to_string),
            keywords: String::new(),
            notice: String::new(),
            private: false,
            duplicate_radius_m: 50,
            attributes: vec![],
            position: 0,
            active: true,
        }
    }

    fn rule(
        position: i64,
        category: Option<&str>,
        district: Option<&str>,
        service: &str,
    ) -> RoutingRule {
        RoutingRule {
            id: format!("r{position}"),
            category_id: category.map(str::to_string),
            district_id: district.map(str::to_string),
            service_id: service.into(),
            team_id: None,
            agency: String::new(),
            position,
        }
    }

    #[test]
    fn a_point_finds_its_district_and_outside_is_none() {
        let districts = vec![
            square("nord", 45.76, 4.83, 0.01),
            square("sud", 45.75, 4.83, 0.01),
        ];
        let p = Point::new(45.765, 4.835).unwrap();
        assert_eq!(district_of(p, &districts).unwrap().id, "nord");
        let p = Point::new(45.755, 4.835).unwrap();
        assert_eq!(district_of(p, &districts).unwrap().id, "sud");
        let outside = Point::new(45.70, 4.835).unwrap();
        assert!(district_of(outside, &districts).is_none());
    }

    #[test]
    fn a_hole_in_a_district_is_not_in_it() {
        let outer = LineString::from(vec![(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]);
        let hole = LineString::from(vec![(0.4, 0.4), (0.6, 0.4), (0.6, 0.6), (0.4, 0.6)]);
        let district = District {
            id: "d".into(),
            slug: "d".into(),
            name: "d".into(),
            area: MultiPolygon(vec![Polygon::new(outer, vec![hole])]),
        };
        let districts = [district];
        assert!(district_of(Point::new(0.5, 0.5).unwrap(), &districts).is_none());
        assert!(district_of(Point::new(0.2, 0.2).unwrap(), &districts).is_some());
    }

    #[test]
    fn routing_is_category_times_area_first_rule_wins() {
        let rules = vec![
            rule(1, Some("eclairage"), None, "eclairage-public"),
            rule(2, Some("voirie"), Some("nord"), "voirie-nord"),
            rule(3, Some("voirie"), None, "voirie"),
            rule(4, None, None, "accueil"),
        ];
        let voirie = category("voirie", None);
        let route_to = |c: &Category, d: Option<&str>| route(&rules, c, d).unwrap().service_id;
        assert_eq!(route_to(&voirie, Some("nord")), "voirie-nord");
        assert_eq!(route_to(&voirie, Some("sud")), "voirie");
        assert_eq!(route_to(&voirie, None), "voirie");
        assert_eq!(
            route_to(&category("eclairage", None), Some("nord")),
            "eclairage-public"
        );
        assert_eq!(route_to(&category("tags", None), Some("nord")), "accueil");
    }

    #[test]
    fn a_sub_category_follows_its_parent_unless_named() {
        let rules = vec![
            rule(1, Some("nid-de-poule"), None, "voirie-urgence"),
            rule(2, Some("voirie"), None, "voirie"),
        ];
        let pothole = category("nid-de-poule", Some("voirie"));
        let kerb = category("trottoir", Some("voirie"));
        assert_eq!(
            route(&rules, &pothole, None).unwrap().service_id,
            "voirie-urgence"
        );
        assert_eq!(route(&rules, &kerb, None).unwrap().service_id, "voirie");
        assert!(route(&rules, &category("bruit", None), None).is_none());
    }

    #[test]
    fn a_point_on_a_shared_boundary_is_in_the_commune() {
        let districts = vec![
            square("nord", 45.76, 4.83, 0.01),
            square("sud", 45.75, 4.83, 0.01),
        ];
        let on_edge = Point::new(45.76, 4.835).unwrap();
        assert!(district_of(on_edge, &districts).is_some());
    }

    #[test]
    fn a_rule_for_any_category_placed_first_wins() {
        let rules = vec![
            rule(1, None, Some("zac"), "amenageur"),
            rule(2, Some("voirie"), None, "voirie"),
        ];
        let pothole = category("nid-de-poule", Some("voirie"));
        assert_eq!(
            route(&rules, &pothole, Some("zac")).unwrap().service_id,
            "amenageur"
        );
        assert_eq!(
            route(&rules, &pothole, Some("centre")).unwrap().service_id,
            "voirie"
        );
    }

    #[test]
    fn text_loses_control_characters_but_keeps_lines() {
        assert_eq!(clean_text(" a\u{0}b\r\nc\u{7}\td "), "ab\nc\td");
        assert_eq!(check_description("trou\u{0}").unwrap(), "trou");
    }

    #[test]
    fn public_addresses_have_no_house_number() {
        assert_eq!(
            public_address("12 rue Pasteur, 00000 Démo"),
            "rue Pasteur, 00000 Démo"
        );
        assert_eq!(public_address("3 bis Rue des Écoles"), "Rue des Écoles");
        assert_eq!(
            public_address("12b avenue Jean-Jaurès"),
            "avenue Jean-Jaurès"
        );
        assert_eq!(public_address("Place de la Mairie"), "Place de la Mairie");
        assert_eq!(public_address("  "), "");
    }

    #[test]
    fn distances_are_metres() {
        // Two points 0.001° of latitude apart are about 111 m apart.
        let a = Point::new(45.0, 4.0).unwrap();
        let b = Point::new(45.001, 4.0).unwrap();
        let d = distance_m(a, b);
        assert!((110.0..112.5).contains(&d), "{d}");
    }

    fn nearby(id: &str, cat: &str, status: Status, lat: f64, days_ago: i64) -> Nearby {
        Nearby {
            id: id.into(),
            category_id: cat.into(),
            status,
            point: Point::new(lat, 4.0).unwrap(),
            created_at: Timestamp::from_second(1_800_000_000 - days_ago * 86_400).unwrap(),
        }
    }

    #[test]
    fn duplicates_are_same_category_open_near_and_recent() {
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let here = Point::new(45.0, 4.0).unwrap();
        // 0.0003° ≈ 33 m, 0.0006° ≈ 67 m.
        let candidates = vec![
            nearby("near", "voirie", Status::New, 45.0003, 2),
            nearby("nearest", "voirie", Status::InProgress, 45.0001, 1),
            nearby("far", "voirie", Status::New, 45.0006, 1),
            nearby("other-category", "tags", Status::New, 45.0001, 1),
            nearby("closed", "voirie", Status::Resolved, 45.0001, 1),
            nearby("old", "voirie", Status::New, 45.0001, 31),
        ];
        let found = possible_duplicates(&candidates, "voirie", here, 50.0, now);
        let ids: Vec<&str> = found.iter().map(|(n, _)| n.id.as_str()).collect();
        assert_eq!(ids, ["nearest", "near"]);
        assert!(found[0].1 < found[1].1);
    }

    fn attributes() -> Vec<Attribute> {
        vec![
            Attribute {
                code: "danger".into(),
                description: "Présente-t-il un danger ?".into(),
                datatype: AttributeType::Singlevaluelist,
                required: true,
                variable: true,
                datatype_description: String::new(),
                values: vec![
                    AttributeValue {
                        key: "oui".into(),
                        name: "Oui".into(),
                    },
                    AttributeValue {
                        key: "non".into(),
                        name: "Non".into(),
                    },
                ],
            },
            Attribute {
                code: "taille".into(),
                description: "Taille approximative (cm)".into(),
                datatype: AttributeType::Number,
                required: false,
                variable: true,
                datatype_description: String::new(),
                values: vec![],
            },
            Attribute {
                code: "info".into(),
                description: "En cas d'urgence, appelez le 17.".into(),
                datatype: AttributeType::Text,
                required: true,
                variable: false,
                datatype_description: String::new(),
                values: vec![],
            },
        ]
    }

    fn raw(pairs: &[(&str, &str)]) -> BTreeMap<String, Vec<String>> {
        let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (k, v) in pairs {
            map.entry(k.to_string()).or_default().push(v.to_string());
        }
        map
    }

    #[test]
    fn answers_are_checked_against_the_questions() {
        let ok = check_answers(
            &attributes(),
            &raw(&[("danger", "oui"), ("taille", "30,5")]),
        )
        .unwrap();
        assert_eq!(ok["danger"], "oui");
        assert_eq!(ok["taille"], "30,5");
        let missing = check_answers(&attributes(), &raw(&[])).unwrap_err();
        assert_eq!(missing.len(), 1, "information texts are not questions");
        assert_eq!(missing[0].code, "danger");
        let bad = check_answers(
            &attributes(),
            &raw(&[("danger", "peut-être"), ("taille", "grand")]),
        )
        .unwrap_err();
        assert_eq!(bad.len(), 2);
        let empty_is_absent =
            check_answers(&attributes(), &raw(&[("danger", "non"), ("taille", " ")])).unwrap();
        assert!(!empty_is_absent.contains_key("taille"));
    }

    #[test]
    fn descriptions_are_plain_text_of_bounded_length() {
        assert_eq!(
            check_description("  Trou profond \r\n").unwrap(),
            "Trou profond"
        );
        assert!(check_description("<script>alert(1)</script>").is_err());
        assert!(check_description("3 < 5 et 7 > 2").is_ok());
        assert!(check_description(&"a".repeat(4001)).is_err());
        assert!(check_description(&"é".repeat(4000)).is_ok());
    }

    #[test]
    fn statuses_move_forward_and_closed_ones_reopen() {
        assert!(can_move(Status::New, Status::Acknowledged));
        assert!(can_move(Status::New, Status::Resolved));
        assert!(!can_move(Status::InProgress, Status::New));
        assert!(can_move(Status::Resolved, Status::InProgress));
        assert!(!can_move(Status::Resolved, Status::Rejected));
        assert!(!can_move(Status::New, Status::New));
        for s in Status::ALL {
            assert!(!can_move(s, Status::New), "nothing goes back to new");
        }
    }

    #[test]
    fn open311_folds_statuses() {
        let open: Vec<_> = Status::ALL
            .iter()
            .filter(|s| s.open311() == "open")
            .collect();
        assert_eq!(
            open,
            [&Status::New, &Status::Acknowledged, &Status::InProgress]
        );
        assert_eq!(reference(2026, 42), "S-2026-00042");
    }

    proptest! {
        #[test]
        fn the_bounding_box_holds_every_point_within_the_radius(
            lat in -60.0f64..60.0, lon in -170.0f64..170.0,
            bearing in 0.0f64..360.0, fraction in 0.0f64..1.0, radius in 1.0f64..5000.0,
        ) {
            let center = Point::new(lat, lon).unwrap();
            let d = radius * fraction;
            let (dy, dx) = (d * bearing.to_radians().cos(), d * bearing.to_radians().sin());
            let p = Point::new(
                lat + dy / 111_320.0,
                lon + dx / (111_320.0 * lat.to_radians().cos()),
            ).unwrap();
            let (min, max) = bounding_box(center, radius * 1.01);
            prop_assert!(p.lat >= min.lat && p.lat <= max.lat);
            prop_assert!(p.lon >= min.lon && p.lon <= max.lon);
        }

        #[test]
        fn micro_degrees_round_trip_within_a_decimetre(lat in -90.0f64..90.0, lon in -180.0f64..180.0) {
            let p = Point::new(lat, lon).unwrap();
            let (a, b) = p.to_micro();
            let back = Point::from_micro(a, b);
            prop_assert!(distance_m(p, back) < 0.2);
        }

        #[test]
        fn a_duplicate_is_never_farther_than_the_radius(
            offsets in proptest::collection::vec((-0.002f64..0.002, -0.002f64..0.002), 0..20),
            radius in 10.0f64..300.0,
        ) {
            let now = Timestamp::from_second(1_800_000_000).unwrap();
            let here = Point::new(45.0, 4.0).unwrap();
            let candidates: Vec<Nearby> = offsets.iter().enumerate().map(|(i, (a, b))| Nearby {
                id: i.to_string(), category_id: "c".into(), status: Status::New,
                point: Point::new(45.0 + a, 4.0 + b).unwrap(), created_at: now,
            }).collect();
            for (n, d) in possible_duplicates(&candidates, "c", here, radius, now) {
                prop_assert!(d <= radius);
                prop_assert!(distance_m(here, n.point) <= radius);
            }
        }
    }
}
