//! The demo commune's report categories (with sub-categories and extra questions), its
//! three districts, routing to the roads crews and the municipal police, its streets for
//! address search without the national service, and sample reports in every status.

use jiff::SignedDuration;
use kernel::{Caller, Kernel};

use crate::actions::{self, NewReport, ReportError, StatusChange};
use crate::model::{
    Attribute, AttributeType, AttributeValue, Category, Point, RoutingRule, Status,
};
use crate::store::{self, StreetPoint};

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Report(#[from] ReportError),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error("élément de démonstration absent : {0}")]
    Missing(String),
}

/// (code, name, icon, description, notice, private)
const CATEGORIES: &[(&str, &str, &str, &str, &str, bool)] = &[
    (
        "voirie",
        "Voirie",
        "voirie",
        "Nid-de-poule, trottoir abîmé, chaussée dégradée, signalisation.",
        "",
        false,
    ),
    (
        "eclairage",
        "Éclairage public",
        "eclairage",
        "Lampadaire éteint, qui clignote ou reste allumé le jour.",
        "",
        false,
    ),
    (
        "proprete",
        "Propreté et dépôts sauvages",
        "proprete",
        "Dépôt sauvage, poubelle qui déborde, déjections, verre brisé.",
        "",
        false,
    ),
    (
        "espaces-verts",
        "Espaces verts",
        "espaces-verts",
        "Arbre tombé ou dangereux, branche, haie, pelouse, aire de jeux.",
        "",
        false,
    ),
    (
        "mobilier",
        "Mobilier urbain",
        "mobilier",
        "Banc, barrière, abribus, potelet ou panneau d'information abîmé.",
        "",
        false,
    ),
    (
        "tags",
        "Tags et graffitis",
        "tags",
        "Tag ou affichage sauvage sur un bâtiment ou le mobilier public.",
        "",
        false,
    ),
    (
        "stationnement",
        "Stationnement gênant",
        "stationnement",
        "Véhicule garé sur un trottoir, une place réservée ou devant une sortie.",
        "En cas de danger immédiat, appelez la police municipale au 01 23 45 67 70 ou le 17.",
        false,
    ),
    (
        "eau",
        "Eau et assainissement",
        "eau",
        "Fuite sur la voie publique, bouche d'égout bouchée, odeurs.",
        "Une fuite importante ? Le service des eaux de la Métropole répond 24 h/24 au 04 72 00 00 00.",
        false,
    ),
    (
        "animaux",
        "Animaux",
        "animaux",
        "Animal errant ou mort, nid de frelons asiatiques, nuisibles.",
        "Un animal blessé ou dangereux sur la voie publique : appelez le 17.",
        false,
    ),
    (
        "bruit",
        "Bruit",
        "bruit",
        "Nuisances sonores répétées d'un chantier, d'un commerce ou d'un lieu public.",
        "Un tapage en cours la nuit : appelez la police municipale ou le 17.",
        true,
    ),
    (
        "autre",
        "Autre problème",
        "autre",
        "Un problème dans l'espace public qui n'entre dans aucune catégorie.",
        "",
        false,
    ),
];

/// (code, parent code, name, description)
const SUB_CATEGORIES: &[(&str, &str, &str, &str)] = &[
    (
        "nid-de-poule",
        "voirie",
        "Nid-de-poule ou chaussée dégradée",
        "Trou, affaissement ou fissure de la chaussée.",
    ),
    (
        "trottoir",
        "voirie",
        "Trottoir abîmé",
        "Dalle cassée, bordure descellée, trottoir impraticable.",
    ),
    (
        "signalisation",
        "voirie",
        "Signalisation",
        "Panneau tombé, marquage effacé, feu tricolore en panne.",
    ),
    (
        "lampadaire",
        "eclairage",
        "Lampadaire éteint ou défectueux",
        "Un lampadaire en panne ou qui clignote.",
    ),
    (
        "depot-sauvage",
        "proprete",
        "Dépôt sauvage",
        "Déchets, encombrants ou gravats abandonnés.",
    ),
    (
        "corbeille",
        "proprete",
        "Corbeille qui déborde",
        "Une corbeille de rue pleine ou renversée.",
    ),
    (
        "arbre",
        "espaces-verts",
        "Arbre ou branche dangereux",
        "Arbre tombé, branche cassée ou menaçante.",
    ),
    (
        "frelons",
        "animaux",
        "Nid de frelons asiatiques",
        "Un nid repéré sur le domaine public.",
    ),
];

fn yes_no(code: &str, question: &str) -> Attribute {
    Attribute {
        code: code.into(),
        description: question.into(),
        datatype: AttributeType::Singlevaluelist,
        required: true,
        variable: true,
        datatype_description: String::new(),
        values: vec![
            AttributeValue {
                key: "oui".into(),
                name: "Oui".into(),
            },
            AttributeValue {
                key: "non".into(),
                name: "Non".into(),
            },
        ],
    }
}

