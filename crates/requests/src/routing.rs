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
    /// And, optionally, one of its teams.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_id: Option<String>,
}

/// Where a request goes: a service, and perhaps one of its teams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Destination<'a> {
    pub service_id: &'a str,
    pub team_id: Option<&'a str>,
}

/// A street of the commune and the district it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Street {
    pub name: String,
    pub district: String,
}

pub use kernel::text::normalise as normalise_street;

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

/// The service (and team) in charge: the first rule that holds, else the procedure's
/// service, with no team.
pub fn route<'a>(
    rules: &'a [RoutingRule],
    answers: &Answers,
    streets: &[Street],
    default_service: &'a str,
) -> Destination<'a> {
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
        .map(|rule| Destination {
            service_id: rule.service_id.as_str(),
            team_id: rule.team_id.as_deref(),
        })
        .unwrap_or(Destination {
            service_id: default_service,
            team_id: None,
        })
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
                team_id: None,
            },
            RoutingRule {
                condition: RouteCondition::District {
                    field: "adresse".into(),
                    district: "Les Coteaux".into(),
                },
                service_id: "mairie-annexe".into(),
                team_id: Some("equipe-coteaux".into()),
            },
        ]
    }

    fn to(service_id: &'static str, team_id: Option<&'static str>) -> Destination<'static> {
        Destination {
            service_id,
            team_id,
        }
    }

    #[test]
    fn the_first_rule_that_holds_wins() {
        let rules = rules();
        let s = streets();
        assert_eq!(
            route(&rules, &answers(&[("objet", "Terrasse")]), &s, "voirie"),
            to("voirie", None)
        );
        assert_eq!(
            route(&rules, &answers(&[("objet", "Échafaudage")]), &s, "voirie"),
            to("urbanisme", None)
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
            to("mairie-annexe", Some("equipe-coteaux"))
        );
    }

    #[test]
    fn a_rule_may_name_a_team_of_its_service() {
        let rules = vec![
            RoutingRule {
                condition: RouteCondition::District {
                    field: "adresse".into(),
                    district: "Centre".into(),
                },
                service_id: "voirie".into(),
                team_id: Some("equipe-nord".into()),
            },
            RoutingRule {
                condition: RouteCondition::Answer {
                    field: "objet".into(),
                    equals: "Benne".into(),
                },
                service_id: "voirie".into(),
                team_id: None,
            },
        ];
        let s = streets();
        let centre = route(
            &rules,
            &answers(&[("adresse", "3 rue de l'Église")]),
            &s,
            "accueil",
        );
        assert_eq!(centre, to("voirie", Some("equipe-nord")));
        // The team comes with its rule only: a later rule without a team gives none.
        let benne = route(
            &rules,
            &answers(&[("adresse", "1 chemin des Vignes"), ("objet", "Benne")]),
            &s,
            "accueil",
        );
        assert_eq!(benne, to("voirie", None));
        // No rule holds: the procedure's service, without a team.
        let none = route(&rules, &answers(&[("objet", "Terrasse")]), &s, "accueil");
        assert_eq!(none, to("accueil", None));
    }

    #[test]
    fn a_rule_without_a_team_reads_as_before() {
        let old: RoutingRule = serde_json::from_str(
            r#"{"condition":{"when":"answer","field":"objet","equals":"Benne"},"service_id":"voirie"}"#,
        )
        .unwrap();
        assert_eq!(old.team_id, None);
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
            prop_assert!(["voirie", "urbanisme", "mairie-annexe"].contains(&chosen.service_id));
            // A team is only ever the one of the rule that chose the service.
            if let Some(team) = chosen.team_id {
                prop_assert!(rules.iter().any(|r| r.service_id == chosen.service_id && r.team_id.as_deref() == Some(team)));
            }
        }

        #[test]
        fn normalising_is_idempotent(text in ".{0,40}") {
            let once = normalise_street(&text);
            prop_assert_eq!(normalise_street(&once), once.clone());
        }
    }
}
