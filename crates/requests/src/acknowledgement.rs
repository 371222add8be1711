//! The electronic acknowledgement of receipt (accusé de réception, CRPA L112-11 and
//! R112-11-1) and the attestation of implicit acceptance (L232-3). If a mention is missing,
//! appeal delays cannot be held against the applicant (L112-6): the text is produced here,
//! once, from plain data, and tested mention by mention. Legal documents are issued in
//! French whatever the language of the interface.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::model::{DeemedDecision, Delay, Regime};

/// Everything the acknowledgement states, frozen at receipt (a later change of the
/// service's phone number does not rewrite what the applicant was told).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acknowledgement {
    pub commune: String,
    pub number: String,
    pub procedure: String,
    pub applicant: String,
    pub received_on: Date,
    /// « 23/11/2026 à 14:05 » for an online filing; none when an agent entered the date.
    pub received_at: Option<String>,
    pub service_name: String,
    pub service_address: String,
    pub service_email: String,
    pub service_phone: String,
    pub regime: Regime,
    pub delay: Delay,
    pub deemed: DeemedDecision,
    pub legal_basis: String,
    /// The court that hears appeals (« tribunal administratif de Lyon »).
    pub court: String,
    /// Documents still awaited at receipt (L114-5), and by when.
    pub missing_documents: Vec<String>,
}

/// « 1er avril 2025 », « 10 septembre 2025 ».
pub fn french_date(date: Date) -> String {
    const MONTHS: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    let day = if date.day() == 1 {
        "1er".to_string()
    } else {
        date.day().to_string()
    };
    let month = MONTHS[usize::try_from(date.month() - 1).unwrap_or(0)];
    format!("{day} {month} {}", date.year())
}

/// The appeal routes against an implicit rejection (délais et voies de recours).
pub fn appeal_routes(court: &str) -> String {
    format!(
        "Voies et délais de recours : une décision implicite de rejet peut être contestée dans un \
         délai de deux mois à compter de la date à laquelle elle est née, par un recours gracieux \
         auprès du maire ou par un recours contentieux devant le {court}, y compris au moyen de \
         l'application « Télérecours citoyens » (www.telerecours.fr). Vous pouvez aussi demander \
         les motifs de la décision implicite dans ce même délai ; le délai de recours est alors \
         prolongé jusqu'à l'expiration d'un délai de deux mois suivant la communication des motifs \
         (article L232-4 du code des relations entre le public et l'administration)."
    )
}

/// The appeal routes against an express decision (refusal), as written in the decision.
pub fn express_appeal_routes(court: &str) -> String {
    format!(
        "Si vous estimez que cette décision est contestable, vous pouvez former un recours \
         gracieux auprès du maire dans un délai de deux mois à compter de sa notification, ou \
         un recours contentieux devant le {court} dans le même délai, y compris au moyen de \
         l'application « Télérecours citoyens » (www.telerecours.fr). Le recours gracieux \
         interrompt le délai du recours contentieux, qui court à nouveau à compter de la \
         réponse ; l'absence de réponse pendant deux mois vaut rejet du recours gracieux \
         (articles L411-2 du code des relations entre le public et l'administration et R421-1 \
         et R421-2 du code de justice administrative)."
    )
}

/// The title of the attestation of implicit acceptance, in the HTML page and in the PDF.
pub const ATTESTATION_TITLE: &str = "Attestation de décision implicite d'acceptation";

impl Acknowledgement {
    pub fn title(&self) -> String {
        format!("Accusé de réception de votre demande {}", self.number)
    }

    /// The paragraphs of the acknowledgement, in order; each legal mention is one of them.
    pub fn paragraphs(&self) -> Vec<String> {
        let mut out = Vec::new();
        out.push(format!(
            "{} accuse réception de la demande « {} » déposée par {}, enregistrée sous le numéro {}.",
            self.commune, self.procedure, self.applicant, self.number
        ));
        // 1. The date of receipt.
        out.push(match &self.received_at {
            Some(at) => format!(
                "Date de réception : {} (reçue le {}).",
                french_date(self.received_on),
                at
            ),
            None => format!("Date de réception : {}.", french_date(self.received_on)),
        });
        // 2. The service in charge and how to reach it.
        out.push(format!(
            "Service chargé du dossier : {}, {} ; courriel : {} ; téléphone : {}.",
            self.service_name, self.service_address, self.service_email, self.service_phone
        ));
        // 3 to 5. What silence means, from when, and what follows.
        let delay = self.delay.french();
        match (self.regime, self.deemed) {
            (Regime::None, _) | (_, DeemedDecision::NotApplicable) => out.push(
                "Cette demande ne peut pas donner lieu à une décision implicite d'acceptation ou de rejet : \
                 le service vous répondra expressément."
                    .into(),
            ),
            (Regime::Acceptance, deemed) => {
                out.push(match deemed.date() {
                    Some(on) => format!(
                        "Cette demande peut donner lieu à une décision implicite d'acceptation. Sans décision \
                         expresse de notre part dans un délai de {delay}, et sous réserve que votre dossier soit \
                         complet, elle sera réputée acceptée le {} ({}).",
                        french_date(on),
                        self.legal_basis
                    ),
                    None => format!(
                        "Cette demande peut donner lieu à une décision implicite d'acceptation. Le délai de {delay} \
                         au terme duquel elle sera réputée acceptée ne court qu'à compter de la réception des pièces \
                         manquantes ({}).",
                        self.legal_basis
                    ),
                });
                out.push(
                    "En cas d'acceptation implicite, vous pourrez obtenir l'attestation prévue à l'article L232-3 \
                     du code des relations entre le public et l'administration : elle sera disponible dans votre \
                     espace, ou sur simple demande auprès du service."
                        .into(),
                );
            }
            (Regime::Rejection, deemed) => {
                out.push(match deemed.date() {
                    Some(on) => format!(
                        "Cette demande peut donner lieu à une décision implicite de rejet. Sans décision expresse \
                         de notre part dans un délai de {delay}, elle sera réputée rejetée le {} ({}).",
                        french_date(on),
                        self.legal_basis
                    ),
                    None => format!(
                        "Cette demande peut donner lieu à une décision implicite de rejet au terme d'un délai de \
                         {delay}, suspendu jusqu'à la réception des pièces manquantes ({}).",
                        self.legal_basis
                    ),
                });
                out.push(appeal_routes(&self.court));
            }
        }
        if !self.missing_documents.is_empty() {
            out.push(format!(
                "Votre dossier est incomplet. Merci de nous transmettre : {}.",
                self.missing_documents.join(" ; ")
            ));
        }
        out
    }