fn attributes_of(code: &str) -> Vec<Attribute> {
    match code {
        "nid-de-poule" => vec![yes_no(
            "danger",
            "Le trou présente-t-il un danger pour les véhicules ou les deux-roues ?",
        )],
        "lampadaire" => vec![Attribute {
            code: "numero".into(),
            description: "Numéro inscrit sur le lampadaire (s'il est lisible)".into(),
            datatype: AttributeType::String,
            required: false,
            variable: true,
            datatype_description: "Une plaque de quelques chiffres, à hauteur d'yeux.".into(),
            values: vec![],
        }],
        "depot-sauvage" => vec![Attribute {
            code: "volume".into(),
            description: "Quel volume de déchets ?".into(),
            datatype: AttributeType::Singlevaluelist,
            required: true,
            variable: true,
            datatype_description: String::new(),
            values: [
                ("sac", "Un ou deux sacs"),
                ("coffre", "L'équivalent d'un coffre de voiture"),
                ("encombrants", "Encombrants (meubles, électroménager)"),
                ("gravats", "Gravats ou déchets de chantier"),
            ]
            .iter()
            .map(|(k, n)| AttributeValue {
                key: (*k).into(),
                name: (*n).into(),
            })
            .collect(),
        }],
        "arbre" => vec![yes_no(
            "bloque",
            "L'arbre ou la branche bloque-t-il le passage ?",
        )],
        _ => vec![],
    }
}

/// The demo commune's three districts, as GeoJSON polygons (longitude, latitude).
const DISTRICTS: &[(&str, &str, [f64; 4])] = &[
    // slug, name, [min lon, min lat, max lon, max lat]
    ("centre", "Centre", [4.8280, 45.7600, 4.8430, 45.7680]),
    (
        "les-coteaux",
        "Les Coteaux",
        [4.8280, 45.7680, 4.8430, 45.7780],
    ),
    ("la-plaine", "La Plaine", [4.8280, 45.7500, 4.8430, 45.7600]),
];

fn rectangle([min_lon, min_lat, max_lon, max_lat]: [f64; 4]) -> geo::MultiPolygon<f64> {
    geo::MultiPolygon(vec![geo::Polygon::new(
        geo::LineString::from(vec![
            (min_lon, min_lat),
            (max_lon, min_lat),
            (max_lon, max_lat),
            (min_lon, max_lat),
            (min_lon, min_lat),
        ]),
        vec![],
    )])
}

/// Streets and a point on each (the offline fallback of address search).
pub const STREETS: &[(&str, f64, f64)] = &[
    ("Place de la Mairie", 45.7641, 4.8357),
    ("Rue de la République", 45.7633, 4.8362),
    ("Rue Victor-Hugo", 45.7622, 4.8331),
    ("Avenue Jean-Jaurès", 45.7655, 4.8395),
    ("Rue Pasteur", 45.7612, 4.8402),
    ("Chemin des Vignes", 45.7712, 4.8321),
    ("Allée des Tilleuls", 45.7735, 4.8366),
    ("Rue du Stade", 45.7702, 4.8398),
    ("Montée des Carmes", 45.7758, 4.8350),
    ("Route de Lyon", 45.7552, 4.8344),
    ("Impasse des Peupliers", 45.7531, 4.8389),
    ("Boulevard de la Plaine", 45.7568, 4.8412),
    ("Rue des Écoles", 45.7585, 4.8300),
];

pub const POSTCODE: &str = "00000";

/// (category code, street, lat offset, lon offset, description, answers, days ago,
///  statuses it went through, public message of the last one)
type Sample = (
    &'static str,
    &'static str,
    f64,
    f64,
    &'static str,
    &'static [(&'static str, &'static str)],
    i64,
    &'static [Status],
    &'static str,
);

