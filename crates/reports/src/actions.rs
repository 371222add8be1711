//! What people do with reports, each in one transaction: filing (from the web, Open311 or
//! the counter), "me too", and the agents' moves. Every change that the public sees tells
//! the subscribers (outbox rows in the same transaction) and the live pages (after
//! commit).

use std::collections::BTreeMap;

use jiff::Timestamp;
use kernel::outbox::{self, Email};
use kernel::{Caller, Kernel, Tx};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::model::{Category, Photo, Point, Report, Source, Status, Update, UpdateKind};
use crate::photos::CleanPhoto;
use crate::rules::{self, AnswerProblem};
use crate::store::{self, Subscriber};

/// Why a report cannot be filed or changed, field by field where the person can fix it.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Problems the author can fix, by field (`category`, `location`, `description`,
    /// `email`, `photos`, `attribute.<code>` ...).
    #[error("le signalement n'est pas complet")]
    Invalid(Vec<(String, String)>),
    #[error("signalement introuvable")]
    NotFound,
    #[error("action refusée")]
    Forbidden,
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Storage(#[from] kernel::storage::StorageError),
    #[error(transparent)]
    Files(#[from] kernel::files::FileError),
}

impl From<ReportError> for kernel::AppError {
    fn from(e: ReportError) -> kernel::AppError {
        match e {
            ReportError::NotFound => kernel::AppError::NotFound,
            ReportError::Forbidden => kernel::AppError::Forbidden,
            ReportError::Conflict(m) => kernel::AppError::BadRequest(m),
            ReportError::Invalid(problems) => kernel::AppError::BadRequest(
                problems
                    .into_iter()
                    .map(|(_, m)| m)
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            other => kernel::AppError::Internal(anyhow::anyhow!(other.to_string())),
        }
    }
}

/// Live topics. Payloads carry ids only.
pub fn topic_service(service_id: &str) -> String {
    format!("reports.service.{service_id}")
}
pub fn topic_report(report_id: &str) -> String {
    format!("reports.report.{report_id}")
}

/// A random URL-safe token and its SHA-256 (what is stored).
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let hash = hash_token(&token);
    (token, hash)
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// What an author sends.
#[derive(Debug, Clone, Default)]
pub struct NewReport {
    pub category_code: String,
    pub point: Option<Point>,
    /// The address as typed or found (kept with the point).
    pub address: String,
    pub description: String,
    /// Raw answers to the extra questions, by code.
    pub answers: BTreeMap<String, Vec<String>>,
    /// Photos already cleaned (re-encoded, metadata stripped).
    pub photos: Vec<CleanPhoto>,
    /// An e-mail given to be told of progress (anonymous authors only).
    pub email: Option<String>,
    pub source: Option<Source>,
    pub api_client_id: Option<String>,
}

/// A filed report, with the tracking token shown once to its author.
#[derive(Debug, Clone)]
pub struct Filed {
    pub report: Report,
    pub tracking_token: String,
    pub open311_token: String,
}

fn problem(field: &str, message: impl Into<String>) -> (String, String) {
    (field.to_string(), message.into())
}

/// A plausible e-mail address (the outbox will tell if it bounces).
pub fn check_email(raw: &str) -> Result<String, String> {
    let email = raw.trim().to_lowercase();
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
        })
        && !email.contains(|c: char| c.is_whitespace() || c.is_control());
    if valid {
        Ok(email)
    } else {
        Err("Indiquez une adresse électronique valide, par exemple nom@exemple.fr.".into())
    }
}

