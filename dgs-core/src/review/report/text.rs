//! Every text of the HTML report, in Spanish and English.
//!
//! Each language is one constant of [`Texts`], so a text missing in one language fails to
//! compile.

use serde::{Deserialize, Serialize};

/// Language of the report texts and number formats.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    /// Spanish, the default: the teams that review classifications work in Spanish.
    #[default]
    Es,
    En,
}

impl Lang {
    /// Returns the BCP 47 tag for the `lang` attribute.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Es => "es",
            Lang::En => "en",
        }
    }

    /// Parses a tag returned by [`Lang::tag`], ignoring case.
    pub fn parse(tag: &str) -> Option<Self> {
        match tag.to_ascii_lowercase().as_str() {
            "es" => Some(Lang::Es),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub(crate) fn texts(self) -> &'static Texts {
        match self {
            Lang::Es => &ES,
            Lang::En => &EN,
        }
    }
}

/// Texts of one language, as plain text to be escaped where it is written. A `{fallback}`
/// placeholder is replaced with the job's fallback category by [`Texts::with_fallback`].
pub(crate) struct Texts {
    pub title: &'static str,
    pub job: &'static str,
    pub input: &'static str,
    pub current_iteration: &'static str,
    pub no_iterations: &'static str,
    pub no_verdicts: &'static str,
    pub summary: &'static str,
    pub groups: &'static str,
    pub rows: &'static str,
    pub reviewed_groups: &'static str,
    pub coverage: &'static str,
    pub accuracy_by_group: &'static str,
    pub accuracy_by_row: &'static str,
    pub interval_95: &'static str,
    pub macro_f1: &'static str,
    pub weighted_f1: &'static str,
    pub distribution: &'static str,
    pub distribution_note: &'static str,
    pub others: &'static str,
    pub share_of_rows: &'static str,
    pub share_of_groups: &'static str,
    pub fallback_rate: &'static str,
    pub fallback_note: &'static str,
    pub by_group: &'static str,
    pub by_row: &'static str,
    pub confusion: &'static str,
    pub confusion_note: &'static str,
    pub true_category: &'static str,
    pub predicted_category: &'static str,
    pub f1_per_category: &'static str,
    pub f1_note: &'static str,
    pub support: &'static str,
    pub not_defined: &'static str,
    pub iterations: &'static str,
    pub iterations_note: &'static str,
    pub iteration: &'static str,
    pub accuracy: &'static str,
    pub cost_tokens: &'static str,
    pub prompt_tokens: &'static str,
    pub completion_tokens: &'static str,
    pub total_tokens: &'static str,
    pub cost_usd: &'static str,
    pub duration: &'static str,
    pub comparison: &'static str,
    pub metric: &'static str,
    pub before: &'static str,
    pub after: &'static str,
    pub change: &'static str,
    pub outcome_fixed: &'static str,
    pub outcome_broke: &'static str,
    pub outcome_wrong_to_wrong: &'static str,
    pub outcome_undetermined: &'static str,
    pub outcome_unreviewed: &'static str,
    pub changed_groups: &'static str,
    pub changed_groups_note: &'static str,
    pub no_changes: &'static str,
    pub group_id: &'static str,
    pub size: &'static str,
    pub outcome: &'static str,
    pub unmatched_groups: &'static str,
}

impl Texts {
    /// Replaces `{fallback}` in `template` with the `fallback` category.
    pub(crate) fn with_fallback(template: &str, fallback: &str) -> String {
        template.replace("{fallback}", fallback)
    }
}

