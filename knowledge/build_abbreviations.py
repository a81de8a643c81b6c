"""Generate ``knowledge/data/abbreviations.tsv``: the abbreviations the catalogue defines.

The package reads only the generated file; this module is how it was made (and how to remake
it)::

    python -m knowledge.build_abbreviations ../shared/catalogue/dvc-national-2026.jsonl.gz

Every record's page text (``raw_text``, else its fields) is read for the abbreviations it writes
("BHXH", "TNLĐ", "QSDĐ"): runs of capitals, legal references ("13/2023/NĐ-CP") left out. An
abbreviation's candidate words are the runs of words in the same record, within one clause,
whose initials spell it ("bảo hiểm xã hội"; a small letter after a capital may continue the
initial, "Ng" → "người"); a run inside a longer one that spells another abbreviation of the
record ("nạn lao động" inside "tai nạn lao động" for TNLĐ) is not one. Support is the number
of records where both occur, plus the number of inline definitions ("… bảo hiểm y tế (BHYT)",
"UBND (Ủy ban nhân dân)", "(sau đây gọi tắt là NNT)"). A pair is kept when its support is at
least :data:`MIN_SUPPORT`, it has :data:`MARGIN` times the support of the abbreviation's next
candidate (no conflict: "NN" is "nông nghiệp" as often as "nước ngoài", so neither), and the
abbreviation is not itself shaped like a Vietnamese syllable ("VAN", "CO": words citizens type).
"""

from __future__ import annotations

import argparse
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from knowledge.abbreviations import (
    ABBREVIATION,
    LEGAL_REFERENCE,
    Pair,
    initial_key,
    spelt_lengths,
)
from knowledge.function_words import ACCENTED_FUNCTION_WORDS
from knowledge.portal_import import crawl_records
from knowledge.spelling import SYLLABLE_SHAPE
from knowledge.text import fold, normalize, visible_nfc

OUTPUT = Path(__file__).with_name("data") / "abbreviations.tsv"
SOURCE = Path(__file__).resolve().parents[2] / "shared/catalogue/dvc-national-2026.jsonl.gz"

MIN_SUPPORT = 2  # records with both forms, plus inline definitions
MARGIN = 2.0  # the kept expansion's support over the next candidate's
# Two letters spell too many word pairs ("TT": thủ tục, thông tư, thông tin): kept only when
# the catalogue defines them inline or the next candidate is far behind.
SHORT_MARGIN = 3.0
SHORT_MIN_SUPPORT = 5
# A word written after one same word this often is the tail of a compound ("sung" of "bổ
# sung", "tin" of "thông tin"): no run of words that spells an abbreviation starts there; nor
# ends on a word this often followed by one same word ("tổ" of "tổ chức"). A run seen in only
# MIN_SUPPORT records is held to WEAK_BOUND ("nhiệm" follows "trách" 59 % of the time).
BOUND = 0.7
WEAK_BOUND = 0.5
BOUND_MIN_COUNT = 20

_CLAUSE = re.compile(r"[.,;:!?()\[\]{}\"“”/\n\t]+|\s[-–]\s")
_WORD = re.compile(r"[^\W\d_]+")
# Table cells run together in the crawl ("Hợp tác xãCơ quan"): a capital right after two small
# letters starts a new word.
_LOWER = "".join(c for c in map(chr, range(0x61, 0x1EFA)) if c.islower() and c.isalpha())
_UPPER = "".join(c for c in map(chr, range(0x41, 0x1EFA)) if c.isupper() and c.isalpha())
_GLUED = re.compile(f"(?<=[{_LOWER}]{{2}})(?=[{_UPPER}])")
_DEFINED_AFTER = re.compile(
    r"\((?:sau đây )?(?:(?:gọi|viết) tắt (?:là )?)?((?:[A-ZĐ][a-zđ]?)+[A-ZĐ])\)"
)
_DEFINED_BEFORE = re.compile(r"(?<!\w)((?:[A-ZĐ][a-zđ]?)+[A-ZĐ]) \(([^()]{3,160})\)")


