//! Opening days of an activity: the weekdays it runs within its season, less the French
//! public holidays and the commune's closed periods (the school holidays of its zone, a
//! bridge), with the exceptions an agent edits on top (a day closed for a strike, a
//! Wednesday worked to make up a bridge).

use jiff::ToSpan;
use jiff::civil::{Date, Weekday, date};
use serde::{Deserialize, Serialize};

/// Weekdays as stored and typed: `lundi` … `dimanche` (jiff's weekday has no serde form).
pub mod weekday_code {
    use jiff::civil::Weekday;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub const ALL: [(Weekday, &str); 7] = [
        (Weekday::Monday, "lundi"),
        (Weekday::Tuesday, "mardi"),
        (Weekday::Wednesday, "mercredi"),
        (Weekday::Thursday, "jeudi"),
        (Weekday::Friday, "vendredi"),
        (Weekday::Saturday, "samedi"),
        (Weekday::Sunday, "dimanche"),
    ];

    pub fn code(day: Weekday) -> &'static str {
        ALL.iter()
            .find(|(d, _)| *d == day)
            .map_or("lundi", |(_, c)| c)
    }

    pub fn parse(code: &str) -> Option<Weekday> {
        ALL.iter().find(|(_, c)| *c == code).map(|(d, _)| *d)
    }

    pub fn serialize<S: Serializer>(day: &Weekday, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(code(*day))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Weekday, D::Error> {
        let raw = String::deserialize(d)?;
        parse(&raw).ok_or_else(|| D::Error::custom(format!("jour inconnu : {raw}")))
    }

    /// The same for a list of weekdays.
    pub mod list {
        use jiff::civil::Weekday;
        use serde::{Deserialize, Deserializer, Serializer, de::Error, ser::SerializeSeq};

        pub fn serialize<S: Serializer>(days: &[Weekday], s: S) -> Result<S::Ok, S::Error> {
            let mut seq = s.serialize_seq(Some(days.len()))?;
            for day in days {
                seq.serialize_element(super::code(*day))?;
            }
            seq.end()
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Weekday>, D::Error> {
            Vec::<String>::deserialize(d)?
                .iter()
                .map(|raw| {
                    super::parse(raw)
                        .ok_or_else(|| D::Error::custom(format!("jour inconnu : {raw}")))
                })
                .collect()
        }
    }
}

/// Easter Sunday of the Gregorian calendar (anonymous algorithm, Meeus/Jones/Butcher).
pub fn easter_sunday(year: i16) -> Date {
    let y = i32::from(year);
    let a = y % 19;
    let b = y / 100;
    let c = y % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    // Month is 3 or 4 and day 1..=31 by construction.
    date(year, month as i8, day as i8)
}

/// A public holiday (*jour férié*) of metropolitan France (Code du travail L3133-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicHoliday {
    pub date: Date,
    pub name: &'static str,
}

/// The eleven public holidays of a year, in date order.
pub fn public_holidays(year: i16) -> Vec<PublicHoliday> {
    let easter = easter_sunday(year);
    let after_easter = |days: i64, name| PublicHoliday {
        date: easter.saturating_add(days.days()),
        name,
    };
    let fixed = |month, day, name| PublicHoliday {
        date: date(year, month, day),
        name,
    };
    let mut all = vec![
        fixed(1, 1, "Jour de l'an"),
        after_easter(1, "Lundi de Pâques"),
        fixed(5, 1, "Fête du Travail"),
        fixed(5, 8, "Victoire 1945"),
        after_easter(39, "Ascension"),
        after_easter(50, "Lundi de Pentecôte"),
        fixed(7, 14, "Fête nationale"),
        fixed(8, 15, "Assomption"),
        fixed(11, 1, "Toussaint"),
        fixed(11, 11, "Armistice 1918"),
        fixed(12, 25, "Noël"),
    ];
    all.sort_by_key(|h| h.date);
    all
}

