//! What residents and agents do with requests, each as one transaction: start a draft,
//! file it, record one received at the counter, move it through its workflow, write to the
//! applicant, ask for documents, re-route it. The web pages and the JSON API both call
//! these; permission is checked here as well as in the handlers.

use jiff::civil::Date;
use kernel::audit::AuditTarget;
use kernel::outbox::{Email, enqueue_email};
use kernel::{Caller, Kernel, Tx};

use crate::acknowledgement::Acknowledgement;
use crate::decision::{Decision, Outcome};
use crate::documents;
use crate::forms::{AnswerProblem, Answers, Block, FieldKind, Prefill, check_page, visible_pages};
use crate::model::{Channel, DeemedDecision, Procedure, ProcedureKind, Request};
use crate::routing::{request_number, route};
use crate::rules::deemed_decision;
use crate::store::{self, NewEvent};
use crate::workflow::{self, Phase};

#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    #[error("demande introuvable")]
    NotFound,
    #[error("accès refusé")]
    Forbidden,
    /// Answers refused, field by field.
    #[error("réponses à corriger")]
    Invalid(Vec<(String, AnswerProblem)>),
    /// The request is not in a state that allows this (already filed, move not allowed).
    #[error("{0}")]
    Conflict(&'static str),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error("stockage des fichiers : {0}")]
    Storage(String),
}

impl From<RequestError> for kernel::AppError {
    fn from(e: RequestError) -> kernel::AppError {
        match e {
            RequestError::NotFound => kernel::AppError::NotFound,
            RequestError::Forbidden => kernel::AppError::Forbidden,
            RequestError::Invalid(_) => {
                kernel::AppError::BadRequest("certaines réponses sont à corriger".into())
            }
            RequestError::Conflict(message) => kernel::AppError::BadRequest(message.into()),
            RequestError::Db(e) => e.into(),
            RequestError::Storage(e) => kernel::AppError::Internal(anyhow::anyhow!(e)),
        }
    }
}

/// Today in Paris: the civil date legal delays count from.
pub fn today(kernel: &Kernel) -> Date {
    kernel.now().to_zoned(kernel::clock::paris()).date()
}

fn person_id(caller: &Caller) -> Option<&str> {
    caller.identity.as_ref().map(|i| i.user_id.as_str())
}

fn person_label(caller: &Caller) -> String {
    caller
        .identity
        .as_ref()
        .map(|i| i.display_name.clone())
        .unwrap_or_else(|| "Parvis".into())
}

/// The applicant sees their own requests (or an agent acting for them at the counter).
pub fn is_applicant(caller: &Caller, request: &Request) -> bool {
    let Some(applicant) = request.applicant_id.as_deref() else {
        return false;
    };
    caller
        .acting_for
        .as_ref()
        .map(|a| a.person_id.as_str())
        .or(person_id(caller))
        == Some(applicant)
}

/// Agents of the service in charge, and administrators, handle a request.
pub fn may_handle(caller: &Caller, request: &Request) -> bool {
    caller.identity.as_ref().is_some_and(|i| {
        i.works_for(&request.service_id) || i.has_role(kernel::identity::Role::Administrator)
    })
}

/// The services whose inbox this person sees.
pub async fn inbox_services(kernel: &Kernel, caller: &Caller) -> Result<Vec<String>, sqlx::Error> {
    let Some(identity) = caller.identity.as_ref() else {
        return Ok(vec![]);
    };
    if identity.has_role(kernel::identity::Role::Administrator) {
        return Ok(accounts::store::services(&kernel.db)
            .await?
            .into_iter()
            .map(|s| s.id)
            .collect());
    }
    Ok(identity.services().map(|s| s.id.clone()).collect())
}

