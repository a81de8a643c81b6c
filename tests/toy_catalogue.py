"""Hand-made catalogues for ranking tests: records that differ in one thing only."""

from collections.abc import Iterable

from knowledge.retriever import Retriever
from knowledge.schema import Catalogue, Procedure


def catalogue_of(names: Iterable[str]) -> Catalogue:
    """A catalogue of commune-level records with these names (codes 9.000, 9.001, …)."""
    return Catalogue(
        [Procedure(f"9.{i:03d}", name, ("commune",), "Thử") for i, name in enumerate(names)]
    )


def top_name(retriever: Retriever, question: str) -> str:
    """The name of the record ranked first for ``question``."""
    return retriever.search(question).hits[0].procedure.name
