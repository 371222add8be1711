//! Where reports go: the ordered routing rules (added, moved, removed) with a preview of
//! where a report of a category in a district would go, and the districts they rely on —
//! imported from a GeoJSON file, deleted when no rule names them, and a point to place.

use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kernel::audit::AuditTarget;
use kernel::i18n::Tr;
use kernel::web::forms::FormErrors;
use kernel::web::page::{self, FormPage, Page, Staff, render_status};
use kernel::{AppError, Caller, Kernel, Tx};
use tower_sessions::Session;

use super::{Handlers, Opt, Posted, ROUTING, administrator, opts};
use crate::admin_districts::{self as import, FeatureProblem, ImportProblem, Place};
use crate::admin_rules::{
    self as rules, PointProblem, RuleChange, RuleContext, RuleInput, RuleProblem, full_name,
};
use crate::model::{Category, District, RoutingRule};
use crate::store::{self, DistrictDeletion};

/// Largest GeoJSON file read: a commune's districts are far smaller.
const MAX_GEOJSON_BYTES: usize = 5 * 1024 * 1024;

pub struct RuleLine {
    /// Where its moves and removal are posted.
    pub action: String,
    pub number: usize,
    pub category: String,
    pub district: String,
    pub service: String,
    pub team: String,
    pub agency: String,
    pub first: bool,
    pub last: bool,
}

pub struct DistrictLine {
    pub delete_url: String,
    pub name: String,
    pub slug: String,
    pub rules: i64,
    pub reports: i64,
}

/// A service and its teams, for the team list.
pub struct TeamGroup {
    pub service: String,
    pub teams: Vec<Opt>,
}

#[derive(askama::Template)]
#[template(path = "admin_routing.html")]
struct RoutingPage {
    page: Page,
    section: &'static str,
    errors: FormErrors,
    rules: Vec<RuleLine>,
    rule: RuleInput,
    rule_categories: Vec<Opt>,
    rule_districts: Vec<Opt>,
    rule_services: Vec<Opt>,
    rule_teams: Vec<TeamGroup>,
    preview_categories: Vec<Opt>,
    preview_districts: Vec<Opt>,
    preview: Option<String>,
    districts: Vec<DistrictLine>,
    import_property: String,
    import_problems: Vec<String>,
    lat: String,
    lon: String,
    point_result: Option<String>,
}

/// What a posted or asked form leaves on the page.
#[derive(Default)]
struct Inputs {
    errors: FormErrors,
    rule: RuleInput,
    preview_category: String,
    preview_district: String,
    preview_asked: bool,
    import_property: String,
    import_problems: Vec<String>,
    lat: String,
    lon: String,
    point_asked: bool,
}

/// What the page names: categories, districts, services and teams.
struct Names {
    categories: Vec<Category>,
    districts: Vec<District>,
    handlers: Handlers,
}

impl Names {
    async fn load(kernel: &Kernel) -> Result<Names, AppError> {
        Ok(Names {
            categories: store::categories(&kernel.db).await?,
            districts: store::districts(&kernel.db).await?,
            handlers: Handlers::load(kernel).await?,
        })
    }
    fn category(&self, tr: &Tr, id: Option<&str>) -> String {
        match id {
            None => tr.t("radm-rule-any-category"),
            Some(id) => self
                .categories
                .iter()
                .find(|c| c.id == id)
                .map(|c| full_name(&self.categories, c))
                .unwrap_or_default(),
        }
    }
    fn district(&self, tr: &Tr, id: Option<&str>) -> String {
        match id {
            None => tr.t("radm-rule-any-district"),
            Some(id) => self
                .districts
                .iter()
                .find(|d| d.id == id)
                .map(|d| d.name.clone())
                .unwrap_or_default(),
        }
    }
    fn category_opts(&self, first: String, current: &str) -> Vec<Opt> {
        let mut items = vec![(String::new(), first)];
        items.extend(
            rules::tree(&self.categories)
                .into_iter()
                .map(|(c, _)| (c.id.clone(), full_name(&self.categories, c))),
        );
        opts(items, current)
    }
    fn district_opts(&self, first: String, current: &str) -> Vec<Opt> {
        let mut items = vec![(String::new(), first)];
        items.extend(
            self.districts
                .iter()
                .map(|d| (d.id.clone(), d.name.clone())),
        );
        opts(items, current)
    }
}

