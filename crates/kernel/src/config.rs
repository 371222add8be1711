//! One typed configuration, loaded in layers: built-in defaults, an optional TOML file,
//! then `PARVIS_*` environment variables (which win). Passed explicitly, never global.

use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Address the HTTP server listens on (`PARVIS_BIND`).
    pub bind: String,
    /// Where the embedded database, local files, outgoing mail and the secret key live.
    pub data_dir: PathBuf,
    /// `sqlite://...` or `postgres://...`; defaults to SQLite in the data directory.
    pub database_url: Option<String>,
    /// Public address of the site, used in links sent by mail; defaults to `http://` + bind.
    pub base_url: Option<String>,
    /// `smtp://user:pass@host:587` (STARTTLS), `smtps://...` (TLS) or
    /// `smtp://host:25?tls=none`. When unset, mail is written as `.eml` files.
    pub smtp_url: Option<String>,
    /// Sender of outgoing mail.
    pub mail_from: String,
    /// `s3://bucket[/prefix]` or a directory; defaults to `files/` in the data directory.
    pub storage_url: Option<String>,
    /// File holding the 32-byte secret key (generated on first start when absent).
    pub secret_key_file: Option<PathBuf>,
    /// Largest accepted upload, in bytes.
    pub max_upload_bytes: u64,
    /// A session ends after this many minutes without activity.
    pub session_idle_minutes: i64,
    /// A session ends this many hours after login, whatever the activity.
    pub session_absolute_hours: i64,
    /// `text` or `json` logs.
    pub log_format: String,
    /// Seconds between two passes of the background worker.
    pub worker_interval_seconds: u64,
    /// Behind a reverse proxy or load balancer: take the client address from
    /// `X-Forwarded-For` (only enable it when the proxy sets that header itself).
    pub behind_proxy: bool,
    /// When set, `/metrics` requires `Authorization: Bearer <token>`; when unset, it
    /// answers only clients on the loopback or a private network.
    pub metrics_token: Option<String>,
    pub commune: CommuneConfig,
    pub map: MapConfig,
    pub push: PushConfig,
}

/// Web Push notifications to people's browsers and phones.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct PushConfig {
    /// The push services a browser's subscription may point at, as origins (`*.` for any
    /// sub-domain). The server sends to nothing else, whatever a browser sends it.
    pub services: Vec<String>,
    /// How push services can reach the sender (`mailto:` or `https:`); defaults to a
    /// `mailto:` of the commune's contact address.
    pub contact: String,
}

impl Default for PushConfig {
    fn default() -> Self {
        PushConfig {
            // Chrome and most Chromium browsers, Firefox, Safari, Edge.
            services: vec![
                "https://fcm.googleapis.com".into(),
                "https://updates.push.services.mozilla.com".into(),
                "https://web.push.apple.com".into(),
                "https://*.notify.windows.com".into(),
            ],
            contact: String::new(),
        }
    }
}

impl PushConfig {
    fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for service in &self.services {
            let probe = service.replacen("*.", "x.", 1);
            let ok = url::Url::parse(&probe).is_ok_and(|u| {
                matches!(u.scheme(), "http" | "https")
                    && u.host_str().is_some()
                    && (u.path() == "/" || u.path().is_empty())
                    && u.query().is_none()
            });
            if !ok {
                problems.push(format!(
                    "PARVIS_PUSH__SERVICES : « {service} » doit être une origine https, par exemple https://fcm.googleapis.com ou https://*.notify.windows.com."
                ));
            }
        }
        let contact = self.contact.trim();
        if !contact.is_empty()
            && !contact.starts_with("mailto:")
            && !contact.starts_with("https://")
        {
            problems.push(format!(
                "PARVIS_PUSH__CONTACT « {contact} » doit commencer par mailto: ou https://."
            ));
        }
        problems
    }
}

/// Maps and address search (problem reports, later appointments and news).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct MapConfig {
    /// Tile server for the maps, with `{z}`, `{x}`, `{y}`; empty shows no map (the
    /// address field alone is enough).
    pub tile_url: String,
    /// Credit shown on the map, as the tile server's licence requires.
    pub tile_attribution: String,
    /// Address search service answering like the French national address base
    /// (`GET ?q=...&limit=...` → GeoJSON features); empty: the commune's street list only.
    pub geocoder_url: String,
    /// Restricts address search to the commune (INSEE code), when set.
    pub citycode: String,
    /// Where the maps open.
    pub center_lat: f64,
    pub center_lon: f64,
    pub zoom: u8,
}

