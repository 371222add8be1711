//! The demo commune's procedures (built as form-builder JSON files) and a few requests in
//! every status, so that agents see a living inbox on first start.

use jiff::ToSpan;
use kernel::{Caller, Kernel};

use crate::actions::{self, CounterRequest, Upload};
use crate::exchange::{self, ProcedureFile};
use crate::forms::{Answers, FieldKind};
use crate::model::{Channel, Procedure};
use crate::store;

/// The procedure files of the demo commune, in catalogue order.
pub const PROCEDURES: &[&str] = &[
    include_str!("../demo/acte-etat-civil.json"),
    include_str!("../demo/passeport-carte-identite.json"),
    include_str!("../demo/attestation-accueil.json"),
    include_str!("../demo/recensement-citoyen.json"),
    include_str!("../demo/inscription-periscolaire.json"),
    include_str!("../demo/occupation-domaine-public.json"),
    include_str!("../demo/arrete-demenagement.json"),
    include_str!("../demo/location-salle.json"),
    include_str!("../demo/subvention-association.json"),
    include_str!("../demo/message-maire.json"),
];

/// Streets of the demo commune and their districts (for routing by address).
const STREETS: &[(&str, &str)] = &[
    ("Place de la Mairie", "Centre"),
    ("Rue de la République", "Centre"),
    ("Rue Victor-Hugo", "Centre"),
    ("Avenue Jean-Jaurès", "Centre"),
    ("Chemin des Vignes", "Les Coteaux"),
    ("Allée des Tilleuls", "Les Coteaux"),
    ("Rue du Stade", "Les Coteaux"),
    ("Route de Lyon", "La Plaine"),
    ("Impasse des Peupliers", "La Plaine"),
];

