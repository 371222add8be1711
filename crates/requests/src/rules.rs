//! The legal deadlines of a request, as pure functions over civil dates (Europe/Paris):
//! CRPA L231-1 and L231-4 (silence means acceptance, or rejection), L114-5 (incomplete
//! file), L114-2 (request sent to the wrong authority). Sources and worked examples:
//! the requests domain notes.

use jiff::civil::Date;
use jiff::{Span, ToSpan};

use crate::model::{Completion, DeadlineFacts, DeemedDecision, Delay, Regime};

/// Adds a delay *de quantième à quantième*: 1 February + 2 months = 1 April. When the target
/// month has no such day (31 August + 1 month), the last day of that month. The result is
/// not moved off weekends or public holidays: that extension only protects applicants.
pub fn add_delay(start: Date, delay: Delay) -> Date {
    let span: Span = match delay {
        Delay::Months(n) => i64::from(n).months(),
        Delay::Weeks(n) => i64::from(n).weeks(),
        Delay::Days(n) => i64::from(n).days(),
    };
    // jiff clamps to the last day of a shorter month, which is the rule we want.
    start.saturating_add(span)
}

/// Days during which the applicant had to produce documents (the rejection delay is
/// suspended then). `None` when some documents are still awaited.
fn suspended_days(facts: &DeadlineFacts) -> Option<i64> {
    let mut total = 0;
    if let Some(answered) = facts.incomplete_at_receipt {
        total += days_between(facts.received_on, answered?);
    }
    for Completion {
        requested_on,
        answered_on,
    } in &facts.completions
    {
        total += days_between(*requested_on, (*answered_on)?);
    }
    Some(total)
}

fn days_between(from: Date, to: Date) -> i64 {
    // A document sent back before it was asked for (a data-entry slip) suspends nothing.
    from.until(to)
        .ok()
        .map(|span| i64::from(span.get_days()))
        .unwrap_or(0)
        .max(0)
}

/// The date the acceptance delay starts: receipt by the competent authority, or the day the
/// last missing documents arrived if later (L114-5: the delay starts only then).
fn acceptance_start(facts: &DeadlineFacts) -> Option<Date> {
    let mut start = facts.competent_received_on.unwrap_or(facts.received_on);
    if let Some(answered) = facts.incomplete_at_receipt {
        start = start.max(answered?);
    }
    for completion in &facts.completions {
        start = start.max(completion.answered_on?);
    }
    Some(start)
}

