//! The demo family: Camille Martin's household, with two children at the Jules-Ferry
//! school (one with a peanut allergy and a PAI), a grandmother allowed to pick them up and
//! a neighbour to call. The other demo families come with the booking engine.

use kernel::{Caller, Kernel};

use crate::actions::{self, FamilyError};
use crate::documents::{self, Check, Upload};
use crate::model::DocumentType;
use crate::rules::{ChildInput, QuotientRecord, QuotientSource};
use crate::store;

/// The children's service keeps the family files; it knows what each service asks for.
const REQUIREMENTS: &[(&str, &[DocumentType])] = &[
    (
        "Restaurant scolaire",
        &[
            DocumentType::ProofOfAddress,
            DocumentType::CafCertificate,
            DocumentType::SchoolInsurance,
        ],
    ),
    (
        "Garderie périscolaire",
        &[
            DocumentType::ProofOfAddress,
            DocumentType::SchoolInsurance,
            DocumentType::VaccinationRecord,
        ],
    ),
    (
        "Accueil de loisirs",
        &[
            DocumentType::ProofOfAddress,
            DocumentType::CafCertificate,
            DocumentType::VaccinationRecord,
        ],
    ),
];

/// A one-page PDF standing for a scanned document.
fn scanned(title: &str) -> Vec<u8> {
    format!(
        "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n% {title}\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )
    .into_bytes()
}

/// Settings of the family service, the Martins' documents (one accepted, one waiting
/// for a check) and their quotient from the CAF certificate.
async fn seed_documents(kernel: &Kernel, parent: &Caller) -> Result<(), DemoError> {
    let Some(service) =
        sqlx::query_scalar::<_, String>("SELECT id FROM services WHERE slug = 'enfance'")
            .fetch_optional(kernel.db.pool())
            .await?
    else {
        return Ok(());
    };
    let mut tx = kernel.db.begin().await?;
    documents::set_family_service(&mut tx, &service).await?;
    for (name, kinds) in REQUIREMENTS {
        documents::set_requirements(&mut tx, name, kinds).await?;
    }
    tx.commit().await?;
    let Some(household) = actions::my_household(kernel, parent).await? else {
        return Ok(());
    };
    let address = documents::upload(
        kernel,
        parent,
        &household.id,
        Upload {
            kind: DocumentType::ProofOfAddress.code(),
            dated: "2026-10-05",
            file_name: "facture-electricite-octobre.pdf",
            bytes: &scanned("Facture d'électricité"),
        },
    )
    .await?;
    documents::upload(
        kernel,
        parent,
        &household.id,
        Upload {
            kind: DocumentType::SchoolInsurance.code(),
            dated: "2026-09-01",
            file_name: "attestation-assurance-scolaire.pdf",
            bytes: &scanned("Assurance scolaire"),
        },
    )
    .await?;
    let Some(agent) = sqlx::query_scalar::<_, String>(
        "SELECT id FROM users WHERE email = 'karim.haddad@demo.parvis.fr'",
    )
    .fetch_optional(kernel.db.pool())
    .await?
    else {
        return Ok(());
    };
    let agent = Caller {
        identity: accounts::store::load_identity(&kernel.db, &agent).await?,
        ..Caller::default()
    };
    documents::check(
        kernel,
        &agent,
        &address,
        Check::Accept {
            valid_until: Some(jiff::civil::date(2027, 1, 5)),
        },
    )
    .await?;
    documents::record_quotient(
        kernel,
        &agent,
        &household.id,
        &QuotientRecord {
            value: 850,
            source: QuotientSource::CafCertificate,
            effective_from: jiff::civil::date(2026, 9, 1),
        },
        true,
        "Attestation CAF de septembre, apportée à l'accueil en novembre.",
    )
    .await?;
    Ok(())
}

pub const DEMO_PARENT: &str = "camille.martin@demo.parvis.fr";

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Family(#[from] FamilyError),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Seeds the demo family once; does nothing when the parent's file exists or the parent
/// is not there.
/// The demo commune's schools: the Jules-Ferry group, whose canteens the demo runs, and
/// one more.
pub const SCHOOLS: [(&str, &str); 3] = [
    (
        "École maternelle Jules-Ferry",
        "2 rue des Écoles, 00000 Ville de Démo",
    ),
    (
        "École élémentaire Jules-Ferry",
        "4 rue des Écoles, 00000 Ville de Démo",
    ),
    (
        "École primaire Louise-Michel",
        "18 avenue de la République, 00000 Ville de Démo",
    ),
];

pub async fn seed(kernel: &Kernel) -> Result<(), DemoError> {
    let mut tx = kernel.db.begin().await?;
    for (name, address) in SCHOOLS {
        store::add_school(&mut tx, name, address, kernel.now()).await?;
    }
    tx.commit().await?;
    let Some(user) = accounts::store::user_by_email(&kernel.db, DEMO_PARENT).await? else {
        return Ok(());
    };
    let caller = Caller {
        identity: accounts::store::load_identity(&kernel.db, &user.id).await?,
        ..Caller::default()
    };
    if actions::my_household(kernel, &caller).await?.is_some() {
        return Ok(());
    }
    actions::open_file(kernel, &caller, "12 rue des Tilleuls, 00000 Ville de Démo").await?;
    actions::add_child(
        kernel,
        &caller,
        &ChildInput {
            given_name: "Léa".into(),
            family_name: "Martin".into(),
            birth_date: "2018-04-12".into(),
            school: "École élémentaire Jules-Ferry".into(),
            class_name: "CE2".into(),
            diet: "sans-porc".into(),
            allergens: vec!["arachides".into()],
            allergy_notes: "Allergie sévère : trousse d'urgence dans le cartable.".into(),
            care_plan: true,
            doctor: "Dr Anne Lefèvre, 04 78 00 00 00".into(),
            insurance: "MAE, contrat 123456".into(),
        },
    )
    .await?;
    actions::add_child(
        kernel,
        &caller,
        &ChildInput {
            given_name: "Hugo".into(),
            family_name: "Martin".into(),
            birth_date: "2021-01-30".into(),
            school: "École maternelle Jules-Ferry".into(),
            class_name: "Moyenne section".into(),
            diet: "standard".into(),
            doctor: "Dr Anne Lefèvre, 04 78 00 00 00".into(),
            insurance: "MAE, contrat 123456".into(),
            ..ChildInput::default()
        },
    )
    .await?;
    actions::add_contact(
        kernel,
        &caller,
        "recuperation",
        "Jeanne Martin",
        "Grand-mère",
        "06 12 34 56 78",
    )
    .await?;
    seed_documents(kernel, &caller).await?;
    actions::add_contact(
        kernel,
        &caller,
        "urgence",
        "Karim Haddad",
        "Voisin",
        "06 98 76 54 32",
    )
    .await?;
    Ok(())
}

const FAMILY_NAMES: [&str; 39] = [
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guerin",
    "Muller",
    "Henry",
    "Roussel",
    "Nicolas",
    "Perrin",
];
const PARENTS: [&str; 13] = [
    "Julie",
    "Nicolas",
    "Sarah",
    "Mehdi",
    "Élodie",
    "Thomas",
    "Aurélie",
    "Sébastien",
    "Nadia",
    "Julien",
    "Fatima",
    "Guillaume",
    "Claire",
];
const CHILDREN: [&str; 20] = [
    "Gabriel", "Louise", "Raphaël", "Jade", "Léo", "Ambre", "Louis", "Alba", "Arthur", "Emma",
    "Maël", "Rose", "Noah", "Alice", "Adam", "Anna", "Sacha", "Mia", "Nathan", "Inès",
];

/// Thirty-nine more families of the Jules-Ferry schools, without accounts (their files
/// were opened at the counter): children in every class, the menus and allergies a
/// kitchen meets, some documents waiting for a check. Seeded once, by `parvis demo` and
/// the first start, not in every test.
pub async fn seed_neighbourhood(kernel: &Kernel) -> Result<(), DemoError> {
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM households")
        .fetch_one(kernel.db.pool())
        .await?;
    if existing > 5 {
        return Ok(());
    }
    let now = kernel.now();
    let elementary = ["CP", "CE1", "CE2", "CM1", "CM2"];
    let nursery = ["Petite section", "Moyenne section", "Grande section"];
    let mut pending = Vec::new();
    for (n, name) in FAMILY_NAMES.iter().enumerate() {
        let mut tx = kernel.db.begin().await?;
        let household = crate::store::insert_household(
            &mut tx,
            &format!("Famille {name}"),
            &format!("{} rue des Écoles, 00000 Ville de Démo", n * 2 + 3),
            now,
        )
        .await?;
        let parent = PARENTS[n % PARENTS.len()];
        let email_name = parent
            .to_lowercase()
            .replace(['é', 'è'], "e")
            .replace(' ', "-");
        crate::store::insert_adult(
            &mut tx,
            &household,
            parent,
            name,
            &format!(
                "{email_name}.{}@exemple.fr",
                name.to_lowercase().replace(['é', 'è'], "e")
            ),
            &format!(
                "06 {:02} {:02} {:02} {:02}",
                10 + n % 80,
                n % 97,
                (n * 7) % 100,
                (n * 13) % 100
            ),
            true,
            now,
        )
        .await?;
        let children = 1 + n % 3;
        for c in 0..children {
            let k = n * 3 + c;
            let in_nursery = k % 3 == 0;
            let (school, class, year) = if in_nursery {
                (
                    "École maternelle Jules-Ferry",
                    nursery[k % nursery.len()],
                    2021 - (k % nursery.len()) as i16,
                )
            } else {
                (
                    "École élémentaire Jules-Ferry",
                    elementary[k % elementary.len()],
                    2019 - (k % elementary.len()) as i16,
                )
            };
            let diet = match k % 9 {
                0 | 4 => "sans-porc",
                2 => "vegetarien",
                7 => "sans-viande",
                _ => "standard",
            };
            let allergens: Vec<String> = match k % 17 {
                3 => vec!["arachides".into()],
                8 => vec!["lait".into(), "oeufs".into()],
                11 => vec!["gluten".into()],
                14 => vec!["fruits-a-coque".into()],
                _ => Vec::new(),
            };
            let child = crate::rules::check_child(
                &ChildInput {
                    given_name: CHILDREN[k % CHILDREN.len()].into(),
                    family_name: (*name).into(),
                    birth_date: format!("{year}-{:02}-{:02}", 1 + k % 12, 1 + k % 28),
                    school: school.into(),
                    class_name: class.into(),
                    diet: diet.into(),
                    care_plan: k % 17 == 3,
                    allergens,
                    ..ChildInput::default()
                },
                now.to_zoned(kernel::clock::paris()).date(),
            )
            .map_err(FamilyError::Invalid)?;
            crate::store::insert_child(&mut tx, &household, &child, now).await?;
        }
        tx.commit().await?;
        if n % 4 == 1 {
            pending.push(household);
        }
    }
    let counter = Caller::default();
    for (i, household) in pending.iter().enumerate() {
        let (kind, file) = if i % 2 == 0 {
            (DocumentType::CafCertificate, "attestation-caf.pdf")
        } else {
            (DocumentType::ProofOfAddress, "quittance-loyer.pdf")
        };
        documents::upload(
            kernel,
            &counter,
            household,
            Upload {
                kind: kind.code(),
                dated: "2026-11-02",
                file_name: file,
                bytes: &scanned(file),
            },
        )
        .await?;
    }
    Ok(())
}