const ES: Texts = Texts {
    title: "Informe de clasificación",
    job: "Trabajo",
    input: "Entrada",
    current_iteration: "Iteración actual",
    no_iterations: "El trabajo aún no tiene iteraciones.",
    no_verdicts: "Sin veredictos aún: revise una muestra para ver estas métricas.",
    summary: "Resumen",
    groups: "Grupos",
    rows: "Filas",
    reviewed_groups: "Grupos revisados",
    coverage: "Cobertura de la muestra",
    accuracy_by_group: "Exactitud por grupo",
    accuracy_by_row: "Exactitud por fila",
    interval_95: "intervalo de Wilson al 95 %",
    macro_f1: "F1 macro",
    weighted_f1: "F1 ponderado",
    distribution: "Distribución por categoría",
    distribution_note: "Porcentaje de filas y de grupos de cada categoría en la iteración actual.",
    others: "otros",
    share_of_rows: "% de filas",
    share_of_groups: "% de grupos",
    fallback_rate: "Tasa de {fallback}",
    fallback_note: "Proporción de resultados con la categoría de respaldo",
    by_group: "por grupo",
    by_row: "por fila",
    confusion: "Matriz de confusión",
    confusion_note: "Filas: categoría verdadera según los veredictos. Columnas: categoría predicha. Grupos revisados.",
    true_category: "Verdadera",
    predicted_category: "Predicha",
    f1_per_category: "F1 por categoría",
    f1_note: "F1 por grupo en la iteración actual; n/d cuando la categoría no fue predicha o nunca es la verdadera.",
    support: "soporte",
    not_defined: "n/d",
    iterations: "Evolución por iteración",
    iterations_note: "Exactitud por grupo con su intervalo de Wilson al 95 %, F1 macro y tasa de {fallback} por grupo.",
    iteration: "Iteración",
    accuracy: "Exactitud",
    cost_tokens: "Costo y tokens por iteración",
    prompt_tokens: "Tokens de entrada",
    completion_tokens: "Tokens de salida",
    total_tokens: "Tokens totales",
    cost_usd: "Costo (USD)",
    duration: "Duración",
    comparison: "Comparación",
    metric: "Métrica",
    before: "Antes",
    after: "Después",
    change: "Cambio",
    outcome_fixed: "Corregidos",
    outcome_broke: "Empeorados",
    outcome_wrong_to_wrong: "De incorrecto a incorrecto",
    outcome_undetermined: "Sin categoría verdadera",
    outcome_unreviewed: "Sin revisar",
    changed_groups: "Grupos que cambiaron de categoría",
    changed_groups_note: "Se muestran los de más filas.",
    no_changes: "Ningún grupo cambió de categoría.",
    group_id: "Grupo",
    size: "Filas",
    outcome: "Resultado",
    unmatched_groups: "Grupos presentes en una sola de las dos iteraciones",
};

const EN: Texts = Texts {
    title: "Classification report",
    job: "Job",
    input: "Input",
    current_iteration: "Current iteration",
    no_iterations: "The job has no iterations yet.",
    no_verdicts: "No verdicts yet: review a sample to see these metrics.",
    summary: "Summary",
    groups: "Groups",
    rows: "Rows",
    reviewed_groups: "Reviewed groups",
    coverage: "Sample coverage",
    accuracy_by_group: "Accuracy by group",
    accuracy_by_row: "Accuracy by row",
    interval_95: "95% Wilson interval",
    macro_f1: "Macro F1",
    weighted_f1: "Weighted F1",
    distribution: "Category distribution",
    distribution_note: "Share of rows and of groups in each category in the current iteration.",
    others: "others",
    share_of_rows: "% of rows",
    share_of_groups: "% of groups",
    fallback_rate: "{fallback} rate",
    fallback_note: "Share of results with the fallback category",
    by_group: "by group",
    by_row: "by row",
    confusion: "Confusion matrix",
    confusion_note: "Rows: true category from the verdicts. Columns: predicted category. Reviewed groups.",
    true_category: "True",
    predicted_category: "Predicted",
    f1_per_category: "F1 per category",
    f1_note: "F1 by group in the current iteration; n/a when the category was never predicted or is never the true one.",
    support: "support",
    not_defined: "n/a",
    iterations: "Iteration over iteration",
    iterations_note: "Accuracy by group with its 95% Wilson interval, macro F1 and {fallback} rate by group.",
    iteration: "Iteration",
    accuracy: "Accuracy",
    cost_tokens: "Cost and tokens per iteration",
    prompt_tokens: "Prompt tokens",
    completion_tokens: "Completion tokens",
    total_tokens: "Total tokens",
    cost_usd: "Cost (USD)",
    duration: "Duration",
    comparison: "Comparison",
    metric: "Metric",
    before: "Before",
    after: "After",
    change: "Change",
    outcome_fixed: "Fixed",
    outcome_broke: "Broke",
    outcome_wrong_to_wrong: "Wrong to wrong",
    outcome_undetermined: "No true category",
    outcome_unreviewed: "Not reviewed",
    changed_groups: "Groups that changed category",
    changed_groups_note: "The groups with the most rows are shown.",
    no_changes: "No group changed category.",
    group_id: "Group",
    size: "Rows",
    outcome: "Outcome",
    unmatched_groups: "Groups present in only one of the two iterations",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lang_parses_its_tags() {
        for lang in [Lang::Es, Lang::En] {
            assert_eq!(Lang::parse(lang.tag()), Some(lang));
        }
        assert_eq!(Lang::parse("EN"), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
    }

    #[test]
    fn fallback_placeholder_is_filled() {
        for lang in [Lang::Es, Lang::En] {
            let texts = lang.texts();
            let title = Texts::with_fallback(texts.fallback_rate, "Indeterminado");
            assert!(title.contains("Indeterminado"), "{title}");
            assert!(!title.contains('{'), "{title}");
        }
    }
}