async fn refresh_deemed(tx: &mut Tx, request: &mut Request) -> Result<(), sqlx::Error> {
    let completions = store::completions(tx, &request.id).await?;
    request.deemed = request
        .deadline_facts(&completions)
        .map(|facts| deemed_decision(&facts))
        .unwrap_or(DeemedDecision::NotApplicable);
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn event(
    tx: &mut Tx,
    kernel: &Kernel,
    request: &Request,
    actor: (Option<&str>, &str),
    kind: &str,
    change: (Option<&str>, Option<&str>),
    detail: &str,
    public: bool,
) -> Result<(), sqlx::Error> {
    store::add_event(
        tx,
        &NewEvent {
            request_id: &request.id,
            actor_id: actor.0,
            actor_label: actor.1,
            kind,
            from_status: change.0,
            to_status: change.1,
            detail,
            public,
        },
        kernel.now(),
    )
    .await
}

/// A notice to the applicant by e-mail: the number and a link, never the content (the
/// content may be personal; the applicant reads it in their space).
async fn notify_applicant(
    kernel: &Kernel,
    tx: &mut Tx,
    request: &Request,
    subject: &str,
    what: &str,
) -> Result<(), sqlx::Error> {
    let (Some(email), Some(number)) = (&request.applicant_email, &request.number) else {
        return Ok(());
    };
    let link = if request.applicant_id.is_some() {
        kernel.link(&format!("/mes-demandes/{number}"))
    } else {
        kernel.config.commune.phone.clone()
    };
    let text = format!(
        "Bonjour,\n\n{what}\n\nDemande n° {number}\nPour la consulter : {link}\n\n{}\n\nCe message est envoyé automatiquement ; merci de ne pas y répondre.",
        kernel.config.commune.name
    );
    enqueue_email(
        tx,
        kernel.now(),
        &Email {
            to: email.clone(),
            subject: format!("{subject} — demande {number}"),
            text,
            html: None,
        },
    )
    .await?;
    Ok(())
}

// ------------------------------------------------------------------ drafts

/// What the commune already knows about the person, to pre-fill their form (said once):
/// their account, and the phone and address they gave on their last request.
async fn prefill(
    kernel: &Kernel,
    user_id: &str,
    definition: &crate::forms::FormDefinition,
) -> Result<Answers, sqlx::Error> {
    let mut answers = Answers::new();
    let Some(user) = accounts::store::user_by_id(&kernel.db, user_id).await? else {
        return Ok(answers);
    };
    let earlier = store::requests_of(&kernel.db, user_id).await?;
    let phone = earlier.iter().find_map(|r| r.applicant_phone.clone());
    let address = earlier.iter().find_map(|r| r.applicant_address.clone());
    for field in definition.fields() {
        let value = match field.prefill {
            Some(Prefill::GivenName) => Some(user.given_name.clone()),
            Some(Prefill::FamilyName) => Some(user.family_name.clone()),
            Some(Prefill::Email) => Some(user.email.clone()),
            Some(Prefill::Phone) => phone.clone(),
            Some(Prefill::PostalAddress) => address.clone(),
            None => None,
        };
        if let Some(value) = value {
            answers.insert(field.key.clone(), vec![value]);
        }
    }
    Ok(answers)
}

/// Starts a draft of a procedure for the person logged in (or the person an agent acts for).
pub async fn start_draft(
    kernel: &Kernel,
    caller: &Caller,
    procedure: &Procedure,
) -> Result<Request, RequestError> {
    let identity = caller.identity.as_ref().ok_or(RequestError::Forbidden)?;
    if procedure.kind != ProcedureKind::Online || !procedure.listed {
        return Err(RequestError::NotFound);
    }
    let version = store::published_version(&kernel.db, &procedure.id)
        .await?
        .ok_or(RequestError::NotFound)?;
    let (applicant_id, name, email) = match &caller.acting_for {
        Some(a) => {
            let user = accounts::store::user_by_id(&kernel.db, &a.person_id).await?;
            (
                a.person_id.clone(),
                a.display_name.clone(),
                user.map(|u| u.email),
            )
        }
        None => (
            identity.user_id.clone(),
            identity.display_name.clone(),
            Some(identity.email.clone()),
        ),
    };
    let now = kernel.now();
    let request = Request {
        id: uuid::Uuid::new_v4().to_string(),
        number: None,
        procedure_id: procedure.id.clone(),
        form_version_id: version.id.clone(),
        service_id: procedure.service_id.clone(),
        team_id: None,
        assignee_id: None,
        status: workflow::DRAFT.into(),
        channel: Channel::Online,
        answers: prefill(kernel, &applicant_id, &version.definition).await?,
        applicant_id: Some(applicant_id),
        applicant_name: name,
        applicant_email: email,
        applicant_phone: None,
        applicant_address: None,
        current_page: 0,
        regime: procedure.regime,
        delay: procedure.delay,
        received_on: None,
        competent_received_on: None,
        incomplete_at_receipt: false,
        complete_on: None,
        deemed: DeemedDecision::NotApplicable,
        submitted_at: None,
        decided_at: None,
        created_at: now,
        updated_at: now,
    };
    let mut tx = kernel.db.begin().await?;
    store::save_request(&mut tx, &request).await?;
    tx.commit().await?;
    Ok(request)
}

/// A file sent with a page of the form or with a reply.
pub struct Upload {
    pub field: String,
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Saves a draft's answers, its files and the page the person is on, in one transaction.
/// Only the applicant's own draft. Returns the files refused, by field, with the reason:
/// the rest is saved all the same, so nothing typed is lost.
pub async fn save_draft(
    kernel: &Kernel,
    caller: &Caller,
    request: &mut Request,
    answers: Answers,
    page: i64,
    uploads: Vec<Upload>,
) -> Result<Vec<(String, String)>, RequestError> {
    if !is_applicant(caller, request) {
        return Err(RequestError::NotFound);
    }
    if request.status != workflow::DRAFT {
        return Err(RequestError::Conflict("cette demande a déjà été envoyée"));
    }
    request.answers = answers;
    request.current_page = page;
    request.updated_at = kernel.now();
    let mut refused = Vec::new();
    let mut tx = kernel.db.begin().await?;
    for upload in uploads {
        match store_file(kernel, &mut tx, &upload).await? {
            Ok(file) => {
                store::remove_field_documents(&mut tx, &request.id, &upload.field).await?;
                store::add_document(
                    &mut tx,
                    &store::NewDocument {
                        request_id: &request.id,
                        file_id: &file.id,
                        field_key: Some(&upload.field),
                        kind: "answer",
                        from_staff: false,
                        public: true,
                    },
                    kernel.now(),
                )
                .await?;
                request
                    .answers
                    .insert(upload.field.clone(), vec![file.original_name]);
            }
            Err(reason) => {
                request.answers.remove(&upload.field);
                refused.push((upload.field, reason));
            }
        }
    }
    store::save_request(&mut tx, request).await?;
    tx.commit().await?;
    Ok(refused)
}

/// Stores an uploaded file (before its row is committed); `Err` holds the reason a
/// resident can act on (too large, wrong type).
async fn store_file(
    kernel: &Kernel,
    tx: &mut Tx,
    upload: &Upload,
) -> Result<Result<kernel::files::StoredFile, String>, RequestError> {
    let policy = kernel::storage::UploadPolicy {
        max_bytes: kernel.config.max_upload_bytes,
        allowed: kernel::storage::DOCUMENT_TYPES,
    };
    match kernel::files::store_upload(kernel, tx, "requests", &upload.name, &upload.bytes, &policy)
        .await
    {
        Ok(file) => Ok(Ok(file)),
        Err(kernel::files::FileError::Refused(reason)) => Ok(Err(reason.to_string())),
        Err(kernel::files::FileError::Db(e)) => Err(e.into()),
        Err(e @ kernel::files::FileError::Storage(_)) => Err(RequestError::Storage(e.to_string())),
    }
}

/// A document the applicant adds to a filed request (asked for, or of their own accord).
pub async fn add_applicant_document(
    kernel: &Kernel,
    tx: &mut Tx,
    request: &Request,
    upload: &Upload,
) -> Result<Result<(), String>, RequestError> {
    match store_file(kernel, tx, upload).await? {
        Ok(file) => {
            store::add_document(
                tx,
                &store::NewDocument {
                    request_id: &request.id,
                    file_id: &file.id,
                    field_key: None,
                    kind: "document",
                    from_staff: false,
                    public: true,
                },
                kernel.now(),
            )
            .await?;
            Ok(Ok(()))
        }
        Err(reason) => Ok(Err(reason)),
    }
}

/// Every problem of every visible page.
pub fn check_all(
    definition: &crate::forms::FormDefinition,
    answers: &Answers,
) -> Vec<(usize, String, AnswerProblem)> {
    visible_pages(definition, answers)
        .into_iter()
        .flat_map(|page| {
            check_page(definition, page, answers)
                .into_iter()
                .map(move |(key, problem)| (page, key, problem))
        })
        .collect()
}

/// Answers of fields that are hidden by the answers themselves are dropped at filing:
/// the agent sees only what the applicant was actually asked.
fn keep_visible(definition: &crate::forms::FormDefinition, answers: &Answers) -> Answers {
    let mut kept = Answers::new();
    for page in visible_pages(definition, answers) {
        for block in &definition.pages[page].blocks {
            let Block::Field(field) = block else { continue };
            if field
                .show_if
                .as_ref()
                .is_some_and(|c| !answers.get(&c.field).is_some_and(|v| v.contains(&c.equals)))
            {
                continue;
            }
            if let Some(values) = answers.get(&field.key) {
                let values: Vec<String> = values
                    .iter()
                    .map(|v| v.trim().to_string())
                    .filter(|v| !v.is_empty())
                    .collect();
                if !values.is_empty() {
                    kept.insert(field.key.clone(), values);
                }
            }
        }
    }
    kept
}

/// The first phone and address answers, kept on the request (for the next pre-fill and
/// for the agents' contact card).
fn contact_answers(
    definition: &crate::forms::FormDefinition,
    answers: &Answers,
) -> (Option<String>, Option<String>) {
    let first = |wanted: fn(&FieldKind) -> bool| {
        definition
            .fields()
            .filter(|f| wanted(&f.kind))
            .find_map(|f| answers.get(&f.key).and_then(|v| v.first().cloned()))
    };
    (
        first(|k| matches!(k, FieldKind::Phone)),
        first(|k| matches!(k, FieldKind::PostalAddress)),
    )
}

/// Receipt: routes the request, numbers it, computes its deadline, writes the
/// acknowledgement and queues its e-mail. Shared by online filing and counter recording.
async fn receive(
    kernel: &Kernel,
    tx: &mut Tx,
    request: &mut Request,
    procedure: &Procedure,
    received_on: Date,
    received_at: Option<String>,
    actor: (Option<&str>, &str),
) -> Result<Acknowledgement, RequestError> {
    let rules = store::routing_rules(&kernel.db, &procedure.id).await?;
    let streets = store::streets(&kernel.db).await?;
    let destination = route(&rules, &request.answers, &streets, &procedure.service_id);
    request.service_id = destination.service_id.into();
    // A team is kept only while it still belongs to the service it was chosen in.
    let teams = accounts::store::teams_of_service(&kernel.db, &request.service_id).await?;
    let team = destination
        .team_id
        .and_then(|id| teams.iter().find(|t| t.id == id));
    request.team_id = team.map(|t| t.id.clone());
    let year = received_on.year();
    let sequence = store::next_number(tx, year).await?;
    request.number = Some(request_number(year, sequence));
    request.received_on = Some(received_on);
    // The regime is the one in force on the day of receipt: a draft started before the
    // administrator changed it takes the new one, and a filed request never changes again.
    request.regime = procedure.regime;
    request.delay = procedure.delay;
    request.status = workflow::SUBMITTED.into();
    request.submitted_at = Some(kernel.now());
    request.updated_at = kernel.now();
    refresh_deemed(tx, request).await?;
    store::save_request(tx, request).await?;
    let services = accounts::store::services(&kernel.db).await?;
    let service = services
        .iter()
        .find(|s| s.id == request.service_id)
        .ok_or(RequestError::Conflict("service introuvable"))?;
    let commune = &kernel.config.commune;
    let ack = Acknowledgement {
        commune: commune.name.clone(),
        number: request.number.clone().unwrap_or_default(),
        procedure: procedure.title.clone(),
        applicant: request.applicant_name.clone(),
        received_on,
        received_at,
        service_name: service.name.clone(),
        service_address: commune.address.clone(),
        service_email: service.email.clone(),
        service_phone: service.phone.clone(),
        regime: request.regime,
        delay: request.delay,
        deemed: request.deemed,
        legal_basis: procedure.legal_basis.clone(),
        court: commune.administrative_court.clone(),
        missing_documents: vec![],
    };
    store::save_acknowledgement(tx, &request.id, &ack, kernel.now()).await?;
    event(
        tx,
        kernel,
        request,
        actor,
        "submitted",
        (None, Some(workflow::SUBMITTED)),
        &format!("Demande reçue ({})", request.channel.as_str()),
        true,
    )
    .await?;
    if request.service_id != procedure.service_id || team.is_some() {
        event(
            tx,
            kernel,
            request,
            (None, "Parvis"),
            "routed",
            (None, None),
            &format!(
                "Orientée vers le service {}{} par une règle d'orientation",
                service.name,
                team.map(|t| format!(", équipe {}", t.name))
                    .unwrap_or_default()
            ),
            false,
        )
        .await?;
    }
    if let (Some(email), Some(number)) = (&request.applicant_email, &request.number) {
        let link = if request.applicant_id.is_some() {
            format!(
                "\n\nSuivre votre demande : {}",
                kernel.link(&format!("/mes-demandes/{number}"))
            )
        } else {
            String::new()
        };
        enqueue_email(
            tx,
            kernel.now(),
            &Email {
                to: email.clone(),
                subject: ack.title(),
                text: format!(
                    "{}{link}\n\n{}\n\nCe message est envoyé automatiquement ; merci de ne pas y répondre.",
                    ack.text(),
                    commune.name
                ),
                html: None,
            },
        )
        .await?;
    }
    Ok(ack)
}

/// Files a draft: every visible page is checked again, then the request is received.
pub async fn submit(
    kernel: &Kernel,
    caller: &Caller,
    request_id: &str,
) -> Result<Request, RequestError> {
    let mut tx = kernel.db.begin().await?;
    let mut request = store::request_for_update(&mut tx, request_id)
        .await?
        .ok_or(RequestError::NotFound)?;
    if !is_applicant(caller, &request) {
        return Err(RequestError::NotFound);
    }
    if request.status != workflow::DRAFT {
        return Err(RequestError::Conflict("cette demande a déjà été envoyée"));
    }
    let version = store::version_by_id(&kernel.db, &request.form_version_id)
        .await?
        .ok_or(RequestError::NotFound)?;
    let problems = check_all(&version.definition, &request.answers);
    if !problems.is_empty() {
        return Err(RequestError::Invalid(
            problems.into_iter().map(|(_, k, p)| (k, p)).collect(),
        ));
    }
    let procedure = store::procedure_by_id(&kernel.db, &request.procedure_id)
        .await?
        .ok_or(RequestError::NotFound)?;
    request.answers = keep_visible(&version.definition, &request.answers);
    let (phone, address) = contact_answers(&version.definition, &request.answers);
    request.applicant_phone = phone;
    request.applicant_address = address;
    let now = kernel.now();
    let received_at = kernel::clock::format_fr(now);
    let label = person_label(caller);
    receive(
        kernel,
        &mut tx,
        &mut request,
        &procedure,
        today(kernel),
        Some(received_at),
        (person_id(caller), &label),
    )
    .await?;
    if caller.acting_for.is_some() {
        kernel
            .audit(
                &mut tx,
                caller,
                "request.filed_for",
                Some(&AuditTarget::new("request", &request.id)),
                serde_json::json!({ "number": request.number }),
            )
            .await?;
    }
    tx.commit().await?;
    Ok(request)
}

/// Agents of the service in charge of the procedure, and administrators, record its
/// requests received outside the web site.
pub fn may_record(caller: &Caller, procedure: &Procedure) -> bool {
    caller.identity.as_ref().is_some_and(|i| {
        i.works_for(&procedure.service_id) || i.has_role(kernel::identity::Role::Administrator)
    })
}

/// A request an agent records from the counter, the phone, a letter or an e-mail.
pub struct CounterRequest {
    pub channel: Channel,
    /// The day the request was received (a letter opened today may have come on Monday).
    pub received_on: Date,
    /// A resident with an account, or none (then the contact fields describe the person).
    pub applicant_id: Option<String>,
    pub applicant_name: String,
    pub applicant_email: Option<String>,
    pub applicant_phone: Option<String>,
    pub applicant_address: Option<String>,
    pub answers: Answers,
}

/// Records a request received outside the web site. Deadlines run from `received_on`.
pub async fn record_counter_request(
    kernel: &Kernel,
    caller: &Caller,
    procedure: &Procedure,
    input: CounterRequest,
) -> Result<(Request, Acknowledgement), RequestError> {
    let identity = caller.identity.as_ref().ok_or(RequestError::Forbidden)?;
    if !may_record(caller, procedure) {
        return Err(RequestError::Forbidden);
    }
    if input.channel == Channel::Online {
        return Err(RequestError::Conflict("canal de réception invalide"));
    }
    if input.received_on > today(kernel) {
        return Err(RequestError::Conflict(
            "la date de réception ne peut pas être dans le futur",
        ));
    }
    let version = store::published_version(&kernel.db, &procedure.id)
        .await?
        .ok_or(RequestError::NotFound)?;
    let problems = check_all(&version.definition, &input.answers);
    if !problems.is_empty() {
        return Err(RequestError::Invalid(
            problems.into_iter().map(|(_, k, p)| (k, p)).collect(),
        ));
    }
    let now = kernel.now();
    let mut request = Request {
        id: uuid::Uuid::new_v4().to_string(),
        number: None,
        procedure_id: procedure.id.clone(),
        form_version_id: version.id.clone(),
        service_id: procedure.service_id.clone(),
        team_id: None,
        assignee_id: None,
        status: workflow::DRAFT.into(),
        channel: input.channel,
        applicant_id: input.applicant_id,
        applicant_name: input.applicant_name,
        applicant_email: input.applicant_email.filter(|e| !e.trim().is_empty()),
        applicant_phone: input.applicant_phone.filter(|e| !e.trim().is_empty()),
        applicant_address: input.applicant_address.filter(|e| !e.trim().is_empty()),
        answers: keep_visible(&version.definition, &input.answers),
        current_page: 0,
        regime: procedure.regime,
        delay: procedure.delay,
        received_on: None,
        competent_received_on: None,
        incomplete_at_receipt: false,
        complete_on: None,
        deemed: DeemedDecision::NotApplicable,
        submitted_at: None,
        decided_at: None,
        created_at: now,
        updated_at: now,
    };
    let mut tx = kernel.db.begin().await?;
    let label = person_label(caller);
    store::save_request(&mut tx, &request).await?;
    let ack = receive(
        kernel,
        &mut tx,
        &mut request,
        procedure,
        input.received_on,
        None,
        (person_id(caller), &label),
    )
    .await?;
    sqlx::query("UPDATE requests SET recorded_by = $2 WHERE id = $1")
        .bind(&request.id)
        .bind(&identity.user_id)
        .execute(&mut *tx)
        .await?;
    kernel
        .audit(
            &mut tx,
            caller,
            "request.recorded",
            Some(&AuditTarget::new("request", &request.id)),
            serde_json::json!({ "number": request.number, "channel": request.channel.as_str() }),
        )
        .await?;
    tx.commit().await?;
    Ok((request, ack))
}

// ------------------------------------------------------------------ handling

async fn load_for_agent(
    tx: &mut Tx,
    caller: &Caller,
    request_id: &str,
) -> Result<Request, RequestError> {
    let request = store::request_for_update(tx, request_id)
        .await?
        .ok_or(RequestError::NotFound)?;
    if request.number.is_none() {
        return Err(RequestError::NotFound);
    }
    if !may_handle(caller, &request) {
        return Err(RequestError::Forbidden);
    }
    Ok(request)
}

/// Moves a request along its workflow, with the message the agent wrote (if any).
pub async fn apply_move(
    kernel: &Kernel,
    caller: &Caller,
    request_id: &str,
    to: &str,
    message: Option<&str>,
) -> Result<Request, RequestError> {
    let mut tx = kernel.db.begin().await?;
    let mut request = load_for_agent(&mut tx, caller, request_id).await?;
    // Read under the procedure's lock: a workflow edit cannot remove the status this move
    // leads to while the move is made.
    let procedure = store::procedure_for_update(&mut tx, &request.procedure_id)
        .await?
        .ok_or(RequestError::NotFound)?;
    let flow = &procedure.workflow;
    let Some(step) = flow.find_move(&request.status, to).cloned() else {
        return Err(RequestError::Conflict(
            "ce changement de statut n'est pas possible depuis le statut actuel",
        ));
    };
    let outcome = match flow.phase(to) {
        Phase::Accepted => Outcome::Accepted,
        Phase::Refused => Outcome::Refused,
        _ => Outcome::Other(flow.label(to)),
    };
    let mut grounds = message.map(str::trim).unwrap_or_default();
    if outcome == Outcome::Refused {
        let services = accounts::store::services(&kernel.db).await?;
        let service = services
            .iter()
            .find(|s| s.id == request.service_id)
            .map(|s| s.name.as_str())
            .unwrap_or_default();
        let number = request.number.clone().unwrap_or_default();
        let values = workflow::placeholder_values(
            &request.applicant_name,
            &number,
            &procedure.title,
            service,
        );
        let template = step
            .message
            .as_deref()
            .map(|m| workflow::fill_placeholders(m, &values));
        grounds = workflow::refusal_grounds(grounds, template.as_deref()).ok_or(
            RequestError::Conflict(
                "un refus doit être motivé : complétez le message avec les motifs de la décision",
            ),
        )?;
    }
    let from = request.status.clone();
    let now = kernel.now();
    if step.requests_documents {
        store::insert_completion(&mut tx, &request.id, today(kernel), now).await?;
    }
    request.status = to.to_string();
    if flow.phase(to).is_final() {
        request.decided_at = Some(now);
    }
    // The decision is the deciding service's, even when the move then hands it over.
    let deciding_service = request.service_id.clone();
    // The move may hand the request over: to another service (nobody holds it there
    // yet), or back to its service's common inbox.
    let handed_to = match &step.assign_to {
        Some(workflow::Reassign::Service(service_id)) => {
            let services = accounts::store::services(&kernel.db).await?;
            let service = services.into_iter().find(|s| &s.id == service_id).ok_or(
                RequestError::Conflict(
                    "le service auquel ce changement de statut confie la demande n'existe plus",
                ),
            )?;
            // A team belongs to its service: the new service's common inbox receives it.
            if request.service_id != service.id {
                request.team_id = None;
            }
            request.service_id = service.id.clone();
            request.assignee_id = None;
            Some(format!("Transmise au service {}", service.name))
        }
        Some(workflow::Reassign::Unassign) => {
            request.assignee_id = None;
            Some("Attribuée à personne".to_string())
        }
        None => None,
    };
    request.updated_at = now;
    refresh_deemed(&mut tx, &mut request).await?;
    store::save_request(&mut tx, &request).await?;
    let label = person_label(caller);
    event(
        &mut tx,
        kernel,
        &request,
        (person_id(caller), &label),
        "status",
        (Some(&from), Some(to)),
        &step.label,
        true,
    )
    .await?;
    if let Some(detail) = handed_to {
        let routed = matches!(step.assign_to, Some(workflow::Reassign::Service(_)));
        event(
            &mut tx,
            kernel,
            &request,
            (person_id(caller), &label),
            if routed { "routed" } else { "assigned" },
            (None, None),
            &detail,
            routed,
        )
        .await?;
    }
    if let Some(body) = message.map(str::trim).filter(|b| !b.is_empty()) {
        store::add_message(
            &mut tx,
            &request.id,
            person_id(caller),
            &label,
            true,
            body,
            now,
        )
        .await?;
    }
    if step.decision_document {
        attach_decision(
            kernel,
            &mut tx,
            caller,
            &request,
            (&procedure, &deciding_service),
            outcome,
            grounds,
        )
        .await?;
    }
    notify_applicant(
        kernel,
        &mut tx,
        &request,
        "Votre demande a évolué",
        &format!(
            "Le statut de votre demande est maintenant : {}.",
            flow.label(to)
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(request)
}

/// Writes the decision document of a move (a PDF addressed to the applicant, the agent's
/// message as its grounds), stores it encrypted and lists it in the request's documents,
/// in the caller's transaction.
async fn attach_decision(
    kernel: &Kernel,
    tx: &mut Tx,
    caller: &Caller,
    request: &Request,
    (procedure, service_id): (&Procedure, &str),
    outcome: Outcome,
    grounds: &str,
) -> Result<(), RequestError> {
    let services = accounts::store::services(&kernel.db).await?;
    let service = services
        .iter()
        .find(|s| s.id == service_id)
        .map(|s| s.name.clone())
        .unwrap_or_default();
    let commune = &kernel.config.commune;
    let decision = Decision {
        commune: commune.name.clone(),
        service,
        number: request.number.clone().unwrap_or_default(),
        procedure: procedure.title.clone(),
        applicant: request.applicant_name.clone(),
        received_on: request.received_on,
        decided_on: today(kernel),
        outcome,
        grounds: grounds.to_string(),
        court: commune.administrative_court.clone(),
        signatory: person_label(caller),
    };
    let recipient = documents::postal_lines(
        &request.applicant_name,
        request.applicant_address.as_deref(),
    );
    let pdf = documents::decision(&decision, commune, recipient).to_pdf(kernel.now());
    let policy = kernel::storage::UploadPolicy {
        max_bytes: u64::try_from(pdf.len()).unwrap_or(u64::MAX),
        allowed: &["application/pdf"],
    };
    let file =
        kernel::files::store_upload(kernel, tx, "requests", &decision.file_name(), &pdf, &policy)
            .await
            .map_err(|e| match e {
                kernel::files::FileError::Db(e) => RequestError::Db(e),
                other => RequestError::Storage(other.to_string()),
            })?;
    store::add_document(
        tx,
        &store::NewDocument {
            request_id: &request.id,
            file_id: &file.id,
            field_key: None,
            kind: "decision",
            from_staff: true,
            public: true,
        },
        kernel.now(),
    )
    .await?;
    let label = person_label(caller);
    event(
        tx,
        kernel,
        request,
        (person_id(caller), &label),
        "decision",
        (None, None),
        &format!("Décision jointe aux documents : {}", file.original_name),
        true,
    )
    .await?;
    Ok(())
}

/// A message from the service to the applicant.
pub async fn staff_message(
    kernel: &Kernel,
    caller: &Caller,
    request_id: &str,
    body: &str,
) -> Result<(), RequestError> {
    let mut tx = kernel.db.begin().await?;
    let request = load_for_agent(&mut tx, caller, request_id).await?;
    let label = person_label(caller);
    store::add_message(
        &mut tx,
        &request.id,
        person_id(caller),
        &label,
        true,
        body.trim(),
        kernel.now(),
    )
    .await?;
    notify_applicant(
        kernel,
        &mut tx,
        &request,
        "Nouveau message",
        "Le service vous a écrit au sujet de votre demande.",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// An internal note, for agents only.
pub async fn add_note(
    kernel: &Kernel,
    caller: &Caller,
    request_id: &str,
    body: &str,
) -> Result<(), RequestError> {
    let mut tx = kernel.db.begin().await?;
    let request = load_for_agent(&mut tx, caller, request_id).await?;
    let author = person_id(caller).ok_or(RequestError::Forbidden)?;
    store::add_note(
        &mut tx,
        &request.id,
        author,
        &person_label(caller),
        body.trim(),
        kernel.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Links a knowledge-base sheet to a request (or removes the link), so that whoever opens
/// the request next finds it. Noted in the request's internal history.
pub async fn link_article(
    kernel: &Kernel,
    caller: &Caller,
    request_id: &str,
    slug: &str,
    linked: bool,
) -> Result<(), RequestError> {
    let article = store::article_by_slug(&kernel.db, slug)
        .await?
        .ok_or(RequestError::NotFound)?;
    let mut tx = kernel.db.begin().await?;
    let request = load_for_agent(&mut tx, caller, request_id).await?;
    let by = person_id(caller).ok_or(RequestError::Forbidden)?;
    let changed = if linked {
        store::link_article(&mut tx, &request.id, &article.id, by, kernel.now()).await?
    } else {
        store::unlink_article(&mut tx, &request.id, &article.id).await?
    };
    if changed {
        let label = person_label(caller);
        let detail = if linked {
            format!("Fiche liée : {}", article.title)
        } else {
            format!("Fiche retirée : {}", article.title)
        };
        event(
            &mut tx,
            kernel,
            &request,
            (Some(by), &label),
            "article",
            (None, None),
            &detail,
            false,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Takes the request (oneself) or gives it to a colleague of the same service, or to nobody.
pub async fn assign(
    kernel: &Kernel,
    caller: &Caller,
    request_id: &str,
    assignee: Option<&str>,
) -> Result<(), RequestError> {
    let mut tx = kernel.db.begin().await?;
    let mut request = load_for_agent(&mut tx, caller, request_id).await?;
    let name = match assignee {
        Some(user_id) => {
            let identity = accounts::store::load_identity(&kernel.db, user_id)
                .await?
                .filter(|i| i.works_for(&request.service_id))
                .ok_or(RequestError::Conflict(
                    "cette personne n'est pas agent du service en charge",
                ))?;
            identity.display_name
        }
        None => "personne".into(),
    };
    request.assignee_id = assignee.map(String::from);
    request.updated_at = kernel.now();
    store::save_request(&mut tx, &request).await?;
    let label = person_label(caller);
    event(
        &mut tx,
        kernel,
        &request,
        (person_id(caller), &label),
        "assigned",
        (None, None),
        &format!("Attribuée à {name}"),
        false,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Sends the request to another service of the commune, or another team: to one of the
/// service's teams when one is chosen, else to its common inbox; nobody holds it there yet.
pub async fn reroute(
    kernel: &Kernel,
    caller: &Caller,
    request_id: &str,
    service_id: &str,
    team_id: Option<&str>,
) -> Result<(), RequestError> {
    let mut tx = kernel.db.begin().await?;
    let mut request = load_for_agent(&mut tx, caller, request_id).await?;
    let services = accounts::store::services(&kernel.db).await?;
    let service = services
        .iter()
        .find(|s| s.id == service_id)
        .ok_or(RequestError::Conflict("service inconnu"))?;
    let team = match team_id.filter(|t| !t.is_empty()) {
        Some(team_id) => Some(
            accounts::store::teams_of_service(&kernel.db, &service.id)
                .await?
                .into_iter()
                .find(|t| t.id == team_id)
                .ok_or(RequestError::Conflict(
                    "l'équipe choisie ne fait pas partie du service choisi",
                ))?,
        ),
        None => None,
    };
    request.service_id = service.id.clone();
    request.team_id = team.as_ref().map(|t| t.id.clone());
    request.assignee_id = None;
    request.updated_at = kernel.now();
    store::save_request(&mut tx, &request).await?;
    let label = person_label(caller);
    event(
        &mut tx,
        kernel,
        &request,
        (person_id(caller), &label),
        "routed",
        (None, None),
        &format!(
            "Transmise au service {}{}",
            service.name,
            team.as_ref()
                .map(|t| format!(", équipe {}", t.name))
                .unwrap_or_default()
        ),
        true,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The request is outside the commune's competence: it is forwarded to the competent
/// authority and the applicant is told so (CRPA L114-2).
pub async fn transmit(
    kernel: &Kernel,
    caller: &Caller,
    request_id: &str,
    authority: &str,
) -> Result<(), RequestError> {
    let authority = authority.trim();
    if authority.is_empty() {
        return Err(RequestError::Conflict("indiquez l'autorité compétente"));
    }
    let mut tx = kernel.db.begin().await?;
    let mut request = load_for_agent(&mut tx, caller, request_id).await?;
    let from = request.status.clone();
    request.status = workflow::TRANSMITTED.into();
    request.decided_at = Some(kernel.now());
    request.updated_at = kernel.now();
    store::save_request(&mut tx, &request).await?;
    let label = person_label(caller);
    event(
        &mut tx,
        kernel,
        &request,
        (person_id(caller), &label),
        "status",
        (Some(&from), Some(workflow::TRANSMITTED)),
        &format!("Transmise à : {authority}"),
        true,
    )
    .await?;
    let notice = format!(
        "Votre demande ne relève pas de la compétence de la commune. En application de l'article L114-2 \
         du code des relations entre le public et l'administration, nous l'avons transmise à l'autorité \
         compétente : {authority}. C'est elle qui l'instruira ; les délais au terme desquels une décision \
         implicite d'acceptation peut naître ne courent qu'à compter de sa réception par cette autorité."
    );
    store::add_message(
        &mut tx,
        &request.id,
        person_id(caller),
        &label,
        true,
        &notice,
        kernel.now(),
    )
    .await?;
    notify_applicant(
        kernel,
        &mut tx,
        &request,
        "Votre demande a été transmise",
        "Votre demande a été transmise à l'autorité compétente ; le détail est dans votre espace.",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The applicant answers: a message, documents, or both. If documents were asked for, they
/// count as received today and the request goes back to the agents.
pub async fn applicant_reply(
    kernel: &Kernel,
    caller: &Caller,
    tx: &mut Tx,
    request: &mut Request,
    body: &str,
) -> Result<(), RequestError> {
    if !is_applicant(caller, request) || request.number.is_none() {
        return Err(RequestError::NotFound);
    }
    let procedure = store::procedure_by_id(&kernel.db, &request.procedure_id)
        .await?
        .ok_or(RequestError::NotFound)?;
    let flow = &procedure.workflow;
    if flow.phase(&request.status).is_final() {
        return Err(RequestError::Conflict("cette demande est close"));
    }
    let now = kernel.now();
    let label = request.applicant_name.clone();
    if !body.trim().is_empty() {
        store::add_message(
            tx,
            &request.id,
            person_id(caller),
            &label,
            false,
            body.trim(),
            now,
        )
        .await?;
    }
    if flow.phase(&request.status) == Phase::WaitingForApplicant {
        store::answer_completions(tx, &request.id, today(kernel)).await?;
        let back = flow
            .moves_from(&request.status)
            .find(|t| flow.phase(&t.to) == Phase::Open)
            .map(|t| t.to.clone());
        if let Some(back) = back {
            let from = request.status.clone();
            request.status = back.clone();
            event(
                tx,
                kernel,
                request,
                (person_id(caller), &label),
                "status",
                (Some(&from), Some(&back)),
                "Complément reçu",
                true,
            )
            .await?;
        }
    }
    request.updated_at = now;
    refresh_deemed(tx, request).await?;
    store::save_request(tx, request).await?;
    Ok(())
}

// ------------------------------------------------------------------ deemed decisions

/// Moves every request whose implicit-decision date has passed with no express decision
/// to « acceptée tacitement » or « rejetée tacitement », and tells the applicant.
pub async fn settle_deemed_decisions(kernel: &Kernel) -> Result<usize, RequestError> {
    let today = today(kernel);
    let mut settled = 0;
    loop {
        let due = store::deemed_due(&kernel.db, today, 200).await?;
        if due.is_empty() {
            break;
        }
        let mut progressed = false;
        for candidate in due {
            let mut tx = kernel.db.begin().await?;
            let Some(mut request) = store::request_for_update(&mut tx, &candidate.id).await? else {
                continue;
            };
            refresh_deemed(&mut tx, &mut request).await?;
            let procedure = store::procedure_by_id(&kernel.db, &request.procedure_id)
                .await?
                .ok_or(RequestError::NotFound)?;
            let phase = procedure.workflow.phase(&request.status);
            let (status, what) = match request.deemed {
                DeemedDecision::AcceptedOn { on } if on < today && phase == Phase::Open => (
                    workflow::DEEMED_ACCEPTED,
                    "Sans décision expresse dans le délai légal, votre demande est acceptée tacitement. \
                     L'attestation d'acceptation implicite est disponible dans votre espace.",
                ),
                DeemedDecision::RejectedOn { on } if on < today && phase == Phase::Open => (
                    workflow::DEEMED_REJECTED,
                    "Sans décision expresse dans le délai légal, votre demande est rejetée tacitement. \
                     Les voies et délais de recours figurent dans votre espace.",
                ),
                _ => {
                    // Not due after all (documents awaited, date moved): store the fresh date.
                    store::save_request(&mut tx, &request).await?;
                    tx.commit().await?;
                    continue;
                }
            };
            let from = request.status.clone();
            request.status = status.into();
            request.decided_at = Some(kernel.now());
            request.updated_at = kernel.now();
            store::save_request(&mut tx, &request).await?;
            event(
                &mut tx,
                kernel,
                &request,
                (None, "Parvis"),
                "status",
                (Some(&from), Some(status)),
                "Décision implicite née à l'expiration du délai légal",
                true,
            )
            .await?;
            notify_applicant(kernel, &mut tx, &request, "Décision implicite", what).await?;
            tx.commit().await?;
            settled += 1;
            progressed = true;
        }
        if !progressed {
            break;
        }
    }
    Ok(settled)
}

/// How many days ahead agents are warned of a legal deadline.
pub const WARNING_DAYS: i64 = 7;

/// Each morning, tells the people in charge which requests will be deemed accepted or
/// rejected within a week: the assigned agent, or the service's address when nobody holds
/// it. The e-mail lists numbers, procedures and dates, with links; no personal data.
pub async fn warn_of_deadlines(kernel: &Kernel) -> Result<usize, RequestError> {
    use jiff::ToSpan;
    let today = today(kernel);
    let due =
        store::deadlines_between(&kernel.db, today, today.saturating_add(WARNING_DAYS.days()))
            .await?;
    let services = accounts::store::services(&kernel.db).await?;
    let procedures = store::procedures(&kernel.db, false, "").await?;
    let mut by_recipient: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for request in &due {
        let Some(procedure) = procedures.iter().find(|p| p.id == request.procedure_id) else {
            continue;
        };
        if procedure.workflow.phase(&request.status) != Phase::Open {
            continue;
        }
        let assignee = match &request.assignee_id {
            Some(id) => accounts::store::user_by_id(&kernel.db, id)
                .await?
                .map(|u| u.email),
            None => None,
        };
        let Some(recipient) = assignee.or_else(|| {
            services
                .iter()
                .find(|s| s.id == request.service_id)
                .map(|s| s.email.clone())
        }) else {
            continue;
        };
        let (what, on) = match request.deemed {
            DeemedDecision::AcceptedOn { on } => ("acceptée tacitement", on),
            DeemedDecision::RejectedOn { on } => ("rejetée tacitement", on),
            _ => continue,
        };
        by_recipient.entry(recipient).or_default().push(format!(
            "- {} ({}) : {} le {} — {}",
            request.number.clone().unwrap_or_default(),
            procedure.title,
            what,
            crate::acknowledgement::french_date(on),
            kernel.link(&format!("/backoffice/demandes/{}", request.id)),
        ));
    }
    let mut tx = kernel.db.begin().await?;
    let count = by_recipient.len();
    for (recipient, lines) in by_recipient {
        enqueue_email(
            &mut tx,
            kernel.now(),
            &Email {
                to: recipient,
                subject: format!("{} demande(s) à échéance légale dans les {WARNING_DAYS} jours", lines.len()),
                text: format!(
                    "Bonjour,\n\nSans décision expresse de votre part, ces demandes seront réputées acceptées ou rejetées à la date indiquée :\n\n{}\n\nParvis — {}",
                    lines.join("\n"),
                    kernel.config.commune.name
                ),
                html: None,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(count)
}

// ------------------------------------------------------------------ API tokens

/// What every API token starts with, so that one pasted in the wrong place is recognised
/// for what it is (by a person, or by a secret scanner).
pub const API_TOKEN_PREFIX: &str = "pvs_";

/// A fresh token: the prefix, then 32 random bytes in URL-safe base64.
pub fn new_api_token() -> String {
    format!("{API_TOKEN_PREFIX}{}", kernel::web::page::new_token())
}

/// What is kept of a token: its SHA-256, in hex. The token has 256 bits of randomness, so
/// a plain hash is enough (no salt, no slow hash): nobody can search that space.
pub fn api_token_hash(token: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The longest label a token may carry.
pub const API_TOKEN_LABEL_MAX: usize = 100;

/// Issues a token to the person calling (an agent, or a resident for an application of
/// their family's), under a label of their choice; returns the token's id and the token,
/// which is shown once and never stored.
pub async fn issue_api_token(
    kernel: &Kernel,
    caller: &Caller,
    label: &str,
) -> Result<(String, String), RequestError> {
    let identity = caller.identity.as_ref().ok_or(RequestError::Forbidden)?;
    let label = label.trim();
    if label.is_empty() || label.chars().count() > API_TOKEN_LABEL_MAX {
        return Err(RequestError::Conflict(
            "le libellé du jeton est vide ou trop long",
        ));
    }
    let token = new_api_token();
    let mut tx = kernel.db.begin().await?;
    let id = store::insert_api_token(
        &mut tx,
        &identity.user_id,
        label,
        &api_token_hash(&token),
        kernel.now(),
    )
    .await?;
    kernel
        .audit(
            &mut tx,
            caller,
            "api_token.issued",
            Some(&AuditTarget::new("api_token", &id)),
            serde_json::json!({ "label": label }),
        )
        .await?;
    tx.commit().await?;
    Ok((id, token))
}

/// Revokes a token: one's own, or anyone's for an administrator. Someone else's token is
/// "not found" for everybody else.
pub async fn revoke_api_token(
    kernel: &Kernel,
    caller: &Caller,
    token_id: &str,
) -> Result<(), RequestError> {
    let identity = caller.identity.as_ref().ok_or(RequestError::Forbidden)?;
    let mut tx = kernel.db.begin().await?;
    let token = store::api_token_for_update(&mut tx, token_id)
        .await?
        .filter(|t| {
            t.user_id == identity.user_id
                || identity.has_role(kernel::identity::Role::Administrator)
        })
        .ok_or(RequestError::NotFound)?;
    if !store::revoke_api_token(&mut tx, &token.id, kernel.now()).await? {
        return Err(RequestError::Conflict("ce jeton est déjà révoqué"));
    }
    kernel
        .audit(
            &mut tx,
            caller,
            "api_token.revoked",
            Some(&AuditTarget::new("api_token", &token.id)),
            serde_json::json!({ "label": token.label, "owner": token.owner_email }),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The account a presented token stands for, with its roles and services as they are now:
/// `None` for an unknown or revoked token or a disabled account. What the account may do
/// is checked by each operation (the procedures and requests ones want staff).
pub async fn authenticate_api_token(
    kernel: &Kernel,
    token: &str,
) -> Result<Option<kernel::Identity>, sqlx::Error> {
    if !token.starts_with(API_TOKEN_PREFIX) {
        return Ok(None);
    }
    let Some((id, user_id)) = store::live_api_token(&kernel.db, &api_token_hash(token)).await?
    else {
        return Ok(None);
    };
    let Some(identity) = kernel.identities.load(&user_id).await? else {
        return Ok(None);
    };
    store::touch_api_token(&kernel.db, &id, kernel.now()).await?;
    Ok(Some(identity))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_tokens_are_prefixed_random_and_hashed() {
        let a = new_api_token();
        let b = new_api_token();
        assert!(a.starts_with("pvs_"));
        assert_ne!(a, b);
        // 32 bytes in unpadded URL-safe base64: 43 characters.
        assert_eq!(a.len(), 4 + 43);
        assert!(
            a[4..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        let hash = api_token_hash(&a);
        assert_eq!(hash.len(), 64);
        assert_eq!(hash, api_token_hash(&a));
        assert_ne!(hash, api_token_hash(&b));
        assert!(!hash.contains(&a[4..]));
    }
}
