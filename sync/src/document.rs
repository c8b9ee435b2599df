//! Records inside automerge documents: writing a record's JSON as maps and scalars, reading it
//! back with every concurrent value of a field, and finding which records a change touched.
//!
//! A shard document's root map holds one entry per record: `record key -> map of fields`.
//! Writes change only the fields whose value differs, so concurrent edits of different fields
//! merge and only edits of the same field conflict. A record itself is never deleted (a delete
//! silently beats a concurrent edit): it is voided with fields of its `meta`.

use std::collections::{BTreeSet, HashMap};

use automerge::transaction::Transactable;
use automerge::{Automerge, ChangeHash, ObjId, ObjType, Prop, ReadDoc, ScalarValue, Value, ValueRef, legacy};
use serde_json::{Map, Number, Value as Json};

use crate::Error;

/// A record as read from a document: the winning value of each field, and the fields that
/// hold concurrent values.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRecord {
    pub value: Json,
    pub conflicts: Vec<StoredConflict>,
}

/// A field with several concurrent values; `values` lists them all, the winner first.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredConflict {
    pub field: String,
    pub values: Vec<Json>,
}

/// Writes `record` (a JSON object) under `key` at the document root, changing only what
/// differs from what is stored. Keys missing from a nested map are removed from it (a category
/// dropped, a contact removed); the record's own top-level fields are never removed.
pub fn write_record<T: Transactable>(tx: &mut T, key: &str, record: &Json) -> Result<(), Error> {
    let Json::Object(fields) = record else {
        return Err(Error::Invalid(format!("record {key} is not an object")));
    };
    let existing = tx.get_all(automerge::ROOT, key)?;
    match existing.as_slice() {
        [(Value::Object(ObjType::Map), id)] => {
            let id = id.clone();
            write_map(tx, &id, fields, false)
        }
        // A new record (or a key that does not hold one record): nothing to compare with, so
        // write without reading, which keeps bulk imports fast.
        _ => {
            tx.batch_create_object(automerge::ROOT, key, &to_hydrate(record), false)?;
            Ok(())
        }
    }
}

/// `written` (a record as this build serializes it) with every key of `stored` that this build
/// does not know laid back in: the keys a newer app wrote (an extra field, a nested key, a map
/// key this build cannot name) that `known` (the stored record read into this build's type and
/// serialized again) lacks.
///
/// Without this, an older app editing a newer app's record would drop what it cannot see: a
/// nested map is written whole, so its absent keys are removed. Keys `known` has are this
/// build's to write or remove, so a category the user took away stays away. Lists are matched
/// item by item only while the stored and written lists are as long; a list whose length the
/// user changed is written as the user left it.
///
/// A value the user left as this build read it keeps what is stored: an enum value a newer app
/// wrote reads here as that enum's `Unknown` (`#[serde(other)]`) and is written back as the
/// newer app's value, not as `unknown`. Keeping a stored value is never a change, so this costs
/// nothing when the two agree.
pub fn keep_unknown(stored: &Json, known: &Json, written: Json) -> Json {
    lay_back(stored, Some(known), written)
}

/// `written` with every key of `stored` it lacks laid back in, for a stored record this build
/// cannot read at all: nothing stored is dropped, at the cost of a nested key the user removed
/// staying.
pub fn keep_every_stored_key(stored: &Json, written: Json) -> Json {
    lay_back(stored, None, written)
}

/// [`keep_unknown`], or with no `known` [`keep_every_stored_key`].
fn lay_back(stored: &Json, known: Option<&Json>, written: Json) -> Json {
    match (stored, known, written) {
        (Json::Object(stored), known, Json::Object(mut written)) if known.is_none_or(Json::is_object) => {
            for (key, value) in stored {
                let known = known.map(|known| known.get(key));
                match (known, written.remove(key)) {
                    (None | Some(None), None) => {
                        written.insert(key.clone(), value.clone());
                    }
                    (None, Some(mine)) => {
                        written.insert(key.clone(), lay_back(value, None, mine));
                    }
                    (Some(Some(known)), Some(mine)) => {
                        written.insert(key.clone(), lay_back(value, Some(known), mine));
                    }
                    (Some(None), Some(mine)) => {
                        written.insert(key.clone(), mine);
                    }
                    // A key this build knows and the user removed.
                    (Some(Some(_)), None) => {}
                }
            }
            Json::Object(written)
        }
        (Json::Array(stored), known, Json::Array(written))
            if stored.len() == written.len()
                && known.is_none_or(|known| known.as_array().is_some_and(|known| known.len() == stored.len())) =>
        {
            Json::Array(
                stored
                    .iter()
                    .enumerate()
                    .zip(written)
                    .map(|((at, stored), mine)| lay_back(stored, known.map(|known| &known[at]), mine))
                    .collect(),
            )
        }
        (stored, Some(known), written) if !stored.is_object() && !stored.is_array() && *known == written => {
            stored.clone()
        }
        (_, _, written) => written,
    }
}