fn rule_problem_key(problem: RuleProblem) -> &'static str {
    use RuleProblem::*;
    match problem {
        CategoryUnknown => "radm-rule-error-category",
        DistrictUnknown => "radm-rule-error-district",
        ServiceMissing => "radm-rule-error-service-missing",
        ServiceUnknown => "radm-rule-error-service-unknown",
        TeamNotOfService => "radm-rule-error-team",
        AgencyTooLong => "radm-rule-error-agency",
        Duplicate => "radm-rule-error-duplicate",
    }
}

fn place_text(tr: &Tr, place: Place) -> String {
    tr.tn(
        "radm-import-place",
        &[
            ("polygon", place.polygon.to_string()),
            ("ring", place.ring.to_string()),
            ("position", place.position.to_string()),
        ],
    )
}

fn import_problem_text(tr: &Tr, problem: &ImportProblem) -> String {
    match problem {
        ImportProblem::Empty => tr.t("radm-import-empty"),
        ImportProblem::Syntax { line, column } => {
            tr.t2("radm-import-syntax", "line", line, "column", column)
        }
        ImportProblem::NotAFeatureCollection => tr.t("radm-import-not-collection"),
        ImportProblem::NoFeatures => tr.t("radm-import-no-features"),
        ImportProblem::TooManyFeatures(n) => tr.t2(
            "radm-import-too-many",
            "count",
            n,
            "max",
            import::MAX_FEATURES,
        ),
        ImportProblem::Feature {
            number,
            line,
            problem,
        } => {
            let detail = match problem {
                FeatureProblem::NotAFeature => tr.t("radm-import-not-feature"),
                FeatureProblem::NoGeometry => tr.t("radm-import-no-geometry"),
                FeatureProblem::GeometryType(kind) => {
                    tr.t1("radm-import-geometry-type", "kind", kind)
                }
                FeatureProblem::Shape => tr.t("radm-import-shape"),
                FeatureProblem::Position(place) => {
                    tr.t1("radm-import-position", "place", place_text(tr, *place))
                }
                FeatureProblem::OutOfRange(place) => {
                    tr.t1("radm-import-out-of-range", "place", place_text(tr, *place))
                }
                FeatureProblem::TooFewPoints { polygon, ring } => {
                    tr.t2("radm-import-too-few", "polygon", polygon, "ring", ring)
                }
                FeatureProblem::NoArea { polygon } => {
                    tr.t1("radm-import-no-area", "polygon", polygon)
                }
                FeatureProblem::NoName(properties) => tr.t1(
                    "radm-import-no-name",
                    "properties",
                    properties.join(" », « "),
                ),
                FeatureProblem::NameTooLong => tr.t("radm-import-name-long"),
                FeatureProblem::NoSlug(name) => tr.t1("radm-import-no-slug", "name", name),
                FeatureProblem::DuplicateSlug { slug, first } => {
                    tr.t2("radm-import-duplicate", "slug", slug, "first", first)
                }
            };
            tr.tn(
                "radm-import-feature",
                &[
                    ("number", number.to_string()),
                    ("line", line.to_string()),
                    ("detail", detail),
                ],
            )
        }
    }
}

/// « Un signalement « Voirie » à « Les Coteaux » va à : … », or the problem of the preview.
fn preview(
    tr: &Tr,
    names: &Names,
    rules_list: &[RoutingRule],
    inputs: &mut Inputs,
) -> Option<String> {
    if !inputs.preview_asked {
        return None;
    }
    let Some(category) = names
        .categories
        .iter()
        .find(|c| c.id == inputs.preview_category)
    else {
        inputs
            .errors
            .add("apercu_categorie", tr.t("radm-preview-error-category"));
        return None;
    };
    let district = names
        .districts
        .iter()
        .find(|d| d.id == inputs.preview_district);
    if district.is_none() && !inputs.preview_district.is_empty() {
        inputs
            .errors
            .add("apercu_quartier", tr.t("radm-preview-error-district"));
        return None;
    }
    let what = full_name(&names.categories, category);
    let start = match district {
        Some(d) => tr.t2("radm-preview-report", "category", what, "district", &d.name),
        None => tr.t1("radm-preview-report-outside", "category", what),
    };
    Some(
        match crate::rules::route(rules_list, category, district.map(|d| d.id.as_str())) {
            None => format!("{start} {}", tr.t("radm-preview-nowhere")),
            Some(destination) => {
                let mut to = names.handlers.service(Some(&destination.service_id));
                let team = names.handlers.team(destination.team_id.as_deref());
                if !team.is_empty() {
                    to = tr.t2("radm-preview-team", "service", to, "team", team);
                }
                if !destination.agency.is_empty() {
                    to = tr.t2(
                        "radm-preview-agency",
                        "service",
                        to,
                        "agency",
                        &destination.agency,
                    );
                }
                format!("{start} {to}.")
            }
        },
    )
}

