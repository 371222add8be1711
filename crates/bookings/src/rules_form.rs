//! The administrator's form of an activity's booking rules, and back: what a form says
//! becomes typed rules (or every problem next to its field), and typed rules fill the
//! form. Pure, so that every combination is tested without a browser.

use std::collections::HashMap;

use jiff::civil::Time;

use crate::calendar::weekday_code;
use crate::deadlines::{Anchor, BookingRules, Cutoff, DayAnchor, LateBooking, Modifier};

/// A problem with what was typed: the field and a sentence in French.
pub type Problem = (String, String);

/// The form's fields, by name.
pub type Fields = HashMap<String, String>;

fn time_of(raw: &str) -> Option<Time> {
    let (h, m) = raw.trim().split_once(':')?;
    Time::new(h.parse().ok()?, m.parse().ok()?, 0, 0).ok()
}

fn time_text(t: Time) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

fn cutoff_of(prefix: &str, f: &Fields, problems: &mut Vec<Problem>) -> Option<Cutoff> {
    let get = |k: &str| {
        f.get(&format!("{prefix}_{k}"))
            .map(|v| v.trim())
            .unwrap_or("")
    };
    let field = |k: &str| format!("{prefix}_{k}");
    let number = |k: &str, max: u16, problems: &mut Vec<Problem>| match get(k).parse::<u16>() {
        Ok(n) if n <= max => Some(n),
        _ => {
            problems.push((
                field(k),
                format!("Indiquez un nombre entier entre 0 et {max}."),
            ));
            None
        }
    };
    let at = |problems: &mut Vec<Problem>| match time_of(get("time")) {
        Some(t) => Some(t),
        None => {
            problems.push((field("time"), "Indiquez une heure au format 12:00.".into()));
            None
        }
    };
    match get("type") {
        "jours" => {
            let days = number("days", 250, problems);
            let at = at(problems);
            Some(Cutoff::DaysBefore {
                days: days?,
                at: at?,
            })
        }
        "jours-ouvres" => {
            let days = number("days", 250, problems);
            let at = at(problems);
            Some(Cutoff::WorkingDaysBefore {
                days: days?,
                at: at?,
            })
        }
        "heures" => Some(Cutoff::HoursBefore {
            hours: number("hours", 24 * 366, problems)?,
        }),
        "semaine" => {
            let weekday = weekday_code::parse(get("weekday"));
            if weekday.is_none() {
                problems.push((field("weekday"), "Choisissez un jour de la semaine.".into()));
            }
            let weeks = match get("weeks").parse::<u8>() {
                Ok(w) if w <= 4 => Some(w),
                _ => {
                    problems.push((
                        field("weeks"),
                        "Indiquez 0 (la même semaine) à 4 semaines avant.".into(),
                    ));
                    None
                }
            };
            let at = at(problems);
            let by_weekday = day_anchors_of(&field("by_weekday"), get("by_weekday"), problems);
            Some(Cutoff::Anchored {
                default: Anchor {
                    weekday: weekday?,
                    at: at?,
                    weeks_before: weeks?,
                },
                by_weekday,
            })
        }
        _ => {
            problems.push((field("type"), "Choisissez une règle dans la liste.".into()));
            None
        }
    }
}

