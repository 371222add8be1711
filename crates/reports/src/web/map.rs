//! The public face of reports: the map and the list of open and recently resolved
//! reports, one report's public page, its photos, the nearest street of a point, and the
//! static files of every reports page (the map script, the category icons).
//!
//! The public never reads an author, a private category, a hidden description or a
//! hidden photo, and places are rounded to about 100 m (`store::PublicReport`).

mod assets;
mod photo;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jiff::{SignedDuration, Timestamp};
use kernel::i18n::Tr;
use kernel::web::page::{self, Page, render};
use kernel::{AppError, Kernel};
use serde::Deserialize;
use tower_sessions::Session;

pub use assets::{csp_with_tiles, icon_names, map_csp, tile_origin};

use crate::model::{Category, District, Photo, Point, Update, UpdateKind};
use crate::store::{self, PublicFilter, PublicReport, PublicState, StreetPoint};

/// Resolved reports stay on the map this long.
pub const RESOLVED_SHOWN: SignedDuration = SignedDuration::from_hours(30 * 24);
/// Reports per page of the list.
pub const PAGE_SIZE: i64 = 50;
/// Markers per answer of the map's data.
pub const MAP_LIMIT: i64 = 2000;

pub fn routes() -> Router<Kernel> {
    Router::new()
        .route("/signalements", get(list))
        .route("/signalements/carte", get(map_page))
        .route("/signalements/carte.json", get(map_data))
        .route("/signalements/carte/textes.json", get(assets::script_texts))
        .route("/signalements/adresse-proche", get(nearest_street))
        .route("/signalements/photos/{id}", get(photo::photo))
        .route("/signalements/{id}", get(report_page))
        .route("/static/signalements/carte.js", get(assets::script))
        .route("/static/signalements/icones/{file}", get(assets::icon))
}

// ---------------------------------------------------------------- filters

/// The filters of the map and the list, as the query string carries them. Unknown or
/// malformed values are ignored: a shared link never breaks.
#[derive(Debug, Deserialize, Default)]
pub struct PublicQuery {
    #[serde(default)]
    categorie: String,
    #[serde(default)]
    etat: String,
    #[serde(default)]
    quartier: String,
    #[serde(default)]
    page: String,
    #[serde(default)]
    bbox: String,
}

impl PublicQuery {
    fn state(&self) -> PublicState {
        match self.etat.as_str() {
            "ouverts" => PublicState::Open,
            "resolus" => PublicState::Resolved,
            _ => PublicState::Current,
        }
    }

    fn filter(&self, now: Timestamp) -> PublicFilter {
        let given = |s: &str| {
            let s = s.trim();
            (!s.is_empty()).then(|| s.chars().take(100).collect::<String>())
        };
        PublicFilter {
            category_code: given(&self.categorie),
            state: self.state(),
            district_slug: given(&self.quartier),
            resolved_since: now - RESOLVED_SHOWN,
            ..PublicFilter::default()
        }
    }

    fn page_number(&self) -> i64 {
        self.page
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 1)
            .unwrap_or(1)
    }

    /// The filters again, for links (pagination, the map's data): empty ones left out.
    fn query_string(&self) -> String {
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in [
            ("categorie", &self.categorie),
            ("etat", &self.etat),
            ("quartier", &self.quartier),
        ] {
            if !value.trim().is_empty() {
                out.append_pair(name, value.trim());
            }
        }
        out.finish()
    }
}

/// A `bbox=minlon,minlat,maxlon,maxlat` parameter; empty means the whole map.
pub fn parse_bbox(raw: &str) -> Result<Option<(Point, Point)>, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let problem = || {
        "Le paramètre bbox attend quatre nombres séparés par des virgules : longitude et latitude minimales, puis maximales (minlon,minlat,maxlon,maxlat).".to_string()
    };
    let numbers: Vec<f64> = raw
        .split(',')
        .map(|n| n.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| problem())?;
    let [min_lon, min_lat, max_lon, max_lat] = numbers[..] else {
        return Err(problem());
    };
    let (Some(min), Some(max)) = (Point::new(min_lat, min_lon), Point::new(max_lat, max_lon))
    else {
        return Err(problem());
    };
    if min.lat > max.lat || min.lon > max.lon {
        return Err(problem());
    }
    Ok(Some((min, max)))
}

