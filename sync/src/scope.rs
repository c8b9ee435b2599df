//! Which shards a device may read and write: its user's role and places, against the place a
//! shard id names. The county server enforces it on every request; a device uses it to leave
//! the county's documents alone and to drop what it may no longer hold.

use xianglin_schema::place::{PlaceLevel, level_of};
use xianglin_schema::user::Role;

use crate::protocol::Scope;
use crate::shard::ShardId;

/// Whether `place_code` (a village or township) lies within the scope's places.
pub fn covers(scope: &Scope, place_code: &str) -> bool {
    scope.places.iter().any(|place| within(place_code, place))
}

/// Whether `code` lies within `place`: the county holds its townships and villages, a township
/// its villages, a village only itself.
fn within(code: &str, place: &str) -> bool {
    if code.len() != 12 || place.len() != 12 {
        return false;
    }
    match level_of(place) {
        Some(PlaceLevel::County) => code[..6] == place[..6],
        Some(PlaceLevel::Township) => code[..9] == place[..9],
        Some(PlaceLevel::Village) => code == place,
        _ => false,
    }
}

/// Whether the scope may read `shard`: its place (named in the shard id) lies within the
/// scope's places; the county document is read by every device of the county.
pub fn may_read(scope: &Scope, shard: &ShardId) -> bool {
    match shard {
        ShardId::County { county } => county == &scope.county_code,
        other => covers(scope, other.place()),
    }
}

/// Whether the scope may write `shard`: what it may read, except the documents of the county's
/// decisions (the county document and the review shards), which only a county role writes.
pub fn may_write(scope: &Scope, shard: &ShardId) -> bool {
    may_write_kind(scope, shard) && may_read(scope, shard)
}

/// The part of [`may_write`] that the shard's kind decides: stations never write the county
/// document nor the county's reviews.
pub fn may_write_kind(scope: &Scope, shard: &ShardId) -> bool {
    !matches!(shard, ShardId::County { .. } | ShardId::Review { .. }) || scope.role == Role::CountyReviewer
}

/// The kinds of county-document records a county reviewer's device writes (its duplicate
/// decisions and its export log). No device writes the others: users, devices, places and
/// policy are the county server's, written by its admin command.
pub const COUNTY_RECORDS_A_REVIEWER_WRITES: [&str; 2] = ["duplicate", "export"];

/// Whether the scope may write the record `key` of `shard` (which it may write at all): in the
/// county document only the kinds of [`COUNTY_RECORDS_A_REVIEWER_WRITES`], and only a reviewer.
pub fn may_write_record(scope: &Scope, shard: &ShardId, key: &str) -> bool {
    match shard {
        ShardId::County { .. } => {
            scope.role == Role::CountyReviewer
                && key.split_once('/').is_some_and(|(kind, _)| COUNTY_RECORDS_A_REVIEWER_WRITES.contains(&kind))
        }
        _ => true,
    }
}

/// Whether the record `key` is written once and never edited: access records (`access/<id>`),
/// the log of who viewed whose data.
pub fn is_append_only(key: &str) -> bool {
    key.starts_with("access/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(role: Role, places: &[&str]) -> Scope {
        Scope {
            device_id: "aa".into(),
            user_id: "u".into(),
            role,
            places: places.iter().map(|place| place.to_string()).collect(),
            county_code: "360733000000".into(),
        }
    }

    #[test]
    fn a_caseworker_reads_and_writes_only_their_villages_and_reads_the_county() {
        let caseworker = scope(Role::Caseworker, &["360733105201"]);
        let own = ShardId::Elders { village: "360733105201".into() };
        let neighbour = ShardId::Elders { village: "360733105202".into() };
        let county = ShardId::County { county: "360733000000".into() };
        assert!(may_write(&caseworker, &own));
        assert!(!may_read(&caseworker, &neighbour));
        assert!(may_read(&caseworker, &county));
        assert!(!may_write(&caseworker, &county));
        assert!(!may_read(&caseworker, &ShardId::County { county: "360781000000".into() }));
        assert!(!may_read(&caseworker, &ShardId::township("360733105000")));
    }

    #[test]
    fn a_station_covers_its_township_and_a_reviewer_the_county() {
        let station = scope(Role::StationDirector, &["360733105000"]);
        let reviewer = scope(Role::CountyReviewer, &["360733000000"]);
        let village = ShardId::Elders { village: "360733105201".into() };
        let elsewhere = ShardId::Elders { village: "360733106201".into() };
        let month = "2026-11".parse().unwrap();
        let meals = ShardId::meals("360733105000", "p1", month);
        let other_meals = ShardId::meals("360733106000", "p2", month);
        let case = ShardId::adaptation("360733105201", "c1");
        let review = ShardId::review("360733105000");
        assert!(may_write(&station, &village));
        assert!(!may_read(&station, &elsewhere));
        assert!(may_write(&station, &meals));
        assert!(may_write(&station, &case));
        assert!(!may_read(&station, &other_meals));
        assert!(may_read(&station, &review));
        assert!(!may_write(&station, &review));
        assert!(may_write(&reviewer, &elsewhere));
        assert!(may_write(&reviewer, &ShardId::County { county: "360733000000".into() }));
        assert!(may_write(&reviewer, &review));
        assert!(may_read(&reviewer, &other_meals));
    }

    #[test]
    fn in_the_county_document_a_reviewer_writes_only_decisions_and_export_logs() {
        let reviewer = scope(Role::CountyReviewer, &["360733000000"]);
        let station = scope(Role::StationDirector, &["360733105000"]);
        let county = ShardId::County { county: "360733000000".into() };
        assert!(may_write_record(&reviewer, &county, "duplicate/d1"));
        assert!(may_write_record(&reviewer, &county, "export/e1"));
        for key in ["user/u1", "device/aa", "place/360733105000", "policy/360733-2024-01", "duplicate", "e1"] {
            assert!(!may_write_record(&reviewer, &county, key), "{key}");
        }
        assert!(!may_write_record(&station, &county, "duplicate/d1"));
        assert!(may_write_record(&station, &ShardId::Elders { village: "360733105201".into() }, "e1"));
    }
}
