//! The county's review of every station's data: fields devices changed concurrently
//! ([`conflicts`]), elders registered twice ([`duplicates`]), the month's checks
//! ([`anomalies`]), what waits for a decision ([`approvals`]), figures over months
//! ([`dashboards`]) and the export to the city's platform ([`city_export`]).

pub mod anomalies;
pub mod approvals;
pub mod city_export;
pub mod conflicts;
pub mod dashboards;
pub mod duplicates;
