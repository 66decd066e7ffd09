//! Names of the derived `clean<Name>` fields.
//!
//! Rule: fold the column name to ASCII (accents removed, `ñ` -> `n`), split it into words at
//! every character that is not an ASCII letter or digit (spaces, `_`, `-`, `.`), uppercase the
//! first letter of each word, keep the rest of each word as written, and put `clean` in front.
//! `LineDescription` -> `cleanLineDescription`, `descripción de línea` ->
//! `cleanDescripcionDeLinea`, `nombreproducto_onu` -> `cleanNombreproductoOnu`. A column
//! without any letter or digit gives `cleanColumn`. When two columns give the same name,
//! the later ones get `2`, `3`, ... appended (`cleanNombre`, `cleanNombre2`).

use super::text::{fold_accents, Enye};
use ahash::AHashSet;

/// Returns the `clean<Name>` field name for one column, without making it unique.
pub fn clean_field_name(column: &str) -> String {
    let mut folded = String::new();
    let ascii: &str = if fold_accents(column, Enye::Fold, &mut folded) {
        &folded
    } else {
        column
    };

    let mut name = String::from("clean");
    for word in ascii
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
    {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            name.push(first.to_ascii_uppercase());
            name.push_str(chars.as_str());
        }
    }
    if name.len() == "clean".len() {
        name.push_str("Column");
    }
    name
}

/// Returns one unique `clean<Name>` field name per column, in the order given.
pub fn clean_field_names<S: AsRef<str>>(columns: &[S]) -> Vec<String> {
    let mut taken = AHashSet::new();
    let mut names = Vec::with_capacity(columns.len());
    for column in columns {
        let base = clean_field_name(column.as_ref());
        let mut name = base.clone();
        let mut suffix = 2;
        while !taken.insert(name.clone()) {
            name = format!("{base}{suffix}");
            suffix += 1;
        }
        names.push(name);
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_name_cases() {
        let cases = [
            ("LineDescription", "cleanLineDescription"),
            ("descripción de línea", "cleanDescripcionDeLinea"),
            ("nombreproducto_onu", "cleanNombreproductoOnu"),
            ("Año  contable", "cleanAnoContable"),
            ("glosa-detalle.2", "cleanGlosaDetalle2"),
            ("Nº documento", "cleanNoDocumento"),
            ("", "cleanColumn"),
            ("¿?", "cleanColumn"),
        ];
        for (column, expected) in cases {
            assert_eq!(clean_field_name(column), expected, "column {column:?}");
        }
    }

    #[test]
    fn field_names_made_unique() {
        let names = clean_field_names(&["nombre", "Nombre", "nombre_", "nombre2"]);
        assert_eq!(
            names,
            [
                "cleanNombre",
                "cleanNombre2",
                "cleanNombre3",
                "cleanNombre22"
            ]
        );
    }
}
