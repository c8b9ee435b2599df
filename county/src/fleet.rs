//! The county's device list (设备状况): every enrolled device with what the server last saw of
//! it, silent ones first. `xianglin-county devices` prints it; `GET /v1/fleet` sends it to a
//! county reviewer's app.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDateTime;
use xianglin_schema::api::{DEFAULT_SILENT_DAYS, DeviceHealth, FleetHealth, SILENT_DAYS_KEY, SilentDays};
use xianglin_schema::record::{format_datetime, parse_datetime};
use xianglin_sync::Result;

use crate::store::CountyStore;

/// The county's days without contact after which a device stands out (its record, or
/// [`DEFAULT_SILENT_DAYS`] while it has set none).
pub fn silent_days(store: &mut dyn CountyStore) -> Result<u32> {
    Ok(store
        .read_county_record(SILENT_DAYS_KEY)?
        .and_then(|value| serde_json::from_value::<SilentDays>(value).ok())
        .map_or(DEFAULT_SILENT_DAYS, |record| record.days))
}

/// Every device the county enrolled, as of `at`: silent ones first (longest silent first),
/// then the others by label, revoked ones last.
pub fn fleet_health(store: &mut dyn CountyStore, at: NaiveDateTime) -> Result<FleetHealth> {
    let silent_days = silent_days(store)?;
    let mut users_of: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for (device, user, seen) in store.device_users()? {
        users_of.entry(device).or_default().push((seen, user));
    }
    let mut people: HashMap<String, Option<(String, Vec<String>)>> = HashMap::new();
    let mut person = |store: &mut dyn CountyStore, id: &str| -> Result<Option<(String, Vec<String>)>> {
        if let Some(known) = people.get(id) {
            return Ok(known.clone());
        }
        let found = store.user(id)?.map(|user| (user.name, user.places));
        people.insert(id.to_owned(), found.clone());
        Ok(found)
    };
    let grants = store.grants()?;
    let labels: HashMap<String, String> =
        grants.iter().map(|grant| (grant.device_id.clone(), grant.label.clone())).collect();
    let mut devices = Vec::new();
    for grant in grants {
        let since = grant.health.last_contact_at.as_deref().unwrap_or(&grant.enrolled_at);
        let days_silent =
            parse_datetime(since).map_or(0, |since| u32::try_from((at - since).num_days().max(0)).unwrap_or(u32::MAX));
        let (enrolled_by, place_codes) = person(store, &grant.user_id)?.unwrap_or((grant.user_id.clone(), Vec::new()));
        let mut seen = users_of.remove(&grant.device_id).unwrap_or_default();
        seen.sort_by(|first, second| second.cmp(first));
        let mut users = Vec::with_capacity(seen.len());
        for (_, user) in seen {
            users.push(person(store, &user)?.map_or(user, |(name, _)| name));
        }
        devices.push(DeviceHealth {
            silent: grant.revoked_at.is_none() && days_silent > silent_days,
            device_id: grant.device_id,
            label: grant.label,
            enrolled_by,
            place_codes,
            place_names: Vec::new(),
            enrolled_at: grant.enrolled_at,
            revoked_at: grant.revoked_at,
            succeeds_label: grant.succeeds.as_ref().map(|old| labels.get(old).cloned().unwrap_or_else(|| old.clone())),
            last_sync_at: grant.health.last_sync_at,
            last_contact_at: grant.health.last_contact_at,
            days_silent,
            app_version: grant.health.app_version.filter(|version| !version.is_empty()),
            shards_waiting: grant.health.shards_waiting,
            last_error: grant.health.last_error,
            last_error_at: grant.health.last_error_at,
            users,
        });
    }
    devices.sort_by(|first, second| {
        let rank = |device: &DeviceHealth| (device.revoked_at.is_some(), !device.silent);
        rank(first)
            .cmp(&rank(second))
            .then_with(|| {
                if first.silent { second.days_silent.cmp(&first.days_silent) } else { std::cmp::Ordering::Equal }
            })
            .then_with(|| first.label.cmp(&second.label))
    });
    Ok(FleetHealth { at: format_datetime(at), silent_days, devices })
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, NaiveDate};
    use xianglin_schema::record::RecordMeta;
    use xianglin_schema::user::{Role, User};

    use super::*;
    use crate::store::{Contact, DeviceStore, MemoryStore};

    fn at() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, 20).unwrap().and_hms_opt(9, 0, 0).unwrap()
    }

    fn enroll(store: &mut impl CountyStore, user: &str, name: &str, device: &str, label: &str) {
        let user = User {
            id: user.into(),
            name: name.into(),
            role: Role::Caseworker,
            places: vec!["360733105201".into()],
            phone: None,
            meta: RecordMeta::default(),
        };
        let code = format!("CODE-{device}");
        store.create_code(&user, &code, at() + Duration::days(1), at() - Duration::days(30)).unwrap();
        store.enroll(&code, device, label, &format!("token-{device}"), at() - Duration::days(30)).unwrap();
    }

    #[test]
    fn silent_devices_come_first_against_the_county_s_own_threshold_and_users_are_named() {
        let mut store = crate::store::conformance::seeded(MemoryStore::new());
        enroll(&mut store, "u1", "刘芳", "d1", "白沙村电脑");
        enroll(&mut store, "u2", "邱玉兰", "d2", "庄口站电脑");
        enroll(&mut store, "u3", "陈明", "d3", "新屋村电脑");
        let contact = |user_id, shards_waiting| Contact { app_version: "0.3.0", user_id, shards_waiting };
        store.record_contact("d1", at() - Duration::days(2), &contact("u1", 0)).unwrap();
        store.record_contact("d1", at() - Duration::days(1), &contact("u2", 0)).unwrap();
        store.record_contact("d2", at() - Duration::days(9), &contact("u2", 4)).unwrap();
        store.record_refusal("d2", at() - Duration::days(8), "outdated: 请安装更新").unwrap();

        let fleet = fleet_health(&mut store, at()).unwrap();
        assert_eq!(fleet.silent_days, DEFAULT_SILENT_DAYS);
        let rows: Vec<(&str, u32, bool)> =
            fleet.devices.iter().map(|device| (device.label.as_str(), device.days_silent, device.silent)).collect();
        // d3 never synced: silent since its enrollment 30 days ago.
        assert_eq!(rows, [("新屋村电脑", 30, true), ("庄口站电脑", 8, true), ("白沙村电脑", 1, false)]);
        let station = &fleet.devices[1];
        assert_eq!(station.shards_waiting, Some(4));
        assert_eq!(station.last_error.as_deref(), Some("outdated: 请安装更新"));
        assert_eq!(station.enrolled_by, "邱玉兰");
        assert_eq!(fleet.devices[2].users, ["邱玉兰", "刘芳"], "most recent first, by name");
        assert_eq!(fleet.devices[2].place_codes, ["360733105201"]);

        // The county raises its threshold to ten days: only 新屋村's PC stands out now.
        let record = SilentDays { days: 10, meta: RecordMeta::default() };
        store.put_county_record(SILENT_DAYS_KEY, serde_json::to_value(record).unwrap(), at()).unwrap();
        let fleet = fleet_health(&mut store, at()).unwrap();
        assert_eq!(fleet.silent_days, 10);
        assert_eq!(fleet.devices.iter().filter(|device| device.silent).count(), 1);
        store.revoke("d3", at()).unwrap();
        let fleet = fleet_health(&mut store, at()).unwrap();
        assert_eq!(fleet.devices.last().unwrap().label, "新屋村电脑", "a revoked device goes last, never silent");
        assert!(!fleet.devices.last().unwrap().silent);
    }
}