impl MapConfig {
    fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let web_url =
            |raw: &str| url::Url::parse(raw).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
        let tiles = self.tile_url.trim();
        // A path on this site (`/tuiles/{z}/{x}/{y}.png`, behind the same proxy) is fine.
        let own_path = tiles.starts_with('/') && !tiles.starts_with("//");
        if !tiles.is_empty()
            && ((!own_path && !web_url(&tiles.replace(['{', '}'], "")))
                || !["{z}", "{x}", "{y}"].iter().all(|p| tiles.contains(p)))
        {
            problems.push(format!(
                "PARVIS_MAP__TILE_URL « {tiles} » doit être une adresse http(s) contenant {{z}}, {{x}} et {{y}} (exemple : https://tile.openstreetmap.org/{{z}}/{{x}}/{{y}}.png)."
            ));
        }
        let geocoder = self.geocoder_url.trim();
        if !geocoder.is_empty() && !web_url(geocoder) {
            problems.push(format!(
                "PARVIS_MAP__GEOCODER_URL « {geocoder} » n'est pas une adresse http(s)."
            ));
        }
        if !(-90.0..=90.0).contains(&self.center_lat)
            || !(-180.0..=180.0).contains(&self.center_lon)
        {
            problems.push("PARVIS_MAP__CENTER_LAT / PARVIS_MAP__CENTER_LON doivent être une latitude et une longitude WGS84.".into());
        }
        if !(1..=19).contains(&self.zoom) {
            problems.push("PARVIS_MAP__ZOOM doit être compris entre 1 et 19.".into());
        }
        problems
    }
}

impl Default for MapConfig {
    fn default() -> Self {
        MapConfig {
            tile_url: "https://tile.openstreetmap.org/{z}/{x}/{y}.png".into(),
            tile_attribution: "© les contributeurs d'OpenStreetMap".into(),
            geocoder_url: "https://data.geopf.fr/geocodage/search".into(),
            citycode: String::new(),
            center_lat: 45.7640,
            center_lon: 4.8357,
            zoom: 15,
        }
    }
}

/// What the commune shows of itself: name, colours, contacts and legal mentions.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct CommuneConfig {
    pub name: String,
    /// Path to an SVG or PNG logo; the built-in emblem is used when unset.
    pub logo_file: Option<PathBuf>,
    /// Main colour (links, buttons, header), as `#rrggbb`. Must keep AA contrast on white.
    pub primary_color: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub website: String,
    /// Director of publication (mentions légales).
    pub publication_director: String,
    /// Host of the service (mentions légales): name, address, phone.
    pub host: String,
    pub dpo_name: String,
    pub dpo_email: String,
    pub dpo_address: String,
    /// `totale`, `partielle` or `non` (RGAA compliance status).
    pub accessibility_status: String,
    /// Share of RGAA criteria met at the last audit, e.g. `87 %`; empty when no audit yet.
    pub accessibility_rate: String,
    pub accessibility_audit_date: String,
    pub accessibility_contact: String,
    /// The court that hears appeals against the commune's decisions, as written in
    /// acknowledgements and decisions (« tribunal administratif de Lyon »).
    pub administrative_court: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./parvis-data"),
            database_url: None,
            base_url: None,
            smtp_url: None,
            mail_from: "Ville de Démo <ne-pas-repondre@demo.parvis.fr>".into(),
            storage_url: None,
            secret_key_file: None,
            max_upload_bytes: 10 * 1024 * 1024,
            session_idle_minutes: 60,
            session_absolute_hours: 12,
            log_format: "text".into(),
            worker_interval_seconds: 5,
            behind_proxy: false,
            metrics_token: None,
            commune: CommuneConfig::default(),
            map: MapConfig::default(),
            push: PushConfig::default(),
        }
    }
}

