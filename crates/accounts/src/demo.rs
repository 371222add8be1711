//! The demo commune's services and people: what a town sees on first start.

use kernel::identity::Role;
use kernel::{Caller, Kernel};

use crate::{password, store};

pub struct DemoAccount {
    pub email: &'static str,
    pub name: String,
    pub role: &'static str,
    pub password: &'static str,
    pub note: &'static str,
}

/// (slug, name, e-mail, phone)
const SERVICES: &[(&str, &str, &str, &str)] = &[
    (
        "etat-civil",
        "État civil et citoyenneté",
        "etat-civil@demo.parvis.fr",
        "01 23 45 67 10",
    ),
    (
        "enfance",
        "Enfance, éducation et restauration scolaire",
        "enfance@demo.parvis.fr",
        "01 23 45 67 20",
    ),
    (
        "voirie",
        "Voirie, propreté et espaces verts",
        "voirie@demo.parvis.fr",
        "01 23 45 67 30",
    ),
    (
        "urbanisme",
        "Urbanisme et occupation du domaine public",
        "urbanisme@demo.parvis.fr",
        "01 23 45 67 40",
    ),
    (
        "vie-associative",
        "Vie associative, sports et culture",
        "associations@demo.parvis.fr",
        "01 23 45 67 50",
    ),
    (
        "cabinet",
        "Cabinet du maire",
        "cabinet@demo.parvis.fr",
        "01 23 45 67 00",
    ),
    (
        "ccas",
        "Centre communal d'action sociale (CCAS)",
        "ccas@demo.parvis.fr",
        "01 23 45 67 60",
    ),
    (
        "police-municipale",
        "Police municipale",
        "police-municipale@demo.parvis.fr",
        "01 23 45 67 70",
    ),
];

/// Residents' demo password (CNIL case 2: login is throttled).
pub const RESIDENT_PASSWORD: &str = "Parvis-Demo-2026";
/// Staff demo password (CNIL case 1: 12 characters of four kinds at least).
pub const STAFF_PASSWORD: &str = "Parvis-Agent-2026!";

struct Person {
    email: &'static str,
    given: &'static str,
    family: &'static str,
    role: Role,
    service: Option<&'static str>,
}

const PEOPLE: &[Person] = &[
    Person {
        email: "camille.martin@demo.parvis.fr",
        given: "Camille",
        family: "Martin",
        role: Role::Resident,
        service: None,
    },
    Person {
        email: "sophie.bernard@demo.parvis.fr",
        given: "Sophie",
        family: "Bernard",
        role: Role::Agent,
        service: Some("etat-civil"),
    },
    Person {
        email: "karim.haddad@demo.parvis.fr",
        given: "Karim",
        family: "Haddad",
        role: Role::Agent,
        service: Some("enfance"),
    },
    Person {
        email: "luc.moreau@demo.parvis.fr",
        given: "Luc",
        family: "Moreau",
        role: Role::Agent,
        service: Some("voirie"),
    },
    Person {
        email: "ines.lambert@demo.parvis.fr",
        given: "Inès",
        family: "Lambert",
        role: Role::Agent,
        service: Some("urbanisme"),
    },
    Person {
        email: "thomas.petit@demo.parvis.fr",
        given: "Thomas",
        family: "Petit",
        role: Role::Agent,
        service: Some("vie-associative"),
    },
    Person {
        email: "nadia.benali@demo.parvis.fr",
        given: "Nadia",
        family: "Benali",
        role: Role::Agent,
        service: Some("ccas"),
    },
    Person {
        email: "julie.garnier@demo.parvis.fr",
        given: "Julie",
        family: "Garnier",
        role: Role::Agent,
        service: Some("cabinet"),
    },
    Person {
        email: "yannick.roux@demo.parvis.fr",
        given: "Yannick",
        family: "Roux",
        role: Role::Agent,
        service: Some("voirie"),
    },
    Person {
        email: "sandrine.colin@demo.parvis.fr",
        given: "Sandrine",
        family: "Colin",
        role: Role::Agent,
        service: Some("police-municipale"),
    },
    Person {
        email: "claire.rousseau@demo.parvis.fr",
        given: "Claire",
        family: "Rousseau",
        role: Role::ServiceManager,
        service: Some("enfance"),
    },
    Person {
        email: "helene.fabre@demo.parvis.fr",
        given: "Hélène",
        family: "Fabre",
        role: Role::ElectedOfficial,
        service: None,
    },
    Person {
        email: "marc.lefebvre@demo.parvis.fr",
        given: "Marc",
        family: "Lefebvre",
        role: Role::Dpo,
        service: None,
    },
    Person {
        email: "admin@demo.parvis.fr",
        given: "Anne",
        family: "Girard",
        role: Role::Administrator,
        service: None,
    },
];

