//! A family books and cancels, each in one transaction: the rules decide with the
//! kernel's clock, the place is taken atomically, the charge line is written with how it
//! was computed. The child is always looked up in the caller's own household.

use jiff::civil::{Date, Weekday};
use kernel::audit::AuditTarget;
use kernel::{Caller, Kernel};

use crate::deadlines::{BookingWindow, CancellationWindow, WhyClosed, moment_fr};
use crate::model::{Activity, Booking, BookingStatus};
use crate::pricing::{Attendance, DayBooking};
use crate::store;

#[derive(Debug, thiserror::Error)]
pub enum BookingError {
    #[error("introuvable")]
    NotFound,
    /// The day cannot be booked or cancelled now; the sentence says why.
    #[error("{0}")]
    Refused(String),
    #[error("complet")]
    Full,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl From<BookingError> for kernel::AppError {
    fn from(e: BookingError) -> Self {
        match e {
            BookingError::NotFound => kernel::AppError::NotFound,
            BookingError::Refused(m) => kernel::AppError::BadRequest(m),
            BookingError::Full => kernel::AppError::BadRequest("complet".into()),
            BookingError::Database(e) => kernel::AppError::Internal(e.into()),
        }
    }
}

impl From<family::actions::FamilyError> for BookingError {
    fn from(e: family::actions::FamilyError) -> Self {
        match e {
            family::actions::FamilyError::Database(e) => BookingError::Database(e),
            _ => BookingError::NotFound,
        }
    }
}

/// A child of the caller's household, with the household.
pub struct OwnChild {
    pub household_id: String,
    pub child: family::model::Child,
}

pub async fn own_child(
    kernel: &Kernel,
    caller: &Caller,
    child_id: &str,
) -> Result<OwnChild, BookingError> {
    let household = family::actions::my_household(kernel, caller)
        .await?
        .ok_or(BookingError::NotFound)?;
    let child = family::store::child_of_household(&kernel.db, &household.id, child_id)
        .await?
        .ok_or(BookingError::NotFound)?;
    Ok(OwnChild {
        household_id: household.id,
        child,
    })
}

/// An activity the child may book: active, and serving the child's school.
pub async fn activity_for(
    kernel: &Kernel,
    child: &family::model::Child,
    code: &str,
) -> Result<Activity, BookingError> {
    store::activity_by_code(&kernel.db, code)
        .await?
        .filter(|a| a.active && a.school == child.profile.school)
        .ok_or(BookingError::NotFound)
}

/// Why a day cannot be booked, in plain French.
pub fn closed_sentence(why: &WhyClosed) -> String {
    use crate::calendar::Closure;
    match why {
        WhyClosed::NotRunning(Closure::PublicHoliday(name)) => format!("Jour férié ({name})."),
        WhyClosed::NotRunning(Closure::Period(label)) => format!("Fermé : {label}."),
        WhyClosed::NotRunning(Closure::Exception) => "Fermé exceptionnellement ce jour-là.".into(),
        WhyClosed::NotRunning(Closure::Weekday) => "Pas de service ce jour de la semaine.".into(),
        WhyClosed::NotRunning(Closure::OutOfSeason) => "En dehors de l'année scolaire.".into(),
        WhyClosed::DeadlinePassed(at) => {
            format!("Les réservations sont closes depuis le {}.", moment_fr(at))
        }
    }
}

/// The live topic of an activity's days: the kitchen's page listens to it.
pub fn day_topic(activity_id: &str) -> String {
    format!("bookings.activity.{activity_id}")
}

/// Tells open kitchen pages that a day's bookings changed (identifiers only).
async fn publish_day(kernel: &Kernel, activity: &Activity, day: Date) {
    publish_booking_change(kernel, &activity.id, day).await;
}

pub async fn publish_booking_change(kernel: &Kernel, activity_id: &str, day: Date) {
    let payload = serde_json::json!({ "day": day.to_string() }).to_string();
    kernel
        .live
        .publish(&kernel.db, &day_topic(activity_id), &payload)
        .await;
}

/// A day the child's other household booked is theirs: booked once, cancelled by them.
const OTHER_HOUSEHOLD: &str =
    "Ce jour est réservé par l'autre foyer de l'enfant (garde alternée) : lui seul peut l'annuler.";

/// What a booking cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booked {
    pub late: bool,
    pub cents: i64,
}

