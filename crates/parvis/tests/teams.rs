//! Teams inside services, on SQLite (and PostgreSQL when PARVIS_TEST_POSTGRES_URL is set):
//! a manager organises the teams of their service (and only of theirs), a routing rule
//! sends requests to a team, its members find them with the inbox's team filter, an agent
//! hands a request over to another team, and the JSON API names the team.

use kernel::Caller;
use kernel::audit::{AuditQuery, search};
use parvis::testing::{TestApp, TestClient, log_in_enrolling_second_factor, spawn};
use requests::actions::{self, CounterRequest};
use requests::forms::Answers;
use requests::model::Channel;
use serde_json::Value;

const MANAGER: &str = "paul.roux@demo.parvis.fr";
const MANAGER_PASSWORD: &str = "Cantonnier#Nord-2026";
const LUC: &str = "luc.moreau@demo.parvis.fr";
const SOPHIE: &str = "sophie.bernard@demo.parvis.fr";
const CLAIRE: &str = "claire.rousseau@demo.parvis.fr";

/// The demo commune, with a manager of the roads service.
async fn demo_app() -> TestApp {
    let app = spawn().await;
    accounts::demo::seed(&app.kernel)
        .await
        .expect("demo accounts");
    requests::demo::seed(&app.kernel)
        .await
        .expect("demo procedures");
    accounts::create_staff(
        &app.kernel,
        &Caller::default(),
        &accounts::StaffRequest {
            email: MANAGER,
            given_name: "Paul",
            family_name: "Roux",
            role: "service_manager",
            service_slug: Some("voirie"),
            password: Some(MANAGER_PASSWORD),
        },
    )
    .await
    .expect("roads manager");
    app
}

async fn staff(app: &TestApp, email: &str) -> TestClient {
    let client = app.client();
    let password = if email == MANAGER {
        MANAGER_PASSWORD
    } else {
        accounts::demo::STAFF_PASSWORD
    };
    let response = client.log_in(email, password).await;
    assert_eq!(response.status, 303, "{}", response.body);
    client
}

async fn administrator(app: &TestApp) -> TestClient {
    log_in_enrolling_second_factor(app, "admin@demo.parvis.fr", accounts::demo::STAFF_PASSWORD)
        .await
        .0
}

async fn user_id(app: &TestApp, email: &str) -> String {
    accounts::store::user_by_email(&app.kernel.db, email)
        .await
        .unwrap()
        .expect("demo account")
        .id
}

async fn caller(app: &TestApp, email: &str) -> Caller {
    let id = user_id(app, email).await;
    Caller {
        identity: accounts::store::load_identity(&app.kernel.db, &id)
            .await
            .unwrap(),
        ..Caller::default()
    }
}

async fn service_id(app: &TestApp, slug: &str) -> String {
    accounts::store::service_by_slug(&app.kernel.db, slug)
        .await
        .unwrap()
        .expect("demo service")
        .id
}

async fn team(app: &TestApp, service: &str, slug: &str) -> accounts::model::Team {
    let service = service_id(app, service).await;
    accounts::store::team_by_slug(&app.kernel.db, &service, slug)
        .await
        .unwrap()
        .expect("team")
}

