//! What agents do with a report besides moving its status (`actions::change_status`):
//! internal notes, re-categorising, re-routing, merging a duplicate, planning the
//! intervention, moderating what the public reads, and their own notice preference.
//! Each action is one transaction under the report's lock, audited; public changes tell
//! the subscribers in that transaction, and the live pages after commit.

use jiff::Timestamp;
use jiff::civil::Date;
use kernel::audit::AuditTarget;
use kernel::{Caller, Kernel, Tx};

use crate::actions::{self, ReportError, lock_handled, tell_subscribers, topic_service};
use crate::model::{Report, Status, Update, UpdateKind};
use crate::rules;
use crate::store::{self, NoticePreferences};

/// Longest agency name kept (« Métropole de Démo — direction de l'eau »).
const MAX_AGENCY: usize = 200;

/// The services whose reports the caller sees: all for an administrator, else those they
/// work for.
pub async fn inbox_services(kernel: &Kernel, caller: &Caller) -> Result<Vec<String>, sqlx::Error> {
    let Some(identity) = &caller.identity else {
        return Ok(vec![]);
    };
    if identity.has_role(kernel::Role::Administrator) {
        return Ok(accounts::store::services(&kernel.db)
            .await?
            .into_iter()
            .map(|s| s.id)
            .collect());
    }
    Ok(identity.services().map(|s| s.id.clone()).collect())
}

/// A report the caller may handle, read without a lock (pages); anything else is "not
/// found".
pub async fn handled_report(
    kernel: &Kernel,
    caller: &Caller,
    report_id: &str,
) -> Result<Report, ReportError> {
    match store::report_by_id(&kernel.db, report_id).await? {
        Some(report) if actions::may_handle(caller, &report) => Ok(report),
        _ => Err(ReportError::NotFound),
    }
}

fn invalid(field: &str, message: impl Into<String>) -> ReportError {
    ReportError::Invalid(vec![(field.to_string(), message.into())])
}

/// A history entry written by the calling agent.
fn entry(
    caller: &Caller,
    report: &Report,
    kind: UpdateKind,
    message: String,
    public: bool,
    now: Timestamp,
) -> Update {
    let identity = caller.identity.as_ref();
    Update {
        id: store::new_id(),
        report_id: report.id.clone(),
        kind,
        status: None,
        message,
        public,
        hidden: false,
        agent_id: identity.map(|i| i.user_id.clone()),
        agent_name: identity.map(|i| i.display_name.clone()).unwrap_or_default(),
        created_at: now,
    }
}

/// Writes an agent's change in its transaction: the report as it is now, its history
/// entry, and the audit line.
async fn write_change(
    kernel: &Kernel,
    tx: &mut Tx,
    caller: &Caller,
    report: &Report,
    entry: &Update,
    action: &str,
    details: serde_json::Value,
) -> Result<(), ReportError> {
    store::update_report(tx, report).await?;
    store::insert_update(tx, entry).await?;
    kernel
        .audit(
            tx,
            caller,
            action,
            Some(&AuditTarget::new("report", &report.id)),
            details,
        )
        .await?;
    Ok(())
}

/// « 12/12/2026 ».
pub fn french_date(date: Date) -> String {
    date.strftime("%d/%m/%Y").to_string()
}

/// An internal note: agents only, nobody is told.
pub async fn add_note(
    kernel: &Kernel,
    caller: &Caller,
    report_id: &str,
    text: &str,
) -> Result<Update, ReportError> {
    let text = rules::check_description(text).map_err(|m| invalid("note", m))?;
    if text.is_empty() {
        return Err(invalid("note", "Écrivez le texte de la note."));
    }
    let now = kernel.now();
    let (mut tx, mut report) = lock_handled(kernel.db.begin().await?, caller, report_id).await?;
    let note = entry(caller, &report, UpdateKind::Note, text, false, now);
    report.updated_at = now;
    write_change(
        kernel,
        &mut tx,
        caller,
        &report,
        &note,
        "reports.note",
        serde_json::json!({ "update": note.id }),
    )
    .await?;
    tx.commit().await?;
    Ok(note)
}

