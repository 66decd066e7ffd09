//! Streaming grouping: rows are pushed one at a time and only keys and counters are kept.

use super::error::DedupError;
use super::group_map::GroupMap;
use super::llm_input::LlmInput;
use super::stats::{ratio, DedupStats, FileDedupStats, GroupSummary};
use crate::clean::CleanRow;
use ahash::{AHashMap, RandomState};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The storage a [`Deduplicator`] uses for the keys it has seen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyStorage {
    /// The key strings themselves: exact, and the memory per group is the key length plus
    /// the map entry. This is the default.
    #[default]
    Exact,
    /// A 128-bit hash of each key (two 64-bit aHash values with fixed, different seeds), 16
    /// bytes per group whatever the key length. Two different keys merge only on a hash
    /// collision, with probability about n² / 2¹²⁹ for n groups (below 10⁻²⁴ for 10 million
    /// groups) for keys that are not crafted against aHash. Group keys are not reported.
    Hash128,
}

/// Options of a [`Deduplicator`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DedupOptions {
    /// Key storage. Default: [`KeyStorage::Exact`].
    pub key_storage: KeyStorage,
    /// How many of the largest groups [`DedupStats::largest_groups`] lists. Default: 10.
    pub largest_groups: usize,
}

impl Default for DedupOptions {
    fn default() -> Self {
        DedupOptions {
            key_storage: KeyStorage::Exact,
            largest_groups: 10,
        }
    }
}

/// The group a pushed row was put in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    /// Group id: the row index of the group's first row.
    pub group_id: u64,
    /// True when this row started the group (it is the representative).
    pub is_new: bool,
}

/// One group after [`Deduplicator::finish`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    /// Group id: the row index of the representative.
    pub group_id: u64,
    /// Rows in the group.
    pub size: u64,
    /// Source file of the representative.
    pub file: Arc<str>,
    /// The representative's clean fields, when it was pushed with [`Deduplicator::push_row`];
    /// empty otherwise.
    pub fields: Vec<String>,
    /// The group key with [`KeyStorage::Exact`], `None` with [`KeyStorage::Hash128`].
    pub key: Option<String>,
}

/// Result of a finished dedup.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dedup {
    /// Group id of every row.
    pub group_map: GroupMap,
    /// Groups in the order of their representatives' row indexes.
    pub groups: Vec<Group>,
    /// Figures per file and in total.
    pub stats: DedupStats,
}

impl Dedup {
    /// Builds the LLM items: one per group in row-index order, with the representative's
    /// fields named by `field_names` ([`Cleaner::field_names`](crate::clean::Cleaner::field_names)).
    pub fn llm_input(&self, field_names: &[String]) -> Vec<LlmInput> {
        self.groups
            .iter()
            .map(|group| LlmInput {
                id: group.group_id,
                fields: field_names
                    .iter()
                    .cloned()
                    .zip(group.fields.iter().cloned())
                    .collect(),
                group_size: group.size,
            })
            .collect()
    }
}

enum KeyIndex {
    Exact(AHashMap<Box<str>, usize>),
    Hash128 {
        slots: AHashMap<u128, usize>,
        low: RandomState,
        high: RandomState,
    },
}

struct GroupState {
    group_id: u64,
    size: u64,
    file_slot: usize,
    /// File slot of the last row counted for this group, for the per-file distinct count.
    last_file_slot: usize,
    fields: Vec<String>,
}

struct FileState {
    file: Arc<str>,
    rows: u64,
    groups: u64,
    new_groups: u64,
}

/// Groups rows pushed one at a time, in increasing row-index order.
///
/// Memory grows with the number of groups (their keys, and the representatives' clean fields
/// when pushed with [`Deduplicator::push_row`]) plus 8 bytes per row for the [`GroupMap`],
/// never with the content of duplicate rows.
pub struct Deduplicator {
    options: DedupOptions,
    index: KeyIndex,
    groups: Vec<GroupState>,
    group_map: GroupMap,
    files: Vec<FileState>,
    file_slots: AHashMap<Arc<str>, usize>,
    next_row_index: u64,
}

impl Default for Deduplicator {
    fn default() -> Self {
        Deduplicator::new(DedupOptions::default())
    }
}

