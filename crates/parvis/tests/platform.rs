//! The web shell and the operators' view of a running instance: security headers, error
//! pages, health, readiness, metrics, language, schema parity between SQLite and PostgreSQL,
//! the administrators' back office.

use parvis::testing::{TestApp, TestClient, run_worker, spawn};

async fn log_in_admin(app: &TestApp) -> TestClient {
    let (client, _) = parvis::testing::log_in_enrolling_second_factor(
        app,
        "admin@demo.parvis.fr",
        accounts::demo::STAFF_PASSWORD,
    )
    .await;
    client.get("/connexion/codes-de-secours").await;
    client
}

#[tokio::test]
async fn pages_carry_strict_security_headers() {
    let app = spawn().await;
    let page = app.client().get("/").await;
    assert_eq!(page.status, 200);
    let csp = page.header("content-security-policy").unwrap();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
    assert!(csp.contains("frame-ancestors 'none'"));
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(page.header("referrer-policy"), Some("same-origin"));
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
    assert!(
        page.header("strict-transport-security").is_none(),
        "no HSTS over plain HTTP"
    );
    assert!(page.header("x-request-id").is_some());

    let https = parvis::testing::spawn_with(|mut c| {
        c.base_url = Some("https://services.demo.parvis.fr".into());
        c
    })
    .await;
    let page = https.client().get("/connexion").await;
    assert!(
        page.header("strict-transport-security")
            .unwrap()
            .contains("max-age=")
    );
    assert!(page.header("set-cookie").unwrap().contains("Secure"));
}

#[tokio::test]
async fn every_page_has_the_shell_and_the_legal_mentions() {
    let app = spawn().await;
    let client = app.client();
    for path in [
        "/",
        "/connexion",
        "/inscription",
        "/mot-de-passe-oublie",
        "/accessibilite",
        "/mentions-legales",
        "/donnees-personnelles",
        "/plan-du-site",
    ] {
        let page = client.get(path).await;
        assert_eq!(page.status, 200, "{path}");
        assert!(page.contains("<html lang=\"fr\">"), "{path}");
        assert!(page.contains("href=\"#contenu\""), "{path}: skip link");
        assert!(page.contains("<main id=\"contenu\""), "{path}");
        assert!(
            page.contains("Accessibilité : non conforme"),
            "{path}: legal mention"
        );
        assert!(page.contains("Ville de Démo"), "{path}");
    }
    let statement = client.get("/accessibilite").await;
    assert!(statement.contains("Défenseur des droits"));
    assert!(statement.contains("Voies de recours"));
    let privacy = client.get("/donnees-personnelles").await;
    assert!(privacy.contains("dpo@demo.parvis.fr"));
    assert!(privacy.contains("Durée de conservation"));
}

#[tokio::test]
async fn the_commune_is_configured_not_hard_coded() {
    let app = parvis::testing::spawn_with(|mut c| {
        c.commune.name = "Saint-Martin-des-Champs".into();
        c.commune.primary_color = "#6a1b9a".into();
        c.commune.accessibility_status = "partielle".into();
        c.commune.dpo_email = "rgpd@saint-martin.fr".into();
        c
    })
    .await;
    let client = app.client();
    let home = client.get("/").await;
    assert!(home.contains("Saint-Martin-des-Champs"));
    assert!(home.contains("Accessibilité : partiellement conforme"));
    assert!(client.get("/theme.css").await.contains("#6a1b9a"));
    assert!(
        client
            .get("/donnees-personnelles")
            .await
            .contains("rgpd@saint-martin.fr")
    );
}

#[tokio::test]
async fn errors_are_plain_french_pages_or_json_for_machines() {
    let app = spawn().await;
    let client = app.client();
    let missing = client.get("/cette-page-n-existe-pas").await;
    assert_eq!(missing.status, 404);
    assert!(missing.contains("Page introuvable"));
    assert!(missing.contains("href=\"/\">Revenir à l"));
    let api = client.get("/api/v1/rien").await;
    assert_eq!(api.status, 404);
    let json: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(json["error"]["code"], "not_found");
}

#[tokio::test]
async fn english_is_one_click_away() {
    let app = spawn().await;
    let client = app.client();
    let switch = client.get("/langue/en?retour=/connexion").await;
    assert_eq!(switch.status, 303);
    assert_eq!(switch.location(), Some("/connexion"));
    let page = client.get("/connexion").await;
    assert!(page.contains("<html lang=\"en\">"));
    assert!(page.contains("Log in"));
    // Only local return paths are followed.
    let outside = client.get("/langue/fr?retour=//evil.example").await;
    assert_eq!(outside.location(), Some("/"));
}

