//! Persistence of the booking engine: activities, places per day, bookings, charge lines.

use jiff::Timestamp;
use jiff::civil::Date;
use kernel::Tx;
use kernel::clock::{from_db, to_db};
use kernel::db::Db;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::model::{Activity, ActivityKind, Booking, BookingStatus, Charge, Unit};
use crate::pricing::{ChargeKind, ChargeLine, PriceGrid};

pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn json_error(e: serde_json::Error) -> sqlx::Error {
    sqlx::Error::Decode(Box::new(e))
}

const ACTIVITY_COLUMNS: &str =
    "id, code, name, kind, school, unit, capacity, calendar, rules, pricing, active, service_id";

fn activity(row: &AnyRow) -> Result<Activity, sqlx::Error> {
    let kind: String = row.get(3);
    let unit: String = row.get(5);
    Ok(Activity {
        id: row.get(0),
        code: row.get(1),
        name: row.get(2),
        kind: ActivityKind::from_code(&kind).unwrap_or(ActivityKind::Canteen),
        school: row.get(4),
        unit: Unit::from_code(&unit).unwrap_or(Unit::Meal),
        capacity: row.get(6),
        calendar: serde_json::from_str(&row.get::<String, _>(7)).map_err(json_error)?,
        rules: serde_json::from_str(&row.get::<String, _>(8)).map_err(json_error)?,
        pricing: serde_json::from_str(&row.get::<String, _>(9)).map_err(json_error)?,
        active: row.get::<i64, _>(10) != 0,
        service_id: row.get(11),
    })
}

pub async fn insert_activity(tx: &mut Tx, a: &Activity, now: Timestamp) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO activities (id, code, name, kind, school, unit, capacity, calendar, rules, pricing, active, created_at, updated_at, service_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13)",
    )
    .bind(&a.id)
    .bind(&a.code)
    .bind(&a.name)
    .bind(a.kind.code())
    .bind(&a.school)
    .bind(a.unit.code())
    .bind(a.capacity)
    .bind(serde_json::to_string(&a.calendar).map_err(json_error)?)
    .bind(serde_json::to_string(&a.rules).map_err(json_error)?)
    .bind(serde_json::to_string(&a.pricing).map_err(json_error)?)
    .bind(i64::from(a.active))
    .bind(to_db(now))
    .bind(&a.service_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The active activities serving a school, in a stable order.
pub async fn activities_for_school(db: &Db, school: &str) -> Result<Vec<Activity>, sqlx::Error> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {ACTIVITY_COLUMNS} FROM activities WHERE school = $1 AND active = 1 ORDER BY kind, name, id"
    )))
    .bind(school)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(activity).collect()
}

pub async fn activity_by_code(db: &Db, code: &str) -> Result<Option<Activity>, sqlx::Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {ACTIVITY_COLUMNS} FROM activities WHERE code = $1"
    )))
    .bind(code)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(activity).transpose()
}

pub async fn update_rules(
    tx: &mut Tx,
    activity_id: &str,
    rules: &crate::deadlines::BookingRules,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE activities SET rules = $2, updated_at = $3 WHERE id = $1")
        .bind(activity_id)
        .bind(serde_json::to_string(rules).map_err(json_error)?)
        .bind(to_db(now))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A part of an activity kept as JSON, which its own page edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    Calendar,
    Pricing,
}

impl Setting {
    fn column(self) -> &'static str {
        match self {
            Setting::Calendar => "calendar",
            Setting::Pricing => "pricing",
        }
    }

    pub fn audit_action(self) -> &'static str {
        match self {
            Setting::Calendar => "bookings.calendar_changed",
            Setting::Pricing => "bookings.pricing_changed",
        }
    }
}

