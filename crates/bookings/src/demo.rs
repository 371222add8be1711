//! The demo activities of the Jules-Ferry schools — the elementary and nursery canteens
//! and the evening after-school care — for the 2026-2027 school year, and the demo
//! family's usual weeks booked.

use jiff::civil::{Weekday, date, time};
use kernel::{Caller, Kernel};

use crate::actions::{self, BookingError};
use crate::calendar::{ClosedPeriod, OpeningCalendar};
use crate::deadlines::{BookingRules, Cutoff, LateBooking, Modifier};
use crate::model::{Activity, ActivityKind, Unit};
use crate::pricing::{Bracket, Excuse, PresenceRule, PriceGrid, Pricing};
use crate::store;

pub const ELEMENTARY: &str = "École élémentaire Jules-Ferry";
pub const NURSERY: &str = "École maternelle Jules-Ferry";

/// Monday, Tuesday, Thursday and Friday, as in most French primary schools.
const SCHOOL_DAYS: [Weekday; 4] = [
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Thursday,
    Weekday::Friday,
];

/// The 2026-2027 school year with the holidays common to every zone. Winter and spring
/// holidays depend on the commune's zone: an administrator adds them.
pub fn school_year() -> OpeningCalendar {
    OpeningCalendar {
        weekdays: SCHOOL_DAYS.to_vec(),
        first_day: date(2026, 9, 1),
        last_day: date(2027, 7, 2),
        closed_periods: vec![
            ClosedPeriod {
                first: date(2026, 10, 17),
                last: date(2026, 11, 1),
                label: "Vacances de la Toussaint".into(),
            },
            ClosedPeriod {
                first: date(2026, 12, 19),
                last: date(2027, 1, 3),
                label: "Vacances de Noël".into(),
            },
        ],
        closed_on_public_holidays: true,
        closed_days: Vec::new(),
        open_days: Vec::new(),
    }
}

fn grid(cents: [i64; 3]) -> PriceGrid {
    PriceGrid {
        brackets: vec![
            Bracket {
                up_to: Some(500),
                cents: cents[0],
            },
            Bracket {
                up_to: Some(1000),
                cents: cents[1],
            },
            Bracket {
                up_to: None,
                cents: cents[2],
            },
        ],
    }
}

/// The canteen's rules: book or cancel two working days before at noon; a last-minute
/// meal until 9:00 the same morning for 1 € more; a late cancellation or an absence
/// without a certificate is charged; a child present without a booking pays the full
/// cost of the meal.
pub fn canteen(code: &str, school: &str) -> Activity {
    let two_working_days = Cutoff::WorkingDaysBefore {
        days: 2,
        at: time(12, 0, 0, 0),
    };
    Activity {
        id: store::new_id(),
        code: code.into(),
        name: format!("Restaurant scolaire — {school}"),
        kind: ActivityKind::Canteen,
        school: school.into(),
        service_id: None,
        unit: Unit::Meal,
        capacity: None,
        calendar: school_year(),
        rules: BookingRules {
            starts_at: time(11, 45, 0, 0),
            booking: two_working_days.clone(),
            cancellation: two_working_days,
            late: Some(LateBooking {
                until: Cutoff::DaysBefore {
                    days: 0,
                    at: time(9, 0, 0, 0),
                },
                surcharge: Modifier::Fixed(100),
            }),
        },
        pricing: Pricing {
            grid: grid([100, 320, 449]),
            late_cancellation_charged: true,
            absence_charged: true,
            unbooked_presence: PresenceRule::Fixed(750),
            excuses: vec![
                Excuse::MedicalCertificate,
                Excuse::Strike,
                Excuse::SchoolTrip,
            ],
        },
        active: true,
    }
}

fn evening_care() -> Activity {
    let day_before = Cutoff::DaysBefore {
        days: 1,
        at: time(18, 0, 0, 0),
    };
    Activity {
        id: store::new_id(),
        code: "garderie-soir-jules-ferry".into(),
        name: format!("Garderie du soir — {ELEMENTARY}"),
        kind: ActivityKind::EveningCare,
        school: ELEMENTARY.into(),
        service_id: None,
        unit: Unit::Session,
        capacity: Some(30),
        calendar: school_year(),
        rules: BookingRules {
            starts_at: time(16, 30, 0, 0),
            booking: day_before.clone(),
            cancellation: day_before,
            late: None,
        },
        pricing: Pricing {
            grid: grid([80, 150, 220]),
            late_cancellation_charged: false,
            absence_charged: false,
            unbooked_presence: PresenceRule::Bracket(Modifier::Percent(5000)),
            excuses: vec![Excuse::MedicalCertificate],
        },
        active: true,
    }
}

