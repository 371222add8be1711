//! Web Push: the browsers and phones where a person accepted notifications, and the
//! delivery of a notification to each of them.
//!
//! A subscription is what the browser's `PushManager` gives: the push service's address
//! for this browser and two keys. A notification is one outbox row per device, written in
//! the same transaction as the change that causes it; the worker delivers it like an
//! e-mail, with the message encrypted for that browser alone (RFC 8291) and signed with the
//! instance's VAPID key (RFC 8292), so the push service reads nothing and trusts the sender.
//!
//! The server only ever sends to the push services of the configuration (`[push]
//! services`): an address given by a browser cannot make it call anything else.

use base64::Engine;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use jiff::{SignedDuration, Timestamp};
use p256::ecdsa::signature::Signer;
use sqlx::Row;

use crate::clock::{from_db, to_db};
use crate::db::{Db, Tx};
use crate::secret::SecretKey;

/// How long a push service keeps a notification for a device that is offline.
const TIME_TO_LIVE: SignedDuration = SignedDuration::from_hours(24);
/// A push message carries at most 4 kB; titles and texts are cut well below that.
const TITLE_MAX: usize = 120;
const BODY_MAX: usize = 300;

// ------------------------------------------------------------------ the server's key

/// The instance's VAPID key pair. It is derived from the instance's secret key, so every
/// instance of a city shares it without one more secret to distribute, and browsers'
/// subscriptions survive restarts.
#[derive(Clone)]
pub struct Vapid {
    signing: p256::ecdsa::SigningKey,
    public: String,
}

impl std::fmt::Debug for Vapid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Vapid({})", self.public)
    }
}

impl Vapid {
    pub fn from_secret(secret: &SecretKey) -> Vapid {
        // A 32-byte string is a valid P-256 scalar unless it is zero or above the group
        // order (a chance of about 2^-32); the next derivation is taken then.
        let mut round = 0u32;
        let secret_key = loop {
            let bytes = secret.derive(&format!("web-push-vapid/{round}"));
            if let Ok(key) = p256::SecretKey::from_slice(&bytes) {
                break key;
            }
            round += 1;
        };
        let public = secret_key.public_key();
        let point = p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(&public, false);
        Vapid {
            signing: p256::ecdsa::SigningKey::from(&secret_key),
            public: URL_SAFE_NO_PAD.encode(point.as_bytes()),
        }
    }

    /// The public key browsers subscribe with (`applicationServerKey`), base64url.
    pub fn public_key(&self) -> &str {
        &self.public
    }

    /// The `Authorization` header for one push service: an ES256 token naming the push
    /// service's origin, an expiry within a day, and who to contact about this sender.
    pub fn authorization(&self, endpoint: &url::Url, contact: &str, now: Timestamp) -> String {
        let audience = endpoint.origin().ascii_serialization();
        let expires = (now + SignedDuration::from_hours(12)).as_second();
        let header = URL_SAFE_NO_PAD.encode(br#"{"typ":"JWT","alg":"ES256"}"#);
        let claims = URL_SAFE_NO_PAD.encode(
            serde_json::json!({ "aud": audience, "exp": expires, "sub": contact }).to_string(),
        );
        let signed = format!("{header}.{claims}");
        let signature: p256::ecdsa::Signature = self.signing.sign(signed.as_bytes());
        let token = format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()));
        format!("vapid t={token}, k={}", self.public)
    }
}

// ------------------------------------------------------------------ subscriptions (pure)

/// What the browser sends (`PushSubscription.toJSON()`).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct RawSubscription {
    #[serde(default)]
    pub endpoint: String,
    #[serde(default)]
    pub keys: RawKeys,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct RawKeys {
    #[serde(default)]
    pub p256dh: String,
    #[serde(default)]
    pub auth: String,
}

