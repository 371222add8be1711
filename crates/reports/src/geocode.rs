//! Address search: the configured address service, with the commune's street list as
//! the offline fallback.
//!
//! The service is asked like the French national address base (`GET ?q=&limit=`, a GeoJSON
//! FeatureCollection back). It is optional and may be slow or down: reporting must keep
//! working, so every failure quietly falls back to the street list kept in the database.

use std::sync::OnceLock;
use std::time::Duration;

use kernel::Kernel;
use serde::Deserialize;

use crate::model::{District, Point};
use crate::rules::{distance_m, district_of};
use crate::store::{self, StreetPoint};

/// Street names compared without case, accents nor punctuation.
pub use kernel::text::normalise;

/// Most results one search returns.
pub const MAX_RESULTS: usize = 10;
/// A resident is waiting for the answer: past this the street list answers instead.
const TIMEOUT: Duration = Duration::from_secs(2);
/// The national service refuses longer queries; no address is that long anyway.
const MAX_QUERY_CHARS: usize = 200;
/// A pin farther than this from every known street gets no « près de ».
pub const REVERSE_RADIUS_M: f64 = 300.0;

/// Where a result comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FoundSource {
    /// The configured address service.
    National,
    /// The commune's own street list.
    Streets,
}

/// One address found.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub label: String,
    pub point: Point,
    pub postcode: String,
    pub source: FoundSource,
}

/// Addresses matching `query`, best first, at most `limit` (capped at [`MAX_RESULTS`]).
/// Never fails: an unreachable service or database gives fewer results, not an error.
pub async fn search(kernel: &Kernel, query: &str, limit: usize) -> Vec<Found> {
    let query: String = query.trim().chars().take(MAX_QUERY_CHARS).collect();
    let limit = limit.clamp(1, MAX_RESULTS);
    if normalise(&query).is_empty() {
        return Vec::new();
    }
    let map = &kernel.config.map;
    if !map.geocoder_url.trim().is_empty() {
        match national(&map.geocoder_url, &map.citycode, &query, limit).await {
            Ok(found) if !found.is_empty() => match store::districts(&kernel.db).await {
                Ok(districts) => {
                    let inside = inside_commune(found, &districts);
                    if !inside.is_empty() {
                        return inside;
                    }
                }
                Err(e) => tracing::error!(error = %e, "districts unreadable for address search"),
            },
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "address service failed, using the street list"),
        }
    }
    match store::streets(&kernel.db).await {
        Ok(streets) => match_streets(&query, &streets, limit),
        Err(e) => {
            tracing::error!(error = %e, "street list unreadable for address search");
            Vec::new()
        }
    }
}

/// Results inside one of the commune's districts; all of them when no district is drawn
/// yet (the commune's outline is then unknown).
fn inside_commune(found: Vec<Found>, districts: &[District]) -> Vec<Found> {
    if districts.is_empty() {
        return found;
    }
    found
        .into_iter()
        .filter(|f| district_of(f.point, districts).is_some())
        .collect()
}

impl From<reqwest::Error> for ServiceError {
    fn from(e: reqwest::Error) -> ServiceError {
        ServiceError::Http(e.without_url())
    }
}

#[derive(Debug, thiserror::Error)]
enum ServiceError {
    #[error("address service URL is not valid: {0}")]
    Url(#[from] url::ParseError),
    #[error("no HTTP client: {0}")]
    Client(String),
    /// Without the URL: it holds what the resident typed, which logs must not keep.
    #[error("address service unreachable: {0}")]
    Http(reqwest::Error),
    #[error("address service answer is not a FeatureCollection: {0}")]
    Body(#[from] serde_json::Error),
}

fn client() -> Result<&'static reqwest::Client, ServiceError> {
    static CLIENT: OnceLock<Result<reqwest::Client, String>> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            kernel::install_crypto_provider();
            reqwest::Client::builder()
                .timeout(TIMEOUT)
                .connect_timeout(TIMEOUT)
                .user_agent(concat!("Parvis/", env!("CARGO_PKG_VERSION")))
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| ServiceError::Client(e.clone()))
}

async fn national(
    base: &str,
    citycode: &str,
    query: &str,
    limit: usize,
) -> Result<Vec<Found>, ServiceError> {
    let mut url = url::Url::parse(base.trim())?;
    url.query_pairs_mut()
        .append_pair("q", query)
        .append_pair("limit", &limit.to_string());
    if !citycode.trim().is_empty() {
        url.query_pairs_mut()
            .append_pair("citycode", citycode.trim());
    }
    let response = client()?.get(url).send().await?.error_for_status()?;
    let body = response.bytes().await?;
    let mut found = parse_features(&body)?;
    found.truncate(limit);
    Ok(found)
}

