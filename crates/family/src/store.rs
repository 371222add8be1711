//! Persistence of the family file: households, their adults and children, contacts.

use jiff::Timestamp;
use jiff::civil::Date;
use kernel::Tx;
use kernel::clock::to_db;
use kernel::db::Db;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::model::{
    Adult, Allergen, Child, ChildProfile, Contact, ContactKind, Diet, Household, Person, PersonKind,
};
use crate::rules::ValidChild;

pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

const PERSON_COLUMNS: &str =
    "p.id, p.kind, p.user_id, p.given_name, p.family_name, p.birth_date, p.phone, p.email";

fn person(row: &AnyRow) -> Person {
    let kind: String = row.get(1);
    let birth: Option<String> = row.get(5);
    Person {
        id: row.get(0),
        kind: if kind == "child" {
            PersonKind::Child
        } else {
            PersonKind::Adult
        },
        user_id: row.get(2),
        given_name: row.get(3),
        family_name: row.get(4),
        birth_date: birth.and_then(|b| b.parse::<Date>().ok()),
        phone: row.get(6),
        email: row.get(7),
    }
}

/// The household the account answers for, if any.
pub async fn household_of_user(db: &Db, user_id: &str) -> Result<Option<Household>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT h.id, h.label, h.address FROM households h
           JOIN household_members m ON m.household_id = h.id
           JOIN family_people p ON p.id = m.person_id
         WHERE p.user_id = $1 AND m.role = 'responsible'
         ORDER BY h.created_at LIMIT 1",
    )
    .bind(user_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|r| Household {
        id: r.get(0),
        label: r.get(1),
        address: r.get(2),
    }))
}

/// A household by its id.
pub async fn household(db: &Db, id: &str) -> Result<Option<Household>, sqlx::Error> {
    let row = sqlx::query("SELECT id, label, address FROM households WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(|r| Household {
        id: r.get(0),
        label: r.get(1),
        address: r.get(2),
    }))
}

/// The adult who holds this account, created on first need.
async fn account_person(
    tx: &mut Tx,
    user_id: &str,
    given_name: &str,
    family_name: &str,
    email: &str,
    now: Timestamp,
) -> Result<String, sqlx::Error> {
    let existing: Option<String> =
        sqlx::query_scalar("SELECT id FROM family_people WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(match existing {
        Some(id) => id,
        None => {
            let id = new_id();
            sqlx::query(
                "INSERT INTO family_people (id, kind, user_id, given_name, family_name, birth_date, phone, email, created_at, updated_at)
                 VALUES ($1, 'adult', $2, $3, $4, NULL, '', $5, $6, $6)",
            )
            .bind(&id)
            .bind(user_id)
            .bind(given_name)
            .bind(family_name)
            .bind(email)
            .bind(to_db(now))
            .execute(&mut **tx)
            .await?;
            id
        }
    })
}

/// Opens a family file for an account holder, who becomes its responsible, paying adult.
#[allow(clippy::too_many_arguments)]
pub async fn create_household(
    tx: &mut Tx,
    user_id: &str,
    given_name: &str,
    family_name: &str,
    email: &str,
    address: &str,
    now: Timestamp,
) -> Result<String, sqlx::Error> {
    let household = new_id();
    sqlx::query(
        "INSERT INTO households (id, label, address, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)",
    )
    .bind(&household)
    .bind(format!("Famille {family_name}"))
    .bind(address)
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    let person = account_person(tx, user_id, given_name, family_name, email, now).await?;
    sqlx::query(
        "INSERT INTO household_members (household_id, person_id, role, paying) VALUES ($1, $2, 'responsible', 1)",
    )
    .bind(&household)
    .bind(&person)
    .execute(&mut **tx)
    .await?;
    Ok(household)
}

