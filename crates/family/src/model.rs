//! Plain types of the family file.

use jiff::civil::Date;

/// A child's diet, as the CNIL allows it to be recorded: a need, never a religious label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Diet {
    Standard,
    NoPork,
    Vegetarian,
    NoMeat,
}

impl Diet {
    pub const ALL: [Diet; 4] = [Diet::Standard, Diet::NoPork, Diet::Vegetarian, Diet::NoMeat];

    pub fn code(self) -> &'static str {
        match self {
            Diet::Standard => "standard",
            Diet::NoPork => "sans-porc",
            Diet::Vegetarian => "vegetarien",
            Diet::NoMeat => "sans-viande",
        }
    }

    pub fn label_fr(self) -> &'static str {
        match self {
            Diet::Standard => "Standard",
            Diet::NoPork => "Sans porc",
            Diet::Vegetarian => "Végétarien",
            Diet::NoMeat => "Sans viande",
        }
    }

    pub fn from_code(code: &str) -> Option<Diet> {
        Diet::ALL.into_iter().find(|d| d.code() == code)
    }
}

/// The 14 allergens whose presence must be declared (EU regulation 1169/2011, annex II).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Allergen {
    Gluten,
    Crustaceans,
    Eggs,
    Fish,
    Peanuts,
    Soybeans,
    Milk,
    Nuts,
    Celery,
    Mustard,
    Sesame,
    Sulphites,
    Lupin,
    Molluscs,
}

impl Allergen {
    pub const ALL: [Allergen; 14] = [
        Allergen::Gluten,
        Allergen::Crustaceans,
        Allergen::Eggs,
        Allergen::Fish,
        Allergen::Peanuts,
        Allergen::Soybeans,
        Allergen::Milk,
        Allergen::Nuts,
        Allergen::Celery,
        Allergen::Mustard,
        Allergen::Sesame,
        Allergen::Sulphites,
        Allergen::Lupin,
        Allergen::Molluscs,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Allergen::Gluten => "gluten",
            Allergen::Crustaceans => "crustaces",
            Allergen::Eggs => "oeufs",
            Allergen::Fish => "poissons",
            Allergen::Peanuts => "arachides",
            Allergen::Soybeans => "soja",
            Allergen::Milk => "lait",
            Allergen::Nuts => "fruits-a-coque",
            Allergen::Celery => "celeri",
            Allergen::Mustard => "moutarde",
            Allergen::Sesame => "sesame",
            Allergen::Sulphites => "sulfites",
            Allergen::Lupin => "lupin",
            Allergen::Molluscs => "mollusques",
        }
    }

    /// The names of the regulation's French text.
    pub fn label_fr(self) -> &'static str {
        match self {
            Allergen::Gluten => "Céréales contenant du gluten",
            Allergen::Crustaceans => "Crustacés",
            Allergen::Eggs => "Œufs",
            Allergen::Fish => "Poissons",
            Allergen::Peanuts => "Arachides",
            Allergen::Soybeans => "Soja",
            Allergen::Milk => "Lait",
            Allergen::Nuts => "Fruits à coque",
            Allergen::Celery => "Céleri",
            Allergen::Mustard => "Moutarde",
            Allergen::Sesame => "Graines de sésame",
            Allergen::Sulphites => "Anhydride sulfureux et sulfites",
            Allergen::Lupin => "Lupin",
            Allergen::Molluscs => "Mollusques",
        }
    }

    pub fn from_code(code: &str) -> Option<Allergen> {
        Allergen::ALL.into_iter().find(|a| a.code() == code)
    }
}

/// The kinds of supporting documents a family gives once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DocumentType {
    ProofOfAddress,
    TaxNotice,
    CafCertificate,
    VaccinationRecord,
    SchoolInsurance,
    CarePlan,
    CustodyJudgement,
}