pub async fn update_setting(
    tx: &mut Tx,
    activity_id: &str,
    setting: Setting,
    value: &serde_json::Value,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    // The column name comes from the enum above, never from input.
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE activities SET {} = $2, updated_at = $3 WHERE id = $1",
        setting.column()
    )))
    .bind(activity_id)
    .bind(value.to_string())
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Every activity's name by id (a short list: a commune has tens of activities).
pub async fn activity_names(
    db: &Db,
) -> Result<std::collections::HashMap<String, String>, sqlx::Error> {
    let rows = sqlx::query("SELECT id, name FROM activities")
        .fetch_all(db.pool())
        .await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// Every activity's code by id, inactive ones included (old charge lines name them).
pub async fn activity_codes(
    db: &Db,
) -> Result<std::collections::HashMap<String, String>, sqlx::Error> {
    let rows = sqlx::query("SELECT id, code FROM activities")
        .fetch_all(db.pool())
        .await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// Every active activity, for the staff's pickers.
pub async fn activities(db: &Db) -> Result<Vec<Activity>, sqlx::Error> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {ACTIVITY_COLUMNS} FROM activities WHERE active = 1 ORDER BY school, kind, name, id"
    )))
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(activity).collect()
}

/// Every booking of a day: (activity, child).
pub async fn booked_on(db: &Db, day: Date) -> Result<Vec<(String, String)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT activity_id, child_id FROM bookings WHERE day = $1 AND status = 'booked'",
    )
    .bind(day.to_string())
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// The children booked for an activity on a day.
pub async fn booked_children(
    db: &Db,
    activity_id: &str,
    day: Date,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT child_id FROM bookings WHERE activity_id = $1 AND day = $2 AND status = 'booked' ORDER BY child_id",
    )
    .bind(activity_id)
    .bind(day.to_string())
    .fetch_all(db.pool())
    .await
}

/// The register of a day: child → present or absent, and the excuse of an absence.
pub async fn attendance(
    db: &Db,
    activity_id: &str,
    day: Date,
) -> Result<std::collections::HashMap<String, (bool, Option<crate::pricing::Excuse>)>, sqlx::Error>
{
    let rows = sqlx::query(
        "SELECT child_id, present, excuse FROM attendance WHERE activity_id = $1 AND day = $2",
    )
    .bind(activity_id)
    .bind(day.to_string())
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let excuse: Option<String> = r.get(2);
            (
                r.get(0),
                (
                    r.get::<i64, _>(1) != 0,
                    excuse.and_then(|e| crate::pricing::Excuse::from_code(&e)),
                ),
            )
        })
        .collect())
}

#[allow(clippy::too_many_arguments)]
pub async fn record_attendance(
    tx: &mut Tx,
    activity_id: &str,
    child_id: &str,
    day: Date,
    present: bool,
    excuse: Option<crate::pricing::Excuse>,
    recorded_by: Option<&str>,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO attendance (activity_id, child_id, day, present, recorded_by, recorded_at, excuse)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (activity_id, child_id, day) DO UPDATE SET present = $4, recorded_by = $5, recorded_at = $6, excuse = $7",
    )
    .bind(activity_id)
    .bind(child_id)
    .bind(day.to_string())
    .bind(i64::from(present))
    .bind(recorded_by)
    .bind(to_db(now))
    .bind(excuse.filter(|_| !present).map(|e| e.code()))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Removes the lines of a child's day that a presence or an absence replaces.