fn point_result(tr: &Tr, names: &Names, inputs: &mut Inputs) -> Option<String> {
    if !inputs.point_asked {
        return None;
    }
    match rules::check_point(&inputs.lat, &inputs.lon) {
        Err(problems) => {
            for p in problems {
                let key = match p {
                    PointProblem::LatMissing => "radm-point-error-lat-missing",
                    PointProblem::LatInvalid => "radm-point-error-lat",
                    PointProblem::LonMissing => "radm-point-error-lon-missing",
                    PointProblem::LonInvalid => "radm-point-error-lon",
                };
                inputs.errors.add(p.field(), tr.t(key));
            }
            None
        }
        Ok(point) => Some(if names.districts.is_empty() {
            tr.t("radm-point-no-districts")
        } else {
            match crate::rules::district_of(point, &names.districts) {
                Some(d) => tr.t1("radm-point-in", "name", &d.name),
                None => tr.t("radm-point-outside"),
            }
        }),
    }
}

async fn routing_page(
    kernel: &Kernel,
    page: Page,
    mut inputs: Inputs,
) -> Result<RoutingPage, AppError> {
    let tr = page.tr.clone();
    let names = Names::load(kernel).await?;
    let rules_list = store::routing_rules(&kernel.db).await?;
    let uses = store::district_uses(&kernel.db).await?;
    let count = rules_list.len();
    let rules_lines = rules_list
        .iter()
        .enumerate()
        .map(|(i, r)| RuleLine {
            action: format!("{ROUTING}/regles/{}", r.id),
            number: i + 1,
            category: names.category(&tr, r.category_id.as_deref()),
            district: names.district(&tr, r.district_id.as_deref()),
            service: names.handlers.service(Some(&r.service_id)),
            team: names.handlers.team(r.team_id.as_deref()),
            agency: r.agency.clone(),
            first: i == 0,
            last: i + 1 == count,
        })
        .collect();
    let preview_text = preview(&tr, &names, &rules_list, &mut inputs);
    let point = point_result(&tr, &names, &mut inputs);
    let mut services = vec![(String::new(), tr.t("radm-rule-service-choose"))];
    services.extend(
        names
            .handlers
            .services
            .iter()
            .map(|s| (s.id.clone(), s.name.clone())),
    );
    let rule_teams = names
        .handlers
        .services
        .iter()
        .filter_map(|s| {
            let teams: Vec<(String, String)> = names
                .handlers
                .teams
                .iter()
                .filter(|t| t.service_id == s.id)
                .map(|t| (t.id.clone(), t.name.clone()))
                .collect();
            (!teams.is_empty()).then(|| TeamGroup {
                service: s.name.clone(),
                teams: opts(teams, &inputs.rule.team_id),
            })
        })
        .collect();
    let districts = names
        .districts
        .iter()
        .map(|d| {
            let used = uses.get(&d.id).copied().unwrap_or_default();
            DistrictLine {
                delete_url: format!("{ROUTING}/quartiers/{}/supprimer", d.id),
                name: d.name.clone(),
                slug: d.slug.clone(),
                rules: used.rules,
                reports: used.reports,
            }
        })
        .collect();
    Ok(RoutingPage {
        section: "orientation",
        rules: rules_lines,
        rule_categories: names
            .category_opts(tr.t("radm-rule-any-category"), &inputs.rule.category_id),
        rule_districts: names
            .district_opts(tr.t("radm-rule-any-district"), &inputs.rule.district_id),
        rule_services: opts(services, &inputs.rule.service_id),
        rule_teams,
        preview_categories: names
            .category_opts(tr.t("radm-preview-choose"), &inputs.preview_category),
        preview_districts: names
            .district_opts(tr.t("radm-preview-no-district"), &inputs.preview_district),
        preview: preview_text,
        districts,
        import_property: inputs.import_property,
        import_problems: inputs.import_problems,
        lat: inputs.lat,
        lon: inputs.lon,
        point_result: point,
        errors: inputs.errors,
        rule: inputs.rule,
        page,
    })
}

fn shown(view: RoutingPage) -> Result<Response, AppError> {
    let status = if view.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render_status(status, &view)
}

pub async fn page(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    administrator(&caller)?;
    let asked = |name: &str| query.iter().any(|(n, _)| n == name);
    let query_values = Posted(query.clone());
    let inputs = Inputs {
        preview_asked: asked("apercu_categorie"),
        preview_category: query_values.get("apercu_categorie"),
        preview_district: query_values.get("apercu_quartier"),
        point_asked: asked("lat") || asked("lon"),
        lat: query_values.get("lat"),
        lon: query_values.get("lon"),
        ..Inputs::default()
    };
    shown(routing_page(&kernel, page, inputs).await?)
}

