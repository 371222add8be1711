//! Outgoing e-mail. Every message is first a row in the outbox (see `outbox`), then sent
//! by the worker through a `Mailer`: SMTP when configured, otherwise `.eml` files written to
//! the data directory (development, demos, and communes that relay mail another way).

use std::path::PathBuf;

use async_trait::async_trait;
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::{AsyncFileTransport, AsyncTransport, Message, Tokio1Executor};

#[async_trait]
pub trait Mailer: Send + Sync + 'static {
    async fn send(&self, message: Message) -> Result<(), String>;
    fn describe(&self) -> String;
}

pub fn smtp_transport(url: &str) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
        .map(|builder| builder.build())
        .map_err(|e| e.to_string())
}

pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    url: String,
}

impl SmtpMailer {
    pub fn new(url: &str) -> Result<SmtpMailer, String> {
        Ok(SmtpMailer {
            transport: smtp_transport(url)?,
            url: crate::config::redact_url(url),
        })
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, message: Message) -> Result<(), String> {
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
    fn describe(&self) -> String {
        format!("SMTP ({})", self.url)
    }
}

/// Writes each message as an `.eml` file named after a fresh UUID.
pub struct FileMailer {
    dir: PathBuf,
    transport: AsyncFileTransport<Tokio1Executor>,
}

impl FileMailer {
    pub fn new(dir: PathBuf) -> std::io::Result<FileMailer> {
        std::fs::create_dir_all(&dir)?;
        Ok(FileMailer {
            transport: AsyncFileTransport::new(&dir),
            dir,
        })
    }
}

#[async_trait]
impl Mailer for FileMailer {
    async fn send(&self, message: Message) -> Result<(), String> {
        let id = self
            .transport
            .send(message)
            .await
            .map_err(|e| e.to_string())?;
        tracing::info!(file = %self.dir.join(format!("{id}.eml")).display(), "courriel écrit dans un fichier");
        Ok(())
    }
    fn describe(&self) -> String {
        format!("fichiers .eml dans {}", self.dir.display())
    }
}
