//! Figures for managers and elected officials: how long reports wait to be acknowledged
//! and to be resolved (medians, overall and per category), the months of a period, and
//! the bars of the charts. Pure: the store counts and reads the instants, the web draws.

use std::collections::BTreeMap;

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp, ToSpan};

/// The median of durations: the middle one, or halfway between the two middle ones.
/// `None` when there is none. The order of the input does not matter.
pub fn median(durations: &[SignedDuration]) -> Option<SignedDuration> {
    if durations.is_empty() {
        return None;
    }
    let mut sorted = durations.to_vec();
    sorted.sort_unstable();
    let middle = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        return Some(sorted[middle]);
    }
    // Halfway computed on nanoseconds in 128 bits: no overflow, exact to the nanosecond.
    let low = sorted[middle - 1].as_nanos();
    let high = sorted[middle].as_nanos();
    let half = low + (high - low) / 2;
    Some(SignedDuration::from_nanos_i128(half))
}

/// What one report contributes to the delays: when it was filed, acknowledged and (for a
/// resolved report) resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelayRow {
    pub category_id: String,
    pub created_at: Timestamp,
    pub acknowledged_at: Option<Timestamp>,
    /// Set only for reports resolved (not rejected nor merged).
    pub resolved_at: Option<Timestamp>,
}

/// Median delays over a set of reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delays {
    /// Reports acknowledged, and the median time from filing to acknowledgement.
    pub acknowledged: usize,
    pub to_acknowledge: Option<SignedDuration>,
    /// Reports resolved, and the median time from filing to resolution.
    pub resolved: usize,
    pub to_resolve: Option<SignedDuration>,
}

fn delays_of<'a>(rows: impl Iterator<Item = &'a DelayRow> + Clone) -> Delays {
    // A clock moved back by an operator could put an acknowledgement before the filing:
    // such a delay counts as none rather than as a negative time.
    let since =
        |r: &DelayRow, at: Timestamp| at.duration_since(r.created_at).max(SignedDuration::ZERO);
    let acknowledge: Vec<SignedDuration> = rows
        .clone()
        .filter_map(|r| r.acknowledged_at.map(|at| since(r, at)))
        .collect();
    let resolve: Vec<SignedDuration> = rows
        .filter_map(|r| r.resolved_at.map(|at| since(r, at)))
        .collect();
    Delays {
        acknowledged: acknowledge.len(),
        to_acknowledge: median(&acknowledge),
        resolved: resolve.len(),
        to_resolve: median(&resolve),
    }
}

/// The delays of every report together, and per category (by category id, in id order).
pub fn delays(rows: &[DelayRow]) -> (Delays, Vec<(String, Delays)>) {
    let mut by_category: BTreeMap<&str, Vec<&DelayRow>> = BTreeMap::new();
    for row in rows {
        by_category.entry(&row.category_id).or_default().push(row);
    }
    let per_category = by_category
        .into_iter()
        .map(|(id, rows)| (id.to_string(), delays_of(rows.into_iter())))
        .collect();
    (delays_of(rows.iter()), per_category)
}

/// The first day of each of the `count` months that end with the month of `last`, oldest
/// first: the months of the « by month » chart.
pub fn months_until(last: Date, count: usize) -> Vec<Date> {
    let first_of_last = last.first_of_month();
    (0..count)
        .rev()
        .filter_map(|back| {
            let back = i64::try_from(back).ok()?;
            first_of_last.checked_sub(back.months()).ok()
        })
        .collect()
}

/// A duration as whole days, hours and minutes (rounded down to the minute), for people.
pub fn parts(duration: SignedDuration) -> (i64, i64, i64) {
    let minutes = duration.as_secs().max(0) / 60;
    (minutes / (24 * 60), (minutes / 60) % 24, minutes % 60)
}

/// A bar of a chart: its label, value and length as a share of the longest (0 to 100).
pub fn bars(counts: &[(String, i64)]) -> Vec<(String, i64, i64)> {
    let max = counts.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    counts
        .iter()
        .map(|(label, n)| (label.clone(), *n, (*n).max(0) * 100 / max))
        .collect()
}