/// A small valid PDF standing for the documents demo applicants attached.
const SAMPLE_PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Import(#[from] exchange::ImportError),
    #[error(transparent)]
    Request(#[from] actions::RequestError),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error("compte de démonstration absent : {0}")]
    MissingAccount(&'static str),
}

async fn caller_for(kernel: &Kernel, email: &'static str) -> Result<Caller, DemoError> {
    let user = accounts::store::user_by_email(&kernel.db, email)
        .await?
        .ok_or(DemoError::MissingAccount(email))?;
    let identity = accounts::store::load_identity(&kernel.db, &user.id)
        .await?
        .ok_or(DemoError::MissingAccount(email))?;
    Ok(Caller {
        identity: Some(identity),
        ..Caller::default()
    })
}

fn answers(pairs: &[(&str, &str)]) -> Answers {
    let mut a = Answers::new();
    for (k, v) in pairs {
        a.entry(k.to_string()).or_default().push(v.to_string());
    }
    a
}

/// Creates what is missing: procedures, streets, then sample requests if there are none.
pub async fn seed(kernel: &Kernel) -> Result<(), DemoError> {
    for text in PROCEDURES {
        let file: ProcedureFile =
            serde_json::from_str(text).map_err(exchange::ImportError::Json)?;
        if store::procedure_by_slug(&kernel.db, &file.slug)
            .await?
            .is_none()
        {
            let mut tx = kernel.db.begin().await?;
            exchange::import(kernel, &mut tx, &file, None).await?;
            tx.commit().await?;
        }
    }
    if store::streets(&kernel.db).await?.is_empty() {
        let mut tx = kernel.db.begin().await?;
        for (name, district) in STREETS {
            store::insert_street(&mut tx, name, district).await?;
        }
        tx.commit().await?;
    }
    if store::canned_replies(&kernel.db, &[]).await?.is_empty() {
        let services = accounts::store::services(&kernel.db).await?;
        let halls = services
            .iter()
            .find(|s| s.slug == "vie-associative")
            .map(|s| s.id.clone());
        let mut tx = kernel.db.begin().await?;
        store::insert_canned_reply(
            &mut tx,
            None,
            "Justificatif de domicile manquant",
            "Bonjour {prenom} {nom},\n\nPour instruire votre demande {numero}, merci de nous transmettre un justificatif de domicile de moins de trois mois (facture d'énergie, avis d'imposition, quittance de loyer) depuis votre espace.\n\nCordialement,\n{service}",
            kernel.now(),
        )
        .await?;
        store::insert_canned_reply(
            &mut tx,
            halls.as_deref(),
            "Salle indisponible à la date demandée",
            "Bonjour {prenom} {nom},\n\nLa salle demandée est déjà réservée à cette date. Nous pouvons vous proposer la salle polyvalente des Coteaux, ou une autre date : dites-nous ce qui vous convient en répondant depuis votre espace.\n\nCordialement,\n{service}",
            kernel.now(),
        )
        .await?;
        tx.commit().await?;
    }
    if store::articles(&kernel.db, "").await?.is_empty() {
        let mut tx = kernel.db.begin().await?;
        store::save_article(
            &mut tx,
            "attestation-accueil-pieces",
            "Attestation d'accueil : pièces à vérifier",
            "Vérifier l'identité de l'hébergeant, un justificatif de domicile de moins de trois mois et le titre de propriété ou le bail.\n\nLa surface doit permettre un logement décent : 9 m² pour une personne seule, 16 m² pour un couple, 9 m² de plus par personne supplémentaire.\n\nLe timbre fiscal de 30 € est remis au retrait du Cerfa n° 10798 signé. Sans réponse dans le mois, la demande est rejetée.",
            None,
            kernel.now(),
        )
        .await?;
        store::save_article(
            &mut tx,
            "occupation-domaine-public-instruction",
            "Occupation du domaine public : instruire une demande",
            "Contrôler le passage laissé aux piétons (1,40 m au moins), la durée, et l'attestation d'assurance.\n\nUn échafaudage sur une façade protégée relève de l'urbanisme : la règle d'orientation l'y envoie d'office.\n\nL'arrêté est signé par l'adjoint délégué à la voirie ; la redevance suit la délibération tarifaire de l'année.",
            None,
            kernel.now(),
        )
        .await?;
        tx.commit().await?;
    }
    let any_request: i64 = sqlx::Row::get(
        &sqlx::query("SELECT COUNT(*) FROM requests")
            .fetch_one(kernel.db.pool())
            .await?,
        0,
    );
    if any_request == 0 {
        sample_requests(kernel).await?;
    }
    Ok(())
}

async fn procedure(kernel: &Kernel, slug: &str) -> Result<Procedure, DemoError> {
    Ok(store::procedure_by_slug(&kernel.db, slug)
        .await?
        .ok_or(actions::RequestError::NotFound)?)
}

/// Files a request online for the caller, attaching the sample PDF to every file field.
async fn file_online(
    kernel: &Kernel,
    caller: &Caller,
    slug: &str,
    given: Answers,
) -> Result<String, DemoError> {
    let procedure = procedure(kernel, slug).await?;
    let mut request = actions::start_draft(kernel, caller, &procedure).await?;
    let version = store::version_by_id(&kernel.db, &request.form_version_id)
        .await?
        .ok_or(actions::RequestError::NotFound)?;
    let uploads = version
        .definition
        .fields()
        .filter(|f| matches!(f.kind, FieldKind::File))
        .map(|f| Upload {
            field: f.key.clone(),
            name: format!("{}.pdf", f.key),
            bytes: SAMPLE_PDF.to_vec(),
        })
        .collect();
    let mut all = request.answers.clone();
    all.extend(given);
    actions::save_draft(kernel, caller, &mut request, all, 0, uploads).await?;
    let filed = actions::submit(kernel, caller, &request.id).await?;
    Ok(filed.id)
}

async fn sample_requests(kernel: &Kernel) -> Result<(), DemoError> {
    let camille = caller_for(kernel, "camille.martin@demo.parvis.fr").await?;
    let sophie = caller_for(kernel, "sophie.bernard@demo.parvis.fr").await?;
    let luc = caller_for(kernel, "luc.moreau@demo.parvis.fr").await?;
    let thomas = caller_for(kernel, "thomas.petit@demo.parvis.fr").await?;
    let karim = caller_for(kernel, "karim.haddad@demo.parvis.fr").await?;
    let julie = caller_for(kernel, "julie.garnier@demo.parvis.fr").await?;
    let today = actions::today(kernel);
    let address = "12 rue Victor-Hugo, 00000 Démo";

    // Online, just filed: a birth certificate.
    file_online(
        kernel,
        &camille,
        "acte-etat-civil",
        answers(&[
            ("type_acte", "Naissance"),
            ("forme", "Extrait avec filiation"),
            ("nom", "Martin"),
            ("prenoms", "Camille Louise"),
            ("date_evenement", "1988-05-14"),
            ("copies", "2"),
            ("lien", "C'est moi"),
            ("usage", "Carte d'identité ou passeport"),
            ("adresse", address),
            ("telephone", "06 12 34 56 78"),
        ]),
    )
    .await?;

    // Online, under review and taken by an agent: a hall booking.
    let hall = file_online(
        kernel,
        &camille,
        "location-salle",
        answers(&[
            ("salle", "Salle polyvalente des Coteaux (80 personnes)"),
            ("date", &today.saturating_add(40.days()).to_string()),
            ("horaires", "de 14 h à 20 h"),
            ("personnes", "45"),
            ("evenement", "Fête familiale"),
        ]),
    )
    .await?;
    actions::apply_move(kernel, &thomas, &hall, "under_review", None).await?;
    let thomas_id = thomas.identity.as_ref().map(|i| i.user_id.clone());
    actions::assign(kernel, &thomas, &hall, thomas_id.as_deref()).await?;
    actions::add_note(
        kernel,
        &thomas,
        &hall,
        "Salle libre ce jour-là ; vérifier l'attestation d'assurance avant de confirmer.",
    )
    .await?;

    // Online, waiting for a document: a terrace whose plan is missing.
    let terrace = file_online(
        kernel,
        &camille,
        "occupation-domaine-public",
        answers(&[
            ("objet", "Terrasse de café ou de restaurant"),
            ("adresse", "3 place de la Mairie, 00000 Démo"),
            ("debut", &today.saturating_add(20.days()).to_string()),
            ("fin", &today.saturating_add(120.days()).to_string()),
            ("surface", "18"),
            ("raison_sociale", "Café du Parvis"),
            ("telephone", "06 12 34 56 78"),
        ]),
    )
    .await?;
    actions::apply_move(kernel, &luc, &terrace, "under_review", None).await?;
    actions::apply_move(
        kernel,
        &luc,
        &terrace,
        "waiting_for_applicant",
        Some("Bonjour,\n\nLe plan joint ne montre pas le passage de 1,40 m laissé aux piétons. Merci de nous transmettre un plan coté.\n\nCordialement,\nService Voirie"),
    )
    .await?;

    // By letter, received ten days ago, for a resident without an account nor e-mail.
    let letter = CounterRequest {
        channel: Channel::Letter,
        received_on: today.saturating_sub(10.days()),
        applicant_id: None,
        applicant_name: "Germaine Roux".into(),
        applicant_email: None,
        applicant_phone: Some("04 78 00 00 00".into()),
        applicant_address: Some("5 impasse des Peupliers, 00000 Démo".into()),
        answers: answers(&[
            ("objet", "Réclamation"),
            ("sujet", "Bruit de la salle des fêtes le samedi soir"),
            (
                "message",
                "Madame, Monsieur le Maire, les soirées de la salle des fêtes se prolongent souvent au-delà de deux heures du matin. Pourriez-vous rappeler les horaires aux locataires ?",
            ),
        ]),
    };
    let (mayor, _) = actions::record_counter_request(
        kernel,
        &julie,
        &procedure(kernel, "message-maire").await?,
        letter,
    )
    .await?;
    actions::apply_move(kernel, &julie, &mayor.id, "under_review", None).await?;

    // At the counter 52 days ago: a house move whose implicit rejection is near.
    let moving = CounterRequest {
        channel: Channel::Counter,
        received_on: today.saturating_sub(52.days()),
        applicant_id: None,
        applicant_name: "Youssef El Amrani".into(),
        applicant_email: Some("youssef.elamrani@exemple.fr".into()),
        applicant_phone: Some("06 98 76 54 32".into()),
        applicant_address: None,
        answers: answers(&[
            ("adresse", "8 chemin des Vignes, 00000 Démo"),
            ("date", &today.saturating_add(5.days()).to_string()),
            ("creneau", "Journée entière"),
            ("places", "2"),
            ("telephone", "06 98 76 54 32"),
        ]),
    };
    actions::record_counter_request(
        kernel,
        &luc,
        &procedure(kernel, "arrete-demenagement").await?,
        moving,
    )
    .await?;

    // Decided: an accepted census, a refused subsidy, a closed duplicate.
    let census = CounterRequest {
        channel: Channel::Counter,
        received_on: today.saturating_sub(20.days()),
        applicant_id: None,
        applicant_name: "Lina Moreau".into(),
        applicant_email: Some("lina.moreau@exemple.fr".into()),
        applicant_phone: None,
        applicant_address: Some("2 allée des Tilleuls, 00000 Démo".into()),
        answers: answers(&[
            ("nom", "Moreau"),
            ("prenoms", "Lina"),
            (
                "naissance",
                &today
                    .saturating_sub(16.years())
                    .saturating_sub(1.month())
                    .to_string(),
            ),
            ("lieu_naissance", "Lyon (Rhône)"),
            ("adresse", "2 allée des Tilleuls, 00000 Démo"),
            ("situation", "Collégien ou lycéen"),
            ("identite", "carte-identite.pdf"),
            ("livret", "livret-de-famille.pdf"),
        ]),
    };
    let (census, _) = actions::record_counter_request(
        kernel,
        &sophie,
        &procedure(kernel, "recensement-citoyen").await?,
        census,
    )
    .await?;
    actions::apply_move(kernel, &sophie, &census.id, "under_review", None).await?;
    actions::apply_move(
        kernel,
        &sophie,
        &census.id,
        "accepted",
        Some("Bonjour,\n\nVotre recensement est enregistré. L'attestation de recensement vous est remise à l'accueil de la mairie.\n\nCordialement,\nService État civil"),
    )
    .await?;

    let subsidy = CounterRequest {
        channel: Channel::Email,
        received_on: today.saturating_sub(35.days()),
        applicant_id: None,
        applicant_name: "Association Les Amis du Vieux Démo".into(),
        applicant_email: Some("contact@amis-vieux-demo.fr".into()),
        applicant_phone: None,
        applicant_address: None,
        answers: answers(&[
            ("association", "Les Amis du Vieux Démo"),
            ("rna", "W691234567"),
            ("adherents", "64"),
            ("nature", "Projet"),
            ("projet", "Restauration du lavoir du chemin des Vignes."),
            ("montant", "12000"),
            ("budget", "budget-2027.pdf"),
            ("statuts", "statuts.pdf"),
        ]),
    };
    let (subsidy, _) = actions::record_counter_request(
        kernel,
        &thomas,
        &procedure(kernel, "subvention-association").await?,
        subsidy,
    )
    .await?;
    actions::apply_move(kernel, &thomas, &subsidy.id, "under_review", None).await?;
    actions::apply_move(
        kernel,
        &thomas,
        &subsidy.id,
        "refused",
        Some("Bonjour,\n\nL'enveloppe des subventions de projet votée par le conseil municipal pour 2027 est entièrement attribuée ; votre demande de 12 000 € ne peut donc pas être retenue cette année. Vous pourrez la présenter à nouveau lors de la prochaine campagne, ouverte en septembre.\n\nCordialement,\nService Vie associative"),
    )
    .await?;

    let duplicate = CounterRequest {
        channel: Channel::Phone,
        received_on: today.saturating_sub(3.days()),
        applicant_id: None,
        applicant_name: "Germaine Roux".into(),
        applicant_email: None,
        applicant_phone: Some("04 78 00 00 00".into()),
        applicant_address: Some("5 impasse des Peupliers, 00000 Démo".into()),
        answers: answers(&[
            ("objet", "Réclamation"),
            ("sujet", "Bruit de la salle des fêtes (rappel téléphonique)"),
            (
                "message",
                "Mme Roux rappelle au sujet de son courrier sur le bruit de la salle des fêtes.",
            ),
        ]),
    };
    let (duplicate, _) = actions::record_counter_request(
        kernel,
        &julie,
        &procedure(kernel, "message-maire").await?,
        duplicate,
    )
    .await?;
    actions::apply_move(kernel, &julie, &duplicate.id, "closed", None).await?;

    // Received 70 days ago with no decision: the sweep makes it accepted by silence.
    let enrolment = CounterRequest {
        channel: Channel::Counter,
        received_on: today.saturating_sub(70.days()),
        applicant_id: None,
        applicant_name: "Aïcha Diallo".into(),
        applicant_email: Some("aicha.diallo@exemple.fr".into()),
        applicant_phone: Some("07 11 22 33 44".into()),
        applicant_address: Some("14 route de Lyon, 00000 Démo".into()),
        answers: answers(&[
            ("enfant_nom", "Diallo"),
            ("enfant_prenom", "Moussa"),
            ("enfant_naissance", "2019-02-03"),
            ("ecole", "École élémentaire Jules-Ferry"),
            ("classe", "CP"),
            ("services", "Restauration scolaire"),
            ("services", "Accueil du soir"),
            ("regime_alimentaire", "Sans porc"),
            ("adresse", "14 route de Lyon, 00000 Démo"),
            ("telephone", "07 11 22 33 44"),
        ]),
    };
    actions::record_counter_request(
        kernel,
        &karim,
        &procedure(kernel, "inscription-periscolaire").await?,
        enrolment,
    )
    .await?;

    // Outside the commune's competence: forwarded to the prefecture.
    let visitor = file_online(
        kernel,
        &camille,
        "attestation-accueil",
        answers(&[
            ("visiteur_nom", "Okafor"),
            ("visiteur_prenoms", "Chidi"),
            ("visiteur_naissance", "1990-09-21"),
            ("nationalite", "nigériane"),
            ("passeport", "A01234567"),
            ("arrivee", &today.saturating_add(60.days()).to_string()),
            ("depart", &today.saturating_add(80.days()).to_string()),
            ("lien", "Ami"),
            ("adresse", address),
            ("surface", "72"),
            ("occupants", "2"),
        ]),
    )
    .await?;
    actions::transmit(
        kernel,
        &sophie,
        &visitor,
        "Préfecture — service de l'immigration et de l'intégration (demande de visa à transmettre)",
    )
    .await?;

    actions::settle_deemed_decisions(kernel).await?;
    Ok(())
}
