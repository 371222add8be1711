//! `parvis bench --scenario reservations`: booking a meal (rules, place, charge line —
//! one transaction) one at a time and by several parents at once, and the kitchen's
//! counts of a day for every school, with a city's children in their family files.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bookings::actions::{self, OwnChild};
use bookings::model::Activity;
use family::model::{Allergen, ChildProfile, Diet, Person, PersonKind};
use jiff::ToSpan;

use super::percentile;

/// Children per school, as in a large primary school.
const PER_SCHOOL: usize = 300;

pub struct BookingsReport {
    backend: &'static str,
    children: usize,
    schools: usize,
    seeding: Duration,
    booking_median: Duration,
    booking_p95: Duration,
    concurrent_per_second: f64,
    concurrency: usize,
    kitchen_median: Duration,
    kitchen_meals: usize,
}

impl fmt::Display for BookingsReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        write!(
            f,
            "Réservations, {} : {} enfants dans {} écoles (insérés en {:.0} s)\n  réservation d'un repas (règles, place, ligne tarifée ; une transaction) : médiane {:.2} ms, 95e centile {:.2} ms\n  débit avec {} parents simultanés : {:.0} réservations/s\n  effectifs de cuisine d'un jour, toutes écoles ({} repas) : médiane {:.0} ms",
            self.backend,
            self.children,
            self.schools,
            self.seeding.as_secs_f64(),
            ms(self.booking_median),
            ms(self.booking_p95),
            self.concurrency,
            self.concurrent_per_second,
            self.kitchen_meals,
            ms(self.kitchen_median),
        )
    }
}

fn child_profile(i: usize, school: &str) -> ChildProfile {
    let diet = match i % 10 {
        0 | 1 => Diet::NoPork,
        2 => Diet::Vegetarian,
        3 => Diet::NoMeat,
        _ => Diet::Standard,
    };
    let allergens = match i % 25 {
        0 => vec![Allergen::Peanuts],
        1 => vec![Allergen::Milk, Allergen::Eggs],
        2 => vec![Allergen::Gluten],
        _ => Vec::new(),
    };
    ChildProfile {
        school: school.to_string(),
        class_name: ["CP", "CE1", "CE2", "CM1", "CM2"][i % 5].to_string(),
        diet,
        allergens,
        allergy_notes: String::new(),
        care_plan: i.is_multiple_of(25),
        doctor: String::new(),
        insurance: String::new(),
    }
}

