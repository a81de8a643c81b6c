"""Follow-ups stay on the procedure being discussed; only naming another procedure moves on.

A matrix: procedures picked from the embedded catalogue × facet phrasings (as citizens type
them, with and without accents). After an answer, each phrasing must answer the asked facet of
the same procedure. On SQLite and PostgreSQL (the ``store`` fixture).
"""

from __future__ import annotations

from bot.conversation.engine import Engine
from knowledge.answer_card import build_card
from knowledge.catalogue_files import embedded_catalogue
from knowledge.facets import Facet
from knowledge.text import fold
from tests.conftest import Chat

# How citizens ask about one facet of what they were just told, and the facet it asks.
PHRASINGS: list[tuple[str, Facet]] = [
    ("nộp online được không", "online"),
    ("lệ phí bao nhiêu", "fee"),
    ("cần giấy tờ gì", "documents"),
    ("mất bao lâu", "time"),
    ("ở đâu", "place"),
    ("mẫu đơn", "documents"),
    ("có phải đóng tiền không", "fee"),
    ("bao lâu thì có kết quả", "time"),
    ("nộp hồ sơ ở đâu vậy", "place"),
    ("làm trực tuyến được không ạ", "online"),
    ("hồ sơ gồm những gì", "documents"),
    ("còn lệ phí thì sao", "fee"),
]
MIN_PROCEDURES = 30


def matrix_procedures() -> list[str]:
    """Codes spread evenly over the embedded catalogue (sorted), at least MIN_PROCEDURES."""
    codes = sorted(p.code for p in embedded_catalogue())
    step = max(1, len(codes) // MIN_PROCEDURES)
    return codes[::step]


def facet_title(code: str, facet: Facet) -> str:
    procedure = embedded_catalogue().get(code)
    assert procedure is not None
    return build_card(procedure, [facet], "vi").sections[0].title


def test_facet_follow_ups_stay_on_the_procedure(hybrid_retriever, store):
    codes = matrix_procedures()
    assert len(codes) >= MIN_PROCEDURES
    engine = Engine(hybrid_retriever, store, flood_limit=1000)  # a long, quick conversation
    stayed, misses = 0, []
    total = 0
    for code in codes:
        chat = Chat(engine, user=f"citizen-{code}")
        chat.press(f"pick:{code}")
        for accented, facet in PHRASINGS:
            for text in (accented, fold(accented)):
                total += 1
                chat.say(text)
                card = chat.replies[0] if chat.replies else None
                if card and card.procedure_code == code and facet_title(code, facet) in card.text:
                    stayed += 1
                    continue
                misses.append((code, text, card.procedure_code if card else None))
                chat.press(f"pick:{code}")  # back on the procedure for the next phrasing
    assert total >= 30 * 8 * 2
    assert stayed / total >= 0.98, f"{stayed}/{total} stayed; first misses: {misses[:10]}"


def test_a_follow_up_that_names_another_procedure_moves_on(chat):
    birth = next(p for p in embedded_catalogue() if fold(p.name) == "thu tuc dang ky khai sinh")
    for text, words in [
        ("đăng ký kết hôn mất bao lâu", "kết hôn"),
        ("con lam ho chieu thi le phi bao nhieu", "hộ chiếu"),
        ("thế đăng ký tạm trú nộp ở đâu", "tạm trú"),
        ("xin lý lịch tư pháp có nộp online được không", "lý lịch tư pháp"),
    ]:
        chat.press(f"pick:{birth.code}")
        chat.say(text)
        card = chat.replies[0]
        assert card.procedure_code != birth.code, text
        assert words in card.text.lower(), (text, card.text[:120])


def test_naming_another_procedure_by_what_citizens_call_it_moves_on(hybrid_retriever, store):
    """After any procedure, "còn <what citizens call another one> thì <facet>?" leaves it:
    every embedded procedure with a curated alias, asked after the next one in code order."""
    engine = Engine(hybrid_retriever, store, flood_limit=1000)
    procedures = sorted(embedded_catalogue(), key=lambda p: p.code)
    moved, stuck = 0, []
    named = [(i, p) for i, p in enumerate(procedures) if p.aliases]
    for i, other in named:
        current = procedures[(i + 1) % len(procedures)]
        chat = Chat(engine, user=f"citizen-{other.code}")
        chat.press(f"pick:{current.code}")
        accented, _ = PHRASINGS[i % len(PHRASINGS)]
        chat.say(f"còn {other.aliases[0]} thì {accented}")
        if chat.replies[0].procedure_code != current.code:
            moved += 1
        else:
            stuck.append((current.code, chat.replies[0].text[:60]))
    assert len(named) >= 30
    assert moved / len(named) >= 0.95, stuck


def test_a_short_follow_up_keeps_the_answer_short(chat):
    """The follow-up answers what was asked, not the whole card again."""
    chat.say("đăng ký khai tử cần giấy tờ gì")
    code = chat.replies[0].procedure_code
    chat.say("le phi bao nhieu")
    assert chat.replies[0].procedure_code == code
    assert facet_title(code, "fee") in chat.text
    assert facet_title(code, "documents") not in chat.text


def test_english_follow_ups_stay_and_an_english_topic_moves_on(chat):
    chat.say("How do I register a marriage?")
    if chat.replies[0].procedure_code is None:  # variants offered: the citizen picks the first
        chat.press(next(p for p in chat.payloads() if p.startswith("pick:")))
    code = chat.replies[0].procedure_code
    assert code is not None
    for text, facet in [
        ("can I apply online?", "online"),
        ("how long will it take", "time"),
        ("what papers do I need", "documents"),
        ("where do I submit it?", "place"),
    ]:
        chat.say(text)
        assert chat.replies[0].procedure_code == code, text
        procedure = embedded_catalogue().get(code)
        assert build_card(procedure, [facet], "en").sections[0].title in chat.text, text
    chat.say("and a passport, how much is it")
    assert chat.replies[0].procedure_code != code
    # Passport procedures are named in English where the term list covers their names.
    assert "passport" in chat.text.lower()
