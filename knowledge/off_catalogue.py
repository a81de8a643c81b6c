"""Questions nearer to what the desks don't handle than to any procedure of the catalogue.

``data/off_catalogue.tsv`` describes, in the team's own words, subjects citizens bring to the
desks that no procedure of the catalogue covers: chit-chat, health, schools, jobs, welfare,
visas for other countries, trademarks, the portal's own account. Each description is embedded
as a passage, like a procedure. A question whose vector is closer to one of them than to
every procedure, by at least a margin calibrated on questions derived from the catalogue
(``bench/calibrate.py``), gets "not found" with that topic instead of a guess.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from knowledge.dense import Encoder, cached_passage_embeddings


@dataclass(frozen=True, slots=True)
class OffCatalogueMatch:
    """The off-catalogue subject nearest to a question, and by how much it beats the
    nearest procedure (cosine difference; positive: the subject is nearer)."""

    topic: str
    margin: float
    votes: int = 1  # how many of the nearest descriptions name this topic


def parse_descriptions(text: str) -> list[tuple[str, str]]:
    """``topic<TAB>description`` lines (``#`` comments and blank lines skipped)."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        topic, _, description = line.partition("\t")
        if not topic.strip() or not description.strip():
            raise ValueError(f"off-catalogue line {number}: expected 'topic<TAB>description'")
        found.append((topic.strip(), description.strip()))
    return found


@lru_cache(maxsize=1)
def default_descriptions() -> tuple[tuple[str, str], ...]:
    """The descriptions shipped with the package."""
    text = resources.files("knowledge").joinpath("data/off_catalogue.tsv").read_text("utf-8")
    return tuple(parse_descriptions(text))


class OffCatalogue:
    """The embedded descriptions of one encoder, compared with a question's vector."""

    def __init__(
        self,
        encoder: Encoder,
        cache_dir: Path | None,
        descriptions: tuple[tuple[str, str], ...] | None = None,
    ) -> None:
        entries = descriptions if descriptions is not None else default_descriptions()
        self.topics = [topic for topic, _ in entries]
        self.vectors = cached_passage_embeddings(encoder, [text for _, text in entries], cache_dir)

    def nearest(
        self, query_vector: np.ndarray, best_procedure: float, voters: int = 3
    ) -> OffCatalogueMatch | None:
        """How much nearer ``query_vector`` is to the nearest description than to the nearest
        procedure (cosine ``best_procedure``), and its topic: the one most of the ``voters``
        nearest descriptions share (the nearest on a tie), since one description's wording
        ("không … được") can pull a question that the rest place elsewhere."""
        if not self.topics:
            return None
        cosines = self.vectors @ query_vector
        order = np.argsort(-cosines)[:voters]
        votes = Counter(self.topics[i] for i in order)
        most = max(votes.values())
        topic = next(self.topics[i] for i in order if votes[self.topics[i]] == most)
        return OffCatalogueMatch(topic, float(cosines[order[0]]) - best_procedure, most)
