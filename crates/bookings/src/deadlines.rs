//! Booking and cancellation deadlines. No national text fixes them: each commune has its
//! own, and every real rule must be expressible — « la veille à 15 h », « J-2 à 12 h hors
//! week-end », « 72 h avant », « le mardi 23 h pour toute la semaine suivante », « le jeudi
//! 9 h pour le lundi et le mardi suivants ». A deadline is computed in Paris time for one
//! day of the activity; the service is booked while `now` is strictly before it.

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan, Zoned};
use serde::{Deserialize, Serialize};

use crate::calendar::{OpeningCalendar, is_working_day, weekday_code};

pub fn paris() -> TimeZone {
    TimeZone::get("Europe/Paris").unwrap_or(TimeZone::UTC)
}

/// A moment in an earlier week: « le jeudi à 9 h de la semaine précédente ».
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    #[serde(with = "weekday_code")]
    pub weekday: Weekday,
    pub at: Time,
    /// 1 for the week before the day's week, 0 for the same week.
    pub weeks_before: u8,
}

/// The anchor of the days of one weekday, when it differs from the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayAnchor {
    #[serde(with = "weekday_code")]
    pub day: Weekday,
    pub anchor: Anchor,
}

/// When something closes for one day of an activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Cutoff {
    /// `days` calendar days before, at a time: « la veille à 15 h » is 1 day at 15:00;
    /// « le jour même à 8 h 30 » is 0 days at 08:30.
    DaysBefore { days: u16, at: Time },
    /// `days` working days before, at a time; Saturdays, Sundays and public holidays are
    /// not counted: « J-2 à 12 h, week-ends non compris ».
    WorkingDaysBefore { days: u16, at: Time },
    /// `hours` hours before the service starts: « 72 h avant ».
    HoursBefore { hours: u16 },
    /// A weekday and time in an earlier week, the same for every day of the week unless
    /// the day's weekday has its own: « le mardi 23 h pour toute la semaine suivante »,
    /// « le jeudi 9 h pour le lundi et le mardi, le lundi 9 h pour le jeudi et le vendredi ».
    Anchored {
        default: Anchor,
        by_weekday: Vec<DayAnchor>,
    },
}

/// Why a rule cannot be saved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("la date limite d'un {weekday} tomberait après le début du service")]
    AfterService { weekday: &'static str },
    #[error("une date limite ne peut pas précéder le jour de plus d'un an")]
    TooFar,
}

/// The French name of a weekday, for messages and previews.
pub fn weekday_fr(weekday: Weekday) -> &'static str {
    match weekday {
        Weekday::Monday => "lundi",
        Weekday::Tuesday => "mardi",
        Weekday::Wednesday => "mercredi",
        Weekday::Thursday => "jeudi",
        Weekday::Friday => "vendredi",
        Weekday::Saturday => "samedi",
        Weekday::Sunday => "dimanche",
    }
}

/// A day and a clock time in Paris.
pub fn at_paris(day: Date, at: Time) -> Zoned {
    // A time that does not exist (a DST gap) moves forward, one that exists twice takes
    // the first: jiff's "compatible" rule, as a person reading a clock would.
    day.to_datetime(at)
        .to_zoned(paris())
        .unwrap_or_else(|_| Timestamp::UNIX_EPOCH.to_zoned(paris()))
}

impl Cutoff {
    /// The moment this rule closes for the service on `day` starting at `starts_at`.
    pub fn closes_at(&self, day: Date, starts_at: Time) -> Zoned {
        match self {
            Cutoff::DaysBefore { days, at } => {
                at_paris(day.saturating_sub(i64::from(*days).days()), *at)
            }
            Cutoff::WorkingDaysBefore { days, at } => {
                let mut counted = 0;
                let mut cursor = day;
                while counted < *days {
                    cursor = cursor.saturating_sub(1.day());
                    if is_working_day(cursor) {
                        counted += 1;
                    }
                }
                at_paris(cursor, *at)
            }
            Cutoff::HoursBefore { hours } => at_paris(day, starts_at)
                .saturating_sub(SignedDuration::from_hours(i64::from(*hours))),
            Cutoff::Anchored {
                default,
                by_weekday,
            } => {
                let anchor = by_weekday
                    .iter()
                    .find(|d| d.day == day.weekday())
                    .map_or(default, |d| &d.anchor);
                let monday =
                    day.saturating_sub(i64::from(day.weekday().to_monday_zero_offset()).days());
                let week = monday.saturating_sub((i64::from(anchor.weeks_before) * 7).days());
                let target =
                    week.saturating_add(i64::from(anchor.weekday.to_monday_zero_offset()).days());
                at_paris(target, anchor.at)
            }
        }
    }

