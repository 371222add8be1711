//! Requests on the web: the catalogue and filing for residents, their requests in their
//! space, the agents' inbox in the back office, their API tokens, and the JSON API.

pub mod backoffice;
pub mod builder;
pub mod builder_files;
pub mod canned;
pub mod counter;
pub mod form_view;
pub mod knowledge;
pub mod procedures_admin;
pub mod public;
pub mod statistics;
pub mod timeline;
pub mod tokens;

use axum::Router;
use axum::body::Body;
use axum::http::header;
use axum::response::Response;
use axum::routing::{get, post};
use kernel::{AppError, Kernel};

pub fn router() -> Router<Kernel> {
    Router::new()
        .route("/demarches", get(public::catalogue))
        .route("/demarches/{slug}", get(public::procedure))
        .route("/demarches/{slug}/commencer", post(public::start))
        .route("/mes-demandes", get(public::my_requests))
        .route("/mes-demandes/brouillons/{id}", get(public::draft_resume))
        .route(
            "/mes-demandes/brouillons/{id}/page/{page}",
            get(public::draft_page).post(public::save_page),
        )
        .route(
            "/mes-demandes/brouillons/{id}/recapitulatif",
            get(public::summary),
        )
        .route("/mes-demandes/brouillons/{id}/envoyer", post(public::send))
        .route("/mes-demandes/{number}", get(public::my_request))
        .route("/mes-demandes/{number}/repondre", post(public::reply))
        .route(
            "/mes-demandes/{number}/accuse-de-reception",
            get(public::acknowledgement),
        )
        .route(
            "/mes-demandes/{number}/accuse-de-reception.pdf",
            get(public::acknowledgement_pdf),
        )
        .route(
            "/mes-demandes/{number}/attestation",
            get(public::attestation),
        )
        .route(
            "/mes-demandes/{number}/attestation.pdf",
            get(public::attestation_pdf),
        )
        .route(
            "/mes-demandes/{number}/documents/{document}",
            get(public::document),
        )
        .route("/backoffice/demarches", get(procedures_admin::list))
        .route(
            "/backoffice/demarches/nouvelle",
            get(procedures_admin::new_form).post(procedures_admin::create),
        )
        .route(
            "/backoffice/demarches/{slug}",
            get(procedures_admin::edit_form).post(procedures_admin::update),
        )
        .route(
            "/backoffice/demarches/{slug}/circuit",
            get(procedures_admin::workflow).post(procedures_admin::edit_workflow),
        )
        .route(
            "/backoffice/demarches/{slug}/orientation",
            get(procedures_admin::routing).post(procedures_admin::edit_routing),
        )
        .route("/backoffice/demandes", get(backoffice::inbox))
        .merge(builder_routes())
        .route("/backoffice/statistiques", get(statistics::page))
        .route("/backoffice/statistiques.csv", get(statistics::csv_export))
        .route(
            "/backoffice/connaissances",
            get(knowledge::list).post(knowledge::save),
        )
        .route("/backoffice/connaissances/{slug}", get(knowledge::show))
        .route(
            "/backoffice/jetons-api",
            get(tokens::list).post(tokens::issue),
        )
        .route("/backoffice/jetons-api/{id}/revoquer", post(tokens::revoke))
        .route(
            "/mon-espace/jetons-api",
            get(tokens::my_list).post(tokens::my_issue),
        )
        .route(
            "/mon-espace/jetons-api/{id}/revoquer",
            post(tokens::my_revoke),
        )
        .route(
            "/backoffice/reponses-types",
            get(canned::list).post(canned::create),
        )
        .route(
            "/backoffice/reponses-types/{id}/supprimer",
            post(canned::delete),
        )
        .route(
            "/backoffice/demandes/nouvelle",
            get(counter::form).post(counter::record),
        )
        .route("/backoffice/demandes/{id}", get(backoffice::detail))
        .route(
            "/backoffice/demandes/{id}/statut",
            post(backoffice::change_status),
        )
        .route(
            "/backoffice/demandes/{id}/message",
            post(backoffice::message),
        )
        .route("/backoffice/demandes/{id}/note", post(backoffice::note))
        .route(
            "/backoffice/demandes/{id}/fiches",
            post(backoffice::link_article),
        )
        .route("/backoffice/demandes/{id}/usager", get(timeline::applicant))
        .route("/backoffice/usagers/{id}", get(timeline::person))
        .route(
            "/backoffice/demandes/{id}/attribuer",
            post(backoffice::assign),
        )
        .route(
            "/backoffice/demandes/{id}/orienter",
            post(backoffice::reroute),
        )
        .route(
            "/backoffice/demandes/{id}/transmettre",
            post(backoffice::transmit),
        )
        .route(
            "/backoffice/demandes/{id}/accuse-de-reception",
            get(backoffice::acknowledgement),
        )
        .route(
            "/backoffice/demandes/{id}/accuse-de-reception.pdf",
            get(backoffice::acknowledgement_pdf),
        )
        .route(
            "/backoffice/demandes/{id}/documents/{document}",
            get(backoffice::document),
        )
}

/// The form builder, under each procedure's settings.
fn builder_routes() -> Router<Kernel> {
    const FORM: &str = "/backoffice/demarches/{slug}/formulaire";
    let at = |rest: &str| format!("{FORM}{rest}");
    Router::new()
        .route(
            "/backoffice/demarches/importer",
            get(builder_files::import_procedure_form).post(builder_files::import_procedure),
        )
        .route(
            "/backoffice/demarches/{slug}/export.json",
            get(builder_files::export),
        )
        .route(FORM, get(builder::overview))
        .route(&at("/nouvelle-version"), post(builder::new_version))
        .route(&at("/pages"), post(builder::add_page))
        .route(
            &at("/pages/{page}"),
            get(builder::page_form).post(builder::save_page),
        )
        .route(&at("/pages/{page}/deplacer"), post(builder::move_page))
        .route(
            &at("/pages/{page}/supprimer"),
            get(builder::confirm_delete_page).post(builder::delete_page),
        )
        .route(
            &at("/pages/{page}/ajouter"),
            get(builder::add_block_form).post(builder::add_block),
        )
        .route(
            &at("/pages/{page}/blocs/{block}"),
            get(builder::text_form).post(builder::save_text),
        )
        .route(
            &at("/pages/{page}/blocs/{block}/deplacer"),
            post(builder::move_block),
        )
        .route(
            &at("/pages/{page}/blocs/{block}/supprimer"),
            post(builder::delete_block),
        )
        .route(
            &at("/champs/{key}"),
            get(builder::field_form).post(builder::save_field),
        )
        .route(&at("/apercu"), get(builder::preview))
        .route(
            &at("/publier"),
            get(builder::publish_form).post(builder::publish),
        )
        .route(
            &at("/importer"),
            get(builder_files::import_form).post(builder_files::import),
        )
}

/// A stored file sent back as a download, never rendered inline (no content sniffing).
pub(crate) fn download(
    name: &str,
    content_type: &str,
    bytes: Vec<u8>,
) -> Result<Response, AppError> {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    Response::builder()
        .header(header::CONTENT_TYPE, content_type)
        .header(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{ascii}\""),
        )
        .header(header::CACHE_CONTROL, "private, no-store")
        .body(Body::from(bytes))
        .map_err(|e| AppError::Internal(e.into()))
}

/// « 1,2 Mo », « 350 ko ».
pub(crate) fn human_size(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        let tenths = bytes * 10 / (1024 * 1024);
        format!("{},{} Mo", tenths / 10, tenths % 10)
    } else {
        format!("{} ko", (bytes / 1024).max(1))
    }
}