impl Deduplicator {
    /// Creates an empty deduplicator.
    pub fn new(options: DedupOptions) -> Self {
        let index = match options.key_storage {
            KeyStorage::Exact => KeyIndex::Exact(AHashMap::new()),
            KeyStorage::Hash128 => KeyIndex::Hash128 {
                slots: AHashMap::new(),
                low: RandomState::with_seeds(
                    0x243f_6a88_85a3_08d3,
                    0x1319_8a2e_0370_7344,
                    0xa409_3822_299f_31d0,
                    0x082e_fa98_ec4e_6c89,
                ),
                high: RandomState::with_seeds(
                    0x4528_21e6_38d0_1377,
                    0xbe54_66cf_34e9_0c6c,
                    0xc0ac_29b7_c97c_50dd,
                    0x3f84_d5b5_b547_0917,
                ),
            },
        };
        Deduplicator {
            options,
            index,
            groups: Vec::new(),
            group_map: GroupMap::default(),
            files: Vec::new(),
            file_slots: AHashMap::new(),
            next_row_index: 0,
        }
    }

    /// Returns the number of groups so far.
    pub fn group_count(&self) -> usize {
        self.groups.len()
    }

    /// Puts a row in the group of its key, or starts a new group with it.
    ///
    /// Fails with [`DedupError::RowOutOfOrder`] when `row_index` is not greater than the
    /// previous one. A row index that skips ahead leaves [`NO_GROUP`](super::NO_GROUP) slots
    /// in the map.
    pub fn push(
        &mut self,
        row_index: u64,
        file: &Arc<str>,
        key: &str,
    ) -> Result<Assignment, DedupError> {
        self.push_with_fields(row_index, file, key, &[])
    }

    /// Like [`Deduplicator::push`] for a cleaned row, and keeps the clean fields of rows that
    /// start a group, for [`Dedup::llm_input`] and the group summaries.
    pub fn push_row(&mut self, row: &CleanRow, key: &str) -> Result<Assignment, DedupError> {
        self.push_with_fields(row.row_index, &row.file, key, &row.fields)
    }

    fn push_with_fields(
        &mut self,
        row_index: u64,
        file: &Arc<str>,
        key: &str,
        fields: &[String],
    ) -> Result<Assignment, DedupError> {
        if row_index < self.next_row_index {
            return Err(DedupError::RowOutOfOrder {
                row_index,
                file: file.to_string(),
                expected_at_least: self.next_row_index,
            });
        }
        self.next_row_index = row_index + 1;

        let file_slot = self.file_slot(file);
        let next_slot = self.groups.len();
        let (slot, is_new) = match &mut self.index {
            KeyIndex::Exact(slots) => match slots.get(key) {
                Some(&slot) => (slot, false),
                None => {
                    slots.insert(Box::from(key), next_slot);
                    (next_slot, true)
                }
            },
            KeyIndex::Hash128 { slots, low, high } => {
                let hash = (u128::from(high.hash_one(key)) << 64) | u128::from(low.hash_one(key));
                let slot = *slots.entry(hash).or_insert(next_slot);
                (slot, slot == next_slot)
            }
        };

        let file_state = &mut self.files[file_slot];
        file_state.rows += 1;
        if is_new {
            self.groups.push(GroupState {
                group_id: row_index,
                size: 1,
                file_slot,
                last_file_slot: file_slot,
                fields: fields.to_vec(),
            });
            file_state.groups += 1;
            file_state.new_groups += 1;
        } else {
            let group = &mut self.groups[slot];
            group.size += 1;
            // NOTE: this counts distinct groups per file correctly only while the rows of one
            // file arrive together, which the ingest order guarantees.
            if group.last_file_slot != file_slot {
                group.last_file_slot = file_slot;
                file_state.groups += 1;
            }
        }

        let group_id = self.groups[slot].group_id;
        self.group_map.push(row_index, group_id);
        Ok(Assignment { group_id, is_new })
    }

    fn file_slot(&mut self, file: &Arc<str>) -> usize {
        if let Some(last) = self.files.last() {
            if Arc::ptr_eq(&last.file, file) || *last.file == **file {
                return self.files.len() - 1;
            }
        }
        if let Some(&slot) = self.file_slots.get(file) {
            return slot;
        }
        let slot = self.files.len();
        self.files.push(FileState {
            file: Arc::clone(file),
            rows: 0,
            groups: 0,
            new_groups: 0,
        });
        self.file_slots.insert(Arc::clone(file), slot);
        slot
    }

    /// Finishes grouping and returns the group map, the groups and the figures.
    pub fn finish(self) -> Dedup {
        let mut keys: Vec<Option<String>> = vec![None; self.groups.len()];
        if let KeyIndex::Exact(slots) = self.index {
            for (key, slot) in slots {
                keys[slot] = Some(key.into_string());
            }
        }

        let groups: Vec<Group> = self
            .groups
            .into_iter()
            .zip(keys)
            .map(|(state, key)| Group {
                group_id: state.group_id,
                size: state.size,
                file: Arc::clone(&self.files[state.file_slot].file),
                fields: state.fields,
                key,
            })
            .collect();

        let stats = build_stats(&groups, &self.files, self.options.largest_groups);
        Dedup {
            group_map: self.group_map,
            groups,
            stats,
        }
    }
}