/// Puts the report in another active category. The answers to the former category's
/// questions are kept: they still describe the problem.
pub async fn recategorise(
    kernel: &Kernel,
    caller: &Caller,
    report_id: &str,
    category_id: &str,
) -> Result<Report, ReportError> {
    let category = match store::category_by_id(&kernel.db, category_id).await? {
        Some(c) if c.active => c,
        _ => {
            return Err(invalid(
                "category",
                "Choisissez une catégorie dans la liste.",
            ));
        }
    };
    let now = kernel.now();
    let (mut tx, mut report) = lock_handled(kernel.db.begin().await?, caller, report_id).await?;
    if report.category_id == category.id {
        tx.rollback().await?;
        return Err(invalid(
            "category",
            "Le signalement est déjà dans cette catégorie.",
        ));
    }
    let former = report.category_id.clone();
    let former_name = store::category_by_id(&kernel.db, &former)
        .await?
        .map(|c| c.name)
        .unwrap_or_default();
    report.category_id = category.id.clone();
    report.updated_at = now;
    let change = entry(
        caller,
        &report,
        UpdateKind::Recategorised,
        format!("Catégorie : {former_name} → {}", category.name),
        false,
        now,
    );
    write_change(
        kernel,
        &mut tx,
        caller,
        &report,
        &change,
        "reports.recategorise",
        serde_json::json!({ "from": former, "to": category.id }),
    )
    .await?;
    tx.commit().await?;
    actions::publish_change(kernel, &report, "recategorised").await;
    Ok(report)
}

/// Who handles a report from now on.
#[derive(Debug, Clone, Default)]
pub struct Reroute {
    pub service_id: String,
    /// A team of that service, or none (the service's common inbox).
    pub team_id: Option<String>,
    /// An external body that handles it instead (named to the author), or empty.
    pub agency: String,
}