/// Files a report: checks it, places it in its district, routes it, stores it with its
/// photos and the author's subscription, and tells the team. Anonymous reports keep no
/// personal data but the e-mail the author chose to give.
pub async fn file_report(
    kernel: &Kernel,
    caller: &Caller,
    new: NewReport,
) -> Result<Filed, ReportError> {
    let mut problems = Vec::new();
    let category = store::category_by_code(&kernel.db, new.category_code.trim()).await?;
    let category = match category {
        Some(c) if c.active => Some(c),
        _ => {
            problems.push(problem(
                "category",
                "Choisissez une catégorie dans la liste.",
            ));
            None
        }
    };
    let districts = store::districts(&kernel.db).await?;
    let mut district_id = None;
    match new.point {
        None => problems.push(problem(
            "location",
            "Indiquez le lieu : une adresse, un point sur la carte ou votre position.",
        )),
        Some(point) if districts.is_empty() => {
            // No districts drawn yet: the commune's streets give its extent, with a
            // margin, so that a report from another town is still refused.
            let streets = store::streets(&kernel.db).await?;
            if !streets.is_empty() && !rules::near_streets(point, &streets) {
                problems.push(problem(
                    "location",
                    "Ce lieu est en dehors de la commune : la mairie ne peut pas traiter ce signalement. Adressez-vous à la commune concernée.",
                ));
            }
        }
        Some(point) => match rules::district_of(point, &districts) {
            Some(d) => district_id = Some(d.id.clone()),
            None => problems.push(problem(
                "location",
                "Ce lieu est en dehors de la commune : la mairie ne peut pas traiter ce signalement. Adressez-vous à la commune concernée.",
            )),
        },
    }
    let description = match rules::check_description(&new.description) {
        Ok(d) => d,
        Err(m) => {
            problems.push(problem("description", m));
            String::new()
        }
    };
    let answers = match &category {
        Some(c) => match rules::check_answers(&c.attributes, &new.answers) {
            Ok(a) => a,
            Err(list) => {
                for AnswerProblem { code, message } in list {
                    problems.push((format!("attribute.{code}"), message));
                }
                serde_json::Map::new()
            }
        },
        None => serde_json::Map::new(),
    };
    if new.photos.len() > rules::MAX_PHOTOS {
        problems.push(problem(
            "photos",
            format!("Ajoutez au plus {} photos.", rules::MAX_PHOTOS),
        ));
    }
    let author_user_id = caller.identity.as_ref().map(|i| i.user_id.clone());
    let email = match (&author_user_id, new.email.as_deref().map(str::trim)) {
        (None, Some(raw)) if !raw.is_empty() => match check_email(raw) {
            Ok(e) => Some(e),
            Err(m) => {
                problems.push(problem("email", m));
                None
            }
        },
        _ => None,
    };
    if !problems.is_empty() {
        return Err(ReportError::Invalid(problems));
    }
    let (Some(category), Some(point)) = (category, new.point) else {
        return Err(ReportError::Invalid(vec![]));
    };
    let rules_list = store::routing_rules(&kernel.db).await?;
    let destination = rules::route(&rules_list, &category, district_id.as_deref());
    let now = kernel.now();

    // Photos are written to storage before the rows that point to them.
    let mut stored_photos = Vec::new();
    for photo in &new.photos {
        let object = kernel
            .storage
            .put_encrypted("reports/photos", &photo.bytes)
            .await?;
        stored_photos.push((photo, object));
    }

    // Who to tell is read before the transaction: a write transaction must never wait
    // for a second connection of the pool.
    let team = match &destination {
        Some(d) => team_to_tell(kernel, &d.service_id, d.team_id.as_deref()).await?,
        None => Vec::new(),
    };
    let mut tx = kernel.db.begin().await?;
    let year = now.to_zoned(kernel::clock::paris()).year();
    let reference = store::next_reference(&mut tx, year).await?;
    let (tracking_token, tracking_hash) = new_token();
    let (open311_token, _) = new_token();
    let report = Report {
        id: store::new_id(),
        reference,
        category_id: category.id.clone(),
        status: Status::New,
        point,
        address: rules::clean_text(&new.address).chars().take(300).collect(),
        district_id,
        description,
        answers,
        service_id: destination.as_ref().map(|d| d.service_id.clone()),
        team_id: destination.as_ref().and_then(|d| d.team_id.clone()),
        agency: destination.map(|d| d.agency).unwrap_or_default(),
        author_user_id: author_user_id.clone(),
        author_email: email.clone(),
        source: new.source.unwrap_or(Source::Web),
        api_client_id: new.api_client_id.clone(),
        description_hidden: false,
        planned_on: None,
        status_note: String::new(),
        merged_into: None,
        me_too_count: 0,
        created_at: now,
        updated_at: now,
        acknowledged_at: None,
        closed_at: None,
    };
    store::insert_report(&mut tx, &report, &tracking_hash, &open311_token).await?;
    if let Some(client) = &report.api_client_id {
        // The key's last use is written with the report it filed, or not at all.
        store::touch_client(&mut tx, client, now).await?;
    }
    store::insert_update(
        &mut tx,
        &Update {
            id: store::new_id(),
            report_id: report.id.clone(),
            kind: UpdateKind::Filed,
            status: Some(Status::New),
            message: String::new(),
            public: true,
            hidden: false,
            agent_id: None,
            agent_name: String::new(),
            created_at: now,
        },
    )
    .await?;
    for (photo, object) in stored_photos {
        let file_id = store::insert_photo_file(&mut tx, &object, photo, now).await?;
        store::insert_photo(
            &mut tx,
            &Photo {
                id: store::new_id(),
                report_id: report.id.clone(),
                update_id: None,
                file_id,
                width: i64::from(photo.width),
                height: i64::from(photo.height),
                hidden: false,
                created_at: now,
            },
        )
        .await?;
    }
    if author_user_id.is_some() || email.is_some() {
        store::insert_subscription(
            &mut tx,
            &report.id,
            &Subscriber {
                user_id: author_user_id,
                email: email.clone(),
            },
            None,
            now,
        )
        .await?;
    }
    if let Some(email) = &email {
        outbox::enqueue_email(
            &mut tx,
            now,
            &Email {
                to: email.clone(),
                subject: format!("Signalement {} bien reçu", report.reference),
                text: format!(
                    "Bonjour,\n\nVotre signalement « {} » ({}) est bien reçu par {}.\n\nSuivez son traitement ici :\n{}\n\nVous recevrez un message à chaque étape.\n",
                    category.name,
                    report.reference,
                    kernel.config.commune.name,
                    kernel.link(&format!("/signalements/suivi/{tracking_token}")),
                ),
                html: None,
            },
        )
        .await?;
    }
    tell_team(kernel, &mut tx, &report, &category, &team, now).await?;
    tx.commit().await?;
    if let Some(service) = &report.service_id {
        let payload =
            serde_json::json!({ "report": report.id, "team": report.team_id, "event": "new" });
        kernel
            .live
            .publish(&kernel.db, &topic_service(service), &payload.to_string())
            .await;
    }
    Ok(Filed {
        report,
        tracking_token,
        open311_token,
    })
}

