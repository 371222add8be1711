//! What each day of an activity is for one child: booked, bookable (at the normal price or
//! at the last minute), full, or closed, with its deadline and its price for this family.
//! The parents' month page and the JSON API both read these values, so the two can never
//! disagree; each words them its own way.

use std::collections::HashMap;

use jiff::civil::Date;
use jiff::{ToSpan, Zoned};
use kernel::Kernel;

use crate::deadlines::{BookingWindow, CancellationWindow, Modifier, WhyClosed, at_paris};
use crate::model::{Activity, Booking, BookingStatus};
use crate::pricing::{Attendance, DayBooking};
use crate::store;

/// A day as a family sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayStatus {
    pub day: Date,
    pub state: DayState,
    /// The day was booked, then cancelled after the free cancellation (its charge stands).
    pub cancelled_late: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DayState {
    Booked {
        price: Price,
        /// `None` once the day has started: it can no longer be cancelled.
        cancellation: Option<CancellationWindow>,
    },
    /// A place can be booked now, until `closes_at`.
    Bookable {
        closes_at: Zoned,
        /// At the last-minute price (the normal deadline passed).
        late: bool,
        price: Price,
    },
    /// Bookable by the rules, but every place is taken; `waiting_rank` is the child's
    /// place on the waiting list, if on it.
    Full {
        closes_at: Zoned,
        waiting_rank: Option<i64>,
    },
    /// Booked by the child's other household (alternating custody): theirs to cancel,
    /// and their price is not this family's business.
    BookedByOtherHousehold,
    Closed(WhyClosed),
}

/// A day's price for this family, with how it is computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Price {
    pub cents: i64,
    pub explanation: String,
}

/// The price of booking `day`, normally (`late` is `None`) or at the last minute.
pub fn price(
    activity: &Activity,
    day: Date,
    late: Option<Modifier>,
    quotients: &[family::rules::QuotientRecord],
) -> Price {
    match activity.pricing.day_charge(
        day,
        family::rules::quotient_on(quotients, day),
        DayBooking::Booked { late },
        Attendance::Unknown,
        None,
    ) {
        Some(line) => Price {
            cents: line.cents,
            explanation: line.explanation_fr(&activity.pricing.grid),
        },
        None => Price {
            cents: 0,
            explanation: "Gratuit.".into(),
        },
    }
}

/// Every day from `first` to `last` on which the activity runs by its weekdays or opens
/// by exception (closed ones included, with the reason), for one child, as the household
/// `household_id` sees them.
pub async fn days_of_child(
    kernel: &Kernel,
    household_id: &str,
    child_id: &str,
    activity: &Activity,
    quotients: &[family::rules::QuotientRecord],
    first: Date,
    last: Date,
) -> Result<Vec<DayStatus>, sqlx::Error> {
    let bookings =
        store::bookings_of_child(&kernel.db, child_id, &activity.id, first, last).await?;
    let booked_prices = store::booked_prices(
        &kernel.db,
        household_id,
        child_id,
        &activity.id,
        first,
        last,
    )
    .await?;
    let waiting = store::waiting_positions(&kernel.db, &activity.id, child_id, first, last).await?;
    let now = kernel.now();
    let mut days = Vec::new();
    let mut day = first;
    while day <= last {
        let runs = activity.calendar.weekdays.contains(&day.weekday())
            || activity.calendar.open_days.contains(&day);
        if runs {
            let booking = bookings.iter().find(|b| b.day == day);
            let status = match booking {
                Some(b) if b.status == BookingStatus::Booked && b.household_id != household_id => {
                    DayStatus {
                        day,
                        state: DayState::BookedByOtherHousehold,
                        cancelled_late: false,
                    }
                }
                // Another household's cancelled day is nothing to this one.
                Some(b) if b.household_id != household_id => {
                    day_status(kernel, activity, None, quotients, &waiting, day, now).await?
                }
                _ => {
                    let mut status =
                        day_status(kernel, activity, booking, quotients, &waiting, day, now)
                            .await?;
                    // A booked day shows the price it was booked at, even if the grid
                    // changed since.
                    if let (DayState::Booked { price, .. }, Some((cents, explanation))) =
                        (&mut status.state, booked_prices.get(&day))
                    {
                        *price = Price {
                            cents: *cents,
                            explanation: explanation.clone(),
                        };
                    }
                    status
                }
            };
            days.push(status);
        }
        day = day.saturating_add(1.day());
    }
    Ok(days)
}

async fn day_status(
    kernel: &Kernel,
    activity: &Activity,
    booking: Option<&Booking>,
    quotients: &[family::rules::QuotientRecord],
    waiting: &HashMap<Date, i64>,
    day: Date,
    now: jiff::Timestamp,
) -> Result<DayStatus, sqlx::Error> {
    if let Some(b) = booking.filter(|b| b.status == BookingStatus::Booked) {
        let started = now >= at_paris(day, activity.rules.starts_at).timestamp();
        return Ok(DayStatus {
            day,
            state: DayState::Booked {
                price: price(activity, day, b.late_surcharge, quotients),
                cancellation: (!started).then(|| activity.rules.cancellation_window(day, now)),
            },
            cancelled_late: false,
        });
    }
    let cancelled_late = booking.is_some_and(|b| b.status == BookingStatus::CancelledLate);
    let (closes_at, late) = match activity.rules.booking_window(&activity.calendar, day, now) {
        BookingWindow::Closed(why) => {
            return Ok(DayStatus {
                day,
                state: DayState::Closed(why),
                cancelled_late,
            });
        }
        BookingWindow::Normal { closes_at } => (closes_at, None),
        BookingWindow::Late {
            closes_at,
            surcharge,
            ..
        } => (closes_at, Some(surcharge)),
    };
    let full = match activity.capacity {
        Some(capacity) => store::places_taken(&kernel.db, &activity.id, day).await? >= capacity,
        None => false,
    };
    let state = if full {
        DayState::Full {
            closes_at,
            waiting_rank: waiting.get(&day).copied(),
        }
    } else {
        DayState::Bookable {
            closes_at,
            late: late.is_some(),
            price: price(activity, day, late, quotients),
        }
    };
    Ok(DayStatus {
        day,
        state,
        cancelled_late,
    })
}
