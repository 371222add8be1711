//! The resident's space (`/mon-espace`) gathers what each capability holds for the person:
//! their problem reports, later their bookings or invoices. The kernel knows no
//! capability, so each one registers a section at start (`KernelParts::space_sections`)
//! and the accounts capability renders them in order.

use async_trait::async_trait;

use crate::i18n::Tr;
use crate::{Caller, Kernel};

/// One line of a section, a link to the thing itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpaceLink {
    pub label: String,
    pub href: String,
}

/// What a section shows: a title, a short list of links, the text shown when the list is
/// empty, and links after the list (« Tout voir », « Signaler un problème »).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpaceView {
    pub title: String,
    pub links: Vec<SpaceLink>,
    pub empty: String,
    pub more: Vec<SpaceLink>,
}

#[async_trait]
pub trait SpaceSection: Send + Sync + 'static {
    /// The section for the logged-in caller, in the visitor's language.
    async fn view(
        &self,
        kernel: &Kernel,
        caller: &Caller,
        tr: &Tr,
    ) -> Result<SpaceView, sqlx::Error>;
}

/// Every registered section for the caller, in registration order. A section whose
/// capability fails is left out and logged: the rest of the space still shows.
pub async fn views(kernel: &Kernel, caller: &Caller, tr: &Tr) -> Vec<SpaceView> {
    let mut out = Vec::with_capacity(kernel.space_sections.len());
    for section in &kernel.space_sections {
        match section.view(kernel, caller, tr).await {
            Ok(view) => out.push(view),
            Err(error) => tracing::error!(%error, "section de l'espace personnel indisponible"),
        }
    }
    out
}