pub async fn delete_day_charges(
    tx: &mut Tx,
    activity_id: &str,
    child_id: &str,
    day: Date,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM charges WHERE activity_id = $1 AND child_id = $2 AND day = $3")
        .bind(activity_id)
        .bind(child_id)
        .bind(day.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn count_activities(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM activities")
        .fetch_one(db.pool())
        .await
}

/// Takes one place of the day, unless the activity is full: one conditional write, so
/// that two parents booking the last place at the same instant cannot both get it.
pub async fn take_place(
    tx: &mut Tx,
    activity_id: &str,
    day: Date,
    capacity: Option<i64>,
) -> Result<bool, sqlx::Error> {
    if capacity.is_some_and(|c| c < 1) {
        return Ok(false);
    }
    let taken: Option<i64> = sqlx::query_scalar(
        "INSERT INTO activity_day_counts (activity_id, day, booked) VALUES ($1, $2, 1)
         ON CONFLICT (activity_id, day) DO UPDATE SET booked = activity_day_counts.booked + 1
           WHERE activity_day_counts.booked < $3
         RETURNING booked",
    )
    .bind(activity_id)
    .bind(day.to_string())
    .bind(capacity.unwrap_or(i64::MAX))
    .fetch_optional(&mut **tx)
    .await?;
    Ok(taken.is_some())
}

pub async fn release_place(tx: &mut Tx, activity_id: &str, day: Date) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE activity_day_counts SET booked = booked - 1 WHERE activity_id = $1 AND day = $2 AND booked > 0",
    )
    .bind(activity_id)
    .bind(day.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn places_taken(db: &Db, activity_id: &str, day: Date) -> Result<i64, sqlx::Error> {
    let n: Option<i64> = sqlx::query_scalar(
        "SELECT booked FROM activity_day_counts WHERE activity_id = $1 AND day = $2",
    )
    .bind(activity_id)
    .bind(day.to_string())
    .fetch_optional(db.pool())
    .await?;
    Ok(n.unwrap_or(0))
}

const BOOKING_COLUMNS: &str =
    "id, activity_id, child_id, household_id, day, status, late_surcharge, booked_at";

fn booking(row: &AnyRow) -> Result<Booking, sqlx::Error> {
    let day: String = row.get(4);
    let status: String = row.get(5);
    let late: Option<String> = row.get(6);
    Ok(Booking {
        id: row.get(0),
        activity_id: row.get(1),
        child_id: row.get(2),
        household_id: row.get(3),
        day: day
            .parse()
            .map_err(|e: jiff::Error| sqlx::Error::Decode(Box::new(e)))?,
        status: BookingStatus::from_code(&status),
        late_surcharge: late
            .map(|l| serde_json::from_str(&l))
            .transpose()
            .map_err(json_error)?,
        booked_at: from_db(row.get(7)),
    })
}

pub async fn booking_of(
    tx: &mut Tx,
    activity_id: &str,
    child_id: &str,
    day: Date,
) -> Result<Option<Booking>, sqlx::Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {BOOKING_COLUMNS} FROM bookings WHERE activity_id = $1 AND child_id = $2 AND day = $3"
    )))
    .bind(activity_id)
    .bind(child_id)
    .bind(day.to_string())
    .fetch_optional(&mut **tx)
    .await?;
    row.as_ref().map(booking).transpose()
}

/// Books, or books again a day cancelled earlier (one row per child, activity and day).
pub async fn save_booking(
    tx: &mut Tx,
    b: &Booking,
    booked_by: Option<&str>,
) -> Result<(), sqlx::Error> {
    let late = b
        .late_surcharge
        .map(|m| serde_json::to_string(&m))
        .transpose()
        .map_err(json_error)?;
    sqlx::query(
        "INSERT INTO bookings (id, activity_id, child_id, household_id, day, status, late_surcharge, booked_at, booked_by, cancelled_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL)
         ON CONFLICT (activity_id, child_id, day) DO UPDATE SET
           household_id = $4, status = $6, late_surcharge = $7, booked_at = $8, booked_by = $9, cancelled_at = NULL",
    )
    .bind(&b.id)
    .bind(&b.activity_id)
    .bind(&b.child_id)
    .bind(&b.household_id)
    .bind(b.day.to_string())
    .bind(b.status.code())
    .bind(late)
    .bind(to_db(b.booked_at))
    .bind(booked_by)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn set_status(
    tx: &mut Tx,
    booking_id: &str,
    status: BookingStatus,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE bookings SET status = $2, cancelled_at = $3 WHERE id = $1")
        .bind(booking_id)
        .bind(status.code())
        .bind(to_db(now))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A child's bookings of an activity between two days, both included.
pub async fn bookings_of_child(
    db: &Db,
    child_id: &str,
    activity_id: &str,
    from: Date,
    until: Date,
) -> Result<Vec<Booking>, sqlx::Error> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {BOOKING_COLUMNS} FROM bookings
         WHERE child_id = $1 AND activity_id = $2 AND day >= $3 AND day <= $4 ORDER BY day"
    )))
    .bind(child_id)
    .bind(activity_id)
    .bind(from.to_string())
    .bind(until.to_string())
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(booking).collect()
}