#[derive(Deserialize)]
struct Collection {
    features: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct Feature {
    geometry: Geometry,
    properties: Properties,
}

#[derive(Deserialize)]
struct Geometry {
    coordinates: Vec<f64>,
}

#[derive(Deserialize)]
struct Properties {
    label: String,
    #[serde(default)]
    postcode: String,
}

/// The addresses of a national-address-base answer. A malformed feature is skipped rather
/// than failing the whole answer.
pub fn parse_features(body: &[u8]) -> Result<Vec<Found>, serde_json::Error> {
    let collection: Collection = serde_json::from_slice(body)?;
    Ok(collection
        .features
        .into_iter()
        .filter_map(|value| {
            let feature: Feature = serde_json::from_value(value).ok()?;
            let [lon, lat] = feature.geometry.coordinates[..] else {
                return None;
            };
            let label = feature.properties.label.trim().to_string();
            (!label.is_empty()).then_some(())?;
            Some(Found {
                label,
                point: Point::new(lat, lon)?,
                postcode: feature.properties.postcode.trim().to_string(),
                source: FoundSource::National,
            })
        })
        .collect())
}

// ------------------------------------------------------------------ the street list

/// Abbreviations residents type, after [`normalise`] (so without accents nor dots).
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("r", "rue"),
    ("av", "avenue"),
    ("ave", "avenue"),
    ("bd", "boulevard"),
    ("bld", "boulevard"),
    ("blvd", "boulevard"),
    ("boul", "boulevard"),
    ("pl", "place"),
    ("imp", "impasse"),
    ("ch", "chemin"),
    ("chem", "chemin"),
    ("rte", "route"),
    ("all", "allee"),
    ("mte", "montee"),
    ("crs", "cours"),
    ("sq", "square"),
    ("fg", "faubourg"),
    ("pass", "passage"),
    ("qu", "quai"),
    ("st", "saint"),
    ("ste", "sainte"),
];

/// Kinds of street: a wrong one (« rue » for an avenue) lowers a match instead of
/// excluding it, since residents often misremember it.
const STREET_KINDS: &[&str] = &[
    "rue",
    "avenue",
    "boulevard",
    "place",
    "impasse",
    "chemin",
    "route",
    "allee",
    "montee",
    "cours",
    "square",
    "faubourg",
    "passage",
    "quai",
    "sentier",
    "voie",
    "ruelle",
    "esplanade",
    "parvis",
    "promenade",
    "lotissement",
    "residence",
    "hameau",
    "lieu",
    "dit",
];

/// Words that say nothing about which street it is.
const LINKING_WORDS: &[&str] = &[
    "de", "du", "des", "la", "le", "les", "l", "d", "et", "a", "au", "aux", "en",
];

/// Suffixes of a house number: « 12 bis », « 3 ter ».
const NUMBER_SUFFIXES: &[&str] = &["bis", "ter", "quater", "quinquies"];

fn expand(word: &str) -> &str {
    ABBREVIATIONS
        .iter()
        .find(|(short, _)| *short == word)
        .map_or(word, |(_, long)| long)
}

fn is_house_number(word: &str) -> bool {
    let digits = word.chars().take_while(char::is_ascii_digit).count();
    let rest = &word[digits..];
    let suffix_ok = rest.is_empty()
        || NUMBER_SUFFIXES.contains(&rest)
        || (rest.len() == 1 && rest.chars().all(|c| c.is_ascii_lowercase()));
    (1..=4).contains(&digits) && suffix_ok
}

fn is_postcode(word: &str) -> bool {
    word.len() == 5 && word.chars().all(|c| c.is_ascii_digit())
}

/// A typed address, understood: its house number as typed, and the words that name
/// the street, split into the kind (rue, avenue…) and the name proper.
#[derive(Debug, PartialEq)]
struct Query {
    number: Option<String>,
    kinds: Vec<String>,
    names: Vec<String>,
}

fn parse_query(query: &str) -> Query {
    let normalised = normalise(query);
    let mut words = normalised.split(' ').filter(|w| !w.is_empty()).peekable();
    let mut number = None;
    if let Some(first) = words.peek()
        && is_house_number(first)
    {
        let mut n = (*first).to_string();
        words.next();
        if let Some(suffix) = words.peek()
            && NUMBER_SUFFIXES.contains(suffix)
        {
            n.push(' ');
            n.push_str(suffix);
            words.next();
        }
        number = Some(n);
    }
    let mut kinds = Vec::new();
    let mut names = Vec::new();
    for word in words {
        // The postcode and the town after it name the commune, not the street.
        if is_postcode(word) {
            break;
        }
        let word = expand(word);
        if LINKING_WORDS.contains(&word) {
            continue;
        }
        if STREET_KINDS.contains(&word) {
            kinds.push(word.to_string());
        } else {
            names.push(word.to_string());
        }
    }
    Query {
        number,
        kinds,
        names,
    }
}