const SAMPLES: &[Sample] = &[
    (
        "nid-de-poule",
        "Rue de la République",
        0.0001,
        0.0002,
        "Nid-de-poule d'une trentaine de centimètres devant le numéro 12, dangereux pour les vélos.",
        &[("danger", "oui")],
        1,
        &[],
        "",
    ),
    (
        "lampadaire",
        "Allée des Tilleuls",
        0.0002,
        -0.0001,
        "Le lampadaire au croisement avec la rue du Stade ne s'allume plus depuis trois soirs.",
        &[("numero", "T-114")],
        2,
        &[Status::Acknowledged],
        "Merci, l'équipe éclairage passera cette semaine.",
    ),
    (
        "depot-sauvage",
        "Impasse des Peupliers",
        -0.0001,
        0.0001,
        "Un canapé et des sacs de gravats déposés au fond de l'impasse.",
        &[("volume", "encombrants")],
        3,
        &[Status::Acknowledged, Status::InProgress],
        "Enlèvement programmé jeudi matin.",
    ),
    (
        "arbre",
        "Chemin des Vignes",
        0.0001,
        0.0001,
        "Une grosse branche est tombée sur le trottoir après l'orage.",
        &[("bloque", "oui")],
        5,
        &[Status::Acknowledged, Status::InProgress, Status::Resolved],
        "La branche a été évacuée et l'arbre élagué. Merci de votre signalement.",
    ),
    (
        "tags",
        "Rue Victor-Hugo",
        0.0,
        0.0002,
        "Tags sur la façade de l'école maternelle.",
        &[],
        6,
        &[Status::Acknowledged],
        "",
    ),
    (
        "corbeille",
        "Place de la Mairie",
        0.0001,
        -0.0002,
        "La corbeille près de l'arrêt de bus déborde depuis le marché.",
        &[],
        0,
        &[],
        "",
    ),
    (
        "mobilier",
        "Boulevard de la Plaine",
        0.0,
        0.0,
        "Le banc devant l'abribus a une latte cassée.",
        &[],
        9,
        &[Status::Acknowledged, Status::Resolved],
        "Latte remplacée.",
    ),
    (
        "stationnement",
        "Rue Pasteur",
        0.0001,
        0.0,
        "Une camionnette stationne tous les matins sur le passage piéton devant la boulangerie.",
        &[],
        4,
        &[Status::Acknowledged],
        "",
    ),
    (
        "eau",
        "Route de Lyon",
        0.0002,
        0.0001,
        "Bouche d'égout bouchée, l'eau stagne sur la chaussée à chaque pluie.",
        &[],
        8,
        &[Status::Rejected],
        "Les réseaux d'assainissement relèvent de la Métropole : votre signalement lui a été transmis. Vous pouvez la joindre au 04 72 00 00 00.",
    ),
    (
        "frelons",
        "Montée des Carmes",
        -0.0002,
        0.0001,
        "Un nid de frelons asiatiques dans le tilleul du square.",
        &[],
        2,
        &[Status::InProgress],
        "Intervention d'un désinsectiseur prévue.",
    ),
    (
        "bruit",
        "Avenue Jean-Jaurès",
        0.0,
        0.0001,
        "Livraisons bruyantes chaque nuit vers 4 h devant la supérette.",
        &[],
        3,
        &[],
        "",
    ),
    (
        "signalisation",
        "Rue des Écoles",
        0.0001,
        0.0002,
        "Le panneau « école » a été renversé.",
        &[],
        12,
        &[Status::Acknowledged, Status::InProgress, Status::Resolved],
        "Panneau redressé et scellé.",
    ),
];

async fn staff(kernel: &Kernel, email: &str) -> Result<Caller, DemoError> {
    let user = accounts::store::user_by_email(&kernel.db, email)
        .await?
        .ok_or_else(|| DemoError::Missing(email.into()))?;
    let identity = accounts::store::load_identity(&kernel.db, &user.id)
        .await?
        .ok_or_else(|| DemoError::Missing(email.into()))?;
    Ok(Caller {
        identity: Some(identity),
        ..Caller::default()
    })
}

/// Creates what is missing: categories, districts, routing and streets on first start,
/// then the sample reports if there are none.
pub async fn seed(kernel: &Kernel) -> Result<(), DemoError> {
    if store::categories(&kernel.db).await?.is_empty() {
        seed_setup(kernel).await?;
    }
    let any = store::count_reports(&kernel.db, &store::ReportFilter::default()).await?;
    if any == 0 {
        seed_samples(kernel).await?;
    }
    Ok(())
}

