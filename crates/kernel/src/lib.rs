//! The Parvis kernel: what every capability shares and nothing more — configuration,
//! database and migrations, identity of the caller, audit log, file storage, outbox,
//! background jobs, clock, translations, and the web shell (layout, forms, errors).
//! The kernel never depends on a capability.

pub mod audit;
pub mod clock;
pub mod config;
pub mod db;
pub mod files;
pub mod i18n;
pub mod identity;
pub mod jobs;
pub mod live;
pub mod mail;
pub mod migrate;
pub mod outbox;
pub mod pdf;
pub mod push;
pub mod ratelimit;
pub mod secret;
pub mod session;
pub mod space;
pub mod storage;
pub mod testing;
pub mod text;
pub mod web;

use std::ops::Deref;
use std::sync::Arc;

pub use config::Config;
pub use db::{Backend, Db, Tx};
pub use identity::{Caller, Identity, Permission, Role};
pub use web::error::AppError;
pub use web::page::Page;

use crate::clock::Clock;
use crate::i18n::Catalogue;
use crate::identity::IdentityLoader;
use crate::mail::Mailer;
use crate::migrate::Migration;
use crate::secret::SecretKey;
use crate::storage::Storage;

/// The kernel's own migrations, applied before any capability's.
pub fn migrations() -> Vec<Migration> {
    vec![
        Migration::portable(
            "kernel/0001_kernel",
            include_str!("../migrations/0001_kernel.sql"),
        ),
        // Per-backend step: triggers are written differently on each engine.
        Migration {
            id: "kernel/0002_audit_append_only",
            sqlite: include_str!("../migrations/0002_audit_append_only.sqlite.sql"),
            postgres: include_str!("../migrations/0002_audit_append_only.postgres.sql"),
        },
        Migration::portable(
            "kernel/0003_push",
            include_str!("../migrations/0003_push.sql"),
        ),
    ]
}

/// Shared state of a running instance, cheap to clone.
#[derive(Clone)]
pub struct Kernel(Arc<KernelInner>);

pub struct KernelInner {
    pub config: Config,
    pub db: Db,
    pub storage: Storage,
    pub secret: SecretKey,
    pub mailer: Arc<dyn Mailer>,
    /// Web Push to the devices people subscribed.
    pub push: push::WebPush,
    pub clock: Arc<dyn Clock>,
    pub catalogue: Arc<Catalogue>,
    pub identities: Arc<dyn IdentityLoader>,
    pub live: live::Live,
    /// Rate limits that leave no trace outside this process (anonymous reporting).
    pub memory_limits: ratelimit::MemoryLimiter,
    /// The capabilities' sections of the resident's space, in order.
    pub space_sections: Vec<Arc<dyn space::SpaceSection>>,
}