/// A JSON value as an automerge value tree, for creating a whole record in one batch.
fn to_hydrate(value: &Json) -> automerge::hydrate::Value {
    use automerge::hydrate;
    match value {
        Json::Object(fields) => {
            let map: std::collections::HashMap<&str, hydrate::Value> =
                fields.iter().map(|(key, value)| (key.as_str(), to_hydrate(value))).collect();
            hydrate::Value::from(map)
        }
        Json::Array(items) => hydrate::Value::List(items.iter().map(to_hydrate).collect::<Vec<_>>().into()),
        scalar => hydrate::Value::Scalar(json_to_scalar(scalar)),
    }
}

/// Writes the fields of a map object that was just created.
fn write_new_map<T: Transactable>(tx: &mut T, object: &ObjId, fields: &Map<String, Json>) -> Result<(), Error> {
    for (field, value) in fields {
        match value {
            Json::Object(inner) => {
                let id = tx.put_object(object, field.as_str(), ObjType::Map)?;
                write_new_map(tx, &id, inner)?;
            }
            Json::Array(items) => {
                let id = tx.put_object(object, field.as_str(), ObjType::List)?;
                for (index, item) in items.iter().enumerate() {
                    insert_item(tx, &id, index, item)?;
                }
            }
            scalar => tx.put(object, field.as_str(), json_to_scalar(scalar))?,
        }
    }
    Ok(())
}

fn write_map<T: Transactable>(
    tx: &mut T,
    object: &ObjId,
    fields: &Map<String, Json>,
    remove_absent: bool,
) -> Result<(), Error> {
    for (field, value) in fields {
        write_field(tx, object, Prop::Map(field.clone()), value, false)?;
    }
    if remove_absent {
        let stale: Vec<String> = tx.keys(object).filter(|key| !fields.contains_key(key)).collect();
        for key in stale {
            tx.delete(object, key.as_str())?;
        }
    }
    Ok(())
}

/// Writes one field if its value differs. A field holding concurrent values is written again
/// (which resolves the conflict everywhere) when `resolve` is set or the value differs from the
/// one shown; saving a whole record unchanged keeps the conflict for someone to pick.
fn write_field<T: Transactable>(
    tx: &mut T,
    object: &ObjId,
    prop: Prop,
    value: &Json,
    resolve: bool,
) -> Result<(), Error> {
    let current = tx.get_all(object, prop.clone())?;
    if current.len() > 1 && !resolve {
        let shown = match current.last() {
            Some((Value::Scalar(scalar), _)) => scalar_to_json(scalar),
            Some((Value::Object(_), id)) => read_value(tx, id)?,
            None => Json::Null,
        };
        if shown == *value {
            return Ok(());
        }
    }
    let single = if current.len() == 1 { current.into_iter().next() } else { None };
    match (single, value) {
        (Some((Value::Object(ObjType::Map), id)), Json::Object(fields)) => write_map(tx, &id, fields, true),
        (Some((Value::Object(ObjType::List), id)), Json::Array(_)) if read_value(tx, &id)? == *value => Ok(()),
        (Some((Value::Scalar(scalar), _)), _) if scalar_to_json(&scalar) == *value => Ok(()),
        (_, Json::Object(fields)) => {
            let id = put_object(tx, object, prop, ObjType::Map)?;
            write_new_map(tx, &id, fields)
        }
        (_, Json::Array(items)) => {
            let id = put_object(tx, object, prop, ObjType::List)?;
            for (index, item) in items.iter().enumerate() {
                insert_item(tx, &id, index, item)?;
            }
            Ok(())
        }
        (_, scalar) => {
            match prop {
                Prop::Map(key) => tx.put(object, key, json_to_scalar(scalar))?,
                Prop::Seq(index) => tx.put(object, index, json_to_scalar(scalar))?,
            }
            Ok(())
        }
    }
}

fn put_object<T: Transactable>(tx: &mut T, object: &ObjId, prop: Prop, kind: ObjType) -> Result<ObjId, Error> {
    Ok(match prop {
        Prop::Map(key) => tx.put_object(object, key, kind)?,
        Prop::Seq(index) => tx.put_object(object, index, kind)?,
    })
}