/// The central kitchen's cycle of twenty menus (entrée ; plat ; plat sans viande ;
/// accompagnement ; laitage ; dessert ; végétarien ; allergènes), one vegetarian menu a week.
const MENU_CYCLE: &str = "\
Carottes râpées vinaigrette;Poulet rôti;Omelette aux fines herbes;Haricots verts;Yaourt nature;Pomme;non;oeufs,lait,moutarde
Potage de légumes;Lasagnes aux légumes;;Salade verte;Emmental;Compote pomme-poire;oui;gluten,lait,celeri
Betteraves en salade;Sauté de bœuf aux carottes;Pavé de soja à la tomate;Semoule;Petit-suisse;Clémentine;non;gluten,lait,soja
Salade de pâtes;Filet de colin sauce citron;;Épinards à la crème;Camembert;Poire;non;gluten,poissons,lait
Velouté de potiron;Chili sin carne;;Riz;Fromage blanc;Banane;oui;lait,celeri
Concombres à la crème;Rôti de porc au jus;Boulettes de pois chiches;Purée de pommes de terre;Tomme;Kiwi;non;lait
Taboulé;Poisson pané;;Brocolis;Yaourt aux fruits;Orange;non;gluten,poissons,lait,oeufs
Salade de lentilles;Hachis parmentier;Parmentier végétal;Salade verte;Saint-Paulin;Crème dessert vanille;non;lait,moutarde
Chou rouge râpé;Curry de légumes et pois chiches;;Boulgour;Yaourt nature;Ananas;oui;gluten,lait
Œuf dur mayonnaise;Blanquette de dinde;Galette de sarrasin aux légumes;Carottes persillées;Brie;Pomme au four;non;oeufs,lait,moutarde
Potage cultivateur;Spaghetti bolognaise;Spaghetti sauce tomate et lentilles;;Emmental râpé;Poire;non;gluten,lait,celeri
Radis beurre;Quiche aux poireaux;;Salade verte;Fromage blanc;Compote;oui;gluten,oeufs,lait
Salade de riz;Poulet sauce satay (cacahuètes);Omelette;Ratatouille;Yaourt;Clémentine;non;oeufs,lait,arachides
Céleri rémoulade;Pavé de saumon à l'aneth;;Pommes vapeur;Coulommiers;Gâteau au chocolat maison;non;celeri,poissons,lait,oeufs,gluten,moutarde
Soupe de lentilles corail;Gratin de pâtes aux légumes;;Salade;Yaourt;Kiwi;oui;gluten,lait
Salade verte aux croûtons;Rôti de veau;Steak de légumes;Petits pois carottes;Cantal;Mousse au chocolat;non;gluten,lait,oeufs
Pamplemousse;Couscous de légumes;;Semoule;Fromage blanc;Flan caramel;oui;gluten,lait,celeri,oeufs
Macédoine mayonnaise;Sauté de porc au caramel;Tofu au caramel;Riz;Petit-suisse;Banane;non;oeufs,moutarde,soja,lait
Tomates vinaigrette;Filet de lieu au beurre blanc;;Courgettes;Yaourt;Poire;non;poissons,lait,moutarde
Velouté de carottes;Omelette aux pommes de terre;;Salade verte;Comté;Bûche de Noël aux noisettes;oui;oeufs,lait,gluten,fruits-a-coque
";