impl Deref for Kernel {
    type Target = KernelInner;
    fn deref(&self) -> &KernelInner {
        &self.0
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Config(String),
    #[error("base de données injoignable ({url}) : {source}")]
    Database { url: String, source: sqlx::Error },
    #[error(transparent)]
    Migration(#[from] migrate::MigrateError),
    #[error(transparent)]
    Secret(#[from] secret::SecretError),
    #[error(transparent)]
    Storage(#[from] storage::StorageError),
    #[error("envoi de courriel impossible à configurer : {0}")]
    Mail(String),
    #[error("notifications push impossibles à configurer : {0}")]
    Push(String),
}

/// Builds the identity loader once the database is open.
pub type IdentityFactory = Box<dyn FnOnce(&Db) -> Arc<dyn IdentityLoader>>;

/// What a capability brings at start.
pub struct KernelParts {
    pub clock: Arc<dyn Clock>,
    pub catalogue: Vec<&'static fluent_templates::StaticLoader>,
    pub identities: IdentityFactory,
    /// Replaces the configured mailer (tests use it to simulate an outage).
    pub mailer: Option<Arc<dyn Mailer>>,
    /// What each capability shows in the resident's space.
    pub space_sections: Vec<Arc<dyn space::SpaceSection>>,
}

impl Kernel {
    /// Connects to the database, applies migrations, opens storage and mail.
    pub async fn start(
        config: Config,
        migrations: &[Migration],
        parts: KernelParts,
    ) -> Result<Kernel, StartError> {
        let problems = config.problems();
        if !problems.is_empty() {
            return Err(StartError::Config(problems.join("\n")));
        }
        std::fs::create_dir_all(&config.data_dir).map_err(|e| {
            StartError::Config(format!(
                "impossible de créer le dossier de données {} : {e}",
                config.data_dir.display()
            ))
        })?;
        install_crypto_provider();
        let url = config.database_url();
        let db = Db::connect(&url)
            .await
            .map_err(|source| StartError::Database {
                url: config::redact_url(&url),
                source,
            })?;
        migrate::run(&db, migrations).await?;
        let live = live::Live::start(&db, &url)
            .await
            .map_err(|source| StartError::Database {
                url: config::redact_url(&url),
                source,
            })?;
        let secret = SecretKey::load_or_create(&config.secret_key_path())?;
        let location = match &config.storage_url {
            Some(raw) => storage::StorageLocation::parse(raw, &config.data_dir)?,
            None => storage::StorageLocation::Local(config.data_dir.join("files")),
        };
        let storage = Storage::open(location, &secret)?;
        let mailer: Arc<dyn Mailer> = match (parts.mailer, &config.smtp_url) {
            (Some(mailer), _) => mailer,
            (None, Some(url)) => Arc::new(mail::SmtpMailer::new(url).map_err(StartError::Mail)?),
            (None, None) => Arc::new(
                mail::FileMailer::new(config.mail_dir())
                    .map_err(|e| StartError::Mail(e.to_string()))?,
            ),
        };
        let push = push::WebPush::new(&secret, config.push_contact(), config.push.services.clone())
            .map_err(StartError::Push)?;
        let mut loaders: Vec<&'static fluent_templates::StaticLoader> =
            vec![&*i18n::KERNEL_LOCALES];
        loaders.extend(parts.catalogue);
        let identities = (parts.identities)(&db);
        Ok(Kernel(Arc::new(KernelInner {
            config,
            db,
            storage,
            secret,
            mailer,
            push,
            clock: parts.clock,
            catalogue: Arc::new(Catalogue::new(loaders)),
            identities,
            live,
            memory_limits: ratelimit::MemoryLimiter::default(),
            space_sections: parts.space_sections,
        })))
    }

    pub fn now(&self) -> jiff::Timestamp {
        self.clock.now()
    }

    /// Appends to the audit log inside the caller's transaction.
    pub async fn audit(
        &self,
        tx: &mut Tx,
        caller: &Caller,
        action: &str,
        target: Option<&audit::AuditTarget>,
        details: serde_json::Value,
    ) -> Result<(), sqlx::Error> {
        audit::record(
            tx,
            self.db.backend(),
            &audit::chain_key(&self.secret),
            self.now(),
            &caller.audit_actor(),
            action,
            target,
            details,
        )
        .await
    }

    /// Records a consultation (a read that changes nothing else) in its own transaction.
    pub async fn audit_view(
        &self,
        caller: &Caller,
        action: &str,
        target: Option<&audit::AuditTarget>,
        details: serde_json::Value,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.db.begin().await?;
        self.audit(&mut tx, caller, action, target, details).await?;
        tx.commit().await
    }

    pub fn tr(&self, lang: i18n::Lang) -> i18n::Tr {
        i18n::Tr::new(lang, self.catalogue.clone())
    }

    /// An absolute link for e-mails.
    pub fn link(&self, path: &str) -> String {
        format!("{}{}", self.config.base_url(), path)
    }
}

/// rustls needs one process-wide crypto provider; we use ring (no C toolchain for aws-lc).
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