/// A household without an account holder yet (imported files, the counter, benchmarks).
pub async fn insert_household(
    tx: &mut Tx,
    label: &str,
    address: &str,
    now: Timestamp,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO households (id, label, address, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)",
    )
    .bind(&id)
    .bind(label)
    .bind(address)
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// Links an account holder to a household as a responsible adult who does not pay
/// (the household keeps its paying adult).
pub async fn link_adult(
    tx: &mut Tx,
    household_id: &str,
    user_id: &str,
    given_name: &str,
    family_name: &str,
    email: &str,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let person = account_person(tx, user_id, given_name, family_name, email, now).await?;
    sqlx::query(
        "INSERT INTO household_members (household_id, person_id, role, paying) VALUES ($1, $2, 'responsible', 0)
         ON CONFLICT (household_id, person_id) DO NOTHING",
    )
    .bind(household_id)
    .bind(&person)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// An adult of a household without an account (the counter, imported files).
#[allow(clippy::too_many_arguments)]
pub async fn insert_adult(
    tx: &mut Tx,
    household_id: &str,
    given_name: &str,
    family_name: &str,
    email: &str,
    phone: &str,
    paying: bool,
    now: Timestamp,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO family_people (id, kind, user_id, given_name, family_name, birth_date, phone, email, created_at, updated_at)
         VALUES ($1, 'adult', NULL, $2, $3, NULL, $4, $5, $6, $6)",
    )
    .bind(&id)
    .bind(given_name)
    .bind(family_name)
    .bind(phone)
    .bind(email)
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO household_members (household_id, person_id, role, paying) VALUES ($1, $2, 'responsible', $3)",
    )
    .bind(household_id)
    .bind(&id)
    .bind(i64::from(paying))
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

pub async fn adults(db: &Db, household_id: &str) -> Result<Vec<Adult>, sqlx::Error> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {PERSON_COLUMNS}, m.paying FROM family_people p
           JOIN household_members m ON m.person_id = p.id
         WHERE m.household_id = $1 AND m.role = 'responsible'
         ORDER BY p.family_name, p.given_name, p.id"
    )))
    .bind(household_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .iter()
        .map(|r| Adult {
            person: person(r),
            paying: r.get::<i64, _>(8) != 0,
        })
        .collect())
}

fn profile(row: &AnyRow, from: usize) -> ChildProfile {
    let diet: String = row.get(from + 2);
    let allergens: String = row.get(from + 3);
    ChildProfile {
        school: row.get(from),
        class_name: row.get(from + 1),
        diet: Diet::from_code(&diet).unwrap_or(Diet::Standard),
        allergens: allergens
            .split(',')
            .filter_map(|code| Allergen::from_code(code.trim()))
            .collect(),
        allergy_notes: row.get(from + 4),
        care_plan: row.get::<i64, _>(from + 5) != 0,
        doctor: row.get(from + 6),
        insurance: row.get(from + 7),
    }
}

const PROFILE_COLUMNS: &str = "c.school, c.class_name, c.diet, c.allergens, c.allergy_notes, c.care_plan, c.doctor, c.insurance";

/// The household's children, eldest first.
pub async fn children(db: &Db, household_id: &str) -> Result<Vec<Child>, sqlx::Error> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {PERSON_COLUMNS}, {PROFILE_COLUMNS} FROM family_people p
           JOIN household_members m ON m.person_id = p.id
           JOIN child_profiles c ON c.person_id = p.id
         WHERE m.household_id = $1 AND m.role = 'child'
         ORDER BY p.birth_date, p.given_name, p.id"
    )))
    .bind(household_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .iter()
        .map(|r| Child {
            person: person(r),
            profile: profile(r, 8),
        })
        .collect())
}

/// One child of the household; `None` when the child is not of this household.
pub async fn child_of_household(
    db: &Db,
    household_id: &str,
    person_id: &str,
) -> Result<Option<Child>, sqlx::Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {PERSON_COLUMNS}, {PROFILE_COLUMNS} FROM family_people p
           JOIN household_members m ON m.person_id = p.id
           JOIN child_profiles c ON c.person_id = p.id
         WHERE m.household_id = $1 AND m.role = 'child' AND p.id = $2"
    )))
    .bind(household_id)
    .bind(person_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|r| Child {
        person: person(&r),
        profile: profile(&r, 8),
    }))
}

fn allergen_codes(allergens: &[Allergen]) -> String {
    allergens
        .iter()
        .map(|a| a.code())
        .collect::<Vec<_>>()
        .join(",")
}

