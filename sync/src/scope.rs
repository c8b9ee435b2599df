//! Which shards a device may read and write: its user's role and places. The county server
//! enforces it on every request; a device uses it to leave the county document alone and to
//! drop what it may no longer hold.

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

/// Whether the scope may read `shard`. `place` is where the shard's records are: the village
/// for elders and visits (from the shard id), the meal point's township or the case's village
/// (looked up by the caller); `None` when unknown, which only a county role may read.
pub fn may_read(scope: &Scope, shard: &ShardId, place: Option<&str>) -> bool {
    match shard {
        ShardId::County { county } => county == &scope.county_code,
        ShardId::Elders { village } | ShardId::Visits { village, .. } => covers(scope, village),
        ShardId::Meals { .. } | ShardId::Adaptation { .. } => match place {
            Some(place) => covers(scope, place),
            None => scope.role == Role::CountyReviewer,
        },
    }
}

/// Whether the scope may write `shard`: what it may read, except the county document, which
/// only a county role writes.
pub fn may_write(scope: &Scope, shard: &ShardId, place: Option<&str>) -> bool {
    may_write_kind(scope, shard) && may_read(scope, shard, place)
}

/// The part of [`may_write`] that needs no lookup: stations never write the county document.
pub fn may_write_kind(scope: &Scope, shard: &ShardId) -> bool {
    !matches!(shard, ShardId::County { .. }) || scope.role == Role::CountyReviewer
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
        assert!(may_write(&caseworker, &own, None));
        assert!(!may_read(&caseworker, &neighbour, None));
        assert!(may_read(&caseworker, &county, None));
        assert!(!may_write(&caseworker, &county, None));
        assert!(!may_read(&caseworker, &ShardId::County { county: "360781000000".into() }, None));
    }

    #[test]
    fn a_station_covers_its_township_and_a_reviewer_the_county() {
        let station = scope(Role::StationDirector, &["360733105000"]);
        let reviewer = scope(Role::CountyReviewer, &["360733000000"]);
        let village = ShardId::Elders { village: "360733105201".into() };
        let elsewhere = ShardId::Elders { village: "360733106201".into() };
        let meals = ShardId::Meals { point: "p1".into(), month: "2026-11".parse().unwrap() };
        assert!(may_write(&station, &village, None));
        assert!(!may_read(&station, &elsewhere, None));
        assert!(may_write(&station, &meals, Some("360733105000")));
        assert!(!may_read(&station, &meals, Some("360733106000")));
        assert!(!may_read(&station, &meals, None));
        assert!(may_write(&reviewer, &elsewhere, None));
        assert!(may_write(&reviewer, &ShardId::County { county: "360733000000".into() }, None));
        assert!(may_read(&reviewer, &meals, None));
    }
}