/// The public holiday falling on `day`, if any.
pub fn public_holiday(day: Date) -> Option<&'static str> {
    public_holidays(day.year())
        .into_iter()
        .find(|h| h.date == day)
        .map(|h| h.name)
}

/// A working day: Monday to Friday, not a public holiday.
pub fn is_working_day(day: Date) -> bool {
    !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) && public_holiday(day).is_none()
}

/// A closed period, both ends included (« Vacances de la Toussaint », 2025-10-18 → 2025-11-02).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosedPeriod {
    pub first: Date,
    pub last: Date,
    pub label: String,
}

/// Why an activity does not run on a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Closure {
    OutOfSeason,
    /// The activity does not run on this weekday (the canteen on Wednesdays).
    Weekday,
    PublicHoliday(&'static str),
    Period(String),
    /// Closed by an agent for this day alone (strike, works).
    Exception,
}

/// When an activity runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpeningCalendar {
    /// Weekdays the activity runs.
    #[serde(with = "weekday_code::list")]
    pub weekdays: Vec<Weekday>,
    /// The season, both ends included (usually the school year).
    pub first_day: Date,
    pub last_day: Date,
    pub closed_periods: Vec<ClosedPeriod>,
    /// Public holidays are closed unless the commune says otherwise.
    pub closed_on_public_holidays: bool,
    /// Days closed on top of the rest.
    pub closed_days: Vec<Date>,
    /// Days open whatever the rest says (a Wednesday worked to make up a bridge).
    pub open_days: Vec<Date>,
}

impl OpeningCalendar {
    /// Why the activity is closed on `day`, or `None` when it runs.
    pub fn closure(&self, day: Date) -> Option<Closure> {
        if day < self.first_day || day > self.last_day {
            return Some(Closure::OutOfSeason);
        }
        if self.open_days.contains(&day) {
            return None;
        }
        if self.closed_days.contains(&day) {
            return Some(Closure::Exception);
        }
        if !self.weekdays.contains(&day.weekday()) {
            return Some(Closure::Weekday);
        }
        if self.closed_on_public_holidays
            && let Some(name) = public_holiday(day)
        {
            return Some(Closure::PublicHoliday(name));
        }
        self.closed_periods
            .iter()
            .find(|p| p.first <= day && day <= p.last)
            .map(|p| Closure::Period(p.label.clone()))
    }

    pub fn is_open(&self, day: Date) -> bool {
        self.closure(day).is_none()
    }

    /// The open days from `from` to `until`, both included.
    pub fn days_open(&self, from: Date, until: Date) -> Vec<Date> {
        let mut days = Vec::new();
        let mut day = from.max(self.first_day);
        let until = until.min(self.last_day);
        while day <= until {
            if self.is_open(day) {
                days.push(day);
            }
            match day.tomorrow() {
                Ok(next) => day = next,
                Err(_) => break,
            }
        }
        days
    }

    /// A weekly pattern (« every Monday, Tuesday and Thursday until the holidays »): the
    /// open days among those weekdays from `from` to `until`.
    pub fn pattern(&self, from: Date, until: Date, weekdays: &[Weekday]) -> Vec<Date> {
        self.days_open(from, until)
            .into_iter()
            .filter(|d| weekdays.contains(&d.weekday()))
            .collect()
    }