/// Books `day` of the activity for the child.
pub async fn book(
    kernel: &Kernel,
    caller: &Caller,
    child_id: &str,
    activity_code: &str,
    day: Date,
) -> Result<Booked, BookingError> {
    let own = own_child(kernel, caller, child_id).await?;
    let activity = activity_for(kernel, &own.child, activity_code).await?;
    book_for(kernel, caller, &own, &activity, day).await
}

/// Books for a child already known to be the caller's (see `own_child`).
pub async fn book_for(
    kernel: &Kernel,
    caller: &Caller,
    own: &OwnChild,
    activity: &Activity,
    day: Date,
) -> Result<Booked, BookingError> {
    let now = kernel.now();
    let now_fr = moment_fr(&now.to_zoned(crate::deadlines::paris()));
    // The cut-off that applied, written on the line for whoever asks « why this price ? ».
    let (late, context) = match activity.rules.booking_window(&activity.calendar, day, now) {
        BookingWindow::Normal { closes_at } => (
            None,
            format!(
                "réservé le {now_fr}, avant la clôture des réservations le {}",
                moment_fr(&closes_at)
            ),
        ),
        BookingWindow::Late {
            normal_closed_at,
            closes_at,
            surcharge,
        } => (
            Some(surcharge),
            format!(
                "réservé le {now_fr}, après la clôture normale du {} : dernière minute, possible jusqu'au {}",
                moment_fr(&normal_closed_at),
                moment_fr(&closes_at)
            ),
        ),
        BookingWindow::Closed(why) => return Err(BookingError::Refused(closed_sentence(&why))),
    };
    let child_id = own.child.person.id.as_str();
    // Read before the transaction: a write transaction never waits for another connection.
    let quotient = family::documents::quotient_on(&kernel.db, &own.household_id, day).await?;
    let mut tx = kernel.db.begin().await?;
    if let Some(existing) = store::booking_of(&mut tx, &activity.id, child_id, day).await?
        && existing.status == BookingStatus::Booked
    {
        if existing.household_id != own.household_id {
            return Err(BookingError::Refused(OTHER_HOUSEHOLD.into()));
        }
        // Booked already (a second click): nothing more to do, nothing charged twice.
        let cents = line_cents(activity, existing.late_surcharge, day, quotient);
        return Ok(Booked {
            late: existing.late_surcharge.is_some(),
            cents,
        });
    }
    if !store::take_place(&mut tx, &activity.id, day, activity.capacity).await? {
        return Err(BookingError::Full);
    }
    let booking = Booking {
        id: store::new_id(),
        activity_id: activity.id.clone(),
        child_id: child_id.to_string(),
        household_id: own.household_id.clone(),
        day,
        status: BookingStatus::Booked,
        late_surcharge: late,
        booked_at: now,
    };
    store::save_booking(
        &mut tx,
        &booking,
        caller.identity.as_ref().map(|i| i.user_id.as_str()),
    )
    .await?;
    // The row kept its first id when the day had been booked and cancelled before.
    let saved = store::booking_of(&mut tx, &activity.id, child_id, day)
        .await?
        .ok_or(BookingError::NotFound)?;
    store::delete_charges_of_booking(&mut tx, &saved.id, &own.household_id).await?;
    let line = activity.pricing.day_charge(
        day,
        quotient,
        DayBooking::Booked { late },
        Attendance::Unknown,
        None,
    );
    let cents = line.as_ref().map_or(0, |l| l.cents);
    if let Some(line) = line {
        store::insert_charge(
            &mut tx,
            &own.household_id,
            child_id,
            &activity.id,
            Some(&saved.id),
            &line,
            &activity.pricing.grid,
            &context,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    publish_day(kernel, activity, day).await;
    Ok(Booked {
        late: late.is_some(),
        cents,
    })
}

fn line_cents(
    activity: &Activity,
    late: Option<crate::deadlines::Modifier>,
    day: Date,
    quotient: Option<u32>,
) -> i64 {
    activity
        .pricing
        .day_charge(
            day,
            quotient,
            DayBooking::Booked { late },
            Attendance::Unknown,
            None,
        )
        .map_or(0, |l| l.cents)
}

/// What a cancellation cost: nothing in time, else the charge kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cancelled {
    pub charged_cents: Option<i64>,
}

pub async fn cancel(
    kernel: &Kernel,
    caller: &Caller,
    child_id: &str,
    activity_code: &str,
    day: Date,
) -> Result<Cancelled, BookingError> {
    let own = own_child(kernel, caller, child_id).await?;
    let activity = activity_for(kernel, &own.child, activity_code).await?;
    cancel_for(kernel, &own, &activity, day).await
}

/// Cancels for a child already known to be the caller's (see `own_child`).
pub async fn cancel_for(
    kernel: &Kernel,
    own: &OwnChild,
    activity: &Activity,
    day: Date,
) -> Result<Cancelled, BookingError> {
    let now = kernel.now();
    if activity.calendar.closure(day).is_none()
        && now >= crate::deadlines::at_paris(day, activity.rules.starts_at).timestamp()
    {
        return Err(BookingError::Refused(
            "Ce jour est passé : il ne peut plus être annulé.".into(),
        ));
    }
    // Read before the transaction: the price for this family, and who waits for the place.
    let quotient = family::documents::quotient_on(&kernel.db, &own.household_id, day).await?;
    let next = next_in_line(kernel, activity, day).await?;
    let mut tx = kernel.db.begin().await?;
    let booking = store::booking_of(&mut tx, &activity.id, &own.child.person.id, day)
        .await?
        .filter(|b| b.status == BookingStatus::Booked)
        .ok_or_else(|| BookingError::Refused("Ce jour n'est pas réservé.".into()))?;
    if booking.household_id != own.household_id {
        return Err(BookingError::Refused(OTHER_HOUSEHOLD.into()));
    }
    store::delete_charges_of_booking(&mut tx, &booking.id, &own.household_id).await?;
    store::release_place(&mut tx, &activity.id, day).await?;
    let charged = match activity.rules.cancellation_window(day, now) {
        CancellationWindow::Free { .. } => {
            store::set_status(&mut tx, &booking.id, BookingStatus::Cancelled, now).await?;
            None
        }
        CancellationWindow::Charged { since } => {
            store::set_status(&mut tx, &booking.id, BookingStatus::CancelledLate, now).await?;
            let context = format!(
                "annulé le {}, après la fin de l'annulation sans frais le {}",
                moment_fr(&now.to_zoned(crate::deadlines::paris())),
                moment_fr(&since)
            );
            let line = activity.pricing.day_charge(
                day,
                quotient,
                DayBooking::CancelledLate,
                Attendance::Absent,
                None,
            );
            if let Some(line) = &line {
                store::insert_charge(
                    &mut tx,
                    &own.household_id,
                    &own.child.person.id,
                    &activity.id,
                    Some(&booking.id),
                    line,
                    &activity.pricing.grid,
                    &context,
                    now,
                )
                .await?;
            }
            line.map(|l| l.cents)
        }
    };
    if let Some(next) = next {
        promote(kernel, &mut tx, activity, day, next).await?;
    }
    tx.commit().await?;
    publish_day(kernel, activity, day).await;
    Ok(Cancelled {
        charged_cents: charged,
    })
}

/// The first family waiting for a place of the day, with what promoting them needs.
struct NextInLine {
    child_id: String,
    household_id: String,
    quotient: Option<u32>,
    late: Option<crate::deadlines::Modifier>,
    emails: Vec<String>,
}

async fn next_in_line(
    kernel: &Kernel,
    activity: &Activity,
    day: Date,
) -> Result<Option<NextInLine>, BookingError> {
    if activity.capacity.is_none() {
        return Ok(None);
    }
    let Some((child_id, household_id)) =
        store::first_waiting(&kernel.db, &activity.id, day).await?
    else {
        return Ok(None);
    };
    // A place freed after the last booking deadline goes to nobody automatically.
    let late = match activity
        .rules
        .booking_window(&activity.calendar, day, kernel.now())
    {
        BookingWindow::Normal { .. } => None,
        BookingWindow::Late { surcharge, .. } => Some(surcharge),
        BookingWindow::Closed(_) => return Ok(None),
    };
    let emails = family::store::adults(&kernel.db, &household_id)
        .await?
        .into_iter()
        .map(|a| a.person.email)
        .filter(|e| !e.is_empty())
        .collect();
    Ok(Some(NextInLine {
        quotient: family::documents::quotient_on(&kernel.db, &household_id, day).await?,
        child_id,
        household_id,
        late,
        emails,
    }))
}

/// Gives the freed place to the first in line, in the cancelling transaction, and tells
/// the family.
async fn promote(
    kernel: &Kernel,
    tx: &mut kernel::Tx,
    activity: &Activity,
    day: Date,
    next: NextInLine,
) -> Result<(), BookingError> {
    if !store::leave_waiting_list(tx, &activity.id, &next.child_id, day).await? {
        return Ok(());
    }
    if !store::take_place(tx, &activity.id, day, activity.capacity).await? {
        return Ok(());
    }
    let now = kernel.now();
    store::save_booking(
        tx,
        &Booking {
            id: store::new_id(),
            activity_id: activity.id.clone(),
            child_id: next.child_id.clone(),
            household_id: next.household_id.clone(),
            day,
            status: BookingStatus::Booked,
            late_surcharge: next.late,
            booked_at: now,
        },
        None,
    )
    .await?;
    let saved = store::booking_of(tx, &activity.id, &next.child_id, day)
        .await?
        .ok_or(BookingError::NotFound)?;
    store::delete_charges_of_booking(tx, &saved.id, &next.household_id).await?;
    let line = activity.pricing.day_charge(
        day,
        next.quotient,
        DayBooking::Booked { late: next.late },
        Attendance::Unknown,
        None,
    );
    if let Some(line) = &line {
        store::insert_charge(
            tx,
            &next.household_id,
            &next.child_id,
            &activity.id,
            Some(&saved.id),
            line,
            &activity.pricing.grid,
            &format!(
                "place libérée le {}, attribuée depuis la liste d'attente",
                moment_fr(&now.to_zoned(crate::deadlines::paris()))
            ),
            now,
        )
        .await?;
    }
    for email in &next.emails {
        kernel::outbox::enqueue_email(
            tx,
            now,
            &kernel::outbox::Email {
                to: email.clone(),
                subject: format!("Place obtenue : {} du {}", activity.name, crate::deadlines::date_fr(day)),
                text: format!(
                    "Bonjour,\n\nUne place s'est libérée : votre enfant est inscrit à « {} » le {}{}.\nSi vous n'en avez plus besoin, annulez-la dans votre espace :\n{}\n\nLe service enfance\n",
                    activity.name,
                    crate::deadlines::date_fr(day),
                    line.as_ref()
                        .map(|l| format!(" ({})", crate::pricing::euros(l.cents)))
                        .unwrap_or_default(),
                    kernel.link("/famille/reservations"),
                ),
                html: None,
            },
        )
        .await?;
    }
    Ok(())
}

/// Puts the child on the waiting list of a full day.
pub async fn join_waiting_list(
    kernel: &Kernel,
    caller: &Caller,
    child_id: &str,
    activity_code: &str,
    day: Date,
) -> Result<(), BookingError> {
    let own = own_child(kernel, caller, child_id).await?;
    let activity = activity_for(kernel, &own.child, activity_code).await?;
    let Some(capacity) = activity.capacity else {
        return Err(BookingError::Refused(
            "Cette activité accueille tout le monde : réservez directement.".into(),
        ));
    };
    if let BookingWindow::Closed(why) =
        activity
            .rules
            .booking_window(&activity.calendar, day, kernel.now())
    {
        return Err(BookingError::Refused(closed_sentence(&why)));
    }
    if store::places_taken(&kernel.db, &activity.id, day).await? < capacity {
        return Err(BookingError::Refused(
            "Il reste des places ce jour-là : réservez directement.".into(),
        ));
    }
    let mut tx = kernel.db.begin().await?;
    if store::booking_of(&mut tx, &activity.id, &own.child.person.id, day)
        .await?
        .is_some_and(|b| b.status == BookingStatus::Booked)
    {
        return Err(BookingError::Refused("Ce jour est déjà réservé.".into()));
    }
    store::join_waiting_list(
        &mut tx,
        &activity.id,
        &own.child.person.id,
        &own.household_id,
        day,
        caller.identity.as_ref().map(|i| i.user_id.as_str()),
        kernel.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn leave_waiting_list(
    kernel: &Kernel,
    caller: &Caller,
    child_id: &str,
    activity_code: &str,
    day: Date,
) -> Result<(), BookingError> {
    let own = own_child(kernel, caller, child_id).await?;
    let activity = activity_for(kernel, &own.child, activity_code).await?;
    let mut tx = kernel.db.begin().await?;
    if !store::leave_waiting_list(&mut tx, &activity.id, &own.child.person.id, day).await? {
        return Err(BookingError::Refused(
            "Cet enfant n'est pas en liste d'attente ce jour-là.".into(),
        ));
    }
    tx.commit().await?;
    Ok(())
}

/// What a weekly pattern did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PatternOutcome {
    pub booked: Vec<Date>,
    /// Days of the pattern that could not be booked at the normal price, with why.
    pub skipped: Vec<(Date, String)>,
}

/// « Every Monday, Tuesday and Thursday until the holidays »: books each open day of the
/// pattern whose normal booking is still open; late bookings are never made in bulk.
pub async fn book_pattern(
    kernel: &Kernel,
    caller: &Caller,
    child_id: &str,
    activity_code: &str,
    from: Date,
    until: Date,
    weekdays: &[Weekday],
) -> Result<PatternOutcome, BookingError> {
    let own = own_child(kernel, caller, child_id).await?;
    let activity = activity_for(kernel, &own.child, activity_code).await?;
    let until = until.min(from.saturating_add(jiff::Span::new().days(366)));
    let mut outcome = PatternOutcome::default();
    for day in activity.calendar.pattern(from, until, weekdays) {
        match activity
            .rules
            .booking_window(&activity.calendar, day, kernel.now())
        {
            BookingWindow::Normal { .. } => {
                match book_for(kernel, caller, &own, &activity, day).await {
                    Ok(_) => outcome.booked.push(day),
                    Err(BookingError::Full) => outcome.skipped.push((day, "Complet.".into())),
                    Err(BookingError::Refused(why)) => outcome.skipped.push((day, why)),
                    Err(e) => return Err(e),
                }
            }
            BookingWindow::Late { .. } => outcome.skipped.push((
                day,
                "Délai normal dépassé : réservez ce jour seul, au tarif de dernière minute.".into(),
            )),
            BookingWindow::Closed(why) => outcome.skipped.push((day, closed_sentence(&why))),
        }
    }
    Ok(outcome)
}

/// The supervisor's mark: the child was there or not (an absence perhaps excused). The
/// day's charge follows: an absence without cancelling, a presence without booking, or
/// the booking as it was; an excuse the commune accepts cancels the charge.
pub async fn record_presence(
    kernel: &Kernel,
    caller: &Caller,
    activity: &Activity,
    child_id: &str,
    day: Date,
    present: bool,
    excuse: Option<crate::pricing::Excuse>,
) -> Result<(), BookingError> {
    // The household of the day: the one that booked it, else (an unbooked presence) the
    // one that last booked the child here — in alternating custody, the one in charge that
    // week — else the child's first. Read before the transaction, with its quotient.
    let household =
        match store::last_booking_household(&kernel.db, &activity.id, child_id, day).await? {
            Some(h) => Some(h),
            None => family::store::household_of_child(&kernel.db, child_id).await?,
        };
    let quotient = match &household {
        Some(h) => family::documents::quotient_on(&kernel.db, h, day).await?,
        None => None,
    };
    let now = kernel.now();
    let mut tx = kernel.db.begin().await?;
    store::record_attendance(
        &mut tx,
        &activity.id,
        child_id,
        day,
        present,
        excuse,
        caller.identity.as_ref().map(|i| i.user_id.as_str()),
        now,
    )
    .await?;
    let booking = store::booking_of(&mut tx, &activity.id, child_id, day).await?;
    let day_booking = match &booking {
        Some(b) if b.status == BookingStatus::Booked => DayBooking::Booked {
            late: b.late_surcharge,
        },
        Some(b) if b.status == BookingStatus::CancelledLate => DayBooking::CancelledLate,
        _ => DayBooking::NotBooked,
    };
    // (The day's own booking row, if any, was the last one read above: same household.)
    // A booked child present keeps the line of the booking, at the price it was booked.
    let keeps_booking_line = match &booking {
        Some(b) if present && b.status == BookingStatus::Booked => {
            store::has_booking_line(&mut tx, &b.id, &b.household_id).await?
        }
        _ => false,
    };
    if let (Some(household), false) = (household, keeps_booking_line) {
        let attendance = if present {
            Attendance::Present
        } else {
            Attendance::Absent
        };
        store::delete_day_charges(&mut tx, &activity.id, child_id, day).await?;
        if let Some(line) =
            activity
                .pricing
                .day_charge(day, quotient, day_booking, attendance, excuse)
        {
            store::insert_charge(
                &mut tx,
                &household,
                child_id,
                &activity.id,
                booking.as_ref().map(|b| b.id.as_str()),
                &line,
                &activity.pricing.grid,
                match (present, day_booking) {
                    (true, DayBooking::NotBooked) => {
                        "présence sans réservation relevée au pointage"
                    }
                    (false, DayBooking::Booked { .. }) => {
                        "absence sans annulation relevée au pointage"
                    }
                    _ => "relevé au pointage",
                },
                now,
            )
            .await?;
        }
    }
    kernel
        .audit(
            &mut tx,
            caller,
            "bookings.attendance_recorded",
            Some(&AuditTarget::new("child", child_id)),
            serde_json::json!({
                "activity": activity.id,
                "day": day.to_string(),
                "present": present,
                "excuse": excuse.map(|e| e.code()),
            }),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Cancels bookings free of charge because the commune changed something (the day closed,
/// the child left the household), inside the caller's transaction: each place is released
/// and the booking household's lines of the day deleted. Returns the bookings cancelled
/// (those still booked).
pub async fn cancel_by_commune(
    tx: &mut kernel::Tx,
    bookings: &[Booking],
    now: jiff::Timestamp,
) -> Result<Vec<Booking>, sqlx::Error> {
    let mut cancelled = Vec::new();
    for b in bookings {
        let Some(current) = store::booking_of(tx, &b.activity_id, &b.child_id, b.day).await? else {
            continue;
        };
        if current.status != BookingStatus::Booked || current.household_id != b.household_id {
            continue;
        }
        store::delete_charges_of_booking(tx, &current.id, &current.household_id).await?;
        store::release_place(tx, &current.activity_id, current.day).await?;
        store::set_status(tx, &current.id, BookingStatus::Cancelled, now).await?;
        cancelled.push(current);
    }
    Ok(cancelled)
}

/// Takes a child out of one of its households (custody changed): that household's coming
/// days of the child are cancelled free of charge in the same transaction, so that no day
/// stays booked by a household that can no longer cancel it. Returns how many.
pub async fn detach_child(
    kernel: &Kernel,
    caller: &Caller,
    household_id: &str,
    child_id: &str,
) -> Result<usize, family::custody::CustodyError> {
    family::custody::may_change(kernel, caller).await?;
    let today = kernel.now().to_zoned(crate::deadlines::paris()).date();
    let mut tx = kernel.db.begin().await?;
    let coming = store::booked_by_household_from(&mut tx, household_id, child_id, today).await?;
    let cancelled = cancel_by_commune(&mut tx, &coming, kernel.now()).await?;
    family::custody::detach_in(kernel, &mut tx, caller, household_id, child_id).await?;
    tx.commit().await?;
    for b in &cancelled {
        publish_booking_change(kernel, &b.activity_id, b.day).await;
    }
    Ok(cancelled.len())
}
