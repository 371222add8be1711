//! The administrator's forms of an activity's opening calendar and prices, and back: what
//! a form says becomes a typed calendar or price list (or every problem next to its
//! field), and typed values fill the form. Pure, like `rules_form`.
//!
//! Lists are typed one item per line, as agents keep them in their notes: a closed period
//! is « 19/12/2026 ; 03/01/2027 ; Vacances de Noël », a bracket « 1000 ; 3,20 » (the last
//! one without a ceiling: « ; 4,49 »).

use jiff::civil::Date;

use crate::calendar::{ClosedPeriod, OpeningCalendar, weekday_code};
use crate::deadlines::Modifier;
use crate::pricing::{Bracket, Excuse, PresenceRule, PriceGrid, Pricing, euros};
use crate::rules_form::{Fields, Problem, cents_of};

fn date_text(d: Date) -> String {
    d.strftime("%d/%m/%Y").to_string()
}

fn get<'a>(f: &'a Fields, key: &str) -> &'a str {
    f.get(key).map(|v| v.trim()).unwrap_or("")
}

fn checked(f: &Fields, key: &str) -> bool {
    get(f, key) == "oui"
}

fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty())
}

fn dates_of(field: &str, f: &Fields, problems: &mut Vec<Problem>) -> Vec<Date> {
    let mut out = Vec::new();
    for (n, line) in lines(get(f, field)) {
        match family::rules::parse_date(line) {
            Some(d) if !out.contains(&d) => out.push(d),
            Some(_) => {}
            None => problems.push((
                field.to_string(),
                format!("Ligne {n} : « {line} » n'est pas une date jj/mm/aaaa."),
            )),
        }
    }
    out.sort();
    out
}

/// The calendar a form describes.
pub fn parse_calendar(f: &Fields) -> Result<OpeningCalendar, Vec<Problem>> {
    let mut problems = Vec::new();
    let weekdays: Vec<_> = weekday_code::ALL
        .iter()
        .filter(|(_, code)| checked(f, &format!("jour_{code}")))
        .map(|(d, _)| *d)
        .collect();
    if weekdays.is_empty() {
        problems.push((
            "jours".into(),
            "Cochez au moins un jour de fonctionnement.".into(),
        ));
    }
    let day = |key: &str, what: &str, problems: &mut Vec<Problem>| {
        let parsed = family::rules::parse_date(get(f, key));
        if parsed.is_none() {
            problems.push((key.into(), format!("Indiquez {what} au format jj/mm/aaaa.")));
        }
        parsed
    };
    let first_day = day("first_day", "le premier jour", &mut problems);
    let last_day = day("last_day", "le dernier jour", &mut problems);
    if let (Some(first), Some(last)) = (first_day, last_day)
        && last < first
    {
        problems.push((
            "last_day".into(),
            "Le dernier jour doit suivre le premier.".into(),
        ));
    }
    let mut closed_periods = Vec::new();
    for (n, line) in lines(get(f, "periods")) {
        let cells: Vec<&str> = line.split(';').map(str::trim).collect();
        let period = match cells.as_slice() {
            [first, last, label] if !label.is_empty() => {
                match (
                    family::rules::parse_date(first),
                    family::rules::parse_date(last),
                ) {
                    (Some(first), Some(last)) if first <= last => Some(ClosedPeriod {
                        first,
                        last,
                        label: label.to_string(),
                    }),
                    _ => None,
                }
            }
            _ => None,
        };
        match period {
            Some(p) => closed_periods.push(p),
            None => problems.push((
                "periods".into(),
                format!(
                    "Ligne {n} : écrivez « premier jour ; dernier jour ; nom », par exemple « 19/12/2026 ; 03/01/2027 ; Vacances de Noël »."
                ),
            )),
        }
    }
    closed_periods.sort_by_key(|p| p.first);
    let closed_days = dates_of("closed_days", f, &mut problems);
    let open_days = dates_of("open_days", f, &mut problems);
    if let Some(both) = closed_days.iter().find(|d| open_days.contains(d)) {
        problems.push((
            "open_days".into(),
            format!(
                "Le {} ne peut pas être à la fois fermé et ouvert.",
                date_text(*both)
            ),
        ));
    }
    match (first_day, last_day, problems.is_empty()) {
        (Some(first_day), Some(last_day), true) => Ok(OpeningCalendar {
            weekdays,
            first_day,
            last_day,
            closed_periods,
            closed_on_public_holidays: checked(f, "public_holidays"),
            closed_days,
            open_days,
        }),
        _ => Err(problems),
    }
}

