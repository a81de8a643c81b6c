"""Wiring: settings → catalogue, retriever, store, engine. Used by the CLI and the server."""

from __future__ import annotations

from bot.conversation.engine import Engine
from bot.shell.config import Settings
from feedback.store import Store
from knowledge.catalogue_files import load_catalogue
from knowledge.dense import load_encoder
from knowledge.encoder_guard import bounded
from knowledge.retriever import Retriever


def build_retriever(settings: Settings, guarded: bool = True) -> Retriever:
    """The retriever over the active catalogue, with the configured encoder. A server's is
    ``guarded``: at most ``settings.encoder_queue`` questions encoded at once and a budget of
    long ones a minute, others answered lexical-only (``knowledge.encoder_guard``); an
    evaluation's is not, so that it measures every question as a free encoder answers it."""
    catalogue = load_catalogue(settings.active_catalogue())
    encoder = load_encoder(settings.encoder)
    if guarded:
        encoder = bounded(encoder, settings.encoder_queue)
    return Retriever(catalogue, encoder, settings.cache_dir)


def build_engine(settings: Settings, retriever: Retriever | None = None) -> Engine:
    """The conversation engine on the configured store (SQLite by default)."""
    return Engine(
        retriever or build_retriever(settings),
        Store(settings.database),
        office_hours=settings.office_hours,
    )