/// One choice of a filter's list.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The filter form, with what is chosen.
pub struct Filters {
    pub categories: Vec<Choice>,
    pub states: Vec<Choice>,
    pub districts: Vec<Choice>,
    /// The query string of the chosen filters (without the page).
    pub query: String,
    pub any: bool,
}

/// Categories the public may see: not private, nor under a private parent.
fn public_categories(categories: &[Category]) -> Vec<&Category> {
    categories
        .iter()
        .filter(|c| {
            !c.private
                && c.parent_id
                    .as_deref()
                    .is_none_or(|parent| categories.iter().any(|p| p.id == parent && !p.private))
        })
        .collect()
}

fn filters(
    tr: &Tr,
    query: &PublicQuery,
    categories: &[Category],
    districts: &[District],
) -> Filters {
    let category = query.categorie.trim();
    let district = query.quartier.trim();
    let state = query.state();
    Filters {
        categories: public_categories(categories)
            .into_iter()
            .filter(|c| c.parent_id.is_none())
            .map(|c| Choice {
                value: c.code.clone(),
                label: c.name.clone(),
                selected: c.code == category,
            })
            .collect(),
        states: [
            ("ouverts", PublicState::Open, "map-state-open"),
            ("resolus", PublicState::Resolved, "map-state-resolved"),
        ]
        .into_iter()
        .map(|(value, s, key)| Choice {
            value: value.into(),
            label: tr.t(key),
            selected: s == state,
        })
        .collect(),
        districts: districts
            .iter()
            .map(|d| Choice {
                value: d.slug.clone(),
                label: d.name.clone(),
                selected: d.slug == district,
            })
            .collect(),
        query: query.query_string(),
        any: !category.is_empty() || !district.is_empty() || state != PublicState::Current,
    }
}

// ---------------------------------------------------------------- list lines

/// A report as a line of the public list.
pub struct ReportLine {
    pub link: String,
    pub category: String,
    pub icon: String,
    pub status: String,
    pub open: bool,
    pub date: String,
    pub place: String,
    pub excerpt: String,
    pub hidden: bool,
}

/// « 23/11/2026 », Paris time.
fn date_fr(at: Timestamp) -> String {
    at.to_zoned(kernel::clock::paris())
        .strftime("%d/%m/%Y")
        .to_string()
}

/// The approximate place in words: the district and the nearest street of the rounded
/// point (never the address the author typed, which may name a doorstep).
fn place_text(tr: &Tr, report: &PublicReport, streets: &[StreetPoint]) -> String {
    let mut parts = Vec::new();
    if let Some(district) = &report.district_name {
        parts.push(tr.t1("map-place-district", "district", district));
    }
    if let Some(street) = crate::geocode::reverse_label(report.point, streets) {
        parts.push(tr.t1("map-place-near", "street", street));
    }
    if parts.is_empty() {
        parts.push(tr.t("map-place-unknown"));
    }
    parts.join(", ")
}

fn excerpt(text: &str) -> String {
    const MAX: usize = 160;
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= MAX {
        text
    } else {
        let cut: String = text.chars().take(MAX).collect();
        let cut = cut.rsplit_once(' ').map(|(head, _)| head).unwrap_or(&cut);
        format!("{cut} …")
    }
}

fn line(tr: &Tr, report: &PublicReport, streets: &[StreetPoint]) -> ReportLine {
    ReportLine {
        link: format!("/signalements/{}", report.id),
        category: report.category_name.clone(),
        icon: report.icon.clone(),
        status: tr.t(report.status.label_key()),
        open: report.status.is_open(),
        date: date_fr(report.created_at),
        place: place_text(tr, report, streets),
        excerpt: excerpt(&report.description),
        hidden: report.description_hidden,
    }
}