/// The form of a calendar.
pub fn fill_calendar(c: &OpeningCalendar) -> Fields {
    let mut f = Fields::new();
    for (day, code) in weekday_code::ALL {
        if c.weekdays.contains(&day) {
            f.insert(format!("jour_{code}"), "oui".into());
        }
    }
    f.insert("first_day".into(), date_text(c.first_day));
    f.insert("last_day".into(), date_text(c.last_day));
    if c.closed_on_public_holidays {
        f.insert("public_holidays".into(), "oui".into());
    }
    let periods: Vec<String> = c
        .closed_periods
        .iter()
        .map(|p| {
            format!(
                "{} ; {} ; {}",
                date_text(p.first),
                date_text(p.last),
                p.label
            )
        })
        .collect();
    f.insert("periods".into(), periods.join("\n"));
    let list = |days: &[Date]| {
        days.iter()
            .map(|d| date_text(*d))
            .collect::<Vec<_>>()
            .join("\n")
    };
    f.insert("closed_days".into(), list(&c.closed_days));
    f.insert("open_days".into(), list(&c.open_days));
    f
}

fn euros_text(cents: i64) -> String {
    euros(cents).trim_end_matches(" €").to_string()
}

/// The prices a form describes.
pub fn parse_pricing(f: &Fields) -> Result<Pricing, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut brackets = Vec::new();
    for (n, line) in lines(get(f, "brackets")) {
        let bracket = match line
            .split(';')
            .map(str::trim)
            .collect::<Vec<_>>()
            .as_slice()
        {
            [ceiling, price] => {
                let up_to = if ceiling.is_empty() {
                    Some(None)
                } else {
                    ceiling
                        .replace([' ', '\u{a0}'], "")
                        .parse::<u32>()
                        .ok()
                        .map(Some)
                };
                match (up_to, cents_of(price)) {
                    (Some(up_to), Some(cents)) => Some(Bracket { up_to, cents }),
                    _ => None,
                }
            }
            _ => None,
        };
        match bracket {
            Some(b) => brackets.push(b),
            None => problems.push((
                "brackets".into(),
                format!(
                    "Ligne {n} : écrivez « plafond du quotient ; prix », par exemple « 1000 ; 3,20 », et « ; 4,49 » pour la dernière tranche."
                ),
            )),
        }
    }
    let grid = PriceGrid { brackets };
    if problems.is_empty()
        && let Err(e) = grid.check()
    {
        problems.push((
            "brackets".into(),
            format!("{}.", capitalised(&e.to_string())),
        ));
    }
    let value = get(f, "presence_value");
    let unbooked_presence = match get(f, "presence_type") {
        "fixe" => cents_of(value).filter(|c| *c >= 0).map(PresenceRule::Fixed),
        "majoration" => cents_of(value).map(|c| PresenceRule::Bracket(Modifier::Fixed(c))),
        "pourcentage" => value
            .replace(['%', ' '], "")
            .replace(',', ".")
            .parse::<f64>()
            .ok()
            .filter(|p| (-100.0..=1000.0).contains(p))
            .map(|p| PresenceRule::Bracket(Modifier::Percent((p * 100.0).round() as i64))),
        _ => None,
    };
    if unbooked_presence.is_none() {
        problems.push((
            "presence_value".into(),
            "Choisissez la règle de la présence sans réservation et indiquez sa valeur (un montant comme 7,50 ou un pourcentage comme 50).".into(),
        ));
    }
    let excuses = [
        Excuse::MedicalCertificate,
        Excuse::Strike,
        Excuse::SchoolTrip,
        Excuse::TeacherAbsent,
    ]
    .into_iter()
    .filter(|e| checked(f, &format!("excuse_{}", e.code())))
    .collect();
    match (unbooked_presence, problems.is_empty()) {
        (Some(unbooked_presence), true) => Ok(Pricing {
            grid,
            late_cancellation_charged: checked(f, "late_cancellation_charged"),
            absence_charged: checked(f, "absence_charged"),
            unbooked_presence,
            excuses,
        }),
        _ => Err(problems),
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The form of a price list.
pub fn fill_pricing(p: &Pricing) -> Fields {
    let mut f = Fields::new();
    let brackets: Vec<String> = p
        .grid
        .brackets
        .iter()
        .map(|b| {
            format!(
                "{} ; {}",
                b.up_to.map(|u| u.to_string()).unwrap_or_default(),
                euros_text(b.cents)
            )
        })
        .collect();
    f.insert("brackets".into(), brackets.join("\n"));
    if p.late_cancellation_charged {
        f.insert("late_cancellation_charged".into(), "oui".into());
    }
    if p.absence_charged {
        f.insert("absence_charged".into(), "oui".into());
    }
    let (kind, value) = match p.unbooked_presence {
        PresenceRule::Fixed(c) => ("fixe", euros_text(c)),
        PresenceRule::Bracket(Modifier::Fixed(c)) => ("majoration", euros_text(c)),
        PresenceRule::Bracket(Modifier::Percent(h)) => {
            ("pourcentage", crate::pricing::percent_fr(h))
        }
    };
    f.insert("presence_type".into(), kind.into());
    f.insert("presence_value".into(), value);
    for e in &p.excuses {
        f.insert(format!("excuse_{}", e.code()), "oui".into());
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{Weekday, date};

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_demo_calendar_and_prices_go_through_their_forms_unchanged() {
        let calendar = crate::demo::school_year();
        assert_eq!(parse_calendar(&fill_calendar(&calendar)).unwrap(), calendar);
        let canteen = crate::demo::canteen("cantine", "École");
        assert_eq!(
            parse_pricing(&fill_pricing(&canteen.pricing)).unwrap(),
            canteen.pricing
        );
    }

    #[test]
    fn a_calendar_form_gives_weekdays_periods_and_exceptions() {
        let calendar = parse_calendar(&fields(&[
            ("jour_lundi", "oui"),
            ("jour_mardi", "oui"),
            ("jour_jeudi", "oui"),
            ("jour_vendredi", "oui"),
            ("first_day", "01/09/2026"),
            ("last_day", "2027-07-03"),
            ("public_holidays", "oui"),
            (
                "periods",
                "19/12/2026 ; 03/01/2027 ; Vacances de Noël\n\n17/10/2026;01/11/2026;Toussaint",
            ),
            ("closed_days", "15/01/2027\n15/01/2027"),
            ("open_days", "16/06/2027"),
        ]))
        .unwrap();
        assert_eq!(
            calendar.weekdays,
            [
                Weekday::Monday,
                Weekday::Tuesday,
                Weekday::Thursday,
                Weekday::Friday
            ]
        );
        assert_eq!(calendar.closed_periods[0].label, "Toussaint");
        assert_eq!(calendar.closed_days, [date(2027, 1, 15)]);
        assert!(calendar.is_open(date(2027, 6, 16)));
        assert!(!calendar.is_open(date(2027, 1, 15)));
    }

    #[test]
    fn every_calendar_problem_is_next_to_its_field() {
        let problems = parse_calendar(&fields(&[
            ("first_day", "01/09/2026"),
            ("last_day", "01/08/2026"),
            ("periods", "19/12/2026 ; Noël"),
            ("closed_days", "demain"),
            ("open_days", ""),
        ]))
        .unwrap_err();
        let fields: Vec<_> = problems.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["jours", "last_day", "periods", "closed_days"]);
        let both = parse_calendar(&fields_with_both()).unwrap_err();
        assert_eq!(both[0].0, "open_days");
    }

    fn fields_with_both() -> Fields {
        fields(&[
            ("jour_lundi", "oui"),
            ("first_day", "01/09/2026"),
            ("last_day", "03/07/2027"),
            ("closed_days", "15/01/2027"),
            ("open_days", "15/01/2027"),
        ])
    }

    #[test]
    fn a_price_form_gives_the_grid_and_the_presence_rule() {
        let pricing = parse_pricing(&fields(&[
            ("brackets", "500 ; 1\n1000 ; 3,20\n ; 4,49"),
            ("late_cancellation_charged", "oui"),
            ("presence_type", "pourcentage"),
            ("presence_value", "50 %"),
            ("excuse_certificat-medical", "oui"),
        ]))
        .unwrap();
        assert_eq!(pricing.grid.brackets.len(), 3);
        assert_eq!(pricing.grid.brackets[2].cents, 449);
        assert!(pricing.late_cancellation_charged && !pricing.absence_charged);
        assert_eq!(
            pricing.unbooked_presence,
            PresenceRule::Bracket(Modifier::Percent(5000))
        );
        assert_eq!(pricing.excuses, [Excuse::MedicalCertificate]);
    }

    #[test]
    fn a_wrong_grid_is_refused_with_the_reason() {
        for (brackets, words) in [
            ("", "au moins une tranche"),
            ("1000 ; 3,20\n500 ; 4,49\n ; 5", "croître"),
            ("1000 ; 3,20", "dernière tranche"),
            ("mille ; 3,20", "Ligne 1"),
            ("; -1", "négatif"),
        ] {
            let problems = parse_pricing(&fields(&[
                ("brackets", brackets),
                ("presence_type", "fixe"),
                ("presence_value", "7,50"),
            ]))
            .unwrap_err();
            assert_eq!(problems[0].0, "brackets");
            assert!(problems[0].1.contains(words), "{brackets}: {problems:?}");
        }
        let problems = parse_pricing(&fields(&[("brackets", "; 4,49")])).unwrap_err();
        assert_eq!(problems[0].0, "presence_value");
    }
}
