"""Topics outside what the one-stop desks handle (``data/out_of_scope.tsv``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from knowledge.lexicon import Lexicon
from knowledge.text import syllables


@dataclass(frozen=True, slots=True)
class OutOfScopeTopic:
    """A topic another agency handles, and where the citizen should go instead."""

    topic: str
    referral: str


class ScopeRules:
    """Finds out-of-scope topics in a query's folded syllables."""

    def __init__(self, lexicon: Lexicon, topics: dict[str, OutOfScopeTopic]):
        self._lexicon = lexicon
        self._topics = topics

    @classmethod
    def parse(cls, text: str) -> ScopeRules:
        """Build from TSV text: ``phrase<TAB>topic<TAB>referral`` (referral may be empty)."""
        entries: dict[tuple[str, ...], tuple[str, ...]] = {}
        topics: dict[str, OutOfScopeTopic] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) < 2 or not syllables(parts[0]) or not parts[1].strip():
                raise ValueError(f"out-of-scope line {number}: expected 'phrase<TAB>topic'")
            topic = parts[1].strip()
            referral = parts[2].strip() if len(parts) > 2 else ""
            entries[tuple(syllables(parts[0]))] = (topic,)
            if referral or topic not in topics:
                topics[topic] = OutOfScopeTopic(topic, referral)
        return cls(Lexicon(entries), topics)

    def topic(self, name: str) -> OutOfScopeTopic:
        """The topic called ``name``, with its referral when the rules give one."""
        return self._topics.get(name) or OutOfScopeTopic(name, "")

    def find(self, tokens: list[str]) -> tuple[list[OutOfScopeTopic], set[int]]:
        """Out-of-scope topics mentioned in ``tokens`` (in order, without repeats) and the
        token positions their phrases occupy."""
        hits = self._lexicon.find(tokens)
        names = dict.fromkeys(hit.expansions[0] for hit in hits)
        positions = {i for hit in hits for i in range(hit.start, hit.end)}
        return [self._topics[name] for name in names], positions


@lru_cache(maxsize=1)
def default_scope_rules() -> ScopeRules:
    """The rules shipped with the package."""
    text = resources.files("knowledge").joinpath("data/out_of_scope.tsv").read_text("utf-8")
    return ScopeRules.parse(text)