/// (service slug, team slug, team name, members' e-mails)
const TEAMS: &[(&str, &str, &str, &[&str])] = &[
    (
        "voirie",
        "equipe-nord",
        "Équipe Nord",
        &["luc.moreau@demo.parvis.fr"],
    ),
    (
        "voirie",
        "equipe-sud",
        "Équipe Sud",
        &["yannick.roux@demo.parvis.fr"],
    ),
    (
        "etat-civil",
        "accueil",
        "Accueil",
        &["sophie.bernard@demo.parvis.fr"],
    ),
];

/// Creates the demo services and accounts that do not exist yet; returns every demo
/// account (created now or before) with its password.
pub async fn seed(kernel: &Kernel) -> Result<Vec<DemoAccount>, crate::AccountError> {
    let now = kernel.now();
    let system = Caller::default();
    let resident_hash = password::hash_blocking(RESIDENT_PASSWORD.into())
        .await
        .map_err(crate::AccountError::Internal)?;
    let staff_hash = password::hash_blocking(STAFF_PASSWORD.into())
        .await
        .map_err(crate::AccountError::Internal)?;
    let mut tx = kernel.db.begin().await?;
    for (slug, name, email, phone) in SERVICES {
        if store::service_by_slug(&kernel.db, slug).await?.is_none() {
            store::insert_service(&mut tx, slug, name, email, phone, now).await?;
        }
    }
    tx.commit().await?;
    let mut tx = kernel.db.begin().await?;
    let mut accounts = Vec::new();
    for person in PEOPLE {
        let is_resident = person.role == Role::Resident;
        if store::user_by_email(&kernel.db, person.email)
            .await?
            .is_none()
        {
            let user_id = store::insert_user(
                &mut tx,
                &store::NewUser {
                    email: person.email,
                    password_hash: if is_resident {
                        &resident_hash
                    } else {
                        &staff_hash
                    },
                    given_name: person.given,
                    family_name: person.family,
                    verified: true,
                },
                now,
            )
            .await?;
            let service_id = match person.service {
                Some(slug) => store::service_by_slug(&kernel.db, slug)
                    .await?
                    .map(|s| s.id),
                None => None,
            };
            store::grant_role(
                &mut tx,
                &user_id,
                person.role,
                service_id.as_deref(),
                None,
                now,
            )
            .await?;
            kernel
                .audit(
                    &mut tx,
                    &system,
                    "account.created",
                    Some(&kernel::audit::AuditTarget::new("user", &user_id)),
                    serde_json::json!({ "email": person.email, "kind": "demo" }),
                )
                .await?;
        }
        accounts.push(DemoAccount {
            email: person.email,
            name: format!("{} {}", person.given, person.family),
            role: person.role.as_str(),
            password: if is_resident {
                RESIDENT_PASSWORD
            } else {
                STAFF_PASSWORD
            },
            note: match (person.role.requires_mfa(), person.service) {
                (true, _) => "double authentification à activer à la première connexion",
                (false, Some("etat-civil")) => "service État civil",
                (false, Some("enfance")) => "service Enfance",
                (false, Some("voirie")) => "service Voirie",
                (false, Some("urbanisme")) => "service Urbanisme",
                (false, Some("vie-associative")) => "service Vie associative",
                (false, Some("ccas")) => "CCAS",
                (false, Some("cabinet")) => "Cabinet du maire",
                (false, Some("police-municipale")) => "Police municipale",
                _ => "",
            },
        });
    }
    tx.commit().await?;
    seed_teams(kernel).await?;
    Ok(accounts)
}

/// The demo teams that do not exist yet, with their members.
async fn seed_teams(kernel: &Kernel) -> Result<(), crate::AccountError> {
    let mut tx = kernel.db.begin().await?;
    for (service, slug, name, members) in TEAMS {
        let Some(service) = store::service_by_slug(&kernel.db, service).await? else {
            continue;
        };
        if store::team_by_slug(&kernel.db, &service.id, slug)
            .await?
            .is_some()
        {
            continue;
        }
        let team_id = store::insert_team(&mut tx, &service.id, slug, name, kernel.now()).await?;
        for email in *members {
            if let Some(user) = store::user_by_email(&kernel.db, email).await? {
                store::add_team_member(&mut tx, &team_id, &user.id).await?;
            }
        }
    }
    tx.commit().await?;
    Ok(())
}