/// Per-weekday anchors, one per line: « lundi : jeudi 09:00 » (the Thursday of the week
/// before, at 9:00, for a Monday), « vendredi : mardi 23:59 ; 2 » (two weeks before). The
/// weeks default to 1.
fn day_anchors_of(field: &str, text: &str, problems: &mut Vec<Problem>) -> Vec<DayAnchor> {
    let mut out: Vec<DayAnchor> = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty())
    {
        let parsed = (|| {
            let (day, rest) = line.split_once(':')?;
            let day = weekday_code::parse(day.trim().to_lowercase().as_str())?;
            let (anchor, weeks) = match rest.split_once(';') {
                Some((a, w)) => (a.trim(), w.trim().parse::<u8>().ok().filter(|w| *w <= 4)?),
                None => (rest.trim(), 1),
            };
            let (weekday, at) = anchor.split_once(' ')?;
            Some(DayAnchor {
                day,
                anchor: Anchor {
                    weekday: weekday_code::parse(weekday.trim().to_lowercase().as_str())?,
                    at: time_of(at)?,
                    weeks_before: weeks,
                },
            })
        })();
        match parsed {
            Some(a) if out.iter().any(|o| o.day == a.day) => problems.push((
                field.to_string(),
                format!("Ligne {n} : ce jour a déjà sa règle plus haut."),
            )),
            Some(a) => out.push(a),
            None => problems.push((
                field.to_string(),
                format!(
                    "Ligne {n} : écrivez « jour du service : jour heure », par exemple « lundi : jeudi 09:00 », suivi si besoin de « ; 2 » pour deux semaines avant."
                ),
            )),
        }
    }
    out
}

