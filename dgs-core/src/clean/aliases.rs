//! Column aliases: one clean field fed by differently named columns in different tables.
//!
//! Exports from different systems name the description differently (`Descripción` in one
//! file, `Glosa` in another). A column spec `Descripción|Glosa|detalle` makes the first name
//! the clean column and the others its aliases: a table without `Descripción` is cleaned as
//! if its first alias column had that name.

use crate::ingest::Row;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Renames alias columns to the clean column they stand for, per table.
///
/// Tables share one `Arc<[String]>` of column names across their rows, so the renamed list
/// is computed once per table and cached by the address of that list. The cache keeps the
/// original list alive, so an address is never reused while it is cached.
#[derive(Debug, Default)]
pub struct ColumnResolver {
    aliases: BTreeMap<String, Vec<String>>,
    tables: HashMap<usize, ResolvedTable>,
}

/// A table's own column names (kept so their address stays taken) and the renamed list,
/// `None` when nothing is renamed.
type ResolvedTable = (Arc<[String]>, Option<Arc<[String]>>);

impl ColumnResolver {
    pub fn new(aliases: &BTreeMap<String, Vec<String>>) -> Self {
        ColumnResolver {
            aliases: aliases.clone(),
            tables: HashMap::new(),
        }
    }

    /// Returns the column names `row` should be cleaned with: its own names, or, when its
    /// table lacks a clean column and has one of that column's aliases, the names with the
    /// first such alias renamed to the clean column.
    pub fn columns_for(&mut self, row: &Row) -> Arc<[String]> {
        if self.aliases.is_empty() {
            return Arc::clone(&row.columns);
        }

        let address = Arc::as_ptr(&row.columns) as *const String as usize;
        let (_, renamed) = self.tables.entry(address).or_insert_with(|| {
            let renamed = rename(&self.aliases, &row.columns);
            (Arc::clone(&row.columns), renamed)
        });
        match renamed {
            Some(renamed) => Arc::clone(renamed),
            None => Arc::clone(&row.columns),
        }
    }

    /// Runs `f` on `row` with its columns renamed by [`ColumnResolver::columns_for`],
    /// then restores the row's own names.
    pub fn with_resolved<T>(&mut self, row: &mut Row, f: impl FnOnce(&Row) -> T) -> T {
        let resolved = self.columns_for(row);
        let original = std::mem::replace(&mut row.columns, resolved);
        let result = f(row);
        row.columns = original;
        result
    }
}

/// Splits a column spec `Name|Alias|Alias` into the clean column and its aliases, trimming
/// each name and dropping empty ones. Returns `None` when the spec names no column.
pub fn parse_column_spec(spec: &str) -> Option<(String, Vec<String>)> {
    let mut names = spec
        .split('|')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(str::to_owned);
    let column = names.next()?;
    Some((column, names.collect()))
}

fn rename(aliases: &BTreeMap<String, Vec<String>>, columns: &[String]) -> Option<Arc<[String]>> {
    let mut renamed: Vec<String> = columns.to_vec();
    let mut changed = false;

    for (column, alternatives) in aliases {
        if renamed.iter().any(|name| name == column) {
            continue;
        }
        let found = alternatives
            .iter()
            .find_map(|alias| renamed.iter().position(|name| name == alias));
        if let Some(position) = found {
            renamed[position] = column.clone();
            changed = true;
        }
    }

    changed.then(|| Arc::from(renamed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Value;

    fn row(columns: &Arc<[String]>, values: &[&str]) -> Row {
        Row {
            row_index: 0,
            file: Arc::from("a.csv"),
            sheet: None,
            line: 2,
            columns: Arc::clone(columns),
            values: values.iter().map(|v| Value::Text((*v).into())).collect(),
        }
    }

    fn names(list: &[&str]) -> Arc<[String]> {
        list.iter().map(|name| name.to_string()).collect()
    }

    #[test]
    fn alias_stands_in_for_missing_column_only() {
        let aliases = BTreeMap::from([(
            "Descripción".to_string(),
            vec!["Glosa".to_string(), "detalle".to_string()],
        )]);
        let mut resolver = ColumnResolver::new(&aliases);

        let glosa = names(&["Fecha", "Glosa", "detalle"]);
        let resolved = resolver.columns_for(&row(&glosa, &["x", "g", "d"]));
        assert_eq!(&*resolved, &names(&["Fecha", "Descripción", "detalle"])[..]);

        let detalle = names(&["detalle"]);
        let resolved = resolver.columns_for(&row(&detalle, &["d"]));
        assert_eq!(&*resolved, &names(&["Descripción"])[..]);

        let own = names(&["Glosa", "Descripción"]);
        let resolved = resolver.columns_for(&row(&own, &["g", "d"]));
        assert!(
            Arc::ptr_eq(&resolved, &own),
            "a table with the column keeps its names"
        );

        let none = names(&["Monto"]);
        let resolved = resolver.columns_for(&row(&none, &["1"]));
        assert!(Arc::ptr_eq(&resolved, &none));
    }

    #[test]
    fn with_resolved_restores_names() {
        let aliases = BTreeMap::from([("Descripción".to_string(), vec!["Glosa".to_string()])]);
        let mut resolver = ColumnResolver::new(&aliases);
        let glosa = names(&["Glosa"]);
        let mut input = row(&glosa, &["pago"]);

        let seen = resolver.with_resolved(&mut input, |row| row.get("Descripción").cloned());

        assert_eq!(seen, Some(Value::Text("pago".into())));
        assert!(Arc::ptr_eq(&input.columns, &glosa));
    }
}