    /// Checks that the rule closes before the service on every weekday.
    pub fn check(&self, starts_at: Time) -> Result<(), RuleError> {
        if let Cutoff::DaysBefore { days, .. } | Cutoff::WorkingDaysBefore { days, .. } = self
            && *days > 250
        {
            return Err(RuleError::TooFar);
        }
        if let Cutoff::HoursBefore { hours } = self
            && *hours > 24 * 366
        {
            return Err(RuleError::TooFar);
        }
        // A week without public holidays nor clock change.
        let monday = jiff::civil::date(2025, 9, 8);
        for offset in 0..7 {
            let day = monday.saturating_add(offset.days());
            if self.closes_at(day, starts_at).timestamp() >= at_paris(day, starts_at).timestamp() {
                return Err(RuleError::AfterService {
                    weekday: weekday_fr(day.weekday()),
                });
            }
        }
        Ok(())
    }
}

/// A surcharge or a reduction of a base price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Modifier {
    /// Cents added (negative: taken off).
    Fixed(i64),
    /// Hundredths of a percent added: 5000 is +50 %.
    Percent(i64),
}

/// Booking rules of one activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingRules {
    /// The service starts at this time (meal at 11:45): « N heures avant » counts from it.
    pub starts_at: Time,
    /// Booking at the normal price closes then.
    pub booking: Cutoff,
    /// Cancelling without charge closes then.
    pub cancellation: Cutoff,
    /// A « dernière minute » booking after the normal deadline, at a surcharge.
    pub late: Option<LateBooking>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LateBooking {
    pub until: Cutoff,
    pub surcharge: Modifier,
}

/// What a family may do for one day, now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BookingWindow {
    /// Booking at the normal price until `closes_at`.
    Normal { closes_at: Zoned },
    /// The normal deadline passed; a late booking at a surcharge until `closes_at`.
    Late {
        normal_closed_at: Zoned,
        closes_at: Zoned,
        surcharge: Modifier,
    },
    /// No booking for this day.
    Closed(WhyClosed),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WhyClosed {
    /// The activity does not run that day.
    NotRunning(crate::calendar::Closure),
    /// The deadline passed at this moment.
    DeadlinePassed(Zoned),
}

/// Whether cancelling now is free.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CancellationWindow {
    Free {
        until: Zoned,
    },
    /// The free cancellation closed: cancelling is charged unless excused.
    Charged {
        since: Zoned,
    },
}

impl BookingRules {
    pub fn check(&self) -> Result<(), RuleError> {
        self.booking.check(self.starts_at)?;
        self.cancellation.check(self.starts_at)?;
        if let Some(late) = &self.late {
            late.until.check(self.starts_at)?;
        }
        Ok(())
    }

    /// What can be booked for `day`, at `now`.
    pub fn booking_window(
        &self,
        calendar: &OpeningCalendar,
        day: Date,
        now: Timestamp,
    ) -> BookingWindow {
        if let Some(closure) = calendar.closure(day) {
            return BookingWindow::Closed(WhyClosed::NotRunning(closure));
        }
        let normal = self.booking.closes_at(day, self.starts_at);
        if now < normal.timestamp() {
            return BookingWindow::Normal { closes_at: normal };
        }
        if let Some(late) = &self.late {
            let late_close = late.until.closes_at(day, self.starts_at);
            if now < late_close.timestamp() {
                return BookingWindow::Late {
                    normal_closed_at: normal,
                    closes_at: late_close,
                    surcharge: late.surcharge,
                };
            }
            return BookingWindow::Closed(WhyClosed::DeadlinePassed(late_close.max(normal)));
        }
        BookingWindow::Closed(WhyClosed::DeadlinePassed(normal))
    }

    /// Whether cancelling the booking of `day` at `now` is free.
    pub fn cancellation_window(&self, day: Date, now: Timestamp) -> CancellationWindow {
        let closes = self.cancellation.closes_at(day, self.starts_at);
        if now < closes.timestamp() {
            CancellationWindow::Free { until: closes }
        } else {
            CancellationWindow::Charged { since: closes }
        }
    }

