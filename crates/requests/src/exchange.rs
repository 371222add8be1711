//! A procedure as a JSON document: its catalogue entry, legal regime, form and routing
//! rules, with services named by their slug. Communes share procedures this way, and the
//! demo commune's procedures are such files.

use kernel::{Kernel, Tx};
use serde::{Deserialize, Serialize};

use crate::forms::{DefinitionProblem, FormDefinition};
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
    /// The slug of one of its teams, when the rule names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
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
    #[error("le service « {0} » n'a pas d'équipe « {1} »")]
    UnknownTeam(String, String),
    #[error("formulaire incorrect : {0:?}")]
    Form(Vec<DefinitionProblem>),
    #[error("adresse de démarche incorrecte : « {0} »")]
    BadSlug(String),
    #[error("circuit de traitement incorrect : {0}")]
    Workflow(String),
    #[error("une démarche porte déjà l'adresse « {0} »")]
    SlugTaken(String),
    #[error("l'adresse de la page d'information doit commencer par https:// : « {0} »")]
    InfoUrl(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Why a shared file cannot be read, for the administrator who sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    Empty,
    /// Not JSON at all (a truncated file, a missing comma...).
    Syntax {
        line: usize,
        column: usize,
    },
    /// JSON, but not shaped as a form or a procedure.
    Shape {
        line: usize,
        column: usize,
        detail: ShapeDetail,
    },
    /// A procedure file without a form.
    NoForm,
    /// Neither a form (`pages`) nor a procedure (`slug`, `form`).
    NotAForm,
}

/// What serde found wrong, kept apart so that the web layer can word it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShapeDetail {
    MissingField(String),
    UnknownVariant(String),
    InvalidType(String),
    Other(String),
}

fn shape_detail(error: &serde_json::Error) -> ShapeDetail {
    let text = error.to_string();
    // serde_json ends its messages with « at line L column C »: the position is kept apart.
    let text = match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    };
    let quoted = |rest: &str| {
        rest.strip_prefix('`')
            .and_then(|r| r.split_once('`'))
            .map(|(name, _)| name.to_string())
    };
    if let Some(name) = text.strip_prefix("missing field ").and_then(quoted) {
        ShapeDetail::MissingField(name)
    } else if let Some(name) = text.strip_prefix("unknown variant ").and_then(quoted) {
        ShapeDetail::UnknownVariant(name)
    } else if let Some(rest) = text.strip_prefix("invalid type: ") {
        ShapeDetail::InvalidType(rest.to_string())
    } else {
        ShapeDetail::Other(text)
    }
}

fn read_as<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, ReadError> {
    serde_json::from_str(text).map_err(|e| ReadError::Shape {
        line: e.line(),
        column: e.column(),
        detail: shape_detail(&e),
    })
}

fn read_value(text: &str) -> Result<serde_json::Value, ReadError> {
    if text.trim().is_empty() {
        return Err(ReadError::Empty);
    }
    serde_json::from_str(text).map_err(|e| ReadError::Syntax {
        line: e.line(),
        column: e.column(),
    })
}

/// A form definition from a form file (`{"pages": ...}`) or from a procedure file.
pub fn read_form(text: &str) -> Result<FormDefinition, ReadError> {
    let value = read_value(text)?;
    let has = |key: &str| value.get(key).is_some();
    if has("pages") {
        read_as(text)
    } else if has("form") || has("slug") {
        read_as::<ProcedureFile>(text)?
            .form
            .ok_or(ReadError::NoForm)
    } else {
        Err(ReadError::NotAForm)
    }
}

/// A procedure file.
pub fn read_procedure(text: &str) -> Result<ProcedureFile, ReadError> {
    let value = read_value(text)?;
    if value.get("slug").is_none() && value.get("pages").is_some() {
        // A form alone: it has no catalogue entry to create a procedure from.
        return Err(ReadError::NotAForm);
    }
    read_as(text)
}

