//! Figures for managers and elected officials: requests by procedure, status, channel and
//! month, median handling time, requests past their legal deadline. Pure aggregation over
//! plain rows; the store reads the rows, the web draws the charts.

use std::collections::BTreeMap;

use jiff::civil::Date;

/// What one request contributes to the figures (no personal data).
#[derive(Debug, Clone)]
pub struct StatRow {
    pub procedure: String,
    pub status_label: String,
    pub channel: String,
    /// The month it was received, `2026-11`.
    pub month: String,
    pub received_on: Date,
    /// The day it was decided (expressly or by silence), if it was.
    pub decided_on: Option<Date>,
    pub deemed_on: Option<Date>,
    pub open: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figures {
    pub total: usize,
    pub by_procedure: Vec<(String, usize)>,
    pub by_status: Vec<(String, usize)>,
    pub by_channel: Vec<(String, usize)>,
    pub by_month: Vec<(String, usize)>,
    /// Median days from receipt to decision, over decided requests.
    pub median_days: Option<i64>,
    /// Open requests whose implicit-decision date has passed.
    pub past_deadline: usize,
}

fn count(values: impl Iterator<Item = String>, sort_by_count: bool) -> Vec<(String, usize)> {
    let mut map: BTreeMap<String, usize> = BTreeMap::new();
    for v in values {
        *map.entry(v).or_default() += 1;
    }
    let mut out: Vec<(String, usize)> = map.into_iter().collect();
    if sort_by_count {
        out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    }
    out
}

pub fn figures(rows: &[StatRow], today: Date) -> Figures {
    let mut days: Vec<i64> = rows
        .iter()
        .filter_map(|r| {
            let decided = r.decided_on?;
            r.received_on
                .until(decided)
                .ok()
                .map(|span| i64::from(span.get_days()).max(0))
        })
        .collect();
    days.sort_unstable();
    Figures {
        total: rows.len(),
        by_procedure: count(rows.iter().map(|r| r.procedure.clone()), true),
        by_status: count(rows.iter().map(|r| r.status_label.clone()), true),
        by_channel: count(rows.iter().map(|r| r.channel.clone()), true),
        by_month: count(rows.iter().map(|r| r.month.clone()), false),
        median_days: (!days.is_empty()).then(|| days[days.len() / 2]),
        past_deadline: rows
            .iter()
            .filter(|r| r.open && r.deemed_on.is_some_and(|d| d < today))
            .count(),
    }
}

/// A bar of a chart: its label, value and length as a share of the longest (0 to 100).
pub fn bars(counts: &[(String, usize)]) -> Vec<(String, usize, usize)> {
    let max = counts.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    counts
        .iter()
        .map(|(label, n)| (label.clone(), *n, n * 100 / max))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn row(procedure: &str, channel: &str, received: &str, decided: Option<&str>) -> StatRow {
        StatRow {
            procedure: procedure.into(),
            status_label: if decided.is_some() {
                "Acceptée"
            } else {
                "Déposée"
            }
            .into(),
            channel: channel.into(),
            month: received[..7].into(),
            received_on: d(received),
            decided_on: decided.map(d),
            deemed_on: Some(d(received).saturating_add(jiff::Span::new().months(2))),
            open: decided.is_none(),
        }
    }

    #[test]
    fn figures_count_and_measure() {
        let rows = vec![
            row("Salle", "En ligne", "2026-09-01", Some("2026-09-11")),
            row("Salle", "Accueil", "2026-09-15", Some("2026-09-18")),
            row("Acte", "En ligne", "2026-10-01", Some("2026-10-31")),
            row("Acte", "En ligne", "2026-08-01", None),
            row("Salle", "Courrier", "2026-11-20", None),
        ];
        let f = figures(&rows, d("2026-11-23"));
        assert_eq!(f.total, 5);
        assert_eq!(
            f.by_procedure,
            vec![("Salle".into(), 3), ("Acte".into(), 2)]
        );
        assert_eq!(f.by_channel[0], ("En ligne".into(), 3));
        assert_eq!(
            f.by_month,
            vec![
                ("2026-08".into(), 1),
                ("2026-09".into(), 2),
                ("2026-10".into(), 1),
                ("2026-11".into(), 1)
            ]
        );
        // 3, 10 and 30 days: the median is 10.
        assert_eq!(f.median_days, Some(10));
        // Received on 1 August, still open, deemed on 1 October: past its deadline.
        assert_eq!(f.past_deadline, 1);
        assert_eq!(figures(&[], d("2026-11-23")).median_days, None);
    }

    proptest! {
        #[test]
        fn bars_never_exceed_the_chart(counts in proptest::collection::vec(0usize..10_000, 0..12)) {
            let labelled: Vec<(String, usize)> = counts.iter().enumerate().map(|(i, n)| (i.to_string(), *n)).collect();
            for (_, _, width) in bars(&labelled) {
                prop_assert!(width <= 100);
            }
        }
    }
}