fn rule_posted(posted: &Posted) -> RuleInput {
    RuleInput {
        category_id: posted.get("rule_category"),
        district_id: posted.get("rule_district"),
        service_id: posted.get("rule_service"),
        team_id: posted.get("rule_team"),
        agency: posted.get("rule_agency"),
        first: posted.get("rule_place") == "first",
    }
}

/// Writes the rules in their new order with the audit entry, then commits.
async fn save_rules(
    kernel: &Kernel,
    mut tx: Tx,
    caller: &Caller,
    rules_list: &[RoutingRule],
    action: &str,
    rule_id: &str,
) -> Result<(), AppError> {
    store::replace_routing_rules(&mut tx, rules_list).await?;
    let described: Vec<serde_json::Value> = rules_list
        .iter()
        .map(|r| {
            serde_json::json!({
                "id": r.id,
                "category": r.category_id,
                "district": r.district_id,
                "service": r.service_id,
                "team": r.team_id,
                "agency": r.agency,
            })
        })
        .collect();
    kernel
        .audit(
            &mut tx,
            caller,
            action,
            Some(&AuditTarget::new("report_routing_rule", rule_id)),
            serde_json::json!({ "rules": described }),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

fn to_rules() -> Response {
    Redirect::to(&format!("{ROUTING}#regles")).into_response()
}

/// Adds a rule, first or last, in one transaction under the rules' lock.
pub async fn add_rule(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    session: Session,
    Form(values): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    administrator(&caller)?;
    let input = rule_posted(&Posted(values));
    let names = Names::load(&kernel).await?;
    let service_ids: Vec<String> = names
        .handlers
        .services
        .iter()
        .map(|s| s.id.clone())
        .collect();
    let teams: Vec<(String, String)> = names
        .handlers
        .teams
        .iter()
        .map(|t| (t.id.clone(), t.service_id.clone()))
        .collect();
    let mut tx = kernel.db.begin().await?;
    let current = store::lock_routing_rules(&mut tx).await?;
    let ctx = RuleContext {
        categories: &names.categories,
        districts: &names.districts,
        service_ids: &service_ids,
        teams: &teams,
        rules: &current,
    };
    let id = store::new_id();
    let rules_list = match rules::add_rule(&input, &ctx, &id) {
        Ok(list) => list,
        Err(problems) => {
            tx.rollback().await?;
            let mut errors = FormErrors::new();
            for p in problems {
                errors.add(p.field(), page.tr.t(rule_problem_key(p)));
            }
            let inputs = Inputs {
                errors,
                rule: input,
                ..Inputs::default()
            };
            return shown(routing_page(&kernel, page, inputs).await?);
        }
    };
    save_rules(
        &kernel,
        tx,
        &caller,
        &rules_list,
        "reports.routing.rule_added",
        &id,
    )
    .await?;
    page::flash(&session, "success", page.tr.t("radm-rule-added")).await?;
    Ok(to_rules())
}

/// Moves a rule up or down, or removes it (`action`), under the rules' lock.
pub async fn change_rule(
    State(kernel): State<Kernel>,
    page: Page,
    Staff(caller): Staff,
    session: Session,
    Path(id): Path<String>,
    Form(values): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    administrator(&caller)?;
    let (change, action, message) = match Posted(values).get("action").as_str() {
        "up" => (
            RuleChange::Up,
            "reports.routing.rule_moved",
            "radm-rule-moved",
        ),
        "down" => (
            RuleChange::Down,
            "reports.routing.rule_moved",
            "radm-rule-moved",
        ),
        "remove" => (
            RuleChange::Remove,
            "reports.routing.rule_removed",
            "radm-rule-removed",
        ),
        _ => return Err(AppError::BadRequest("action inconnue".into())),
    };
    let mut tx = kernel.db.begin().await?;
    let current = store::lock_routing_rules(&mut tx).await?;
    let Some(rules_list) = rules::change_rules(&current, &id, change) else {
        tx.rollback().await?;
        page::flash(&session, "error", page.tr.t("radm-rule-stale")).await?;
        return Ok(to_rules());
    };
    save_rules(&kernel, tx, &caller, &rules_list, action, &id).await?;
    page::flash(&session, "success", page.tr.t(message)).await?;
    Ok(to_rules())
}

/// What the import form sent.
#[derive(Default)]
struct Upload {
    file: Option<Vec<u8>>,
    property: String,
}

async fn read_upload(mut multipart: Multipart) -> Result<Upload, AppError> {
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        AppError::BadRequest(format!("formulaire illisible : {e}"))
    };
    let mut upload = Upload::default();
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_string();
        let has_file = field.file_name().is_some_and(|n| !n.is_empty());
        let bytes = field.bytes().await.map_err(unreadable)?;
        match name.as_str() {
            "fichier" if has_file && !bytes.is_empty() => upload.file = Some(bytes.to_vec()),
            "propriete" => upload.property = String::from_utf8_lossy(&bytes).trim().to_string(),
            _ => {}
        }
    }
    Ok(upload)
}