/// A month of menus — the cycle's twenty, one per day the canteen runs — from the Monday
/// of the current week, holidays skipped.
pub fn month_of_menus(calendar: &OpeningCalendar, now: jiff::Timestamp) -> Vec<crate::menus::Menu> {
    let today = now.to_zoned(crate::deadlines::paris()).date();
    let monday = today
        .saturating_sub(jiff::Span::new().days(i64::from(today.weekday().to_monday_zero_offset())));
    let cycle: Vec<&str> = MENU_CYCLE.lines().filter(|l| !l.is_empty()).collect();
    let mut table = String::new();
    let mut served = 0;
    for offset in 0..120 {
        if served == cycle.len() {
            break;
        }
        let day = monday.saturating_add(jiff::Span::new().days(offset));
        if calendar.closure(day).is_none() {
            table.push_str(&format!("{day};{}\n", cycle[served % cycle.len()]));
            served += 1;
        }
    }
    // The cycle is the kitchen's own, checked by the tests: it always reads.
    crate::menus::parse_table(&table).unwrap_or_default()
}

pub async fn seed(kernel: &Kernel) -> Result<(), BookingError> {
    if store::count_activities(&kernel.db).await? > 0 {
        return Ok(());
    }
    // The children's service runs the canteens and the care.
    let service: Option<String> =
        sqlx::query_scalar("SELECT id FROM services WHERE slug = 'enfance'")
            .fetch_optional(kernel.db.pool())
            .await?;
    let mut tx = kernel.db.begin().await?;
    for mut activity in [
        canteen("cantine-elementaire-jules-ferry", ELEMENTARY),
        canteen("cantine-maternelle-jules-ferry", NURSERY),
        evening_care(),
    ] {
        activity.service_id = service.clone();
        store::insert_activity(&mut tx, &activity, kernel.now()).await?;
        if activity.kind == ActivityKind::Canteen {
            let menus = month_of_menus(&activity.calendar, kernel.now());
            store::save_menus(&mut tx, &activity.id, &menus, None, kernel.now()).await?;
        }
    }
    tx.commit().await?;
    seed_family_weeks(kernel).await
}

/// Léa eats at the canteen on Mondays, Tuesdays and Thursdays until the holidays.
async fn seed_family_weeks(kernel: &Kernel) -> Result<(), BookingError> {
    let Some(user) = sqlx::query_scalar::<_, String>("SELECT id FROM users WHERE email = $1")
        .bind(family::demo::DEMO_PARENT)
        .fetch_optional(kernel.db.pool())
        .await?
    else {
        return Ok(());
    };
    let caller = Caller {
        identity: accounts_identity(kernel, &user).await?,
        ..Caller::default()
    };
    let Some(household) = family::actions::my_household(kernel, &caller).await? else {
        return Ok(());
    };
    let children = family::store::children(&kernel.db, &household.id).await?;
    let Some(lea) = children.iter().find(|c| c.profile.school == ELEMENTARY) else {
        return Ok(());
    };
    let today = kernel.now().to_zoned(crate::deadlines::paris()).date();
    let calendar = school_year();
    let until = calendar.until_next_holidays(today.max(calendar.first_day));
    actions::book_pattern(
        kernel,
        &caller,
        &lea.person.id,
        "cantine-elementaire-jules-ferry",
        today,
        until,
        &[Weekday::Monday, Weekday::Tuesday, Weekday::Thursday],
    )
    .await?;
    Ok(())
}

async fn accounts_identity(
    kernel: &Kernel,
    user_id: &str,
) -> Result<Option<kernel::Identity>, sqlx::Error> {
    kernel.identities.load(user_id).await
}