pub async fn insert_child(
    tx: &mut Tx,
    household_id: &str,
    child: &ValidChild,
    now: Timestamp,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO family_people (id, kind, user_id, given_name, family_name, birth_date, phone, email, created_at, updated_at)
         VALUES ($1, 'child', NULL, $2, $3, $4, '', '', $5, $5)",
    )
    .bind(&id)
    .bind(&child.given_name)
    .bind(&child.family_name)
    .bind(child.birth_date.to_string())
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO household_members (household_id, person_id, role, paying) VALUES ($1, $2, 'child', 0)",
    )
    .bind(household_id)
    .bind(&id)
    .execute(&mut **tx)
    .await?;
    let p = &child.profile;
    sqlx::query(
        "INSERT INTO child_profiles (person_id, school, class_name, diet, allergens, allergy_notes, care_plan, doctor, insurance)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&id)
    .bind(&p.school)
    .bind(&p.class_name)
    .bind(p.diet.code())
    .bind(allergen_codes(&p.allergens))
    .bind(&p.allergy_notes)
    .bind(i64::from(p.care_plan))
    .bind(&p.doctor)
    .bind(&p.insurance)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

pub async fn update_child(
    tx: &mut Tx,
    person_id: &str,
    child: &ValidChild,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE family_people SET given_name = $2, family_name = $3, birth_date = $4, updated_at = $5 WHERE id = $1",
    )
    .bind(person_id)
    .bind(&child.given_name)
    .bind(&child.family_name)
    .bind(child.birth_date.to_string())
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    let p = &child.profile;
    sqlx::query(
        "UPDATE child_profiles SET school = $2, class_name = $3, diet = $4, allergens = $5, allergy_notes = $6,
           care_plan = $7, doctor = $8, insurance = $9 WHERE person_id = $1",
    )
    .bind(person_id)
    .bind(&p.school)
    .bind(&p.class_name)
    .bind(p.diet.code())
    .bind(allergen_codes(&p.allergens))
    .bind(&p.allergy_notes)
    .bind(i64::from(p.care_plan))
    .bind(&p.doctor)
    .bind(&p.insurance)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn contacts(db: &Db, household_id: &str) -> Result<Vec<Contact>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, kind, name, relation, phone FROM household_contacts
         WHERE household_id = $1 ORDER BY kind, name, id",
    )
    .bind(household_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            Some(Contact {
                id: r.get(0),
                kind: ContactKind::from_code(&r.get::<String, _>(1))?,
                name: r.get(2),
                relation: r.get(3),
                phone: r.get(4),
            })
        })
        .collect())
}

pub async fn insert_contact(
    tx: &mut Tx,
    household_id: &str,
    contact: &Contact,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO household_contacts (id, household_id, kind, name, relation, phone, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&contact.id)
    .bind(household_id)
    .bind(contact.kind.code())
    .bind(&contact.name)
    .bind(&contact.relation)
    .bind(&contact.phone)
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Removes a contact of this household; false when it is not one of its contacts.
pub async fn delete_contact(
    tx: &mut Tx,
    household_id: &str,
    id: &str,
) -> Result<bool, sqlx::Error> {
    let removed = sqlx::query("DELETE FROM household_contacts WHERE id = $1 AND household_id = $2")
        .bind(id)
        .bind(household_id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    Ok(removed == 1)
}

/// Children whose `column` is one of `values`, in batches that keep every engine's
/// parameter limit. `column` is one of this module's constants, never input.
async fn children_where_in(
    db: &Db,
    column: &'static str,
    values: &[String],
    batch: usize,
) -> Result<Vec<Child>, sqlx::Error> {
    let mut out = Vec::new();
    for chunk in values.chunks(batch) {
        let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT {PERSON_COLUMNS}, {PROFILE_COLUMNS} FROM family_people p
               JOIN child_profiles c ON c.person_id = p.id
             WHERE {column} IN ({})",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for value in chunk {
            query = query.bind(value);
        }
        for row in query.fetch_all(db.pool()).await? {
            out.push(Child {
                person: person(&row),
                profile: profile(&row, 8),
            });
        }
    }
    Ok(out)
}

/// Children by id, for the services that serve them (registers). Ids that are not
/// children are left out.
pub async fn children_by_ids(db: &Db, ids: &[String]) -> Result<Vec<Child>, sqlx::Error> {
    children_where_in(db, "p.id", ids, 500).await
}

/// The children of several schools (the kitchen's counts of a city).
pub async fn children_of_schools(db: &Db, schools: &[String]) -> Result<Vec<Child>, sqlx::Error> {
    children_where_in(db, "c.school", schools, 100).await
}

/// The children of a school, by class then name (the supervisors' register).
pub async fn children_of_school(db: &Db, school: &str) -> Result<Vec<Child>, sqlx::Error> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {PERSON_COLUMNS}, {PROFILE_COLUMNS} FROM family_people p
           JOIN child_profiles c ON c.person_id = p.id
         WHERE c.school = $1 ORDER BY c.class_name, p.family_name, p.given_name, p.id"
    )))
    .bind(school)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .iter()
        .map(|r| Child {
            person: person(r),
            profile: profile(r, 8),
        })
        .collect())
}