/// What the map and the list pages share: filters, one page of lines, the count.
struct Listing {
    filters: Filters,
    lines: Vec<ReportLine>,
    total: i64,
    page_number: i64,
    pages: i64,
}

async fn listing(kernel: &Kernel, tr: &Tr, query: &PublicQuery) -> Result<Listing, AppError> {
    let categories = store::categories(&kernel.db).await?;
    let districts = store::districts(&kernel.db).await?;
    let streets = store::streets(&kernel.db).await?;
    let filter = query.filter(kernel.now());
    let total = store::count_public_reports(&kernel.db, &filter).await?;
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let page_number = query.page_number().min(pages);
    let reports = store::public_reports(
        &kernel.db,
        &filter,
        PAGE_SIZE,
        (page_number - 1) * PAGE_SIZE,
    )
    .await?;
    Ok(Listing {
        filters: filters(tr, query, &categories, &districts),
        lines: reports.iter().map(|r| line(tr, r, &streets)).collect(),
        total,
        page_number,
        pages,
    })
}

/// What a map element carries in its data attributes; `None` when no tile server is
/// configured (the pages then show no map at all).
pub struct MapSettings {
    pub tile_url: String,
    pub attribution: String,
    pub lat: f64,
    pub lon: f64,
    pub zoom: u8,
}

pub fn map_settings(kernel: &Kernel) -> Option<MapSettings> {
    let map = &kernel.config.map;
    (!map.tile_url.trim().is_empty()).then(|| MapSettings {
        tile_url: map.tile_url.trim().to_string(),
        attribution: map.tile_attribution.clone(),
        lat: map.center_lat,
        lon: map.center_lon,
        zoom: map.zoom,
    })
}

/// A page that shows a map sends a policy that lets the tiles in.
fn with_map_policy(kernel: &Kernel, html: axum::response::Html<String>) -> Response {
    ([(header::CONTENT_SECURITY_POLICY, map_csp(kernel))], html).into_response()
}

// ---------------------------------------------------------------- the list

#[derive(askama::Template)]
#[template(path = "map_list.html")]
struct ListPage {
    page: Page,
    listing: Listing,
    action: &'static str,
}

async fn list(
    State(kernel): State<Kernel>,
    page: Page,
    Query(query): Query<PublicQuery>,
) -> Result<Response, AppError> {
    let listing = listing(&kernel, &page.tr, &query).await?;
    Ok(render(&ListPage {
        page,
        listing,
        action: "/signalements",
    })?
    .into_response())
}

// ---------------------------------------------------------------- the map

#[derive(askama::Template)]
#[template(path = "map_map.html")]
struct MapPage {
    page: Page,
    map: Option<MapSettings>,
    /// The map's data, with the same filters.
    source: String,
    listing: Listing,
    action: &'static str,
}

async fn map_page(
    State(kernel): State<Kernel>,
    page: Page,
    Query(query): Query<PublicQuery>,
) -> Result<Response, AppError> {
    // The map page lists the first page of the same reports; the list has the others.
    let query = PublicQuery {
        page: String::new(),
        ..query
    };
    let listing = listing(&kernel, &page.tr, &query).await?;
    let source = match listing.filters.query.as_str() {
        "" => "/signalements/carte.json".to_string(),
        q => format!("/signalements/carte.json?{q}"),
    };
    let html = render(&MapPage {
        page,
        map: map_settings(&kernel),
        source,
        listing,
        action: "/signalements/carte",
    })?;
    Ok(with_map_policy(&kernel, html))
}

fn json(status: StatusCode, value: serde_json::Value, content_type: &'static str) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        value.to_string(),
    )
        .into_response()
}

fn json_error(status: StatusCode, code: &str, message: &str) -> Response {
    json(
        status,
        kernel::web::error::json_error_body(code, message),
        "application/json; charset=utf-8",
    )
}