    pub fn text(&self) -> String {
        let mut text = self.title();
        text.push_str("\n\n");
        text.push_str(&self.paragraphs().join("\n\n"));
        text
    }
}

/// The attestation of implicit acceptance (L232-3), delivered once the delay has run out.
pub fn attestation_paragraphs(ack: &Acknowledgement, accepted_on: Date) -> Vec<String> {
    vec![
        format!(
            "Le maire de {} atteste que la demande « {} » n° {}, présentée par {} et reçue le {}, \
             a fait l'objet d'une décision implicite d'acceptation née le {}, en l'absence de \
             décision expresse dans le délai de {}.",
            ack.commune
                .trim_start_matches("Ville de ")
                .trim_start_matches("Commune de "),
            ack.procedure,
            ack.number,
            ack.applicant,
            french_date(ack.received_on),
            french_date(accepted_on),
            ack.delay.french(),
        ),
        format!(
            "Attestation délivrée en application de l'article L232-3 du code des relations entre le \
             public et l'administration ({}).",
            ack.legal_basis
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn ack(regime: Regime, deemed: DeemedDecision) -> Acknowledgement {
        Acknowledgement {
            commune: "Ville de Démo".into(),
            number: "DEM-2026-000123".into(),
            procedure: "Autorisation d'occupation du domaine public".into(),
            applicant: "Camille Martin".into(),
            received_on: d("2025-02-01"),
            received_at: Some("01/02/2025 à 10:15".into()),
            service_name: "Voirie".into(),
            service_address: "1 place de la Mairie, 69000 Démo".into(),
            service_email: "voirie@demo.fr".into(),
            service_phone: "04 00 00 00 00".into(),
            regime,
            delay: Delay::Months(2),
            deemed,
            legal_basis: "CRPA, art. L231-1".into(),
            court: "tribunal administratif de Lyon".into(),
            missing_documents: vec![],
        }
    }

    #[test]
    fn every_mention_is_there_for_an_acceptance() {
        let text = ack(
            Regime::Acceptance,
            DeemedDecision::AcceptedOn {
                on: d("2025-04-01"),
            },
        )
        .text();
        assert!(text.contains("Date de réception : 1er février 2025"));
        assert!(text.contains("Voirie, 1 place de la Mairie"));
        assert!(text.contains("voirie@demo.fr"));
        assert!(text.contains("04 00 00 00 00"));
        assert!(text.contains("réputée acceptée le 1er avril 2025"));
        assert!(text.contains("L232-3"));
        assert!(!text.contains("Voies et délais de recours"));
    }

    #[test]
    fn a_rejection_names_its_date_and_the_appeal_routes() {
        let text = ack(
            Regime::Rejection,
            DeemedDecision::RejectedOn {
                on: d("2025-06-10"),
            },
        )
        .text();
        assert!(text.contains("réputée rejetée le 10 juin 2025"));
        assert!(text.contains("Voies et délais de recours"));
        assert!(text.contains("tribunal administratif de Lyon"));
        assert!(text.contains("Télérecours"));
    }

    #[test]
    fn no_regime_says_so() {
        let text = ack(Regime::None, DeemedDecision::NotApplicable).text();
        assert!(text.contains("ne peut pas donner lieu à une décision implicite"));
        assert!(!text.contains("réputée"));
    }

    #[test]
    fn an_incomplete_file_lists_what_is_missing() {
        let mut a = ack(Regime::Acceptance, DeemedDecision::Suspended);
        a.missing_documents = vec!["justificatif de domicile".into()];
        let text = a.text();
        assert!(text.contains("ne court qu'à compter de la réception des pièces"));
        assert!(text.contains("justificatif de domicile"));
    }

    #[test]
    fn dates_are_written_in_french() {
        assert_eq!(french_date(d("2025-04-01")), "1er avril 2025");
        assert_eq!(french_date(d("2025-08-16")), "16 août 2025");
        let paragraphs = attestation_paragraphs(
            &ack(
                Regime::Acceptance,
                DeemedDecision::AcceptedOn {
                    on: d("2025-04-01"),
                },
            ),
            d("2025-04-01"),
        );
        assert!(paragraphs[0].starts_with("Le maire de Démo atteste"));
        assert!(paragraphs[0].contains("née le 1er avril 2025"));
    }
}
