//! Districts read from a GeoJSON file (a FeatureCollection of Polygon or MultiPolygon
//! features, as the commune's GIS exports them). Every problem is named with the feature
//! and the line it starts on, so that the file can be fixed; a file with any problem is
//! refused whole. Pure: the web reads the upload, the store saves what passes.

use geo::Area;
use serde_json::Value;

use crate::admin_rules::slugify;

/// The properties holding a district's name when none is configured.
pub const DEFAULT_NAME_PROPERTIES: [&str; 2] = ["nom", "name"];
/// More districts than this in one file is surely not a commune's districts.
pub const MAX_FEATURES: usize = 500;
const MAX_NAME: usize = 100;

/// A district ready to be saved: its slug (derived from its name) and its area.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedDistrict {
    pub slug: String,
    pub name: String,
    pub area: geo::MultiPolygon<f64>,
}

/// Where in a geometry a coordinate problem lies (1 for the first of each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    pub polygon: usize,
    pub ring: usize,
    pub position: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeatureProblem {
    NotAFeature,
    NoGeometry,
    /// Another geometry than a polygon (`Point`, `LineString`…).
    GeometryType(String),
    /// The coordinates are not arrays of positions as the type requires.
    Shape,
    /// A position is not two numbers.
    Position(Place),
    /// A longitude beyond ±180 or a latitude beyond ±90.
    OutOfRange(Place),
    /// A ring of fewer than three distinct points.
    TooFewPoints {
        polygon: usize,
        ring: usize,
    },
    /// A polygon that encloses nothing.
    NoArea {
        polygon: usize,
    },
    /// None of the name properties holds a text.
    NoName(Vec<String>),
    NameTooLong,
    /// The name gives no usable address (only punctuation).
    NoSlug(String),
    /// Two features of the file give the same slug.
    DuplicateSlug {
        slug: String,
        first: usize,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportProblem {
    Empty,
    /// Not JSON: where the reading stopped.
    Syntax {
        line: usize,
        column: usize,
    },
    NotAFeatureCollection,
    NoFeatures,
    TooManyFeatures(usize),
    /// Feature `number` (1 for the first), starting on `line`.
    Feature {
        number: usize,
        line: usize,
        problem: FeatureProblem,
    },
}

/// The properties tried for the name: the configured one, else `nom` then `name`.
pub fn name_properties(configured: &str) -> Vec<String> {
    match configured.trim() {
        "" => DEFAULT_NAME_PROPERTIES
            .iter()
            .map(|p| p.to_string())
            .collect(),
        one => vec![one.to_string()],
    }
}

/// Reads the districts of a GeoJSON text.
pub fn read_districts(
    text: &str,
    name_property: &str,
) -> Result<Vec<ImportedDistrict>, Vec<ImportProblem>> {
    let text = text.trim_start_matches('\u{feff}');
    if text.trim().is_empty() {
        return Err(vec![ImportProblem::Empty]);
    }
    let json: Value = serde_json::from_str(text).map_err(|e| {
        vec![ImportProblem::Syntax {
            line: e.line(),
            column: e.column(),
        }]
    })?;
    if json.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
        return Err(vec![ImportProblem::NotAFeatureCollection]);
    }
    let Some(features) = json.get("features").and_then(Value::as_array) else {
        return Err(vec![ImportProblem::NotAFeatureCollection]);
    };
    if features.is_empty() {
        return Err(vec![ImportProblem::NoFeatures]);
    }
    if features.len() > MAX_FEATURES {
        return Err(vec![ImportProblem::TooManyFeatures(features.len())]);
    }
    let lines = feature_lines(text);
    let properties = name_properties(name_property);
    let mut districts: Vec<(usize, ImportedDistrict)> = Vec::new();
    let mut problems = Vec::new();
    for (index, feature) in features.iter().enumerate() {
        let number = index + 1;
        let line = lines.get(index).copied().unwrap_or(1);
        let mut fail = |problem| {
            problems.push(ImportProblem::Feature {
                number,
                line,
                problem,
            })
        };
        match read_feature(feature, &properties) {
            Err(problem) => fail(problem),
            Ok(district) => match districts.iter().find(|(_, d)| d.slug == district.slug) {
                Some((first, _)) => fail(FeatureProblem::DuplicateSlug {
                    slug: district.slug.clone(),
                    first: *first,
                }),
                None => districts.push((number, district)),
            },
        }
    }
    if problems.is_empty() {
        Ok(districts.into_iter().map(|(_, d)| d).collect())
    } else {
        Err(problems)
    }
}

fn read_feature(
    feature: &Value,
    properties: &[String],
) -> Result<ImportedDistrict, FeatureProblem> {
    if feature.get("type").and_then(Value::as_str) != Some("Feature") {
        return Err(FeatureProblem::NotAFeature);
    }
    let name = properties
        .iter()
        .find_map(|p| {
            feature
                .get("properties")
                .and_then(|props| props.get(p))
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|n| !n.is_empty())
        })
        .ok_or_else(|| FeatureProblem::NoName(properties.to_vec()))?
        .to_string();
    if name.chars().count() > MAX_NAME {
        return Err(FeatureProblem::NameTooLong);
    }
    let slug = slugify(&name);
    if slug.is_empty() {
        return Err(FeatureProblem::NoSlug(name));
    }
    let geometry = feature
        .get("geometry")
        .filter(|g| !g.is_null())
        .ok_or(FeatureProblem::NoGeometry)?;
    let kind = geometry.get("type").and_then(Value::as_str).unwrap_or("");
    let coordinates = geometry.get("coordinates").ok_or(FeatureProblem::Shape)?;
    let polygons: Vec<&Value> = match kind {
        "Polygon" => vec![coordinates],
        "MultiPolygon" => coordinates
            .as_array()
            .ok_or(FeatureProblem::Shape)?
            .iter()
            .collect(),
        other => return Err(FeatureProblem::GeometryType(other.to_string())),
    };
    if polygons.is_empty() {
        return Err(FeatureProblem::Shape);
    }
    let area = polygons
        .iter()
        .enumerate()
        .map(|(i, p)| read_polygon(p, i + 1))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ImportedDistrict {
        slug,
        name,
        area: geo::MultiPolygon(area),
    })
}

