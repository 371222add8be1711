//! « Cantine à 1 € »: the State pays the commune for each meal billed 1 € or less to a
//! family, when its price grid qualifies (`PriceGrid::one_euro_meal_eligible`). Claims are
//! made for each four-month period (January–April, May–August, September–December): 3 €
//! a meal, 4 € when the commune has committed to the EGAlim objectives.
//!
//! A meal counts when it was served and billed at 1 € or less: a booking, a last-minute
//! booking or an unbooked presence whose line is at most 1 €. A late cancellation or an
//! absence served no meal and does not count.

use jiff::civil::Date;

use crate::pricing::{ChargeKind, PriceGrid};

/// The State's aid per subsidised meal, in cents.
pub const AID_CENTS: i64 = 300;
/// With the commune's commitment to the EGAlim objectives (since 2024).
pub const AID_EGALIM_CENTS: i64 = 400;
/// The highest price of a subsidised meal.
pub const MAX_PRICE_CENTS: i64 = 100;

/// The charge kinds of a meal actually served.
pub const MEAL_KINDS: [ChargeKind; 3] = [
    ChargeKind::Booking,
    ChargeKind::LateBooking,
    ChargeKind::UnbookedPresence,
];

/// A four-month claim period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ClaimPeriod {
    pub year: i16,
    /// 1 (January–April), 2 (May–August) or 3 (September–December).
    pub index: i8,
}

impl ClaimPeriod {
    pub fn of_month(year: i16, month: i8) -> ClaimPeriod {
        ClaimPeriod {
            year,
            index: (month - 1) / 4 + 1,
        }
    }

    pub fn of(day: Date) -> ClaimPeriod {
        ClaimPeriod::of_month(day.year(), day.month())
    }

    pub fn first_day(self) -> Date {
        Date::new(self.year, (self.index - 1) * 4 + 1, 1).unwrap_or(Date::MIN)
    }

    pub fn last_day(self) -> Date {
        Date::new(self.year, self.index * 4, 1)
            .map(|d| d.last_of_month())
            .unwrap_or(Date::MAX)
    }

    /// The period before this one.
    pub fn previous(self) -> ClaimPeriod {
        if self.index == 1 {
            ClaimPeriod {
                year: self.year - 1,
                index: 3,
            }
        } else {
            ClaimPeriod {
                year: self.year,
                index: self.index - 1,
            }
        }
    }

    /// « janvier–avril 2027 ».
    pub fn label_fr(self) -> String {
        let months = match self.index {
            1 => "janvier–avril",
            2 => "mai–août",
            _ => "septembre–décembre",
        };
        format!("{months} {}", self.year)
    }
}

/// The subsidised meals of one period, and the aid they bring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeriodClaim {
    pub period: ClaimPeriod,
    pub meals: i64,
}

impl PeriodClaim {
    pub fn aid_cents(&self, egalim: bool) -> i64 {
        self.meals * if egalim { AID_EGALIM_CENTS } else { AID_CENTS }
    }
}

/// Sums monthly counts of subsidised meals (`(year, month, meals)`) into the given
/// periods, in their order; a period without meals says 0.
pub fn claims(monthly: &[(i16, i8, i64)], periods: &[ClaimPeriod]) -> Vec<PeriodClaim> {
    periods
        .iter()
        .map(|period| PeriodClaim {
            period: *period,
            meals: monthly
                .iter()
                .filter(|(y, m, _)| ClaimPeriod::of_month(*y, *m) == *period)
                .map(|(_, _, n)| n)
                .sum(),
        })
        .collect()
}