/// The file of a procedure: its catalogue entry, regime, workflow, published form and
/// routing rules, with services (and teams) named by their slug so that another commune
/// can map them to its own. Pure: the caller reads the parts; `teams` are (id, slug).
pub fn procedure_file(
    procedure: &Procedure,
    services: &[(String, String)],
    teams: &[(String, String)],
    form: Option<&FormDefinition>,
    rules: &[RoutingRule],
) -> Result<ProcedureFile, ExportError> {
    let team_slug = |id: &str| {
        teams
            .iter()
            .find(|(team_id, _)| team_id == id)
            .map(|(_, slug)| slug.clone())
            .ok_or_else(|| ExportError::UnknownTeam(id.to_string()))
    };
    let slug = |id: &str| {
        services
            .iter()
            .find(|(service_id, _)| service_id == id)
            .map(|(_, slug)| slug.clone())
            .ok_or_else(|| ExportError::UnknownService(id.to_string()))
    };
    // A move's hand-over names its service by slug, as import expects.
    let mut workflow = procedure.workflow.clone();
    for t in &mut workflow.transitions {
        if let Some(Reassign::Service(id)) = &t.assign_to {
            t.assign_to = Some(Reassign::Service(slug(id)?));
        }
    }
    Ok(ProcedureFile {
        slug: procedure.slug.clone(),
        title: procedure.title.clone(),
        theme: procedure.theme.clone(),
        summary: procedure.summary.clone(),
        description: procedure.description.clone(),
        audiences: procedure.audiences.clone(),
        documents: procedure.documents.clone(),
        expected_delay: procedure.expected_delay.clone(),
        kind: procedure.kind,
        info_url: procedure.info_url.clone(),
        regime: procedure.regime,
        delay: procedure.delay,
        legal_basis: procedure.legal_basis.clone(),
        service: slug(&procedure.service_id)?,
        workflow: Some(workflow),
        form: form.cloned(),
        routing: rules
            .iter()
            .map(|rule| {
                Ok(ExchangedRule {
                    condition: rule.condition.clone(),
                    service: slug(&rule.service_id)?,
                    team: rule.team_id.as_deref().map(team_slug).transpose()?,
                })
            })
            .collect::<Result<_, ExportError>>()?,
    })
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("service introuvable : {0}")]
    UnknownService(String),
    #[error("équipe introuvable : {0}")]
    UnknownTeam(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Reads what `procedure_file` needs and writes the file.
pub async fn export(kernel: &Kernel, procedure: &Procedure) -> Result<ProcedureFile, ExportError> {
    let services: Vec<(String, String)> = accounts::store::services(&kernel.db)
        .await?
        .into_iter()
        .map(|s| (s.id, s.slug))
        .collect();
    let form = store::published_version(&kernel.db, &procedure.id).await?;
    let rules = store::routing_rules(&kernel.db, &procedure.id).await?;
    let teams: Vec<(String, String)> = accounts::store::teams(&kernel.db)
        .await?
        .into_iter()
        .map(|t| (t.id, t.slug))
        .collect();
    procedure_file(
        procedure,
        &services,
        &teams,
        form.as_ref().map(|v| &v.definition),
        &rules,
    )
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
    // The same rules as a procedure created in the back office.
    if !crate::administration::is_usable_slug(&file.slug) {
        return Err(ImportError::BadSlug(file.slug.clone()));
    }
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
    // Residents are only ever sent to an https address.
    let info_url = match file.info_url.as_deref() {
        None if file.kind != ProcedureKind::Information => None,
        url => {
            let url = url.unwrap_or_default();
            Some(
                crate::administration::check_url(url)
                    .map_err(|_| ImportError::InfoUrl(url.to_string()))?,
            )
        }
    };
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
        info_url,
        regime: file.regime,
        delay: file.delay,
        legal_basis: file.legal_basis.clone(),
        service_id: service_id(&file.service)?,
        workflow,
        // An online procedure shows in the catalogue only with a form to fill in.
        listed: file.kind == ProcedureKind::Information || file.form.is_some(),
    };
    let now = kernel.now();
    store::save_procedure(tx, &procedure, now).await?;
    if let Some(form) = &file.form {
        let problems = form.problems();
        if !problems.is_empty() {
            return Err(ImportError::Form(problems));
        }
        let version = store::insert_draft_version(tx, &procedure.id, form, by, now).await?;
        store::publish_version(tx, &procedure.id, &version.id, by, now).await?;
    }
    let teams = accounts::store::teams(&kernel.db).await?;
    let mut rules = Vec::new();
    for rule in &file.routing {
        let service_id = service_id(&rule.service)?;
        // A team is looked for among the teams of the rule's own service.
        let team_id = match &rule.team {
            Some(slug) => Some(
                teams
                    .iter()
                    .find(|t| t.service_id == service_id && &t.slug == slug)
                    .map(|t| t.id.clone())
                    .ok_or_else(|| ImportError::UnknownTeam(rule.service.clone(), slug.clone()))?,
            ),
            None => None,
        };
        rules.push(RoutingRule {
            condition: rule.condition.clone(),
            service_id,
            team_id,
        });
    }
    store::replace_routing_rules(tx, &procedure.id, &rules).await?;
    Ok(procedure)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_demo_procedure_file_round_trips_through_a_procedure() {
        for text in crate::demo::PROCEDURES {
            let file: ProcedureFile = serde_json::from_str(text).expect("demo file");
            // Every service the file names, under an id of this commune.
            let id_of = |slug: &str| format!("id-{slug}");
            let services: Vec<(String, String)> = std::iter::once(file.service.clone())
                .chain(file.routing.iter().map(|r| r.service.clone()))
                .chain(["autre".to_string()])
                .map(|slug| (id_of(&slug), slug))
                .collect();
            let procedure = Procedure {
                id: "p".into(),
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
                service_id: id_of(&file.service),
                workflow: file.workflow.clone().unwrap_or_default(),
                listed: true,
            };
            let rules: Vec<RoutingRule> = file
                .routing
                .iter()
                .map(|r| RoutingRule {
                    condition: r.condition.clone(),
                    service_id: id_of(&r.service),
                    team_id: r.team.as_deref().map(id_of),
                })
                .collect();
            let teams: Vec<(String, String)> = file
                .routing
                .iter()
                .filter_map(|r| r.team.clone())
                .map(|slug| (id_of(&slug), slug))
                .collect();
            let exported =
                procedure_file(&procedure, &services, &teams, file.form.as_ref(), &rules).unwrap();
            let mut expected = file.clone();
            expected.workflow = Some(file.workflow.clone().unwrap_or_default());
            assert_eq!(exported, expected, "{}", file.slug);
            let json = serde_json::to_string_pretty(&exported).unwrap();
            assert_eq!(
                serde_json::from_str::<ProcedureFile>(&json).unwrap(),
                expected
            );
        }
    }

    #[test]
    fn a_service_the_file_cannot_name_stops_the_export() {
        let file: ProcedureFile = serde_json::from_str(crate::demo::PROCEDURES[0]).unwrap();
        let procedure = Procedure {
            id: "p".into(),
            slug: file.slug.clone(),
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
            service_id: "inconnu".into(),
            workflow: Workflow::default(),
            listed: true,
        };
        assert!(matches!(
            procedure_file(&procedure, &[], &[], None, &[]),
            Err(ExportError::UnknownService(id)) if id == "inconnu"
        ));
    }

    #[test]
    fn a_hand_over_to_another_service_is_exported_by_slug() {
        let file: ProcedureFile = serde_json::from_str(crate::demo::PROCEDURES[0]).unwrap();
        let mut workflow = Workflow::default();
        workflow.transitions[0].assign_to = Some(Reassign::Service("id-urbanisme".into()));
        workflow.transitions[1].assign_to = Some(Reassign::Unassign);
        let procedure = Procedure {
            id: "p".into(),
            slug: file.slug.clone(),
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
            service_id: "id-etat-civil".into(),
            workflow,
            listed: true,
        };
        let services = [
            ("id-etat-civil".to_string(), "etat-civil".to_string()),
            ("id-urbanisme".to_string(), "urbanisme".to_string()),
        ];
        let exported = procedure_file(&procedure, &services, &[], None, &[]).unwrap();
        let transitions = exported.workflow.unwrap().transitions;
        assert_eq!(
            transitions[0].assign_to,
            Some(Reassign::Service("urbanisme".into()))
        );
        assert_eq!(transitions[1].assign_to, Some(Reassign::Unassign));
        // A hand-over to a service the commune no longer has stops the export.
        assert!(matches!(
            procedure_file(&procedure, &services[..1], &[], None, &[]),
            Err(ExportError::UnknownService(id)) if id == "id-urbanisme"
        ));
    }

    #[test]
    fn a_rule_to_a_team_is_exported_by_the_team_slug_and_read_back() {
        let file: ProcedureFile = serde_json::from_str(crate::demo::PROCEDURES[0]).unwrap();
        let procedure = Procedure {
            id: "p".into(),
            slug: file.slug.clone(),
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
            service_id: "id-etat-civil".into(),
            workflow: Workflow::default(),
            listed: true,
        };
        let services = [
            ("id-etat-civil".to_string(), "etat-civil".to_string()),
            ("id-voirie".to_string(), "voirie".to_string()),
        ];
        let teams = [("id-nord".to_string(), "equipe-nord".to_string())];
        let rules = [
            RoutingRule {
                condition: RouteCondition::District {
                    field: "adresse".into(),
                    district: "Nord".into(),
                },
                service_id: "id-voirie".into(),
                team_id: Some("id-nord".into()),
            },
            RoutingRule {
                condition: RouteCondition::Answer {
                    field: "objet".into(),
                    equals: "Benne".into(),
                },
                service_id: "id-voirie".into(),
                team_id: None,
            },
        ];
        let exported = procedure_file(&procedure, &services, &teams, None, &rules).unwrap();
        assert_eq!(exported.routing[0].team.as_deref(), Some("equipe-nord"));
        assert_eq!(exported.routing[1].team, None);
        let json = serde_json::to_string(&exported).unwrap();
        assert!(json.contains(r#""team":"equipe-nord""#), "{json}");
        let read: ProcedureFile = serde_json::from_str(&json).unwrap();
        assert_eq!(read, exported);
        // A team the commune no longer has stops the export.
        assert!(matches!(
            procedure_file(&procedure, &services, &[], None, &rules),
            Err(ExportError::UnknownTeam(id)) if id == "id-nord"
        ));
    }

    #[test]
    fn shared_files_are_read_with_the_place_of_their_mistakes() {
        let form = read_form(
            r#"{"pages": [{"title": "Une", "blocks": [
            {"block": "title", "text": "Bonjour"}]}]}"#,
        )
        .unwrap();
        assert_eq!(form.pages[0].title, "Une");
        // A procedure file gives its form.
        let from_procedure = read_form(crate::demo::PROCEDURES[0]).unwrap();
        assert!(!from_procedure.pages.is_empty());
        assert_eq!(read_form("   "), Err(ReadError::Empty));
        assert_eq!(
            read_form("{\n  \"pages\": [\n  }"),
            Err(ReadError::Syntax { line: 3, column: 3 })
        );
        assert_eq!(
            read_form(r#"{"pages": [{"blocks": []}]}"#),
            Err(ReadError::Shape {
                line: 1,
                column: 25,
                detail: ShapeDetail::MissingField("title".into())
            })
        );
        assert!(matches!(
            read_form(r#"{"pages": [{"title": "x", "blocks": [{"block": "video"}]}]}"#),
            Err(ReadError::Shape { detail: ShapeDetail::UnknownVariant(v), .. }) if v == "video"
        ));
        assert!(matches!(
            read_form(r#"{"pages": 3}"#),
            Err(ReadError::Shape {
                detail: ShapeDetail::InvalidType(_),
                ..
            })
        ));
        assert_eq!(read_form(r#"{"titre": "x"}"#), Err(ReadError::NotAForm));
        let mut file: ProcedureFile = serde_json::from_str(crate::demo::PROCEDURES[0]).unwrap();
        file.form = None;
        let text = serde_json::to_string(&file).unwrap();
        assert_eq!(read_form(&text), Err(ReadError::NoForm));
        assert_eq!(read_procedure(&text).unwrap().slug, file.slug);
        assert_eq!(read_procedure(r#"{"pages": []}"#), Err(ReadError::NotAForm));
    }

    #[test]
    fn imported_slugs_follow_the_back_offices_rules() {
        use crate::administration::is_usable_slug;
        assert!(is_usable_slug("acte-etat-civil"));
        assert!(is_usable_slug("salle-2"));
        assert!(!is_usable_slug("../admin"));
        assert!(!is_usable_slug("Salle"));
        assert!(!is_usable_slug("salle-"));
        assert!(!is_usable_slug(""));
        // The back office's own pages cannot be hidden behind an imported procedure.
        assert!(!is_usable_slug("importer"));
        assert!(!is_usable_slug("nouvelle"));
    }
}