/// At most one insertion, deletion, substitution or swap of two neighbours apart.
fn within_one_edit(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let (ra, rb) = (&a[prefix..], &b[prefix..]);
    let suffix = ra
        .iter()
        .rev()
        .zip(rb.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (ma, mb) = (&ra[..ra.len() - suffix], &rb[..rb.len() - suffix]);
    match (ma.len(), mb.len()) {
        (0, 0) | (0, 1) | (1, 0) | (1, 1) => true,
        (2, 2) => ma[0] == mb[1] && ma[1] == mb[0],
        _ => false,
    }
}

/// How well one typed word names one word of the street: exactly, as the start of it
/// (typing in progress), or with one typo in a long word.
fn word_score(typed: &str, word: &str) -> i32 {
    if typed == word {
        6
    } else if typed.len() >= 3 && word.starts_with(typed) {
        4
    } else if typed.len() >= 5 && within_one_edit(typed, word) {
        3
    } else {
        0
    }
}

/// How well the typed address names the street; `None` when it does not.
fn street_score(query: &Query, street: &StreetPoint) -> Option<i32> {
    let name = if street.normalised.is_empty() {
        normalise(&street.name)
    } else {
        street.normalised.clone()
    };
    let words: Vec<&str> = name
        .split(' ')
        .filter(|w| !w.is_empty() && !LINKING_WORDS.contains(w))
        .collect();
    let best = |typed: &str| {
        words
            .iter()
            .map(|w| word_score(typed, w))
            .max()
            .unwrap_or(0)
    };
    let mut score = 0;
    let mut matched = 0;
    for typed in &query.names {
        let s = best(typed);
        if s > 0 {
            matched += 1;
            score += s;
        } else {
            score -= 3;
        }
    }
    let mut kind_matched = 0;
    for typed in &query.kinds {
        if words.contains(&typed.as_str()) {
            kind_matched += 1;
            score += 2;
        } else {
            score -= 1;
        }
    }
    let enough = if query.names.is_empty() {
        kind_matched > 0
    } else {
        // Half the name at least: « rue de la republique demo » still finds the street,
        // « rue de lyon » does not find every « rue ».
        matched > 0 && matched * 2 >= query.names.len()
    };
    if !enough {
        return None;
    }
    // Words of the street nobody typed: the shorter, closer name comes first.
    let typed_words = query.names.len() + query.kinds.len();
    score -= words.len().saturating_sub(typed_words) as i32;
    Some(score)
}

/// Streets of the commune matching a typed address, best first; the house number typed
/// is kept in the label (« 12 Rue de la République »). Pure.
pub fn match_streets(query: &str, streets: &[StreetPoint], limit: usize) -> Vec<Found> {
    let query = parse_query(query);
    if query.names.is_empty() && query.kinds.is_empty() {
        return Vec::new();
    }
    let mut scored: Vec<(i32, &StreetPoint)> = streets
        .iter()
        .filter_map(|s| street_score(&query, s).map(|score| (score, s)))
        .collect();
    scored.sort_by(|(a, sa), (b, sb)| b.cmp(a).then_with(|| sa.name.cmp(&sb.name)));
    scored
        .into_iter()
        .take(limit)
        .map(|(_, street)| Found {
            label: match &query.number {
                Some(n) => format!("{n} {}", street.name),
                None => street.name.clone(),
            },
            point: street.point,
            postcode: street.postcode.clone(),
            source: FoundSource::Streets,
        })
        .collect()
}

/// The nearest street within [`REVERSE_RADIUS_M`] of a pin, to show « près de Rue du
/// Stade ». Pure.
pub fn reverse_label(point: Point, streets: &[StreetPoint]) -> Option<String> {
    streets
        .iter()
        .map(|s| (distance_m(point, s.point), s))
        .filter(|(d, _)| *d <= REVERSE_RADIUS_M)
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, s)| s.name.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn streets() -> Vec<StreetPoint> {
        crate::demo::STREETS
            .iter()
            .map(|(name, lat, lon)| StreetPoint {
                name: (*name).into(),
                normalised: normalise(name),
                postcode: crate::demo::POSTCODE.into(),
                point: Point {
                    lat: *lat,
                    lon: *lon,
                },
            })
            .collect()
    }

    fn labels(query: &str) -> Vec<String> {
        match_streets(query, &streets(), 10)
            .into_iter()
            .map(|f| f.label)
            .collect()
    }

    fn first(query: &str) -> Option<String> {
        labels(query).into_iter().next()
    }

    #[test]
    fn a_full_address_keeps_its_house_number() {
        let found = match_streets("12 rue de la republique", &streets(), 5);
        assert_eq!(found[0].label, "12 Rue de la République");
        assert_eq!(found[0].postcode, "00000");
        assert_eq!(found[0].source, FoundSource::Streets);
        assert_eq!(
            found[0].point,
            Point {
                lat: 45.7633,
                lon: 4.8362
            }
        );
        assert_eq!(
            first("3 bis, Rue des Écoles"),
            Some("3 bis Rue des Écoles".into())
        );
        assert_eq!(first("7b rue pasteur"), Some("7b Rue Pasteur".into()));
    }

    #[test]
    fn case_accents_and_hyphens_do_not_matter() {
        assert_eq!(first("Rue Victor Hugo"), Some("Rue Victor-Hugo".into()));
        assert_eq!(first("RUE VICTOR-HUGO"), Some("Rue Victor-Hugo".into()));
        assert_eq!(
            first("allée des tilleuls"),
            Some("Allée des Tilleuls".into())
        );
        assert_eq!(first("rue des ecoles"), Some("Rue des Écoles".into()));
    }

    #[test]
    fn common_abbreviations_are_understood() {
        assert_eq!(first("av jean jaures"), Some("Avenue Jean-Jaurès".into()));
        assert_eq!(first("Av. Jean Jaurès"), Some("Avenue Jean-Jaurès".into()));
        assert_eq!(
            first("bd de la plaine"),
            Some("Boulevard de la Plaine".into())
        );
        assert_eq!(
            first("bld de la plaine"),
            Some("Boulevard de la Plaine".into())
        );
        assert_eq!(first("pl de la mairie"), Some("Place de la Mairie".into()));
        assert_eq!(
            first("imp des peupliers"),
            Some("Impasse des Peupliers".into())
        );
        assert_eq!(first("ch des vignes"), Some("Chemin des Vignes".into()));
        assert_eq!(first("rte de lyon"), Some("Route de Lyon".into()));
        assert_eq!(first("all des tilleuls"), Some("Allée des Tilleuls".into()));
        assert_eq!(first("4 r du stade"), Some("4 Rue du Stade".into()));
    }

    #[test]
    fn the_best_match_comes_first() {
        let streets = vec![
            StreetPoint {
                name: "Rue Louis Pasteur Prolongée".into(),
                normalised: normalise("Rue Louis Pasteur Prolongée"),
                postcode: "00000".into(),
                point: Point {
                    lat: 45.76,
                    lon: 4.83,
                },
            },
            StreetPoint {
                name: "Avenue Pasteur".into(),
                normalised: normalise("Avenue Pasteur"),
                postcode: "00000".into(),
                point: Point {
                    lat: 45.76,
                    lon: 4.83,
                },
            },
            StreetPoint {
                name: "Rue Pasteur".into(),
                normalised: normalise("Rue Pasteur"),
                postcode: "00000".into(),
                point: Point {
                    lat: 45.76,
                    lon: 4.83,
                },
            },
        ];
        let found: Vec<String> = match_streets("rue pasteur", &streets, 10)
            .into_iter()
            .map(|f| f.label)
            .collect();
        assert_eq!(
            found,
            [
                "Rue Pasteur",
                "Rue Louis Pasteur Prolongée",
                "Avenue Pasteur"
            ]
        );
        let avenue: Vec<String> = match_streets("av pasteur", &streets, 10)
            .into_iter()
            .map(|f| f.label)
            .collect();
        assert_eq!(avenue[0], "Avenue Pasteur");
        assert_eq!(
            match_streets("pasteur", &streets, 2).len(),
            2,
            "the limit holds"
        );
    }

    #[test]
    fn a_wrong_kind_of_street_or_a_typo_still_finds_it() {
        assert_eq!(first("rue jean jaures"), Some("Avenue Jean-Jaurès".into()));
        assert_eq!(
            first("rue de la republqiue"),
            Some("Rue de la République".into())
        );
        assert_eq!(first("rue de la repu"), Some("Rue de la République".into()));
        assert_eq!(first("tilleuls"), Some("Allée des Tilleuls".into()));
    }

    #[test]
    fn the_postcode_and_town_are_ignored() {
        assert_eq!(
            first("12 rue de la République, 00000 Démo"),
            Some("12 Rue de la République".into())
        );
        assert_eq!(
            first("12 rue de la République Démo"),
            Some("12 Rue de la République".into())
        );
    }

    #[test]
    fn unrelated_queries_find_nothing() {
        assert!(
            labels("rue de paris").is_empty(),
            "{:?}",
            labels("rue de paris")
        );
        assert!(labels("boulangerie").is_empty());
        assert!(labels("").is_empty());
        assert!(labels("  , ; ").is_empty());
        assert!(labels("12").is_empty());
        assert!(labels("de la").is_empty());
    }

    #[test]
    fn a_kind_alone_lists_the_streets_of_that_kind() {
        let places = labels("place");
        assert_eq!(places, ["Place de la Mairie"]);
        let rues = labels("rue");
        assert!(rues.iter().all(|l| l.starts_with("Rue ")), "{rues:?}");
        assert_eq!(rues.len(), 5);
    }

    #[test]
    fn one_edit_apart() {
        assert!(within_one_edit("republique", "republique"));
        assert!(within_one_edit("republique", "republiqe"));
        assert!(within_one_edit("republique", "republiquee"));
        assert!(within_one_edit("republique", "repuclique"));
        assert!(within_one_edit("republique", "repulbique"));
        assert!(!within_one_edit("republique", "repbulqiue"));
        assert!(!within_one_edit("pasteur", "peupliers"));
    }

    #[test]
    fn house_numbers_and_postcodes() {
        assert!(is_house_number("12"));
        assert!(is_house_number("7b"));
        assert!(is_house_number("12bis"));
        assert!(!is_house_number("12bis7"));
        assert!(!is_house_number("rue"));
        assert!(!is_house_number("00000"));
        assert!(is_postcode("69001"));
        assert_eq!(
            parse_query("12 bis av. J. Jaurès 69001 Lyon"),
            Query {
                number: Some("12 bis".into()),
                kinds: vec!["avenue".into()],
                names: vec!["j".into(), "jaures".into()],
            }
        );
    }

    #[test]
    fn the_nearest_street_within_300_m_names_a_pin() {
        let streets = streets();
        // A few metres from the stadium's street point.
        let near_stadium = Point {
            lat: 45.7704,
            lon: 4.8399,
        };
        assert_eq!(
            reverse_label(near_stadium, &streets),
            Some("Rue du Stade".into())
        );
        let at_town_hall = Point {
            lat: 45.7641,
            lon: 4.8357,
        };
        assert_eq!(
            reverse_label(at_town_hall, &streets),
            Some("Place de la Mairie".into())
        );
        // About 1 km east of every street.
        let in_the_fields = Point {
            lat: 45.7702,
            lon: 4.8530,
        };
        assert_eq!(reverse_label(in_the_fields, &streets), None);
        assert_eq!(reverse_label(at_town_hall, &[]), None);
    }

    #[test]
    fn a_national_answer_is_read_and_bad_features_skipped() {
        let body = br#"{"type":"FeatureCollection","features":[
            {"type":"Feature","geometry":{"type":"Point","coordinates":[4.8402,45.7612]},
             "properties":{"label":"8 Rue Pasteur 00000 Demo","postcode":"00000","score":0.9}},
            {"type":"Feature","geometry":{"type":"Point","coordinates":[4.8402]},
             "properties":{"label":"Only a longitude"}},
            {"type":"Feature","geometry":{"type":"Point","coordinates":[4.8,95.0]},
             "properties":{"label":"Beyond the pole"}},
            {"type":"Feature","geometry":{"type":"Point","coordinates":[4.8,45.7]},
             "properties":{"label":"  "}},
            {"type":"Feature","properties":{"label":"No geometry"}},
            {"type":"Feature","geometry":{"type":"Point","coordinates":[4.8331,45.7622]},
             "properties":{"label":"Rue Victor-Hugo 00000 Demo"}}
        ]}"#;
        let found = parse_features(body).unwrap();
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].label, "8 Rue Pasteur 00000 Demo");
        assert_eq!(
            found[0].point,
            Point {
                lat: 45.7612,
                lon: 4.8402
            }
        );
        assert_eq!(found[0].postcode, "00000");
        assert_eq!(found[0].source, FoundSource::National);
        assert_eq!(found[1].postcode, "");
        assert!(parse_features(b"<html>maintenance</html>").is_err());
        assert!(parse_features(br#"{"error":"q is required"}"#).is_err());
    }
}