/// A household's next booked days, from `from`, soonest first.
pub async fn upcoming_bookings(
    db: &Db,
    household_id: &str,
    from: Date,
    limit: i64,
) -> Result<Vec<Booking>, sqlx::Error> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {BOOKING_COLUMNS} FROM bookings
         WHERE household_id = $1 AND status = 'booked' AND day >= $2
         ORDER BY day, activity_id, child_id LIMIT $3"
    )))
    .bind(household_id)
    .bind(from.to_string())
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(booking).collect()
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_charge(
    tx: &mut Tx,
    household_id: &str,
    child_id: &str,
    activity_id: &str,
    booking_id: Option<&str>,
    line: &ChargeLine,
    grid: &PriceGrid,
    context: &str,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO charges (id, household_id, child_id, activity_id, booking_id, day, kind, cents, explanation, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(new_id())
    .bind(household_id)
    .bind(child_id)
    .bind(activity_id)
    .bind(booking_id)
    .bind(line.day.to_string())
    .bind(line.kind.code())
    .bind(line.cents)
    .bind(if context.is_empty() {
        line.explanation_fr(grid)
    } else {
        format!("{} ; {context}", line.explanation_fr(grid))
    })
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Deletes one household's lines of a booking. The row of a day is shared by the child's
/// households (alternating custody): the other household's late cancellation stays.
pub async fn delete_charges_of_booking(
    tx: &mut Tx,
    booking_id: &str,
    household_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM charges WHERE booking_id = $1 AND household_id = $2")
        .bind(booking_id)
        .bind(household_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// What a household was charged for its bookings of a child, by day: the price it booked
/// at, shown back to it even after the grid changed.
pub async fn booked_prices(
    db: &Db,
    household_id: &str,
    child_id: &str,
    activity_id: &str,
    from: Date,
    until: Date,
) -> Result<std::collections::HashMap<Date, (i64, String)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT day, cents, explanation FROM charges
         WHERE household_id = $1 AND child_id = $2 AND activity_id = $3 AND day >= $4 AND day <= $5
           AND kind IN ('booking', 'late_booking')",
    )
    .bind(household_id)
    .bind(child_id)
    .bind(activity_id)
    .bind(from.to_string())
    .bind(until.to_string())
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            let day: String = r.get(0);
            Some((day.parse().ok()?, (r.get(1), r.get(2))))
        })
        .collect())
}

/// Whether the booking still has its booking line (not replaced by the register's).
pub async fn has_booking_line(
    tx: &mut Tx,
    booking_id: &str,
    household_id: &str,
) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM charges WHERE booking_id = $1 AND household_id = $2
           AND kind IN ('booking', 'late_booking')",
    )
    .bind(booking_id)
    .bind(household_id)
    .fetch_one(&mut **tx)
    .await?;
    Ok(n > 0)
}

/// The household that last booked the child for this activity on or before `day`: in
/// alternating custody, the one in charge that week.
pub async fn last_booking_household(
    db: &Db,
    activity_id: &str,
    child_id: &str,
    day: Date,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT household_id FROM bookings WHERE activity_id = $1 AND child_id = $2 AND day <= $3
         ORDER BY day DESC LIMIT 1",
    )
    .bind(activity_id)
    .bind(child_id)
    .bind(day.to_string())
    .fetch_optional(db.pool())
    .await
}

/// A household's bookings of a child still booked from `from` on (every activity): what
/// taking the child out of the household cancels.
pub async fn booked_by_household_from(
    tx: &mut Tx,
    household_id: &str,
    child_id: &str,
    from: Date,
) -> Result<Vec<Booking>, sqlx::Error> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {BOOKING_COLUMNS} FROM bookings
         WHERE household_id = $1 AND child_id = $2 AND status = 'booked' AND day >= $3 ORDER BY day"
    )))
    .bind(household_id)
    .bind(child_id)
    .bind(from.to_string())
    .fetch_all(&mut **tx)
    .await?;
    rows.iter().map(booking).collect()
}

