//! Checks every store runs before a write, so all implementations reject the same input.
//!
//! A binding adapter that wraps a Python or JavaScript store must run them before calling
//! it, so the host class gets only input that passed and behaves like the built-in stores.
//! NOTE: no binding adapter exists yet; the conformance suite's rejection checks fail for a
//! host store reached without these checks.

use super::error::{RecordKind, StoreError};
use super::records::{ChunkCheckpoint, GroupRecord};
use crate::classify::Classification;
use ahash::{AHashMap, AHashSet};

/// Checks that `group_of` (row index -> group id) and `groups` describe the same grouping:
/// every group id is the row index of the group's first row, every row's group has a
/// record, each record's `size` is its row count, and no group id repeats.
pub fn check_group_map(
    job_id: &str,
    group_of: &[u64],
    groups: &[GroupRecord],
) -> Result<(), StoreError> {
    let invalid = |message: String| StoreError::invalid(RecordKind::GroupMap, job_id, message);

    let mut sizes: AHashMap<u64, u64> = AHashMap::with_capacity(groups.len());
    for group in groups {
        if sizes.insert(group.group_id, 0).is_some() {
            return Err(invalid(format!("group {} is listed twice", group.group_id)));
        }
    }

    for (row_index, &group_id) in group_of.iter().enumerate() {
        let row_index = row_index as u64;
        if group_id > row_index {
            return Err(invalid(format!(
                "row {row_index} maps to group {group_id}, which starts after it; a group id is the row index of its first row"
            )));
        }
        match sizes.get_mut(&group_id) {
            Some(size) => *size += 1,
            None => {
                return Err(invalid(format!(
                    "row {row_index} maps to group {group_id}, which has no group record"
                )))
            }
        }
    }

    for group in groups {
        let first_row = usize::try_from(group.group_id).ok();
        let maps_to_itself = first_row
            .and_then(|row| group_of.get(row))
            .is_some_and(|&id| id == group.group_id);
        if !maps_to_itself {
            return Err(invalid(format!(
                "group {} is not the group of row {}; a group id is the row index of its first row",
                group.group_id, group.group_id
            )));
        }

        let counted = sizes[&group.group_id];
        if counted != group.size {
            return Err(invalid(format!(
                "group {} has size {} but {} rows map to it",
                group.group_id, group.size, counted
            )));
        }
    }

    Ok(())
}

/// Checks that a chunk's results are exactly one classification per item of the
/// checkpoint, in any order.
pub fn check_chunk_results(
    checkpoint: &ChunkCheckpoint,
    results: &[Classification],
) -> Result<(), StoreError> {
    let key = chunk_key(checkpoint);
    let invalid = |message: String| StoreError::invalid(RecordKind::ChunkCheckpoint, &key, message);

    let mut items: AHashSet<u64> = AHashSet::with_capacity(checkpoint.item_ids.len());
    for &id in &checkpoint.item_ids {
        if !items.insert(id) {
            return Err(invalid(format!("item {id} is listed twice")));
        }
    }

    let mut seen: AHashSet<u64> = AHashSet::with_capacity(results.len());
    for result in results {
        if !items.contains(&result.id) {
            return Err(invalid(format!(
                "result for item {} which is not in the chunk",
                result.id
            )));
        }
        if !seen.insert(result.id) {
            return Err(invalid(format!("two results for item {}", result.id)));
        }
    }

    if seen.len() != items.len() {
        let mut missing: Vec<u64> = items.difference(&seen).copied().collect();
        missing.sort_unstable();
        missing.truncate(10);
        return Err(invalid(format!(
            "{} of {} items have no result (first missing: {missing:?})",
            items.len() - seen.len(),
            items.len()
        )));
    }

    Ok(())
}

/// Formats the key of a checkpoint for messages: `<job>/iteration <n>/chunk <i>`.
pub(crate) fn chunk_key(checkpoint: &ChunkCheckpoint) -> String {
    format!(
        "{}/iteration {}/chunk {}",
        checkpoint.job_id, checkpoint.iteration, checkpoint.chunk_index
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::ClassificationStatus;
    use crate::llm::TokenUsage;

    fn group(group_id: u64, size: u64) -> GroupRecord {
        GroupRecord {
            group_id,
            size,
            fields: vec![],
        }
    }

    #[test]
    fn group_map_valid() {
        let group_of = [0, 1, 0, 3, 1, 0];
        let groups = [group(0, 3), group(1, 2), group(3, 1)];

        assert!(check_group_map("j", &group_of, &groups).is_ok());
    }

    #[test]
    fn group_map_rejects_inconsistencies() {
        let cases: Vec<(Vec<u64>, Vec<GroupRecord>, &str)> = vec![
            (vec![0, 0], vec![group(0, 1)], "has size 1 but 2 rows"),
            (
                vec![0, 2, 2],
                vec![group(0, 1), group(2, 2)],
                "starts after it",
            ),
            (vec![0, 1], vec![group(0, 1)], "has no group record"),
            (vec![1, 1], vec![group(1, 2)], "starts after it"),
            (vec![0], vec![group(0, 1), group(0, 1)], "listed twice"),
            (
                vec![0],
                vec![group(0, 1), group(5, 1)],
                "not the group of row 5",
            ),
        ];

        for (group_of, groups, expected) in cases {
            let error = check_group_map("j", &group_of, &groups).unwrap_err();
            assert!(
                error.to_string().contains(expected),
                "{group_of:?}: expected `{expected}` in `{error}`"
            );
        }
    }

    fn result(id: u64) -> Classification {
        Classification {
            id,
            category: "A".into(),
            score: 0.5,
            reason: String::new(),
            status: ClassificationStatus::Ok,
            attempts: 1,
        }
    }

    fn checkpoint(item_ids: Vec<u64>) -> ChunkCheckpoint {
        ChunkCheckpoint {
            job_id: "j".into(),
            iteration: 1,
            chunk_index: 4,
            item_ids,
            usage: TokenUsage::default(),
            requests: 1,
            committed_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn chunk_results_must_match_items() {
        let chunk = checkpoint(vec![3, 7, 9]);

        assert!(check_chunk_results(&chunk, &[result(9), result(3), result(7)]).is_ok());

        let missing = check_chunk_results(&chunk, &[result(3), result(7)]).unwrap_err();
        assert!(
            missing.to_string().contains("1 of 3 items have no result"),
            "{missing}"
        );
        assert!(
            missing.to_string().contains("j/iteration 1/chunk 4"),
            "{missing}"
        );

        let extra = check_chunk_results(&chunk, &[result(3), result(7), result(9), result(10)]);
        assert!(extra.unwrap_err().to_string().contains("not in the chunk"));

        let twice = check_chunk_results(&chunk, &[result(3), result(3), result(9)]);
        assert!(twice
            .unwrap_err()
            .to_string()
            .contains("two results for item 3"));
    }

    #[test]
    fn chunk_items_must_be_unique() {
        let chunk = checkpoint(vec![3, 3]);

        let error = check_chunk_results(&chunk, &[result(3)]).unwrap_err();

        assert!(
            error.to_string().contains("item 3 is listed twice"),
            "{error}"
        );
    }
}