/// The public reports as GeoJSON, for the map script: one query, at most `MAP_LIMIT`
/// markers, newest first.
async fn map_data(
    State(kernel): State<Kernel>,
    headers: HeaderMap,
    Query(query): Query<PublicQuery>,
) -> Response {
    let within = match parse_bbox(&query.bbox) {
        Ok(w) => w,
        Err(message) => return json_error(StatusCode::BAD_REQUEST, "bbox_invalid", &message),
    };
    let tr = kernel.tr(page::lang_from_headers(&headers));
    let filter = PublicFilter {
        within,
        ..query.filter(kernel.now())
    };
    let points = match store::public_points(&kernel.db, &filter, MAP_LIMIT + 1).await {
        Ok(p) => p,
        Err(e) => {
            tracing::error!(error = %e, "carte des signalements illisible");
            return json_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                &tr.t("error-500-message"),
            );
        }
    };
    let truncated = points.len() as i64 > MAP_LIMIT;
    // Up to 2,000 markers: the sentence and the status names are looked up once, not per
    // marker.
    let template = tr.tn(
        "map-marker-label",
        &[
            ("category", "{category}".into()),
            ("status", "{status}".into()),
            ("date", "{date}".into()),
        ],
    );
    let mut statuses = std::collections::HashMap::new();
    let features: Vec<serde_json::Value> = points
        .iter()
        .take(MAP_LIMIT as usize)
        .map(|p| {
            let status = statuses
                .entry(p.status)
                .or_insert_with(|| tr.t(p.status.label_key()));
            let label = template
                .replace("{category}", &p.category_name)
                .replace("{status}", status)
                .replace("{date}", &date_fr(p.created_at));
            serde_json::json!({
                "type": "Feature",
                "id": p.id,
                "geometry": { "type": "Point", "coordinates": [p.point.lon, p.point.lat] },
                "properties": {
                    "url": format!("/signalements/{}", p.id),
                    "category": p.category_name,
                    "icon": p.icon,
                    "status": p.status.as_str(),
                    "open": p.status.is_open(),
                    "created": p.created_at.to_string(),
                    "label": label,
                },
            })
        })
        .collect();
    json(
        StatusCode::OK,
        serde_json::json!({
            "type": "FeatureCollection",
            "features": features,
            "truncated": truncated,
        }),
        "application/geo+json; charset=utf-8",
    )
}

#[derive(Deserialize)]
struct PointQuery {
    #[serde(default)]
    lat: String,
    #[serde(default)]
    lon: String,
}

/// `{label}`: the commune's street nearest to a point (within 300 m), or `null`. From the
/// commune's own street list: the point never leaves the server.
async fn nearest_street(State(kernel): State<Kernel>, Query(q): Query<PointQuery>) -> Response {
    let point = match (q.lat.trim().parse::<f64>(), q.lon.trim().parse::<f64>()) {
        (Ok(lat), Ok(lon)) => Point::new(lat, lon),
        _ => None,
    };
    let Some(point) = point else {
        return json_error(
            StatusCode::BAD_REQUEST,
            "point_invalid",
            "Indiquez lat et lon en degrés décimaux (par exemple lat=45.7641&lon=4.8357).",
        );
    };
    match store::streets(&kernel.db).await {
        Ok(streets) => json(
            StatusCode::OK,
            serde_json::json!({ "label": crate::geocode::reverse_label(point, &streets) }),
            "application/json; charset=utf-8",
        ),
        Err(e) => {
            tracing::error!(error = %e, "rues de la commune illisibles");
            json_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "Le service est momentanément indisponible.",
            )
        }
    }
}

// ---------------------------------------------------------------- one report

/// An entry of the public history.
pub struct HistoryLine {
    pub date: String,
    pub what: String,
    pub message: String,
    pub photos: Vec<PhotoView>,
}

pub struct PhotoView {
    pub link: String,
    pub width: i64,
    pub height: i64,
    pub alt: String,
}

/// May the public see this photo? Not hidden, and when it illustrates a history entry
/// (a photo of the fix), that entry is public and not hidden either. The report's
/// category is checked by the caller.
pub fn photo_is_public(photo: &Photo, updates: &[Update]) -> bool {
    !photo.hidden
        && photo
            .update_id
            .as_deref()
            .is_none_or(|id| updates.iter().any(|u| u.id == id && u.public && !u.hidden))
}

