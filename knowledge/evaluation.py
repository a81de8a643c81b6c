"""Retrieval quality on labelled questions: top-1, recall@3, MRR, abstention, latency."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from knowledge.retriever import Retriever


@dataclass(frozen=True, slots=True)
class LabelledQuestion:
    question: str
    codes: tuple[str, ...]  # acceptable procedure codes; empty = out of scope
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Outcome:
    question: LabelledQuestion
    ranked: tuple[str, ...]
    decision: str
    latency_ms: float

    @property
    def rank(self) -> int | None:
        """1-based rank of the first acceptable code, or None."""
        for i, code in enumerate(self.ranked, start=1):
            if code in self.question.codes:
                return i
        return None


def read_questions(path: str | Path) -> list[LabelledQuestion]:
    """Read JSONL lines ``{"question": …, "codes": […], "tags": […]}``."""
    questions = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                questions.append(
                    LabelledQuestion(
                        str(row["question"]),
                        tuple(row.get("codes") or ()),
                        tuple(row.get("tags") or ()),
                    )
                )
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{number}: bad question line ({exc})") from exc
    return questions


def with_typos(
    questions: Iterable[LabelledQuestion], variants: int = 5, seed: int = 7
) -> list[LabelledQuestion]:
    """Each question ``variants`` times with one character dropped at a random place (a
    seeded draw, the same every run): how citizens' typos hit retrieval."""
    draw = random.Random(seed)
    typed = []
    for question in questions:
        text = question.question
        if len(text) < 4:
            continue
        for _ in range(variants):
            cut = draw.randrange(1, len(text) - 1)
            typo = text[:cut] + text[cut + 1 :]
            typed.append(LabelledQuestion(typo, question.codes, (*question.tags, "typo")))
    return typed


def run(retriever: Retriever, questions: Iterable[LabelledQuestion], k: int = 10) -> list[Outcome]:
    """Search every question once and time it."""
    outcomes = []
    for question in questions:
        started = time.perf_counter()
        result = retriever.search(question.question, k=k)
        elapsed = (time.perf_counter() - started) * 1000
        ranked = tuple(h.procedure.code for h in result.hits)
        outcomes.append(Outcome(question, ranked, result.decision, elapsed))
    return outcomes


def metrics(outcomes: list[Outcome]) -> dict[str, float | int | None]:
    """The summary the eval command prints; rates are None where there is nothing to rate."""
    in_scope = [o for o in outcomes if o.question.codes]
    oos = [o for o in outcomes if not o.question.codes]

    def share(items: list[Outcome], test: Callable[[Outcome], bool]) -> float | None:
        return round(sum(1 for o in items if test(o)) / len(items), 4) if items else None

    latencies = np.array([o.latency_ms for o in outcomes]) if outcomes else np.zeros(1)
    return {
        "n": len(outcomes),
        "top1": share(in_scope, lambda o: o.rank == 1),
        "recall3": share(in_scope, lambda o: o.rank is not None and o.rank <= 3),
        "mrr": round(sum(1 / o.rank for o in in_scope if o.rank) / len(in_scope), 4)
        if in_scope
        else None,
        "abstain_oos": share(oos, lambda o: o.decision == "abstain"),
        "false_abstain": share(in_scope, lambda o: o.decision == "abstain"),
        "p50_ms": round(float(np.percentile(latencies, 50)), 2),
        "p99_ms": round(float(np.percentile(latencies, 99)), 2),
    }


def metrics_by_tag(outcomes: list[Outcome]) -> dict[str, dict[str, float | int | None]]:
    """:func:`metrics` for each tag that questions carry."""
    tags = sorted({t for o in outcomes for t in o.question.tags})
    return {tag: metrics([o for o in outcomes if tag in o.question.tags]) for tag in tags}