/// The neighbourhood's weeks: every pupil of the Jules-Ferry schools booked on their
/// usual days until the holidays, evening care for some, and the last two weeks' registers
/// filled in (a few absences), with their charge lines. Seeded by `parvis demo` and the
/// first start.
pub async fn seed_neighbourhood(kernel: &Kernel) -> Result<(), BookingError> {
    let booked: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM bookings")
        .fetch_one(kernel.db.pool())
        .await?;
    if booked > 100 {
        return Ok(());
    }
    let supervisor = match sqlx::query_scalar::<_, String>(
        "SELECT id FROM users WHERE email = 'karim.haddad@demo.parvis.fr'",
    )
    .fetch_optional(kernel.db.pool())
    .await?
    {
        Some(id) => Caller {
            identity: accounts_identity(kernel, &id).await?,
            ..Caller::default()
        },
        None => Caller::default(),
    };
    let today = kernel.now().to_zoned(crate::deadlines::paris()).date();
    let calendar = school_year();
    let first = today.max(calendar.first_day);
    let until = calendar.until_next_holidays(first);
    let past_from = today.saturating_sub(jiff::Span::new().days(14));
    let nobody = Caller::default();
    for (school, canteen_code) in [
        (ELEMENTARY, "cantine-elementaire-jules-ferry"),
        (NURSERY, "cantine-maternelle-jules-ferry"),
    ] {
        let Some(canteen) = store::activity_by_code(&kernel.db, canteen_code).await? else {
            continue;
        };
        let care = store::activity_by_code(&kernel.db, "garderie-soir-jules-ferry").await?;
        for (n, child) in family::store::children_of_school(&kernel.db, school)
            .await?
            .into_iter()
            .enumerate()
        {
            if child.person.family_name == "Martin" {
                continue;
            }
            let Some(household_id) =
                family::store::household_of_child(&kernel.db, &child.person.id).await?
            else {
                continue;
            };
            let days: &[Weekday] = if n % 4 == 3 {
                &[Weekday::Monday, Weekday::Thursday]
            } else {
                &SCHOOL_DAYS
            };
            let own = actions::OwnChild {
                household_id: household_id.clone(),
                child: child.clone(),
            };
            // The last two weeks, as the registers recorded them.
            for day in calendar.pattern(
                past_from,
                today.saturating_sub(jiff::Span::new().days(1)),
                days,
            ) {
                let mut tx = kernel.db.begin().await?;
                store::take_place(&mut tx, &canteen.id, day, None).await?;
                store::save_booking(
                    &mut tx,
                    &crate::model::Booking {
                        id: store::new_id(),
                        activity_id: canteen.id.clone(),
                        child_id: child.person.id.clone(),
                        household_id: household_id.clone(),
                        day,
                        status: crate::model::BookingStatus::Booked,
                        late_surcharge: None,
                        booked_at: kernel.now(),
                    },
                    None,
                )
                .await?;
                tx.commit().await?;
                // A few absences, some with a medical certificate.
                let present = !(n + day.day() as usize).is_multiple_of(23);
                let excuse =
                    (!present && n % 2 == 0).then_some(crate::pricing::Excuse::MedicalCertificate);
                actions::record_presence(
                    kernel,
                    &supervisor,
                    &canteen,
                    &child.person.id,
                    day,
                    present,
                    excuse,
                )
                .await?;
            }
            // The weeks to come, booked by the family.
            for day in calendar.pattern(first, until, days) {
                if let crate::deadlines::BookingWindow::Normal { .. } = canteen
                    .rules
                    .booking_window(&canteen.calendar, day, kernel.now())
                {
                    actions::book_for(kernel, &nobody, &own, &canteen, day).await?;
                }
            }
            if let Some(care) = care.as_ref().filter(|c| c.school == school && n % 4 == 1) {
                for day in calendar.pattern(first, until, &[Weekday::Tuesday, Weekday::Friday]) {
                    if let crate::deadlines::BookingWindow::Normal { .. } =
                        care.rules.booking_window(&care.calendar, day, kernel.now())
                    {
                        match actions::book_for(kernel, &nobody, &own, care, day).await {
                            Ok(_) | Err(BookingError::Full) => {}
                            Err(e) => return Err(e),
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod menu_tests {
    use super::*;

    #[test]
    fn the_demo_kitchen_publishes_five_weeks_of_menus_with_a_vegetarian_one_each_week() {
        // Monday 23 November 2026, 9:30 in Paris.
        let now: jiff::Timestamp = "2026-11-23T08:30:00Z".parse().unwrap();
        let menus = month_of_menus(&school_year(), now);
        // Four canteen days a week: the four weeks before the Christmas holidays (from
        // Saturday 19 December), then the week back in January.
        assert_eq!(menus.len(), 20);
        assert_eq!(menus[16].day, date(2027, 1, 4));
        assert_eq!(menus[0].day, date(2026, 11, 23));
        for week in menus.chunks(4) {
            assert!(week.iter().any(|m| m.vegetarian), "{week:?}");
        }
        assert!(
            menus
                .iter()
                .any(|m| m.allergens.contains(&family::model::Allergen::Peanuts))
        );
    }
}
