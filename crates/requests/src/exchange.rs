//! A procedure as a JSON document: its catalogue entry, legal regime, form and routing
//! rules, with services named by their slug. Communes share procedures this way, and the
//! demo commune's procedures are such files.

use kernel::{Kernel, Tx};
use serde::{Deserialize, Serialize};

use crate::forms::FormDefinition;
use crate::model::{Delay, Procedure, ProcedureKind, Regime};
use crate::routing::{RouteCondition, RoutingRule};
use crate::store;
use crate::workflow::{Reassign, Workflow};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExchangedRule {
    #[serde(flatten)]
    pub condition: RouteCondition,
    /// The slug of the service that receives the request.
    pub service: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProcedureFile {
    pub slug: String,
    pub title: String,
    pub theme: String,
    pub summary: String,
    #[serde(default)]
    pub description: String,
    pub audiences: Vec<String>,
    #[serde(default)]
    pub documents: Vec<String>,
    pub expected_delay: String,
    pub kind: ProcedureKind,
    #[serde(default)]
    pub info_url: Option<String>,
    pub regime: Regime,
    #[serde(default)]
    pub delay: Delay,
    #[serde(default)]
    pub legal_basis: String,
    /// The slug of the service in charge.
    pub service: String,
    #[serde(default)]
    pub workflow: Option<Workflow>,
    #[serde(default)]
    pub form: Option<FormDefinition>,
    #[serde(default)]
    pub routing: Vec<ExchangedRule>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("fichier illisible : {0}")]
    Json(#[from] serde_json::Error),
    #[error("service inconnu : {0}")]
    UnknownService(String),
    #[error("formulaire incorrect : {0}")]
    Form(String),
    #[error("circuit de traitement incorrect : {0}")]
    Workflow(String),
    #[error("une démarche porte déjà l'adresse « {0} »")]
    SlugTaken(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Creates the procedure, its first form version (published) and its routing rules.
pub async fn import(
    kernel: &Kernel,
    tx: &mut Tx,
    file: &ProcedureFile,
    by: Option<&str>,
) -> Result<Procedure, ImportError> {
    let services = accounts::store::services(&kernel.db).await?;
    let service_id = |slug: &str| {
        services
            .iter()
            .find(|s| s.slug == slug)
            .map(|s| s.id.clone())
            .ok_or_else(|| ImportError::UnknownService(slug.to_string()))
    };
    if store::procedure_by_slug(&kernel.db, &file.slug)
        .await?
        .is_some()
    {
        return Err(ImportError::SlugTaken(file.slug.clone()));
    }
    let mut workflow = file.workflow.clone().unwrap_or_default();
    // In a shared file a move hands requests to a service named by its slug.
    for t in &mut workflow.transitions {
        if let Some(Reassign::Service(slug)) = &t.assign_to {
            t.assign_to = Some(Reassign::Service(service_id(slug)?));
        }
    }
    if let Some(problem) = workflow.problems().first() {
        return Err(ImportError::Workflow(format!("{problem:?}")));
    }
    let procedure = Procedure {
        id: uuid::Uuid::new_v4().to_string(),
        slug: file.slug.clone(),
        title: file.title.clone(),
        theme: file.theme.clone(),
        summary: file.summary.clone(),
        description: file.description.clone(),
        audiences: file.audiences.clone(),
        documents: file.documents.clone(),
        expected_delay: file.expected_delay.clone(),
        kind: file.kind,
        info_url: file.info_url.clone(),
        regime: file.regime,
        delay: file.delay,
        legal_basis: file.legal_basis.clone(),
        service_id: service_id(&file.service)?,
        workflow,
        listed: true,
    };
    let now = kernel.now();
    store::save_procedure(tx, &procedure, now).await?;
    if let Some(form) = &file.form {
        if let Some(problem) = form.problems().first() {
            return Err(ImportError::Form(format!("{problem:?}")));
        }
        let version = store::insert_draft_version(tx, &procedure.id, form, by, now).await?;
        store::publish_version(tx, &procedure.id, &version.id, now).await?;
    }
    let mut rules = Vec::new();
    for rule in &file.routing {
        rules.push(RoutingRule {
            condition: rule.condition.clone(),
            service_id: service_id(&rule.service)?,
        });
    }
    store::replace_routing_rules(tx, &procedure.id, &rules).await?;
    Ok(procedure)
}