    /// The deadlines of the coming open days, for the administrator to read before saving
    /// a rule: « pour un repas le lundi 7, la réservation ferme le jeudi 3 à 12:00 ».
    pub fn preview(&self, calendar: &OpeningCalendar, from: Date, until: Date) -> Vec<PreviewLine> {
        calendar
            .days_open(from, until)
            .into_iter()
            .map(|day| PreviewLine {
                day,
                booking_closes: self.booking.closes_at(day, self.starts_at),
                cancellation_closes: self.cancellation.closes_at(day, self.starts_at),
                late_closes: self
                    .late
                    .as_ref()
                    .map(|l| l.until.closes_at(day, self.starts_at)),
            })
            .collect()
    }
}

/// One day of a rule's preview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewLine {
    pub day: Date,
    pub booking_closes: Zoned,
    pub cancellation_closes: Zoned,
    pub late_closes: Option<Zoned>,
}

/// « lundi 7 » / « jeudi 3 à 12:00 », as the previews and the parents' calendar say it.
pub fn day_fr(day: Date) -> String {
    format!("{} {}", weekday_fr(day.weekday()), day.day())
}

pub const MONTHS_FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// « jeudi 26 novembre 2026 ».
pub fn date_fr(day: Date) -> String {
    format!(
        "{} {} {}",
        day_fr(day),
        MONTHS_FR[usize::try_from(day.month() - 1).unwrap_or(0)],
        day.year()
    )
}