fn insert_item<T: Transactable>(tx: &mut T, list: &ObjId, index: usize, item: &Json) -> Result<(), Error> {
    match item {
        Json::Object(fields) => {
            let id = tx.insert_object(list, index, ObjType::Map)?;
            write_new_map(tx, &id, fields)
        }
        Json::Array(items) => {
            let id = tx.insert_object(list, index, ObjType::List)?;
            for (inner, item) in items.iter().enumerate() {
                insert_item(tx, &id, inner, item)?;
            }
            Ok(())
        }
        scalar => {
            tx.insert(list, index, json_to_scalar(scalar))?;
            Ok(())
        }
    }
}

/// The object holding the last segment of a dotted field `path` in record `key`, and that
/// segment; `None` when the record or a map on the way is missing.
fn field_parent<D: ReadDoc>(doc: &D, key: &str, path: &str) -> Result<Option<(ObjId, String)>, Error> {
    let Some((Value::Object(ObjType::Map), mut object)) = doc.get(automerge::ROOT, key)? else {
        return Ok(None);
    };
    let mut segments: Vec<&str> = path.split('.').collect();
    let last = segments.pop().unwrap_or_default();
    for segment in segments {
        match doc.get(&object, segment)? {
            Some((Value::Object(ObjType::Map), inner)) => object = inner,
            _ => return Ok(None),
        }
    }
    Ok(Some((object, last.to_owned())))
}

/// Every concurrent value of the field at dotted `path` in record `key`, each with the id of
/// the operation that wrote it. The value reads and lists show (automerge's winner) is last.
pub fn field_values<D: ReadDoc>(doc: &D, key: &str, path: &str) -> Result<Vec<(Json, ObjId)>, Error> {
    let Some((object, field)) = field_parent(doc, key, path)? else { return Ok(Vec::new()) };
    let mut values = Vec::new();
    for (value, id) in doc.get_all(&object, field.as_str())? {
        let json = match &value {
            Value::Scalar(scalar) => scalar_to_json(scalar),
            Value::Object(_) => read_value(doc, &id)?,
        };
        values.push((json, id));
    }
    Ok(values)
}

/// Writes `value` at dotted `path` in record `key`, and nothing else: a field holding
/// concurrent values gets one value again, so the conflict is resolved everywhere it syncs.
pub fn write_path<T: Transactable>(tx: &mut T, key: &str, path: &str, value: &Json) -> Result<(), Error> {
    let Some((object, field)) = field_parent(tx, key, path)? else {
        return Err(Error::NotFound(format!("field {path} of {key}")));
    };
    write_field(tx, &object, Prop::Map(field), value, true)
}

/// The change that holds an operation: its actor's changes cover a run of op counters each.
pub fn change_of(changes: &[automerge::Change], op: &ObjId) -> Option<usize> {
    let ObjId::Id(counter, actor, _) = op else { return None };
    changes.iter().position(|change| {
        change.actor_id() == actor && change.start_op().get() <= *counter && *counter <= change.max_op()
    })
}

/// Reads the record under `key`, or `None` if the document has no such record.
pub fn read_record<D: ReadDoc>(doc: &D, key: &str) -> Result<Option<StoredRecord>, Error> {
    let Some((Value::Object(ObjType::Map), object)) = doc.get(automerge::ROOT, key)? else {
        return Ok(None);
    };
    let mut conflicts = Vec::new();
    let value = read_map_with_conflicts(doc, &object, "", &mut conflicts)?;
    Ok(Some(StoredRecord { value, conflicts }))
}

/// Every record of the document, in key order, read in one pass over the root map.
pub fn read_all_records<D: ReadDoc>(doc: &D) -> Result<Vec<(String, StoredRecord)>, Error> {
    let mut records = Vec::new();
    for item in doc.map_range(automerge::ROOT, ..) {
        if !matches!(item.value, ValueRef::Object(ObjType::Map)) {
            continue;
        }
        let mut conflicts = Vec::new();
        let value = read_map_with_conflicts(doc, &item.id(), "", &mut conflicts)?;
        records.push((item.key.to_string(), StoredRecord { value, conflicts }));
    }
    Ok(records)
}