pub async fn run(
    children: usize,
    samples: usize,
    concurrency: usize,
    database_url: Option<String>,
) -> anyhow::Result<BookingsReport> {
    let (_dir, kernel, backend) = super::throwaway(database_url).await?;
    let today = kernel.now().to_zoned(kernel::clock::paris()).date();
    let schools = children.div_ceil(PER_SCHOOL).max(1);

    // One canteen per school, open every weekday of the coming year.
    let seeding = Instant::now();
    let mut canteens: Vec<Activity> = Vec::with_capacity(schools);
    let mut tx = kernel.db.begin().await?;
    for s in 0..schools {
        let school = format!("École {s:03}");
        let mut canteen = bookings::demo::canteen(&format!("cantine-{s:03}"), &school);
        canteen.calendar.first_day = today;
        canteen.calendar.last_day = today.saturating_add(1.year());
        canteen.calendar.closed_periods.clear();
        canteen.calendar.weekdays = vec![
            jiff::civil::Weekday::Monday,
            jiff::civil::Weekday::Tuesday,
            jiff::civil::Weekday::Wednesday,
            jiff::civil::Weekday::Thursday,
            jiff::civil::Weekday::Friday,
        ];
        bookings::store::insert_activity(&mut tx, &canteen, kernel.now()).await?;
        canteens.push(canteen);
    }
    tx.commit().await?;

    // Two children per household; the kitchen's day booked for most of them.
    let open_days = canteens[0].calendar.days_open(
        today.saturating_add(14.days()),
        today.saturating_add(60.days()),
    );
    anyhow::ensure!(open_days.len() >= 3, "pas assez de jours ouverts");
    let (kitchen_day, booking_days) = (open_days[0], &open_days[1..]);
    let mut owned: Vec<(OwnChild, usize)> = Vec::with_capacity(children);
    let mut tx = kernel.db.begin().await?;
    let mut household = String::new();
    for i in 0..children {
        let school = i / PER_SCHOOL;
        if i % 2 == 0 {
            household = family::store::insert_household(
                &mut tx,
                &format!("Famille {i}"),
                "1 rue de l'École",
                kernel.now(),
            )
            .await?;
        }
        let child = family::rules::ValidChild {
            given_name: format!("Enfant {i}"),
            family_name: format!("Famille {}", i / 2),
            birth_date: jiff::civil::date(2018, 1, 1).saturating_add(((i % 1500) as i64).days()),
            profile: child_profile(i, &canteens[school].school),
        };
        let id = family::store::insert_child(&mut tx, &household, &child, kernel.now()).await?;
        if i % 100 < 85 {
            bookings::store::take_place(&mut tx, &canteens[school].id, kitchen_day, None).await?;
            bookings::store::save_booking(
                &mut tx,
                &bookings::model::Booking {
                    id: bookings::store::new_id(),
                    activity_id: canteens[school].id.clone(),
                    child_id: id.clone(),
                    household_id: household.clone(),
                    day: kitchen_day,
                    status: bookings::model::BookingStatus::Booked,
                    late_surcharge: None,
                    booked_at: kernel.now(),
                },
                None,
            )
            .await?;
        }
        owned.push((
            OwnChild {
                household_id: household.clone(),
                child: family::model::Child {
                    person: Person {
                        id,
                        kind: PersonKind::Child,
                        user_id: None,
                        given_name: child.given_name,
                        family_name: child.family_name,
                        birth_date: Some(child.birth_date),
                        phone: String::new(),
                        email: String::new(),
                    },
                    profile: child.profile,
                },
            },
            school,
        ));
        if i % 2000 == 1999 {
            tx.commit().await?;
            tx = kernel.db.begin().await?;
        }
    }
    tx.commit().await?;
    if kernel.db.backend() == kernel::Backend::Postgres {
        for table in [
            "bookings",
            "family_people",
            "child_profiles",
            "household_members",
        ] {
            sqlx::query(sqlx::AssertSqlSafe(format!("ANALYZE {table}")))
                .execute(kernel.db.pool())
                .await?;
        }
    }
    let seeding = seeding.elapsed();
    let parent = kernel::Caller::default();

    // One parent at a time.
    let mut booking = Vec::with_capacity(samples);
    for n in 0..samples {
        let (own, school) = &owned[(n * 7919) % owned.len()];
        let day = booking_days[n % booking_days.len()];
        let t = Instant::now();
        actions::book_for(&kernel, &parent, own, &canteens[*school], day).await?;
        booking.push(t.elapsed());
    }

    // Several parents at once, each booking their own child's days.
    let concurrency = concurrency.max(1);
    let owned = Arc::new(owned);
    let canteens = Arc::new(canteens);
    let days: Arc<Vec<jiff::civil::Date>> = Arc::new(booking_days.to_vec());
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..concurrency {
        let (kernel, owned, canteens, days) = (
            kernel.clone(),
            owned.clone(),
            canteens.clone(),
            days.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let parent = kernel::Caller::default();
            for n in 0..samples.div_ceil(concurrency) {
                let (own, school) = &owned[(worker * 104_729 + n * 31) % owned.len()];
                let day = days[(n + worker) % days.len()];
                actions::book_for(&kernel, &parent, own, &canteens[*school], day).await?;
            }
            Ok::<(), anyhow::Error>(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    let concurrent = samples.div_ceil(concurrency) * concurrency;
    let concurrent_per_second = concurrent as f64 / started.elapsed().as_secs_f64();

    // The kitchen's day for every school.
    let mut kitchen = Vec::new();
    let mut kitchen_meals = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let blocks = bookings::backoffice::kitchen_counts(&kernel, &canteens, kitchen_day).await?;
        kitchen.push(t.elapsed());
        kitchen_meals = blocks.iter().map(|b| b.count.total).sum();
    }
    Ok(BookingsReport {
        backend,
        children,
        schools,
        seeding,
        booking_median: percentile(&mut booking, 0.5),
        booking_p95: percentile(&mut booking, 0.95),
        concurrent_per_second,
        concurrency,
        kitchen_median: percentile(&mut kitchen, 0.5),
        kitchen_meals,
    })
}