fn day_anchors_text(anchors: &[DayAnchor]) -> String {
    anchors
        .iter()
        .map(|a| {
            let mut line = format!(
                "{} : {} {}",
                weekday_code::code(a.day),
                weekday_code::code(a.anchor.weekday),
                time_text(a.anchor.at)
            );
            if a.anchor.weeks_before != 1 {
                line.push_str(&format!(" ; {}", a.anchor.weeks_before));
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub(crate) fn cents_of(raw: &str) -> Option<i64> {
    let raw = raw
        .trim()
        .replace(['€', ' ', '\u{a0}'], "")
        .replace(',', ".");
    let (euros, cents) = match raw.split_once('.') {
        Some((e, c)) if c.len() <= 2 => (e, format!("{c:0<2}")),
        Some(_) => return None,
        None => (raw.as_str(), "00".to_string()),
    };
    let euros: i64 = if euros.is_empty() {
        0
    } else {
        euros.parse().ok()?
    };
    Some(euros * 100 + cents.parse::<i64>().ok()?)
}

/// Reads the form into rules.
pub fn parse(f: &Fields) -> Result<BookingRules, Vec<Problem>> {
    let mut problems = Vec::new();
    let starts_at = time_of(f.get("starts_at").map(String::as_str).unwrap_or(""));
    if starts_at.is_none() {
        problems.push((
            "starts_at".to_string(),
            "Indiquez l'heure de début du service, par exemple 11:45.".to_string(),
        ));
    }
    let booking = cutoff_of("booking", f, &mut problems);
    let cancellation = cutoff_of("cancellation", f, &mut problems);
    let late = match f.get("late_type").map(|v| v.trim()).unwrap_or("aucune") {
        "aucune" | "" => None,
        _ => {
            let until = cutoff_of("late", f, &mut problems);
            let value = f.get("late_value").map(String::as_str).unwrap_or("");
            let surcharge = match f.get("late_surcharge").map(|v| v.trim()).unwrap_or("") {
                "fixe" => cents_of(value).map(Modifier::Fixed),
                "pourcentage" => value
                    .trim()
                    .replace(',', ".")
                    .parse::<f64>()
                    .ok()
                    .filter(|p| (0.0..=1000.0).contains(p))
                    .map(|p| Modifier::Percent((p * 100.0).round() as i64)),
                _ => None,
            };
            if surcharge.is_none() {
                problems.push((
                    "late_value".to_string(),
                    "Indiquez la majoration : un montant (1,00) ou un pourcentage (50)."
                        .to_string(),
                ));
            }
            match (until, surcharge) {
                (Some(until), Some(surcharge)) => Some(LateBooking { until, surcharge }),
                _ => None,
            }
        }
    };
    let (Some(starts_at), Some(booking), Some(cancellation), true) =
        (starts_at, booking, cancellation, problems.is_empty())
    else {
        return Err(problems);
    };
    let rules = BookingRules {
        starts_at,
        booking,
        cancellation,
        late,
    };
    if let Err(e) = rules.check() {
        return Err(vec![("booking_type".to_string(), e.to_string())]);
    }
    if let Some(late) = &rules.late {
        let sample = jiff::civil::date(2025, 9, 8);
        if late.until.closes_at(sample, starts_at) <= rules.booking.closes_at(sample, starts_at) {
            return Err(vec![(
                "late_type".to_string(),
                "La réservation de dernière minute doit fermer après la réservation normale."
                    .to_string(),
            )]);
        }
    }
    Ok(rules)
}

fn fill_cutoff(prefix: &str, c: &Cutoff, f: &mut Fields) {
    let mut set = |k: &str, v: String| {
        f.insert(format!("{prefix}_{k}"), v);
    };
    match c {
        Cutoff::DaysBefore { days, at } => {
            set("type", "jours".into());
            set("days", days.to_string());
            set("time", time_text(*at));
        }
        Cutoff::WorkingDaysBefore { days, at } => {
            set("type", "jours-ouvres".into());
            set("days", days.to_string());
            set("time", time_text(*at));
        }
        Cutoff::HoursBefore { hours } => {
            set("type", "heures".into());
            set("hours", hours.to_string());
        }
        Cutoff::Anchored {
            default,
            by_weekday,
        } => {
            set("type", "semaine".into());
            set("weekday", weekday_code::code(default.weekday).into());
            set("weeks", default.weeks_before.to_string());
            set("time", time_text(default.at));
            set("by_weekday", day_anchors_text(by_weekday));
        }
    }
}

/// The form of existing rules.
pub fn fill(rules: &BookingRules) -> Fields {
    let mut f = Fields::new();
    f.insert("starts_at".into(), time_text(rules.starts_at));
    fill_cutoff("booking", &rules.booking, &mut f);
    fill_cutoff("cancellation", &rules.cancellation, &mut f);
    match &rules.late {
        None => {
            f.insert("late_type".into(), "aucune".into());
        }
        Some(late) => {
            fill_cutoff("late", &late.until, &mut f);
            match late.surcharge {
                Modifier::Fixed(c) => {
                    f.insert("late_surcharge".into(), "fixe".into());
                    f.insert("late_value".into(), format!("{},{:02}", c / 100, c % 100));
                }
                Modifier::Percent(h) => {
                    f.insert("late_surcharge".into(), "pourcentage".into());
                    f.insert("late_value".into(), crate::pricing::percent_fr(h));
                }
            }
        }
    }
    f
}

/// The weekdays a form offers, in order.
pub fn weekdays() -> Vec<(&'static str, &'static str)> {
    weekday_code::ALL
        .iter()
        .map(|(d, code)| (*code, crate::deadlines::weekday_fr(*d)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{Weekday, time};

    fn form(pairs: &[(&str, &str)]) -> Fields {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn per_weekday_anchors_read_back_and_wrong_lines_are_named() {
        let f = form(&[
            ("starts_at", "11:45"),
            ("booking_type", "semaine"),
            ("booking_weekday", "mardi"),
            ("booking_time", "23:59"),
            ("booking_weeks", "1"),
            (
                "booking_by_weekday",
                "lundi : jeudi 09:00\nMardi : jeudi 09:00\nvendredi : lundi 12:00 ; 2",
            ),
            ("cancellation_type", "jours"),
            ("cancellation_days", "1"),
            ("cancellation_time", "10:00"),
        ]);
        let rules = parse(&f).unwrap();
        let Cutoff::Anchored { by_weekday, .. } = &rules.booking else {
            panic!("{rules:?}");
        };
        assert_eq!(by_weekday.len(), 3);
        assert_eq!(by_weekday[2].anchor.weeks_before, 2);
        assert_eq!(parse(&fill(&rules)).unwrap(), rules);
        // « Thursday 09:00 for the following Monday and Tuesday »: Monday 7 closes on
        // Thursday 3 at 9:00, Wednesday 9 on Tuesday 1 at 23:59 (the default).
        let monday = rules
            .booking
            .closes_at(jiff::civil::date(2026, 12, 7), rules.starts_at);
        assert_eq!(monday.date(), jiff::civil::date(2026, 12, 3));
        let mut wrong = f.clone();
        wrong.insert(
            "booking_by_weekday".into(),
            "lundi jeudi\nlundi : jeudi 09:00\nlundi : mardi 10:00".into(),
        );
        let problems = parse(&wrong).unwrap_err();
        assert_eq!(problems.len(), 2);
        assert!(problems[0].1.starts_with("Ligne 1"));
        assert!(problems[1].1.starts_with("Ligne 3"));
    }

    #[test]
    fn the_demo_canteen_reads_back() {
        let rules = crate::demo::canteen("c", "École").rules;
        assert_eq!(parse(&fill(&rules)).unwrap(), rules);
    }

    #[test]
    fn every_kind_of_rule_from_the_form() {
        let f = form(&[
            ("starts_at", "11:45"),
            ("booking_type", "semaine"),
            ("booking_weekday", "mardi"),
            ("booking_weeks", "1"),
            ("booking_time", "23:00"),
            ("cancellation_type", "heures"),
            ("cancellation_hours", "72"),
            ("late_type", "jours"),
            ("late_days", "0"),
            ("late_time", "08:30"),
            ("late_surcharge", "pourcentage"),
            ("late_value", "12,5"),
        ]);
        let rules = parse(&f).unwrap();
        assert_eq!(
            rules.booking,
            Cutoff::Anchored {
                default: Anchor {
                    weekday: Weekday::Tuesday,
                    at: time(23, 0, 0, 0),
                    weeks_before: 1
                },
                by_weekday: vec![]
            }
        );
        assert_eq!(rules.cancellation, Cutoff::HoursBefore { hours: 72 });
        assert_eq!(rules.late.unwrap().surcharge, Modifier::Percent(1250));
        assert_eq!(cents_of("1,5"), Some(150));
        assert_eq!(cents_of("0,05 €"), Some(5));
        assert_eq!(cents_of("1,234"), None);
    }

    #[test]
    fn wrong_forms_say_where() {
        let problems = parse(&form(&[
            ("starts_at", "midi"),
            ("booking_type", "jours"),
            ("booking_days", "-1"),
            ("booking_time", "25:00"),
            ("cancellation_type", "?"),
            ("late_type", "jours"),
            ("late_days", "0"),
            ("late_time", "09:00"),
            ("late_surcharge", "fixe"),
            ("late_value", "beaucoup"),
        ]))
        .unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "starts_at",
                "booking_days",
                "booking_time",
                "cancellation_type",
                "late_value"
            ]
        );
        // A rule closing after the service is refused as a whole.
        let after = parse(&form(&[
            ("starts_at", "11:45"),
            ("booking_type", "jours"),
            ("booking_days", "0"),
            ("booking_time", "15:00"),
            ("cancellation_type", "jours"),
            ("cancellation_days", "1"),
            ("cancellation_time", "12:00"),
        ]))
        .unwrap_err();
        assert_eq!(after[0].0, "booking_type");
        // A last-minute window must come after the normal one.
        let late_first = parse(&form(&[
            ("starts_at", "11:45"),
            ("booking_type", "jours"),
            ("booking_days", "1"),
            ("booking_time", "12:00"),
            ("cancellation_type", "jours"),
            ("cancellation_days", "1"),
            ("cancellation_time", "12:00"),
            ("late_type", "jours"),
            ("late_days", "2"),
            ("late_time", "12:00"),
            ("late_surcharge", "fixe"),
            ("late_value", "1"),
        ]))
        .unwrap_err();
        assert_eq!(late_first[0].0, "late_type");
    }
}
