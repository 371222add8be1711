//! The `parvis` command line, run as an operator would, against a fresh database.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use kernel::testing::TestEnv;

fn parvis(env: &TestEnv, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_parvis"))
        .args(args)
        .env("PARVIS_DATA_DIR", &env.config.data_dir)
        .env("PARVIS_DATABASE_URL", env.config.database_url())
        .env("PARVIS_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("parvis runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[tokio::test]
async fn user_add_creates_staff_and_explains_refusals() {
    let env = TestEnv::new().await;
    let weak = parvis(
        &env,
        &[
            "user",
            "add",
            "--email",
            "dsi@ville.fr",
            "--role",
            "administrator",
        ],
        "motdepasse\n",
    );
    assert!(!weak.status.success());
    assert!(
        text(&weak).contains("mot de passe refusé"),
        "{}",
        text(&weak)
    );

    let no_service = parvis(
        &env,
        &[
            "user",
            "add",
            "--email",
            "agent@ville.fr",
            "--role",
            "agent",
        ],
        "Guichet-Unique-2026!\n",
    );
    assert!(!no_service.status.success());
    assert!(
        text(&no_service).contains("--service"),
        "{}",
        text(&no_service)
    );

    let bad_role = parvis(
        &env,
        &["user", "add", "--email", "x@ville.fr", "--role", "maire"],
        "Guichet-Unique-2026!\n",
    );
    assert!(text(&bad_role).contains("n'existe pas"));

    let ok = parvis(
        &env,
        &[
            "user",
            "add",
            "--email",
            "DSI@Ville.fr",
            "--role",
            "administrator",
        ],
        "Guichet-Unique-2026!\n",
    );
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(text(&ok).contains("Compte créé : DSI@Ville.fr"));

    let again = parvis(
        &env,
        &["user", "add", "--email", "dsi@ville.fr", "--role", "dpo"],
        "Guichet-Unique-2026!\n",
    );
    assert!(!again.status.success());
    assert!(text(&again).contains("existe déjà"), "{}", text(&again));

    let verify = parvis(&env, &["audit", "verify"], "");
    assert!(verify.status.success(), "{}", text(&verify));
    assert!(
        text(&verify).contains("intègre : 2 entrées"),
        "{}",
        text(&verify)
    );
}

#[tokio::test]
async fn audit_verify_fails_on_a_tampered_log() {
    let env = TestEnv::new().await;
    let ok = parvis(
        &env,
        &["user", "add", "--email", "dpo@ville.fr", "--role", "dpo"],
        "Registre-Traitements-2026!\n",
    );
    assert!(ok.status.success(), "{}", text(&ok));
    let db = kernel::Db::connect(&env.config.database_url())
        .await
        .unwrap();
    kernel::testing::drop_audit_guard(&db).await;
    sqlx::query("UPDATE audit_log SET action = 'rien' WHERE seq = 1")
        .execute(db.pool())
        .await
        .unwrap();
    db.close().await;
    let verify = parvis(&env, &["audit", "verify"], "");
    assert!(!verify.status.success());
    assert!(
        text(&verify).contains("altéré à l'entrée n° 1"),
        "{}",
        text(&verify)
    );
}

#[tokio::test]
async fn check_explains_a_bad_configuration_in_plain_words() {
    let env = TestEnv::new().await;
    let good = parvis(&env, &["check"], "");
    assert!(good.status.success(), "{}", text(&good));
    assert!(text(&good).contains("Configuration valide"));

    let bad = Command::new(env!("CARGO_BIN_EXE_parvis"))
        .arg("check")
        .env("PARVIS_DATA_DIR", &env.config.data_dir)
        .env("PARVIS_BIND", "n'importe où")
        .env("PARVIS_BASE_URL", "services.ville.fr")
        .env("PARVIS_COMMUNE__PRIMARY_COLOR", "#ffff00")
        .output()
        .unwrap();
    assert!(!bad.status.success());
    let out = text(&bad);
    assert!(out.contains("PARVIS_BIND"), "{out}");
    assert!(out.contains("PARVIS_BASE_URL"), "{out}");
    assert!(out.contains("contraste"), "{out}");

    let unreachable = Command::new(env!("CARGO_BIN_EXE_parvis"))
        .arg("check")
        .env("PARVIS_DATA_DIR", &env.config.data_dir)
        .env(
            "PARVIS_DATABASE_URL",
            "postgres://personne@127.0.0.1:1/rien",
        )
        .output()
        .unwrap();
    assert!(!unreachable.status.success());
    assert!(
        text(&unreachable).contains("base de données injoignable"),
        "{}",
        text(&unreachable)
    );
}

#[tokio::test]
async fn a_config_file_is_read_and_environment_variables_win() {
    let env = TestEnv::new().await;
    let file = env.dir.path().join("parvis.toml");
    std::fs::write(
        &file,
        "bind = \"pas une adresse\"\n[commune]\nname = \"Ville de Test\"\n",
    )
    .unwrap();
    let from_file = parvis(&env, &["--config", file.to_str().unwrap(), "check"], "");
    assert!(
        text(&from_file).contains("« pas une adresse »"),
        "{}",
        text(&from_file)
    );
    let overridden = Command::new(env!("CARGO_BIN_EXE_parvis"))
        .args(["--config", file.to_str().unwrap(), "check"])
        .env("PARVIS_DATA_DIR", &env.config.data_dir)
        .env("PARVIS_DATABASE_URL", env.config.database_url())
        .env("PARVIS_BIND", "127.0.0.1:0")
        .output()
        .unwrap();
    assert!(overridden.status.success(), "{}", text(&overridden));
    let missing = parvis(&env, &["--config", "/nulle/part.toml", "check"], "");
    assert!(text(&missing).contains("n'existe pas"));
}

#[tokio::test]
async fn demo_seeds_once_and_migrate_reports() {
    let env = TestEnv::new().await;
    let demo = parvis(&env, &["demo"], "");
    assert!(demo.status.success(), "{}", text(&demo));
    assert!(text(&demo).contains("camille.martin@demo.parvis.fr"));
    let again = parvis(&env, &["demo"], "");
    assert!(
        again.status.success(),
        "seeding twice is harmless: {}",
        text(&again)
    );
    let migrate = parvis(&env, &["migrate"], "");
    assert!(text(&migrate).contains("migrations appliquées"));
}

#[tokio::test]
async fn check_says_when_the_mail_server_cannot_be_reached() {
    let env = TestEnv::new().await;
    // A port on this machine where nothing listens.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let output = Command::new(env!("CARGO_BIN_EXE_parvis"))
        .arg("check")
        .env("PARVIS_DATA_DIR", &env.config.data_dir)
        .env("PARVIS_DATABASE_URL", env.config.database_url())
        .env(
            "PARVIS_SMTP_URL",
            format!("smtp://courrier:secret@127.0.0.1:{port}"),
        )
        .output()
        .unwrap();
    assert!(!output.status.success());
    let out = text(&output);
    assert!(out.contains("Serveur de courriel"), "{out}");
    assert!(
        !out.contains("secret@"),
        "the password is never shown: {out}"
    );
}

#[tokio::test]
async fn an_empty_instance_gets_its_services_then_its_agents() {
    let env = TestEnv::new().await;
    let no_service = parvis(
        &env,
        &[
            "user",
            "add",
            "--email",
            "agent@ville.fr",
            "--role",
            "agent",
            "--service",
            "etat-civil",
        ],
        "Guichet-Unique-2026!\n",
    );
    assert!(
        text(&no_service).contains("le service « etat-civil » n'existe pas"),
        "{}",
        text(&no_service)
    );
    let bad = parvis(
        &env,
        &[
            "service",
            "add",
            "--slug",
            "État Civil",
            "--name",
            "État civil",
            "--email",
            "etat-civil@ville.fr",
        ],
        "",
    );
    assert!(!bad.status.success());
    assert!(
        text(&bad).contains("minuscules sans accents"),
        "{}",
        text(&bad)
    );
    let ok = parvis(
        &env,
        &[
            "service",
            "add",
            "--slug",
            "etat-civil",
            "--name",
            "État civil et citoyenneté",
            "--email",
            "etat-civil@ville.fr",
            "--phone",
            "01 23 45 67 10",
        ],
        "",
    );
    assert!(ok.status.success(), "{}", text(&ok));
    let twice = parvis(
        &env,
        &[
            "service",
            "add",
            "--slug",
            "etat-civil",
            "--name",
            "Autre",
            "--email",
            "x@ville.fr",
        ],
        "",
    );
    assert!(text(&twice).contains("existe déjà"), "{}", text(&twice));
    let agent = parvis(
        &env,
        &[
            "user",
            "add",
            "--email",
            "agent@ville.fr",
            "--role",
            "agent",
            "--service",
            "etat-civil",
        ],
        "Guichet-Unique-2026!\n",
    );
    assert!(agent.status.success(), "{}", text(&agent));
}