/// The keys of every record in the document, in key order.
/// The records whose keys start with `prefix` (e.g. `export/`), in key order.
pub fn records_with_prefix<D: ReadDoc>(doc: &D, prefix: &str) -> Result<Vec<(String, StoredRecord)>, Error> {
    // Keys sort as strings: every key with the prefix lies before the prefix with its last
    // character's successor appended ("export/" .. "export0").
    let keys: Vec<String> = doc
        .map_range(automerge::ROOT, prefix.to_owned()..)
        .map(|item| item.key.to_string())
        .take_while(|key| key.starts_with(prefix))
        .collect();
    let mut records = Vec::with_capacity(keys.len());
    for key in keys {
        if let Some(record) = read_record(doc, &key)? {
            records.push((key, record));
        }
    }
    Ok(records)
}

/// Who and what wrote a change, as its message says: the user id on the first line, then (from
/// the first versioned app on) `xianglin <app version> schema <migration>`. A change of an
/// earlier app carries the user id alone.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChangeOrigin {
    pub user_id: String,
    pub app_version: Option<String>,
    pub schema: Option<u32>,
}

/// The message this build writes on a change by `user_id`.
pub fn change_message(user_id: &str) -> String {
    let schema = xianglin_schema::MIGRATIONS.last().map_or(0, |(number, _, _)| *number);
    format!("{user_id}\nxianglin {} schema {schema}", xianglin_schema::version::APP_VERSION)
}

/// Reads a change's message (see [`ChangeOrigin`]); anything unexpected after the user id is
/// left unread.
pub fn change_origin(message: Option<&str>) -> ChangeOrigin {
    let message = message.unwrap_or_default();
    let mut lines = message.lines();
    let user_id = lines.next().unwrap_or_default().to_owned();
    let words: Vec<&str> = lines.next().unwrap_or_default().split_whitespace().collect();
    match words.as_slice() {
        ["xianglin", version, "schema", schema, ..] => {
            ChangeOrigin { user_id, app_version: Some((*version).to_owned()), schema: schema.parse().ok() }
        }
        _ => ChangeOrigin { user_id, app_version: None, schema: None },
    }
}

/// One change of a record's history: when, by whom and with which app (from the change's
/// message, [`ChangeOrigin`]), on which device, and which top-level fields it wrote
/// (`created`: it wrote the whole record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordChange {
    /// Seconds since the Unix epoch, as the writing device's clock said.
    pub timestamp: i64,
    pub user_id: String,
    /// The app version that wrote it (`None` from apps before versions were recorded).
    pub app_version: Option<String>,
    /// The writing device (actor), as hex.
    pub device: String,
    pub fields: Vec<String>,
    pub created: bool,
}

/// Every change of a document that wrote the record `key`, in the document's change order.
pub fn record_history(doc: &Automerge, key: &str) -> Vec<RecordChange> {
    let mut history = Vec::new();
    for change in doc.get_changes(&[]) {
        let mut fields = Vec::new();
        let mut created = false;
        for patch in doc.diff(change.deps(), &[change.hash()]) {
            match (patch.path.first(), patch.path.get(1), &patch.action) {
                (Some((_, Prop::Map(record))), second, action) if record == key => {
                    let field = match (second, action) {
                        (Some((_, Prop::Map(field))), _) => field.clone(),
                        (_, automerge::PatchAction::PutMap { key, .. }) => key.clone(),
                        _ => continue,
                    };
                    if !fields.contains(&field) {
                        fields.push(field);
                    }
                }
                (None, _, automerge::PatchAction::PutMap { key: record, .. }) if record == key => created = true,
                _ => {}
            }
        }
        if !created && fields.is_empty() {
            continue;
        }
        let origin = change_origin(change.message());
        history.push(RecordChange {
            timestamp: change.timestamp(),
            user_id: origin.user_id,
            app_version: origin.app_version,
            device: change.actor_id().to_hex_string(),
            fields: if created { Vec::new() } else { fields },
            created,
        });
    }
    history
}

pub fn record_keys<D: ReadDoc>(doc: &D) -> Vec<String> {
    doc.keys(automerge::ROOT).collect()
}

fn read_map_with_conflicts<D: ReadDoc>(
    doc: &D,
    object: &ObjId,
    path: &str,
    conflicts: &mut Vec<StoredConflict>,
) -> Result<Json, Error> {
    let mut fields = Map::new();
    // One pass over the map; only fields flagged as conflicted are read again for all values.
    for item in doc.map_range(object, ..) {
        let key = item.key.to_string();
        let field_path = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
        if item.conflict {
            let all = doc.get_all(object, key.as_str())?;
            let values = all.iter().map(|(value, id)| value_to_json(doc, value, id)).collect::<Result<Vec<_>, _>>()?;
            conflicts.push(StoredConflict { field: field_path.clone(), values });
        }
        let json = match item.value {
            ValueRef::Object(ObjType::Map) => read_map_with_conflicts(doc, &item.id(), &field_path, conflicts)?,
            ValueRef::Object(_) => read_value(doc, &item.id())?,
            scalar => match scalar.into_value() {
                Value::Scalar(scalar) => scalar_to_json(&scalar),
                Value::Object(_) => unreachable!("objects are matched above"),
            },
        };
        fields.insert(key, json);
    }
    Ok(Json::Object(fields))
}