/// A checked subscription: an allowed push service, a valid P-256 key, a 16-byte secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub endpoint: String,
    /// The browser's public key, base64url without padding.
    pub p256dh: String,
    /// The browser's authentication secret, base64url without padding.
    pub auth: String,
}

/// Why a subscription is refused: a stable code and a sentence in French.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriptionError {
    EndpointInvalid,
    ServiceNotAllowed,
    KeyInvalid,
    AuthInvalid,
}

impl SubscriptionError {
    pub fn code(self) -> &'static str {
        match self {
            SubscriptionError::EndpointInvalid => "endpoint_invalid",
            SubscriptionError::ServiceNotAllowed => "push_service_not_allowed",
            SubscriptionError::KeyInvalid => "p256dh_invalid",
            SubscriptionError::AuthInvalid => "auth_invalid",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            SubscriptionError::EndpointInvalid => {
                "L'adresse d'abonnement envoyée par le navigateur n'est pas une adresse https valide."
            }
            SubscriptionError::ServiceNotAllowed => {
                "Ce navigateur utilise un service de notification que la commune n'a pas autorisé."
            }
            SubscriptionError::KeyInvalid => {
                "La clé de chiffrement envoyée par le navigateur est invalide."
            }
            SubscriptionError::AuthInvalid => {
                "Le secret d'authentification envoyé par le navigateur est invalide."
            }
        }
    }
}

fn decode_base64url(raw: &str) -> Option<Vec<u8>> {
    let raw = raw.trim();
    // Browsers send base64url without padding; some libraries add it.
    URL_SAFE_NO_PAD
        .decode(raw)
        .or_else(|_| URL_SAFE.decode(raw))
        .ok()
}

/// Checks what a browser sent against the allowed push services.
pub fn check_subscription(
    raw: &RawSubscription,
    services: &[String],
) -> Result<Subscription, SubscriptionError> {
    let endpoint = allowed_endpoint(raw.endpoint.trim(), services)?;
    let key = decode_base64url(&raw.keys.p256dh).ok_or(SubscriptionError::KeyInvalid)?;
    if key.len() != 65 || p256::PublicKey::from_sec1_bytes(&key).is_err() {
        return Err(SubscriptionError::KeyInvalid);
    }
    let auth = decode_base64url(&raw.keys.auth).ok_or(SubscriptionError::AuthInvalid)?;
    if auth.len() != 16 {
        return Err(SubscriptionError::AuthInvalid);
    }
    Ok(Subscription {
        endpoint: endpoint.to_string(),
        p256dh: URL_SAFE_NO_PAD.encode(key),
        auth: URL_SAFE_NO_PAD.encode(auth),
    })
}

/// The endpoint, when it is a plain web address on one of the allowed push services.
/// A service is an origin (`https://fcm.googleapis.com`), `*.` standing for any
/// sub-domain (`https://*.notify.windows.com`).
pub fn allowed_endpoint(raw: &str, services: &[String]) -> Result<url::Url, SubscriptionError> {
    let url = url::Url::parse(raw).map_err(|_| SubscriptionError::EndpointInvalid)?;
    if !matches!(url.scheme(), "https" | "http")
        || url.host_str().is_none()
        || !url.username().is_empty()
        || url.password().is_some()
        || raw.len() > 2000
    {
        return Err(SubscriptionError::EndpointInvalid);
    }
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let allowed = services.iter().any(|service| {
        let Some((scheme, rest)) = service.trim().split_once("://") else {
            return false;
        };
        let rest = rest.trim_end_matches('/');
        let (pattern, port) = match rest.rsplit_once(':') {
            Some((h, p)) if !h.is_empty() && p.chars().all(|c| c.is_ascii_digit()) => {
                (h, p.parse::<u16>().ok())
            }
            _ => (rest, None),
        };
        let default_port = match scheme {
            "https" => 443,
            "http" => 80,
            _ => return false,
        };
        let pattern = pattern.to_ascii_lowercase();
        let host_matches = match pattern.strip_prefix("*.") {
            Some(suffix) => host.ends_with(&format!(".{suffix}")),
            None => host == pattern,
        };
        scheme == url.scheme()
            && host_matches
            && url.port_or_known_default() == Some(port.unwrap_or(default_port))
    });
    if allowed {
        Ok(url)
    } else {
        Err(SubscriptionError::ServiceNotAllowed)
    }
}

