"""Fidelity of answer cards to the national record, per field.

Renders the full answer card of every national record (through the importer) and of every
procedure of the embedded catalogue, and checks each fee, time, document and place line
against the record's raw text (knowledge/fidelity.py). Prints the share of lines that pass.

    .venv/bin/python bench/fidelity.py [--national PATH] [--examples N]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from knowledge.answer_card import build_card
from knowledge.catalogue_files import embedded_catalogue
from knowledge.fidelity import FIELDS, check_catalogue
from knowledge.portal_import import crawl_records, procedure_from_record

DEFAULT = Path(__file__).resolve().parents[1] / "../shared/catalogue/dvc-national-2026.jsonl.gz"


def records(path: Path) -> dict[str, dict]:
    return {r["ma_thu_tuc"]: r for r in reversed(list(crawl_records(path)))}


def render(procedure) -> list[tuple[str, tuple[str, ...]]]:
    card = build_card(procedure, None, "vi")
    return [(s.facet, s.lines) for s in card.sections]


def main() -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--national", type=Path, default=DEFAULT)
    args.add_argument("--examples", type=int, default=0, help="failures to print per field")
    opts = args.parse_args()
    if not opts.national.exists():
        print(f"national crawl not found: {opts.national}", file=sys.stderr)
        return 2
    by_code = records(opts.national)
    sets = {
        "national (2,642 records)": [(procedure_from_record(r), r) for r in by_code.values()],
        "embedded (82 procedures)": [(p, by_code[p.code]) for p in embedded_catalogue()],
    }
    for name, pairs in sets.items():
        report = check_catalogue(pairs, render)
        print(f"{name}:")
        for field in FIELDS:
            checked, failed = report.checked[field], report.failed[field]
            print(f"  {field:<15} {report.rate(field):7.2%}  ({checked - failed}/{checked})")
            for code, _, detail in report.failures(field)[: opts.examples]:
                print(f"      {code}: {detail}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
