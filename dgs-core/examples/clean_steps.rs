//! Prints what each cleaning step, each preset and the field-name rule do to a fixed set of
//! ledger-like inputs, as Markdown tables. The user guides quote this output.
//!
//! Usage: `cargo run -p dgs-core --example clean_steps`
//!
//! Text is printed with Rust's `escape_debug`, so invisible characters show as `\u{200b}`.

use dgs_core::clean::{clean_field_name, clean_field_names, Preset, Refinery, Step};

/// Inputs for each step, chosen to show what the step changes and what it keeps.
const STEP_INPUTS: [(Step, &[&str]); 14] = [
    (Step::Trim, &["\u{a0} Pago proveedor \t"]),
    (Step::CollapseWhitespace, &["Pago   proveedor\t\tACME"]),
    (
        Step::RemoveControl,
        &[
            "PAGO\r\nFACT",
            "Cami\u{ad}ón",
            "\u{feff}Compra\u{200b}s",
            "pago\u{0}acme",
            "\u{200f}Pago\u{200f} acme",
        ],
    ),
    (
        Step::UnifyPunctuation,
        &[
            "“IVA” débito – marzo…",
            "\u{93}Arriendo\u{94} \u{96} local",
            "N°\u{a0}123",
        ],
    ),
    (Step::Lowercase, &["PEÑA Ltda. ÁRBOL"]),
    (Step::StripAccents, &["Año Crédito Nº 5", "Pago\u{301} N°5"]),
    (Step::AsciiFold, &["Año Crédito Nº 5 Straße"]),
    (
        Step::RemovePunctuation,
        &["Peña S.A. (“central”)", "Total 1.234,56", "O'Higgins"],
    ),
    (Step::Fingerprint, &["Peña S.A. pago, PAGO", "PAGO ACME SA"]),
    (
        Step::MaskDates,
        &[
            "Arriendo 03/2024",
            "Pago 2024-03-31",
            "Honorarios 31/03/24",
            "Arriendo marzo 2024",
        ],
    ),
    (
        Step::MaskAmounts,
        &[
            "Total $ 1.234,56",
            "Pago USD 20",
            "Total 1,234.56",
            "Monto 1.234.567",
        ],
    ),
    (
        Step::MaskDocumentNumbers,
        &[
            "Factura N° 123",
            "Pago FACT-00123",
            "Pago FACT00123",
            "RUT 12.345.678-9",
            "Boleta #123",
        ],
    ),
    (Step::MaskNumbers, &["Cuota 2 de 12", "Pago 03/2024"]),
    (
        Step::MaskLedger,
        &[
            "PAGO FACT. 00123 PROV. ACME 03/2024 $ 1.234,56",
            "3",
            "03/2024",
            "1era",
        ],
    ),
];

/// Inputs run through every preset.
const PRESET_INPUTS: [&str; 8] = [
    "  PAGO   FACT. 00123  PROV. ACME 03/2024 ",
    "Pago Fact 00456 Prov Acme 04/2024",
    "“IVA” Débito Fiscal 1.234,56",
    "Acme S.A. pago",
    "pago ACME, S.A.",
    "Año 2024 cuota 2ª",
    "Ano 2024 cuota 2ª",
    "3",
];

/// Column names for the field-name rule.
const COLUMNS: [&str; 9] = [
    "Descripción",
    "Glosa",
    "detalle",
    "descripción de línea",
    "nombreproducto_onu",
    "Año  contable",
    "glosa-detalle.2",
    "Nº documento",
    "¿?",
];

fn escaped(text: &str) -> String {
    format!("`{}`", text.escape_debug())
}

fn main() {
    println!("## Steps\n");
    println!("| step | before | after |");
    println!("|---|---|---|");
    for (step, inputs) in STEP_INPUTS {
        for input in inputs {
            let mut out = String::new();
            step.apply(input, &mut out);
            println!("| `{step}` | {} | {} |", escaped(input), escaped(&out));
        }
    }

    println!("\n## Presets\n");
    for preset in Preset::ALL {
        let steps: Vec<&str> = preset.steps().iter().map(|step| step.name()).collect();
        println!("- `{preset}`: {}", steps.join(", "));
    }
    println!("\n| before | basic | fingerprint | ledger |");
    println!("|---|---|---|---|");
    for input in PRESET_INPUTS {
        let outputs: Vec<String> = Preset::ALL
            .iter()
            .map(|preset| escaped(&Refinery::from_preset(*preset, &[]).apply_to_string(input)))
            .collect();
        println!("| {} | {} |", escaped(input), outputs.join(" | "));
    }

    println!("\n## Field names\n");
    println!("| column | field |");
    println!("|---|---|");
    for column in COLUMNS {
        println!("| {} | `{}` |", escaped(column), clean_field_name(column));
    }
    let repeated = ["nombre", "Nombre", "nombre_", "nombre2"];
    println!(
        "\nRepeated: {:?} -> {:?}",
        repeated,
        clean_field_names(&repeated)
    );
}
