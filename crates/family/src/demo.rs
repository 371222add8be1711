//! The demo family: Camille Martin's household, with two children at the Jules-Ferry
//! school (one with a peanut allergy and a PAI), a grandmother allowed to pick them up and
//! a neighbour to call. The other demo families come with the booking engine.

use kernel::{Caller, Kernel};

use crate::actions::{self, FamilyError};
use crate::documents::{self, Check, Upload};
use crate::model::DocumentType;
use crate::rules::{ChildInput, QuotientRecord, QuotientSource};

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
pub async fn seed(kernel: &Kernel) -> Result<(), DemoError> {
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