/// Why a grid does not qualify for the aid, in plain French (empty when it qualifies).
pub fn grid_problems(grid: &PriceGrid) -> Vec<&'static str> {
    let b = &grid.brackets;
    let mut problems = Vec::new();
    if b.len() < 3 {
        problems.push("la grille doit compter au moins trois tranches");
    }
    if !b.windows(2).all(|w| w[0].cents <= w[1].cents) {
        problems.push("les prix doivent croître avec le quotient");
    }
    if !b.iter().any(|x| x.cents <= MAX_PRICE_CENTS) {
        problems.push("une tranche au moins doit être à 1 € ou moins");
    }
    if !b.iter().any(|x| x.cents > MAX_PRICE_CENTS) {
        problems.push("une tranche au moins doit dépasser 1 €");
    }
    if b.iter()
        .any(|x| x.cents <= MAX_PRICE_CENTS && x.up_to.is_none_or(|q| q > 1000))
    {
        problems.push("le tarif de 1 € ou moins ne doit aller qu'aux quotients jusqu'à 1 000");
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::Bracket;
    use jiff::civil::date;

    fn grid(brackets: &[(Option<u32>, i64)]) -> PriceGrid {
        PriceGrid {
            brackets: brackets
                .iter()
                .map(|(up_to, cents)| Bracket {
                    up_to: *up_to,
                    cents: *cents,
                })
                .collect(),
        }
    }

    #[test]
    fn periods_are_the_three_four_month_terms_of_the_claims() {
        let autumn = ClaimPeriod::of(date(2026, 11, 23));
        assert_eq!(
            autumn,
            ClaimPeriod {
                year: 2026,
                index: 3
            }
        );
        assert_eq!(autumn.first_day(), date(2026, 9, 1));
        assert_eq!(autumn.last_day(), date(2026, 12, 31));
        assert_eq!(autumn.label_fr(), "septembre–décembre 2026");
        assert_eq!(ClaimPeriod::of(date(2027, 4, 30)).index, 1);
        assert_eq!(ClaimPeriod::of(date(2027, 5, 1)).index, 2);
        assert_eq!(
            ClaimPeriod::of(date(2027, 8, 31)).last_day(),
            date(2027, 8, 31)
        );
        assert_eq!(
            ClaimPeriod {
                year: 2027,
                index: 1
            }
            .previous(),
            ClaimPeriod {
                year: 2026,
                index: 3
            }
        );
    }

    #[test]
    fn monthly_counts_add_up_per_period_with_the_aid() {
        let monthly = [
            (2026, 9, 120),
            (2026, 10, 80),
            (2026, 12, 40),
            (2027, 1, 90),
        ];
        let periods = [
            ClaimPeriod {
                year: 2026,
                index: 2,
            },
            ClaimPeriod {
                year: 2026,
                index: 3,
            },
            ClaimPeriod {
                year: 2027,
                index: 1,
            },
        ];
        let claims = claims(&monthly, &periods);
        let meals: Vec<_> = claims.iter().map(|c| c.meals).collect();
        assert_eq!(meals, [0, 240, 90]);
        assert_eq!(claims[1].aid_cents(false), 72_000);
        assert_eq!(claims[1].aid_cents(true), 96_000);
    }

    #[test]
    fn each_condition_of_the_aid_is_named_when_it_fails() {
        for (brackets, problem) in [
            (vec![(Some(500), 100), (Some(1000), 320), (None, 449)], None),
            (vec![(Some(700), 50), (Some(1000), 100), (None, 449)], None),
            (vec![(Some(500), 100), (None, 449)], Some("trois tranches")),
            (
                vec![(Some(500), 120), (Some(1000), 320), (None, 449)],
                Some("1 € ou moins"),
            ),
            (
                vec![(Some(1200), 100), (Some(1500), 320), (None, 449)],
                Some("jusqu'à 1 000"),
            ),
            (
                vec![(Some(500), 320), (Some(1000), 100), (None, 449)],
                Some("croître"),
            ),
            (
                vec![(Some(500), 50), (Some(1000), 80), (None, 90)],
                Some("dépasser 1 €"),
            ),
        ] {
            let g = grid(&brackets);
            let problems = grid_problems(&g);
            match problem {
                None => assert!(
                    problems.is_empty() && g.one_euro_meal_eligible(),
                    "{problems:?}"
                ),
                Some(words) => {
                    assert!(!g.one_euro_meal_eligible());
                    assert!(
                        problems.iter().any(|p| p.contains(words)),
                        "{brackets:?}: {problems:?}"
                    );
                }
            }
        }
    }
}