/// An agent to tell of a new report, and how they asked to be told.
struct TeamMember {
    user_id: String,
    email: String,
    preferences: store::NoticePreferences,
}

/// The agents to tell of a new report: the team's members, or the service's staff when
/// there is no team or the team has no one yet; those who chose the live inbox only are
/// left out.
async fn team_to_tell(
    kernel: &Kernel,
    service_id: &str,
    team_id: Option<&str>,
) -> Result<Vec<TeamMember>, ReportError> {
    let mut recipients: Vec<String> = match team_id {
        Some(team) => accounts::store::team_members_of_service(&kernel.db, service_id)
            .await?
            .into_iter()
            .filter(|m| m.team_id == team)
            .map(|m| m.user_id)
            .collect(),
        None => Vec::new(),
    };
    if recipients.is_empty() {
        recipients = accounts::store::staff_of_service(&kernel.db, service_id)
            .await?
            .into_iter()
            .map(|(id, _)| id)
            .collect();
    }
    let chosen = store::chosen_preferences(&kernel.db).await?;
    let mut members = Vec::new();
    for user_id in recipients {
        let preferences = chosen.get(&user_id).copied().unwrap_or_default();
        if !preferences.email && !preferences.push {
            continue;
        }
        if let Some(user) = accounts::store::user_by_id(&kernel.db, &user_id).await? {
            members.push(TeamMember {
                user_id,
                email: user.email,
                preferences,
            });
        }
    }
    Ok(members)
}

