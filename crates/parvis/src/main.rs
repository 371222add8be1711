//! `parvis`: the server and its administration commands.

use std::io::{BufRead, IsTerminal, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use kernel::clock::SystemClock;
use kernel::{Caller, Config, Kernel};

#[derive(Parser)]
#[command(
    name = "parvis",
    version,
    about = "Parvis — le guichet numérique de la commune"
)]
struct Cli {
    /// Fichier de configuration TOML (les variables PARVIS_* l'emportent sur lui).
    #[arg(long, global = true, value_name = "FICHIER")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Démarre le serveur (commande par défaut).
    Serve {
        /// Ne pas créer la commune de démonstration au premier démarrage.
        #[arg(long)]
        no_demo: bool,
    },
    /// Applique les migrations de la base de données.
    Migrate,
    /// Crée les données de démonstration (« Ville de Démo ») dans la base configurée.
    Demo,
    /// Vérifie la configuration, la base de données, le stockage et l'envoi de courriels.
    Check,
    /// Gère les comptes du personnel.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Gère les services municipaux (état civil, enfance, voirie...).
    Service {
        #[command(subcommand)]
        action: ServiceAction,
    },
    /// Outils du journal d'audit.
    Audit {
        #[command(subcommand)]
        action: AuditAction,
    },
    /// Mesure le temps de réponse d'une page avec session (instance jetable).
    Bench {
        #[arg(long, default_value_t = 2000)]
        requests: usize,
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
        /// Base PostgreSQL à utiliser au lieu d'un SQLite temporaire.
        #[arg(long)]
        database_url: Option<String>,
        /// `espace` (page de l'usager connecté), `demandes` (dépôt et boîte de réception),
        /// `signalements` (dépôt d'un signalement et carte publique) ou `reservations`
        /// (réservation d'un repas et effectifs de cuisine).
        #[arg(long, default_value = "espace")]
        scenario: String,
        /// Pour `demandes` et `signalements` : nombre de demandes ou de signalements en base
        /// avant la mesure ; pour `reservations` : nombre d'enfants (300 par école).
        #[arg(long, default_value_t = 100_000)]
        stored: usize,
    },
}

#[derive(Subcommand)]
enum UserAction {
    /// Crée un agent ou un administrateur ; le mot de passe est lu sur l'entrée standard.
    Add {
        #[arg(long)]
        email: String,
        /// agent, service_manager, elected_official, administrator ou dpo.
        #[arg(long)]
        role: String,
        /// Service de rattachement (obligatoire pour agent et service_manager), ex. etat-civil.
        #[arg(long)]
        service: Option<String>,
        #[arg(long)]
        given_name: Option<String>,
        #[arg(long)]
        family_name: Option<String>,
    },
}

#[derive(Subcommand)]
enum ServiceAction {
    /// Crée un service auquel des agents pourront être rattachés.
    Add {
        /// Nom court, ex. etat-civil.
        #[arg(long)]
        slug: String,
        /// Nom affiché, ex. « État civil et citoyenneté ».
        #[arg(long)]
        name: String,
        /// Adresse de contact du service.
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "")]
        phone: String,
    },
}

#[derive(Subcommand)]
enum AuditAction {
    /// Vérifie que la chaîne du journal d'audit est intacte.
    Verify,
}