/// Counts keyed by the store's values, in the order of `keys` with zero for those absent,
/// then any key the store returned that `keys` does not name.
pub fn in_order(keys: &[String], counts: &[(Option<String>, i64)]) -> Vec<(Option<String>, i64)> {
    let mut out: Vec<(Option<String>, i64)> = keys
        .iter()
        .map(|k| {
            let n = counts
                .iter()
                .filter(|(key, _)| key.as_deref() == Some(k.as_str()))
                .map(|(_, n)| *n)
                .sum();
            (Some(k.clone()), n)
        })
        .collect();
    for (key, n) in counts {
        let known = key.as_ref().is_some_and(|k| keys.contains(k));
        if !known && *n > 0 {
            match out.iter_mut().find(|(k, _)| k == key) {
                Some(entry) => entry.1 += n,
                None => out.push((key.clone(), *n)),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn minutes(n: i64) -> SignedDuration {
        SignedDuration::from_mins(n)
    }

    fn at(hours: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + hours * 3600).unwrap()
    }

    #[test]
    fn the_median_is_the_middle_or_halfway_between_the_two_middles() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[minutes(7)]), Some(minutes(7)));
        assert_eq!(
            median(&[minutes(30), minutes(10), minutes(20)]),
            Some(minutes(20))
        );
        assert_eq!(
            median(&[minutes(40), minutes(10), minutes(20), minutes(30)]),
            Some(minutes(25))
        );
        // One second and two seconds: halfway is a second and a half, not rounded away.
        assert_eq!(
            median(&[SignedDuration::from_secs(1), SignedDuration::from_secs(2)]),
            Some(SignedDuration::from_millis(1500))
        );
    }

    #[test]
    fn delays_count_acknowledged_and_resolved_reports_per_category() {
        let row = |category: &str, ack: Option<i64>, resolved: Option<i64>| DelayRow {
            category_id: category.into(),
            created_at: at(0),
            acknowledged_at: ack.map(at),
            resolved_at: resolved.map(at),
        };
        let rows = vec![
            row("voirie", Some(1), Some(24)),
            row("voirie", Some(3), None),
            row("voirie", Some(2), Some(48)),
            row("tags", Some(10), Some(10)),
            row("tags", None, None),
        ];
        let (all, per_category) = delays(&rows);
        assert_eq!(all.acknowledged, 4);
        // 1, 2, 3 and 10 hours: halfway between 2 and 3.
        assert_eq!(all.to_acknowledge, Some(SignedDuration::from_mins(150)));
        assert_eq!(all.resolved, 3);
        assert_eq!(all.to_resolve, Some(SignedDuration::from_hours(24)));
        let voirie = &per_category.iter().find(|(c, _)| c == "voirie").unwrap().1;
        assert_eq!(voirie.to_acknowledge, Some(SignedDuration::from_hours(2)));
        assert_eq!(voirie.to_resolve, Some(SignedDuration::from_hours(36)));
        let tags = &per_category.iter().find(|(c, _)| c == "tags").unwrap().1;
        assert_eq!((tags.acknowledged, tags.resolved), (1, 1));
        assert_eq!(delays(&[]).0, Delays::default());
    }

    #[test]
    fn an_acknowledgement_before_the_filing_counts_as_no_delay() {
        let rows = [DelayRow {
            category_id: "c".into(),
            created_at: at(5),
            acknowledged_at: Some(at(4)),
            resolved_at: None,
        }];
        assert_eq!(delays(&rows).0.to_acknowledge, Some(SignedDuration::ZERO));
    }

    #[test]
    fn twelve_months_end_with_the_last_one_across_years() {
        let months = months_until("2026-03-17".parse().unwrap(), 12);
        assert_eq!(months.len(), 12);
        assert_eq!(months[0], "2025-04-01".parse::<Date>().unwrap());
        assert_eq!(months[11], "2026-03-01".parse::<Date>().unwrap());
        assert!(months.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn durations_read_as_days_hours_and_minutes() {
        assert_eq!(parts(SignedDuration::from_mins(59)), (0, 0, 59));
        assert_eq!(parts(SignedDuration::from_mins(24 * 60 + 125)), (1, 2, 5));
        assert_eq!(parts(SignedDuration::from_secs(-10)), (0, 0, 0));
    }

    #[test]
    fn counts_follow_the_given_order_with_zeros_and_keep_the_unknown() {
        let keys = vec!["new".to_string(), "resolved".to_string()];
        let counts = vec![
            (Some("resolved".to_string()), 4),
            (None, 2),
            (Some("gone".to_string()), 0),
        ];
        assert_eq!(
            in_order(&keys, &counts),
            vec![
                (Some("new".to_string()), 0),
                (Some("resolved".to_string()), 4),
                (None, 2)
            ]
        );
    }

    proptest! {
        #[test]
        fn the_median_lies_between_the_shortest_and_the_longest(
            secs in proptest::collection::vec(0i64..10_000_000, 1..60)
        ) {
            let durations: Vec<SignedDuration> = secs.iter().map(|s| SignedDuration::from_secs(*s)).collect();
            let m = median(&durations).unwrap();
            prop_assert!(m >= *durations.iter().min().unwrap());
            prop_assert!(m <= *durations.iter().max().unwrap());
        }

        #[test]
        fn the_median_does_not_depend_on_the_order(
            secs in proptest::collection::vec(0i64..10_000_000, 0..60),
            rotation in 0usize..60,
        ) {
            let durations: Vec<SignedDuration> = secs.iter().map(|s| SignedDuration::from_secs(*s)).collect();
            let mut reversed = durations.clone();
            reversed.reverse();
            let mut rotated = durations.clone();
            if !rotated.is_empty() {
                let by = rotation % rotated.len();
                rotated.rotate_left(by);
            }
            prop_assert_eq!(median(&durations), median(&reversed));
            prop_assert_eq!(median(&durations), median(&rotated));
        }

        #[test]
        fn bars_never_exceed_the_chart(counts in proptest::collection::vec(0i64..100_000, 0..12)) {
            let labelled: Vec<(String, i64)> = counts.iter().enumerate().map(|(i, n)| (i.to_string(), *n)).collect();
            for (_, _, width) in bars(&labelled) {
                prop_assert!((0..=100).contains(&width));
            }
        }
    }
}
