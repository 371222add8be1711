//! What administrators and service managers do to a procedure's form, each as one
//! audited transaction: open a new version, change the draft, replace it by an imported
//! definition, publish it. A published version is never written to: requests filed with
//! it keep pointing at it, and publishing a draft only changes what new requests use.

use kernel::audit::AuditTarget;
use kernel::identity::Role;
use kernel::{Caller, Kernel, Tx};

use crate::form_edit::{self, Edit, EditError};
use crate::forms::{DefinitionProblem, FormDefinition};
use crate::model::{FormVersion, Procedure};
use crate::store;

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("démarche introuvable")]
    NotFound,
    #[error("accès refusé")]
    Forbidden,
    #[error(transparent)]
    Edit(#[from] EditError),
    /// The form that would result is refused, with every reason (and the form, to name
    /// the fields concerned).
    #[error("formulaire incorrect : {problems:?}")]
    Invalid {
        problems: Vec<DefinitionProblem>,
        form: Box<FormDefinition>,
    },
    #[error("aucune version en brouillon à publier")]
    NoDraft,
    /// The draft changed after the administrator looked at it (another tab, a colleague).
    #[error("le brouillon a changé depuis son affichage")]
    Stale,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl From<BuildError> for kernel::AppError {
    fn from(e: BuildError) -> kernel::AppError {
        match e {
            // The back office answers a stale change itself (409, the message); any other
            // caller gets it in words.
            BuildError::Edit(EditError::Changed) => kernel::AppError::BadRequest(
                "le formulaire a changé depuis l'affichage de la page".into(),
            ),
            BuildError::NotFound | BuildError::Edit(_) => kernel::AppError::NotFound,
            BuildError::Forbidden => kernel::AppError::Forbidden,
            BuildError::Db(e) => e.into(),
            e => kernel::AppError::BadRequest(e.to_string()),
        }
    }
}

/// Administrators build every form; a service manager, the forms of the procedures their
/// service is in charge of.
/// The same rule as the procedure's other settings.
pub fn may_build(caller: &Caller, procedure: &Procedure) -> bool {
    caller
        .identity
        .as_ref()
        .is_some_and(|i| crate::administration::may_manage_procedures_of(i, &procedure.service_id))
}

/// Only administrators create procedures (from a shared file).
pub fn may_create_procedures(caller: &Caller) -> bool {
    caller
        .identity
        .as_ref()
        .is_some_and(|i| i.has_role(Role::Administrator))
}

fn user_id(caller: &Caller) -> Option<&str> {
    caller.identity.as_ref().map(|i| i.user_id.as_str())
}

/// A short fingerprint of a definition, carried by the publication form: what is
/// published is what the administrator saw.
pub fn fingerprint(definition: &FormDefinition) -> String {
    crate::form_edit::digest(&serde_json::to_string(definition).unwrap_or_default())
}

/// Problems that forbid saving: everything but an unfinished form (no page, empty page).
pub fn blocking(definition: &FormDefinition) -> Vec<DefinitionProblem> {
    definition
        .problems()
        .into_iter()
        .filter(|p| !p.is_incomplete())
        .collect()
}

async fn audit(
    kernel: &Kernel,
    tx: &mut Tx,
    caller: &Caller,
    action: &str,
    procedure: &Procedure,
    version: &FormVersion,
    details: serde_json::Value,
) -> Result<(), sqlx::Error> {
    kernel
        .audit(
            tx,
            caller,
            action,
            Some(&AuditTarget::new("procedure", &procedure.id)),
            serde_json::json!({
                "slug": procedure.slug,
                "version": version.version,
                "version_id": version.id,
                "details": details,
            }),
        )
        .await
}

/// The draft, created from the published version (or empty) when there is none yet.
async fn draft_in(
    kernel: &Kernel,
    tx: &mut Tx,
    caller: &Caller,
    procedure: &Procedure,
) -> Result<FormVersion, BuildError> {
    if !store::lock_procedure(tx, &procedure.id).await? {
        return Err(BuildError::NotFound);
    }
    if let Some(draft) = store::version_in_state_for_update(tx, &procedure.id, "draft").await? {
        return Ok(draft);
    }
    let base = store::version_in_state_for_update(tx, &procedure.id, "published")
        .await?
        .map(|v| v.definition)
        .unwrap_or(FormDefinition { pages: vec![] });
    let draft =
        store::insert_draft_version(tx, &procedure.id, &base, user_id(caller), kernel.now())
            .await?;
    audit(
        kernel,
        tx,
        caller,
        "form.draft_created",
        procedure,
        &draft,
        serde_json::json!({}),
    )
    .await?;
    Ok(draft)
}

/// « Créer une nouvelle version »: the draft that exists, or a new one copied from the
/// published version.
pub async fn open_draft(
    kernel: &Kernel,
    caller: &Caller,
    procedure: &Procedure,
) -> Result<FormVersion, BuildError> {
    if !may_build(caller, procedure) {
        return Err(BuildError::Forbidden);
    }
    let mut tx = kernel.db.begin().await?;
    let draft = draft_in(kernel, &mut tx, caller, procedure).await?;
    tx.commit().await?;
    Ok(draft)
}

/// Applies one change to the draft (created on the first change). The whole form is
/// checked; a form that would be wrong is refused and nothing is saved.
pub async fn edit(
    kernel: &Kernel,
    caller: &Caller,
    procedure: &Procedure,
    change: &Edit,
) -> Result<FormVersion, BuildError> {
    if !may_build(caller, procedure) {
        return Err(BuildError::Forbidden);
    }
    let mut tx = kernel.db.begin().await?;
    let mut draft = draft_in(kernel, &mut tx, caller, procedure).await?;
    let changed = form_edit::apply(&draft.definition, change)?;
    let problems = blocking(&changed);
    if !problems.is_empty() {
        return Err(BuildError::Invalid {
            problems,
            form: Box::new(changed),
        });
    }
    store::update_draft_version(&mut tx, &draft.id, &changed, user_id(caller), kernel.now())
        .await?;
    draft.definition = changed;
    audit(
        kernel,
        &mut tx,
        caller,
        "form.edited",
        procedure,
        &draft,
        serde_json::to_value(change).unwrap_or_default(),
    )
    .await?;
    tx.commit().await?;
    Ok(draft)
}

/// Replaces the draft by a definition read from a file. It must be complete and correct,
/// since it was not built here step by step.
pub async fn replace_draft(
    kernel: &Kernel,
    caller: &Caller,
    procedure: &Procedure,
    definition: &FormDefinition,
) -> Result<FormVersion, BuildError> {
    if !may_build(caller, procedure) {
        return Err(BuildError::Forbidden);
    }
    let problems = definition.problems();
    if !problems.is_empty() {
        return Err(BuildError::Invalid {
            problems,
            form: Box::new(definition.clone()),
        });
    }
    let mut tx = kernel.db.begin().await?;
    let mut draft = draft_in(kernel, &mut tx, caller, procedure).await?;
    store::update_draft_version(
        &mut tx,
        &draft.id,
        definition,
        user_id(caller),
        kernel.now(),
    )
    .await?;
    draft.definition = definition.clone();
    audit(
        kernel,
        &mut tx,
        caller,
        "form.imported",
        procedure,
        &draft,
        serde_json::json!({
            "pages": definition.pages.len(),
            "fields": definition.fields().count(),
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(draft)
}

/// Publishes the draft the administrator reviewed (`seen` is its fingerprint). Requests
/// already filed or started keep their version; new drafts use this one.
pub async fn publish(
    kernel: &Kernel,
    caller: &Caller,
    procedure: &Procedure,
    seen: &str,
) -> Result<FormVersion, BuildError> {
    if !may_build(caller, procedure) {
        return Err(BuildError::Forbidden);
    }
    let mut tx = kernel.db.begin().await?;
    if !store::lock_procedure(&mut tx, &procedure.id).await? {
        return Err(BuildError::NotFound);
    }
    let mut draft = store::version_in_state_for_update(&mut tx, &procedure.id, "draft")
        .await?
        .ok_or(BuildError::NoDraft)?;
    if fingerprint(&draft.definition) != seen {
        return Err(BuildError::Stale);
    }
    let problems = draft.definition.problems();
    if !problems.is_empty() {
        return Err(BuildError::Invalid {
            problems,
            form: Box::new(draft.definition),
        });
    }
    let previous = store::version_in_state_for_update(&mut tx, &procedure.id, "published")
        .await?
        .map(|v| v.version);
    let now = kernel.now();
    if !store::publish_version(&mut tx, &procedure.id, &draft.id, user_id(caller), now).await? {
        return Err(BuildError::NoDraft);
    }
    draft.state = "published".into();
    draft.published_at = Some(now);
    audit(
        kernel,
        &mut tx,
        caller,
        "form.published",
        procedure,
        &draft,
        serde_json::json!({ "replaces": previous }),
    )
    .await?;
    tx.commit().await?;
    Ok(draft)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kernel::identity::{Identity, RoleGrant, ServiceRef};

    fn caller(role: Role, service: Option<&str>) -> Caller {
        Caller {
            identity: Some(Identity {
                user_id: "u".into(),
                email: "a@b.fr".into(),
                display_name: "A".into(),
                grants: vec![RoleGrant {
                    role,
                    service: service.map(|id| ServiceRef {
                        id: id.into(),
                        slug: id.into(),
                        name: id.into(),
                    }),
                }],
                team_ids: Vec::new(),
            }),
            ..Caller::default()
        }
    }

    fn procedure(service: &str) -> Procedure {
        let file: crate::exchange::ProcedureFile =
            serde_json::from_str(crate::demo::PROCEDURES[0]).expect("demo file");
        Procedure {
            id: "p".into(),
            slug: file.slug,
            title: file.title,
            theme: file.theme,
            summary: file.summary,
            description: file.description,
            audiences: file.audiences,
            documents: file.documents,
            expected_delay: file.expected_delay,
            kind: file.kind,
            info_url: file.info_url,
            regime: file.regime,
            delay: file.delay,
            legal_basis: file.legal_basis,
            service_id: service.into(),
            workflow: Default::default(),
            listed: true,
        }
    }

    #[test]
    fn administrators_and_the_managers_of_the_service_in_charge_build_the_form() {
        let p = procedure("etat-civil");
        assert!(may_build(&caller(Role::Administrator, None), &p));
        assert!(may_build(
            &caller(Role::ServiceManager, Some("etat-civil")),
            &p
        ));
        assert!(!may_build(
            &caller(Role::ServiceManager, Some("enfance")),
            &p
        ));
        assert!(!may_build(&caller(Role::Agent, Some("etat-civil")), &p));
        assert!(!may_build(&caller(Role::Resident, None), &p));
        assert!(!may_build(&Caller::default(), &p));
        assert!(may_create_procedures(&caller(Role::Administrator, None)));
        assert!(!may_create_procedures(&caller(
            Role::ServiceManager,
            Some("etat-civil")
        )));
    }

    #[test]
    fn the_fingerprint_follows_the_definition() {
        let a = FormDefinition { pages: vec![] };
        let mut b = a.clone();
        b.pages.push(crate::forms::FormPage {
            title: "Une".into(),
            show_if: None,
            blocks: vec![],
        });
        assert_eq!(fingerprint(&a), fingerprint(&a.clone()));
        assert_ne!(fingerprint(&a), fingerprint(&b));
        assert_eq!(blocking(&b), vec![]);
        assert!(!b.problems().is_empty());
    }
}