/// Imports districts from a GeoJSON file: all of them or none. A district whose slug
/// exists is replaced (same id, so rules and reports keep pointing to it).
pub async fn import_districts(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    session: Session,
    multipart: Multipart,
) -> Result<Response, AppError> {
    administrator(&caller)?;
    let upload = read_upload(multipart).await?;
    let tr = page.tr.clone();
    let refuse = |message: String, problems: Vec<String>, property: String| Inputs {
        errors: {
            let mut errors = FormErrors::new();
            errors.add("fichier", message);
            errors
        },
        import_problems: problems,
        import_property: property,
        ..Inputs::default()
    };
    let text = match upload.file {
        None => Err(tr.t("radm-import-no-file")),
        Some(bytes) if bytes.len() > MAX_GEOJSON_BYTES => Err(tr.t("radm-import-too-large")),
        Some(bytes) => String::from_utf8(bytes).map_err(|_| tr.t("radm-import-not-text")),
    };
    let text = match text {
        Ok(text) => text,
        Err(message) => {
            let inputs = refuse(message, vec![], upload.property);
            return shown(routing_page(&kernel, page, inputs).await?);
        }
    };
    let districts = match import::read_districts(&text, &upload.property) {
        Ok(d) => d,
        Err(problems) => {
            let listed = problems
                .iter()
                .map(|p| import_problem_text(&tr, p))
                .collect();
            let message = tr.t1("radm-import-refused", "count", problems.len());
            let inputs = refuse(message, listed, upload.property);
            return shown(routing_page(&kernel, page, inputs).await?);
        }
    };
    let now = kernel.now();
    let mut tx = kernel.db.begin().await?;
    let slugs: Vec<String> = districts.iter().map(|d| d.slug.clone()).collect();
    let existing = store::district_ids_by_slug(&mut tx, &slugs).await?;
    for d in &districts {
        store::save_district(&mut tx, &d.slug, &d.name, &d.area, now).await?;
    }
    let replaced: Vec<&str> = existing.iter().map(|(slug, _)| slug.as_str()).collect();
    let created: Vec<&str> = slugs
        .iter()
        .map(String::as_str)
        .filter(|s| !replaced.contains(s))
        .collect();
    kernel
        .audit(
            &mut tx,
            &caller,
            "reports.districts.imported",
            None,
            serde_json::json!({ "created": created, "replaced": replaced }),
        )
        .await?;
    tx.commit().await?;
    page::flash(
        &session,
        "success",
        tr.tn(
            "radm-import-done",
            &[
                ("count", districts.len().to_string()),
                ("created", created.len().to_string()),
                ("replaced", replaced.len().to_string()),
            ],
        ),
    )
    .await?;
    Ok(Redirect::to(&format!("{ROUTING}#quartiers")).into_response())
}

pub async fn delete_district(
    State(kernel): State<Kernel>,
    page: Page,
    Staff(caller): Staff,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    administrator(&caller)?;
    let mut tx = kernel.db.begin().await?;
    match store::delete_district(&mut tx, &id).await? {
        DistrictDeletion::NotFound => {
            tx.rollback().await?;
            Err(AppError::NotFound)
        }
        DistrictDeletion::UsedByRules(count) => {
            tx.rollback().await?;
            page::flash(
                &session,
                "error",
                page.tr.t1("radm-district-used", "count", count),
            )
            .await?;
            Ok(Redirect::to(&format!("{ROUTING}#quartiers")).into_response())
        }
        DistrictDeletion::Deleted { name, detached } => {
            kernel
                .audit(
                    &mut tx,
                    &caller,
                    "reports.district.deleted",
                    Some(&AuditTarget::new("report_district", &id)),
                    serde_json::json!({ "name": name, "reports_detached": detached }),
                )
                .await?;
            tx.commit().await?;
            page::flash(
                &session,
                "success",
                page.tr
                    .t2("radm-district-deleted", "name", name, "count", detached),
            )
            .await?;
            Ok(Redirect::to(&format!("{ROUTING}#quartiers")).into_response())
        }
    }
}