/// A name for the device in the person's list, from its browser's User-Agent.
pub fn device_label(user_agent: &str) -> String {
    let ua = user_agent;
    let browser = if ua.contains("Edg/") {
        "Edge"
    } else if ua.contains("OPR/") {
        "Opera"
    } else if ua.contains("Firefox/") {
        "Firefox"
    } else if ua.contains("Chrome/") || ua.contains("Chromium/") {
        "Chrome"
    } else if ua.contains("Safari/") {
        "Safari"
    } else {
        "Navigateur"
    };
    let system = if ua.contains("Android") {
        Some("Android")
    } else if ua.contains("iPhone") || ua.contains("iPad") {
        Some("iOS")
    } else if ua.contains("Windows") {
        Some("Windows")
    } else if ua.contains("Mac OS X") || ua.contains("Macintosh") {
        Some("macOS")
    } else if ua.contains("Linux") || ua.contains("X11") {
        Some("Linux")
    } else {
        None
    };
    match system {
        Some(system) => format!("{browser} sur {system}"),
        None => browser.to_string(),
    }
}

/// What a notification says and where it leads, kept short: it travels through the
/// browser maker's push service (encrypted) and shows on a locked phone's screen.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Notification {
    pub title: String,
    pub body: String,
    /// A path of this site, opened when the notification is touched.
    pub url: String,
    /// Notifications with the same tag replace each other on the device.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
}

fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max - 1).collect();
    out.push('…');
    out
}

impl Notification {
    /// The JSON the service worker reads, within the size a push message allows.
    pub fn payload(&self) -> String {
        let url = if self.url.starts_with('/') && !self.url.starts_with("//") {
            self.url.clone()
        } else {
            "/".to_string()
        };
        serde_json::json!({
            "title": cut(self.title.trim(), TITLE_MAX),
            "body": cut(self.body.trim(), BODY_MAX),
            "url": url,
            "tag": self.tag,
        })
        .to_string()
    }
}

// ------------------------------------------------------------------ storage

/// One device of a person, as listed on their notifications page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub id: String,
    pub label: String,
    pub created_at: Timestamp,
    pub last_success_at: Option<Timestamp>,
}

/// A person keeps at most this many devices; subscribing one more forgets the oldest.
pub const MAX_DEVICES: usize = 20;

/// Records a subscription for the person. A browser has one subscription: when it is
/// given again (by another person logging in on the same computer), it moves to them.
pub async fn subscribe(
    tx: &mut Tx,
    user_id: &str,
    subscription: &Subscription,
    label: &str,
    now: Timestamp,
) -> Result<String, sqlx::Error> {
    let existing: Option<String> =
        sqlx::query_scalar("SELECT id FROM push_subscriptions WHERE endpoint = $1")
            .bind(&subscription.endpoint)
            .fetch_optional(&mut **tx)
            .await?;
    if let Some(id) = existing {
        sqlx::query(
            "UPDATE push_subscriptions SET user_id = $2, p256dh = $3, auth = $4, label = $5, created_at = $6, last_success_at = NULL
             WHERE id = $1",
        )
        .bind(&id)
        .bind(user_id)
        .bind(&subscription.p256dh)
        .bind(&subscription.auth)
        .bind(label)
        .bind(to_db(now))
        .execute(&mut **tx)
        .await?;
        return Ok(id);
    }
    let id = uuid::Uuid::new_v4().to_string();
    sqlx::query(
        "INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, label, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(user_id)
    .bind(&subscription.endpoint)
    .bind(&subscription.p256dh)
    .bind(&subscription.auth)
    .bind(label)
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    let all: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM push_subscriptions WHERE user_id = $1 ORDER BY created_at DESC, id",
    )
    .bind(user_id)
    .fetch_all(&mut **tx)
    .await?;
    for old in all.iter().filter(|old| **old != id).skip(MAX_DEVICES - 1) {
        sqlx::query("DELETE FROM push_subscriptions WHERE id = $1")
            .bind(old)
            .execute(&mut **tx)
            .await?;
    }
    Ok(id)
}