/// The implicit decision and its date for a request.
pub fn deemed_decision(facts: &DeadlineFacts) -> DeemedDecision {
    match facts.regime {
        Regime::None => DeemedDecision::NotApplicable,
        Regime::Acceptance => match acceptance_start(facts) {
            Some(start) => DeemedDecision::AcceptedOn {
                on: add_delay(start, facts.delay),
            },
            None => DeemedDecision::Suspended,
        },
        // The rejection delay runs from receipt by the first authority (L114-2) and is
        // suspended while documents are awaited (L114-5), then resumes.
        Regime::Rejection => match suspended_days(facts) {
            Some(days) => DeemedDecision::RejectedOn {
                on: add_delay(facts.received_on, facts.delay).saturating_add(days.days()),
            },
            None => DeemedDecision::Suspended,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn facts(regime: Regime, delay: Delay, received: &str) -> DeadlineFacts {
        DeadlineFacts {
            regime,
            delay,
            received_on: d(received),
            competent_received_on: None,
            incomplete_at_receipt: None,
            completions: vec![],
        }
    }

    #[test]
    fn worked_example_1_two_months_date_to_date() {
        let f = facts(Regime::Acceptance, Delay::Months(2), "2025-02-01");
        assert_eq!(
            deemed_decision(&f),
            DeemedDecision::AcceptedOn {
                on: d("2025-04-01")
            }
        );
    }

    #[test]
    fn worked_example_2() {
        let f = facts(Regime::Acceptance, Delay::Months(2), "2025-07-10");
        assert_eq!(
            deemed_decision(&f),
            DeemedDecision::AcceptedOn {
                on: d("2025-09-10")
            }
        );
    }

    #[test]
    fn worked_example_3_incomplete_file_starts_when_documents_arrive() {
        let mut f = facts(Regime::Acceptance, Delay::Months(2), "2025-03-01");
        f.incomplete_at_receipt = Some(None);
        assert_eq!(deemed_decision(&f), DeemedDecision::Suspended);
        f.incomplete_at_receipt = Some(Some(d("2025-03-15")));
        assert_eq!(
            deemed_decision(&f),
            DeemedDecision::AcceptedOn {
                on: d("2025-05-15")
            }
        );
    }

    #[test]
    fn worked_example_4_administrative_appeal_is_rejection() {
        let f = facts(Regime::Rejection, Delay::Months(2), "2025-04-10");
        assert_eq!(
            deemed_decision(&f),
            DeemedDecision::RejectedOn {
                on: d("2025-06-10")
            }
        );
    }

    #[test]
    fn worked_example_5_expert_opinion_four_months() {
        let f = facts(Regime::Acceptance, Delay::Months(4), "2025-01-15");
        assert_eq!(
            deemed_decision(&f),
            DeemedDecision::AcceptedOn {
                on: d("2025-05-15")
            }
        );
    }

    #[test]
    fn worked_example_6_canteen_enrolment() {
        let f = facts(Regime::Acceptance, Delay::default(), "2025-06-16");
        assert_eq!(
            deemed_decision(&f),
            DeemedDecision::AcceptedOn {
                on: d("2025-08-16")
            }
        );
    }

    #[test]
    fn a_missing_day_becomes_the_last_day_of_the_month() {
        assert_eq!(
            add_delay(d("2025-12-31"), Delay::Months(2)),
            d("2026-02-28")
        );
        assert_eq!(
            add_delay(d("2027-12-31"), Delay::Months(2)),
            d("2028-02-29")
        );
        assert_eq!(
            add_delay(d("2025-08-31"), Delay::Months(1)),
            d("2025-09-30")
        );
        assert_eq!(add_delay(d("2025-01-10"), Delay::Weeks(3)), d("2025-01-31"));
        assert_eq!(add_delay(d("2025-12-20"), Delay::Days(15)), d("2026-01-04"));
    }

    #[test]
    fn weekends_and_holidays_do_not_move_the_date() {
        // 2025-03-15 + 2 months = Thursday 15 May; 2025-03-01 + 2 months = Thursday 1 May,
        // Labour Day: still 1 May.
        let f = facts(Regime::Acceptance, Delay::Months(2), "2025-03-01");
        assert_eq!(
            deemed_decision(&f),
            DeemedDecision::AcceptedOn {
                on: d("2025-05-01")
            }
        );
    }

    #[test]
    fn rejection_delay_is_suspended_while_documents_are_awaited() {
        let mut f = facts(Regime::Rejection, Delay::Months(2), "2025-04-10");
        f.completions.push(Completion {
            requested_on: d("2025-04-20"),
            answered_on: None,
        });
        assert_eq!(deemed_decision(&f), DeemedDecision::Suspended);
        // Ten days of suspension: the delay resumes and ends ten days later.
        f.completions[0].answered_on = Some(d("2025-04-30"));
        assert_eq!(
            deemed_decision(&f),
            DeemedDecision::RejectedOn {
                on: d("2025-06-20")
            }
        );
    }

    #[test]
    fn a_forwarded_request_runs_each_delay_from_its_own_receipt() {
        // Received by the wrong authority on 2 June, by the commune on 16 June.
        let mut f = facts(Regime::Acceptance, Delay::Months(2), "2025-06-02");
        f.competent_received_on = Some(d("2025-06-16"));
        assert_eq!(
            deemed_decision(&f),
            DeemedDecision::AcceptedOn {
                on: d("2025-08-16")
            }
        );
        f.regime = Regime::Rejection;
        assert_eq!(
            deemed_decision(&f),
            DeemedDecision::RejectedOn {
                on: d("2025-08-02")
            }
        );
    }

    #[test]
    fn no_regime_no_deemed_decision() {
        let f = facts(Regime::None, Delay::Months(2), "2025-06-02");
        assert_eq!(deemed_decision(&f), DeemedDecision::NotApplicable);
    }

    fn date() -> impl Strategy<Value = Date> {
        (2020i16..2035, 1i8..=12, 1i8..=28).prop_map(|(y, m, day)| Date::new(y, m, day).unwrap())
    }

    fn delay() -> impl Strategy<Value = Delay> {
        prop_oneof![
            (1u8..=6).prop_map(Delay::Months),
            (1u8..=12).prop_map(Delay::Weeks),
            (1u16..=120).prop_map(Delay::Days),
        ]
    }

    proptest! {
        #[test]
        fn a_deemed_decision_never_comes_before_receipt(received in date(), delay in delay(), gap in 0i64..60, wait in 0i64..60) {
            for regime in [Regime::Acceptance, Regime::Rejection] {
                let mut f = facts(regime, delay, "2025-01-01");
                f.received_on = received;
                let requested = received.saturating_add(gap.days());
                f.completions.push(Completion { requested_on: requested, answered_on: Some(requested.saturating_add(wait.days())) });
                match deemed_decision(&f) {
                    DeemedDecision::AcceptedOn { on } | DeemedDecision::RejectedOn { on } => {
                        prop_assert!(on > received);
                        // Waiting for documents never brings the date forward.
                        let mut plain = f.clone();
                        plain.completions.clear();
                        match deemed_decision(&plain) {
                            DeemedDecision::AcceptedOn { on: base } | DeemedDecision::RejectedOn { on: base } => prop_assert!(on >= base),
                            other => prop_assert!(false, "{other:?}"),
                        }
                    }
                    other => prop_assert!(false, "{other:?}"),
                }
            }
        }

        #[test]
        fn a_later_receipt_never_gives_an_earlier_date(a in date(), extra in 0i64..400, delay in delay()) {
            let b = a.saturating_add(extra.days());
            prop_assert!(add_delay(b, delay) >= add_delay(a, delay));
        }
    }
}