#[tokio::test]
async fn health_readiness_and_metrics_for_operators() {
    let app = spawn().await;
    let client = app.client();
    assert_eq!(client.get("/health").await.status, 200);
    let ready = client.get("/ready").await;
    assert_eq!((ready.status, ready.body.as_str()), (200, "ok"));
    client.get("/connexion").await;
    let metrics = client.get("/metrics").await;
    assert_eq!(metrics.status, 200);
    assert!(metrics.contains(
        "parvis_http_requests_total{route=\"/connexion\",method=\"GET\",status=\"200\"}"
    ));
    assert!(metrics.contains("parvis_http_request_duration_seconds_bucket"));
    // Once the database is gone, the instance says it is not ready.
    app.kernel.db.close().await;
    assert_eq!(client.get("/ready").await.status, 503);
    assert_eq!(client.get("/health").await.status, 200);
}

#[tokio::test]
async fn sqlite_and_postgresql_end_with_the_same_schema() {
    let Ok(pg) = std::env::var("PARVIS_TEST_POSTGRES_URL") else {
        eprintln!("PARVIS_TEST_POSTGRES_URL absent : comparaison avec PostgreSQL non faite");
        return;
    };
    assert!(!pg.is_empty());
    let pg_env = kernel::testing::TestEnv::new().await;
    assert_eq!(pg_env.backend(), kernel::Backend::Postgres);
    let dir = tempfile::tempdir().unwrap();
    let sqlite_url = format!("sqlite://{}?mode=rwc", dir.path().join("s.db").display());
    let sqlite = kernel::Db::connect(&sqlite_url).await.unwrap();
    let postgres = kernel::Db::connect(&pg_env.config.database_url())
        .await
        .unwrap();
    kernel::migrate::run(&sqlite, &parvis::migrations())
        .await
        .unwrap();
    kernel::migrate::run(&postgres, &parvis::migrations())
        .await
        .unwrap();
    let a = kernel::migrate::schema_summary(&sqlite).await.unwrap();
    let b = kernel::migrate::schema_summary(&postgres).await.unwrap();
    assert!(a.len() > 40, "{a:?}");
    assert_eq!(a, b);
}

