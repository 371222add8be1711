//! Prices and charge lines. A price comes from the activity's grid, by family-quotient
//! bracket; a late booking, a late cancellation or an unbooked presence changes it by the
//! commune's rule; an accepted excuse cancels the charge. Every line keeps how it was
//! computed, so that an agent answers « pourquoi ai-je payé 4,49 € ? » in one click.
//! Money is integer cents; a percentage rounds half up to the cent.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::deadlines::Modifier;

/// One bracket: families whose quotient is at most `up_to` (the last bracket has none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bracket {
    pub up_to: Option<u32>,
    pub cents: i64,
}

/// The prices of an activity by family-quotient bracket, lowest quotient first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceGrid {
    pub brackets: Vec<Bracket>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GridError {
    #[error("la grille doit avoir au moins une tranche")]
    Empty,
    #[error("les plafonds des tranches doivent croître d'une tranche à la suivante")]
    NotAscending,
    #[error("seule la dernière tranche est sans plafond, et elle doit l'être")]
    LastBracket,
    #[error("un tarif ne peut pas être négatif")]
    Negative,
}

impl PriceGrid {
    pub fn check(&self) -> Result<(), GridError> {
        let Some(last) = self.brackets.last() else {
            return Err(GridError::Empty);
        };
        if last.up_to.is_some()
            || self.brackets[..self.brackets.len() - 1]
                .iter()
                .any(|b| b.up_to.is_none())
        {
            return Err(GridError::LastBracket);
        }
        if self
            .brackets
            .windows(2)
            .any(|w| matches!((w[0].up_to, w[1].up_to), (Some(a), Some(b)) if a >= b))
        {
            return Err(GridError::NotAscending);
        }
        if self.brackets.iter().any(|b| b.cents < 0) {
            return Err(GridError::Negative);
        }
        Ok(())
    }

    /// The bracket of a family (its position, from 0). Without a known quotient the family
    /// pays the last bracket, as communes do until the proof is given.
    pub fn bracket_for(&self, quotient: Option<u32>) -> usize {
        let last = self.brackets.len().saturating_sub(1);
        match quotient {
            None => last,
            Some(q) => self
                .brackets
                .iter()
                .position(|b| b.up_to.is_none_or(|max| q <= max))
                .unwrap_or(last),
        }
    }

    /// « Cantine à 1 € »: a progressive grid of at least three brackets, with one at 1 €
    /// or less and one above 1 €; a price of 1 € or less goes only to quotients up to
    /// 1,000 (agreements signed since 2022-08-01).
    pub fn one_euro_meal_eligible(&self) -> bool {
        crate::one_euro::grid_problems(self).is_empty()
    }
}

/// `base` changed by `modifier`, never below zero.
pub fn apply(base: i64, modifier: Modifier) -> i64 {
    let changed = match modifier {
        Modifier::Fixed(cents) => base.saturating_add(cents),
        Modifier::Percent(hundredths) => base.saturating_add(percent_of(base, hundredths)),
    };
    changed.max(0)
}

/// `hundredths` hundredths of a percent of `cents`, rounded half up (away from zero).
pub fn percent_of(cents: i64, hundredths: i64) -> i64 {
    let product = i128::from(cents) * i128::from(hundredths);
    let rounded = if product >= 0 {
        (product + 5_000) / 10_000
    } else {
        (product - 5_000) / 10_000
    };
    i64::try_from(rounded).unwrap_or(if rounded > 0 { i64::MAX } else { i64::MIN })
}

/// Hundredths of a percent the French way: 5000 → « 50 », 1250 → « 12,5 ».
pub fn percent_fr(hundredths: i64) -> String {
    let sign = if hundredths < 0 { "-" } else { "" };
    let h = hundredths.unsigned_abs();
    if h.is_multiple_of(100) {
        format!("{sign}{}", h / 100)
    } else {
        let decimals = format!("{:02}", h % 100);
        format!("{sign}{},{}", h / 100, decimals.trim_end_matches('0'))
    }
}

/// « 4,49 € ».
pub fn euros(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    format!("{sign}{},{:02} €", cents / 100, cents % 100)
}

/// What a family pays when the child is present without a booking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PresenceRule {
    /// The bracket's price changed by a modifier (+1 €, +50 %…).
    Bracket(Modifier),
    /// A fixed price whatever the bracket (often the full cost of the meal).
    Fixed(i64),
}

/// Why a charge may be waived; the commune says which it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Excuse {
    MedicalCertificate,
    Strike,
    SchoolTrip,
    TeacherAbsent,
}

