//! Plain account types.

use kernel::identity::{Role, ServiceRef};

#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub email: String,
    pub password_hash: String,
    pub given_name: String,
    pub family_name: String,
    pub email_verified: bool,
    pub totp_secret: Option<String>,
    pub totp_enabled: bool,
    pub totp_last_step: Option<i64>,
    pub created_at: jiff::Timestamp,
    pub last_login_at: Option<jiff::Timestamp>,
    pub disabled: bool,
}

impl User {
    pub fn display_name(&self) -> String {
        format!("{} {}", self.given_name, self.family_name)
    }
}

#[derive(Debug, Clone)]
pub struct Service {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub email: String,
    pub phone: String,
}

impl From<&Service> for ServiceRef {
    fn from(s: &Service) -> ServiceRef {
        ServiceRef {
            id: s.id.clone(),
            slug: s.slug.clone(),
            name: s.name.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Grant {
    pub id: String,
    pub role: Role,
    pub service: Option<ServiceRef>,
}

/// A staff member as listed in the back office.
#[derive(Debug, Clone)]
pub struct StaffMember {
    pub user: User,
    pub grants: Vec<Grant>,
}

/// A team inside a service (the north crew of the roads service, the registry's front
/// desk): requests can be routed to it and its members filter their inbox by it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    pub id: String,
    pub service_id: String,
    pub slug: String,
    pub name: String,
}

/// Someone who belongs to a team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamMember {
    pub team_id: String,
    pub user_id: String,
    pub name: String,
}