    /// The last open day before the next closed period starting after `from` (« until the
    /// holidays »), or the end of the season.
    pub fn until_next_holidays(&self, from: Date) -> Date {
        self.closed_periods
            .iter()
            .filter(|p| p.first > from)
            .map(|p| p.first)
            .min()
            .and_then(|first| first.yesterday().ok())
            .unwrap_or(self.last_day)
            .min(self.last_day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn easter_and_the_holidays_that_follow_it() {
        assert_eq!(easter_sunday(2024), date(2024, 3, 31));
        assert_eq!(easter_sunday(2025), date(2025, 4, 20));
        assert_eq!(easter_sunday(2026), date(2026, 4, 5));
        assert_eq!(easter_sunday(2027), date(2027, 3, 28));
        assert_eq!(easter_sunday(2038), date(2038, 4, 25));
        let names: Vec<(Date, &str)> = public_holidays(2026)
            .into_iter()
            .map(|h| (h.date, h.name))
            .collect();
        assert_eq!(names.len(), 11);
        assert!(names.contains(&(date(2026, 4, 6), "Lundi de Pâques")));
        assert!(names.contains(&(date(2026, 5, 14), "Ascension")));
        assert!(names.contains(&(date(2026, 5, 25), "Lundi de Pentecôte")));
        assert_eq!(public_holiday(date(2025, 11, 11)), Some("Armistice 1918"));
        assert_eq!(public_holiday(date(2025, 11, 12)), None);
        assert!(!is_working_day(date(2025, 9, 6)));
        assert!(!is_working_day(date(2025, 12, 25)));
        assert!(is_working_day(date(2025, 9, 8)));
    }

    fn canteen() -> OpeningCalendar {
        OpeningCalendar {
            weekdays: vec![
                Weekday::Monday,
                Weekday::Tuesday,
                Weekday::Thursday,
                Weekday::Friday,
            ],
            first_day: date(2025, 9, 1),
            last_day: date(2026, 7, 3),
            closed_periods: vec![ClosedPeriod {
                first: date(2025, 10, 18),
                last: date(2025, 11, 2),
                label: "Vacances de la Toussaint".into(),
            }],
            closed_on_public_holidays: true,
            closed_days: vec![date(2025, 9, 12)],
            open_days: vec![date(2025, 9, 10)],
        }
    }

    #[test]
    fn a_canteen_runs_on_school_days_only() {
        let c = canteen();
        assert!(c.is_open(date(2025, 9, 8)));
        assert_eq!(c.closure(date(2025, 9, 3)), Some(Closure::Weekday));
        assert!(c.is_open(date(2025, 9, 10)), "a Wednesday worked");
        assert_eq!(c.closure(date(2025, 9, 12)), Some(Closure::Exception));
        assert_eq!(
            c.closure(date(2025, 10, 20)),
            Some(Closure::Period("Vacances de la Toussaint".into()))
        );
        assert_eq!(
            c.closure(date(2025, 11, 11)),
            Some(Closure::PublicHoliday("Armistice 1918"))
        );
        assert_eq!(c.closure(date(2025, 8, 29)), Some(Closure::OutOfSeason));
        assert_eq!(c.closure(date(2026, 7, 6)), Some(Closure::OutOfSeason));
    }

    #[test]
    fn a_weekly_pattern_until_the_holidays() {
        let c = canteen();
        let until = c.until_next_holidays(date(2025, 9, 1));
        assert_eq!(until, date(2025, 10, 17));
        let days = c.pattern(
            date(2025, 9, 1),
            until,
            &[Weekday::Monday, Weekday::Tuesday, Weekday::Thursday],
        );
        assert_eq!(days.first(), Some(&date(2025, 9, 1)));
        assert_eq!(days.last(), Some(&date(2025, 10, 16)));
        // Seven weeks of three days.
        assert_eq!(days.len(), 21);
        assert!(days.iter().all(|d| c.is_open(*d)));
    }

    proptest! {
        #[test]
        fn a_closed_day_is_never_listed_as_open(offset in 0i64..400, span in 0i64..60) {
            let c = canteen();
            let from = date(2025, 8, 15).saturating_add(offset.days());
            let until = from.saturating_add(span.days());
            for day in c.days_open(from, until) {
                prop_assert!(c.closure(day).is_none());
                prop_assert!(day >= from && day <= until);
            }
        }

        #[test]
        fn easter_is_a_sunday_in_march_or_april(year in 1900i16..2200) {
            let easter = easter_sunday(year);
            prop_assert_eq!(easter.weekday(), Weekday::Sunday);
            prop_assert!(easter >= date(year, 3, 22) && easter <= date(year, 4, 25));
        }
    }
}
