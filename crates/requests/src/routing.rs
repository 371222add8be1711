//! Which service handles a request: the procedure's own service unless a routing rule
//! sends it elsewhere, by the value of an answer or by the district of an address.
//! Pure functions; the rules are plain data the administrator edits.

use serde::{Deserialize, Serialize};

use crate::forms::Answers;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "when", rename_all = "snake_case")]
pub enum RouteCondition {
    /// The answer to this field is (or, for a multiple choice, contains) this value.
    Answer { field: String, equals: String },
    /// The address given in this field lies in this district.
    District { field: String, district: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutingRule {
    pub condition: RouteCondition,
    /// The service that receives the request when the condition holds.
    pub service_id: String,
}

/// A street of the commune and the district it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Street {
    pub name: String,
    pub district: String,
}

/// Lower case, no accents, no punctuation, single spaces: « Rue de l'Église » and
/// « rue de l eglise » are the same street.
pub fn normalise_street(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        let base = match c {
            'à' | 'â' | 'ä' | 'á' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' | 'í' => 'i',
            'ô' | 'ö' | 'ó' => 'o',
            'ù' | 'û' | 'ü' | 'ú' => 'u',
            'ç' => 'c',
            'ÿ' => 'y',
            'œ' => {
                out.push('o');
                'e'
            }
            c if c.is_alphanumeric() => c,
            _ => ' ',
        };
        if base == ' ' && (out.is_empty() || out.ends_with(' ')) {
            continue;
        }
        out.push(base);
    }
    out.trim_end().to_string()
}

/// The district of a postal address, found by the longest street name it contains (so
/// « avenue de la République prolongée » is not taken for « avenue de la République »
/// when both exist).
pub fn district_of<'a>(address: &str, streets: &'a [Street]) -> Option<&'a str> {
    let address = format!(" {} ", normalise_street(address));
    streets
        .iter()
        .filter(|s| {
            let name = normalise_street(&s.name);
            !name.is_empty() && address.contains(&format!(" {name} "))
        })
        .max_by_key(|s| s.name.len())
        .map(|s| s.district.as_str())
}

/// The service in charge: the first rule that holds, else the procedure's service.
pub fn route<'a>(
    rules: &'a [RoutingRule],
    answers: &Answers,
    streets: &[Street],
    default_service: &'a str,
) -> &'a str {
    rules
        .iter()
        .find(|rule| match &rule.condition {
            RouteCondition::Answer { field, equals } => answers
                .get(field)
                .is_some_and(|values| values.iter().any(|v| v == equals)),
            RouteCondition::District { field, district } => answers
                .get(field)
                .and_then(|values| values.first())
                .and_then(|address| district_of(address, streets))
                .is_some_and(|d| d == district),
        })
        .map(|rule| rule.service_id.as_str())
        .unwrap_or(default_service)
}

/// The number residents and agents quote: `DEM-2026-000123`, counted per year.
pub fn request_number(year: i16, sequence: i64) -> String {
    format!("DEM-{year}-{sequence:06}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn answers(pairs: &[(&str, &str)]) -> Answers {
        let mut a = Answers::new();
        for (k, v) in pairs {
            a.entry(k.to_string()).or_default().push(v.to_string());
        }
        a
    }

    fn streets() -> Vec<Street> {
        [
            ("Rue de l'Église", "Centre"),
            ("Avenue de la République", "Centre"),
            ("Avenue de la République prolongée", "Les Coteaux"),
            ("Chemin des Vignes", "Les Coteaux"),
        ]
        .into_iter()
        .map(|(name, district)| Street {
            name: name.into(),
            district: district.into(),
        })
        .collect()
    }

    fn rules() -> Vec<RoutingRule> {
        vec![
            RoutingRule {
                condition: RouteCondition::Answer {
                    field: "objet".into(),
                    equals: "Échafaudage".into(),
                },
                service_id: "urbanisme".into(),
            },
            RoutingRule {
                condition: RouteCondition::District {
                    field: "adresse".into(),
                    district: "Les Coteaux".into(),
                },
                service_id: "mairie-annexe".into(),
            },
        ]
    }

    #[test]
    fn the_first_rule_that_holds_wins() {
        let rules = rules();
        let s = streets();
        assert_eq!(
            route(&rules, &answers(&[("objet", "Terrasse")]), &s, "voirie"),
            "voirie"
        );
        assert_eq!(
            route(&rules, &answers(&[("objet", "Échafaudage")]), &s, "voirie"),
            "urbanisme"
        );
        assert_eq!(
            route(
                &rules,
                &answers(&[
                    ("objet", "Benne"),
                    ("adresse", "12 chemin des vignes, 69000")
                ]),
                &s,
                "voirie"
            ),
            "mairie-annexe"
        );
    }

    #[test]
    fn districts_are_found_whatever_the_spelling() {
        let s = streets();
        assert_eq!(district_of("3 RUE DE L EGLISE", &s), Some("Centre"));
        assert_eq!(
            district_of("8 avenue de la république prolongée", &s),
            Some("Les Coteaux")
        );
        assert_eq!(
            district_of("8, Avenue de la République", &s),
            Some("Centre")
        );
        assert_eq!(district_of("1 impasse Inconnue", &s), None);
        // A street name inside another word is not a match.
        assert_eq!(district_of("2 rue de l eglises", &s), None);
    }

    #[test]
    fn numbers_are_padded_per_year() {
        assert_eq!(request_number(2026, 123), "DEM-2026-000123");
        assert_eq!(request_number(2027, 1_234_567), "DEM-2027-1234567");
    }

    proptest! {
        #[test]
        fn routing_always_names_a_known_service(field in "[a-z]{1,6}", value in ".{0,12}") {
            let rules = rules();
            let s = streets();
            let chosen = route(&rules, &answers(&[(&field, &value)]), &s, "voirie");
            prop_assert!(["voirie", "urbanisme", "mairie-annexe"].contains(&chosen));
        }

        #[test]
        fn normalising_is_idempotent(text in ".{0,40}") {
            let once = normalise_street(&text);
            prop_assert_eq!(normalise_street(&once), once.clone());
        }
    }
}