pub fn moment_fr(at: &Zoned) -> String {
    format!("{} à {}", day_fr(at.date()), at.strftime("%H:%M"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::ClosedPeriod;
    use jiff::civil::{date, time};
    use proptest::prelude::*;

    fn noon() -> Time {
        time(11, 45, 0, 0)
    }

    fn paris_at(y: i16, m: i8, d: i8, h: i8, min: i8) -> Zoned {
        date(y, m, d).at(h, min, 0, 0).to_zoned(paris()).unwrap()
    }

    // Worked examples of domain/family.md.

    #[test]
    fn example_1_the_day_before_at_three_pm() {
        let rule = Cutoff::DaysBefore {
            days: 1,
            at: time(15, 0, 0, 0),
        };
        assert_eq!(
            rule.closes_at(date(2025, 9, 9), noon()),
            paris_at(2025, 9, 8, 15, 0)
        );
    }

    #[test]
    fn example_2_two_working_days_before_at_noon() {
        let rule = Cutoff::WorkingDaysBefore {
            days: 2,
            at: time(12, 0, 0, 0),
        };
        assert_eq!(
            rule.closes_at(date(2025, 9, 8), noon()),
            paris_at(2025, 9, 4, 12, 0)
        );
        // A public holiday is not a working day either: Tuesday 11 November 2025.
        assert_eq!(
            rule.closes_at(date(2025, 11, 13), noon()),
            paris_at(2025, 11, 10, 12, 0)
        );
    }

    #[test]
    fn example_5_tuesday_eleven_pm_for_the_following_week() {
        let rule = Cutoff::Anchored {
            default: Anchor {
                weekday: Weekday::Tuesday,
                at: time(23, 0, 0, 0),
                weeks_before: 1,
            },
            by_weekday: vec![],
        };
        assert_eq!(
            rule.closes_at(date(2025, 9, 12), noon()),
            paris_at(2025, 9, 2, 23, 0)
        );
        assert_eq!(
            rule.closes_at(date(2025, 9, 8), noon()),
            paris_at(2025, 9, 2, 23, 0)
        );
    }

    #[test]
    fn forty_eight_hours_at_midnight_friday_for_monday() {
        // « Friday for Monday, Saturday for Tuesday, Monday for Thursday, Tuesday for Friday ».
        let rule = Cutoff::DaysBefore {
            days: 3,
            at: time(23, 59, 0, 0),
        };
        for (meal, closes) in [
            (date(2025, 9, 8), date(2025, 9, 5)),
            (date(2025, 9, 9), date(2025, 9, 6)),
            (date(2025, 9, 11), date(2025, 9, 8)),
            (date(2025, 9, 12), date(2025, 9, 9)),
        ] {
            assert_eq!(rule.closes_at(meal, noon()).date(), closes);
        }
    }

    #[test]
    fn thursday_for_monday_and_tuesday_monday_for_the_end_of_the_week() {
        let nine = time(9, 0, 0, 0);
        let rule = Cutoff::Anchored {
            default: Anchor {
                weekday: Weekday::Monday,
                at: nine,
                weeks_before: 0,
            },
            by_weekday: vec![
                DayAnchor {
                    day: Weekday::Monday,
                    anchor: Anchor {
                        weekday: Weekday::Thursday,
                        at: nine,
                        weeks_before: 1,
                    },
                },
                DayAnchor {
                    day: Weekday::Tuesday,
                    anchor: Anchor {
                        weekday: Weekday::Thursday,
                        at: nine,
                        weeks_before: 1,
                    },
                },
            ],
        };
        assert_eq!(
            rule.closes_at(date(2025, 9, 8), noon()),
            paris_at(2025, 9, 4, 9, 0)
        );
        assert_eq!(
            rule.closes_at(date(2025, 9, 9), noon()),
            paris_at(2025, 9, 4, 9, 0)
        );
        assert_eq!(
            rule.closes_at(date(2025, 9, 11), noon()),
            paris_at(2025, 9, 8, 9, 0)
        );
        // Without the per-day anchors, Monday's own meal would close at 09:00 that Monday:
        // still before the meal, so valid.
        assert!(rule.check(noon()).is_ok());
    }

    #[test]
    fn rules_are_stored_as_readable_json() {
        let rules = canteen_rules();
        let json = serde_json::to_string(&rules).unwrap();
        assert!(json.contains("\"type\":\"working_days_before\""), "{json}");
        assert_eq!(serde_json::from_str::<BookingRules>(&json).unwrap(), rules);
        let anchored = Cutoff::Anchored {
            default: Anchor {
                weekday: Weekday::Tuesday,
                at: time(23, 0, 0, 0),
                weeks_before: 1,
            },
            by_weekday: vec![],
        };
        let json = serde_json::to_string(&anchored).unwrap();
        assert!(json.contains("\"weekday\":\"mardi\""), "{json}");
        assert_eq!(serde_json::from_str::<Cutoff>(&json).unwrap(), anchored);
        assert!(serde_json::from_str::<Cutoff>(&json.replace("mardi", "mardy")).is_err());
    }

    #[test]
    fn seventy_two_hours_and_the_same_morning() {
        let booking = Cutoff::HoursBefore { hours: 72 };
        assert_eq!(
            booking.closes_at(date(2025, 9, 11), noon()),
            paris_at(2025, 9, 8, 11, 45)
        );
        let cancellation = Cutoff::DaysBefore {
            days: 0,
            at: time(8, 30, 0, 0),
        };
        assert_eq!(
            cancellation.closes_at(date(2025, 9, 11), noon()),
            paris_at(2025, 9, 11, 8, 30)
        );
        // Across the clock change (Sunday 26 October 2025), 72 hours are 72 real hours.
        let across = booking.closes_at(date(2025, 10, 27), noon());
        assert_eq!(across, paris_at(2025, 10, 24, 12, 45));
    }

    #[test]
    fn rules_closing_after_the_service_are_refused() {
        let same_day_afternoon = Cutoff::DaysBefore {
            days: 0,
            at: time(15, 0, 0, 0),
        };
        assert!(matches!(
            same_day_afternoon.check(noon()),
            Err(RuleError::AfterService { .. })
        ));
        let later_in_the_week = Cutoff::Anchored {
            default: Anchor {
                weekday: Weekday::Thursday,
                at: time(9, 0, 0, 0),
                weeks_before: 0,
            },
            by_weekday: vec![],
        };
        assert_eq!(
            later_in_the_week.check(noon()),
            Err(RuleError::AfterService { weekday: "lundi" })
        );
        assert_eq!(
            Cutoff::DaysBefore {
                days: 400,
                at: noon()
            }
            .check(noon()),
            Err(RuleError::TooFar)
        );
    }

    fn calendar() -> OpeningCalendar {
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
            closed_days: vec![],
            open_days: vec![],
        }
    }

    fn canteen_rules() -> BookingRules {
        BookingRules {
            starts_at: noon(),
            booking: Cutoff::WorkingDaysBefore {
                days: 2,
                at: time(12, 0, 0, 0),
            },
            cancellation: Cutoff::WorkingDaysBefore {
                days: 2,
                at: time(12, 0, 0, 0),
            },
            late: Some(LateBooking {
                until: Cutoff::DaysBefore {
                    days: 0,
                    at: time(9, 0, 0, 0),
                },
                surcharge: Modifier::Fixed(100),
            }),
        }
    }

    #[test]
    fn each_side_of_each_deadline() {
        let rules = canteen_rules();
        let cal = calendar();
        let monday = date(2025, 9, 8);
        let before = paris_at(2025, 9, 4, 11, 59).timestamp();
        let at_deadline = paris_at(2025, 9, 4, 12, 0).timestamp();
        let morning = paris_at(2025, 9, 8, 8, 59).timestamp();
        let too_late = paris_at(2025, 9, 8, 9, 0).timestamp();
        assert!(matches!(
            rules.booking_window(&cal, monday, before),
            BookingWindow::Normal { .. }
        ));
        assert!(matches!(
            rules.booking_window(&cal, monday, at_deadline),
            BookingWindow::Late {
                surcharge: Modifier::Fixed(100),
                ..
            }
        ));
        assert!(matches!(
            rules.booking_window(&cal, monday, morning),
            BookingWindow::Late { .. }
        ));
        assert!(matches!(
            rules.booking_window(&cal, monday, too_late),
            BookingWindow::Closed(WhyClosed::DeadlinePassed(_))
        ));
        assert!(matches!(
            rules.booking_window(&cal, date(2025, 9, 10), before),
            BookingWindow::Closed(WhyClosed::NotRunning(_))
        ));
        assert!(matches!(
            rules.cancellation_window(monday, before),
            CancellationWindow::Free { .. }
        ));
        assert!(matches!(
            rules.cancellation_window(monday, at_deadline),
            CancellationWindow::Charged { .. }
        ));
    }

    #[test]
    fn the_preview_reads_like_a_sentence() {
        let rules = canteen_rules();
        let lines = rules.preview(&calendar(), date(2025, 9, 1), date(2025, 9, 14));
        let monday = lines.iter().find(|l| l.day == date(2025, 9, 8)).unwrap();
        assert_eq!(
            format!(
                "pour un repas le {}, la réservation ferme le {}",
                day_fr(monday.day),
                moment_fr(&monday.booking_closes)
            ),
            "pour un repas le lundi 8, la réservation ferme le jeudi 4 à 12:00"
        );
        // Wednesdays do not run: two weeks of four days.
        assert_eq!(lines.len(), 8);
    }

    fn any_time() -> impl Strategy<Value = Time> {
        (0i8..24, 0i8..60).prop_map(|(h, m)| time(h, m, 0, 0))
    }

    fn any_cutoff() -> impl Strategy<Value = Cutoff> {
        let weekday = (0i8..7).prop_map(|n| Weekday::from_monday_zero_offset(n).unwrap());
        prop_oneof![
            (1u16..30, any_time()).prop_map(|(days, at)| Cutoff::DaysBefore { days, at }),
            (1u16..20, any_time()).prop_map(|(days, at)| Cutoff::WorkingDaysBefore { days, at }),
            (1u16..400).prop_map(|hours| Cutoff::HoursBefore { hours }),
            (weekday, any_time(), 1u8..3).prop_map(|(weekday, at, weeks_before)| {
                Cutoff::Anchored {
                    default: Anchor {
                        weekday,
                        at,
                        weeks_before,
                    },
                    by_weekday: vec![],
                }
            }),
        ]
    }

    proptest! {
        #[test]
        fn a_valid_rule_always_closes_before_the_service(
            cutoff in any_cutoff(),
            offset in 0i64..3000,
            starts in any_time(),
        ) {
            let day = date(2024, 1, 1).saturating_add(offset.days());
            if cutoff.check(starts).is_ok() {
                prop_assert!(cutoff.closes_at(day, starts).timestamp() < at_paris(day, starts).timestamp());
            }
        }

        #[test]
        fn a_day_is_never_booked_after_its_closing(
            offset in 0i64..320,
            minutes in 0i64..(60 * 24 * 30),
        ) {
            let rules = canteen_rules();
            let cal = calendar();
            let day = date(2025, 9, 1).saturating_add(offset.days());
            let now = paris_at(2025, 8, 20, 0, 0).timestamp() + SignedDuration::from_mins(minutes + offset * 24 * 60);
            match rules.booking_window(&cal, day, now) {
                BookingWindow::Normal { closes_at } => {
                    prop_assert!(now < closes_at.timestamp());
                    prop_assert!(cal.is_open(day));
                }
                BookingWindow::Late { closes_at, normal_closed_at, .. } => {
                    prop_assert!(now < closes_at.timestamp());
                    prop_assert!(now >= normal_closed_at.timestamp());
                    prop_assert!(cal.is_open(day));
                }
                BookingWindow::Closed(WhyClosed::NotRunning(_)) => prop_assert!(!cal.is_open(day)),
                BookingWindow::Closed(WhyClosed::DeadlinePassed(at)) => prop_assert!(now >= at.timestamp()),
            }
        }
    }
}