impl Excuse {
    pub const ALL: [Excuse; 4] = [
        Excuse::MedicalCertificate,
        Excuse::Strike,
        Excuse::SchoolTrip,
        Excuse::TeacherAbsent,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Excuse::MedicalCertificate => "certificat-medical",
            Excuse::Strike => "greve",
            Excuse::SchoolTrip => "sortie-scolaire",
            Excuse::TeacherAbsent => "enseignant-absent",
        }
    }

    pub fn from_code(code: &str) -> Option<Excuse> {
        Excuse::ALL.into_iter().find(|e| e.code() == code)
    }

    pub fn label_fr(self) -> &'static str {
        match self {
            Excuse::MedicalCertificate => "certificat médical",
            Excuse::Strike => "grève",
            Excuse::SchoolTrip => "sortie scolaire",
            Excuse::TeacherAbsent => "enseignant absent",
        }
    }
}

/// The money rules of an activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pricing {
    pub grid: PriceGrid,
    /// A booking cancelled after the free cancellation is charged at the booked price.
    pub late_cancellation_charged: bool,
    /// A booked child absent without cancelling is charged.
    pub absence_charged: bool,
    pub unbooked_presence: PresenceRule,
    pub excuses: Vec<Excuse>,
}

/// How one day stands for one child.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayBooking {
    NotBooked,
    /// Booked; `late` when it was a « dernière minute » booking, with its surcharge.
    Booked {
        late: Option<Modifier>,
    },
    /// Cancelled after the free cancellation closed.
    CancelledLate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attendance {
    Present,
    Absent,
    /// Not taken yet (a day to come, or a register not filled in).
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChargeKind {
    Booking,
    LateBooking,
    LateCancellation,
    UnjustifiedAbsence,
    UnbookedPresence,
}

impl ChargeKind {
    pub const ALL: [ChargeKind; 5] = [
        ChargeKind::Booking,
        ChargeKind::LateBooking,
        ChargeKind::LateCancellation,
        ChargeKind::UnjustifiedAbsence,
        ChargeKind::UnbookedPresence,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ChargeKind::Booking => "booking",
            ChargeKind::LateBooking => "late_booking",
            ChargeKind::LateCancellation => "late_cancellation",
            ChargeKind::UnjustifiedAbsence => "unjustified_absence",
            ChargeKind::UnbookedPresence => "unbooked_presence",
        }
    }

    pub fn from_code(code: &str) -> Option<ChargeKind> {
        ChargeKind::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn label_fr(self) -> &'static str {
        match self {
            ChargeKind::Booking => "Réservation",
            ChargeKind::LateBooking => "Réservation de dernière minute",
            ChargeKind::LateCancellation => "Annulation tardive",
            ChargeKind::UnjustifiedAbsence => "Absence non justifiée",
            ChargeKind::UnbookedPresence => "Présence sans réservation",
        }
    }
}

/// One priced line of a family's account, with how it was computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChargeLine {
    pub day: Date,
    pub kind: ChargeKind,
    pub cents: i64,
    pub quotient: Option<u32>,
    /// The bracket applied (position from 0) and its price.
    pub bracket: usize,
    pub bracket_cents: i64,
    pub modifier: Option<Modifier>,
    /// A fixed price that replaced the bracket's (unbooked presence).
    pub fixed: Option<i64>,
}

impl ChargeLine {
    /// The computation in plain French: « Tranche 2 (QF ≤ 800) : 3,20 € ; majoration de
    /// dernière minute +50 % : 4,80 € ».
    pub fn explanation_fr(&self, grid: &PriceGrid) -> String {
        let bracket = grid.brackets.get(self.bracket);
        let ceiling = match bracket.and_then(|b| b.up_to) {
            Some(max) => format!("QF ≤ {max}"),
            None if self.quotient.is_none() => "quotient familial non fourni".to_string(),
            None => "dernière tranche".to_string(),
        };
        let mut text = format!(
            "Tranche {} ({ceiling}) : {}",
            self.bracket + 1,
            euros(self.bracket_cents)
        );
        if let Some(fixed) = self.fixed {
            text.push_str(&format!(" ; tarif fixe de la règle : {}", euros(fixed)));
        }
        if let Some(modifier) = self.modifier {
            let what = match modifier {
                Modifier::Fixed(c) => format!("{}{}", if c >= 0 { "+" } else { "" }, euros(c)),
                Modifier::Percent(h) => {
                    format!("{}{} %", if h >= 0 { "+" } else { "" }, percent_fr(h))
                }
            };
            text.push_str(&format!(
                " ; {} {what}",
                self.kind.label_fr().to_lowercase()
            ));
        }
        text.push_str(&format!(" = {}", euros(self.cents)));
        text
    }
}

