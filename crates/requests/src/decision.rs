//! The express decision on a request, as the applicant receives it (a PDF in their space).
//! A decision states who decides (commune, service, the agent's name and quality: CRPA
//! L212-1), on what (number, procedure, applicant, receipt), what is decided, and why: the
//! grounds are the message the agent wrote with the move, and a refusal must have them
//! (L211-2, L211-5). An unfavourable decision names the appeal routes, without which the
//! appeal delays cannot be held against the applicant (R421-5 of the code of
//! administrative justice). Legal documents are issued in French whatever the language of
//! the interface.

use jiff::civil::Date;

use crate::acknowledgement::{express_appeal_routes, french_date};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Accepted,
    Refused,
    /// Another end the workflow names (« Classée sans suite »): stated with its label.
    Other(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub commune: String,
    pub service: String,
    pub number: String,
    pub procedure: String,
    pub applicant: String,
    pub received_on: Option<Date>,
    pub decided_on: Date,
    pub outcome: Outcome,
    /// The agent's message to the applicant, kept as written.
    pub grounds: String,
    /// The court that hears appeals (« tribunal administratif de Lyon »).
    pub court: String,
    /// The agent who takes the decision on behalf of the mayor.
    pub signatory: String,
}

impl Decision {
    pub fn title(&self) -> String {
        match self.outcome {
            Outcome::Accepted => format!("Décision d'acceptation — demande {}", self.number),
            Outcome::Refused => format!("Décision de refus — demande {}", self.number),
            Outcome::Other(_) => format!("Décision relative à la demande {}", self.number),
        }
    }

    /// What is decided, in one sentence.
    pub fn statement(&self) -> String {
        let subject = format!(
            "Votre demande « {} » n° {}{}",
            self.procedure,
            self.number,
            self.received_on
                .map(|on| format!(", reçue le {},", french_date(on)))
                .unwrap_or_default()
        );
        match &self.outcome {
            Outcome::Accepted => format!("{subject} est acceptée."),
            Outcome::Refused => format!("{subject} est refusée."),
            Outcome::Other(label) => {
                format!("{subject} a fait l'objet de la décision suivante : {label}.")
            }
        }
    }

    pub fn grounds_heading(&self) -> &'static str {
        match self.outcome {
            Outcome::Accepted => "Message du service",
            _ => "Motifs de la décision",
        }
    }

    /// The appeal routes, for any decision that does not grant the request.
    pub fn appeal_routes(&self) -> Option<String> {
        match self.outcome {
            Outcome::Accepted => None,
            _ => Some(express_appeal_routes(&self.court)),
        }
    }

    /// « Ville de Démo, le 3 décembre 2026 ».
    pub fn place_and_date(&self) -> String {
        format!("{}, le {}", self.commune, french_date(self.decided_on))
    }

    /// Who signs, with their quality (L212-1).
    pub fn signature(&self) -> String {
        format!(
            "Pour le maire et par délégation,\n{}, service {}",
            self.signatory, self.service
        )
    }

    /// The file name under which the applicant downloads it.
    pub fn file_name(&self) -> String {
        format!("decision-{}.pdf", self.number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decision(outcome: Outcome) -> Decision {
        Decision {
            commune: "Ville de Démo".into(),
            service: "Vie associative".into(),
            number: "DEM-2026-000042".into(),
            procedure: "Demander une subvention".into(),
            applicant: "Association Les Amis du Vieux Démo".into(),
            received_on: Some("2026-10-19".parse().unwrap()),
            decided_on: "2026-11-23".parse().unwrap(),
            outcome,
            grounds: "L'enveloppe votée pour 2027 est épuisée.".into(),
            court: "tribunal administratif de Lyon".into(),
            signatory: "Thomas Petit".into(),
        }
    }

    #[test]
    fn an_acceptance_says_so_without_appeal_routes() {
        let d = decision(Outcome::Accepted);
        assert_eq!(
            d.statement(),
            "Votre demande « Demander une subvention » n° DEM-2026-000042, reçue le 19 octobre 2026, est acceptée."
        );
        assert!(d.title().starts_with("Décision d'acceptation"));
        assert_eq!(d.appeal_routes(), None);
        assert_eq!(d.place_and_date(), "Ville de Démo, le 23 novembre 2026");
    }

    #[test]
    fn a_refusal_names_its_grounds_heading_and_the_appeal_routes() {
        let d = decision(Outcome::Refused);
        assert!(d.statement().ends_with("est refusée."));
        assert_eq!(d.grounds_heading(), "Motifs de la décision");
        let appeal = d.appeal_routes().unwrap();
        assert!(appeal.contains("tribunal administratif de Lyon"));
        assert!(appeal.contains("deux mois"));
        assert!(appeal.contains("Télérecours citoyens"));
        assert!(
            d.signature()
                .contains("Thomas Petit, service Vie associative")
        );
    }

    #[test]
    fn another_end_is_stated_with_its_label_and_can_be_appealed() {
        let mut d = decision(Outcome::Other("Classée sans suite".into()));
        d.received_on = None;
        assert_eq!(
            d.statement(),
            "Votre demande « Demander une subvention » n° DEM-2026-000042 a fait l'objet de la décision suivante : Classée sans suite."
        );
        assert!(d.appeal_routes().is_some());
        assert_eq!(d.file_name(), "decision-DEM-2026-000042.pdf");
    }
}