async fn audited(app: &TestApp, action: &str, target: &str) -> bool {
    search(
        &app.kernel.db,
        &AuditQuery {
            action: Some(action.into()),
            target_id: Some(target.into()),
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .iter()
    .any(|e| e.target_id.as_deref() == Some(target))
}

fn occupation(objet: &str) -> CounterRequest {
    let mut a = Answers::new();
    for (k, v) in [
        ("objet", objet),
        ("adresse", "1 place de la Mairie, 00000 Démo"),
        ("debut", "2026-12-10"),
        ("fin", "2026-12-20"),
        ("surface", "6"),
        ("telephone", "06 12 34 56 78"),
        ("assurance", "attestation vue au guichet"),
    ] {
        a.entry(k.to_string()).or_default().push(v.to_string());
    }
    if objet == "Autre" {
        a.insert("precision".into(), vec!["Dépôt de bois".into()]);
    }
    CounterRequest {
        channel: Channel::Phone,
        received_on: "2026-11-23".parse().unwrap(),
        applicant_id: None,
        applicant_name: "Paul Durand".into(),
        applicant_email: None,
        applicant_phone: Some("06 12 34 56 78".into()),
        applicant_address: None,
        answers: a,
    }
}

const TEAMS: &str = "/backoffice/services/voirie/equipes";

#[tokio::test]
async fn a_manager_organises_the_teams_of_their_service_and_only_theirs() {
    let app = demo_app().await;
    // The demo's teams, with Luc Moreau in the north team.
    let north = team(&app, "voirie", "equipe-nord").await;
    assert_eq!(north.name, "Équipe Nord");
    team(&app, "etat-civil", "accueil").await;
    let luc = caller(&app, LUC).await;
    assert_eq!(luc.identity.unwrap().team_ids, vec![north.id.clone()]);

    let manager = staff(&app, MANAGER).await;
    let home = manager.get("/backoffice").await;
    assert!(home.contains(&format!("href=\"{TEAMS}\"")), "{}", home.body);
    let page = manager.get(TEAMS).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.contains("Équipes du service Voirie, propreté et espaces verts"));
    assert!(page.contains("Équipe Nord"));
    assert!(page.contains("Équipe Sud"));

    // A new team, its short name drawn from its name.
    let created = manager
        .submit(TEAMS, TEAMS, &[("name", "Équipe Centre"), ("slug", "")])
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    let centre = team(&app, "voirie", "equipe-centre").await;
    assert!(audited(&app, "team.created", &centre.id).await);

    // The same name again, or a short name already taken: refused next to the field,
    // with what was typed kept.
    let twice = manager
        .submit(TEAMS, TEAMS, &[("name", "équipe centre"), ("slug", "")])
        .await;
    assert_eq!(twice.status, 422);
    assert!(twice.contains("Une équipe porte déjà ce nom dans ce service"));
    assert!(twice.contains("value=\"équipe centre\""));
    assert!(twice.contains("href=\"#name\""));
    let taken_slug = manager
        .submit(
            TEAMS,
            TEAMS,
            &[("name", "Nord bis"), ("slug", "equipe-nord")],
        )
        .await;
    assert_eq!(taken_slug.status, 422);
    assert!(taken_slug.contains("Une équipe a déjà ce nom court dans ce service"));
    assert!(taken_slug.contains("value=\"Nord bis\""));
    let no_name = manager
        .submit(TEAMS, TEAMS, &[("name", " "), ("slug", "")])
        .await;
    assert_eq!(no_name.status, 422);
    assert!(no_name.contains("Indiquez le nom de l&#39;équipe"));
    assert_eq!(
        accounts::store::teams_of_service(&app.kernel.db, &centre.service_id)
            .await
            .unwrap()
            .len(),
        3
    );

    // Luc joins the centre team; an agent of another service cannot.
    let members = format!("{TEAMS}/equipe-centre/membres");
    let luc_id = user_id(&app, LUC).await;
    let added = manager
        .submit(TEAMS, &members, &[("member", &luc_id)])
        .await;
    assert_eq!(added.status, 303, "{}", added.body);
    assert!(audited(&app, "team.member_added", &centre.id).await);
    let sophie_id = user_id(&app, SOPHIE).await;
    let outsider = manager
        .submit(TEAMS, &members, &[("member", &sophie_id)])
        .await;
    assert_eq!(outsider.status, 422);
    assert!(outsider.contains("Choisissez un agent ou un responsable de ce service."));
    let luc = caller(&app, LUC).await.identity.unwrap();
    assert!(luc.in_team(&centre.id) && luc.in_team(&north.id));
    assert!(
        !caller(&app, SOPHIE)
            .await
            .identity
            .unwrap()
            .in_team(&centre.id)
    );

    // Out again, then back (the routing test below needs him there).
    let removed = manager
        .submit(TEAMS, &format!("{members}/{luc_id}/retirer"), &[])
        .await;
    assert_eq!(removed.status, 303, "{}", removed.body);
    assert!(audited(&app, "team.member_removed", &centre.id).await);
    assert!(
        !caller(&app, LUC)
            .await
            .identity
            .unwrap()
            .in_team(&centre.id)
    );
    let not_a_member = manager
        .submit(TEAMS, &format!("{members}/{luc_id}/retirer"), &[])
        .await;
    assert_eq!(not_a_member.status, 404);

    // An agent of the service, a manager of another one: 403, and nothing changes.
    for email in [LUC, CLAIRE, SOPHIE] {
        let other = staff(&app, email).await;
        assert_eq!(other.get(TEAMS).await.status, 403, "{email}");
        let token = other.get("/backoffice").await.csrf();
        let refused = other
            .post_form(TEAMS, &[("csrf_token", &token), ("name", "Équipe pirate")])
            .await;
        assert_eq!(refused.status, 403, "{email}");
        let refused = other
            .post_form(&members, &[("csrf_token", &token), ("member", &luc_id)])
            .await;
        assert_eq!(refused.status, 403, "{email}");
    }
    assert!(
        accounts::store::team_by_slug(&app.kernel.db, &centre.service_id, "equipe-pirate")
            .await
            .unwrap()
            .is_none()
    );
    // An unknown service or team is not found; no form token, no change.
    assert_eq!(
        manager
            .get("/backoffice/services/inconnu/equipes")
            .await
            .status,
        404
    );
    let token = manager.get(TEAMS).await.csrf();
    assert_eq!(
        manager
            .post_form(
                &format!("{TEAMS}/inconnue/membres"),
                &[("csrf_token", &token), ("member", &luc_id)],
            )
            .await
            .status,
        404
    );
    let forged = manager.post_form(TEAMS, &[("name", "Sans jeton")]).await;
    assert_eq!(forged.status, 403);

    // The administrator reaches every service's teams from the services page.
    let admin = administrator(&app).await;
    let services = admin.get("/backoffice/services").await;
    assert!(services.contains("href=\"/backoffice/services/etat-civil/equipes\""));
    let registry = admin.get("/backoffice/services/etat-civil/equipes").await;
    assert_eq!(registry.status, 200);
    assert!(registry.contains("Accueil"));
    assert!(registry.contains("Sophie Bernard"));
}

#[tokio::test]
async fn a_rule_sends_requests_to_a_team_whose_members_find_them_in_their_inbox() {
    let app = demo_app().await;
    let voirie = service_id(&app, "voirie").await;
    let north = team(&app, "voirie", "equipe-nord").await;
    let south = team(&app, "voirie", "equipe-sud").await;
    let reception = team(&app, "etat-civil", "accueil").await;

    // The routing page offers the teams; a team of another service is refused.
    let admin = administrator(&app).await;
    let path = "/backoffice/demarches/occupation-domaine-public/orientation";
    let page = admin.get(path).await;
    assert!(page.contains("Équipe de ce service"));
    assert!(page.contains(&format!(
        "<option value=\"{}\">Équipe Nord</option>",
        north.id
    )));
    let wrong = admin
        .submit(
            path,
            path,
            &[
                ("action", "add_choice"),
                ("choice_answer", "objet=Benne ou dépôt de matériaux"),
                ("choice_service", &voirie),
                ("choice_team", &reception.id),
            ],
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.contains("Choisissez une équipe du service choisi, ou aucune équipe."));
    assert!(wrong.contains("href=\"#choice_team\""));
    let added = admin
        .submit(
            path,
            path,
            &[
                ("action", "add_choice"),
                ("choice_answer", "objet=Benne ou dépôt de matériaux"),
                ("choice_service", &voirie),
                ("choice_team", &north.id),
            ],
        )
        .await;
    assert_eq!(added.status, 303, "{}", added.body);
    let odp = requests::store::procedure_by_slug(&app.kernel.db, "occupation-domaine-public")
        .await
        .unwrap()
        .unwrap();
    let rules = requests::store::routing_rules(&app.kernel.db, &odp.id)
        .await
        .unwrap();
    let rule = rules.last().unwrap();
    assert_eq!(rule.team_id.as_deref(), Some(north.id.as_str()));
    let page = admin.get(path).await;
    assert!(page.contains("équipe Équipe Nord"), "{}", page.body);

    // The procedure's file names the team by its slug.
    let file = requests::exchange::export(&app.kernel, &odp).await.unwrap();
    assert!(
        file.routing
            .iter()
            .any(|r| r.service == "voirie" && r.team.as_deref() == Some("equipe-nord"))
    );

    // A request recorded at the counter lands in the roads service, north team.
    let luc = caller(&app, LUC).await;
    let (benne, _) = actions::record_counter_request(
        &app.kernel,
        &luc,
        &odp,
        occupation("Benne ou dépôt de matériaux"),
    )
    .await
    .unwrap();
    assert_eq!(benne.service_id, voirie);
    assert_eq!(benne.team_id.as_deref(), Some(north.id.as_str()));
    let (other, _) = actions::record_counter_request(&app.kernel, &luc, &odp, occupation("Autre"))
        .await
        .unwrap();
    assert_eq!(other.service_id, voirie);
    assert_eq!(other.team_id, None);
    let benne_number = benne.number.clone().unwrap();
    let other_number = other.number.clone().unwrap();

    // Luc, in the north team, finds it under « my teams », not under « no team ».
    let agent = staff(&app, LUC).await;
    let inbox = agent.get("/backoffice/demandes").await;
    assert!(inbox.contains("<option value=\"miennes\">Mes équipes</option>"));
    assert!(inbox.contains("Équipe Nord (Voirie, propreté et espaces verts)"));
    let mine = agent.get("/backoffice/demandes?equipe=miennes").await;
    assert_eq!(mine.status, 200);
    assert!(mine.contains(&benne_number));
    assert!(!mine.contains(&other_number));
    assert!(mine.contains("<td>Équipe Nord</td>"));
    let none = agent.get("/backoffice/demandes?equipe=aucune").await;
    assert!(!none.contains(&benne_number));
    assert!(none.contains(&other_number));
    let by_team = agent
        .get(&format!("/backoffice/demandes?equipe={}", north.id))
        .await;
    assert!(by_team.contains(&benne_number));
    let south_list = agent
        .get(&format!("/backoffice/demandes?equipe={}", south.id))
        .await;
    assert!(!south_list.contains(&benne_number));
    // Someone in no team sees nothing under « my teams ».
    let manager = staff(&app, MANAGER).await;
    let nothing = manager.get("/backoffice/demandes?equipe=miennes").await;
    assert!(!nothing.contains(&benne_number));
    // Another service's agent does not see the roads' teams, nor their requests.
    let sophie = staff(&app, SOPHIE).await;
    let theirs = sophie
        .get(&format!("/backoffice/demandes?equipe={}", north.id))
        .await;
    assert!(!theirs.contains(&benne_number));
    assert!(!theirs.contains("Équipe Nord"));

    // The request page shows the team; the agent hands it to the south team.
    let detail_path = format!("/backoffice/demandes/{}", benne.id);
    let detail = agent.get(&detail_path).await;
    assert!(
        detail.contains("<dt>Équipe</dt><dd>Équipe Nord</dd>"),
        "{}",
        detail.body
    );
    let reroute = format!("{detail_path}/orienter");
    let refused = agent
        .submit(
            &detail_path,
            &reroute,
            &[("service", &voirie), ("team", &reception.id)],
        )
        .await;
    assert_eq!(refused.status, 303);
    let still = requests::store::request_by_id(&app.kernel.db, &benne.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(still.team_id.as_deref(), Some(north.id.as_str()));
    let flash = agent.follow(&refused).await;
    assert!(flash.contains("l&#39;équipe choisie ne fait pas partie du service choisi"));
    let moved = agent
        .submit(
            &detail_path,
            &reroute,
            &[("service", &voirie), ("team", &south.id)],
        )
        .await;
    assert_eq!(moved.status, 303, "{}", moved.body);
    let moved = requests::store::request_by_id(&app.kernel.db, &benne.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(moved.service_id, voirie);
    assert_eq!(moved.team_id.as_deref(), Some(south.id.as_str()));
    assert_eq!(moved.assignee_id, None);
    let mine = agent.get("/backoffice/demandes?equipe=miennes").await;
    assert!(!mine.contains(&benne_number));
    let detail = agent.get(&detail_path).await;
    assert!(detail.contains("<dt>Équipe</dt><dd>Équipe Sud</dd>"));
    assert!(
        detail
            .contains("Transmise au service Voirie, propreté et espaces verts, équipe Équipe Sud")
    );

    // The JSON API names the team, and filters by it.
    let token = {
        let issued = agent
            .submit(
                "/backoffice/jetons-api",
                "/backoffice/jetons-api",
                &[("label", "Logiciel métier")],
            )
            .await;
        assert_eq!(issued.status, 200, "{}", issued.body);
        let start = issued.body.find("pvs_").expect("the token is shown");
        issued.body[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .collect::<String>()
    };
    let get = |path: String| {
        let token = token.clone();
        let url = app.url(&path);
        async move {
            let response = reqwest::Client::new()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            let text = response.text().await.unwrap();
            (status, serde_json::from_str::<Value>(&text).unwrap())
        }
    };
    let (status, one) = get(format!("/api/v1/requests/{benne_number}")).await;
    assert_eq!(status, 200, "{one}");
    assert_eq!(one["team"]["slug"], "equipe-sud");
    assert_eq!(one["team"]["name"], "Équipe Sud");
    let (_, one) = get(format!("/api/v1/requests/{other_number}")).await;
    assert!(one["team"].is_null());
    let numbers = |list: &Value| -> Vec<String> {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["number"].as_str().unwrap().to_string())
            .collect()
    };
    let (status, south_list) = get("/api/v1/requests?team=equipe-sud".into()).await;
    assert_eq!(status, 200, "{south_list}");
    assert_eq!(numbers(&south_list), vec![benne_number.clone()]);
    assert_eq!(south_list["items"][0]["team"]["slug"], "equipe-sud");
    let (_, none) = get("/api/v1/requests?team=none".into()).await;
    assert!(numbers(&none).contains(&other_number));
    assert!(!numbers(&none).contains(&benne_number));
    let (_, mine) = get("/api/v1/requests?team=mine".into()).await;
    assert!(!numbers(&mine).contains(&benne_number));
    let (status, unknown) = get("/api/v1/requests?team=inconnue".into()).await;
    assert_eq!(status, 400, "{unknown}");
}