async fn seed_setup(kernel: &Kernel) -> Result<(), DemoError> {
    let now = kernel.now();
    let mut tx = kernel.db.begin().await?;
    let mut ids = std::collections::HashMap::new();
    for (position, (code, name, icon, description, notice, private)) in
        CATEGORIES.iter().enumerate()
    {
        let category = Category {
            id: store::new_id(),
            code: (*code).into(),
            name: (*name).into(),
            description: (*description).into(),
            icon: (*icon).into(),
            parent_id: None,
            keywords: String::new(),
            notice: (*notice).into(),
            private: *private,
            duplicate_radius_m: 50,
            attributes: attributes_of(code),
            position: position as i64 * 10,
            active: true,
        };
        ids.insert(*code, category.id.clone());
        store::save_category(&mut tx, &category, now).await?;
    }
    for (position, (code, parent, name, description)) in SUB_CATEGORIES.iter().enumerate() {
        let parent_id = ids
            .get(parent)
            .cloned()
            .ok_or_else(|| DemoError::Missing((*parent).into()))?;
        let category = Category {
            id: store::new_id(),
            code: (*code).into(),
            name: (*name).into(),
            description: (*description).into(),
            icon: CATEGORIES
                .iter()
                .find(|c| c.0 == *parent)
                .map(|c| c.2)
                .unwrap_or("autre")
                .into(),
            parent_id: Some(parent_id),
            keywords: String::new(),
            notice: String::new(),
            private: false,
            duplicate_radius_m: 50,
            attributes: attributes_of(code),
            position: position as i64,
            active: true,
        };
        ids.insert(*code, category.id.clone());
        store::save_category(&mut tx, &category, now).await?;
    }
    let mut districts = std::collections::HashMap::new();
    for (slug, name, bounds) in DISTRICTS {
        let id = store::save_district(&mut tx, slug, name, &rectangle(*bounds), now).await?;
        districts.insert(*slug, id);
    }
    for (name, lat, lon) in STREETS {
        store::insert_street(
            &mut tx,
            &StreetPoint {
                name: (*name).into(),
                normalised: crate::geocode::normalise(name),
                postcode: POSTCODE.into(),
                point: Point {
                    lat: *lat,
                    lon: *lon,
                },
            },
        )
        .await?;
    }
    let service = |slug: &'static str| async move {
        accounts::store::service_by_slug(&kernel.db, slug)
            .await?
            .ok_or_else(|| DemoError::Missing(slug.into()))
    };
    let voirie = service("voirie").await?;
    let police = service("police-municipale").await?;
    let team = |slug: &'static str| {
        let voirie_id = voirie.id.clone();
        async move {
            accounts::store::team_by_slug(&kernel.db, &voirie_id, slug)
                .await?
                .ok_or_else(|| DemoError::Missing(slug.into()))
        }
    };
    let north = team("equipe-nord").await?;
    let south = team("equipe-sud").await?;
    let rule = |position: i64,
                category: Option<&str>,
                district: Option<&str>,
                service_id: &str,
                team_id: Option<&str>,
                agency: &str| RoutingRule {
        id: store::new_id(),
        position,
        category_id: category.and_then(|c| ids.get(c).cloned()),
        district_id: district.and_then(|d| districts.get(d).cloned()),
        service_id: service_id.into(),
        team_id: team_id.map(str::to_string),
        agency: agency.into(),
    };
    let rules = vec![
        rule(
            10,
            Some("eau"),
            None,
            &voirie.id,
            None,
            "Métropole de Démo — direction de l'eau",
        ),
        rule(20, Some("stationnement"), None, &police.id, None, ""),
        rule(30, Some("bruit"), None, &police.id, None, ""),
        rule(
            40,
            None,
            Some("les-coteaux"),
            &voirie.id,
            Some(&north.id),
            "",
        ),
        rule(50, None, Some("la-plaine"), &voirie.id, Some(&south.id), ""),
        rule(60, None, None, &voirie.id, None, ""),
    ];
    store::replace_routing_rules(&mut tx, &rules).await?;
    tx.commit().await?;
    Ok(())
}

async fn seed_samples(kernel: &Kernel) -> Result<(), DemoError> {
    let resident = staff(kernel, "camille.martin@demo.parvis.fr").await?;
    let anonymous = Caller::default();
    let admin = staff(kernel, "admin@demo.parvis.fr").await?;
    for (n, (code, street, dlat, dlon, description, answers, days_ago, statuses, message)) in
        SAMPLES.iter().enumerate()
    {
        let (_, lat, lon) = STREETS
            .iter()
            .find(|s| s.0 == *street)
            .ok_or_else(|| DemoError::Missing((*street).into()))?;
        let mut raw = std::collections::BTreeMap::new();
        for (k, v) in answers.iter() {
            raw.insert(k.to_string(), vec![v.to_string()]);
        }
        let caller = if n % 3 == 0 { &resident } else { &anonymous };
        let filed = actions::file_report(
            kernel,
            caller,
            NewReport {
                category_code: (*code).into(),
                point: Point::new(lat + dlat, lon + dlon),
                address: format!("{street}, {POSTCODE} Démo"),
                description: (*description).into(),
                answers: raw,
                ..NewReport::default()
            },
        )
        .await?;
        for (i, status) in statuses.iter().enumerate() {
            let last = i + 1 == statuses.len();
            actions::change_status(
                kernel,
                &admin,
                &filed.report.id,
                StatusChange {
                    to: *status,
                    message: if last {
                        (*message).into()
                    } else {
                        String::new()
                    },
                    photo: None,
                },
            )
            .await?;
        }
        // Samples are dated as if filed over the last days.
        let shift = SignedDuration::from_hours(24 * days_ago);
        // Agents acted some hours after the filing, so that the statistics' delays mean
        // something on the demo.
        let delay = SignedDuration::from_hours(2 + (n as i64 * 7) % 40);
        store::backdate_report(&kernel.db, &filed.report.id, shift + delay, shift).await?;
    }
    Ok(())
}