#[tokio::test]
async fn an_administrator_creates_an_agent_who_chooses_a_password_by_invitation() {
    let app = spawn().await;
    accounts::demo::seed(&app.kernel).await.unwrap();
    let admin = log_in_admin(&app).await;

    // Mistakes are shown next to their field, input kept.
    let refused = admin
        .submit(
            "/backoffice/utilisateurs/nouveau",
            "/backoffice/utilisateurs/nouveau",
            &[
                ("given_name", "Lucie"),
                ("family_name", "Garnier"),
                ("email", "lucie.garnier@demo.parvis.fr"),
                ("role", "agent"),
                ("service", ""),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.contains("Choisissez le service"));
    assert!(refused.contains("value=\"Lucie\""));

    let created = admin
        .submit(
            "/backoffice/utilisateurs/nouveau",
            "/backoffice/utilisateurs/nouveau",
            &[
                ("given_name", "Lucie"),
                ("family_name", "Garnier"),
                ("email", "lucie.garnier@demo.parvis.fr"),
                ("role", "agent"),
                ("service", "etat-civil"),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    let detail = admin.follow(&created).await;
    assert!(detail.contains("Lucie Garnier"));
    assert!(detail.contains("Agent — État civil et citoyenneté"));

    run_worker(&app).await;
    let invitation = app
        .mails()
        .into_iter()
        .find(|m| m.to == "lucie.garnier@demo.parvis.fr")
        .expect("invitation");
    let link = invitation.link("/mot-de-passe/nouveau/").unwrap();
    let agent = app.client();
    // Staff passwords follow the stricter rule.
    let weak = agent
        .submit(&link, &link, &[("password", "Garnier-2026")])
        .await;
    assert_eq!(weak.status, 422);
    let ok = agent
        .submit(&link, &link, &[("password", "Registre-Naissances-1987!")])
        .await;
    assert_eq!(ok.status, 303);
    let login = agent
        .log_in("lucie.garnier@demo.parvis.fr", "Registre-Naissances-1987!")
        .await;
    assert_eq!(login.location(), Some("/backoffice"));

    // Every step is in the audit log, including the administrator viewing her account.
    let audit = admin.get("/backoffice/audit?action=").await;
    for action in [
        "account.created",
        "role.granted",
        "personal_data.viewed",
        "password.changed",
        "login.succeeded",
        "mfa.enabled",
    ] {
        assert!(
            audit.contains(action),
            "{action} missing from the audit page"
        );
    }
    let verify = admin.get("/backoffice/audit?verifier=1").await;
    assert!(verify.contains("Journal intègre"), "{}", verify.body);
}

#[tokio::test]
async fn roles_can_be_granted_and_revoked_and_take_effect_at_once() {
    let app = spawn().await;
    accounts::demo::seed(&app.kernel).await.unwrap();
    let admin = log_in_admin(&app).await;
    let agent = app.client();
    agent
        .log_in("luc.moreau@demo.parvis.fr", accounts::demo::STAFF_PASSWORD)
        .await;
    assert_eq!(agent.get("/backoffice").await.status, 200);
    let luc = accounts::store::user_by_email(&app.kernel.db, "luc.moreau@demo.parvis.fr")
        .await
        .unwrap()
        .unwrap();
    let grants = accounts::store::grants_for(&app.kernel.db, &luc.id)
        .await
        .unwrap();
    let page = format!("/backoffice/utilisateurs/{}", luc.id);
    let revoked = admin
        .submit(
            &page,
            &format!(
                "/backoffice/utilisateurs/{}/roles/{}/retirer",
                luc.id, grants[0].id
            ),
            &[],
        )
        .await;
    assert_eq!(revoked.status, 303);
    // His open session loses the back office immediately.
    assert_eq!(agent.get("/backoffice").await.status, 403);
    let granted = admin
        .submit(
            &page,
            &format!("/backoffice/utilisateurs/{}/roles", luc.id),
            &[("role", "elected_official"), ("service", "")],
        )
        .await;
    assert_eq!(granted.status, 303);
    assert_eq!(agent.get("/backoffice").await.status, 200);
}

#[tokio::test]
async fn behind_a_proxy_only_the_address_the_proxy_saw_is_trusted() {
    let app = parvis::testing::spawn_with(|mut c| {
        c.behind_proxy = true;
        c
    })
    .await;
    accounts::demo::seed(&app.kernel).await.unwrap();
    let client = app.client();
    let token = client.get("/connexion").await.csrf();
    // The client forges a first entry; the proxy appends the address it really saw.
    client
        .http
        .post(app.url("/connexion"))
        .header("x-forwarded-for", "10.9.8.7, 203.0.113.45")
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", "camille.martin@demo.parvis.fr"),
            ("password", "Mauvais-mot-2026"),
        ])
        .send()
        .await
        .unwrap();
    let entries = kernel::audit::search(
        &app.kernel.db,
        &kernel::audit::AuditQuery {
            action: Some("login.failed".into()),
            limit: 5,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(entries[0].ip.as_deref(), Some("203.0.113.45"));
}

#[tokio::test]
async fn metrics_can_require_a_token() {
    let app = parvis::testing::spawn_with(|mut c| {
        c.metrics_token = Some("jeton-de-supervision-2026".into());
        c
    })
    .await;
    let client = app.client();
    assert_eq!(client.get("/metrics").await.status, 403);
    let with_token = client
        .http
        .get(app.url("/metrics"))
        .header("authorization", "Bearer jeton-de-supervision-2026")
        .send()
        .await
        .unwrap();
    assert_eq!(with_token.status(), 200);
}

#[tokio::test]
async fn reading_pages_creates_no_session() {
    let app = spawn().await;
    let client = app.client();
    for path in ["/", "/accessibilite", "/mentions-legales", "/page-inconnue"] {
        let page = client.get(path).await;
        assert!(page.header("set-cookie").is_none(), "{path} set a cookie");
    }
    // A page with a form does, for its security token.
    let form = client.get("/connexion").await;
    assert!(
        form.header("set-cookie")
            .unwrap()
            .starts_with("parvis_session=")
    );
}

#[tokio::test]
async fn administrators_create_the_municipal_services() {
    let app = spawn().await;
    accounts::demo::seed(&app.kernel).await.unwrap();
    let admin = log_in_admin(&app).await;
    let page = admin.get("/backoffice/services").await;
    assert_eq!(page.status, 200);
    assert!(page.contains("État civil et citoyenneté"));
    let refused = admin
        .submit(
            "/backoffice/services",
            "/backoffice/services",
            &[
                ("name", "Médiathèque"),
                ("slug", "Police Municipale"),
                ("email", "mediatheque@ville"),
                ("phone", ""),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.contains("minuscules sans accents"));
    assert!(refused.contains("value=\"Médiathèque\""));
    let created = admin
        .submit(
            "/backoffice/services",
            "/backoffice/services",
            &[
                ("name", "Médiathèque"),
                ("slug", "mediatheque"),
                ("email", "mediatheque@demo.parvis.fr"),
                ("phone", "01 23 45 67 70"),
            ],
        )
        .await;
    assert_eq!(created.status, 303);
    assert!(
        admin
            .follow(&created)
            .await
            .contains("Le service « Médiathèque » est créé.")
    );
    // An agent cannot.
    let agent = app.client();
    agent
        .log_in(
            "sophie.bernard@demo.parvis.fr",
            accounts::demo::STAFF_PASSWORD,
        )
        .await;
    assert_eq!(agent.get("/backoffice/services").await.status, 403);
    let forged = agent
        .submit(
            "/backoffice",
            "/backoffice/services",
            &[
                ("name", "Intrus"),
                ("slug", "intrus"),
                ("email", "i@demo.parvis.fr"),
                ("phone", ""),
            ],
        )
        .await;
    assert_eq!(forged.status, 403);
    assert!(
        accounts::store::service_by_slug(&app.kernel.db, "intrus")
            .await
            .unwrap()
            .is_none()
    );
}
