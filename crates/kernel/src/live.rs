//! Live events for Server-Sent Events: a new report in a team's inbox, a status change on
//! a tracking page. Within one instance they go through an in-process broadcast; with
//! PostgreSQL they go through `NOTIFY`, and every instance's listener re-broadcasts them,
//! so an agent connected to one instance sees what another instance recorded.
//!
//! Events carry identifiers only, never personal data: a page that receives one reloads
//! what it shows through the usual permission checks.

use std::time::Duration;

use sha2::{Digest, Sha256};
use tokio::sync::broadcast;

use crate::db::{Backend, Db};

/// One event: a topic (`reports.team.<id>`, `reports.report.<id>` ...) and a small payload.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LiveEvent {
    pub topic: String,
    pub payload: String,
}

/// Largest payload sent: PostgreSQL refuses notifications over 8,000 bytes.
const MAX_PAYLOAD: usize = 4000;

#[derive(Clone)]
pub struct Live {
    sender: broadcast::Sender<LiveEvent>,
    /// The PostgreSQL channel, unique per database and schema, so that two Parvis on one
    /// server (or two test schemas) never hear each other.
    channel: Option<String>,
}

impl Live {
    /// In-process only (SQLite, or tests).
    pub fn local() -> Live {
        let (sender, _) = broadcast::channel(1024);
        Live {
            sender,
            channel: None,
        }
    }

    /// For `db`: on PostgreSQL, starts the listener that carries other instances' events.
    pub async fn start(db: &Db, database_url: &str) -> Result<Live, sqlx::Error> {
        let mut live = Live::local();
        if db.backend() == Backend::Postgres {
            let digest = Sha256::digest(database_url.as_bytes());
            let channel = format!("parvis_live_{}", &hex::encode(digest)[..16]);
            let mut listener = sqlx::postgres::PgListener::connect(database_url).await?;
            listener.listen(&channel).await?;
            live.channel = Some(channel);
            let sender = live.sender.clone();
            tokio::spawn(async move {
                loop {
                    match listener.recv().await {
                        Ok(notification) => {
                            if let Ok(event) =
                                serde_json::from_str::<LiveEvent>(notification.payload())
                            {
                                let _ = sender.send(event);
                            }
                        }
                        Err(e) => {
                            // recv reconnects by itself; an error means the server is
                            // away: wait a little before asking again.
                            tracing::warn!(error = %e, "écoute des événements en direct interrompue");
                            tokio::time::sleep(Duration::from_secs(1)).await;
                        }
                    }
                }
            });
        }
        Ok(live)
    }

    pub fn subscribe(&self) -> broadcast::Receiver<LiveEvent> {
        self.sender.subscribe()
    }

    /// Publishes an event once its cause is committed. On PostgreSQL it is sent with
    /// `pg_notify` and comes back through the listener (to this instance too); on SQLite
    /// it is broadcast at once. A lost event is never an error for the caller: pages also
    /// show the truth when reloaded.
    pub async fn publish(&self, db: &Db, topic: &str, payload: &str) {
        // Cut on a character boundary, counting bytes (PostgreSQL's limit is in bytes).
        let mut end = payload.len().min(MAX_PAYLOAD);
        while !payload.is_char_boundary(end) {
            end -= 1;
        }
        let payload = payload[..end].to_string();
        let event = LiveEvent {
            topic: topic.to_string(),
            payload,
        };
        match &self.channel {
            Some(channel) => {
                let Ok(text) = serde_json::to_string(&event) else {
                    return;
                };
                if let Err(e) = sqlx::query("SELECT pg_notify($1, $2)")
                    .bind(channel)
                    .bind(text)
                    .execute(db.pool())
                    .await
                {
                    tracing::warn!(error = %e, "événement en direct non envoyé");
                }
            }
            None => {
                let _ = self.sender.send(event);
            }
        }
    }
}
