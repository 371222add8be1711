//! The reports of a person with an account: the ones they filed and the ones they follow,
//! in `/mes-signalements` and as a section of their space. Anyone else's report is a 404.

use async_trait::async_trait;
use axum::extract::{Path, State};
use axum::response::{Html, Response};
use kernel::i18n::Tr;
use kernel::space::{SpaceLink, SpaceSection, SpaceView};
use kernel::web::page::{LoggedIn, Page, render};
use kernel::{AppError, Caller, Kernel};

use super::private_page;
use super::tracking::{TrackingPage, category_label, live_events, serve_photo, tracking_view};
use crate::model::{Category, Report};
use crate::store::{self, ReportFilter};

/// The account whose reports these are: the person logged in (an agent acting for someone
/// at the counter still files and follows as themself).
fn account(caller: &Caller) -> Option<&str> {
    caller.identity.as_ref().map(|i| i.user_id.as_str())
}

/// One line of the person's list.
pub struct MineItem {
    pub href: String,
    pub reference: String,
    pub category: String,
    pub status: String,
    pub date: String,
}

/// The reports the person filed, then the ones they follow, most recent first.
async fn reports_of(
    kernel: &Kernel,
    user_id: &str,
    limit: i64,
) -> Result<(Vec<Report>, Vec<Report>), sqlx::Error> {
    let filed = store::list_reports(
        &kernel.db,
        &ReportFilter {
            author_user_id: Some(user_id.to_string()),
            limit,
            ..ReportFilter::default()
        },
    )
    .await?;
    let ids = store::followed_report_ids(&kernel.db, user_id).await?;
    let followed = if ids.is_empty() {
        vec![]
    } else {
        store::list_reports(
            &kernel.db,
            &ReportFilter {
                ids,
                limit,
                ..ReportFilter::default()
            },
        )
        .await?
    };
    Ok((filed, followed))
}

fn items(categories: &[Category], tr: &Tr, reports: Vec<Report>) -> Vec<MineItem> {
    reports
        .into_iter()
        .map(|report| MineItem {
            href: format!("/mes-signalements/{}", report.id),
            category: category_label(categories, &report.category_id).0,
            reference: report.reference,
            status: tr.t(report.status.label_key()),
            date: kernel::clock::format_fr(report.created_at),
        })
        .collect()
}

#[derive(askama::Template)]
#[template(path = "report_mine.html")]
struct MinePage {
    page: Page,
    sections: Vec<MineSection>,
}

pub struct MineSection {
    pub id: &'static str,
    pub heading: String,
    pub items: Vec<MineItem>,
}

pub async fn list(
    State(kernel): State<Kernel>,
    LoggedIn(caller): LoggedIn,
    page: Page,
) -> Result<Html<String>, AppError> {
    let user_id = account(&caller).ok_or(AppError::LoginRequired)?;
    let (filed, followed) = reports_of(&kernel, user_id, 200).await?;
    let categories = store::categories(&kernel.db).await?;
    let sections = vec![
        MineSection {
            id: "deposes",
            heading: page.tr.t("report-mine-filed"),
            items: items(&categories, &page.tr, filed),
        },
        MineSection {
            id: "suivis",
            heading: page.tr.t("report-mine-followed"),
            items: items(&categories, &page.tr, followed),
        },
    ];
    render(&MinePage { page, sections })
}

/// The person's report (filed or followed), and whether they filed it; 404 otherwise.
async fn own(kernel: &Kernel, caller: &Caller, id: &str) -> Result<(Report, bool), AppError> {
    let user_id = account(caller).ok_or(AppError::LoginRequired)?;
    let report = store::report_by_id(&kernel.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let author = report.author_user_id.as_deref() == Some(user_id);
    if author || store::is_subscribed(&kernel.db, &report.id, user_id).await? {
        Ok((report, author))
    } else {
        Err(AppError::NotFound)
    }
}

pub async fn detail(
    State(kernel): State<Kernel>,
    LoggedIn(caller): LoggedIn,
    page: Page,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (report, author) = own(&kernel, &caller, &id).await?;
    let base = format!("/mes-signalements/{}", report.id);
    let view = tracking_view(&kernel, &page.tr, &report, author, &base).await?;
    let back = Some((
        "/mes-signalements".to_string(),
        page.tr.t("report-mine-title"),
    ));
    Ok(private_page(render(&TrackingPage {
        page,
        view,
        back,
        flux: format!("{base}/flux"),
    })?))
}

pub async fn stream(
    State(kernel): State<Kernel>,
    LoggedIn(caller): LoggedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (report, _) = own(&kernel, &caller, &id).await?;
    Ok(private_page(live_events(&kernel, &report.id)))
}

pub async fn photo(
    State(kernel): State<Kernel>,
    LoggedIn(caller): LoggedIn,
    Path((id, photo_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (report, author) = own(&kernel, &caller, &id).await?;
    serve_photo(&kernel, &report, &photo_id, author).await
}

/// The reports section of the resident's space: the latest few, filed or followed.
pub struct MyReports;

#[async_trait]
impl SpaceSection for MyReports {
    async fn view(
        &self,
        kernel: &Kernel,
        caller: &Caller,
        tr: &Tr,
    ) -> Result<SpaceView, sqlx::Error> {
        const SHOWN: usize = 5;
        let Some(user_id) = account(caller) else {
            return Ok(SpaceView {
                title: tr.t("report-mine-title"),
                links: vec![],
                empty: tr.t("report-mine-none"),
                more: vec![],
            });
        };
        let (filed, followed) = reports_of(kernel, user_id, SHOWN as i64).await?;
        let mut latest: Vec<Report> = filed.into_iter().chain(followed).collect();
        latest.sort_by_key(|r| std::cmp::Reverse(r.created_at));
        latest.truncate(SHOWN);
        let categories = store::categories(&kernel.db).await?;
        let links = latest
            .into_iter()
            .map(|report| SpaceLink {
                label: tr.tn(
                    "report-mine-space-item",
                    &[
                        ("reference", report.reference.clone()),
                        (
                            "category",
                            category_label(&categories, &report.category_id).0,
                        ),
                        ("status", tr.t(report.status.label_key())),
                    ],
                ),
                href: format!("/mes-signalements/{}", report.id),
            })
            .collect();
        Ok(SpaceView {
            title: tr.t("report-mine-title"),
            links,
            empty: tr.t("report-mine-none"),
            more: vec![
                SpaceLink {
                    label: tr.t("report-mine-all"),
                    href: "/mes-signalements".into(),
                },
                SpaceLink {
                    label: tr.t("report-mine-new"),
                    href: "/signalements/nouveau".into(),
                },
            ],
        })
    }
}
