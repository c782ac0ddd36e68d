//! VPC flow records attributed to clients, gateways and destinations: the
//! topology (ENI inventory and what flows teach), DNS answers with their
//! validity, AWS service names, and the `flows` rows.

mod attribute;
mod counting;
mod dns;
mod row;
mod services;
mod topology;

pub use attribute::{Network, connection_key, is_private};
pub use counting::counted_rows;
pub use dns::{DnsIndex, HOLD_NS};
pub use row::{Counted, FlowRow, flow_batch};
pub use services::{aws_service_of_name, has_gateway_endpoint, is_specific_range};
pub use topology::{Interface, InterfaceKind, Topology, task_family};
