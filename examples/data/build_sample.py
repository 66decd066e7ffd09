"""Build examples/data/auxiliares.zip and examples/data/ground_truth.csv from the real sample.

The descriptions and codes are real (ChileCompra's UNSPSC catalogue, see SOURCE.md). Dates,
amounts, cost centres, suppliers, the repeated ledger lines and their spelling variants are
invented here to look like the ledger exports users send. The output is deterministic.

Usage: .venv/bin/python examples/data/build_sample.py [SOURCE_CSV]
Needs the `xlsxwriter` package (make installs it into .venv).
"""

import csv
import datetime as dt
import io
import json
import random
import sys
import zipfile
from pathlib import Path

import xlsxwriter

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = HERE.parents[1] / ".." / "shared" / "data" / "chilecompra" / "rubros_onu_muestra.csv"
ZIP_TIME = (2024, 12, 31, 18, 0, 0)
COST_CENTRES = ["ADM-01", "OPE-02", "MKT-03", "TI-04", "LOG-05"]
SUPPLIERS = ["Comercial Andes Ltda.", "Distribuidora Sur S.A.", "Insumos del Pacífico SpA",
             "Ferretería O'Higgins", "Servicios Integrales Ñuble"]


def read_source(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    for index, row in enumerate(rows):
        row["split"] = "train" if index % 2 == 0 else "test"
    return rows


def spelling_variant(text, rng):
    """A repeated ledger line is often typed differently: upper case, extra spaces."""
    choice = rng.randrange(3)
    if choice == 0:
        return text.upper()
    if choice == 1:
        return "  " + text.replace(" ", "  ") + " "
    return text.lower()


def ledger_lines(rows, rng):
    """Each catalogue row once, plus a repeat with other date/amount for about a third."""
    lines = []
    for row in rows:
        lines.append((row, row["nombreproducto_onu"]))
        if rng.random() < 0.33:
            lines.append((row, spelling_variant(row["nombreproducto_onu"], rng)))
    rng.shuffle(lines)
    out = []
    start = dt.date(2024, 1, 1)
    for row, description in lines:
        out.append({
            "date": start + dt.timedelta(days=rng.randrange(366)),
            "code": row["idproducto_onu"],
            "description": description,
            "amount": round(rng.uniform(1_000, 2_500_000), 0) if rng.random() < 0.5
            else round(rng.uniform(1_000, 2_500_000), 2),
            "cost_centre": rng.choice(COST_CENTRES),
            "supplier": rng.choice(SUPPLIERS),
        })
    return out


def spanish_amount(value):
    text = f"{value:,.2f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def build_csv(lines):
    """Windows-1252, `;`, CRLF, decimal comma: what Excel in a Spanish locale saves."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Fecha", "Código", "Descripción", "Monto", "Centro de costo"])
    for line in lines:
        writer.writerow([line["date"].strftime("%d/%m/%Y"), line["code"], line["description"],
                         spanish_amount(line["amount"]), line["cost_centre"]])
    return buffer.getvalue().encode("cp1252")


def build_xlsx(first_half, second_half):
    """Two sheets, each with a report title and a blank row above the header."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    workbook.set_properties({"created": dt.datetime(2024, 12, 31, 18, 0, 0)})
    bold = workbook.add_format({"bold": True})
    date_format = workbook.add_format({"num_format": "dd-mm-yyyy"})
    money = workbook.add_format({"num_format": "#,##0.00"})
    for name, lines in (("Enero-Junio", first_half), ("Julio-Diciembre", second_half)):
        sheet = workbook.add_worksheet(name)
        sheet.write(0, 0, f"Libro auxiliar de servicios 2024 - {name}", bold)
        headers = ["Fecha", "Cuenta", "Glosa", "Importe", "Proveedor"]
        for column, header in enumerate(headers):
            sheet.write(2, column, header, bold)
        for offset, line in enumerate(lines):
            row = 3 + offset
            sheet.write_datetime(row, 0, dt.datetime.combine(line["date"], dt.time()), date_format)
            sheet.write_string(row, 1, line["code"])
            sheet.write_string(row, 2, line["description"])
            sheet.write_number(row, 3, line["amount"], money)
            sheet.write_string(row, 4, line["supplier"])
    workbook.close()
    return buffer.getvalue()


def build_jsonl(lines):
    out = io.StringIO()
    for line in lines:
        record = {"fecha": line["date"].isoformat(), "codigo": line["code"],
                  "detalle": line["description"], "monto": line["amount"],
                  "proveedor": {"nombre": line["supplier"], "centro_costo": line["cost_centre"]}}
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return out.getvalue().encode("utf-8")


class LegacyNameInfo(zipfile.ZipInfo):
    """An entry whose name is CP437 without the UTF-8 flag, as Windows' built-in zipper writes."""

    def _encodeFilenameFlags(self):
        return self.filename.encode("cp437"), self.flag_bits & ~0x800


def build_zip(entries):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data, legacy_name in entries:
            info_type = LegacyNameInfo if legacy_name else zipfile.ZipInfo
            info = info_type(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def main():
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SOURCE
    rows = read_source(source)
    rng = random.Random(2024)
    lines = ledger_lines(rows, rng)

    third = len(lines) // 3
    csv_lines, xlsx_lines, jsonl_lines = lines[:third], lines[third:2 * third], lines[2 * third:]
    half = len(xlsx_lines) // 2

    entries = [
        ("contabilidad/auxiliar_compras_año_2024.csv", build_csv(csv_lines), True),
        ("contabilidad/auxiliar_servicios_2024.xlsx",
         build_xlsx(xlsx_lines[:half], xlsx_lines[half:]), False),
        ("tesorería/movimientos_2024.jsonl", build_jsonl(jsonl_lines), False),
        ("__MACOSX/contabilidad/._auxiliar_servicios_2024.xlsx", b"\x00\x05\x16\x07", False),
        ("contabilidad/.DS_Store", b"\x00\x00\x00\x01Bud1", False),
    ]
    (HERE / "auxiliares.zip").write_bytes(build_zip(entries))

    with open(HERE / "ground_truth.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\n")
        writer.writerow(["codigo", "nombre_nivel1", "nombre_nivel2", "nombre_nivel3", "split"])
        for row in rows:
            writer.writerow([row["idproducto_onu"], row["nombre_nivel1"], row["nombre_nivel2"],
                             row["nombre_nivel3"], row["split"]])

    print(f"{len(lines)} ledger lines: csv {len(csv_lines)}, xlsx {len(xlsx_lines)} "
          f"({half} + {len(xlsx_lines) - half}), jsonl {len(jsonl_lines)}; "
          f"{len(rows)} ground-truth codes")


if __name__ == "__main__":
    main()
