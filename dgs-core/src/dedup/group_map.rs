//! The row -> group map that copies each group's classification to every row.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Value stored for a row index that was never pushed (a gap in the row indexes).
pub const NO_GROUP: u64 = u64::MAX;

/// Group id of every row: a `Vec<u64>` indexed by row index, 8 bytes per row.
///
/// The group id is the row index of the group's first row (its representative), so the
/// representative of row `r` is row `group_of(r)` and `group_of(group_of(r)) == group_of(r)`.
/// Serialises as the plain array of group ids, with [`NO_GROUP`] for gaps.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GroupMap {
    group_of: Vec<u64>,
}

impl GroupMap {
    /// Wraps a vector of group ids indexed by row index.
    pub fn from_vec(group_of: Vec<u64>) -> Self {
        GroupMap { group_of }
    }

    /// Returns the number of row slots (the highest pushed row index + 1).
    pub fn len(&self) -> usize {
        self.group_of.len()
    }

    /// Returns true when no row was pushed.
    pub fn is_empty(&self) -> bool {
        self.group_of.is_empty()
    }

    /// Returns the group id of a row, or `None` for a row index never pushed.
    pub fn group_of(&self, row_index: u64) -> Option<u64> {
        let group = *self.group_of.get(usize::try_from(row_index).ok()?)?;
        (group != NO_GROUP).then_some(group)
    }

    /// Returns true when the row is the representative (first row) of its group.
    pub fn is_representative(&self, row_index: u64) -> bool {
        self.group_of(row_index) == Some(row_index)
    }

    /// Returns the group ids indexed by row index, with [`NO_GROUP`] for gaps.
    pub fn as_slice(&self) -> &[u64] {
        &self.group_of
    }

    /// Iterates over `(row_index, group_id)` pairs in row order, skipping gaps.
    pub fn iter(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.group_of
            .iter()
            .enumerate()
            .filter(|(_, group)| **group != NO_GROUP)
            .map(|(row_index, group)| (row_index as u64, *group))
    }

    /// Rebuilds the groups: group id -> row indexes of its members, in row order.
    pub fn groups(&self) -> BTreeMap<u64, Vec<u64>> {
        let mut groups: BTreeMap<u64, Vec<u64>> = BTreeMap::new();
        for (row_index, group) in self.iter() {
            groups.entry(group).or_default().push(row_index);
        }
        groups
    }

    pub(crate) fn push(&mut self, row_index: u64, group_id: u64) {
        let position = row_index as usize;
        if position > self.group_of.len() {
            self.group_of.resize(position, NO_GROUP);
        }
        self.group_of.push(group_id);
    }
}