/// An activity's bookings still booked from `from` on: what a calendar change may close.
pub async fn booked_in_activity_from(
    db: &Db,
    activity_id: &str,
    from: Date,
) -> Result<Vec<Booking>, sqlx::Error> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {BOOKING_COLUMNS} FROM bookings
         WHERE activity_id = $1 AND status = 'booked' AND day >= $2 ORDER BY day"
    )))
    .bind(activity_id)
    .bind(from.to_string())
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(booking).collect()
}

/// A household's charge lines between two days, both included, in date order.
pub async fn charges_of_household(
    db: &Db,
    household_id: &str,
    from: Date,
    until: Date,
) -> Result<Vec<Charge>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, child_id, activity_id, day, kind, cents, explanation FROM charges
         WHERE household_id = $1 AND day >= $2 AND day <= $3 ORDER BY day, created_at, id",
    )
    .bind(household_id)
    .bind(from.to_string())
    .bind(until.to_string())
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let day: String = r.get(3);
            let kind: String = r.get(4);
            Ok(Charge {
                id: r.get(0),
                child_id: r.get(1),
                activity_id: r.get(2),
                day: day
                    .parse()
                    .map_err(|e: jiff::Error| sqlx::Error::Decode(Box::new(e)))?,
                kind: ChargeKind::from_code(&kind).unwrap_or(ChargeKind::Booking),
                cents: r.get(5),
                explanation: r.get(6),
            })
        })
        .collect()
}

// ------------------------------------------------------------------ waiting lists

pub async fn join_waiting_list(
    tx: &mut Tx,
    activity_id: &str,
    child_id: &str,
    household_id: &str,
    day: Date,
    requested_by: Option<&str>,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO waiting_list (activity_id, child_id, household_id, day, requested_at, requested_by)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (activity_id, child_id, day) DO NOTHING",
    )
    .bind(activity_id)
    .bind(child_id)
    .bind(household_id)
    .bind(day.to_string())
    .bind(to_db(now))
    .bind(requested_by)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn leave_waiting_list(
    tx: &mut Tx,
    activity_id: &str,
    child_id: &str,
    day: Date,
) -> Result<bool, sqlx::Error> {
    let removed = sqlx::query(
        "DELETE FROM waiting_list WHERE activity_id = $1 AND child_id = $2 AND day = $3",
    )
    .bind(activity_id)
    .bind(child_id)
    .bind(day.to_string())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(removed == 1)
}

/// The first child waiting for a day: (child, household).
pub async fn first_waiting(
    db: &Db,
    activity_id: &str,
    day: Date,
) -> Result<Option<(String, String)>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT child_id, household_id FROM waiting_list WHERE activity_id = $1 AND day = $2
         ORDER BY requested_at, child_id LIMIT 1",
    )
    .bind(activity_id)
    .bind(day.to_string())
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|r| (r.get(0), r.get(1))))
}

/// A child's places in the waiting lists of an activity over some days: day → position.
pub async fn waiting_positions(
    db: &Db,
    activity_id: &str,
    child_id: &str,
    from: Date,
    until: Date,
) -> Result<std::collections::HashMap<Date, i64>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT w.day, (SELECT COUNT(*) FROM waiting_list o WHERE o.activity_id = w.activity_id AND o.day = w.day
                          AND (o.requested_at < w.requested_at OR (o.requested_at = w.requested_at AND o.child_id <= w.child_id)))
         FROM waiting_list w WHERE w.activity_id = $1 AND w.child_id = $2 AND w.day >= $3 AND w.day <= $4",
    )
    .bind(activity_id)
    .bind(child_id)
    .bind(from.to_string())
    .bind(until.to_string())
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .iter()
        .filter_map(|r| Some((r.get::<String, _>(0).parse().ok()?, r.get(1))))
        .collect())
}

// ------------------------------------------------------------------ menus