fn build_stats(groups: &[Group], files: &[FileState], largest: usize) -> DedupStats {
    let rows: u64 = files.iter().map(|file| file.rows).sum();
    let group_count = groups.len() as u64;
    let duplicates = rows - group_count;

    let by_file = files
        .iter()
        .map(|file| {
            let duplicates = file.rows - file.new_groups;
            FileDedupStats {
                file: file.file.to_string(),
                rows: file.rows,
                groups: file.groups,
                new_groups: file.new_groups,
                duplicates,
                ratio: ratio(duplicates, file.rows),
            }
        })
        .collect();

    let biggest_first =
        |a: &&Group, b: &&Group| b.size.cmp(&a.size).then(a.group_id.cmp(&b.group_id));
    let mut order: Vec<&Group> = groups.iter().collect();
    if largest < order.len() {
        order.select_nth_unstable_by(largest, biggest_first);
        order.truncate(largest);
    }
    order.sort_by(biggest_first);
    let largest_groups = order
        .into_iter()
        .take(largest)
        .map(|group| GroupSummary {
            group_id: group.group_id,
            size: group.size,
            text: if group.fields.is_empty() {
                group.key.clone().unwrap_or_default()
            } else {
                group.fields.join(" | ")
            },
        })
        .collect();

    DedupStats {
        rows,
        groups: group_count,
        duplicates,
        ratio: ratio(duplicates, rows),
        by_file,
        largest_groups,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str) -> Arc<str> {
        Arc::from(name)
    }

    fn push_all(deduplicator: &mut Deduplicator, rows: &[(&Arc<str>, &str)]) -> Vec<Assignment> {
        rows.iter()
            .enumerate()
            .map(|(row_index, (file, key))| deduplicator.push(row_index as u64, file, key).unwrap())
            .collect()
    }

    #[test]
    fn first_row_is_representative() {
        let a = file("a.csv");
        let mut deduplicator = Deduplicator::default();
        let assignments = push_all(
            &mut deduplicator,
            &[(&a, "x"), (&a, "y"), (&a, "x"), (&a, "y"), (&a, "z")],
        );
        let group_ids: Vec<u64> = assignments
            .iter()
            .map(|assignment| assignment.group_id)
            .collect();
        assert_eq!(group_ids, [0, 1, 0, 1, 4]);
        let new: Vec<bool> = assignments
            .iter()
            .map(|assignment| assignment.is_new)
            .collect();
        assert_eq!(new, [true, true, false, false, true]);

        let dedup = deduplicator.finish();
        assert_eq!(dedup.group_map.as_slice(), [0, 1, 0, 1, 4]);
        let sizes: Vec<(u64, u64)> = dedup
            .groups
            .iter()
            .map(|group| (group.group_id, group.size))
            .collect();
        assert_eq!(sizes, [(0, 2), (1, 2), (4, 1)]);
        assert_eq!(dedup.groups[0].key.as_deref(), Some("x"));
    }

    #[test]
    fn out_of_order_row_rejected() {
        let a = file("a.csv");
        let mut deduplicator = Deduplicator::default();
        deduplicator.push(5, &a, "x").unwrap();
        let error = deduplicator.push(5, &a, "y").unwrap_err();
        assert_eq!(
            error,
            DedupError::RowOutOfOrder {
                row_index: 5,
                file: "a.csv".into(),
                expected_at_least: 6
            }
        );
        assert_eq!(
            error.to_string(),
            "row 5 of a.csv pushed out of order; the next row index must be at least 6"
        );
    }

    #[test]
    fn gaps_have_no_group() {
        let a = file("a.csv");
        let mut deduplicator = Deduplicator::default();
        deduplicator.push(0, &a, "x").unwrap();
        deduplicator.push(3, &a, "x").unwrap();
        let dedup = deduplicator.finish();
        assert_eq!(dedup.group_map.len(), 4);
        assert_eq!(dedup.group_map.group_of(1), None);
        assert_eq!(dedup.group_map.group_of(3), Some(0));
        assert_eq!(dedup.group_map.group_of(4), None);
        assert_eq!(dedup.stats.rows, 2);
    }

    #[test]
    fn stats_per_file_and_total() {
        let a = file("a.csv");
        let b = file("dir/b.xlsx");
        let mut deduplicator = Deduplicator::default();
        push_all(
            &mut deduplicator,
            &[
                (&a, "x"),
                (&a, "x"),
                (&a, "y"),
                (&b, "x"),
                (&b, "z"),
                (&b, "z"),
                (&b, "x"),
            ],
        );
        let stats = deduplicator.finish().stats;

        assert_eq!(stats.rows, 7);
        assert_eq!(stats.groups, 3);
        assert_eq!(stats.duplicates, 4);
        assert!((stats.ratio - 4.0 / 7.0).abs() < 1e-12);

        let first = &stats.by_file[0];
        assert_eq!(
            (
                first.file.as_str(),
                first.rows,
                first.groups,
                first.new_groups,
                first.duplicates
            ),
            ("a.csv", 3, 2, 2, 1)
        );
        let second = &stats.by_file[1];
        assert_eq!(
            (
                second.file.as_str(),
                second.rows,
                second.groups,
                second.new_groups,
                second.duplicates
            ),
            ("dir/b.xlsx", 4, 2, 1, 3)
        );
        assert!((second.ratio - 0.75).abs() < 1e-12);
    }

    #[test]
    fn largest_groups_biggest_first() {
        let a = file("a.csv");
        let options = DedupOptions {
            largest_groups: 2,
            ..DedupOptions::default()
        };
        let mut deduplicator = Deduplicator::new(options);
        push_all(
            &mut deduplicator,
            &[
                (&a, "x"),
                (&a, "y"),
                (&a, "z"),
                (&a, "y"),
                (&a, "z"),
                (&a, "z"),
            ],
        );
        let largest = deduplicator.finish().stats.largest_groups;
        assert_eq!(
            largest,
            [
                GroupSummary {
                    group_id: 2,
                    size: 3,
                    text: "z".into()
                },
                GroupSummary {
                    group_id: 1,
                    size: 2,
                    text: "y".into()
                },
            ]
        );
    }

    #[test]
    fn empty_input_has_zero_ratio() {
        let stats = Deduplicator::default().finish().stats;
        assert_eq!(stats.rows, 0);
        assert_eq!(stats.ratio, 0.0);
        assert!(stats.by_file.is_empty());
    }

    #[test]
    fn hash_storage_same_partition() {
        let a = file("a.csv");
        let keys: Vec<String> = (0..5000)
            .map(|index| format!("pago fact {}", index % 1234))
            .collect();

        let mut exact = Deduplicator::default();
        let mut hashed = Deduplicator::new(DedupOptions {
            key_storage: KeyStorage::Hash128,
            ..DedupOptions::default()
        });
        for (row_index, key) in keys.iter().enumerate() {
            exact.push(row_index as u64, &a, key).unwrap();
            hashed.push(row_index as u64, &a, key).unwrap();
        }
        let exact = exact.finish();
        let hashed = hashed.finish();

        assert_eq!(exact.group_map, hashed.group_map);
        assert_eq!(hashed.groups.len(), 1234);
        assert!(hashed.groups.iter().all(|group| group.key.is_none()));
    }

    #[test]
    fn llm_input_in_row_order() {
        let a = file("a.csv");
        let mut deduplicator = Deduplicator::default();
        let row = |row_index: u64, text: &str| CleanRow {
            row_index,
            file: Arc::clone(&a),
            fields: vec![text.to_string(), "ACME".to_string()],
            keys: vec![text.to_lowercase(), "acme".to_string()],
        };
        for clean in [row(0, "Pago"), row(1, "Venta"), row(2, "PAGO")] {
            let key = clean.keys.join("|");
            deduplicator.push_row(&clean, &key).unwrap();
        }
        let dedup = deduplicator.finish();
        let names = vec!["cleanGlosa".to_string(), "cleanProveedor".to_string()];
        let input = dedup.llm_input(&names);

        assert_eq!(
            input,
            [
                LlmInput {
                    id: 0,
                    fields: vec![
                        ("cleanGlosa".into(), "Pago".into()),
                        ("cleanProveedor".into(), "ACME".into())
                    ],
                    group_size: 2,
                },
                LlmInput {
                    id: 1,
                    fields: vec![
                        ("cleanGlosa".into(), "Venta".into()),
                        ("cleanProveedor".into(), "ACME".into())
                    ],
                    group_size: 1,
                },
            ]
        );
        let json = serde_json::to_string(&input[1]).unwrap();
        assert_eq!(
            json,
            r#"{"id":1,"fields":[["cleanGlosa","Venta"],["cleanProveedor","ACME"]],"group_size":1}"#
        );
        assert_eq!(dedup.stats.largest_groups[0].text, "Pago | ACME");
    }
}
