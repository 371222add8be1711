//! Online procedures and requests (démarches et demandes): the catalogue, forms built by
//! agents, filing, routing, the agents' inbox, acknowledgements and the deadlines the law
//! sets. This first part holds the pure rules of those deadlines.

pub mod forms;
pub mod model;
pub mod rules;
