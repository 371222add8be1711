//! The kernel's shared machinery on a real database (SQLite, and PostgreSQL when
//! `PARVIS_TEST_POSTGRES_URL` is set): audit chain, outbox with retries, jobs that run
//! once across instances, storage sweep, migrations.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use async_trait::async_trait;
use jiff::SignedDuration;
use kernel::audit::{self, AuditTarget, Verification};
use kernel::clock::{Clock, ManualClock};
use kernel::identity::{Identity, IdentityLoader};
use kernel::jobs::{JobRegistry, run_due_once};
use kernel::mail::Mailer;
use kernel::outbox::{Email, enqueue_email};
use kernel::testing::{TestApp, TestEnv};
use kernel::{Caller, Kernel, KernelParts};

struct NoIdentities;

#[async_trait]
impl IdentityLoader for NoIdentities {
    async fn load(&self, _: &str) -> Result<Option<Identity>, sqlx::Error> {
        Ok(None)
    }
}

/// A mail server that can be switched off.
#[derive(Default)]
struct FlakyMailer {
    down: AtomicBool,
    sent: AtomicUsize,
}

#[async_trait]
impl Mailer for FlakyMailer {
    async fn send(&self, _: lettre::Message) -> Result<(), String> {
        if self.down.load(Ordering::SeqCst) {
            return Err("connexion refusée par le serveur SMTP".into());
        }
        self.sent.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
    fn describe(&self) -> String {
        "test".into()
    }
}

async fn start(env: &TestEnv, clock: &ManualClock, mailer: Option<Arc<dyn Mailer>>) -> Kernel {
    Kernel::start(
        env.config.clone(),
        &kernel::migrations(),
        KernelParts {
            clock: Arc::new(clock.clone()) as Arc<dyn Clock>,
            catalogue: vec![],
            identities: Box::new(|_| Arc::new(NoIdentities)),
            mailer,
            space_sections: vec![],
        },
    )
    .await
    .expect("kernel starts")
}

async fn append(kernel: &Kernel, action: &str, target: &str) {
    let mut tx = kernel.db.begin().await.unwrap();
    kernel
        .audit(
            &mut tx,
            &Caller::default(),
            action,
            Some(&AuditTarget::new("user", target)),
            serde_json::json!({ "n": target }),
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn the_audit_chain_detects_a_modified_a_deleted_and_an_inserted_row() {
    let env = TestEnv::new().await;
    let clock = ManualClock::new(TestApp::start_time());
    let kernel = start(&env, &clock, None).await;
    for i in 0..5 {
        append(&kernel, "login.succeeded", &format!("u{i}")).await;
    }
    assert_eq!(
        audit::verify(&kernel.db, &kernel.secret).await.unwrap(),
        Verification::Intact { entries: 5 }
    );

    // An ordinary UPDATE is refused by the database itself.
    let refused = sqlx::query("UPDATE audit_log SET action = 'rien' WHERE seq = 1")
        .execute(kernel.db.pool())
        .await;
    assert!(refused.unwrap_err().to_string().contains("ajout seul"));

    // Someone with the owner's rights drops the guard and rewrites who did what.
    kernel::testing::drop_audit_guard(&kernel.db).await;
    sqlx::query("UPDATE audit_log SET actor_label = 'quelqu''un d''autre' WHERE seq = 3")
        .execute(kernel.db.pool())
        .await
        .unwrap();
    assert!(matches!(
        audit::verify(&kernel.db, &kernel.secret).await.unwrap(),
        Verification::Broken { seq: 3, .. }
    ));

    // Restore, then delete an entry instead.
    let env2 = TestEnv::new().await;
    let kernel = start(&env2, &clock, None).await;
    for i in 0..4 {
        append(&kernel, "login.succeeded", &format!("u{i}")).await;
    }
    let refused = sqlx::query("DELETE FROM audit_log WHERE seq = 2")
        .execute(kernel.db.pool())
        .await;
    assert!(refused.unwrap_err().to_string().contains("ajout seul"));
    kernel::testing::drop_audit_guard(&kernel.db).await;
    sqlx::query("DELETE FROM audit_log WHERE seq = 2")
        .execute(kernel.db.pool())
        .await
        .unwrap();
    assert!(matches!(
        audit::verify(&kernel.db, &kernel.secret).await.unwrap(),
        Verification::Broken { seq: 2, .. }
    ));

    // Or recompute a row's own hash after editing it: the next link breaks.
    let env3 = TestEnv::new().await;
    let kernel = start(&env3, &clock, None).await;
    for i in 0..3 {
        append(&kernel, "login.succeeded", &format!("u{i}")).await;
    }
    kernel::testing::drop_audit_guard(&kernel.db).await;
    sqlx::query("UPDATE audit_log SET hash = 'ffff' WHERE seq = 1")
        .execute(kernel.db.pool())
        .await
        .unwrap();
    assert!(matches!(
        audit::verify(&kernel.db, &kernel.secret).await.unwrap(),
        Verification::Broken { seq: 1, .. }
    ));
}

#[tokio::test]
async fn audit_search_filters_by_person_action_and_record() {
    let env = TestEnv::new().await;
    let clock = ManualClock::new(TestApp::start_time());
    let kernel = start(&env, &clock, None).await;
    append(&kernel, "login.succeeded", "u1").await;
    append(&kernel, "role.granted", "u2").await;
    append(&kernel, "role.revoked", "u2").await;
    let by_action = audit::search(
        &kernel.db,
        &audit::AuditQuery {
            action: Some("role.".into()),
            limit: 50,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(by_action.len(), 2);
    assert_eq!(by_action[0].action, "role.revoked", "newest first");
    let by_target = audit::search(
        &kernel.db,
        &audit::AuditQuery {
            target_id: Some("u1".into()),
            limit: 50,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(by_target.len(), 1);
    let wildcard = audit::search(
        &kernel.db,
        &audit::AuditQuery {
            who: Some("%".into()),
            limit: 50,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(wildcard.len(), 0, "a typed % is matched literally");

    // Actions with an underscore, names with accents in any case.
    let mut tx = kernel.db.begin().await.unwrap();
    let agent = Caller {
        identity: Some(kernel::Identity {
            user_id: "a1".into(),
            email: "elodie.mercier@ville.fr".into(),
            display_name: "Élodie Mercier".into(),
            grants: vec![],
            team_ids: vec![],
        }),
        ..Caller::default()
    };
    kernel
        .audit(
            &mut tx,
            &agent,
            "personal_data.viewed",
            Some(&AuditTarget::new("user", "u3")),
            serde_json::json!({}),
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let query = |who: Option<&str>, action: Option<&str>| audit::AuditQuery {
        who: who.map(str::to_string),
        action: action.map(str::to_string),
        limit: 50,
        ..Default::default()
    };
    assert_eq!(
        audit::search(&kernel.db, &query(None, Some("personal_data.")))
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        audit::search(&kernel.db, &query(None, Some("personalXdata.")))
            .await
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        audit::search(&kernel.db, &query(Some("ÉLODIE"), None))
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        audit::search(&kernel.db, &query(Some("élodie"), None))
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn an_outage_of_the_mail_server_delays_mail_but_loses_none() {
    let env = TestEnv::new().await;
    let clock = ManualClock::new(TestApp::start_time());
    let mailer = Arc::new(FlakyMailer::default());
    let kernel = start(&env, &clock, Some(mailer.clone())).await;
    let mut tx = kernel.db.begin().await.unwrap();
    enqueue_email(
        &mut tx,
        kernel.now(),
        &Email {
            to: "camille.martin@exemple.fr".into(),
            subject: "Votre demande".into(),
            text: "Bonjour".into(),
            html: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    mailer.down.store(true, Ordering::SeqCst);
    let registry = JobRegistry::default();
    let report = run_due_once(&kernel, &registry).await.unwrap();
    assert_eq!((report.mail.sent, report.mail.retried), (0, 1));
    // Not due again before its backoff.
    let report = run_due_once(&kernel, &registry).await.unwrap();
    assert_eq!(report.mail, Default::default());
    clock.advance(SignedDuration::from_secs(31));
    let report = run_due_once(&kernel, &registry).await.unwrap();
    assert_eq!(report.mail.retried, 1);

    mailer.down.store(false, Ordering::SeqCst);
    clock.advance(SignedDuration::from_secs(61));
    let report = run_due_once(&kernel, &registry).await.unwrap();
    assert_eq!(report.mail.sent, 1);
    assert_eq!(mailer.sent.load(Ordering::SeqCst), 1);
    let counts = kernel::outbox::counts(&kernel.db).await.unwrap();
    assert_eq!(counts, vec![("sent".to_string(), 1)]);
}

#[tokio::test]
async fn a_message_that_keeps_failing_ends_as_failed() {
    let env = TestEnv::new().await;
    let clock = ManualClock::new(TestApp::start_time());
    let mailer = Arc::new(FlakyMailer::default());
    mailer.down.store(true, Ordering::SeqCst);
    let kernel = start(&env, &clock, Some(mailer.clone())).await;
    let mut tx = kernel.db.begin().await.unwrap();
    enqueue_email(
        &mut tx,
        kernel.now(),
        &Email {
            to: "a@b.fr".into(),
            subject: "s".into(),
            text: "t".into(),
            html: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    for _ in 0..kernel::outbox::MAX_ATTEMPTS {
        run_due_once(&kernel, &JobRegistry::default())
            .await
            .unwrap();
        clock.advance(SignedDuration::from_hours(7));
    }
    assert_eq!(
        kernel::outbox::counts(&kernel.db).await.unwrap(),
        vec![("failed".to_string(), 1)]
    );
}

#[tokio::test]
async fn a_queued_job_runs_once_even_with_two_instances() {
    let env = TestEnv::new().await;
    let clock = ManualClock::new(TestApp::start_time());
    let first = start(&env, &clock, None).await;
    let second = start(&env, &clock, None).await;
    let runs = Arc::new(AtomicUsize::new(0));
    let mut registry = JobRegistry::default();
    let counter = runs.clone();
    registry.handle("courrier.relance", move |_, payload| {
        let counter = counter.clone();
        async move {
            assert_eq!(payload["demande"], "DEM-2026-000123");
            counter.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
    });
    let mut tx = first.db.begin().await.unwrap();
    kernel::jobs::enqueue(
        &mut tx,
        first.now(),
        "courrier.relance",
        &serde_json::json!({ "demande": "DEM-2026-000123" }),
        first.now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let (a, b) = tokio::join!(
        run_due_once(&first, &registry),
        run_due_once(&second, &registry)
    );
    assert_eq!(a.unwrap().jobs_done + b.unwrap().jobs_done, 1);
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_failing_job_is_retried_then_left_failed() {
    let env = TestEnv::new().await;
    let clock = ManualClock::new(TestApp::start_time());
    let kernel = start(&env, &clock, None).await;
    let mut registry = JobRegistry::default();
    registry.handle("toujours.en.echec", |_, _| async {
        Err("service tiers indisponible".to_string())
    });
    let mut tx = kernel.db.begin().await.unwrap();
    kernel::jobs::enqueue(
        &mut tx,
        kernel.now(),
        "toujours.en.echec",
        &serde_json::Value::Null,
        kernel.now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let mut failed = 0;
    for _ in 0..kernel::jobs::MAX_JOB_ATTEMPTS {
        failed += run_due_once(&kernel, &registry).await.unwrap().jobs_failed;
        clock.advance(SignedDuration::from_hours(7));
    }
    assert_eq!(failed, 1);
    assert_eq!(
        kernel::jobs::counts(&kernel).await.unwrap(),
        vec![("failed".to_string(), 1)]
    );
}

#[tokio::test]
async fn a_scheduled_job_runs_once_per_occurrence_across_instances() {
    let env = TestEnv::new().await;
    // 02:59:30 Paris time: the nightly job is due at 03:00.
    let clock = ManualClock::new("2026-11-24T01:59:30Z".parse().unwrap());
    let first = start(&env, &clock, None).await;
    let second = start(&env, &clock, None).await;
    let runs = Arc::new(AtomicUsize::new(0));
    let mut registry = JobRegistry::default();
    let counter = runs.clone();
    registry.every("nuit.purge", "0 3 * * *", move |_, _| {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
    });
    run_due_once(&first, &registry).await.unwrap();
    assert_eq!(runs.load(Ordering::SeqCst), 0, "not due yet");
    clock.advance(SignedDuration::from_secs(45));
    let (a, b) = tokio::join!(
        run_due_once(&first, &registry),
        run_due_once(&second, &registry)
    );
    let ran = a.unwrap().scheduled_run.len() + b.unwrap().scheduled_run.len();
    assert_eq!((ran, runs.load(Ordering::SeqCst)), (1, 1));
    run_due_once(&second, &registry).await.unwrap();
    assert_eq!(
        runs.load(Ordering::SeqCst),
        1,
        "next occurrence is tomorrow"
    );
    clock.advance(SignedDuration::from_hours(24));
    run_due_once(&second, &registry).await.unwrap();
    assert_eq!(runs.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn orphan_files_are_swept_and_referenced_ones_kept() {
    let env = TestEnv::new().await;
    let clock = ManualClock::new(jiff::Timestamp::now());
    let kernel = start(&env, &clock, None).await;
    let kept = kernel
        .storage
        .put_encrypted("documents", b"avis d'imposition")
        .await
        .unwrap();
    let orphan = kernel
        .storage
        .put_encrypted("documents", b"transaction annulee")
        .await
        .unwrap();
    sqlx::query("INSERT INTO files (id, storage_key, content_type, size_bytes, sha256, original_name, created_at) VALUES ($1, $2, 'application/pdf', 17, $3, 'avis.pdf', 0)")
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(&kept.key)
        .bind(&kept.sha256)
        .execute(kernel.db.pool())
        .await
        .unwrap();
    assert_eq!(
        kernel::jobs::sweep_orphan_files(&kernel).await.unwrap(),
        0,
        "too recent to judge"
    );
    clock.advance(SignedDuration::from_hours(25));
    assert_eq!(kernel::jobs::sweep_orphan_files(&kernel).await.unwrap(), 1);
    assert!(kernel.storage.get_decrypted(&kept.key).await.is_ok());
    assert!(kernel.storage.get_decrypted(&orphan.key).await.is_err());
}

#[tokio::test]
async fn migrations_apply_once_and_refuse_an_edited_step() {
    let env = TestEnv::new().await;
    let clock = ManualClock::new(TestApp::start_time());
    let kernel = start(&env, &clock, None).await;
    assert!(
        kernel::migrate::run(&kernel.db, &kernel::migrations())
            .await
            .unwrap()
            .is_empty()
    );
    let edited = [kernel::migrate::Migration::portable(
        "kernel/0001_kernel",
        "CREATE TABLE autre (id TEXT)",
    )];
    assert!(matches!(
        kernel::migrate::run(&kernel.db, &edited).await,
        Err(kernel::migrate::MigrateError::Changed(_))
    ));
}

const PDF: &[u8] =
    b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

#[tokio::test]
async fn an_upload_is_checked_stored_encrypted_and_recorded_in_the_same_transaction() {
    let env = TestEnv::new().await;
    let clock = ManualClock::new(jiff::Timestamp::now());
    let kernel = start(&env, &clock, None).await;
    let policy = kernel::storage::UploadPolicy {
        max_bytes: 1024,
        allowed: kernel::storage::DOCUMENT_TYPES,
    };

    let mut tx = kernel.db.begin().await.unwrap();
    let stored = kernel::files::store_upload(
        &kernel,
        &mut tx,
        "justificatifs",
        "C:\\scans\\avis-2026.pdf",
        PDF,
        &policy,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(stored.content_type, "application/pdf");
    assert_eq!(stored.original_name, "avis-2026.pdf");
    let (file, bytes) = kernel::files::read(&kernel, &stored.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((file, bytes.as_slice()), (stored, PDF));

    // A refused file changes nothing and says why, in French.
    let mut tx = kernel.db.begin().await.unwrap();
    let refused = kernel::files::store_upload(
        &kernel,
        &mut tx,
        "justificatifs",
        "photo.exe",
        b"MZ\x90\x00binaire",
        &policy,
    )
    .await
    .unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("Ce type de fichier n'est pas accepté"),
        "{refused}"
    );
    let too_big = kernel::files::store_upload(
        &kernel,
        &mut tx,
        "justificatifs",
        "gros.pdf",
        &[PDF, &[b' '; 2048]].concat(),
        &policy,
    )
    .await
    .unwrap_err();
    assert!(too_big.to_string().contains("taille maximale"), "{too_big}");

    // A transaction that fails after the upload leaves an orphan object, swept later.
    let orphan = kernel::files::store_upload(
        &kernel,
        &mut tx,
        "justificatifs",
        "annule.pdf",
        PDF,
        &policy,
    )
    .await
    .unwrap();
    tx.rollback().await.unwrap();
    assert!(
        kernel::files::read(&kernel, &orphan.id)
            .await
            .unwrap()
            .is_none()
    );
    clock.advance(SignedDuration::from_hours(25));
    assert_eq!(kernel::jobs::sweep_orphan_files(&kernel).await.unwrap(), 1);
    assert!(
        kernel::files::read(&kernel, &file_id_of(&kernel, "avis-2026.pdf").await)
            .await
            .unwrap()
            .is_some()
    );
}

async fn file_id_of(kernel: &Kernel, name: &str) -> String {
    use sqlx::Row;
    sqlx::query("SELECT id FROM files WHERE original_name = $1")
        .bind(name)
        .fetch_one(kernel.db.pool())
        .await
        .unwrap()
        .get(0)
}

/// Against a real S3-compatible server when one is given (CI starts one); skipped otherwise.
#[tokio::test]
async fn documents_round_trip_through_s3_compatible_storage() {
    let Ok(endpoint) = std::env::var("PARVIS_TEST_S3_ENDPOINT") else {
        eprintln!("PARVIS_TEST_S3_ENDPOINT absent : stockage S3 non testé");
        return;
    };
    kernel::install_crypto_provider();
    let bucket = format!("parvis-{}", uuid::Uuid::new_v4().simple());
    // Create the bucket (the application never does: operators provision it).
    let created = reqwest::Client::new()
        .put(format!("{endpoint}/{bucket}"))
        .send()
        .await
        .expect("S3 server answers");
    assert!(created.status().is_success(), "{}", created.status());
    let builder = object_store::aws::AmazonS3Builder::new()
        .with_endpoint(&endpoint)
        .with_region("eu-west-3")
        .with_access_key_id("parvis")
        .with_secret_access_key("parvis-secret")
        .with_allow_http(true)
        .with_virtual_hosted_style_request(false);
    let location = kernel::storage::StorageLocation::parse(
        &format!("s3://{bucket}/mairie"),
        std::path::Path::new("/"),
    )
    .unwrap();
    let storage = kernel::storage::Storage::open_with(
        location,
        &kernel::secret::SecretKey::random(),
        builder,
    )
    .unwrap();
    storage.probe().await.expect("probe");
    let stored = storage.put_encrypted("justificatifs", PDF).await.unwrap();
    assert_eq!(storage.get_decrypted(&stored.key).await.unwrap(), PDF);
    let listed = storage
        .list_older_than(
            "justificatifs",
            jiff::Timestamp::now() + SignedDuration::from_hours(1),
        )
        .await
        .unwrap();
    assert_eq!(listed, vec![stored.key.clone()]);
    storage.delete(&stored.key).await.unwrap();
    assert!(storage.get_decrypted(&stored.key).await.is_err());
}

/// Through a real SMTP server when one is given (CI starts a local sink that writes a
/// Maildir); skipped otherwise.
#[tokio::test]
async fn mail_goes_out_through_a_real_smtp_server() {
    let (Ok(url), Ok(maildir)) = (
        std::env::var("PARVIS_TEST_SMTP_URL"),
        std::env::var("PARVIS_TEST_SMTP_MAILDIR"),
    ) else {
        eprintln!("PARVIS_TEST_SMTP_URL absent : envoi SMTP non testé");
        return;
    };
    let mut env = TestEnv::new().await;
    env.config.smtp_url = Some(url.clone());
    let clock = ManualClock::new(TestApp::start_time());
    let kernel = start(&env, &clock, None).await;
    assert!(kernel.mailer.describe().starts_with("SMTP"));
    kernel::mail::test_smtp(&url)
        .await
        .expect("the SMTP server greets us");
    let marker = uuid::Uuid::new_v4().simple().to_string();
    let mut tx = kernel.db.begin().await.unwrap();
    enqueue_email(
        &mut tx,
        kernel.now(),
        &Email {
            to: "camille.martin@exemple.fr".into(),
            subject: format!("Votre rendez-vous à l'état civil {marker}"),
            text: "Bonjour,\n\nVotre rendez-vous est confirmé.".into(),
            html: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let report = run_due_once(&kernel, &JobRegistry::default())
        .await
        .unwrap();
    assert_eq!(report.mail.sent, 1, "{report:?}");
    let delivered = std::fs::read_dir(std::path::Path::new(&maildir).join("new"))
        .unwrap()
        .filter_map(Result::ok)
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .find(|m| m.contains(&marker))
        .expect("the message reached the server");
    assert!(delivered.contains("camille.martin@exemple.fr"));
}

/// Every agent is an identity with one role, for the acting-for test.
struct Agents;

#[async_trait]
impl IdentityLoader for Agents {
    async fn load(&self, user_id: &str) -> Result<Option<Identity>, sqlx::Error> {
        Ok(Some(Identity {
            user_id: user_id.to_string(),
            email: "agent.accueil@ville.fr".into(),
            display_name: "Agent d'accueil".into(),
            grants: vec![kernel::identity::RoleGrant {
                role: kernel::Role::Agent,
                service: None,
            }],
            team_ids: vec![],
        }))
    }
}

#[tokio::test]
async fn an_agent_acting_for_a_resident_is_recorded_as_such() {
    use axum::extract::State;
    use axum::routing::{get, post};
    use kernel::identity::{ActingBasis, ActingFor};
    use tower_sessions::Session;

    let env = TestEnv::new().await;
    let clock = ManualClock::new(TestApp::start_time());
    let kernel = Kernel::start(
        env.config.clone(),
        &kernel::migrations(),
        KernelParts {
            clock: Arc::new(clock.clone()),
            catalogue: vec![],
            identities: Box::new(|_| Arc::new(Agents)),
            mailer: None,
            space_sections: vec![],
        },
    )
    .await
    .unwrap();
    // A counter desk in miniature: the agent logs in, takes a resident at the counter,
    // then does something for them.
    let routes = axum::Router::new()
        .route(
            "/guichet",
            get(
                |session: Session, State(kernel): State<Kernel>| async move {
                    kernel::web::page::log_in(&session, "agent-1", kernel.now()).await?;
                    kernel::web::page::csrf_token(&session).await
                },
            ),
        )
        .route(
            "/guichet/pour",
            post(|session: Session| async move {
                kernel::web::page::set_acting_for(
                    &session,
                    Some(ActingFor {
                        person_id: "contact-42".into(),
                        display_name: "Jeanne Dupuis".into(),
                        basis: ActingBasis::Counter,
                    }),
                )
                .await
            }),
        )
        .route(
            "/guichet/action",
            post(|caller: Caller, State(kernel): State<Kernel>| async move {
                let mut tx = kernel.db.begin().await?;
                kernel
                    .audit(
                        &mut tx,
                        &caller,
                        "counter.visit",
                        None,
                        serde_json::json!({}),
                    )
                    .await?;
                tx.commit().await?;
                Ok::<_, kernel::AppError>(caller.subject_id().unwrap_or_default().to_string())
            }),
        );
    let router = kernel::web::app(kernel.clone(), vec![routes]);
    let app = TestApp::serve(env, kernel.clone(), clock, router).await;
    let client = app.client();
    let token = client.get("/guichet").await.body;
    assert_eq!(
        client
            .post_form("/guichet/pour", &[("csrf_token", &token)])
            .await
            .status,
        200
    );
    let done = client
        .post_form("/guichet/action", &[("csrf_token", &token)])
        .await;
    assert_eq!(
        done.body, "contact-42",
        "the subject is the resident, not the agent"
    );
    let entry = audit::search(
        &kernel.db,
        &audit::AuditQuery {
            action: Some("counter.".into()),
            limit: 5,
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .remove(0);
    assert_eq!(entry.actor_id.as_deref(), Some("agent-1"));
    assert_eq!(entry.acting_for_id.as_deref(), Some("contact-42"));
    assert_eq!(entry.acting_for_label.as_deref(), Some("Jeanne Dupuis"));
}

/// A section of the resident's space that names the caller, or fails like a capability
/// whose tables are unreachable.
struct Section {
    title: &'static str,
    fails: bool,
}

#[async_trait]
impl kernel::space::SpaceSection for Section {
    async fn view(
        &self,
        _: &Kernel,
        caller: &Caller,
        _: &kernel::i18n::Tr,
    ) -> Result<kernel::space::SpaceView, sqlx::Error> {
        if self.fails {
            return Err(sqlx::Error::RowNotFound);
        }
        Ok(kernel::space::SpaceView {
            title: self.title.into(),
            links: vec![kernel::space::SpaceLink {
                label: caller.ip.clone().unwrap_or_default(),
                href: "/ici".into(),
            }],
            empty: String::new(),
            more: vec![],
        })
    }
}

#[tokio::test]
async fn the_space_shows_the_sections_of_the_capabilities_in_order_without_a_failing_one() {
    let env = TestEnv::new().await;
    let clock = ManualClock::new(TestApp::start_time());
    let kernel = Kernel::start(
        env.config.clone(),
        &kernel::migrations(),
        KernelParts {
            clock: Arc::new(clock.clone()),
            catalogue: vec![],
            identities: Box::new(|_| Arc::new(NoIdentities)),
            mailer: None,
            space_sections: vec![
                Arc::new(Section {
                    title: "Premier",
                    fails: false,
                }),
                Arc::new(Section {
                    title: "En panne",
                    fails: true,
                }),
                Arc::new(Section {
                    title: "Second",
                    fails: false,
                }),
            ],
        },
    )
    .await
    .unwrap();
    let caller = Caller {
        ip: Some("10.0.0.1".into()),
        ..Caller::default()
    };
    let views = kernel::space::views(&kernel, &caller, &kernel.tr(Default::default())).await;
    let titles: Vec<&str> = views.iter().map(|v| v.title.as_str()).collect();
    assert_eq!(titles, ["Premier", "Second"]);
    assert_eq!(views[0].links[0].label, "10.0.0.1");
}