impl DocumentType {
    pub const ALL: [DocumentType; 7] = [
        DocumentType::ProofOfAddress,
        DocumentType::TaxNotice,
        DocumentType::CafCertificate,
        DocumentType::VaccinationRecord,
        DocumentType::SchoolInsurance,
        DocumentType::CarePlan,
        DocumentType::CustodyJudgement,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DocumentType::ProofOfAddress => "justificatif-domicile",
            DocumentType::TaxNotice => "avis-imposition",
            DocumentType::CafCertificate => "attestation-caf",
            DocumentType::VaccinationRecord => "carnet-vaccination",
            DocumentType::SchoolInsurance => "assurance-scolaire",
            DocumentType::CarePlan => "pai",
            DocumentType::CustodyJudgement => "jugement-garde",
        }
    }

    pub fn label_fr(self) -> &'static str {
        match self {
            DocumentType::ProofOfAddress => "Justificatif de domicile de moins de 3 mois",
            DocumentType::TaxNotice => "Avis d'imposition",
            DocumentType::CafCertificate => "Attestation de quotient familial CAF",
            DocumentType::VaccinationRecord => "Carnet de vaccination",
            DocumentType::SchoolInsurance => "Attestation d'assurance scolaire",
            DocumentType::CarePlan => "Projet d'accueil individualisé (PAI)",
            DocumentType::CustodyJudgement => "Jugement fixant la garde",
        }
    }

    pub fn from_code(code: &str) -> Option<DocumentType> {
        DocumentType::ALL.into_iter().find(|d| d.code() == code)
    }
}

/// Where a supporting document stands with the family service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentStatus {
    Pending,
    Accepted,
    Refused { reason: String },
}

/// A supporting document of the family file, as the rules need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub kind: DocumentType,
    pub status: DocumentStatus,
    pub valid_from: Date,
    /// `None` for documents without an end (a custody judgement until a new one).
    pub valid_until: Option<Date>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back() {
        for a in Allergen::ALL {
            assert_eq!(Allergen::from_code(a.code()), Some(a));
        }
        for d in Diet::ALL {
            assert_eq!(Diet::from_code(d.code()), Some(d));
        }
        for t in DocumentType::ALL {
            assert_eq!(DocumentType::from_code(t.code()), Some(t));
        }
        assert_eq!(Allergen::ALL.len(), 14);
        assert_eq!(Allergen::from_code("halal"), None);
        assert_eq!(Diet::from_code("casher"), None);
    }
}

/// A household: the unit that books, pays and gives documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Household {
    pub id: String,
    pub label: String,
    pub address: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonKind {
    Adult,
    Child,
}

/// An adult or a child of one or more family files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: String,
    pub kind: PersonKind,
    /// The adult's account, when they have one.
    pub user_id: Option<String>,
    pub given_name: String,
    pub family_name: String,
    pub birth_date: Option<Date>,
    pub phone: String,
    pub email: String,
}

impl Person {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.given_name, self.family_name)
    }
}

/// An adult's place in a household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adult {
    pub person: Person,
    /// Pays this household's bills.
    pub paying: bool,
}

/// What the school, the canteen and the supervisors need to know of a child.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildProfile {
    pub school: String,
    pub class_name: String,
    pub diet: Diet,
    pub allergens: Vec<Allergen>,
    /// Allergies outside the 14, and details (« traces acceptées », « anaphylaxie »).
    pub allergy_notes: String,
    /// An individual care plan (PAI) exists; its document is in the file.
    pub care_plan: bool,
    pub doctor: String,
    pub insurance: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Child {
    pub person: Person,
    pub profile: ChildProfile,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactKind {
    /// Allowed to pick the children up.
    Pickup,
    /// To call in an emergency.
    Emergency,
}

impl ContactKind {
    pub fn code(self) -> &'static str {
        match self {
            ContactKind::Pickup => "recuperation",
            ContactKind::Emergency => "urgence",
        }
    }

    pub fn from_code(code: &str) -> Option<ContactKind> {
        match code {
            "recuperation" => Some(ContactKind::Pickup),
            "urgence" => Some(ContactKind::Emergency),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub id: String,
    pub kind: ContactKind,
    pub name: String,
    pub relation: String,
    pub phone: String,
}