fn value_to_json<D: ReadDoc>(doc: &D, value: &Value<'_>, id: &ObjId) -> Result<Json, Error> {
    match value {
        Value::Scalar(scalar) => Ok(scalar_to_json(scalar)),
        Value::Object(_) => read_value(doc, id),
    }
}

/// Reads an object (map or list) as JSON, taking the winning value of every field.
fn read_value<D: ReadDoc>(doc: &D, object: &ObjId) -> Result<Json, Error> {
    match doc.object_type(object)? {
        ObjType::Map | ObjType::Table => {
            let mut fields = Map::new();
            for key in doc.keys(object) {
                if let Some((value, id)) = doc.get(object, key.as_str())? {
                    fields.insert(key, value_to_json(doc, &value, &id)?);
                }
            }
            Ok(Json::Object(fields))
        }
        ObjType::List => {
            let mut items = Vec::new();
            for index in 0..doc.length(object) {
                if let Some((value, id)) = doc.get(object, index)? {
                    items.push(value_to_json(doc, &value, &id)?);
                }
            }
            Ok(Json::Array(items))
        }
        ObjType::Text => Ok(Json::String(doc.text(object)?)),
    }
}

fn json_to_scalar(value: &Json) -> ScalarValue {
    match value {
        Json::Null => ScalarValue::Null,
        Json::Bool(flag) => ScalarValue::Boolean(*flag),
        Json::Number(number) => match (number.as_i64(), number.as_u64()) {
            (Some(signed), _) => ScalarValue::Int(signed),
            (None, Some(unsigned)) => ScalarValue::Uint(unsigned),
            _ => ScalarValue::F64(number.as_f64().unwrap_or_default()),
        },
        Json::String(text) => ScalarValue::Str(text.as_str().into()),
        Json::Array(_) | Json::Object(_) => unreachable!("objects are written as automerge objects"),
    }
}

fn scalar_to_json(scalar: &ScalarValue) -> Json {
    match scalar {
        ScalarValue::Null => Json::Null,
        ScalarValue::Boolean(flag) => Json::Bool(*flag),
        ScalarValue::Int(signed) => Json::from(*signed),
        ScalarValue::Uint(unsigned) => Json::from(*unsigned),
        ScalarValue::F64(float) => Number::from_f64(*float).map(Json::Number).unwrap_or(Json::Null),
        ScalarValue::Counter(counter) => Json::from(i64::from(counter)),
        ScalarValue::Timestamp(millis) => Json::from(*millis),
        ScalarValue::Str(text) => Json::String(text.to_string()),
        ScalarValue::Bytes(_) | ScalarValue::Unknown { .. } => Json::Null,
    }
}

/// The keys of the records written by the changes a document has beyond `before` (its heads
/// before a merge). Found from the changes' operations rather than from the document's diff:
/// a value that loses to a concurrent one changes nothing visible, so the diff leaves it out,
/// yet it joins the field's conflicting values, which the projection must show.
pub fn touched_records(doc: &Automerge, before: &[ChangeHash]) -> BTreeSet<String> {
    let mut touched = BTreeSet::new();
    // Nested objects (a record's map, its categories, ...) → the record they belong to.
    let mut records_of_objects: HashMap<String, Option<String>> = HashMap::new();
    for change in doc.get_changes(before) {
        for operation in change.decode().operations {
            match &operation.obj {
                legacy::ObjectId::Root => {
                    if let legacy::Key::Map(key) = &operation.key {
                        touched.insert(key.to_string());
                    }
                }
                legacy::ObjectId::Id(op_id) => {
                    let object = op_id.to_string();
                    let record =
                        records_of_objects.entry(object).or_insert_with_key(|object| record_of_object(doc, object));
                    if let Some(record) = record {
                        touched.insert(record.clone());
                    }
                }
            }
        }
    }
    touched
}

/// The root key (record) an object lies under, from its `counter@actor` id.
fn record_of_object(doc: &Automerge, object: &str) -> Option<String> {
    let id = doc.import_obj(object).ok()?;
    let root = doc.parents(&id).ok()?.last()?;
    match root.prop {
        Prop::Map(key) => Some(key),
        Prop::Seq(_) => None,
    }
}