const MENU_COLUMNS: &str =
    "day, starter, main, alternative, side, dairy, dessert, vegetarian, allergens";

fn menu(row: &AnyRow) -> Result<crate::menus::Menu, sqlx::Error> {
    let day: String = row.get(0);
    let allergens: String = row.get(8);
    Ok(crate::menus::Menu {
        day: day
            .parse()
            .map_err(|e: jiff::Error| sqlx::Error::Decode(Box::new(e)))?,
        starter: row.get(1),
        main: row.get(2),
        alternative: row.get(3),
        side: row.get(4),
        dairy: row.get(5),
        dessert: row.get(6),
        vegetarian: row.get::<i64, _>(7) != 0,
        allergens: allergens
            .split(',')
            .filter_map(family::model::Allergen::from_code)
            .collect(),
    })
}

/// Saves the menus of an activity's days, replacing those days' menus.
pub async fn save_menus(
    tx: &mut Tx,
    activity_id: &str,
    menus: &[crate::menus::Menu],
    user_id: Option<&str>,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    for m in menus {
        sqlx::query(
            "INSERT INTO menus (activity_id, day, starter, main, alternative, side, dairy, dessert, vegetarian, allergens, updated_at, updated_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
             ON CONFLICT (activity_id, day) DO UPDATE SET starter = excluded.starter, main = excluded.main,
               alternative = excluded.alternative, side = excluded.side, dairy = excluded.dairy,
               dessert = excluded.dessert, vegetarian = excluded.vegetarian, allergens = excluded.allergens,
               updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        )
        .bind(activity_id)
        .bind(m.day.to_string())
        .bind(&m.starter)
        .bind(&m.main)
        .bind(&m.alternative)
        .bind(&m.side)
        .bind(&m.dairy)
        .bind(&m.dessert)
        .bind(i64::from(m.vegetarian))
        .bind(
            m.allergens
                .iter()
                .map(|a| a.code())
                .collect::<Vec<_>>()
                .join(","),
        )
        .bind(to_db(now))
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// An activity's menus from `first` to `last`, by day.
pub async fn menus_between(
    db: &Db,
    activity_id: &str,
    first: Date,
    last: Date,
) -> Result<Vec<crate::menus::Menu>, sqlx::Error> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {MENU_COLUMNS} FROM menus WHERE activity_id = $1 AND day >= $2 AND day <= $3 ORDER BY day"
    )))
    .bind(activity_id)
    .bind(first.to_string())
    .bind(last.to_string())
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(menu).collect()
}

/// Every activity's menu of a day, by activity id (one query for a whole city).
pub async fn menus_on(
    db: &Db,
    day: Date,
) -> Result<std::collections::HashMap<String, crate::menus::Menu>, sqlx::Error> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {MENU_COLUMNS}, activity_id FROM menus WHERE day = $1"
    )))
    .bind(day.to_string())
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((r.get::<String, _>(9), menu(r)?)))
        .collect()
}

/// Meals served and billed at most `max_cents` per month (`(year, month, meals)`), for the
/// « cantine à 1 € » claims: one grouped query.
pub async fn cheap_meals_by_month(
    db: &Db,
    activity_id: &str,
    first: Date,
    last: Date,
    max_cents: i64,
) -> Result<Vec<(i16, i8, i64)>, sqlx::Error> {
    let [a, b, c] = crate::one_euro::MEAL_KINDS.map(|k| k.code());
    let rows = sqlx::query(
        "SELECT substr(day, 1, 7), COUNT(*) FROM charges
         WHERE activity_id = $1 AND day >= $2 AND day <= $3 AND cents <= $4
           AND kind IN ($5, $6, $7)
         GROUP BY substr(day, 1, 7)",
    )
    .bind(activity_id)
    .bind(first.to_string())
    .bind(last.to_string())
    .bind(max_cents)
    .bind(a)
    .bind(b)
    .bind(c)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            let month: String = r.get(0);
            let (y, m) = month.split_once('-')?;
            Some((y.parse().ok()?, m.parse().ok()?, r.get::<i64, _>(1)))
        })
        .collect())
}
