#!/usr/bin/env python3
"""Generate a deterministic Spanish ledger dataset for the dgs benchmarks.

Writes into the output folder (benches/data/ by default):

- ledger_<N>.csv    all rows, Windows-1252, ';' separator, CRLF line ends,
                    decimal commas (the shape of an Excel "CSV (delimitado por
                    punto y coma)" export on a Spanish-locale Windows machine);
- ledger_<N>.jsonl  the same rows as UTF-8 JSON lines, with Asiento, Debe and
                    Haber as JSON numbers and every other field as text;
- ledger_<M>.csv / .jsonl for the --subset-rows prefix (memory-bound check);
- ledger_<K>.xlsx   the first --xlsx-rows rows, Fecha as an Excel date serial
                    with a date format, Asiento, Debe and Haber as numbers;
- manifest.json     row counts, sizes, seed and the distinct-value counts.

The same --seed and --rows always produce byte-identical files. Descriptions
come from a vocabulary of ledger phrases with random document numbers, dates,
supplier names and case, accent and spacing variations. With the defaults,
about 40% of the raw descriptions are distinct and about 3% of the ledger keys
from ledger_key.py are. The script prints the exact counts.

Usage: python benches/gen_dataset.py [--rows 1000000] [--xlsx-rows 200000]
       [--subset-rows 250000] [--seed 20241204] [--out benches/data]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ledger_key import ledger_key  # noqa: E402

COLUMNS = [
    "Fecha",
    "Asiento",
    "Cuenta",
    "Código",
    "Descripción",
    "Debe",
    "Haber",
    "Centro de costo",
    "Proveedor RUT",
    "Documento",
]

# Rows are generated in chunks so that each random draw runs over a whole list.
CHUNK_ROWS = 50_000

FIRST_DATE = date(2023, 1, 1)
DAYS_SPANNED = 730
EXCEL_EPOCH = date(1899, 12, 30)

MONTHS = [
    "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio",
    "agosto", "septiembre", "octubre", "noviembre", "diciembre",
]

SUPPLIER_PREFIXES = [
    "Comercial", "Distribuidora", "Inversiones", "Servicios", "Transportes",
    "Constructora", "Importadora", "Sociedad", "Ferretería", "Librería",
    "Agrícola", "Ingeniería", "Imprenta", "Frigorífico", "Panadería",
]
SUPPLIER_CORES = [
    "Andes", "Ñuble", "Los Álamos", "San José", "Pacífico", "Araucanía",
    "Bío Bío", "Maipú", "El Peñón", "Santa María", "Atacama", "Valparaíso",
    "Ñuñoa", "Concepción", "Los Ángeles", "Magallanes", "Acme", "La Unión",
    "Peñalolén", "Curicó", "Tomé", "Quilpué", "El Roble", "Aconcagua",
    "Chiloé", "Los Lagos", "Cordillera", "Río Claro", "Mañío", "Limarí",
]
SUPPLIER_SUFFIXES = ["Ltda.", "SpA", "S.A.", "EIRL", "y Cía."]
SUPPLIER_NAMES = len(SUPPLIER_PREFIXES) * len(SUPPLIER_CORES) * len(SUPPLIER_SUFFIXES)

BRANCHES = [
    "Casa Matriz", "Sucursal Ñuñoa", "Sucursal Concepción", "Bodega Quilicura",
    "Sucursal Temuco", "Oficina Viña del Mar", "Planta Rancagua",
    "Sucursal Antofagasta", "Bodega Pudahuel", "Sucursal Puerto Montt",
]
COST_CENTERS = [
    "CC-101 Administración", "CC-205 Ventas Zona Norte", "CC-206 Ventas Zona Sur",
    "CC-310 Logística", "CC-320 Producción", "CC-102 Finanzas", "CC-103 Recursos Humanos",
    "CC-104 Tecnología", "CC-100 Gerencia", "CC-330 Mantención", "CC-311 Compras",
    "CC-207 Atención al Cliente", "CC-208 Marketing", "CC-321 Calidad",
]
PEOPLE = [
    "J. Pérez", "M. González", "C. Muñoz", "A. Rojas", "P. Díaz", "F. Núñez",
    "R. Sepúlveda", "L. Ibáñez", "V. Carrasco", "S. Peña", "D. Fuentes",
]
PLATES = ["GHTR-23", "KDLW-81", "JJPB-40", "HXZT-17", "LBCR-62", "FKPS-09"]
COMMUNES = ["Santiago", "Ñuñoa", "Providencia", "Las Condes", "Maipú", "Quilicura"]

# (account code, account name) by family; each phrase below books to one family.
ACCOUNTS = {
    "suppliers": [("2.1.01.001", "Proveedores nacionales"), ("2.1.01.002", "Proveedores extranjeros")],
    "rent": [("5.1.03.001", "Arriendos de inmuebles"), ("5.1.03.002", "Arriendos de bodegas")],
    "fees": [("5.1.04.001", "Honorarios profesionales"), ("5.1.04.002", "Asesorías externas")],
    "supplies": [("5.1.05.001", "Materiales e insumos de aseo"), ("5.1.05.002", "Materiales de oficina")],
    "leasing": [("2.1.05.001", "Obligaciones por leasing")],
    "tax": [("1.1.07.001", "IVA crédito fiscal"), ("2.1.06.001", "IVA débito fiscal"), ("2.1.06.003", "Impuesto único trabajadores")],
    "payroll": [("5.1.01.001", "Remuneraciones del personal"), ("2.1.07.001", "Leyes sociales por pagar"), ("2.1.07.004", "Provisión de vacaciones")],
    "utilities": [("5.1.06.001", "Consumos básicos electricidad"), ("5.1.06.002", "Consumos básicos agua"), ("5.1.06.003", "Telefonía e internet")],
    "vehicles": [("5.1.08.001", "Combustibles y lubricantes"), ("5.1.08.002", "Peajes y estacionamientos")],
    "bank": [("5.2.01.001", "Gastos bancarios y comisiones"), ("5.2.01.002", "Intereses financieros")],
    "other": [("5.1.09.001", "Gastos generales varios"), ("1.2.03.009", "Depreciación acumulada activo fijo"), ("1.1.01.002", "Caja chica")],
    "sales": [("4.1.01.001", "Ingresos por ventas de servicios")],
}
DOCUMENT_TYPES = {
    "suppliers": "FAC",
    "rent": "FAC",
    "fees": "BHE",
    "supplies": "FAC",
    "leasing": "FAC",
    "tax": "F29",
    "payroll": "LIQ",
    "utilities": "FAC",
    "vehicles": "BOL",
    "bank": "CAR",
    "other": "CMP",
    "sales": "BOL",
}


def build_suppliers(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """Return `count` distinct (name, RUT) pairs drawn from the name parts."""
    names = [
        f"{prefix} {core} {suffix}"
        for prefix in SUPPLIER_PREFIXES
        for core in SUPPLIER_CORES
        for suffix in SUPPLIER_SUFFIXES
    ]
    rng.shuffle(names)
    suppliers = []
    for name in names[:count]:
        body = rng.randrange(76_000_000, 77_999_999)
        check = "0123456789K"[rng.randrange(11)]
        rut = f"{body // 1_000_000}.{body // 1000 % 1000:03d}.{body % 1000:03d}-{check}"
        suppliers.append((name, rut))
    return suppliers


def supplier_phrases():
    """Phrases that name a supplier; most carry a document number."""
    return [
        ("suppliers", 7, True, lambda r, s, d: f"PAGO FACT. {r.randrange(100, 99999):05d} PROV. {s} {d.month:02d}/{d.year}"),
        ("suppliers", 5, True, lambda r, s, d: f"Pago Fact {r.randrange(100, 99999):05d} Prov {s} {d.month:02d}/{d.year}"),
        ("suppliers", 5, True, lambda r, s, d: f"Factura N° {r.randrange(1000, 999999)} {s}"),
        ("suppliers", 3, True, lambda r, s, d: f"Nota de crédito {r.randrange(100, 99999):05d} {s}"),
        ("supplies", 4, True, lambda r, s, d: f"Compra según OC {r.randrange(100, 99999)} {s}"),
        ("suppliers", 4, True, lambda r, s, d: f"Transferencia a {s} ref {r.randrange(1_000_000, 9_999_999)}"),
        ("suppliers", 2, True, lambda r, s, d: f"Cheque N° {r.randrange(100000, 999999)} {s}"),
        ("suppliers", 2, True, lambda r, s, d: f"Anticipo proveedor {s} {d.day:02d}/{d.month:02d}/{d.year}"),
        ("suppliers", 2, True, lambda r, s, d: f"Abono factura {r.randrange(100, 99999)} {s} $ {r.randrange(1, 999)}.{r.randrange(1000):03d}"),
        ("suppliers", 2, False, lambda r, s, d: f"Pago proveedor {s}"),
        ("suppliers", 1, False, lambda r, s, d: f"Provisión factura pendiente {s}"),
    ]


def plain_phrases():
    """Phrases without a supplier; few carry numbers, so they repeat a lot."""
    month = lambda d: MONTHS[d.month - 1]  # noqa: E731
    return [
        ("rent", 4, lambda r, d: f"Arriendo oficina central {month(d)}"),
        ("rent", 2, lambda r, d: f"Arriendo bodega {r.choice(BRANCHES)} {month(d)}"),
        ("fees", 3, lambda r, d: f"Honorarios asesoría contable {month(d)}"),
        ("fees", 1, lambda r, d: "Honorarios asesoría legal"),
        ("supplies", 3, lambda r, d: "Compra insumos de aseo"),
        ("supplies", 2, lambda r, d: f"Compra insumos de aseo {r.choice(BRANCHES)}"),
        ("leasing", 2, lambda r, d: "Cuota leasing camioneta"),
        ("leasing", 2, lambda r, d: f"Cuota leasing camioneta {r.choice(PLATES)} cuota {r.randrange(1, 48)}/48"),
        ("tax", 3, lambda r, d: "IVA crédito fiscal"),
        ("tax", 2, lambda r, d: f"IVA débito fiscal {month(d)} {d.year}"),
        ("tax", 1, lambda r, d: "Pago impuesto único trabajadores"),
        ("payroll", 3, lambda r, d: f"Remuneraciones {month(d)} {d.year}"),
        ("payroll", 2, lambda r, d: f"Imposiciones Previred {month(d)}"),
        ("payroll", 1, lambda r, d: f"Provisión vacaciones {month(d)}"),
        ("payroll", 1, lambda r, d: "Colación personal turno noche"),
        ("utilities", 2, lambda r, d: f"Consumo electricidad {r.choice(BRANCHES)}"),
        ("utilities", 1, lambda r, d: f"Consumo agua potable {r.choice(BRANCHES)}"),
        ("utilities", 2, lambda r, d: f"Servicio telefonía e internet {month(d)}"),
        ("vehicles", 2, lambda r, d: "Combustible vehículos reparto"),
        ("vehicles", 1, lambda r, d: f"Peajes autopista {month(d)}"),
        ("bank", 1, lambda r, d: "Comisión mantención cuenta corriente"),
        ("bank", 1, lambda r, d: "Intereses línea de crédito"),
        ("other", 1, lambda r, d: "Gastos notariales"),
        ("other", 1, lambda r, d: f"Depreciación activo fijo {month(d)}"),
        ("other", 2, lambda r, d: f"Caja chica {r.choice(BRANCHES)}"),
        ("other", 1, lambda r, d: f"Reembolso gastos {r.choice(PEOPLE)}"),
        ("other", 1, lambda r, d: "Mantención ascensores edificio"),
        ("other", 1, lambda r, d: "Seguro incendio y sismo"),
        ("other", 1, lambda r, d: f"Patente municipal {r.choice(COMMUNES)} {1 + (d.month > 6)}° semestre"),
        ("other", 1, lambda r, d: "Ajuste diferencia de cambio"),
        ("sales", 2, lambda r, d: f"Venta servicios según boleta {r.randrange(1000, 999999)}"),
    ]


def strip_accents(text: str) -> str:
    """Drop Spanish accents the way people type on a keyboard without them."""
    return text.translate(_UNACCENTED)


_UNACCENTED = str.maketrans("áéíóúÁÉÍÓÚñÑüÜ", "aeiouAEIOUnNuU")


def vary(rng: random.Random, text: str) -> str:
    """Apply the case, accent, punctuation and spacing variations of typed text."""
    case = rng.random()
    if case < 0.35:
        text = text.upper()
    elif case < 0.45:
        text = text.lower()
    elif case < 0.55:
        text = text.title()

    noise = rng.random()
    if noise < 0.12:
        text = strip_accents(text)
    elif noise < 0.20:
        text = text.replace(".", "")
    elif noise < 0.28:
        text = text.replace(" ", "  ", 1)
    elif noise < 0.33:
        text = f" {text}  "
    return text


def format_amount(cents: int) -> str:
    """Format cents with a decimal comma and no thousands separator: 123456,78."""
    return f"{cents // 100},{cents % 100:02d}"


def generate_rows(rows: int, seed: int, suppliers_count: int):
    """Yield (csv_row, json_row, xlsx_row) tuples for `rows` ledger lines."""
    rng = random.Random(seed)
    suppliers = build_suppliers(rng, suppliers_count)
    supplier_weights = [1.0 / (rank + 1) ** 0.6 for rank in range(len(suppliers))]

    with_supplier = supplier_phrases()
    without_supplier = plain_phrases()
    phrases = [(family, weight, True, make) for family, weight, _numbered, make in with_supplier]
    phrases += [(family, weight, False, make) for family, weight, make in without_supplier]
    phrase_weights = [weight for _family, weight, _uses_supplier, _make in phrases]

    lines_per_entry = 3
    entries = max(1, rows // lines_per_entry)
    dates = [FIRST_DATE + timedelta(days=day) for day in range(DAYS_SPANNED)]

    produced = 0
    while produced < rows:
        size = min(CHUNK_ROWS, rows - produced)
        picked_phrases = rng.choices(phrases, weights=phrase_weights, k=size)
        picked_suppliers = rng.choices(suppliers, weights=supplier_weights, k=size)
        picked_centers = rng.choices(COST_CENTERS, k=size)

        for offset in range(size):
            index = produced + offset
            entry = 1 + index // lines_per_entry
            day = dates[min(DAYS_SPANNED - 1, entry * DAYS_SPANNED // entries)]
            family, _weight, uses_supplier, make = picked_phrases[offset]
            supplier_name, supplier_rut = picked_suppliers[offset]

            if uses_supplier:
                description = make(rng, supplier_name, day)
            else:
                description = make(rng, day)
                supplier_rut = ""
            description = vary(rng, description)

            code, account = rng.choice(ACCOUNTS[family])
            cents = int(rng.lognormvariate(13.5, 1.8))
            debit, credit = (cents, 0) if index % lines_per_entry else (0, cents)
            document = f"{DOCUMENT_TYPES[family]}-{rng.randrange(1, 99)}-{rng.randrange(1, 999_999_999):09d}"
            fecha = f"{day.day:02d}/{day.month:02d}/{day.year}"
            center = picked_centers[offset]

            csv_row = (
                fecha, entry, account, code, description,
                format_amount(debit), format_amount(credit), center, supplier_rut, document,
            )
            json_row = (
                fecha, entry, account, code, description,
                debit / 100, credit / 100, center, supplier_rut, document,
            )
            yield csv_row, json_row, (day - EXCEL_EPOCH).days
        produced += size


def size_label(rows: int) -> str:
    """Return the file-name label for a row count: 1000000 -> 1m, 250000 -> 250k."""
    if rows % 1_000_000 == 0:
        return f"{rows // 1_000_000}m"
    if rows % 1000 == 0:
        return f"{rows // 1000}k"
    return str(rows)


class XlsxSink:
    """Streams rows into one worksheet with xlsxwriter's constant_memory mode."""

    def __init__(self, path: Path):
        import xlsxwriter

        self.workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
        self.sheet = self.workbook.add_worksheet("Libro Diario")
        self.date_format = self.workbook.add_format({"num_format": "dd/mm/yyyy"})
        self.amount_format = self.workbook.add_format({"num_format": "#,##0.00"})
        self.sheet.write_row(0, 0, COLUMNS)
        self.next_row = 1

    def write(self, json_row, excel_serial: int) -> None:
        row = self.next_row
        sheet = self.sheet
        sheet.write_number(row, 0, excel_serial, self.date_format)
        sheet.write_number(row, 1, json_row[1])
        sheet.write_string(row, 2, json_row[2])
        sheet.write_string(row, 3, json_row[3])
        sheet.write_string(row, 4, json_row[4])
        sheet.write_number(row, 5, json_row[5], self.amount_format)
        sheet.write_number(row, 6, json_row[6], self.amount_format)
        sheet.write_string(row, 7, json_row[7])
        if json_row[8]:
            sheet.write_string(row, 8, json_row[8])
        sheet.write_string(row, 9, json_row[9])
        self.next_row += 1

    def close(self) -> None:
        self.workbook.close()