impl Default for CommuneConfig {
    fn default() -> Self {
        CommuneConfig {
            name: "Ville de Démo".into(),
            logo_file: None,
            primary_color: "#1d4f91".into(),
            address: "Hôtel de ville, 1 place de la Mairie, 00000 Démo".into(),
            phone: "01 23 45 67 89".into(),
            email: "contact@demo.parvis.fr".into(),
            website: "https://demo.parvis.fr".into(),
            publication_director: "Le maire de la Ville de Démo".into(),
            host: "Ville de Démo, service informatique, 1 place de la Mairie, 00000 Démo".into(),
            dpo_name: "Délégué à la protection des données".into(),
            dpo_email: "dpo@demo.parvis.fr".into(),
            dpo_address: "Hôtel de ville, DPO, 1 place de la Mairie, 00000 Démo".into(),
            accessibility_status: "non".into(),
            accessibility_rate: String::new(),
            accessibility_audit_date: String::new(),
            accessibility_contact: "accessibilite@demo.parvis.fr".into(),
            administrative_court: "tribunal administratif territorialement compétent".into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("configuration illisible : {0}")]
pub struct ConfigError(String);

impl Config {
    /// Defaults, then the TOML file if given, then `PARVIS_*` variables
    /// (`PARVIS_COMMUNE__NAME` sets `commune.name`).
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(file) = file {
            if !file.exists() {
                return Err(ConfigError(format!(
                    "le fichier {} n'existe pas",
                    file.display()
                )));
            }
            figment = figment.merge(Toml::file(file));
        }
        figment = figment.merge(
            Env::prefixed("PARVIS_")
                .ignore(&[
                    "TEST_POSTGRES_URL",
                    "BROWSER_TESTS",
                    "CHROMIUM",
                    "CHROMEDRIVER",
                    "AXE_JS",
                ])
                .split("__"),
        );
        figment.extract().map_err(|e| ConfigError(e.to_string()))
    }

    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) if !url.trim().is_empty() => url.clone(),
            _ => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("parvis.db").display()
            ),
        }
    }

    pub fn secret_key_path(&self) -> PathBuf {
        self.secret_key_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("secret.key"))
    }

    pub fn mail_dir(&self) -> PathBuf {
        self.data_dir.join("mail")
    }

    pub fn base_url(&self) -> String {
        match &self.base_url {
            Some(url) if !url.trim().is_empty() => url.trim().trim_end_matches('/').to_string(),
            _ => format!("http://{}", self.bind),
        }
    }

    /// Who push services may contact about this sender.
    pub fn push_contact(&self) -> String {
        match self.push.contact.trim() {
            "" => format!("mailto:{}", self.commune.email.trim()),
            contact => contact.to_string(),
        }
    }

    /// Cookies get the `Secure` flag and HSTS is sent only when the public address is HTTPS.
    pub fn is_https(&self) -> bool {
        self.base_url().starts_with("https://")
    }

    /// Every problem found, in plain French; empty when the configuration is usable.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.bind.parse::<std::net::SocketAddr>().is_err() {
            problems.push(format!(
                "PARVIS_BIND « {} » n'est pas une adresse d'écoute valide (exemple : 127.0.0.1:8080).",
                self.bind
            ));
        }
        match url::Url::parse(&self.base_url()) {
            Ok(url) if url.scheme() == "http" || url.scheme() == "https" => {}
            _ => problems.push(format!(
                "PARVIS_BASE_URL « {} » doit être une adresse http:// ou https:// complète.",
                self.base_url()
            )),
        }
        let db = self.database_url();
        if !(db.starts_with("sqlite:")
            || db.starts_with("postgres://")
            || db.starts_with("postgresql://"))
        {
            problems.push(format!(
                "PARVIS_DATABASE_URL doit commencer par sqlite: ou postgres:// (reçu : « {} »).",
                redact_url(&db)
            ));
        }
        if let Some(smtp) = &self.smtp_url
            && crate::mail::smtp_transport(smtp).is_err()
        {
            problems.push(format!(
                    "PARVIS_SMTP_URL « {} » n'est pas une adresse SMTP valide (exemple : smtp://utilisateur:motdepasse@smtp.exemple.fr:587).",
                    redact_url(smtp)
                ));
        }
        if self.mail_from.parse::<lettre::message::Mailbox>().is_err() {
            problems.push(format!(
                "PARVIS_MAIL_FROM « {} » n'est pas une adresse d'expéditeur valide.",
                self.mail_from
            ));
        }
        if let Some(storage) = &self.storage_url
            && let Err(e) = crate::storage::StorageLocation::parse(storage, &self.data_dir)
        {
            problems.push(e.to_string());
        }
        if !is_hex_color(&self.commune.primary_color) {
            problems.push(format!(
                "PARVIS_COMMUNE__PRIMARY_COLOR « {} » doit être une couleur #rrggbb.",
                self.commune.primary_color
            ));
        } else if crate::web::theme::contrast_on_white(&self.commune.primary_color) < 4.5 {
            problems.push(format!(
                "La couleur principale « {} » n'a pas un contraste suffisant sur fond blanc (4,5:1 au minimum, exigence RGAA).",
                self.commune.primary_color
            ));
        }
        if let Some(logo) = &self.commune.logo_file
            && !logo.is_file()
        {
            problems.push(format!("Le logo {} est introuvable.", logo.display()));
        }
        if self.session_idle_minutes <= 0 || self.session_absolute_hours <= 0 {
            problems.push("Les durées de session doivent être positives.".into());
        }
        if self.max_upload_bytes == 0 {
            problems.push("PARVIS_MAX_UPLOAD_BYTES doit être supérieur à zéro.".into());
        }
        problems.extend(self.map.problems());
        problems.extend(self.push.problems());
        problems
    }
}

pub fn is_hex_color(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit())
}

/// Hides the password of a URL before it is shown or logged.
pub fn redact_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("***"));
            url.to_string()
        }
        _ => raw.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_usable() {
        let config = Config::default();
        assert!(config.problems().is_empty(), "{:?}", config.problems());
        assert!(config.database_url().starts_with("sqlite://"));
    }

    #[test]
    fn bad_values_are_explained() {
        let config = Config {
            bind: "nowhere".into(),
            base_url: Some("ftp://x".into()),
            database_url: Some("mysql://x".into()),
            commune: CommuneConfig {
                primary_color: "#ffff00".into(),
                ..CommuneConfig::default()
            },
            ..Config::default()
        };
        let problems = config.problems();
        assert_eq!(problems.len(), 4, "{problems:?}");
        let mut map = Config::default();
        map.map.tile_url = "https://tiles.example.org/carte.png".into();
        map.map.geocoder_url = "ftp://adresse".into();
        map.map.zoom = 30;
        let map_problems = map.problems();
        assert_eq!(map_problems.len(), 3, "{map_problems:?}");
        assert!(map_problems[0].contains("{z}"));
        assert!(problems[0].contains("PARVIS_BIND"));
        assert!(problems[3].contains("contraste"));
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact_url("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
    }
}