def record_texts(path: Path) -> Iterator[str]:
    """Each crawl record's page text (its fields joined when the page text is missing)."""
    for record in crawl_records(path):
        yield record.get("raw_text") or "\n".join(
            str(v) for k, v in record.items() if isinstance(v, str) and k != "detail_url"
        )


def prepared(text: str) -> str:
    """A record's text ready to scan: NFC, glued cells split, legal references cut out."""
    text = _GLUED.sub(" ", visible_nfc(text))
    return "\n".join(normalize(LEGAL_REFERENCE.sub("\n", line)) for line in text.splitlines())


class _Counts:
    """Evidence gathered over the records."""

    def __init__(self) -> None:
        self.together: dict[str, Counter[str]] = {}  # abbreviation → expansion key → records
        self.defined: dict[str, Counter[str]] = {}  # abbreviation → expansion key → definitions
        self.spellings: dict[str, Counter[str]] = {}  # expansion key → written forms
        self.words: Counter[str] = Counter()  # folded words, for compounds' bounds
        self.pairs_seen: Counter[tuple[str, str]] = Counter()

    def add_record(self, text: str) -> None:
        written = {a for a in ABBREVIATION.findall(text) if sum(c.isupper() for c in a) >= 2}
        clauses = [_WORD.findall(clause) for clause in _CLAUSE.split(text)]
        for words in clauses:
            folded = [fold(w) for w in words]
            self.words.update(folded)
            self.pairs_seen.update(itertools.pairwise(folded))
        if not written:
            return
        by_initial: dict[str, list[str]] = {}
        for abbreviation in written:
            by_initial.setdefault(abbreviation[0].lower(), []).append(abbreviation)
        found: set[tuple[str, str]] = set()
        for words in clauses:
            for abbreviation, start, end in _spans(words, by_initial):
                key = self._key(words[start:end])
                found.add((abbreviation, key))
        for abbreviation, key in found:
            self.together.setdefault(abbreviation, Counter())[key] += 1
        for abbreviation, words in _definitions(text):
            key = self._key(words)
            self.defined.setdefault(abbreviation, Counter())[key] += 1

    def _key(self, words: list[str]) -> str:
        form = " ".join(w.lower() for w in words)
        key = fold(form)
        self.spellings.setdefault(key, Counter())[form] += 1
        return key

    def _bound(self) -> tuple[dict[str, float], dict[str, float]]:
        """For each common word, the share of its occurrences that follow its commonest
        predecessor, and the share that precede its commonest successor."""
        before: Counter[str] = Counter()
        after: Counter[str] = Counter()
        for (left, right), n in self.pairs_seen.items():
            before[right] = max(before[right], n)
            after[left] = max(after[left], n)
        common = {w: n for w, n in self.words.items() if n >= BOUND_MIN_COUNT}
        return (
            {w: before[w] / n for w, n in common.items()},
            {w: after[w] / n for w, n in common.items()},
        )

    def _whole(self, key: str, support: int, bounds: tuple[dict[str, float], ...]) -> bool:
        """Whether a run of words may be an abbreviation's words: it neither starts nor ends
        inside a compound or on a function word (a run seen only :data:`MIN_SUPPORT` times
        must start on a word that is mostly free on its left)."""
        written = self.spellings[key].most_common(1)[0][0].split()
        if written[0] in ACCENTED_FUNCTION_WORDS or written[-1] in ACCENTED_FUNCTION_WORDS:
            return False
        to_left, to_right = bounds
        words = key.split()
        left = WEAK_BOUND if support <= MIN_SUPPORT else BOUND
        return to_left.get(words[0], 0.0) < left and to_right.get(words[-1], 0.0) < BOUND

    def pairs(self) -> list[Pair]:
        kept = []
        bounds = self._bound()
        for abbreviation in sorted(set(self.together) | set(self.defined)):
            together = self.together.get(abbreviation, Counter())
            defined = self.defined.get(abbreviation, Counter())
            support = Counter(
                {key: n for key, n in (together + defined).items() if self._whole(key, n, bounds)}
            )
            if not support:
                continue
            ranked = support.most_common(2)
            key, best = ranked[0]
            runner_up = ranked[1][1] if len(ranked) > 1 else 0
            short = len(abbreviation) == 2
            enough = SHORT_MIN_SUPPORT if short and not defined[key] else MIN_SUPPORT
            margin = SHORT_MARGIN if short else MARGIN
            if best < enough or best < margin * runner_up:
                continue
            if SYLLABLE_SHAPE.match(fold(abbreviation)) or len(key.split()) < 2:
                continue
            spelling = self.spellings[key].most_common(1)[0][0]
            kept.append(Pair(abbreviation, spelling, together[key], defined[key]))
        return kept