/// Sends the report to another service, team or external body. Handing it to an external
/// body is public (the author learns whom to turn to); moves inside the town hall are not.
pub async fn reroute(
    kernel: &Kernel,
    caller: &Caller,
    report_id: &str,
    to: Reroute,
) -> Result<Report, ReportError> {
    let services = accounts::store::services(&kernel.db).await?;
    let Some(service) = services.iter().find(|s| s.id == to.service_id) else {
        return Err(invalid("service", "Choisissez un service dans la liste."));
    };
    let team = match to.team_id.as_deref().filter(|t| !t.is_empty()) {
        None => None,
        Some(team_id) => match accounts::store::team_by_id(&kernel.db, team_id).await? {
            Some(team) if team.service_id == service.id => Some(team),
            _ => {
                return Err(invalid(
                    "team",
                    format!(
                        "Choisissez une équipe du service « {} », ou aucune équipe.",
                        service.name
                    ),
                ));
            }
        },
    };
    let agency: String = to.agency.trim().to_string();
    if agency.chars().count() > MAX_AGENCY {
        return Err(invalid(
            "agency",
            format!("Le nom de l'organisme dépasse {MAX_AGENCY} caractères."),
        ));
    }
    if rules::check_description(&agency).is_err() {
        return Err(invalid(
            "agency",
            "Le nom de l'organisme doit être du texte simple.",
        ));
    }
    let now = kernel.now();
    let (mut tx, mut report) = lock_handled(kernel.db.begin().await?, caller, report_id).await?;
    let team_id = team.as_ref().map(|t| t.id.clone());
    if report.service_id.as_deref() == Some(service.id.as_str())
        && report.team_id == team_id
        && report.agency == agency
    {
        tx.rollback().await?;
        return Err(invalid(
            "service",
            "Le signalement est déjà orienté ainsi : changez le service, l'équipe ou l'organisme.",
        ));
    }
    let former_service = report.service_id.clone();
    let agency_changed = report.agency != agency;
    report.service_id = Some(service.id.clone());
    report.team_id = team_id;
    report.agency = agency.clone();
    report.updated_at = now;
    let mut description = format!("Orienté vers : {}", service.name);
    if let Some(team) = &team {
        description.push_str(&format!(" — {}", team.name));
    }
    let change = entry(
        caller,
        &report,
        UpdateKind::Rerouted,
        description,
        false,
        now,
    );
    write_change(
        kernel,
        &mut tx,
        caller,
        &report,
        &change,
        "reports.reroute",
        serde_json::json!({
            "from_service": former_service,
            "service": report.service_id,
            "team": report.team_id,
            "agency": report.agency,
        }),
    )
    .await?;
    if agency_changed && !agency.is_empty() {
        let message = format!("Votre signalement a été transmis à : {agency}.");
        let told = entry(
            caller,
            &report,
            UpdateKind::Message,
            message.clone(),
            true,
            now,
        );
        store::insert_update(&mut tx, &told).await?;
        tell_subscribers(
            kernel,
            &mut tx,
            &report,
            &format!("transmis à {agency}"),
            &message,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    // The former inbox loses the report: tell it too, so that its list is refreshed.
    if let Some(former) = former_service.filter(|f| Some(f) != report.service_id.as_ref()) {
        let payload = serde_json::json!({ "report": report.id, "event": "rerouted" });
        kernel
            .live
            .publish(&kernel.db, &topic_service(&former), &payload.to_string())
            .await;
    }
    actions::publish_change(kernel, &report, "rerouted").await;
    Ok(report)
}

/// The short reference as people type it (« s-2026-00042 », spaces around).
pub fn normalise_reference(raw: &str) -> String {
    raw.trim().to_uppercase()
}

/// Merges a report into another open one (by reference) that the caller also handles:
/// the duplicate is closed as `duplicate`, its followers move to the kept report, its
/// « me too » count is added there, and its author and followers are told.
pub async fn merge(
    kernel: &Kernel,
    caller: &Caller,
    report_id: &str,
    into_reference: &str,
) -> Result<(Report, Report), ReportError> {
    let reference = normalise_reference(into_reference);
    if reference.is_empty() {
        return Err(invalid(
            "reference",
            "Indiquez la référence du signalement à conserver, par exemple S-2026-00042.",
        ));
    }
    let not_found = || {
        invalid(
            "reference",
            format!(
                "Aucun signalement ouvert de vos services ne porte la référence « {reference} »."
            ),
        )
    };
    let kept_id = match store::report_by_reference(&kernel.db, &reference).await? {
        Some(r) if actions::may_handle(caller, &r) => r.id,
        _ => return Err(not_found()),
    };
    if kept_id == report_id {
        return Err(invalid(
            "reference",
            "Indiquez un autre signalement que celui-ci.",
        ));
    }
    let now = kernel.now();
    // Both rows are locked in the same order whoever merges, so that two agents merging
    // the same pair both ways wait for each other instead of deadlocking.
    let (low, high) = if report_id < kept_id.as_str() {
        (report_id, kept_id.as_str())
    } else {
        (kept_id.as_str(), report_id)
    };
    // Losing the kept report meanwhile (re-routed away) says so on its field.
    let lost = |id: &str, e: ReportError| match e {
        ReportError::NotFound if id == kept_id => not_found(),
        other => other,
    };
    let (tx, first) = lock_handled(kernel.db.begin().await?, caller, low)
        .await
        .map_err(|e| lost(low, e))?;
    let (mut tx, second) = lock_handled(tx, caller, high)
        .await
        .map_err(|e| lost(high, e))?;
    let (mut duplicate, mut kept) = if first.id == report_id {
        (first, second)
    } else {
        (second, first)
    };
    if !kept.status.is_open() || kept.merged_into.is_some() {
        tx.rollback().await?;
        return Err(invalid(
            "reference",
            format!(
                "Le signalement {} est clos : on ne peut regrouper un doublon qu'avec un signalement ouvert.",
                kept.reference
            ),
        ));
    }
    if !rules::can_move(duplicate.status, Status::Duplicate) {
        tx.rollback().await?;
        return Err(ReportError::Conflict(
            "Ce signalement est clos : rouvrez-le avant de le regrouper avec un autre.".into(),
        ));
    }
    let message = format!(
        "Ce problème avait déjà été signalé : ce signalement est regroupé avec {}, dont vous suivrez désormais le traitement.",
        kept.reference
    );
    duplicate.status = Status::Duplicate;
    duplicate.merged_into = Some(kept.id.clone());
    duplicate.status_note = message.clone();
    duplicate.updated_at = now;
    duplicate.closed_at = Some(now);
    if duplicate.acknowledged_at.is_none() {
        duplicate.acknowledged_at = Some(now);
    }
    // The duplicate's author and followers hear it before they move to the kept report.
    tell_subscribers(
        kernel,
        &mut tx,
        &duplicate,
        &format!("regroupé avec {}", kept.reference),
        &message,
        now,
    )
    .await?;
    let moved = store::move_subscriptions(&mut tx, &duplicate.id, &kept.id).await?;
    let mut closing = entry(caller, &duplicate, UpdateKind::Merged, message, true, now);
    closing.status = Some(Status::Duplicate);
    write_change(
        kernel,
        &mut tx,
        caller,
        &duplicate,
        &closing,
        "reports.merge",
        serde_json::json!({ "into": kept.id, "subscriptions_moved": moved }),
    )
    .await?;
    kept.me_too_count += duplicate.me_too_count;
    kept.updated_at = now;
    let gathered = entry(
        caller,
        &kept,
        UpdateKind::Merged,
        format!("{} regroupé ici comme doublon", duplicate.reference),
        false,
        now,
    );
    write_change(
        kernel,
        &mut tx,
        caller,
        &kept,
        &gathered,
        "reports.merge_kept",
        serde_json::json!({ "duplicate": duplicate.id }),
    )
    .await?;
    tx.commit().await?;
    actions::publish_change(kernel, &duplicate, "merged").await;
    actions::publish_change(kernel, &kept, "merged").await;
    Ok((duplicate, kept))
}

/// Sets (or withdraws, with `None`) the planned intervention date, shown to the public as
/// « prévu le … ». The subscribers are told.
pub async fn plan(
    kernel: &Kernel,
    caller: &Caller,
    report_id: &str,
    on: Option<Date>,
) -> Result<Report, ReportError> {
    let now = kernel.now();
    let today = now.to_zoned(kernel::clock::paris()).date();
    if on.is_some_and(|d| d < today) {
        return Err(invalid(
            "planned_on",
            "La date prévue est passée : indiquez aujourd'hui ou une date à venir.",
        ));
    }
    let (mut tx, mut report) = lock_handled(kernel.db.begin().await?, caller, report_id).await?;
    if !report.status.is_open() {
        tx.rollback().await?;
        return Err(ReportError::Conflict(
            "Ce signalement est clos : il n'y a plus d'intervention à prévoir.".into(),
        ));
    }
    if report.planned_on == on {
        tx.rollback().await?;
        return Err(invalid(
            "planned_on",
            match on {
                Some(_) => "L'intervention est déjà prévue à cette date.",
                None => "Aucune intervention n'est prévue.",
            },
        ));
    }
    report.planned_on = on;
    report.updated_at = now;
    let (what, message) = match on {
        Some(d) => (
            format!("intervention prévue le {}", french_date(d)),
            format!("Intervention prévue le {}.", french_date(d)),
        ),
        None => (
            "date d'intervention retirée".to_string(),
            "La date d'intervention annoncée est retirée ; une nouvelle date sera communiquée."
                .to_string(),
        ),
    };
    tell_subscribers(kernel, &mut tx, &report, &what, &message, now).await?;
    let change = entry(caller, &report, UpdateKind::Planned, message, true, now);
    write_change(
        kernel,
        &mut tx,
        caller,
        &report,
        &change,
        "reports.plan",
        serde_json::json!({ "planned_on": on.map(|d| d.to_string()) }),
    )
    .await?;
    tx.commit().await?;
    actions::publish_change(kernel, &report, "planned").await;
    Ok(report)
}

/// What a moderator hides from the public, or shows again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Moderated {
    Description,
    Photo(String),
}

/// Hides (or shows again) the public description or one photo. Agents still see it;
/// every moderation is audited and kept in the internal history.
pub async fn moderate(
    kernel: &Kernel,
    caller: &Caller,
    report_id: &str,
    what: Moderated,
    hidden: bool,
) -> Result<Report, ReportError> {
    let now = kernel.now();
    let (mut tx, mut report) = lock_handled(kernel.db.begin().await?, caller, report_id).await?;
    let label = match &what {
        Moderated::Description => {
            if report.description_hidden == hidden {
                tx.rollback().await?;
                return Ok(report);
            }
            report.description_hidden = hidden;
            "la description"
        }
        Moderated::Photo(photo_id) => {
            let current = store::photos_of(&kernel.db, &report.id)
                .await?
                .into_iter()
                .find(|p| &p.id == photo_id);
            match current {
                None => {
                    tx.rollback().await?;
                    return Err(ReportError::NotFound);
                }
                Some(p) if p.hidden == hidden => {
                    tx.rollback().await?;
                    return Ok(report);
                }
                Some(_) => {
                    store::set_photo_hidden(&mut tx, &report.id, photo_id, hidden).await?;
                }
            }
            "une photo"
        }
    };
    report.updated_at = now;
    let message = if hidden {
        format!("Masqué au public : {label}")
    } else {
        format!("Rendu visible au public : {label}")
    };
    let change = entry(caller, &report, UpdateKind::Moderated, message, false, now);
    write_change(
        kernel,
        &mut tx,
        caller,
        &report,
        &change,
        "reports.moderate",
        serde_json::json!({
            "target": match &what {
                Moderated::Description => "description".to_string(),
                Moderated::Photo(id) => format!("photo:{id}"),
            },
            "hidden": hidden,
        }),
    )
    .await?;
    tx.commit().await?;
    actions::publish_change(kernel, &report, "moderated").await;
    Ok(report)
}

/// The agent's choice: for each new report for their teams, an e-mail, a notification
/// on their devices, both, or the live inbox only.
pub async fn set_notice_preferences(
    kernel: &Kernel,
    caller: &Caller,
    preferences: NoticePreferences,
) -> Result<(), ReportError> {
    let Some(identity) = &caller.identity else {
        return Err(ReportError::Forbidden);
    };
    let mut tx = kernel.db.begin().await?;
    store::set_notice_preferences(&mut tx, &identity.user_id, preferences, kernel.now()).await?;
    kernel
        .audit(
            &mut tx,
            caller,
            "reports.notice_preference",
            Some(&AuditTarget::new("user", &identity.user_id)),
            serde_json::json!({
                "new_report": if preferences.email { "each" } else { "none" },
                "push": preferences.push,
            }),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_read_as_typed_on_the_phone() {
        assert_eq!(normalise_reference("  s-2026-00042 "), "S-2026-00042");
    }

    #[test]
    fn dates_are_written_the_french_way() {
        assert_eq!(french_date(jiff::civil::date(2026, 12, 3)), "03/12/2026");
    }
}
