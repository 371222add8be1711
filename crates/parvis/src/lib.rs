//! The Parvis application: every capability wired on the kernel. The binary (`main.rs`)
//! and the integration tests both build the application from here.

use std::sync::Arc;

use axum::Router;
use kernel::clock::Clock;
use kernel::jobs::JobRegistry;
use kernel::migrate::Migration;
use kernel::{Config, Kernel, KernelParts, StartError};

pub mod bench;

/// Every migration, the kernel's first, then each capability's.
pub fn migrations() -> Vec<Migration> {
    let mut all = kernel::migrations();
    all.extend(accounts::migrations());
    all.extend(requests::migrations());
    all.extend(reports::migrations());
    all.extend(family::migrations());
    all.extend(bookings::migrations());
    all
}

/// Starts the kernel with every capability's catalogue and identity loader.
pub async fn start(config: Config, clock: Arc<dyn Clock>) -> Result<Kernel, StartError> {
    start_with(
        config,
        KernelParts {
            clock,
            catalogue: vec![
                &*accounts::LOCALES,
                &*requests::LOCALES,
                &*reports::LOCALES,
                &*family::LOCALES,
                &*bookings::LOCALES,
            ],
            identities: Box::new(|db| Arc::new(accounts::DbIdentities(db.clone()))),
            mailer: None,
            space_sections: vec![
                Arc::new(requests::web::public::MyRequests),
                Arc::new(family::web::MyFamily),
                Arc::new(bookings::web::MyBookings),
                Arc::new(reports::web::report::MyReports),
            ],
        },
    )
    .await
}

pub async fn start_with(config: Config, parts: KernelParts) -> Result<Kernel, StartError> {
    kernel::web::metrics::handle();
    Kernel::start(config, &migrations(), parts).await
}

/// The whole web application.
pub fn router(kernel: &Kernel) -> Router {
    kernel::web::app(
        kernel.clone(),
        vec![
            accounts::router(),
            requests::router(),
            reports::router(),
            family::router(),
            bookings::router(),
            requests::api::router(vec![bookings::api::routes()]),
        ],
    )
}

/// Every background job, recurring or queued.
pub fn jobs() -> JobRegistry {
    let mut registry = JobRegistry::default();
    kernel::jobs::register_kernel_jobs(&mut registry);
    requests::register_jobs(&mut registry);
    family::register_jobs(&mut registry);
    registry
}

/// Test support: the whole application on a fresh database, on a random port.
pub mod testing {
    use kernel::clock::ManualClock;
    pub use kernel::testing::{TestApp, TestClient, TestEnv, TestMail, TestResponse};

    pub async fn spawn() -> TestApp {
        spawn_with(|config| config).await
    }

    pub async fn spawn_with(configure: impl FnOnce(kernel::Config) -> kernel::Config) -> TestApp {
        let env = TestEnv::new().await;
        let clock = ManualClock::new(TestApp::start_time());
        let mut config = configure(env.config.clone());
        config.worker_interval_seconds = 3600;
        let kernel = super::start(config, std::sync::Arc::new(clock.clone()))
            .await
            .expect("application starts");
        let router = super::router(&kernel);
        TestApp::serve(env, kernel, clock, router).await
    }

    /// Logs a staff member in for the first time: password, then enrolment of the second
    /// factor. Returns the client, logged in, and the authenticator's secret.
    pub async fn log_in_enrolling_second_factor(
        app: &TestApp,
        email: &str,
        password: &str,
    ) -> (TestClient, String) {
        let client = app.client();
        let login = client.log_in(email, password).await;
        assert_eq!(
            login.location(),
            Some("/connexion/double-authentification/activer")
        );
        let setup = client
            .get("/connexion/double-authentification/activer")
            .await;
        let secret = setup
            .body
            .split("class=\"secret\">")
            .nth(1)
            .and_then(|rest| rest.split('<').next())
            .expect("the secret is shown for manual entry")
            .to_string();
        let now = u64::try_from(app.kernel.now().as_second()).expect("after 1970");
        let code = accounts::totp::code_at(&secret, now).expect("a code");
        let done = client
            .post_form(
                "/connexion/double-authentification/activer",
                &[("csrf_token", &setup.csrf()), ("code", &code)],
            )
            .await;
        assert_eq!(done.location(), Some("/connexion/codes-de-secours"));
        (client, secret)
    }

    /// The demo commune: its accounts, its procedures and their sample requests.
    pub async fn demo_app() -> TestApp {
        demo_app_with(|config| config).await
    }

    /// The demo commune, with a configuration of the test's own.
    pub async fn demo_app_with(
        configure: impl FnOnce(kernel::Config) -> kernel::Config,
    ) -> TestApp {
        let app = spawn_with(configure).await;
        accounts::demo::seed(&app.kernel)
            .await
            .expect("demo accounts");
        requests::demo::seed(&app.kernel)
            .await
            .expect("demo procedures");
        reports::demo::seed(&app.kernel)
            .await
            .expect("demo reports");
        family::demo::seed(&app.kernel).await.expect("demo family");
        bookings::demo::seed(&app.kernel)
            .await
            .expect("demo activities");
        app
    }

    /// A client logged in with this e-mail and password (the login must succeed).
    pub async fn logged_in(app: &TestApp, email: &str, password: &str) -> TestClient {
        let client = app.client();
        let response = client.log_in(email, password).await;
        assert_eq!(response.status, 303, "{}", response.body);
        client
    }

    /// A demo staff member without a second factor (agents, managers, officials).
    pub async fn staff(app: &TestApp, email: &str) -> TestClient {
        logged_in(app, email, accounts::demo::STAFF_PASSWORD).await
    }

    /// The demo resident, Camille Martin.
    pub async fn resident(app: &TestApp) -> TestClient {
        logged_in(
            app,
            "camille.martin@demo.parvis.fr",
            accounts::demo::RESIDENT_PASSWORD,
        )
        .await
    }

    /// A demo person as the use cases see them, to call `requests::actions` directly.
    pub async fn caller(app: &TestApp, email: &str) -> kernel::Caller {
        let user = accounts::store::user_by_email(&app.kernel.db, email)
            .await
            .expect("database")
            .expect("demo account");
        kernel::Caller {
            identity: accounts::store::load_identity(&app.kernel.db, &user.id)
                .await
                .expect("identity"),
            ..kernel::Caller::default()
        }
    }

    /// Answers to a form, one value per field (repeat a key for several choices).
    pub fn answers(pairs: &[(&str, &str)]) -> requests::forms::Answers {
        let mut a = requests::forms::Answers::new();
        for (k, v) in pairs {
            a.entry(k.to_string()).or_default().push(v.to_string());
        }
        a
    }

    /// Runs the worker once (due jobs, then mail), as the background loop would.
    pub async fn run_worker(app: &TestApp) -> kernel::jobs::WorkerReport {
        kernel::jobs::run_due_once(&app.kernel, &super::jobs())
            .await
            .expect("worker pass")
    }
}