/// The records that `changes` (new to `document`) would touch, found on a copy (the document
/// itself is left as it is), each with whether `document` holds it already (an edit) or not (a
/// new record).
pub fn touched_by(
    document: &Automerge,
    changes: &[automerge::Change],
) -> Result<std::collections::BTreeMap<String, bool>, Error> {
    let mut copy = document.clone();
    let before = copy.get_heads();
    copy.apply_changes(changes.iter().cloned())?;
    Ok(touched_records(&copy, &before)
        .into_iter()
        .map(|key| {
            let existed = matches!(document.get(automerge::ROOT, key.as_str()), Ok(Some(_)));
            (key, existed)
        })
        .collect())
}

/// What a peer at `heads` lacks of `document`, as few, compact automerge chunks: the whole
/// document (its columns uncompressed, for the wire's zstd) when the peer has none of it, a
/// bundle when it lacks several changes, a change on its own when just one, nothing when it
/// lacks nothing. Heads the document does not know are ignored, so a peer ahead of it gets what
/// it has beyond the heads they share.
pub fn chunks_since(document: &Automerge, heads: &[ChangeHash]) -> Result<Vec<Vec<u8>>, Error> {
    let known: Vec<ChangeHash> =
        heads.iter().copied().filter(|hash| document.get_change_meta_by_hash(hash).is_some()).collect();
    if document.get_heads().is_empty() || document.get_heads() == known {
        return Ok(Vec::new());
    }
    if known.is_empty() {
        return Ok(vec![document.save_nocompress()]);
    }
    let changes = document.get_changes(&known);
    Ok(match changes.as_slice() {
        [] => Vec::new(),
        [change] => vec![change.raw_bytes().to_vec()],
        changes => {
            let hashes: Vec<ChangeHash> = changes.iter().map(|change| change.hash()).collect();
            vec![document.bundle(hashes)?.bytes().to_vec()]
        }
    })
}

/// Whether each of `hashes` is in the history of `heads` (one of them or an ancestor). Heads the
/// document does not hold are left out; a hash it does not hold is never covered.
pub fn covered(document: &Automerge, hashes: &[ChangeHash], heads: &[ChangeHash]) -> Vec<bool> {
    let known: Vec<ChangeHash> =
        heads.iter().copied().filter(|hash| document.get_change_meta_by_hash(hash).is_some()).collect();
    if known.is_empty() {
        return vec![false; hashes.len()];
    }
    let after: std::collections::HashSet<ChangeHash> =
        document.get_changes(&known).iter().map(|change| change.hash()).collect();
    hashes.iter().map(|hash| document.get_change_meta_by_hash(hash).is_some() && !after.contains(hash)).collect()
}

#[cfg(test)]
mod tests {
    use automerge::ActorId;
    use serde_json::json;

    use super::*;

    fn write(doc: &mut Automerge, key: &str, record: Json) {
        let mut tx = doc.transaction();
        write_record(&mut tx, key, &record).unwrap();
        tx.commit();
    }

    #[test]
    fn a_record_reads_back_as_written() {
        let mut doc = Automerge::new();
        let record = json!({"name": "张建国", "age": 80, "phone": null, "categories": {"living_alone": "2020-01-01"}, "modes": ["home", "phone"]});
        write(&mut doc, "e1", record.clone());
        let stored = read_record(&doc, "e1").unwrap().unwrap();
        assert_eq!(stored.value, record);
        assert!(stored.conflicts.is_empty());
    }

    #[test]
    fn what_a_newer_app_wrote_is_kept_and_what_the_user_removed_is_not() {
        let stored = json!({
            "name": "张建国",
            "hobby": "象棋",
            "categories": {"living_alone": "2020-01-01", "orphaned": "2021-05-01"},
            "life": {"state": "living", "cause": "x"},
            "contacts": [{"name": "张一", "wechat": "z1"}],
        });
        // What this build's types read of it: no hobby, no orphaned, no cause, no wechat.
        let known = json!({
            "name": "张建国",
            "categories": {"living_alone": "2020-01-01"},
            "life": {"state": "living"},
            "contacts": [{"name": "张一"}],
        });
        // The user renamed them, took living_alone away and renamed the contact.
        let written = json!({
            "name": "张健国",
            "categories": {},
            "life": {"state": "living"},
            "contacts": [{"name": "张二"}],
        });
        assert_eq!(
            keep_unknown(&stored, &known, written),
            json!({
                "name": "张健国",
                "hobby": "象棋",
                "categories": {"orphaned": "2021-05-01"},
                "life": {"state": "living", "cause": "x"},
                "contacts": [{"name": "张二", "wechat": "z1"}],
            })
        );
    }

