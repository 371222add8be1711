//! The demo family: Camille Martin's household, with two children at the Jules-Ferry
//! school (one with a peanut allergy and a PAI), a grandmother allowed to pick them up and
//! a neighbour to call. The other demo families come with the booking engine.

use kernel::{Caller, Kernel};

use crate::actions::{self, FamilyError};
use crate::rules::ChildInput;

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
