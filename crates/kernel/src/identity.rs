//! Who is calling: the person logged in (if any), their roles, and the person they act
//! for (an agent at the counter, a helper with a mandate). Permissions are decided here,
//! from roles, and checked in every handler, not only hidden in menus.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::audit::AuditActor;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Resident,
    Agent,
    ServiceManager,
    ElectedOfficial,
    Administrator,
    Dpo,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Resident,
        Role::Agent,
        Role::ServiceManager,
        Role::ElectedOfficial,
        Role::Administrator,
        Role::Dpo,
    ];
    /// Roles an administrator may grant to staff.
    pub const STAFF: [Role; 5] = [
        Role::Agent,
        Role::ServiceManager,
        Role::ElectedOfficial,
        Role::Administrator,
        Role::Dpo,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Resident => "resident",
            Role::Agent => "agent",
            Role::ServiceManager => "service_manager",
            Role::ElectedOfficial => "elected_official",
            Role::Administrator => "administrator",
            Role::Dpo => "dpo",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Translation key of the role's name.
    pub fn label_key(self) -> &'static str {
        match self {
            Role::Resident => "role-resident",
            Role::Agent => "role-agent",
            Role::ServiceManager => "role-service-manager",
            Role::ElectedOfficial => "role-elected-official",
            Role::Administrator => "role-administrator",
            Role::Dpo => "role-dpo",
        }
    }

    /// Roles that reach everyone's data must log in with a second factor.
    pub fn requires_mfa(self) -> bool {
        matches!(self, Role::Administrator | Role::Dpo)
    }

    /// Roles tied to one service (état civil, enfance, voirie ...).
    pub fn needs_service(self) -> bool {
        matches!(self, Role::Agent | Role::ServiceManager)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Open the back office at all.
    Backoffice,
    /// Create staff accounts, grant and revoke roles.
    ManageUsers,
    /// Search the audit log.
    ViewAudit,
    /// Read statistics across services.
    ViewStatistics,
    /// Administer procedures: catalogue entries, workflows, routing (which ones depends
    /// on the services the person manages).
    ManageProcedures,
}