fn init_logs(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("PARVIS_LOG").unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_sessions=warn")
    });
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if config.log_format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::load(cli.config.as_deref()) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("Erreur : {e}");
            return ExitCode::FAILURE;
        }
    };
    init_logs(&config);
    let result = match cli.command.unwrap_or(Command::Serve { no_demo: false }) {
        Command::Serve { no_demo } => serve(config, no_demo).await,
        Command::Migrate => migrate(config).await,
        Command::Demo => demo(config).await,
        Command::Check => check(config).await,
        Command::User {
            action:
                UserAction::Add {
                    email,
                    role,
                    service,
                    given_name,
                    family_name,
                },
        } => add_user(config, email, role, service, given_name, family_name).await,
        Command::Service {
            action:
                ServiceAction::Add {
                    slug,
                    name,
                    email,
                    phone,
                },
        } => add_service(config, slug, name, email, phone).await,
        Command::Audit {
            action: AuditAction::Verify,
        } => audit_verify(config).await,
        Command::Bench {
            requests,
            concurrency,
            database_url,
            scenario,
            stored,
        } => match scenario.as_str() {
            "demandes" => parvis::bench::run_requests(stored, requests.min(500), database_url)
                .await
                .map(|report| println!("{report}")),
            "signalements" => parvis::bench::reports::run(stored, requests.min(500), database_url)
                .await
                .map(|report| println!("{report}")),
            "reservations" => {
                parvis::bench::bookings::run(stored, requests.min(2000), concurrency, database_url)
                    .await
                    .map(|report| println!("{report}"))
            }
            _ => parvis::bench::run(requests, concurrency, database_url)
                .await
                .map(|report| println!("{report}")),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Erreur : {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn start(config: Config) -> anyhow::Result<Kernel> {
    Ok(parvis::start(config, Arc::new(SystemClock)).await?)
}

async fn serve(config: Config, no_demo: bool) -> anyhow::Result<()> {
    let kernel = start(config).await?;
    let first_start = accounts::store::count_users(&kernel.db).await? == 0;
    let demo_accounts = if first_start && !no_demo {
        let accounts = accounts::demo::seed(&kernel).await?;
        requests::demo::seed(&kernel).await?;
        reports::demo::seed(&kernel).await?;
        family::demo::seed(&kernel).await?;
        bookings::demo::seed(&kernel).await?;
        family::demo::seed_neighbourhood(&kernel).await?;
        bookings::demo::seed_neighbourhood(&kernel).await?;
        Some(accounts)
    } else {
        None
    };
    let addr: SocketAddr = kernel.config.bind.parse()?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("impossible d'écouter sur {addr} : {e}"))?;
    let worker = kernel::jobs::spawn_worker(kernel.clone(), parvis::jobs());
    println!();
    println!("  Parvis — {}", kernel.config.commune.name);
    println!("  Serveur démarré : http://{}", listener.local_addr()?);
    println!("  Adresse publique : {}", kernel.config.base_url());
    println!(
        "  Base de données : {}",
        kernel::config::redact_url(&kernel.config.database_url())
    );
    println!("  Courriels : {}", kernel.mailer.describe());
    if let Some(accounts) = demo_accounts {
        println!();
        println!("  Commune de démonstration créée. Comptes :");
        for account in accounts {
            println!(
                "    {:<34} {:<18} {:<19} {}",
                account.email, account.role, account.password, account.note
            );
        }
    }
    println!();
    let app = parvis::router(&kernel);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    worker.abort();
    kernel.db.close().await;
    Ok(())
}

async fn migrate(config: Config) -> anyhow::Result<()> {
    // Starting the kernel applies the migrations; report what is there.
    let kernel = start(config).await?;
    let rows = sqlx::query("SELECT COUNT(*) FROM parvis_migrations")
        .fetch_one(kernel.db.pool())
        .await?;
    let count: i64 = sqlx::Row::get(&rows, 0);
    println!("Base à jour : {count} migrations appliquées.");
    Ok(())
}

async fn demo(config: Config) -> anyhow::Result<()> {
    let kernel = start(config).await?;
    let accounts = accounts::demo::seed(&kernel).await?;
    requests::demo::seed(&kernel).await?;
    reports::demo::seed(&kernel).await?;
    family::demo::seed(&kernel).await?;
    bookings::demo::seed(&kernel).await?;
    family::demo::seed_neighbourhood(&kernel).await?;
    bookings::demo::seed_neighbourhood(&kernel).await?;
    println!("Données de démonstration en place. Comptes :");
    for account in accounts {
        println!(
            "  {:<34} {:<18} {:<19} {}",
            account.email, account.role, account.password, account.note
        );
    }
    Ok(())
}

async fn check(config: Config) -> anyhow::Result<()> {
    let mut problems = config.problems();
    if problems.is_empty() {
        match start(config.clone()).await {
            Ok(kernel) => {
                if let Err(e) = kernel.storage.probe().await {
                    problems.push(format!("Stockage des fichiers inutilisable : {e}"));
                }
                if let Some(url) = &kernel.config.smtp_url {
                    match kernel::mail::test_smtp(url).await {
                        Ok(()) => println!("Serveur de courriel : joignable."),
                        Err(e) => problems.push(format!(
                            "Serveur de courriel {} injoignable : {e}",
                            kernel::config::redact_url(url)
                        )),
                    }
                }
                println!("Base de données : joignable, migrations à jour.");
            }
            Err(e) => problems.push(e.to_string()),
        }
    }
    if problems.is_empty() {
        println!("Configuration valide.");
        Ok(())
    } else {
        for problem in &problems {
            eprintln!("- {problem}");
        }
        anyhow::bail!("{} problème(s) dans la configuration", problems.len())
    }
}

fn read_password() -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("Mot de passe : ");
        std::io::stderr().flush()?;
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    let password = line.trim_end_matches(['\n', '\r']).to_string();
    anyhow::ensure!(
        !password.is_empty(),
        "aucun mot de passe lu sur l'entrée standard"
    );
    Ok(password)
}

/// « jean-marc.dupont@… » → (« Jean-Marc », « Dupont »), when no name is given.
fn names_from_email(email: &str) -> (String, String) {
    let local = email.split('@').next().unwrap_or_default();
    let mut parts = local.split(['.', '_']).filter(|p| !p.is_empty());
    let capitalise = |s: &str| {
        s.split('-')
            .map(|w| {
                let mut chars = w.chars();
                chars
                    .next()
                    .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join("-")
    };
    let given = parts
        .next()
        .map(capitalise)
        .unwrap_or_else(|| "Agent".into());
    let family = parts
        .next()
        .map(capitalise)
        .unwrap_or_else(|| "Mairie".into());
    (given, family)
}

async fn add_user(
    config: Config,
    email: String,
    role: String,
    service: Option<String>,
    given_name: Option<String>,
    family_name: Option<String>,
) -> anyhow::Result<()> {
    let password = read_password()?;
    let kernel = start(config).await?;
    let (given, family) = names_from_email(&email);
    let request = accounts::StaffRequest {
        email: &email,
        given_name: given_name.as_deref().unwrap_or(&given),
        family_name: family_name.as_deref().unwrap_or(&family),
        role: &role,
        service_slug: service.as_deref(),
        password: Some(&password),
    };
    let user_id = accounts::create_staff(&kernel, &command_line_caller(), &request).await?;
    println!("Compte créé : {email} ({role}), identifiant {user_id}.");
    Ok(())
}

fn command_line_caller() -> Caller {
    Caller {
        ip: Some("ligne de commande".into()),
        ..Caller::default()
    }
}

async fn add_service(
    config: Config,
    slug: String,
    name: String,
    email: String,
    phone: String,
) -> anyhow::Result<()> {
    let kernel = start(config).await?;
    let request = accounts::ServiceRequest {
        slug: &slug,
        name: &name,
        email: &email,
        phone: &phone,
    };
    accounts::create_service(&kernel, &command_line_caller(), &request).await?;
    println!("Service créé : {name} ({slug}).");
    Ok(())
}

async fn audit_verify(config: Config) -> anyhow::Result<()> {
    let kernel = start(config).await?;
    match kernel::audit::verify(&kernel.db, &kernel.secret).await? {
        kernel::audit::Verification::Intact { entries } => {
            println!("Journal d'audit intègre : {entries} entrées vérifiées.");
            Ok(())
        }
        kernel::audit::Verification::Broken { seq, reason } => {
            anyhow::bail!("journal d'audit altéré à l'entrée n° {seq} : {reason}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_guessed_from_the_address() {
        assert_eq!(
            names_from_email("jean-marc.dupont@ville.fr"),
            ("Jean-Marc".into(), "Dupont".into())
        );
        assert_eq!(
            names_from_email("accueil@ville.fr"),
            ("Accueil".into(), "Mairie".into())
        );
    }
}