/// Queues the new-report e-mail or device notification to each agent, as each chose.
/// Both name the category and place, never the author; the notification, which shows on
/// a locked phone, leaves the description out too.
async fn tell_team(
    kernel: &Kernel,
    tx: &mut Tx,
    report: &Report,
    category: &Category,
    team: &[TeamMember],
    now: Timestamp,
) -> Result<(), ReportError> {
    let path = format!("/backoffice/signalements/{}", report.id);
    for member in team {
        if member.preferences.email {
            outbox::enqueue_email(
                tx,
                now,
                &Email {
                    to: member.email.clone(),
                    subject: format!("Nouveau signalement {} : {}", report.reference, category.name),
                    text: format!(
                        "Bonjour,\n\nUn nouveau signalement est arrivé pour votre équipe :\n\n{} — {}\n{}\n\n{}\n\nOuvrir le signalement :\n{}\n",
                        report.reference,
                        category.name,
                        report.address,
                        report.description,
                        kernel.link(&path),
                    ),
                    html: None,
                },
            )
            .await?;
        }
        if member.preferences.push {
            kernel::push::notify(
                tx,
                now,
                &member.user_id,
                &kernel::push::Notification {
                    title: format!("Nouveau signalement {}", report.reference),
                    body: format!("{} — {}", category.name, report.address),
                    url: path.clone(),
                    tag: Some(format!("signalement-{}", report.id)),
                },
            )
            .await?;
        }
    }
    Ok(())
}

/// Tells every subscriber of a public change: an e-mail to those who gave one or have an
/// account. Runs inside the change's transaction.
pub async fn tell_subscribers(
    kernel: &Kernel,
    tx: &mut Tx,
    report: &Report,
    what: &str,
    message: &str,
    now: Timestamp,
) -> Result<usize, ReportError> {
    let mut sent = 0;
    for subscriber in store::subscribers(tx, &report.id).await? {
        let email = match (&subscriber.email, &subscriber.user_id) {
            (Some(e), _) => Some(e.clone()),
            (None, Some(user)) => accounts::store::email_of(tx, user).await?,
            (None, None) => None,
        };
        let Some(email) = email else { continue };
        // The tracking token is stored hashed: people without an account follow the
        // link they received when they reported.
        let link = if subscriber.user_id.is_some() {
            kernel.link(&format!("/mes-signalements/{}", report.id))
        } else {
            "le lien de suivi reçu lors de votre signalement".to_string()
        };
        let mut text = format!(
            "Bonjour,\n\nDu nouveau sur le signalement {} : {what}.\n",
            report.reference
        );
        if !message.trim().is_empty() {
            text.push_str(&format!("\nMessage de la mairie :\n{}\n", message.trim()));
        }
        text.push_str(&format!("\nPour en savoir plus : {link}\n"));
        outbox::enqueue_email(
            tx,
            now,
            &Email {
                to: email,
                subject: format!("Signalement {} : {what}", report.reference),
                text,
                html: None,
            },
        )
        .await?;
        sent += 1;
    }
    Ok(sent)
}

/// Publishes the change of a report to its tracking pages and its service's inbox.
pub async fn publish_change(kernel: &Kernel, report: &Report, event: &str) {
    let payload = serde_json::json!({ "report": report.id, "event": event }).to_string();
    kernel
        .live
        .publish(&kernel.db, &topic_report(&report.id), &payload)
        .await;
    if let Some(service) = &report.service_id {
        let payload =
            serde_json::json!({ "report": report.id, "team": report.team_id, "event": event })
                .to_string();
        kernel
            .live
            .publish(&kernel.db, &topic_service(service), &payload)
            .await;
    }
}

/// May this caller handle the report (an agent of its service, or an administrator)?
pub fn may_handle(caller: &Caller, report: &Report) -> bool {
    let Some(identity) = &caller.identity else {
        return false;
    };
    if identity.has_role(kernel::Role::Administrator) {
        return true;
    }
    report
        .service_id
        .as_deref()
        .is_some_and(|s| identity.works_for(s))
}

/// Locks a report the caller may handle, for a change. Anything else is "not found", and
/// the transaction is rolled back at once so that no lock outlives the refusal.
pub async fn lock_handled(
    mut tx: Tx,
    caller: &Caller,
    report_id: &str,
) -> Result<(Tx, Report), ReportError> {
    match store::lock_report(&mut tx, report_id).await? {
        Some(report) if may_handle(caller, &report) => Ok((tx, report)),
        _ => {
            tx.rollback().await?;
            Err(ReportError::NotFound)
        }
    }
}