impl Permission {
    pub fn granted_to(self, role: Role) -> bool {
        use Permission::*;
        use Role::*;
        match self {
            Backoffice => role != Resident,
            ManageUsers => role == Administrator,
            ViewAudit => matches!(role, Administrator | Dpo),
            ViewStatistics => matches!(role, ServiceManager | ElectedOfficial | Administrator),
            ManageProcedures => matches!(role, ServiceManager | Administrator),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceRef {
    pub id: String,
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleGrant {
    pub role: Role,
    pub service: Option<ServiceRef>,
}

/// A logged-in person, as loaded for each request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Identity {
    pub user_id: String,
    pub email: String,
    pub display_name: String,
    pub grants: Vec<RoleGrant>,
    /// Teams (inside their services) this person belongs to.
    #[serde(default)]
    pub team_ids: Vec<String>,
}

impl Identity {
    pub fn has_role(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }
    pub fn can(&self, permission: Permission) -> bool {
        self.grants.iter().any(|g| permission.granted_to(g.role))
    }
    pub fn is_staff(&self) -> bool {
        self.can(Permission::Backoffice)
    }
    pub fn requires_mfa(&self) -> bool {
        self.grants.iter().any(|g| g.role.requires_mfa())
    }
    /// Services this person works for, as agent or manager.
    pub fn services(&self) -> impl Iterator<Item = &ServiceRef> {
        self.grants.iter().filter_map(|g| g.service.as_ref())
    }
    pub fn works_for(&self, service_id: &str) -> bool {
        self.services().any(|s| s.id == service_id)
    }
    pub fn in_team(&self, team_id: &str) -> bool {
        self.team_ids.iter().any(|t| t == team_id)
    }
}

/// On what ground someone acts for another person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "basis", rename_all = "snake_case")]
pub enum ActingBasis {
    /// An agent records a request for a resident who came to the counter, phoned or wrote.
    Counter,
    /// A helper acts within a mandate the resident consented to.
    Mandate { mandate_id: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActingFor {
    /// The resident's user id, or a contact record's id for someone without an account.
    pub person_id: String,
    pub display_name: String,
    #[serde(flatten)]
    pub basis: ActingBasis,
}

/// The caller of a request: who, for whom, from where.
#[derive(Debug, Clone, Default)]
pub struct Caller {
    pub identity: Option<Identity>,
    pub acting_for: Option<ActingFor>,
    pub ip: Option<String>,
}

impl Caller {
    pub fn is_logged_in(&self) -> bool {
        self.identity.is_some()
    }

    pub fn can(&self, permission: Permission) -> bool {
        self.identity.as_ref().is_some_and(|i| i.can(permission))
    }

    /// The person whose data is concerned: the one acted for, or the caller.
    pub fn subject_id(&self) -> Option<&str> {
        self.acting_for
            .as_ref()
            .map(|a| a.person_id.as_str())
            .or(self.identity.as_ref().map(|i| i.user_id.as_str()))
    }

    /// "done by X for Y, from Z", for the audit log.
    pub fn audit_actor(&self) -> AuditActor {
        AuditActor {
            user_id: self.identity.as_ref().map(|i| i.user_id.clone()),
            label: self
                .identity
                .as_ref()
                .map(|i| format!("{} <{}>", i.display_name, i.email))
                .unwrap_or_else(|| "visiteur anonyme".into()),
            acting_for_id: self.acting_for.as_ref().map(|a| a.person_id.clone()),
            acting_for_label: self.acting_for.as_ref().map(|a| a.display_name.clone()),
            ip: self.ip.clone(),
        }
    }
}

/// Loads a person's identity and roles for each request. Implemented by the accounts
/// capability; the kernel only knows this interface.
#[async_trait]
pub trait IdentityLoader: Send + Sync + 'static {
    /// `None` when the account no longer exists or is disabled.
    async fn load(&self, user_id: &str) -> Result<Option<Identity>, sqlx::Error>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(roles: &[Role]) -> Identity {
        Identity {
            user_id: "u".into(),
            email: "a@b.fr".into(),
            display_name: "A".into(),
            grants: roles
                .iter()
                .map(|r| RoleGrant {
                    role: *r,
                    service: None,
                })
                .collect(),
            team_ids: Vec::new(),
        }
    }

    #[test]
    fn residents_never_reach_the_back_office() {
        assert!(!person(&[Role::Resident]).can(Permission::Backoffice));
        assert!(person(&[Role::Agent]).can(Permission::Backoffice));
    }

    #[test]
    fn only_administrators_manage_users() {
        for role in Role::ALL {
            assert_eq!(
                person(&[role]).can(Permission::ManageUsers),
                role == Role::Administrator
            );
        }
        assert!(person(&[Role::Dpo]).can(Permission::ViewAudit));
        assert!(!person(&[Role::Agent]).can(Permission::ViewAudit));
    }

    #[test]
    fn administrators_and_service_managers_manage_procedures() {
        for role in Role::ALL {
            assert_eq!(
                person(&[role]).can(Permission::ManageProcedures),
                matches!(role, Role::Administrator | Role::ServiceManager),
                "{role:?}"
            );
        }
    }

    #[test]
    fn administrators_and_dpo_need_a_second_factor() {
        assert!(person(&[Role::Agent, Role::Administrator]).requires_mfa());
        assert!(person(&[Role::Dpo]).requires_mfa());
        assert!(!person(&[Role::Agent, Role::ServiceManager]).requires_mfa());
    }

    #[test]
    fn acting_for_is_recorded_in_the_audit() {
        let caller = Caller {
            identity: Some(person(&[Role::Agent])),
            acting_for: Some(ActingFor {
                person_id: "r1".into(),
                display_name: "Jeanne Dupont".into(),
                basis: ActingBasis::Counter,
            }),
            ip: Some("192.0.2.1".into()),
        };
        let actor = caller.audit_actor();
        assert_eq!(actor.acting_for_id.as_deref(), Some("r1"));
        assert_eq!(caller.subject_id(), Some("r1"));
    }
}