    #[test]
    fn a_value_this_build_cannot_name_is_kept_unless_the_user_changed_it() {
        // A newer app's visit: a mode and a referral level this build reads as `unknown`.
        let stored = json!({"mode": "drone", "notes": "", "referrals": [{"level": "city"}]});
        let known = json!({"mode": "unknown", "notes": "", "referrals": [{"level": "unknown"}]});
        let written = json!({"mode": "unknown", "notes": "好", "referrals": [{"level": "unknown"}]});
        assert_eq!(
            keep_unknown(&stored, &known, written),
            json!({"mode": "drone", "notes": "好", "referrals": [{"level": "city"}]})
        );
        // The user chose a mode this build knows: it is written.
        let written = json!({"mode": "phone", "notes": "", "referrals": [{"level": "unknown"}]});
        assert_eq!(keep_unknown(&stored, &known, written)["mode"], "phone");
    }

    #[test]
    fn a_record_this_build_cannot_read_keeps_every_stored_key_and_takes_every_written_value() {
        let stored = json!({"name": "张建国", "life": {"state": "in_care", "home": "h1"}, "age": 80});
        let written = json!({"name": "张健国", "life": {"state": "active"}});
        assert_eq!(
            keep_every_stored_key(&stored, written),
            json!({"name": "张健国", "life": {"state": "active", "home": "h1"}, "age": 80})
        );
    }

    #[test]
    fn a_record_this_build_fully_knows_is_written_as_given() {
        let stored = json!({"name": "张建国", "categories": {"living_alone": "2020-01-01"}, "modes": ["home"]});
        let written = json!({"name": "张建国", "categories": {"disabled": "2022-01-01"}, "modes": ["home", "phone"]});
        assert_eq!(keep_unknown(&stored, &stored, written.clone()), written);
    }

    #[test]
    fn writing_an_unchanged_record_makes_no_change() {
        let mut doc = Automerge::new();
        let record = json!({"name": "张建国", "categories": {"living_alone": "2020-01-01"}, "modes": ["home"]});
        write(&mut doc, "e1", record.clone());
        let heads = doc.get_heads();
        write(&mut doc, "e1", record);
        assert_eq!(doc.get_heads(), heads);
    }

    #[test]
    fn concurrent_edits_of_different_fields_merge_and_of_one_field_conflict() {
        let mut first = Automerge::new().with_actor(ActorId::from(b"device-one".as_slice()));
        write(&mut first, "e1", json!({"name": "张建国", "phone": "13800138000", "address": "老屋"}));
        let mut second = first.fork().with_actor(ActorId::from(b"device-two".as_slice()));
        write(&mut first, "e1", json!({"name": "张建国", "phone": "13900139000", "address": "老屋"}));
        write(&mut second, "e1", json!({"name": "张建国", "phone": "13700137000", "address": "新屋"}));
        first.merge(&mut second).unwrap();
        let stored = read_record(&first, "e1").unwrap().unwrap();
        assert_eq!(stored.value["address"], "新屋");
        assert_eq!(stored.conflicts.len(), 1);
        assert_eq!(stored.conflicts[0].field, "phone");
        let mut values: Vec<&Json> = stored.conflicts[0].values.iter().collect();
        values.sort_by_key(|value| value.to_string());
        assert_eq!(values, [&json!("13700137000"), &json!("13900139000")]);
    }

    /// A document where two devices set e1's phone concurrently (to "2" and "3").
    fn conflicted() -> Automerge {
        let mut first = Automerge::new().with_actor(ActorId::from(b"device-one".as_slice()));
        write(&mut first, "e1", json!({"phone": "1", "notes": ""}));
        let mut second = first.fork().with_actor(ActorId::from(b"device-two".as_slice()));
        write(&mut first, "e1", json!({"phone": "2", "notes": ""}));
        write(&mut second, "e1", json!({"phone": "3", "notes": ""}));
        first.merge(&mut second).unwrap();
        first
    }

    #[test]
    fn saving_a_record_as_shown_keeps_its_conflict_and_a_new_value_resolves_it() {
        let mut doc = conflicted();
        let mut shown = read_record(&doc, "e1").unwrap().unwrap().value;
        shown["notes"] = json!("checked");
        write(&mut doc, "e1", shown.clone());
        let stored = read_record(&doc, "e1").unwrap().unwrap();
        assert_eq!(stored.value, shown);
        assert_eq!(stored.conflicts.len(), 1, "nobody chose a phone yet");
        write(&mut doc, "e1", json!({"phone": "4", "notes": "checked"}));
        let stored = read_record(&doc, "e1").unwrap().unwrap();
        assert!(stored.conflicts.is_empty());
        assert_eq!(stored.value["phone"], "4");
    }