/// The agent's name as the public reads it in the history: their service, not their
/// person ("Service voirie").
fn agent_of(caller: &Caller) -> (Option<String>, String) {
    match &caller.identity {
        Some(i) => (Some(i.user_id.clone()), i.display_name.clone()),
        None => (None, String::new()),
    }
}

/// A status change by an agent, with an optional public message and photo of the fix.
pub struct StatusChange {
    pub to: Status,
    pub message: String,
    pub photo: Option<CleanPhoto>,
}

pub async fn change_status(
    kernel: &Kernel,
    caller: &Caller,
    report_id: &str,
    change: StatusChange,
) -> Result<Report, ReportError> {
    let message = rules::check_description(&change.message)
        .map_err(|m| ReportError::Invalid(vec![problem("message", m)]))?;
    if change.to == Status::Rejected && message.is_empty() {
        return Err(ReportError::Invalid(vec![problem(
            "message",
            "Expliquez le refus à l'auteur (et, si ce n'est pas la compétence de la commune, l'organisme à contacter).",
        )]));
    }
    if change.to == Status::Duplicate {
        return Err(ReportError::Invalid(vec![problem(
            "status",
            "Pour un doublon, fusionnez le signalement avec l'autre.",
        )]));
    }
    // Refuse before storing anything for a report the caller may not handle.
    match store::report_by_id(&kernel.db, report_id).await? {
        Some(report) if may_handle(caller, &report) => {}
        _ => return Err(ReportError::NotFound),
    }
    let stored = match &change.photo {
        Some(photo) => Some(
            kernel
                .storage
                .put_encrypted("reports/photos", &photo.bytes)
                .await?,
        ),
        None => None,
    };
    let now = kernel.now();
    let (mut tx, mut report) = lock_handled(kernel.db.begin().await?, caller, report_id).await?;
    if !rules::can_move(report.status, change.to) {
        tx.rollback().await?;
        return Err(ReportError::Conflict(format!(
            "Ce signalement ne peut pas passer de « {} » à « {} ».",
            report.status.as_str(),
            change.to.as_str()
        )));
    }
    if report.status == Status::Duplicate {
        // Reopened: it is a report of its own again (the followers and the « moi aussi »
        // it brought stay with the report it was merged into).
        report.merged_into = None;
    }
    report.status = change.to;
    report.updated_at = now;
    report.status_note = message.clone();
    if change.to != Status::New && report.acknowledged_at.is_none() {
        report.acknowledged_at = Some(now);
    }
    report.closed_at = if change.to.is_open() { None } else { Some(now) };
    store::update_report(&mut tx, &report).await?;
    let (agent_id, agent_name) = agent_of(caller);
    let update = Update {
        id: store::new_id(),
        report_id: report.id.clone(),
        kind: UpdateKind::Status,
        status: Some(change.to),
        message: message.clone(),
        public: true,
        hidden: false,
        agent_id,
        agent_name,
        created_at: now,
    };
    store::insert_update(&mut tx, &update).await?;
    if let (Some(photo), Some(object)) = (&change.photo, &stored) {
        let file_id = store::insert_photo_file(&mut tx, object, photo, now).await?;
        store::insert_photo(
            &mut tx,
            &Photo {
                id: store::new_id(),
                report_id: report.id.clone(),
                update_id: Some(update.id.clone()),
                file_id,
                width: i64::from(photo.width),
                height: i64::from(photo.height),
                hidden: false,
                created_at: now,
            },
        )
        .await?;
    }
    let what = match change.to {
        Status::New => "nouveau",
        Status::Acknowledged => "pris en compte",
        Status::InProgress => "en cours de traitement",
        Status::Resolved => "résolu",
        Status::Rejected => "non retenu",
        Status::Duplicate => "doublon",
    };
    tell_subscribers(kernel, &mut tx, &report, what, &message, now).await?;
    kernel
        .audit(
            &mut tx,
            caller,
            "reports.status",
            Some(&kernel::audit::AuditTarget::new("report", &report.id)),
            serde_json::json!({ "status": change.to.as_str() }),
        )
        .await?;
    tx.commit().await?;
    publish_change(kernel, &report, "status").await;
    Ok(report)
}