/// The household a child belongs to (the first, for a child of two households).
pub async fn household_of_child(db: &Db, child_id: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT household_id FROM household_members WHERE person_id = $1 AND role = 'child' ORDER BY household_id LIMIT 1",
    )
    .bind(child_id)
    .fetch_optional(db.pool())
    .await
}

/// Every household the child belongs to (two in alternating custody), oldest first.
pub async fn households_of_child(db: &Db, child_id: &str) -> Result<Vec<Household>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT h.id, h.label, h.address FROM households h
           JOIN household_members m ON m.household_id = h.id
         WHERE m.person_id = $1 AND m.role = 'child'
         ORDER BY h.created_at, h.id",
    )
    .bind(child_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .iter()
        .map(|r| Household {
            id: r.get(0),
            label: r.get(1),
            address: r.get(2),
        })
        .collect())
}

/// Adds the child to a household; false when already in it.
pub async fn attach_child(
    tx: &mut Tx,
    household_id: &str,
    child_id: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO household_members (household_id, person_id, role, paying) VALUES ($1, $2, 'child', 0)
         ON CONFLICT (household_id, person_id) DO NOTHING",
    )
    .bind(household_id)
    .bind(child_id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Locks a child's household memberships until the transaction ends (PostgreSQL only).
pub async fn lock_memberships(tx: &mut Tx, child_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT household_id FROM household_members WHERE person_id = $1 FOR UPDATE")
        .bind(child_id)
        .fetch_all(&mut **tx)
        .await?;
    Ok(())
}

/// Takes the child out of one household, never out of its last one.
pub async fn detach_child(
    tx: &mut Tx,
    household_id: &str,
    child_id: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "DELETE FROM household_members WHERE household_id = $1 AND person_id = $2 AND role = 'child'
           AND (SELECT COUNT(*) FROM household_members WHERE person_id = $2 AND role = 'child') > 1",
    )
    .bind(household_id)
    .bind(child_id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The commune's schools, in alphabetical order as a French reader expects it (accents
/// aside: « École élémentaire » before « École primaire »).
pub async fn schools(db: &Db) -> Result<Vec<(String, String)>, sqlx::Error> {
    let rows = sqlx::query("SELECT name, address FROM schools")
        .fetch_all(db.pool())
        .await?;
    let mut schools: Vec<(String, String)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    schools.sort_by_cached_key(|(name, _)| kernel::text::normalise(name));
    Ok(schools)
}

/// Adds a school; false when one of that name exists.
pub async fn add_school(
    tx: &mut Tx,
    name: &str,
    address: &str,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO schools (name, address, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
    )
    .bind(name)
    .bind(address)
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The commune's schools' names, in order.
pub async fn school_names(db: &Db) -> Result<Vec<String>, sqlx::Error> {
    Ok(schools(db)
        .await?
        .into_iter()
        .map(|(name, _)| name)
        .collect())
}
