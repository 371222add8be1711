//! The static files of reports pages, built into the binary (the map script and the
//! category icons), the script's texts from the catalogue, and the security policy of
//! pages that show a map.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use kernel::i18n::Lang;
use kernel::{AppError, Kernel};
use serde::Deserialize;

const SCRIPT: &str = include_str!("../../../static/carte.js");

/// The built-in icons, by the name a category gives (`Category::icon`).
const ICONS: &[(&str, &str)] = &[
    ("voirie", include_str!("../../../static/icones/voirie.svg")),
    (
        "eclairage",
        include_str!("../../../static/icones/eclairage.svg"),
    ),
    (
        "proprete",
        include_str!("../../../static/icones/proprete.svg"),
    ),
    (
        "espaces-verts",
        include_str!("../../../static/icones/espaces-verts.svg"),
    ),
    (
        "mobilier",
        include_str!("../../../static/icones/mobilier.svg"),
    ),
    ("tags", include_str!("../../../static/icones/tags.svg")),
    (
        "stationnement",
        include_str!("../../../static/icones/stationnement.svg"),
    ),
    ("eau", include_str!("../../../static/icones/eau.svg")),
    (
        "animaux",
        include_str!("../../../static/icones/animaux.svg"),
    ),
    ("bruit", include_str!("../../../static/icones/bruit.svg")),
    ("autre", include_str!("../../../static/icones/autre.svg")),
    // The pin of the place chosen on a map.
    ("repere", include_str!("../../../static/icones/repere.svg")),
];

/// The names of the built-in icons, for the administration of categories.
pub fn icon_names() -> impl Iterator<Item = &'static str> {
    ICONS
        .iter()
        .map(|(name, _)| *name)
        .filter(|n| *n != "repere")
}

/// Static files change only with a release, and their links carry the version.
const LONG_CACHE: &str = "public, max-age=31536000, immutable";

pub async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, LONG_CACHE),
        ],
        SCRIPT,
    )
        .into_response()
}

