//! The agents' knowledge base: short articles (how to handle a procedure, which documents
//! to accept, whom to call) that agents search and link from a request.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use kernel::web::forms::FormErrors;
use kernel::web::page::{self, FormPage, Page, Staff, render, render_status};
use kernel::{AppError, Kernel};
use serde::Deserialize;
use tower_sessions::Session;

use crate::store::{self, Article};

#[derive(Deserialize, Default)]
pub struct Search {
    #[serde(default)]
    q: String,
}

#[derive(Deserialize, Default)]
pub struct ArticleForm {
    #[serde(default)]
    slug: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
}

#[derive(askama::Template)]
#[template(path = "knowledge.html")]
struct KnowledgePage {
    page: Page,
    query: String,
    articles: Vec<Article>,
    form: ArticleForm,
    errors: FormErrors,
}

#[derive(askama::Template)]
#[template(path = "article.html")]
struct ArticlePage {
    page: Page,
    article: Article,
    updated: String,
}

pub async fn list(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(_): Staff,
    Query(search): Query<Search>,
) -> Result<Html<String>, AppError> {
    let query: String = search.q.trim().chars().take(100).collect();
    render(&KnowledgePage {
        articles: store::articles(&kernel.db, &query).await?,
        page,
        query,
        form: ArticleForm::default(),
        errors: FormErrors::new(),
    })
}

pub async fn show(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(_): Staff,
    Path(slug): Path<String>,
) -> Result<Html<String>, AppError> {
    let article = store::article_by_slug(&kernel.db, &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    render(&ArticlePage {
        updated: kernel::clock::format_fr(article.updated_at),
        article,
        page,
    })
}

/// Creates an article, or updates the one with this address.
pub async fn save(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    session: Session,
    Form(form): Form<ArticleForm>,
) -> Result<Response, AppError> {
    let mut errors = FormErrors::new();
    let slug = form.slug.trim().to_lowercase();
    let title = form.title.trim();
    let body = form.body.trim();
    if !accounts::rules::is_valid_slug(&slug) {
        errors.add("slug", page.tr.t("kb-error-slug"));
    }
    if title.is_empty() || title.chars().count() > 160 {
        errors.add("title", page.tr.t("kb-error-title"));
    }
    if body.is_empty() || body.chars().count() > 50_000 {
        errors.add("body", page.tr.t("kb-error-body"));
    }
    if !errors.is_empty() {
        return render_status(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            &KnowledgePage {
                articles: store::articles(&kernel.db, "").await?,
                page,
                query: String::new(),
                form,
                errors,
            },
        );
    }
    let by = caller.identity.as_ref().map(|i| i.user_id.as_str());
    let mut tx = kernel.db.begin().await?;
    store::save_article(&mut tx, &slug, title, body, by, kernel.now()).await?;
    tx.commit().await?;
    page::flash(&session, "success", page.tr.t("kb-saved")).await?;
    Ok(Redirect::to(&format!("/backoffice/connaissances/{slug}")).into_response())
}