fn read_polygon(value: &Value, polygon: usize) -> Result<geo::Polygon<f64>, FeatureProblem> {
    let rings = value
        .as_array()
        .filter(|r| !r.is_empty())
        .ok_or(FeatureProblem::Shape)?;
    let mut read = Vec::with_capacity(rings.len());
    for (r, ring) in rings.iter().enumerate() {
        let positions = ring.as_array().ok_or(FeatureProblem::Shape)?;
        let mut points: Vec<geo::Coord<f64>> = Vec::with_capacity(positions.len());
        for (p, position) in positions.iter().enumerate() {
            let place = Place {
                polygon,
                ring: r + 1,
                position: p + 1,
            };
            let numbers = position
                .as_array()
                .filter(|n| n.len() >= 2)
                .ok_or(FeatureProblem::Position(place))?;
            let (Some(lon), Some(lat)) = (numbers[0].as_f64(), numbers[1].as_f64()) else {
                return Err(FeatureProblem::Position(place));
            };
            if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
                return Err(FeatureProblem::OutOfRange(place));
            }
            points.push(geo::Coord { x: lon, y: lat });
        }
        let mut distinct = points.clone();
        distinct.dedup();
        if distinct.len() > 1 && distinct.first() == distinct.last() {
            distinct.pop();
        }
        if distinct.len() < 3 {
            return Err(FeatureProblem::TooFewPoints {
                polygon,
                ring: r + 1,
            });
        }
        // An open ring is closed, as GeoJSON requires and most tools do.
        read.push(geo::LineString::new(points));
    }
    let exterior = read.remove(0);
    let polygon_value = geo::Polygon::new(exterior, read);
    if polygon_value.unsigned_area() <= 0.0 {
        return Err(FeatureProblem::NoArea { polygon });
    }
    Ok(polygon_value)
}