class TextSinks:
    """The CSV and JSONL files for one row count."""

    def __init__(self, folder: Path, rows: int):
        label = size_label(rows)
        self.csv_path = folder / f"ledger_{label}.csv"
        self.jsonl_path = folder / f"ledger_{label}.jsonl"
        # Windows-1252 covers every character the vocabulary uses; a character
        # outside it raises UnicodeEncodeError instead of writing a '?'.
        self.csv_file = open(self.csv_path, "w", encoding="cp1252", newline="")
        self.jsonl_file = open(self.jsonl_path, "w", encoding="utf-8", newline="\n")
        self.csv_writer = csv.writer(self.csv_file, delimiter=";", lineterminator="\r\n")
        self.csv_writer.writerow(COLUMNS)

    def write(self, csv_row, json_row) -> None:
        self.csv_writer.writerow(csv_row)
        self.jsonl_file.write(json.dumps(dict(zip(COLUMNS, json_row)), ensure_ascii=False))
        self.jsonl_file.write("\n")

    def close(self) -> None:
        self.csv_file.close()
        self.jsonl_file.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows in the full CSV and JSONL (default 1000000)")
    parser.add_argument("--xlsx-rows", type=int, default=200_000, help="leading rows written to the XLSX; 0 skips it (default 200000)")
    parser.add_argument("--subset-rows", type=int, default=250_000, help="leading rows written to a second CSV/JSONL pair; 0 skips it (default 250000)")
    parser.add_argument("--suppliers", type=int, default=SUPPLIER_NAMES, help=f"distinct supplier names, at most {SUPPLIER_NAMES} (default {SUPPLIER_NAMES})")
    parser.add_argument("--seed", type=int, default=20241204, help="random seed (default 20241204)")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "data", help="output folder (default benches/data)")
    args = parser.parse_args()

    if args.rows <= 0:
        parser.error(f"--rows must be positive, got {args.rows}")
    if not 0 < args.suppliers <= SUPPLIER_NAMES:
        parser.error(f"--suppliers must be between 1 and {SUPPLIER_NAMES}, got {args.suppliers}")
    xlsx_rows = min(args.xlsx_rows, args.rows)
    subset_rows = args.subset_rows if 0 < args.subset_rows < args.rows else 0
    args.out.mkdir(parents=True, exist_ok=True)

    started = time.perf_counter()
    full = TextSinks(args.out, args.rows)
    subset = TextSinks(args.out, subset_rows) if subset_rows else None
    xlsx_path = args.out / f"ledger_{size_label(xlsx_rows)}.xlsx" if xlsx_rows else None
    xlsx = XlsxSink(xlsx_path) if xlsx_path else None

    raw_descriptions: set[str] = set()
    for index, (csv_row, json_row, excel_serial) in enumerate(generate_rows(args.rows, args.seed, args.suppliers)):
        full.write(csv_row, json_row)
        if subset and index < subset_rows:
            subset.write(csv_row, json_row)
        if xlsx and index < xlsx_rows:
            xlsx.write(json_row, excel_serial)
        raw_descriptions.add(csv_row[4])
    text_seconds = time.perf_counter() - started

    full.close()
    if subset:
        subset.close()
    if xlsx:
        xlsx.close()
    write_seconds = time.perf_counter() - started

    keys = {ledger_key(text) for text in raw_descriptions}
    files = [full.csv_path, full.jsonl_path]
    if subset:
        files += [subset.csv_path, subset.jsonl_path]
    if xlsx_path:
        files.append(xlsx_path)

    manifest = {
        "seed": args.seed,
        "rows": args.rows,
        "subset_rows": subset_rows,
        "xlsx_rows": xlsx_rows,
        "columns": COLUMNS,
        "description_column": "Descripción",
        "distinct_raw_descriptions": len(raw_descriptions),
        "distinct_ledger_keys": len(keys),
        "files": {path.name: {"bytes": path.stat().st_size} for path in files},
        "generation_seconds": round(write_seconds, 1),
    }
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    print(f"rows: {args.rows:,}  (seed {args.seed})")
    print(f"distinct raw descriptions: {len(raw_descriptions):,} ({100 * len(raw_descriptions) / args.rows:.1f}%)")
    print(f"distinct ledger keys:      {len(keys):,} ({100 * len(keys) / args.rows:.2f}%)")
    for path in files:
        print(f"{path}: {path.stat().st_size / 1e6:.1f} MB")
    print(f"generated in {write_seconds:.1f} s (rows and text files {text_seconds:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