pub async fn devices(db: &Db, user_id: &str) -> Result<Vec<Device>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, label, created_at, last_success_at FROM push_subscriptions
         WHERE user_id = $1 ORDER BY created_at DESC, id",
    )
    .bind(user_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Device {
            id: r.get(0),
            label: r.get(1),
            created_at: from_db(r.get(2)),
            last_success_at: r.get::<Option<i64>, _>(3).map(from_db),
        })
        .collect())
}

/// Removes one of the person's devices; false when it is not theirs (or gone).
pub async fn unsubscribe(tx: &mut Tx, user_id: &str, id: &str) -> Result<bool, sqlx::Error> {
    let removed = sqlx::query("DELETE FROM push_subscriptions WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    Ok(removed == 1)
}

/// Forgets a device whoever it belongs to: it left its push service, or its browser's
/// session ended.
pub async fn forget(db: &Db, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM push_subscriptions WHERE id = $1")
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Queues the notification for each of the person's devices, inside the caller's
/// transaction. Returns how many devices will get it.
pub async fn notify(
    tx: &mut Tx,
    now: Timestamp,
    user_id: &str,
    notification: &Notification,
) -> Result<usize, sqlx::Error> {
    let ids: Vec<String> =
        sqlx::query_scalar("SELECT id FROM push_subscriptions WHERE user_id = $1")
            .bind(user_id)
            .fetch_all(&mut **tx)
            .await?;
    let payload = notification.payload();
    for subscription_id in &ids {
        sqlx::query(
            "INSERT INTO outbox (id, channel, recipient, subject, body_text, status, attempts, next_attempt_at, created_at)
             VALUES ($1, 'push', $2, $3, $4, 'pending', 0, $5, $5)",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(subscription_id)
        .bind(cut(notification.title.trim(), TITLE_MAX))
        .bind(&payload)
        .bind(to_db(now))
        .execute(&mut **tx)
        .await?;
    }
    Ok(ids.len())
}

// ------------------------------------------------------------------ delivery

/// How one delivery went, as the outbox records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Delivered,
    /// The device unsubscribed or the subscription expired: it was removed, nothing more
    /// will be sent to it.
    Gone,
    /// Worth trying again later (push service down, busy, network).
    Retry(String),
    /// Will never work as it is (refused key, message too large, service not allowed).
    Failed(String),
}

/// Sends notifications: the VAPID key, the contact given to push services, the services
/// allowed, and one HTTP client without redirects (a push service never redirects).
#[derive(Clone)]
pub struct WebPush {
    vapid: Vapid,
    contact: String,
    services: Vec<String>,
    http: reqwest::Client,
}

impl WebPush {
    pub fn new(
        secret: &SecretKey,
        contact: String,
        services: Vec<String>,
    ) -> Result<WebPush, String> {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(15))
            .connect_timeout(std::time::Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Parvis/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(WebPush {
            vapid: Vapid::from_secret(secret),
            contact,
            services,
            http,
        })
    }

    pub fn public_key(&self) -> &str {
        self.vapid.public_key()
    }

    pub fn services(&self) -> &[String] {
        &self.services
    }

    /// Delivers one queued notification to its device.
    pub async fn deliver(
        &self,
        db: &Db,
        subscription_id: &str,
        payload: &str,
        now: Timestamp,
    ) -> Result<Delivery, sqlx::Error> {
        let row =
            sqlx::query("SELECT endpoint, p256dh, auth FROM push_subscriptions WHERE id = $1")
                .bind(subscription_id)
                .fetch_optional(db.pool())
                .await?;
        let Some(row) = row else {
            return Ok(Delivery::Gone);
        };
        let endpoint: String = row.get(0);
        let p256dh: String = row.get(1);
        let auth: String = row.get(2);
        let outcome = self.post(&endpoint, &p256dh, &auth, payload, now).await;
        match &outcome {
            Delivery::Delivered => {
                sqlx::query("UPDATE push_subscriptions SET last_success_at = $2 WHERE id = $1")
                    .bind(subscription_id)
                    .bind(to_db(now))
                    .execute(db.pool())
                    .await?;
            }
            Delivery::Gone => forget(db, subscription_id).await?,
            Delivery::Retry(_) | Delivery::Failed(_) => {}
        }
        Ok(outcome)
    }

    async fn post(
        &self,
        endpoint: &str,
        p256dh: &str,
        auth: &str,
        payload: &str,
        now: Timestamp,
    ) -> Delivery {
        // Checked again at each delivery: the allowed services may have changed since.
        let url = match allowed_endpoint(endpoint, &self.services) {
            Ok(url) => url,
            Err(e) => return Delivery::Failed(e.message().to_string()),
        };
        let keys = (|| {
            let key = p256::PublicKey::from_sec1_bytes(&decode_base64url(p256dh)?).ok()?;
            let auth: [u8; 16] = decode_base64url(auth)?.try_into().ok()?;
            Some((key, web_push_native::Auth::from(auth)))
        })();
        let Some((key, auth)) = keys else {
            return Delivery::Failed("clés d'abonnement illisibles".into());
        };
        let Ok(uri) = endpoint.parse() else {
            return Delivery::Failed("adresse d'abonnement illisible".into());
        };
        let built = web_push_native::WebPushBuilder::new(uri, key, auth)
            .with_valid_duration(TIME_TO_LIVE.unsigned_abs())
            .build(payload.as_bytes().to_vec());
        let request = match built {
            Ok(request) => request,
            Err(e) => return Delivery::Failed(format!("chiffrement impossible : {e}")),
        };
        let (parts, body) = request.into_parts();
        let mut builder = self.http.post(url.clone()).body(body);
        for (name, value) in &parts.headers {
            builder = builder.header(name, value);
        }
        let response = builder
            .header(
                reqwest::header::AUTHORIZATION,
                self.vapid.authorization(&url, &self.contact, now),
            )
            .header("Urgency", "high")
            .send()
            .await;
        match response {
            Ok(response) => classify(response.status().as_u16()),
            Err(e) => Delivery::Retry(format!("service de notification injoignable : {e}")),
        }
    }
}

/// What a push service's answer means (RFC 8030 § 5 and § 7).
pub fn classify(status: u16) -> Delivery {
    match status {
        200..=299 => Delivery::Delivered,
        404 | 410 => Delivery::Gone,
        429 | 500..=599 => Delivery::Retry(format!("le service de notification répond {status}")),
        _ => Delivery::Failed(format!("le service de notification refuse ({status})")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn services() -> Vec<String> {
        vec![
            "https://fcm.googleapis.com".into(),
            "https://*.notify.windows.com".into(),
            "http://127.0.0.1:4000".into(),
        ]
    }

    #[test]
    fn only_the_allowed_push_services_are_called() {
        let ok = |u: &str| allowed_endpoint(u, &services()).is_ok();
        assert!(ok("https://fcm.googleapis.com/fcm/send/abc"));
        assert!(ok("https://wns2-par02p.notify.windows.com/w/?token=x"));
        assert!(ok("http://127.0.0.1:4000/push/1"));
        // Look-alikes, other schemes, other ports, credentials: refused.
        assert!(!ok("https://fcm.googleapis.com.evil.example/x"));
        assert!(!ok("https://notify.windows.com/x"));
        assert!(!ok("http://fcm.googleapis.com/x"));
        assert!(!ok("http://127.0.0.1:4001/push/1"));
        assert!(!ok("http://127.0.0.1/push/1"));
        assert!(!ok("https://user:pw@fcm.googleapis.com/x"));
        assert!(!ok("file:///etc/passwd"));
        assert_eq!(
            allowed_endpoint("pas une adresse", &services()),
            Err(SubscriptionError::EndpointInvalid)
        );
        assert_eq!(
            allowed_endpoint("http://169.254.169.254/latest", &services()),
            Err(SubscriptionError::ServiceNotAllowed)
        );
    }

    fn browser_keys() -> (p256::SecretKey, String, String) {
        let secret = p256::SecretKey::from_slice(&[7u8; 32]).unwrap();
        let public = p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(
            &secret.public_key(),
            false,
        );
        (
            secret,
            URL_SAFE_NO_PAD.encode(public.as_bytes()),
            URL_SAFE_NO_PAD.encode([9u8; 16]),
        )
    }

    #[test]
    fn a_subscription_needs_a_real_key_and_secret() {
        let (_, p256dh, auth) = browser_keys();
        let raw = |endpoint: &str, p256dh: &str, auth: &str| RawSubscription {
            endpoint: endpoint.into(),
            keys: RawKeys {
                p256dh: p256dh.into(),
                auth: auth.into(),
            },
        };
        let good = check_subscription(
            &raw("https://fcm.googleapis.com/fcm/send/a", &p256dh, &auth),
            &services(),
        )
        .unwrap();
        assert_eq!(good.p256dh, p256dh);
        // Padded base64url is read too, and stored unpadded.
        let padded = URL_SAFE.encode([9u8; 16]);
        assert_eq!(
            check_subscription(
                &raw("https://fcm.googleapis.com/fcm/send/a", &p256dh, &padded),
                &services()
            )
            .unwrap()
            .auth,
            auth
        );
        let fail = |r: RawSubscription| check_subscription(&r, &services()).unwrap_err();
        assert_eq!(
            fail(raw("https://evil.example/a", &p256dh, &auth)),
            SubscriptionError::ServiceNotAllowed
        );
        assert_eq!(
            fail(raw(
                "https://fcm.googleapis.com/a",
                &URL_SAFE_NO_PAD.encode([4u8; 65]),
                &auth
            )),
            SubscriptionError::KeyInvalid
        );
        assert_eq!(
            fail(raw("https://fcm.googleapis.com/a", "%%%", &auth)),
            SubscriptionError::KeyInvalid
        );
        assert_eq!(
            fail(raw(
                "https://fcm.googleapis.com/a",
                &p256dh,
                &URL_SAFE_NO_PAD.encode([1u8; 8])
            )),
            SubscriptionError::AuthInvalid
        );
        for e in [
            SubscriptionError::EndpointInvalid,
            SubscriptionError::ServiceNotAllowed,
            SubscriptionError::KeyInvalid,
            SubscriptionError::AuthInvalid,
        ] {
            assert!(!e.code().is_empty() && e.message().ends_with('.'));
        }
    }

    #[test]
    fn the_vapid_key_is_stable_and_its_token_verifies() {
        use p256::ecdsa::signature::Verifier;
        let secret = SecretKey::from_bytes([3u8; 32]);
        let vapid = Vapid::from_secret(&secret);
        assert_eq!(vapid.public_key(), Vapid::from_secret(&secret).public_key());
        assert_ne!(
            vapid.public_key(),
            Vapid::from_secret(&SecretKey::from_bytes([4u8; 32])).public_key()
        );
        let now: Timestamp = "2026-12-07T10:00:00Z".parse().unwrap();
        let endpoint = url::Url::parse("https://fcm.googleapis.com/fcm/send/abc").unwrap();
        let header = vapid.authorization(&endpoint, "mailto:dsi@demo.parvis.fr", now);
        let (token, key) = header
            .strip_prefix("vapid t=")
            .and_then(|rest| rest.split_once(", k="))
            .unwrap();
        assert_eq!(key, vapid.public_key());
        let (signed, signature) = token.rsplit_once('.').unwrap();
        let verifying =
            p256::ecdsa::VerifyingKey::from_sec1_bytes(&URL_SAFE_NO_PAD.decode(key).unwrap())
                .unwrap();
        let signature =
            p256::ecdsa::Signature::from_slice(&URL_SAFE_NO_PAD.decode(signature).unwrap())
                .unwrap();
        verifying.verify(signed.as_bytes(), &signature).unwrap();
        let claims: serde_json::Value = serde_json::from_slice(
            &URL_SAFE_NO_PAD
                .decode(signed.split('.').nth(1).unwrap())
                .unwrap(),
        )
        .unwrap();
        assert_eq!(claims["aud"], "https://fcm.googleapis.com");
        assert_eq!(claims["sub"], "mailto:dsi@demo.parvis.fr");
        assert_eq!(claims["exp"], now.as_second() + 12 * 3600);
    }

    #[test]
    fn payloads_stay_small_and_lead_inside_the_site() {
        let long = Notification {
            title: "T".repeat(500),
            body: "é".repeat(5000),
            url: "https://evil.example/".into(),
            tag: None,
        };
        let payload: serde_json::Value = serde_json::from_str(&long.payload()).unwrap();
        assert_eq!(
            payload["title"].as_str().unwrap().chars().count(),
            TITLE_MAX
        );
        assert_eq!(payload["body"].as_str().unwrap().chars().count(), BODY_MAX);
        assert_eq!(payload["url"], "/");
        assert!(long.payload().len() < 3000);
        let protocol_relative = Notification {
            url: "//evil.example/".into(),
            ..long.clone()
        };
        assert!(protocol_relative.payload().contains("\"url\":\"/\""));
    }

    #[test]
    fn what_a_push_service_answers() {
        assert_eq!(classify(201), Delivery::Delivered);
        assert_eq!(classify(410), Delivery::Gone);
        assert_eq!(classify(404), Delivery::Gone);
        assert!(matches!(classify(429), Delivery::Retry(_)));
        assert!(matches!(classify(503), Delivery::Retry(_)));
        assert!(matches!(classify(413), Delivery::Failed(_)));
        assert!(matches!(classify(403), Delivery::Failed(_)));
    }

    #[test]
    fn devices_are_named_by_browser_and_system() {
        assert_eq!(
            device_label("Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0"),
            "Firefox sur Android"
        );
        assert_eq!(
            device_label(
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36 Edg/131.0"
            ),
            "Edge sur Windows"
        );
        assert_eq!(
            device_label(
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
            ),
            "Safari sur iOS"
        );
        assert_eq!(device_label(""), "Navigateur");
    }

    #[test]
    fn a_message_decrypts_only_with_the_browser_keys() {
        let (secret, p256dh, auth) = browser_keys();
        let key =
            p256::PublicKey::from_sec1_bytes(&URL_SAFE_NO_PAD.decode(&p256dh).unwrap()).unwrap();
        let auth: [u8; 16] = URL_SAFE_NO_PAD.decode(auth).unwrap().try_into().unwrap();
        let auth = web_push_native::Auth::from(auth);
        let sealed = web_push_native::encrypt(b"Bonjour".to_vec(), &key, &auth).unwrap();
        assert!(!sealed.windows(7).any(|w| w == b"Bonjour"));
        assert_eq!(
            web_push_native::decrypt(sealed.clone(), &secret, &auth).unwrap(),
            b"Bonjour"
        );
        let other = p256::SecretKey::from_slice(&[8u8; 32]).unwrap();
        assert!(web_push_native::decrypt(sealed, &other, &auth).is_err());
    }
}
