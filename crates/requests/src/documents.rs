//! The PDF documents of a request: the acknowledgement of receipt (for the applicant's
//! space, or as a letter to post to someone without e-mail), the L232-3 attestation and the
//! express decision. Their words come from `acknowledgement.rs` and `decision.rs`, the same
//! as the HTML pages and the e-mail; here they are only laid out on the commune's paper.

use jiff::civil::Date;
use kernel::config::CommuneConfig;
use kernel::pdf::Document;

use crate::acknowledgement::{
    ATTESTATION_TITLE, Acknowledgement, attestation_paragraphs, french_date,
};
use crate::decision::Decision;

/// A postal address as the lines of an envelope: the name, then the address cut at its
/// line breaks and commas (« 5 impasse des Peupliers, 00000 Démo » → two lines).
pub fn postal_lines(name: &str, address: Option<&str>) -> Vec<String> {
    let mut lines = vec![name.trim().to_string()];
    if let Some(address) = address {
        lines.extend(
            address
                .split(['\n', ','])
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from),
        );
    }
    lines
}

/// The acknowledgement as issued at receipt (its frozen mentions), addressed to
/// `recipient` when it is to be posted.
pub fn acknowledgement(
    ack: &Acknowledgement,
    commune: &CommuneConfig,
    recipient: Option<Vec<String>>,
) -> Document {
    let mut doc = Document::new(ack.title(), commune);
    doc.service(&ack.service_name);
    if let Some(lines) = recipient {
        doc.recipient(lines);
    }
    for paragraph in ack.paragraphs() {
        doc.paragraph(paragraph);
    }
    doc
}

/// The attestation of implicit acceptance (L232-3), dated the day it is delivered.
pub fn attestation(
    ack: &Acknowledgement,
    accepted_on: Date,
    issued_on: Date,
    commune: &CommuneConfig,
) -> Document {
    let mut doc = Document::new(ATTESTATION_TITLE, commune);
    doc.service(&ack.service_name);
    doc.field("Demande", &ack.number);
    doc.field("Démarche", &ack.procedure);
    doc.field("Demandeur", &ack.applicant);
    for paragraph in attestation_paragraphs(ack, accepted_on) {
        doc.paragraph(paragraph);
    }
    doc.right(format!("{}, le {}", ack.commune, french_date(issued_on)));
    doc
}

/// The express decision, addressed to the applicant.
pub fn decision(d: &Decision, commune: &CommuneConfig, recipient: Vec<String>) -> Document {
    let mut doc = Document::new(d.title(), commune);
    doc.service(&d.service);
    doc.recipient(recipient);
    doc.field("Demande", &d.number);
    doc.field("Démarche", &d.procedure);
    doc.field("Demandeur", &d.applicant);
    if let Some(on) = d.received_on {
        doc.field("Reçue le", french_date(on));
    }
    doc.field("Date de la décision", french_date(d.decided_on));
    doc.heading("Décision");
    doc.paragraph(d.statement());
    if !d.grounds.trim().is_empty() {
        doc.heading(d.grounds_heading());
        doc.paragraph(d.grounds.trim());
    }
    if let Some(appeal) = d.appeal_routes() {
        doc.heading("Voies et délais de recours");
        doc.paragraph(appeal);
    }
    doc.right(d.place_and_date());
    doc.right(d.signature());
    doc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::Outcome;
    use crate::model::{DeemedDecision, Delay, Regime};

    #[test]
    fn addresses_become_envelope_lines() {
        assert_eq!(
            postal_lines("Germaine Roux", Some("5 impasse des Peupliers, 00000 Démo")),
            vec!["Germaine Roux", "5 impasse des Peupliers", "00000 Démo"]
        );
        assert_eq!(
            postal_lines("Léo", Some("Bât. B\n3 rue Haute\n")),
            vec!["Léo", "Bât. B", "3 rue Haute"]
        );
        assert_eq!(postal_lines("Léo", None), vec!["Léo"]);
    }

    fn texts(doc: &Document) -> String {
        doc.layout()
            .pages
            .iter()
            .flatten()
            .map(|l| l.text.clone())
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn the_acknowledgement_letter_carries_every_paragraph_and_the_address() {
        let ack = Acknowledgement {
            commune: "Ville de Démo".into(),
            number: "DEM-2026-000007".into(),
            procedure: "Louer une salle".into(),
            applicant: "Germaine Roux".into(),
            received_on: "2026-11-16".parse().unwrap(),
            received_at: None,
            service_name: "Vie associative".into(),
            service_address: "1 place de la Mairie".into(),
            service_email: "asso@demo.fr".into(),
            service_phone: "01 00 00 00 00".into(),
            regime: Regime::Rejection,
            delay: Delay::Months(2),
            deemed: DeemedDecision::RejectedOn {
                on: "2027-01-16".parse().unwrap(),
            },
            legal_basis: "CRPA, art. L231-4".into(),
            court: "tribunal administratif de Lyon".into(),
            missing_documents: vec![],
        };
        let doc = acknowledgement(
            &ack,
            &CommuneConfig::default(),
            Some(postal_lines(
                "Germaine Roux",
                Some("5 impasse des Peupliers, 00000 Démo"),
            )),
        );
        let text = texts(&doc);
        assert!(text.contains("5 impasse des Peupliers"));
        assert!(text.contains("Vie associative"));
        for paragraph in ack.paragraphs() {
            let first_words: String = paragraph.split(' ').take(4).collect::<Vec<_>>().join(" ");
            assert!(text.contains(&first_words), "{first_words}");
        }
    }

    #[test]
    fn a_refusal_is_laid_out_with_its_grounds_and_appeal_routes() {
        let d = Decision {
            commune: "Ville de Démo".into(),
            service: "Vie associative".into(),
            number: "DEM-2026-000042".into(),
            procedure: "Demander une subvention".into(),
            applicant: "Association".into(),
            received_on: None,
            decided_on: "2026-11-23".parse().unwrap(),
            outcome: Outcome::Refused,
            grounds: "Enveloppe épuisée.".into(),
            court: "tribunal administratif de Lyon".into(),
            signatory: "Thomas Petit".into(),
        };
        let text = texts(&decision(
            &d,
            &CommuneConfig::default(),
            postal_lines("Association", None),
        ));
        assert!(text.contains("Motifs de la décision"));
        assert!(text.contains("Enveloppe épuisée."));
        assert!(text.contains("Voies et délais de recours"));
        assert!(text.contains("Thomas Petit, service Vie associative"));
    }
}
