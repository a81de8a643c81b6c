"""Deciding like a clerk: answer when one procedure clearly fits, offer a few when several
do, say "not found" only when nothing is close.

A pure function of the ranked scores and the confidence, so the calibration
(``bench/calibrate.py``) can replay it on recorded searches with other thresholds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Decision = Literal["answer", "choose", "abstain"]


@dataclass(frozen=True, slots=True)
class DecisionRule:
    """Thresholds of the decision (set by ``bench/calibrate.py``; see docs/retrieval.md)."""

    abstain_below: float = 0.45  # confidence under which nothing is close: "not found"
    answer_above: float = 0.95  # confidence an answer needs …
    answer_lead: float = 0.2  # … and its lead over the runner-up
    choose_within: float = 0.4  # candidates this close to the top are offered
    max_choices: int = 4
    # English questions read against Vietnamese records score lower (the encoder's
    # cross-lingual cosines, English names that render a name only in part).
    abstain_below_en: float = 0.15
    # A long message read from its request keeps its own words (kinship, places, reasons):
    # less of it is found in any record, so its floor is set apart too.
    abstain_below_long: float = 0.25
    # Under the floor, a Vietnamese question whose top record leads every other by this
    # much is still offered, down to ``rescue_band`` below the floor: one record standing
    # apart is close enough to ask "did you mean …?" rather than say "not found". (English
    # floors are low already, and off-topic English questions lead by as much.)
    rescue_lead: float = 0.25
    rescue_band: float = 0.15
    # A question at least this much nearer (cosine) to a subject the desks don't handle
    # than to any procedure is told "not found" (knowledge/off_catalogue.py).
    off_catalogue_margin: float = 0.0


def floor_of(rule: DecisionRule, language: str, long_message: bool) -> float:
    """The confidence under which a message of this kind is told "not found"."""
    if language == "en":
        return rule.abstain_below_en
    return rule.abstain_below_long if long_message else rule.abstain_below


def decide(
    scores: Sequence[float],
    confidence: float,
    rule: DecisionRule,
    language: str = "vi",
    long_message: bool = False,
) -> tuple[Decision, int]:
    """The decision and how many of the top candidates to offer (0 unless ``choose``)."""
    if not scores:
        return "abstain", 0
    top = scores[0]
    lead = top - scores[1] if len(scores) > 1 else float("inf")
    floor = floor_of(rule, language, long_message)
    if confidence < floor and not _stands_apart(rule, scores, confidence, floor, language):
        return "abstain", 0
    if confidence >= rule.answer_above and lead >= rule.answer_lead:
        return "answer", 0
    close = [s for s in scores[1 : rule.max_choices] if s >= top - rule.choose_within]
    return "choose", min(len(scores), max(2, 1 + len(close)))


def _stands_apart(
    rule: DecisionRule, scores: Sequence[float], confidence: float, floor: float, language: str
) -> bool:
    """Whether a question under the floor is still offered its top record, which leads
    every other by :attr:`DecisionRule.rescue_lead` (Vietnamese questions only)."""
    return (
        language != "en"
        and len(scores) > 1
        and scores[0] - scores[1] >= rule.rescue_lead
        and confidence >= floor - rule.rescue_band
    )