/// The line on which each element of the top-level `features` array starts, so that a
/// problem can be found in the file. Reads the (already valid) JSON text once.
fn feature_lines(text: &str) -> Vec<usize> {
    let mut lines = Vec::new();
    let mut line = 1;
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    // The last string read at depth 1 (an object key of the collection).
    let mut key_start = None;
    let mut last_key = String::new();
    // Inside the `features` array (at depth 2), waiting for the next element.
    let mut in_features = false;
    let mut expecting = false;
    for (i, c) in text.char_indices() {
        if c == '\n' {
            line += 1;
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
                if let Some(start) = key_start.take() {
                    last_key = text[start..i].to_string();
                }
            }
            continue;
        }
        if in_features && expecting && depth == 2 && !c.is_whitespace() && c != ',' && c != ']' {
            lines.push(line);
            expecting = false;
        }
        match c {
            '"' => {
                in_string = true;
                if depth == 1 {
                    key_start = Some(i + 1);
                }
            }
            '{' | '[' => {
                depth += 1;
                if c == '[' && depth == 2 && last_key == "features" {
                    in_features = true;
                    expecting = true;
                }
            }
            '}' | ']' => {
                if in_features && depth == 2 && c == ']' {
                    in_features = false;
                }
                depth = depth.saturating_sub(1);
            }
            ',' if in_features && depth == 2 => expecting = true,
            _ => {}
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Point;

    const TWO: &str = r#"{
  "type": "FeatureCollection",
  "features": [
    {
      "type": "Feature",
      "properties": { "nom": "Le Bourg", "code": "01" },
      "geometry": { "type": "Polygon", "coordinates": [[[4.82, 45.75], [4.84, 45.75], [4.84, 45.77], [4.82, 45.77], [4.82, 45.75]]] }
    },
    {
      "type": "Feature",
      "properties": { "nom": "Les Hauts de l'Église" },
      "geometry": { "type": "MultiPolygon", "coordinates": [[[[4.84, 45.75], [4.86, 45.75], [4.86, 45.77]]], [[[5.0, 45.0], [5.1, 45.0], [5.1, 45.1], [5.0, 45.1]]]] }
    }
  ]
}"#;

    #[test]
    fn polygons_and_multipolygons_become_districts_with_slugs() {
        let districts = read_districts(TWO, "").unwrap();
        assert_eq!(districts.len(), 2);
        assert_eq!(districts[0].slug, "le-bourg");
        assert_eq!(districts[1].slug, "les-hauts-de-l-eglise");
        assert_eq!(districts[1].area.0.len(), 2);
        let inside = Point::new(45.76, 4.83).unwrap();
        let as_districts: Vec<crate::model::District> = districts
            .iter()
            .map(|d| crate::model::District {
                id: d.slug.clone(),
                slug: d.slug.clone(),
                name: d.name.clone(),
                area: d.area.clone(),
            })
            .collect();
        assert_eq!(
            crate::rules::district_of(inside, &as_districts)
                .unwrap()
                .slug,
            "le-bourg"
        );
    }

    #[test]
    fn the_name_comes_from_the_configured_property_or_nom_then_name() {
        let english = TWO.replace("\"nom\"", "\"name\"");
        assert_eq!(read_districts(&english, "").unwrap()[0].name, "Le Bourg");
        let by_code = read_districts(TWO, "code").unwrap_err();
        assert_eq!(
            by_code,
            vec![ImportProblem::Feature {
                number: 2,
                line: 9,
                problem: FeatureProblem::NoName(vec!["code".into()])
            }]
        );
    }

    #[test]
    fn each_bad_feature_is_named_with_its_line() {
        let text = r#"{"type": "FeatureCollection", "features": [
  {"type": "Feature", "properties": {"nom": "A"}, "geometry": {"type": "Point", "coordinates": [4.8, 45.7]}},
  {"type": "Feature", "properties": {"nom": "B"}, "geometry": {"type": "Polygon", "coordinates": [[[4.8, 95.0], [4.9, 45.7], [4.9, 45.8]]]}},
  {"type": "Feature", "properties": {"nom": "C"}, "geometry": {"type": "Polygon", "coordinates": [[[4.8, 45.7], [4.9, 45.7], [4.8, 45.7]]]}},
  {"type": "Feature", "properties": {"nom": "a"}, "geometry": {"type": "Polygon", "coordinates": [[[4.8, 45.7], [4.9, 45.7], [4.9, 45.8]]]}},
  {"type": "Feature", "properties": {"nom": "A!"}, "geometry": {"type": "Polygon", "coordinates": [[[4.8, 45.7], [4.9, 45.7], [4.9, 45.8]]]}},
  {"type": "Feature", "properties": {"nom": "D"}, "geometry": null},
  {"type": "Feature", "properties": {"nom": "E"}, "geometry": {"type": "Polygon", "coordinates": [[[4.8, "x"]]]}},
  {"type": "Feature", "properties": {"nom": "F"}, "geometry": {"type": "Polygon", "coordinates": [[[4.8, 45.7], [4.9, 45.7], [5.0, 45.7]]]}},
  {"type": "Thing"}
]}"#;
        let problems = read_districts(text, "").unwrap_err();
        let found: Vec<(usize, usize, FeatureProblem)> = problems
            .into_iter()
            .map(|p| match p {
                ImportProblem::Feature {
                    number,
                    line,
                    problem,
                } => (number, line, problem),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            found,
            vec![
                (1, 2, FeatureProblem::GeometryType("Point".into())),
                (
                    2,
                    3,
                    FeatureProblem::OutOfRange(Place {
                        polygon: 1,
                        ring: 1,
                        position: 1
                    })
                ),
                (
                    3,
                    4,
                    FeatureProblem::TooFewPoints {
                        polygon: 1,
                        ring: 1
                    }
                ),
                (
                    5,
                    6,
                    FeatureProblem::DuplicateSlug {
                        slug: "a".into(),
                        first: 4
                    }
                ),
                (6, 7, FeatureProblem::NoGeometry),
                (
                    7,
                    8,
                    FeatureProblem::Position(Place {
                        polygon: 1,
                        ring: 1,
                        position: 1
                    })
                ),
                (8, 9, FeatureProblem::NoArea { polygon: 1 }),
                (9, 10, FeatureProblem::NotAFeature),
            ]
        );
    }

    #[test]
    fn files_that_are_not_collections_are_refused_whole() {
        assert_eq!(read_districts("  ", ""), Err(vec![ImportProblem::Empty]));
        assert_eq!(
            read_districts(
                "{\n  \"type\": \"FeatureCollection\",\n  \"features\": [,]\n}",
                ""
            ),
            Err(vec![ImportProblem::Syntax {
                line: 3,
                column: 16
            }])
        );
        assert_eq!(
            read_districts(r#"{"type": "Feature"}"#, ""),
            Err(vec![ImportProblem::NotAFeatureCollection])
        );
        assert_eq!(
            read_districts(r#"{"type": "FeatureCollection", "features": []}"#, ""),
            Err(vec![ImportProblem::NoFeatures])
        );
    }

    #[test]
    fn lines_are_found_past_strings_with_brackets_and_escapes() {
        let text = "{\"name\": \"a [ \\\" ] {\", \"features\": [\n{\"a\": [1, {}]},\n\n  {\"b\": \"]\"}\n]}";
        assert_eq!(feature_lines(text), vec![2, 4]);
    }
}