impl Pricing {
    fn line(
        &self,
        day: Date,
        kind: ChargeKind,
        quotient: Option<u32>,
        modifier: Option<Modifier>,
        fixed: Option<i64>,
    ) -> ChargeLine {
        let bracket = self.grid.bracket_for(quotient);
        let bracket_cents = self.grid.brackets.get(bracket).map_or(0, |b| b.cents);
        let base = fixed.unwrap_or(bracket_cents);
        let cents = modifier.map_or(base, |m| apply(base, m)).max(0);
        ChargeLine {
            day,
            kind,
            cents,
            quotient,
            bracket,
            bracket_cents,
            modifier,
            fixed,
        }
    }

    /// The charge of one day for one child, or none: what was booked, whether the child
    /// came, and an excuse if one was accepted.
    pub fn day_charge(
        &self,
        day: Date,
        quotient: Option<u32>,
        booking: DayBooking,
        attendance: Attendance,
        excuse: Option<Excuse>,
    ) -> Option<ChargeLine> {
        let excused = excuse.is_some_and(|e| self.excuses.contains(&e));
        match (booking, attendance) {
            (DayBooking::NotBooked, Attendance::Present) => Some(match self.unbooked_presence {
                PresenceRule::Bracket(m) => {
                    self.line(day, ChargeKind::UnbookedPresence, quotient, Some(m), None)
                }
                PresenceRule::Fixed(cents) => self.line(
                    day,
                    ChargeKind::UnbookedPresence,
                    quotient,
                    None,
                    Some(cents),
                ),
            }),
            (DayBooking::NotBooked, _) => None,
            (DayBooking::CancelledLate, _) => (self.late_cancellation_charged && !excused)
                .then(|| self.line(day, ChargeKind::LateCancellation, quotient, None, None)),
            (DayBooking::Booked { .. }, Attendance::Absent) if excused || !self.absence_charged => {
                None
            }
            (DayBooking::Booked { late: None }, Attendance::Absent) => {
                Some(self.line(day, ChargeKind::UnjustifiedAbsence, quotient, None, None))
            }
            (DayBooking::Booked { late: Some(m) }, Attendance::Absent) => {
                Some(self.line(day, ChargeKind::UnjustifiedAbsence, quotient, Some(m), None))
            }
            (DayBooking::Booked { late: None }, _) => {
                Some(self.line(day, ChargeKind::Booking, quotient, None, None))
            }
            (DayBooking::Booked { late: Some(m) }, _) => {
                Some(self.line(day, ChargeKind::LateBooking, quotient, Some(m), None))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn grid() -> PriceGrid {
        PriceGrid {
            brackets: vec![
                Bracket {
                    up_to: Some(500),
                    cents: 100,
                },
                Bracket {
                    up_to: Some(1000),
                    cents: 320,
                },
                Bracket {
                    up_to: None,
                    cents: 440,
                },
            ],
        }
    }

    fn pricing() -> Pricing {
        Pricing {
            grid: grid(),
            late_cancellation_charged: true,
            absence_charged: true,
            unbooked_presence: PresenceRule::Fixed(650),
            excuses: vec![Excuse::MedicalCertificate, Excuse::Strike],
        }
    }

    #[test]
    fn example_3_a_late_booking_costs_one_euro_more() {
        assert_eq!(apply(440, Modifier::Fixed(100)), 540);
        let line = pricing()
            .day_charge(
                date(2025, 9, 8),
                Some(1200),
                DayBooking::Booked {
                    late: Some(Modifier::Fixed(100)),
                },
                Attendance::Present,
                None,
            )
            .unwrap();
        assert_eq!(line.cents, 540);
        assert_eq!(line.kind, ChargeKind::LateBooking);
        assert_eq!(
            line.explanation_fr(&grid()),
            "Tranche 3 (dernière tranche) : 4,40 € ; réservation de dernière minute +1,00 € = 5,40 €"
        );
    }

    #[test]
    fn example_4_fifty_percent_more() {
        assert_eq!(apply(320, Modifier::Percent(5000)), 480);
        let line = pricing()
            .day_charge(
                date(2025, 9, 8),
                Some(800),
                DayBooking::Booked {
                    late: Some(Modifier::Percent(5000)),
                },
                Attendance::Unknown,
                None,
            )
            .unwrap();
        assert_eq!((line.bracket, line.cents), (1, 480));
        assert_eq!(
            line.explanation_fr(&grid()),
            "Tranche 2 (QF ≤ 1000) : 3,20 € ; réservation de dernière minute +50 % = 4,80 €"
        );
    }

    #[test]
    fn percentages_round_half_up_to_the_cent() {
        assert_eq!(percent_of(449, 1000), 45); // 44,9 cents
        assert_eq!(percent_of(5, 5000), 3); // 2,5 cents
        assert_eq!(percent_of(3, 5000), 2); // 1,5 cents
        assert_eq!(percent_of(449, 1250), 56); // 56,125 cents
        assert_eq!(apply(449, Modifier::Percent(-10000)), 0);
        assert_eq!(euros(449), "4,49 €");
        assert_eq!(euros(5), "0,05 €");
        assert_eq!(percent_fr(5000), "50");
        assert_eq!(percent_fr(1250), "12,5");
        assert_eq!(percent_fr(-705), "-7,05");
    }

    #[test]
    fn brackets_and_families_without_a_quotient() {
        let g = grid();
        assert_eq!(g.bracket_for(Some(0)), 0);
        assert_eq!(g.bracket_for(Some(500)), 0);
        assert_eq!(g.bracket_for(Some(501)), 1);
        assert_eq!(g.bracket_for(Some(5000)), 2);
        assert_eq!(g.bracket_for(None), 2);
        assert!(g.check().is_ok());
        assert!(g.one_euro_meal_eligible());
        let mut two = g.clone();
        two.brackets.remove(1);
        assert!(!two.one_euro_meal_eligible(), "three brackets at least");
        let mut generous = g.clone();
        generous.brackets[0].up_to = Some(1200);
        generous.brackets[1].up_to = Some(1500);
        assert!(
            !generous.one_euro_meal_eligible(),
            "1 € only for quotients up to 1,000"
        );
        let mut descending = g.clone();
        descending.brackets[1].up_to = Some(400);
        assert_eq!(descending.check(), Err(GridError::NotAscending));
        let mut open_middle = g.clone();
        open_middle.brackets[1].up_to = None;
        assert_eq!(open_middle.check(), Err(GridError::LastBracket));
        assert_eq!(
            PriceGrid { brackets: vec![] }.check(),
            Err(GridError::Empty)
        );
    }

    #[test]
    fn what_each_day_costs() {
        let p = pricing();
        let day = date(2025, 9, 8);
        let charge = |booking, attendance, excuse| {
            p.day_charge(day, Some(800), booking, attendance, excuse)
                .map(|l| (l.kind, l.cents))
        };
        let booked = DayBooking::Booked { late: None };
        assert_eq!(
            charge(booked, Attendance::Present, None),
            Some((ChargeKind::Booking, 320))
        );
        assert_eq!(
            charge(booked, Attendance::Absent, None),
            Some((ChargeKind::UnjustifiedAbsence, 320))
        );
        assert_eq!(
            charge(booked, Attendance::Absent, Some(Excuse::MedicalCertificate)),
            None
        );
        // An excuse the commune does not accept changes nothing.
        assert_eq!(
            charge(booked, Attendance::Absent, Some(Excuse::SchoolTrip)),
            Some((ChargeKind::UnjustifiedAbsence, 320))
        );
        assert_eq!(
            charge(DayBooking::CancelledLate, Attendance::Absent, None),
            Some((ChargeKind::LateCancellation, 320))
        );
        assert_eq!(
            charge(
                DayBooking::CancelledLate,
                Attendance::Absent,
                Some(Excuse::Strike)
            ),
            None
        );
        assert_eq!(
            charge(DayBooking::NotBooked, Attendance::Present, None),
            Some((ChargeKind::UnbookedPresence, 650))
        );
        assert_eq!(
            charge(DayBooking::NotBooked, Attendance::Absent, None),
            None
        );
        let lenient = Pricing {
            absence_charged: false,
            late_cancellation_charged: false,
            unbooked_presence: PresenceRule::Bracket(Modifier::Percent(2500)),
            ..p.clone()
        };
        assert_eq!(
            lenient
                .day_charge(day, Some(800), booked, Attendance::Absent, None)
                .map(|l| l.cents),
            None
        );
        assert_eq!(
            lenient
                .day_charge(
                    day,
                    Some(800),
                    DayBooking::NotBooked,
                    Attendance::Present,
                    None
                )
                .map(|l| l.cents),
            Some(400)
        );
    }

    proptest! {
        #[test]
        fn a_price_is_never_negative(
            base in 0i64..100_000,
            fixed in -200_000i64..200_000,
            percent in -20_000i64..50_000,
        ) {
            prop_assert!(apply(base, Modifier::Fixed(fixed)) >= 0);
            prop_assert!(apply(base, Modifier::Percent(percent)) >= 0);
        }

        #[test]
        fn a_higher_quotient_never_pays_less_on_a_progressive_grid(a in 0u32..5000, b in 0u32..5000) {
            let g = grid();
            let (low, high) = (a.min(b), a.max(b));
            prop_assert!(g.brackets[g.bracket_for(Some(low))].cents <= g.brackets[g.bracket_for(Some(high))].cents);
        }
    }
}