def _spans(words: list[str], by_initial: dict[str, list[str]]) -> Iterator[tuple[str, int, int]]:
    """Runs of ``words`` spelling one of the abbreviations, those inside a longer run that
    spells another left out."""
    keys = [initial_key(w) for w in words]
    spans: list[tuple[str, int, int]] = []
    for start, key in enumerate(keys):
        if words[start].isupper() and len(words[start]) > 1:
            continue
        for abbreviation in by_initial.get(key[:1], ()):
            window = keys[start : start + len(abbreviation)]
            for size in spelt_lengths(abbreviation, window):
                run = words[start : start + size]
                if not any(w.isupper() and len(w) > 1 for w in run):
                    spans.append((abbreviation, start, start + size))
    for abbreviation, start, end in spans:
        inside = any(
            other != abbreviation and s <= start and end <= e and (s, e) != (start, end)
            for other, s, e in spans
        )
        if not inside:
            yield abbreviation, start, end


def _definitions(text: str) -> Iterator[tuple[str, list[str]]]:
    """Inline definitions: "… words (ABBR)", "(sau đây gọi tắt là ABBR)", "ABBR (words …)"."""
    for match in _DEFINED_AFTER.finditer(text):
        abbreviation = match.group(1)
        before = _CLAUSE.split(text[max(0, match.start() - 200) : match.start()])[-1]
        keys_words = _WORD.findall(before)
        for start in range(len(keys_words)):
            tail = keys_words[start:]
            if len(tail) in spelt_lengths(abbreviation, [initial_key(w) for w in tail]):
                yield abbreviation, tail
                break
    for match in _DEFINED_BEFORE.finditer(text):
        abbreviation = match.group(1)
        inside = _WORD.findall(match.group(2))
        sizes = spelt_lengths(abbreviation, [initial_key(w) for w in inside])
        if sizes:
            yield abbreviation, inside[: sizes[-1]]


def learn(texts: Iterable[str]) -> list[Pair]:
    """The abbreviation pairs the texts (one per record) define, by the rules above."""
    counts = _Counts()
    for text in texts:
        counts.add_record(prepared(text))
    return counts.pairs()


HEADER = """\
# Abbreviations the national procedure catalogue writes, and the words they stand for.
# Generated by knowledge/build_abbreviations.py from the national catalogue crawl
# (shared/catalogue/dvc-national-2026.jsonl.gz, 2,642 records of the National Public Service
# Portal): derived from the official records' own text, nothing written by hand.
# abbreviation<TAB>words<TAB>records with both forms<TAB>inline definitions
"""


def render(pairs: list[Pair]) -> str:
    """The data file's text."""
    lines = [HEADER.rstrip("\n")]
    lines += [f"{p.abbreviation}\t{p.expansion}\t{p.records}\t{p.defined}" for p in pairs]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, nargs="?", default=SOURCE)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    pairs = learn(record_texts(args.source))
    args.output.write_text(render(pairs), encoding="utf-8")
    print(f"{len(pairs)} abbreviations -> {args.output}")


if __name__ == "__main__":
    main()
