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

/// Secure by default: a bare `smtp://` URL to another machine requires STARTTLS (lettre
/// would otherwise send in clear text, password included). Clear text stays possible for
/// a relay on the same machine, or when asked for explicitly with `?tls=none`.
pub fn secure_smtp_url(raw: &str) -> Result<String, String> {
    let mut url = url::Url::parse(raw).map_err(|e| e.to_string())?;
    if url.scheme() != "smtp" {
        return Ok(raw.to_string());
    }
    let tls = url
        .query_pairs()
        .find(|(k, _)| k == "tls")
        .map(|(_, v)| v.into_owned());
    let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    let others: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != "tls")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let tls = match tls.as_deref() {
        None if loopback => None,
        None => Some("required".to_string()),
        Some("none") => None,
        Some(other) => Some(other.to_string()),
    };
    url.set_query(None);
    {
        let mut pairs = url.query_pairs_mut();
        for (k, v) in &others {
            pairs.append_pair(k, v);
        }
        if let Some(tls) = &tls {
            pairs.append_pair("tls", tls);
        }
    }
    let mut out = url.to_string();
    if out.ends_with('?') {
        out.pop();
    }
    Ok(out)
}

pub fn smtp_transport(url: &str) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    AsyncSmtpTransport::<Tokio1Executor>::from_url(&secure_smtp_url(url)?)
        .map(|builder| builder.build())
        .map_err(|e| e.to_string())
}

/// Opens a connection to the SMTP server and greets it (for `parvis check`).
pub async fn test_smtp(url: &str) -> Result<(), String> {
    let transport = smtp_transport(url)?;
    match tokio::time::timeout(
        std::time::Duration::from_secs(10),
        transport.test_connection(),
    )
    .await
    {
        Ok(Ok(true)) => Ok(()),
        Ok(Ok(false)) => Err("le serveur n'a pas répondu correctement".into()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("pas de réponse en 10 secondes".into()),
    }
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

#[cfg(test)]
mod tests {
    use super::secure_smtp_url;

    #[test]
    fn smtp_to_another_machine_requires_starttls() {
        assert_eq!(
            secure_smtp_url("smtp://u:p@smtp.ville.fr:587").unwrap(),
            "smtp://u:p@smtp.ville.fr:587?tls=required"
        );
        assert_eq!(
            secure_smtp_url("smtp://localhost:25").unwrap(),
            "smtp://localhost:25"
        );
        assert_eq!(
            secure_smtp_url("smtp://relais.interne:25?tls=none").unwrap(),
            "smtp://relais.interne:25"
        );
        assert_eq!(
            secure_smtp_url("smtp://smtp.ville.fr?tls=opportunistic").unwrap(),
            "smtp://smtp.ville.fr?tls=opportunistic"
        );
        assert_eq!(
            secure_smtp_url("smtps://u:p@smtp.ville.fr").unwrap(),
            "smtps://u:p@smtp.ville.fr"
        );
    }
}
