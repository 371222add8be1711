//! Plain types of the booking engine's storage.

use jiff::Timestamp;
use jiff::civil::Date;

use crate::calendar::OpeningCalendar;
use crate::deadlines::{BookingRules, Modifier};
use crate::pricing::Pricing;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActivityKind {
    Canteen,
    MorningCare,
    EveningCare,
    LeisureCentre,
}

impl ActivityKind {
    pub const ALL: [ActivityKind; 4] = [
        ActivityKind::Canteen,
        ActivityKind::MorningCare,
        ActivityKind::EveningCare,
        ActivityKind::LeisureCentre,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ActivityKind::Canteen => "cantine",
            ActivityKind::MorningCare => "garderie-matin",
            ActivityKind::EveningCare => "garderie-soir",
            ActivityKind::LeisureCentre => "accueil-loisirs",
        }
    }

    pub fn label_fr(self) -> &'static str {
        match self {
            ActivityKind::Canteen => "Restaurant scolaire",
            ActivityKind::MorningCare => "Accueil périscolaire du matin",
            ActivityKind::EveningCare => "Accueil périscolaire du soir",
            ActivityKind::LeisureCentre => "Accueil de loisirs (mercredis et vacances)",
        }
    }

    pub fn from_code(code: &str) -> Option<ActivityKind> {
        ActivityKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// What one booking buys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Meal,
    Session,
    HalfDay,
}

impl Unit {
    pub fn code(self) -> &'static str {
        match self {
            Unit::Meal => "repas",
            Unit::Session => "seance",
            Unit::HalfDay => "demi-journee",
        }
    }

    pub fn label_fr(self) -> &'static str {
        match self {
            Unit::Meal => "Un repas",
            Unit::Session => "Une séance",
            Unit::HalfDay => "Une demi-journée",
        }
    }

    pub fn from_code(code: &str) -> Option<Unit> {
        [Unit::Meal, Unit::Session, Unit::HalfDay]
            .into_iter()
            .find(|u| u.code() == code)
    }
}

/// A daily activity and everything that decides its bookings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activity {
    pub id: String,
    pub code: String,
    pub name: String,
    pub kind: ActivityKind,
    pub school: String,
    /// The municipal service in charge: its staff see the kitchen counts and registers.
    pub service_id: Option<String>,
    pub unit: Unit,
    /// Places per day; `None` for a canteen, which may never refuse a pupil (Code de
    /// l'éducation L131-13).
    pub capacity: Option<i64>,
    pub calendar: OpeningCalendar,
    pub rules: BookingRules,
    pub pricing: Pricing,
    pub active: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookingStatus {
    Booked,
    /// Cancelled in time: nothing is charged.
    Cancelled,
    /// Cancelled after the free cancellation closed.
    CancelledLate,
}

impl BookingStatus {
    pub fn code(self) -> &'static str {
        match self {
            BookingStatus::Booked => "booked",
            BookingStatus::Cancelled => "cancelled",
            BookingStatus::CancelledLate => "cancelled_late",
        }
    }

    pub fn from_code(code: &str) -> BookingStatus {
        match code {
            "cancelled" => BookingStatus::Cancelled,
            "cancelled_late" => BookingStatus::CancelledLate,
            _ => BookingStatus::Booked,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booking {
    pub id: String,
    pub activity_id: String,
    pub child_id: String,
    pub household_id: String,
    pub day: Date,
    pub status: BookingStatus,
    /// The surcharge of a « dernière minute » booking.
    pub late_surcharge: Option<Modifier>,
    pub booked_at: Timestamp,
}

/// A charge line as the family reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Charge {
    pub id: String,
    pub child_id: String,
    pub activity_id: String,
    pub day: Date,
    pub kind: crate::pricing::ChargeKind,
    pub cents: i64,
    pub explanation: String,
}