/// `/static/signalements/icones/{name}.svg`; an unknown name gets the icon of « autre »,
/// so that a category named by an administrator always shows something.
pub async fn icon(Path(file): Path<String>) -> Result<Response, AppError> {
    let name = file.strip_suffix(".svg").ok_or(AppError::NotFound)?;
    let svg = ICONS
        .iter()
        .find(|(n, _)| *n == name)
        .or_else(|| ICONS.iter().find(|(n, _)| *n == "autre"))
        .map(|(_, svg)| *svg)
        .ok_or(AppError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            // Icons are links without a version: a day, then the browser asks again.
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        svg,
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct TextsQuery {
    #[serde(default)]
    langue: String,
}

/// The map script's words, from the catalogue, in the page's language.
pub async fn script_texts(State(kernel): State<Kernel>, Query(q): Query<TextsQuery>) -> Response {
    let tr = kernel.tr(Lang::parse(q.langue.trim()).unwrap_or_default());
    let mut texts = serde_json::Map::new();
    for (name, key) in [
        ("map_label", "map-js-map-label"),
        ("map_role", "map-js-map-role"),
        ("pick_label", "map-js-pick-label"),
        ("place_label", "map-js-place-label"),
        ("help", "map-js-help"),
        ("help_pick", "map-js-help-pick"),
        ("zoom_in", "map-js-zoom-in"),
        ("zoom_out", "map-js-zoom-out"),
        ("pin_placed", "map-js-pin-placed"),
        ("locating", "map-js-locating"),
        ("locate_denied", "map-js-locate-denied"),
        ("locate_failed", "map-js-locate-failed"),
        ("truncated", "map-js-truncated"),
        ("load_failed", "map-js-load-failed"),
    ] {
        texts.insert(name.into(), tr.t(key).into());
    }
    // Sentences with a value keep a `{name}` slot that the script fills.
    texts.insert(
        "near".into(),
        tr.t1("map-js-near", "place", "{place}").into(),
    );
    texts.insert(
        "shown".into(),
        tr.t1("map-js-shown", "count", "{count}").into(),
    );
    (
        [
            (header::CONTENT_TYPE, "application/json; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        serde_json::Value::Object(texts).to_string(),
    )
        .into_response()
}

/// The origin of the tile server (`https://tile.openstreetmap.org`), or `None` when the
/// tiles come from the site itself or the address cannot be read. A `{s}` sub-domain
/// becomes a wildcard (`https://*.tile.example.org`).
pub fn tile_origin(tile_url: &str) -> Option<String> {
    let tile_url = tile_url.trim();
    let sample = tile_url
        .replace("{s}", "a")
        .replace("{z}", "0")
        .replace("{x}", "0")
        .replace("{y}", "0")
        .replace("{r}", "");
    let url = url::Url::parse(&sample).ok()?;
    if !matches!(url.scheme(), "https" | "http") {
        return None;
    }
    let host = url.host_str()?.to_string();
    let authority_of_template = tile_url
        .split_once("://")
        .map(|(_, rest)| rest.split('/').next().unwrap_or_default())
        .unwrap_or_default();
    let host = if authority_of_template.contains("{s}") {
        let (_, parent) = host.split_once('.')?;
        format!("*.{parent}")
    } else {
        host
    };
    Some(match url.port() {
        Some(port) => format!("{}://{host}:{port}", url.scheme()),
        None => format!("{}://{host}", url.scheme()),
    })
}

/// The site's policy with the tile server's origin added to `img-src`.
pub fn csp_with_tiles(csp: &str, tile_url: &str) -> String {
    let Some(origin) = tile_origin(tile_url) else {
        return csp.to_string();
    };
    csp.split(';')
        .map(str::trim)
        .map(|directive| {
            if directive == "img-src" || directive.starts_with("img-src ") {
                format!("{directive} {origin}")
            } else {
                directive.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The `Content-Security-Policy` of a page that shows a map: the kernel's, with the
/// configured tile server allowed for images. The kernel sets its own policy only on
/// responses that have none.
pub fn map_csp(kernel: &Kernel) -> HeaderValue {
    let policy = csp_with_tiles(kernel::web::CSP, &kernel.config.map.tile_url);
    HeaderValue::from_str(&policy).unwrap_or(HeaderValue::from_static(kernel::web::CSP))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tile_origin_is_read_from_the_template() {
        assert_eq!(
            tile_origin("https://tile.openstreetmap.org/{z}/{x}/{y}.png").as_deref(),
            Some("https://tile.openstreetmap.org")
        );
        assert_eq!(
            tile_origin("https://{s}.tile.openstreetmap.fr/osmfr/{z}/{x}/{y}.png").as_deref(),
            Some("https://*.tile.openstreetmap.fr")
        );
        assert_eq!(
            tile_origin("http://127.0.0.1:8081/tuiles/{z}/{x}/{y}{r}.png").as_deref(),
            Some("http://127.0.0.1:8081")
        );
        assert_eq!(tile_origin("/tuiles/{z}/{x}/{y}.png"), None);
        assert_eq!(tile_origin(""), None);
        assert_eq!(tile_origin("javascript:alert(1)"), None);
        assert_eq!(
            tile_origin("https://tiles.example.org/{z}/{x}/{y}.png?key=a b"),
            Some("https://tiles.example.org".into())
        );
    }

    #[test]
    fn only_img_src_changes() {
        let csp = csp_with_tiles(
            kernel::web::CSP,
            "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        );
        assert!(csp.contains("img-src 'self' data: https://tile.openstreetmap.org;"));
        let others = |p: &str| {
            p.split("; ")
                .filter(|d| !d.starts_with("img-src"))
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        assert_eq!(others(&csp), others(kernel::web::CSP));
        assert_eq!(csp_with_tiles(kernel::web::CSP, ""), kernel::web::CSP);
    }

    #[test]
    fn every_icon_is_a_small_single_colour_svg() {
        for (name, svg) in ICONS {
            assert!(
                svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
                "{name}"
            );
            assert!(svg.len() < 2048, "{name}");
            let colours: std::collections::BTreeSet<&str> =
                svg.split('"').filter(|s| s.starts_with('#')).collect();
            if *name != "repere" {
                assert_eq!(colours.len(), 1, "{name}: {colours:?}");
            }
        }
        assert!(icon_names().count() == 11);
    }
}