fn history_text(tr: &Tr, update: &Update) -> String {
    match (update.kind, update.status) {
        (UpdateKind::Filed, _) => tr.t("map-history-filed"),
        (UpdateKind::Status, Some(status)) => {
            tr.t1("map-history-status", "status", tr.t(status.label_key()))
        }
        (UpdateKind::Merged, _) => tr.t("map-history-merged"),
        (UpdateKind::Planned, _) => tr.t("map-history-planned"),
        (UpdateKind::Recategorised, _) => tr.t("map-history-recategorised"),
        _ => tr.t("map-history-message"),
    }
}

#[derive(askama::Template)]
#[template(path = "map_report.html")]
struct ReportPage {
    page: Page,
    map: Option<MapSettings>,
    report: PublicReport,
    status: String,
    open: bool,
    date: String,
    changed: String,
    planned: String,
    place: String,
    photos: Vec<PhotoView>,
    history: Vec<HistoryLine>,
    csrf: String,
    logged_in: bool,
}

async fn report_page(
    State(kernel): State<Kernel>,
    page: Page,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let report = store::public_report(&kernel.db, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    let tr = page.tr.clone();
    let updates = store::updates_of(&kernel.db, &report.id).await?;
    let photos = store::photos_of(&kernel.db, &report.id).await?;
    let streets = store::streets(&kernel.db).await?;
    let visible: Vec<&Photo> = photos
        .iter()
        .filter(|p| photo_is_public(p, &updates))
        .collect();
    let view = |p: &Photo, n: usize, of: usize| PhotoView {
        link: format!("/signalements/photos/{}", p.id),
        width: p.width,
        height: p.height,
        alt: tr.t2("map-photo-alt", "n", n, "count", of),
    };
    let own: Vec<&&Photo> = visible.iter().filter(|p| p.update_id.is_none()).collect();
    let own_photos = own
        .iter()
        .enumerate()
        .map(|(n, p)| view(p, n + 1, own.len()))
        .collect();
    let history = updates
        .iter()
        .filter(|u| u.public && !u.hidden)
        .map(|u| {
            let fixes: Vec<&&Photo> = visible
                .iter()
                .filter(|p| p.update_id.as_deref() == Some(u.id.as_str()))
                .collect();
            HistoryLine {
                date: kernel::clock::format_fr(u.created_at),
                what: history_text(&tr, u),
                message: u.message.clone(),
                photos: fixes
                    .iter()
                    .enumerate()
                    .map(|(n, p)| PhotoView {
                        alt: tr.t2("map-fix-photo-alt", "n", n + 1, "count", fixes.len()),
                        ..view(p, n + 1, fixes.len())
                    })
                    .collect(),
            }
        })
        .collect();
    let open = report.status.is_open();
    // The "me too" form needs a token; a visitor who only reads a closed report gets no
    // session.
    let csrf = if open {
        page::csrf_token(&session).await?
    } else {
        String::new()
    };
    let changed = match report.closed_at {
        Some(at) => date_fr(at),
        None => date_fr(report.updated_at),
    };
    let html = render(&ReportPage {
        map: map_settings(&kernel),
        status: tr.t(report.status.label_key()),
        open,
        date: date_fr(report.created_at),
        changed,
        planned: report
            .planned_on
            .filter(|_| open)
            .map(|d| d.strftime("%d/%m/%Y").to_string())
            .unwrap_or_default(),
        place: place_text(&tr, &report, &streets),
        photos: own_photos,
        history,
        csrf,
        logged_in: page.user.is_some(),
        report,
        page,
    })?;
    Ok(with_map_policy(&kernel, html))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Status;

    #[test]
    fn a_bbox_is_four_numbers_in_order() {
        let (min, max) = parse_bbox("4.82,45.75,4.85,45.78").unwrap().unwrap();
        assert_eq!(
            (min.lon, min.lat, max.lon, max.lat),
            (4.82, 45.75, 4.85, 45.78)
        );
        assert_eq!(parse_bbox("  ").unwrap(), None);
        for bad in [
            "4.82,45.75,4.85",
            "4.82,45.75,4.85,45.78,1",
            "a,b,c,d",
            "4.85,45.75,4.82,45.78",
            "4.82,45.78,4.85,45.75",
            "4.82,95,4.85,96",
            "NaN,45,5,46",
        ] {
            assert!(parse_bbox(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn filters_read_from_the_query_string_and_back() {
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let q = PublicQuery {
            categorie: " voirie ".into(),
            etat: "resolus".into(),
            quartier: String::new(),
            page: "3".into(),
            bbox: String::new(),
        };
        let f = q.filter(now);
        assert_eq!(f.category_code.as_deref(), Some("voirie"));
        assert_eq!(f.state, PublicState::Resolved);
        assert_eq!(f.district_slug, None);
        assert_eq!(f.resolved_since, now - RESOLVED_SHOWN);
        assert_eq!(q.page_number(), 3);
        assert_eq!(q.query_string(), "categorie=voirie&etat=resolus");
        let junk = PublicQuery {
            etat: "n'importe".into(),
            page: "-2".into(),
            ..PublicQuery::default()
        };
        assert_eq!(junk.state(), PublicState::Current);
        assert_eq!(junk.page_number(), 1);
    }

    #[test]
    fn long_descriptions_are_cut_between_words() {
        assert_eq!(excerpt("Un  trou\n profond."), "Un trou profond.");
        let long = "mot ".repeat(100);
        let cut = excerpt(&long);
        assert!(cut.ends_with(" …"));
        assert!(cut.chars().count() <= 162);
    }

    fn photo(hidden: bool, update: Option<&str>) -> Photo {
        Photo {
            id: "p".into(),
            report_id: "r".into(),
            update_id: update.map(str::to_string),
            file_id: "f".into(),
            width: 10,
            height: 10,
            hidden,
            created_at: Timestamp::UNIX_EPOCH,
        }
    }

    fn update(id: &str, public: bool, hidden: bool) -> Update {
        Update {
            id: id.into(),
            report_id: "r".into(),
            kind: UpdateKind::Status,
            status: Some(Status::Resolved),
            message: String::new(),
            public,
            hidden,
            agent_id: None,
            agent_name: String::new(),
            created_at: Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn a_photo_is_public_unless_it_or_its_entry_is_hidden() {
        let updates = vec![
            update("shown", true, false),
            update("note", false, false),
            update("moderated", true, true),
        ];
        assert!(photo_is_public(&photo(false, None), &updates));
        assert!(!photo_is_public(&photo(true, None), &updates));
        assert!(photo_is_public(&photo(false, Some("shown")), &updates));
        assert!(!photo_is_public(&photo(false, Some("note")), &updates));
        assert!(!photo_is_public(&photo(false, Some("moderated")), &updates));
        assert!(!photo_is_public(&photo(false, Some("unknown")), &updates));
    }

    fn category(id: &str, parent: Option<&str>, private: bool) -> Category {
        Category {
            id: id.into(),
            code: id.into(),
            name: id.into(),
            description: String::new(),
            icon: "autre".into(),
            parent_id: parent.map(str::to_string),
            keywords: String::new(),
            notice: String::new(),
            private,
            duplicate_radius_m: 50,
            attributes: vec![],
            position: 0,
            active: true,
        }
    }

    #[test]
    fn a_sub_category_of_a_private_one_is_private_too() {
        let all = vec![
            category("voirie", None, false),
            category("nid", Some("voirie"), false),
            category("bruit", None, true),
            category("tapage", Some("bruit"), false),
            category("secret", Some("voirie"), true),
        ];
        let codes: Vec<&str> = public_categories(&all)
            .iter()
            .map(|c| c.code.as_str())
            .collect();
        assert_eq!(codes, ["voirie", "nid"]);
    }
}
