//! The instructions sheet of XLSX review files, in the reviewer's language.

use super::review_columns::ReviewLanguage;

/// One instruction: the column it is about (empty for general advice) and the text.
pub(crate) type Line = (&'static str, &'static str);

/// Returns the title and the `(column, instruction)` lines of the instructions sheet.
pub(crate) fn instruction_lines(language: ReviewLanguage) -> (&'static str, &'static [Line]) {
    match language {
        ReviewLanguage::Spanish => (
            "Cómo revisar este archivo",
            &[
                (
                    "grupo",
                    "Identificador del grupo. No lo modifique: dgs lo usa para asociar su \
                    veredicto.",
                ),
                (
                    "filas",
                    "Cantidad de filas de los archivos originales que comparten esta descripción. \
                    Su veredicto vale para todas.",
                ),
                (
                    "categoria_predicha",
                    "Categoría que asignó el modelo. Las columnas puntaje (confianza de 0 a 1) y \
                    razon muestran por qué.",
                ),
                (
                    "veredicto",
                    "Elija correcto si la categoría predicha es la adecuada, o incorrecto si no. \
                    Deje la celda vacía para no revisar el grupo.",
                ),
                (
                    "categoria_correcta",
                    "Si el veredicto es incorrecto, elija la categoría adecuada de la lista. Si la \
                    completa y deja el veredicto vacío, el grupo cuenta como incorrecto.",
                ),
                (
                    "comentario",
                    "Opcional: cualquier observación sobre el grupo.",
                ),
                (
                    "",
                    "Puede ordenar, filtrar, agregar columnas y cambiar mayúsculas o acentos de los \
                    encabezados. No borre las columnas grupo, veredicto y categoria_correcta.",
                ),
                (
                    "",
                    "También se aceptan sí, si, ok, 1 y verdadero como correcto, y no, 0, falso y \
                    mal como incorrecto. Una x sola no se acepta porque no indica cuál de los dos \
                    es.",
                ),
                (
                    "",
                    "Guarde el archivo como .xlsx (o .csv) y devuélvalo a quien ejecuta dgs.",
                ),
            ],
        ),
        ReviewLanguage::English => (
            "How to review this file",
            &[
                (
                    "group",
                    "Group id. Do not change it: dgs uses it to match your verdict to the group.",
                ),
                (
                    "rows",
                    "Number of input rows that share this description. Your verdict covers all of \
                    them.",
                ),
                (
                    "predicted_category",
                    "Category the model chose. The score (confidence from 0 to 1) and reason \
                    columns show why.",
                ),
                (
                    "verdict",
                    "Choose correct if the predicted category is right, or incorrect if not. Leave \
                    the cell empty to skip the group.",
                ),
                (
                    "corrected_category",
                    "If the verdict is incorrect, choose the right category from the list. If you \
                    fill it and leave the verdict empty, the group counts as incorrect.",
                ),
                (
                    "comment",
                    "Optional: any remark about the group.",
                ),
                (
                    "",
                    "You may sort, filter, add columns and change the case or accents of headers. \
                    Do not delete the group, verdict and corrected_category columns.",
                ),
                (
                    "",
                    "yes, y, ok, 1 and true are also read as correct, and no, n, 0 and false as \
                    incorrect. A lone x is rejected because it does not say which.",
                ),
                (
                    "",
                    "Save the file as .xlsx (or .csv) and return it to whoever runs dgs.",
                ),
            ],
        ),
    }
}
