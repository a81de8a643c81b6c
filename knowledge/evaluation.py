"""Retrieval quality on labelled questions: what citizens get (served right, served wrong,
abstained, out-of-scope held), ranking (top-1, recall@3, MRR) and latency."""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from knowledge.retriever import Retriever

Half = Literal["tune", "held"]


@dataclass(frozen=True, slots=True)
class LabelledQuestion:
    question: str
    codes: tuple[str, ...]  # acceptable procedure codes; empty = out of scope
    tags: tuple[str, ...] = ()
    id: str = ""


@dataclass(frozen=True, slots=True)
class Outcome:
    question: LabelledQuestion
    ranked: tuple[str, ...]
    decision: str
    latency_ms: float
    choices: tuple[str, ...] = ()
    confidence: float = 0.0
    scores: tuple[float, ...] = ()

    @property
    def rank(self) -> int | None:
        """1-based rank of the first acceptable code, or None."""
        for i, code in enumerate(self.ranked, start=1):
            if code in self.question.codes:
                return i
        return None

    @property
    def served_right(self) -> bool:
        """An acceptable procedure was answered, or is among the choices shown."""
        codes = self.question.codes
        if self.decision == "answer":
            return bool(self.ranked) and self.ranked[0] in codes
        return self.decision == "choose" and any(c in codes for c in self.choices)

    @property
    def served_wrong(self) -> bool:
        """Answered confidently with a procedure that is not acceptable (or, out of scope,
        answered at all)."""
        if self.decision != "answer":
            return False
        return (
            not self.question.codes or not self.ranked or self.ranked[0] not in self.question.codes
        )

    def details(self) -> dict:
        """One line of ``eval --details``."""
        return {
            "id": self.question.id,
            "decision": self.decision,
            "served_right": self.served_right if self.question.codes else None,
            "top5": list(self.ranked[:5]),
            "choices": list(self.choices),
            "codes": list(self.question.codes),
            "confidence": round(self.confidence, 3),
            "scores": [round(x, 4) for x in self.scores[:5]],
            "latency_ms": round(self.latency_ms, 2),
        }


def half_of(question_id: str) -> Half:
    """The fixed half a question belongs to: ``tune`` (read while tuning) or ``held`` (never
    read while tuning, only measured). A hash of the id, so the split never moves."""
    digest = hashlib.sha256(question_id.encode("utf-8")).digest()
    return "tune" if digest[0] % 2 == 0 else "held"


def read_questions(path: str | Path) -> list[LabelledQuestion]:
    """Read JSONL lines ``{"id": …, "question": …, "codes": […], "tags": […]}``."""
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
                        str(row.get("id") or f"line-{number}"),
                    )
                )
            except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
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
        for variant in range(variants):
            cut = draw.randrange(1, len(text) - 1)
            typo = text[:cut] + text[cut + 1 :]
            typed.append(
                LabelledQuestion(
                    typo, question.codes, (*question.tags, "typo"), f"{question.id}~{variant}"
                )
            )
    return typed


def run(retriever: Retriever, questions: Iterable[LabelledQuestion], k: int = 10) -> list[Outcome]:
    """Search every question once and time it."""
    outcomes = []
    for question in questions:
        started = time.perf_counter()
        result = retriever.search(question.question, k=k)
        elapsed = (time.perf_counter() - started) * 1000
        ranked = tuple(h.procedure.code for h in result.hits)
        choices = tuple(h.procedure.code for h in result.choices)
        outcomes.append(
            Outcome(
                question,
                ranked,
                result.decision,
                elapsed,
                choices,
                result.confidence,
                tuple(h.score for h in result.hits),
            )
        )
    return outcomes


def metrics(outcomes: list[Outcome]) -> dict[str, float | int | None]:
    """The summary the eval command prints; rates are None where there is nothing to rate.

    Over in-scope questions: ``served_right`` (answered right, or the right one among the
    choices), ``served_wrong`` (answered with a wrong one), ``abstained`` ("not found"
    although a procedure exists). Over out-of-scope questions: ``oos_held`` (abstained).
    """
    in_scope = [o for o in outcomes if o.question.codes]
    oos = [o for o in outcomes if not o.question.codes]

    def share(items: list[Outcome], test: Callable[[Outcome], bool]) -> float | None:
        return round(sum(1 for o in items if test(o)) / len(items), 4) if items else None

    latencies = np.array([o.latency_ms for o in outcomes]) if outcomes else np.zeros(1)
    return {
        "n": len(outcomes),
        "served_right": share(in_scope, lambda o: o.served_right),
        "served_wrong": share(in_scope, lambda o: o.served_wrong),
        "abstained": share(in_scope, lambda o: o.decision == "abstain"),
        "oos_held": share(oos, lambda o: o.decision == "abstain"),
        "top1": share(in_scope, lambda o: o.rank == 1),
        "recall3": share(in_scope, lambda o: o.rank is not None and o.rank <= 3),
        "mrr": round(sum(1 / o.rank for o in in_scope if o.rank) / len(in_scope), 4)
        if in_scope
        else None,
        "p50_ms": round(float(np.percentile(latencies, 50)), 2),
        "p99_ms": round(float(np.percentile(latencies, 99)), 2),
    }


def metrics_by_tag(outcomes: list[Outcome]) -> dict[str, dict[str, float | int | None]]:
    """:func:`metrics` for each tag that questions carry."""
    tags = sorted({t for o in outcomes for t in o.question.tags})
    return {tag: metrics([o for o in outcomes if tag in o.question.tags]) for tag in tags}


def write_details(outcomes: Iterable[Outcome], path: str | Path) -> None:
    """One JSON line per question: id, decision, top-5 codes, choices shown, latency."""
    with open(path, "w", encoding="utf-8") as handle:
        for outcome in outcomes:
            handle.write(json.dumps(outcome.details(), ensure_ascii=False) + "\n")
