//! Account journeys through the real router, on SQLite (and PostgreSQL when
//! `PARVIS_TEST_POSTGRES_URL` is set): sign-up, verification, login, logout, password
//! reset, throttling, second factor, permissions.

use parvis::testing::{TestApp, TestClient, run_worker, spawn};

const PASSWORD: &str = "Lavande-et-thym-42";

async fn sign_up(app: &TestApp, client: &TestClient, email: &str) {
    let response = client
        .submit(
            "/inscription",
            "/inscription",
            &[
                ("given_name", "Jeanne"),
                ("family_name", "Dupuis"),
                ("email", email),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(response.status, 303, "{}", response.body);
    assert_eq!(response.location(), Some("/inscription/confirmation"));
    run_worker(app).await;
}

#[tokio::test]
async fn sign_up_verify_log_in_see_my_space_and_log_out() {
    let app = spawn().await;
    let client = app.client();
    sign_up(&app, &client, "Jeanne.Dupuis@Exemple.fr").await;

    // The verification e-mail is a file in the mail folder, with a working link.
    let mails = app.mails();
    assert_eq!(mails.len(), 1, "{mails:?}");
    let mail = &mails[0];
    assert_eq!(mail.to, "jeanne.dupuis@exemple.fr");
    assert!(
        mail.subject.contains("confirmez votre adresse"),
        "{}",
        mail.subject
    );
    let link = mail
        .link("/inscription/verifier/")
        .expect("a verification link");

    // Before verification, login is refused (and the link is sent again).
    let refused = client.log_in("jeanne.dupuis@exemple.fr", PASSWORD).await;
    assert_eq!(refused.status, 403);
    assert!(refused.contains("pas encore confirmée"));

    let verified = client.get(&link).await;
    assert_eq!(verified.status, 303);
    assert_eq!(verified.location(), Some("/connexion"));
    assert!(
        client
            .follow(&verified)
            .await
            .contains("Votre adresse est confirmée")
    );
    // The link works once.
    let again = client.get(&link).await;
    assert!(client.follow(&again).await.contains("plus valable"));

    let logged_in = client.log_in("jeanne.dupuis@exemple.fr", PASSWORD).await;
    assert_eq!(logged_in.status, 303, "{}", logged_in.body);
    assert_eq!(logged_in.location(), Some("/mon-espace"));
    let space = client.get("/mon-espace").await;
    assert_eq!(space.status, 200);
    assert!(space.contains("Bonjour Jeanne"));
    assert!(space.contains("jeanne.dupuis@exemple.fr"));

    let logout = client.submit("/mon-espace", "/deconnexion", &[]).await;
    assert_eq!(logout.status, 303);
    let after = client.get("/mon-espace").await;
    assert_eq!(after.status, 303);
    assert_eq!(after.location(), Some("/connexion?suivant=%2Fmon-espace"));
}

#[tokio::test]
async fn sign_up_errors_are_shown_next_to_fields_and_input_is_kept() {
    let app = spawn().await;
    let client = app.client();
    let response = client
        .submit(
            "/inscription",
            "/inscription",
            &[
                ("given_name", "Jeanne"),
                ("family_name", ""),
                ("email", "jeanne@exemple"),
                ("password", "azerty"),
            ],
        )
        .await;
    assert_eq!(response.status, 422);
    assert!(response.contains("Le formulaire contient 3 erreurs"));
    assert!(response.contains("href=\"#family_name\""));
    assert!(response.contains("Indiquez une adresse électronique valide"));
    assert!(response.contains("au moins 8 caractères"));
    assert!(response.contains("value=\"Jeanne\""), "input kept");
    assert!(response.contains("value=\"jeanne@exemple\""));
    assert!(
        !response.contains("azerty"),
        "a password is never sent back"
    );
    run_worker(&app).await;
    assert!(app.mails().is_empty());
}

#[tokio::test]
async fn signing_up_twice_reveals_nothing_on_screen_and_warns_the_owner() {
    let app = spawn().await;
    let client = app.client();
    sign_up(&app, &client, "paul@exemple.fr").await;
    let other = app.client();
    sign_up(&app, &other, "paul@exemple.fr").await;
    let mails = app.mails();
    assert_eq!(mails.len(), 2);
    assert!(
        mails[1].subject.contains("déjà un compte"),
        "{}",
        mails[1].subject
    );
}

#[tokio::test]
async fn wrong_password_is_refused_without_saying_which_part_is_wrong() {
    let app = spawn().await;
    let client = app.client();
    accounts::demo::seed(&app.kernel).await.unwrap();
    let wrong = client
        .log_in("camille.martin@demo.parvis.fr", "Mauvais-mot-2026")
        .await;
    assert_eq!(wrong.status, 401);
    assert!(wrong.contains("Adresse électronique ou mot de passe incorrect."));
    let unknown = client
        .log_in("personne@demo.parvis.fr", "Mauvais-mot-2026")
        .await;
    assert_eq!(unknown.status, 401);
    assert!(unknown.contains("Adresse électronique ou mot de passe incorrect."));
    assert_eq!(client.get("/mon-espace").await.status, 303);
}

#[tokio::test]
async fn login_is_throttled_per_account_after_five_failures() {
    let app = spawn().await;
    accounts::demo::seed(&app.kernel).await.unwrap();
    let email = "camille.martin@demo.parvis.fr";
    for _ in 0..5 {
        // Each attempt from a new client, as an attacker rotating sessions would.
        let response = app.client().log_in(email, "Mauvais-mot-2026").await;
        assert_eq!(response.status, 401);
    }
    // Now even the right password is refused, with the same message for any account.
    let blocked = app
        .client()
        .log_in(email, accounts::demo::RESIDENT_PASSWORD)
        .await;
    assert_eq!(blocked.status, 429);
    assert!(blocked.contains("Trop de tentatives"));
    // A quarter of an hour later, the account opens again.
    app.clock.advance(jiff::SignedDuration::from_mins(16));
    let ok = app
        .client()
        .log_in(email, accounts::demo::RESIDENT_PASSWORD)
        .await;
    assert_eq!(ok.status, 303);
}

#[tokio::test]
async fn a_form_without_its_csrf_token_is_refused() {
    let app = spawn().await;
    accounts::demo::seed(&app.kernel).await.unwrap();
    let client = app.client();
    let _ = client.get("/connexion").await;
    let forged = client
        .post_form(
            "/connexion",
            &[
                ("email", "camille.martin@demo.parvis.fr"),
                ("password", accounts::demo::RESIDENT_PASSWORD),
            ],
        )
        .await;
    assert_eq!(forged.status, 403);
    assert!(forged.contains("Formulaire expiré"));
    let wrong_token = client
        .post_form(
            "/connexion",
            &[
                ("csrf_token", "pas-le-bon"),
                ("email", "camille.martin@demo.parvis.fr"),
                ("password", accounts::demo::RESIDENT_PASSWORD),
            ],
        )
        .await;
    assert_eq!(wrong_token.status, 403);
    // With the token, it works.
    assert_eq!(
        client
            .log_in(
                "camille.martin@demo.parvis.fr",
                accounts::demo::RESIDENT_PASSWORD
            )
            .await
            .status,
        303
    );
}

#[tokio::test]
async fn a_session_id_changes_at_login() {
    let app = spawn().await;
    accounts::demo::seed(&app.kernel).await.unwrap();
    let client = app.client();
    let page = client.get("/connexion").await;
    let before = page.header("set-cookie").unwrap().to_string();
    let token = page.csrf();
    let response = client
        .post_form(
            "/connexion",
            &[
                ("csrf_token", token.as_str()),
                ("email", "camille.martin@demo.parvis.fr"),
                ("password", accounts::demo::RESIDENT_PASSWORD),
            ],
        )
        .await;
    let after = response
        .header("set-cookie")
        .expect("a new session cookie")
        .to_string();
    assert_ne!(before.split(';').next(), after.split(';').next());
    assert!(after.contains("HttpOnly"));
    assert!(after.contains("SameSite=Lax"));
}

#[tokio::test]
async fn a_resident_cannot_open_the_back_office() {
    let app = spawn().await;
    accounts::demo::seed(&app.kernel).await.unwrap();
    let client = app.client();
    client
        .log_in(
            "camille.martin@demo.parvis.fr",
            accounts::demo::RESIDENT_PASSWORD,
        )
        .await;
    for path in [
        "/backoffice",
        "/backoffice/utilisateurs",
        "/backoffice/audit",
        "/backoffice/utilisateurs/nouveau",
    ] {
        let response = client.get(path).await;
        assert_eq!(response.status, 403, "{path}");
        assert!(response.contains("Accès refusé"));
    }
    // Anonymous visitors are sent to the login page instead.
    let anonymous = app.client().get("/backoffice").await;
    assert_eq!(anonymous.status, 303);
    assert_eq!(
        anonymous.location(),
        Some("/connexion?suivant=%2Fbackoffice")
    );
}

#[tokio::test]
async fn an_agent_without_the_administrator_role_cannot_create_users() {
    let app = spawn().await;
    accounts::demo::seed(&app.kernel).await.unwrap();
    let client = app.client();
    let login = client
        .log_in(
            "sophie.bernard@demo.parvis.fr",
            accounts::demo::STAFF_PASSWORD,
        )
        .await;
    assert_eq!(login.location(), Some("/backoffice"));
    let home = client.get("/backoffice").await;
    assert_eq!(home.status, 200);
    assert!(home.contains("État civil et citoyenneté"));
    assert!(
        !home.contains("/backoffice/utilisateurs"),
        "no link to a tool she cannot use"
    );
    assert_eq!(
        client.get("/backoffice/utilisateurs/nouveau").await.status,
        403
    );
    // Posting directly, with a valid CSRF token, is refused too, and creates nothing.
    let forged = client
        .submit(
            "/backoffice",
            "/backoffice/utilisateurs/nouveau",
            &[
                ("given_name", "Intrus"),
                ("family_name", "Malin"),
                ("email", "intrus@demo.parvis.fr"),
                ("role", "administrator"),
                ("service", ""),
            ],
        )
        .await;
    assert_eq!(forged.status, 403);
    assert!(
        accounts::store::user_by_email(&app.kernel.db, "intrus@demo.parvis.fr")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn forgotten_password_link_works_once_and_expires() {
    let app = spawn().await;
    accounts::demo::seed(&app.kernel).await.unwrap();
    let client = app.client();
    let sent = client
        .submit(
            "/mot-de-passe-oublie",
            "/mot-de-passe-oublie",
            &[("email", "camille.martin@demo.parvis.fr")],
        )
        .await;
    assert_eq!(sent.status, 200);
    assert!(sent.contains("Si un compte existe"));
    // An unknown address gets the very same answer, and no mail.
    let unknown = client
        .submit(
            "/mot-de-passe-oublie",
            "/mot-de-passe-oublie",
            &[("email", "inconnu@demo.parvis.fr")],
        )
        .await;
    assert!(unknown.contains("Si un compte existe"));
    run_worker(&app).await;
    let mails = app.mails();
    assert_eq!(mails.len(), 1);
    let link = mails[0].link("/mot-de-passe/nouveau/").unwrap();

    // A weak password is refused next to its field.
    let weak = client.submit(&link, &link, &[("password", "court")]).await;
    assert_eq!(weak.status, 422);
    assert!(weak.contains("au moins 8 caractères"));

    let done = client
        .submit(&link, &link, &[("password", "Nouveau-jardin-2027")])
        .await;
    assert_eq!(done.status, 303);
    assert_eq!(client.get(&link).await.status, 410, "used once");
    assert_eq!(
        app.client()
            .log_in(
                "camille.martin@demo.parvis.fr",
                accounts::demo::RESIDENT_PASSWORD
            )
            .await
            .status,
        401
    );
    assert_eq!(
        app.client()
            .log_in("camille.martin@demo.parvis.fr", "Nouveau-jardin-2027")
            .await
            .status,
        303
    );

    // A fresh link expires after an hour.
    client
        .submit(
            "/mot-de-passe-oublie",
            "/mot-de-passe-oublie",
            &[("email", "camille.martin@demo.parvis.fr")],
        )
        .await;
    run_worker(&app).await;
    let link = app
        .mails()
        .last()
        .unwrap()
        .link("/mot-de-passe/nouveau/")
        .unwrap();
    app.clock.advance(jiff::SignedDuration::from_mins(61));
    assert_eq!(client.get(&link).await.status, 410);
}

#[tokio::test]
async fn administrators_must_enrol_and_then_use_a_second_factor() {
    let app = spawn().await;
    accounts::demo::seed(&app.kernel).await.unwrap();
    let client = app.client();
    let login = client
        .log_in("admin@demo.parvis.fr", accounts::demo::STAFF_PASSWORD)
        .await;
    assert_eq!(
        login.location(),
        Some("/connexion/double-authentification/activer")
    );
    // Not logged in yet: the back office is still closed.
    assert_eq!(client.get("/backoffice").await.status, 303);

    let setup = client
        .get("/connexion/double-authentification/activer")
        .await;
    assert!(setup.contains("<svg role=\"img\""));
    let secret = setup
        .body
        .split("class=\"secret\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_string();
    let now = app.kernel.now().as_second() as u64;
    let wrong = client
        .post_form(
            "/connexion/double-authentification/activer",
            &[("csrf_token", &setup.csrf()), ("code", "000000")],
        )
        .await;
    assert_eq!(wrong.status, 422);
    let code = accounts::totp::code_at(&secret, now).unwrap();
    let enabled = client
        .post_form(
            "/connexion/double-authentification/activer",
            &[("csrf_token", &setup.csrf()), ("code", &code)],
        )
        .await;
    assert_eq!(enabled.location(), Some("/connexion/codes-de-secours"));
    let codes_page = client.get("/connexion/codes-de-secours").await;
    let recovery: Vec<String> = codes_page
        .body
        .split("<li>")
        .skip(1)
        .filter_map(|s| s.split("</li>").next())
        .filter(|s| s.len() == 10 && s.chars().all(|c| c.is_ascii_alphanumeric()))
        .map(str::to_string)
        .collect();
    assert_eq!(recovery.len(), 10, "{}", codes_page.body);
    assert_eq!(client.get("/backoffice/utilisateurs").await.status, 200);

    // Next login asks for a code; the code already used cannot be replayed.
    let second = app.client();
    let login = second
        .log_in("admin@demo.parvis.fr", accounts::demo::STAFF_PASSWORD)
        .await;
    assert_eq!(login.location(), Some("/connexion/double-authentification"));
    let replay = second
        .submit(
            "/connexion/double-authentification",
            "/connexion/double-authentification",
            &[("code", &code)],
        )
        .await;
    assert_eq!(replay.status, 401);
    // A recovery code works, once.
    let ok = second
        .submit(
            "/connexion/double-authentification",
            "/connexion/double-authentification",
            &[("code", &recovery[0])],
        )
        .await;
    assert_eq!(ok.location(), Some("/backoffice"));

    let third = app.client();
    third
        .log_in("admin@demo.parvis.fr", accounts::demo::STAFF_PASSWORD)
        .await;
    let reused = third
        .submit(
            "/connexion/double-authentification",
            "/connexion/double-authentification",
            &[("code", &recovery[0])],
        )
        .await;
    assert_eq!(reused.status, 401);
    // A fresh code from the next time step is accepted.
    app.clock.advance(jiff::SignedDuration::from_secs(30));
    let fresh = accounts::totp::code_at(&secret, app.kernel.now().as_second() as u64).unwrap();
    let ok = third
        .submit(
            "/connexion/double-authentification",
            "/connexion/double-authentification",
            &[("code", &fresh)],
        )
        .await;
    assert_eq!(ok.location(), Some("/backoffice"));
}

#[tokio::test]
async fn a_session_ends_twelve_hours_after_login_whatever_the_activity() {
    let app = spawn().await;
    accounts::demo::seed(&app.kernel).await.unwrap();
    let client = app.client();
    client
        .log_in(
            "camille.martin@demo.parvis.fr",
            accounts::demo::RESIDENT_PASSWORD,
        )
        .await;
    app.clock.advance(jiff::SignedDuration::from_hours(11));
    assert_eq!(client.get("/mon-espace").await.status, 200);
    app.clock.advance(jiff::SignedDuration::from_hours(2));
    let expired = client.get("/mon-espace").await;
    assert_eq!(expired.status, 303);
    assert_eq!(expired.location(), Some("/connexion?suivant=%2Fmon-espace"));
}

#[tokio::test]
async fn our_forms_cannot_be_used_to_flood_someone_s_mailbox() {
    let app = spawn().await;
    accounts::demo::seed(&app.kernel).await.unwrap();
    for _ in 0..8 {
        let sent = app
            .client()
            .submit(
                "/mot-de-passe-oublie",
                "/mot-de-passe-oublie",
                &[("email", "camille.martin@demo.parvis.fr")],
            )
            .await;
        assert!(
            sent.contains("Si un compte existe"),
            "the page never changes"
        );
    }
    run_worker(&app).await;
    assert_eq!(
        app.mails().len(),
        accounts::rules::MAX_MAILS_PER_ACCOUNT as usize
    );
}

#[tokio::test]
async fn knowing_the_password_is_not_enough_to_replace_an_enrolled_second_factor() {
    let app = spawn().await;
    accounts::demo::seed(&app.kernel).await.unwrap();
    // The administrator enrols.
    let (_, secret) = parvis::testing::log_in_enrolling_second_factor(
        &app,
        "admin@demo.parvis.fr",
        accounts::demo::STAFF_PASSWORD,
    )
    .await;

    // An attacker with the password goes straight to the enrolment page: sent to the challenge.
    let attacker = app.client();
    let login = attacker
        .log_in("admin@demo.parvis.fr", accounts::demo::STAFF_PASSWORD)
        .await;
    assert_eq!(login.location(), Some("/connexion/double-authentification"));
    let page = attacker
        .get("/connexion/double-authentification/activer")
        .await;
    assert_eq!(page.location(), Some("/connexion/double-authentification"));
    // Posting a code for a secret of their own changes nothing either.
    let own_secret = accounts::totp::new_secret();
    let own_code =
        accounts::totp::code_at(&own_secret, app.kernel.now().as_second() as u64).unwrap();
    let token = attacker
        .get("/connexion/double-authentification")
        .await
        .csrf();
    let posted = attacker
        .post_form(
            "/connexion/double-authentification/activer",
            &[("csrf_token", &token), ("code", &own_code)],
        )
        .await;
    assert_eq!(
        posted.location(),
        Some("/connexion/double-authentification")
    );
    assert_eq!(
        attacker.get("/backoffice").await.status,
        303,
        "still not logged in"
    );
    let user = accounts::store::user_by_email(&app.kernel.db, "admin@demo.parvis.fr")
        .await
        .unwrap()
        .unwrap();
    let stored = app
        .kernel
        .secret
        .open("accounts/totp-secret", user.totp_secret.as_deref().unwrap())
        .unwrap();
    assert_eq!(
        String::from_utf8(stored).unwrap(),
        secret,
        "the real authenticator still works"
    );
}

#[tokio::test]
async fn an_incomplete_login_form_has_one_error_summary() {
    let app = spawn().await;
    let response = app.client().log_in("", "").await;
    assert_eq!(response.status, 422);
    assert_eq!(response.body.matches("id=\"resume-erreurs\"").count(), 1);
    assert!(response.contains("Indiquez votre adresse électronique."));
}

#[tokio::test]
async fn a_resident_changes_their_password_and_other_sessions_end() {
    let app = spawn().await;
    accounts::demo::seed(&app.kernel).await.unwrap();
    let email = "camille.martin@demo.parvis.fr";
    let phone = app.client();
    phone.log_in(email, accounts::demo::RESIDENT_PASSWORD).await;
    let laptop = app.client();
    laptop
        .log_in(email, accounts::demo::RESIDENT_PASSWORD)
        .await;

    let wrong = laptop
        .submit(
            "/mon-espace/mot-de-passe",
            "/mon-espace/mot-de-passe",
            &[
                ("current_password", "pas-le-bon"),
                ("new_password", "Glycine-et-houblon-7"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.contains("Le mot de passe actuel n"));
    let weak = laptop
        .submit(
            "/mon-espace/mot-de-passe",
            "/mon-espace/mot-de-passe",
            &[
                ("current_password", accounts::demo::RESIDENT_PASSWORD),
                ("new_password", "camille1"),
            ],
        )
        .await;
    assert_eq!(weak.status, 422);
    let done = laptop
        .submit(
            "/mon-espace/mot-de-passe",
            "/mon-espace/mot-de-passe",
            &[
                ("current_password", accounts::demo::RESIDENT_PASSWORD),
                ("new_password", "Glycine-et-houblon-7"),
            ],
        )
        .await;
    assert_eq!(done.location(), Some("/mon-espace"));
    assert!(
        laptop
            .follow(&done)
            .await
            .contains("Votre mot de passe est changé")
    );
    assert_eq!(
        phone.get("/mon-espace").await.status,
        303,
        "the other session ended"
    );
    run_worker(&app).await;
    assert!(
        app.mails()
            .iter()
            .any(|m| m.to == email && m.subject.contains("mot de passe a été changé"))
    );
    assert_eq!(
        app.client()
            .log_in(email, "Glycine-et-houblon-7")
            .await
            .status,
        303
    );
    // Anonymous visitors are sent to the login page.
    assert_eq!(
        app.client().get("/mon-espace/mot-de-passe").await.status,
        303
    );
}