    #[test]
    fn writing_one_path_resolves_its_conflict_even_with_the_value_shown() {
        let mut doc = conflicted();
        let values: Vec<Json> =
            field_values(&doc, "e1", "phone").unwrap().into_iter().map(|(value, _)| value).collect();
        assert_eq!(values.len(), 2);
        let shown = read_record(&doc, "e1").unwrap().unwrap().value["phone"].clone();
        assert_eq!(values.last(), Some(&shown), "the value shown is the last");
        let mut tx = doc.transaction();
        write_path(&mut tx, "e1", "phone", &shown).unwrap();
        tx.commit();
        let stored = read_record(&doc, "e1").unwrap().unwrap();
        assert!(stored.conflicts.is_empty());
        assert_eq!(stored.value["phone"], shown);
        let changes = doc.get_changes(&[]);
        let left = field_values(&doc, "e1", "phone").unwrap();
        assert_eq!(left.len(), 1);
        // Keeping the value shown keeps its writer: the op that wrote it is still the one read.
        let index = change_of(&changes, &left[0].1).expect("the change holding the op");
        assert_eq!(changes[index].actor_id(), &ActorId::from(b"device-two".as_slice()));
    }

    #[test]
    fn a_key_dropped_from_a_nested_map_is_removed() {
        let mut doc = Automerge::new();
        write(&mut doc, "e1", json!({"categories": {"living_alone": "2020-01-01", "disabled": "2021-01-01"}}));
        write(&mut doc, "e1", json!({"categories": {"disabled": "2021-01-01"}}));
        assert_eq!(read_record(&doc, "e1").unwrap().unwrap().value, json!({"categories": {"disabled": "2021-01-01"}}));
    }

    #[test]
    fn a_touched_record_says_whether_it_existed_before() {
        let mut doc = Automerge::new();
        write(&mut doc, "access/a1", json!({"reason": "核对"}));
        let mut later = doc.fork();
        write(&mut later, "access/a1", json!({"reason": "改过"}));
        write(&mut later, "access/a2", json!({"reason": "新的"}));
        let changes: Vec<automerge::Change> = later.get_changes(&doc.get_heads());
        let touched = touched_by(&doc, &changes).unwrap();
        assert_eq!(touched.get("access/a1"), Some(&true), "an edit");
        assert_eq!(touched.get("access/a2"), Some(&false), "a new record");
        assert_eq!(
            read_record(&doc, "access/a1").unwrap().unwrap().value["reason"],
            "核对",
            "the document is left as it was"
        );
    }

    #[test]
    fn touched_records_are_found_from_the_changes_even_nested() {
        let mut doc = Automerge::new();
        write(&mut doc, "e1", json!({"name": "a", "life": {"state": "active"}}));
        write(&mut doc, "e2", json!({"name": "b"}));
        let before = doc.get_heads();
        write(&mut doc, "e1", json!({"name": "a", "life": {"state": "deceased"}}));
        write(&mut doc, "e3", json!({"name": "c"}));
        let touched = touched_records(&doc, &before);
        assert_eq!(touched.into_iter().collect::<Vec<_>>(), ["e1", "e3"]);
    }

    #[test]
    fn a_concurrent_value_that_loses_still_touches_its_record() {
        let mut first = Automerge::new().with_actor(ActorId::from(b"aa".as_slice()));
        write(&mut first, "e1", json!({"phone": "1"}));
        let mut second = first.fork().with_actor(ActorId::from(b"bb".as_slice()));
        let mut third = first.fork().with_actor(ActorId::from(b"cc".as_slice()));
        write(&mut first, "e1", json!({"phone": "2"}));
        write(&mut second, "e1", json!({"phone": "3"}));
        write(&mut third, "e1", json!({"phone": "4"}));
        first.merge(&mut second).unwrap();
        let before = first.get_heads();
        first.merge(&mut third).unwrap();
        // Whether or not the third value wins, the record's conflicts changed.
        assert_eq!(touched_records(&first, &before).into_iter().collect::<Vec<_>>(), ["e1"]);
        assert_eq!(read_record(&first, "e1").unwrap().unwrap().conflicts[0].values.len(), 3);
    }
}
