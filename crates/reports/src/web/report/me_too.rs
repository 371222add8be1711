//! « Moi aussi » from the web: from the possible duplicates shown before sending, or from
//! a report's public page.

use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::SignedDuration;
use kernel::ratelimit::Limit;
use kernel::web::forms::FormErrors;
use kernel::web::page::{self, FormPage, render_status};
use kernel::{AppError, Caller, Kernel};
use tower_sessions::Session;

use super::new::discard_draft;
use super::read_posted;
use super::tracking::category_label;
use crate::actions::ReportError;
use crate::follow;
use crate::store;

/// Enough for a family or a shared office; not enough to inflate a count.
const ANONYMOUS_LIMIT: Limit = Limit {
    max: 20,
    window: SignedDuration::from_hours(1),
};

#[derive(askama::Template)]
#[template(path = "report_me_too.html")]
struct MeTooPage {
    page: kernel::Page,
    errors: FormErrors,
    id: String,
    reference: String,
    category: String,
    email: String,
}

pub async fn submit(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    caller: Caller,
    session: Session,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    let posted = read_posted(request).await?;
    let email = posted.text("email");
    if !caller.is_logged_in() {
        let key = kernel.secret.keyed_hash(
            "reports/me-too-address",
            caller.ip.as_deref().unwrap_or("?"),
        );
        if kernel
            .memory_limits
            .hit(&key, ANONYMOUS_LIMIT, kernel.now())
            > ANONYMOUS_LIMIT.max
        {
            return Err(AppError::TooManyRequests);
        }
    }
    let done = match follow::me_too(&kernel, &caller, &id, Some(&email)).await {
        Ok(done) => done,
        Err(ReportError::Invalid(problems)) => {
            let report = store::report_by_id(&kernel.db, &id)
                .await?
                .ok_or(AppError::NotFound)?;
            let categories = store::categories(&kernel.db).await?;
            let (category, _) = category_label(&categories, &report.category_id);
            let mut errors = FormErrors::new();
            for (field, message) in problems {
                errors.add(&field, message);
            }
            return render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &MeTooPage {
                    page,
                    errors,
                    id: report.id,
                    reference: report.reference,
                    category,
                    email,
                },
            );
        }
        Err(other) => return Err(other.into()),
    };
    if posted.has("from_draft") {
        discard_draft(&kernel, &session).await?;
    }
    match done.tracking_token {
        Some(token) => {
            Ok(Redirect::to(&format!("/signalements/suivi/{token}/moi-aussi")).into_response())
        }
        None => {
            let (key, target) = match (caller.is_logged_in(), done.counted) {
                (true, true) => (
                    "report-metoo-counted",
                    format!("/mes-signalements/{}", done.report.id),
                ),
                (true, false) => (
                    "report-metoo-already",
                    format!("/mes-signalements/{}", done.report.id),
                ),
                // The address already follows it: the link went to that mailbox.
                (false, _) => (
                    "report-metoo-already-email",
                    format!("/signalements/{}", done.report.id),
                ),
            };
            page::flash(&session, "success", page.tr.t(key)).await?;
            Ok(Redirect::to(&target).into_response())
        }
    }
}
