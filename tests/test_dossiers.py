"""Dossier lookup as transcripts: the engine asks the province system's stand-in over real
HTTP on loopback, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest
from sqlmodel import select

from bot.contract.dossiers import (
    DossierNotFound,
    DossierUnavailable,
    find_receipt_code,
    normalise_receipt_code,
)
from bot.contract.messages import Incoming
from bot.conversation.engine import Engine, Prepared
from bot.conversation.intents import recognise
from bot.dossiers.client import HttpDossierSource
from bot.dossiers.standin import DossierApiStandIn, owner_id, owner_phone, server_error
from channels.standin import StandIn
from feedback.models import Conversation, EscalationCase
from tests.conftest import Chat


class Running:
    """The dossier stand-in served from a thread with its own event loop."""

    def __init__(self) -> None:
        self.api = DossierApiStandIn()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server = StandIn(self.api.app())
        self.url = self.call(self.server.start())

    def call(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(10)

    def source(self, timeout: float = 2.0) -> HttpDossierSource:
        return HttpDossierSource(self.url, self.api.token, timeout)

    def stop(self) -> None:
        self.call(self.server.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture
def system() -> Iterator[Running]:
    running = Running()
    yield running
    running.stop()


@pytest.fixture
def dossier_engine(hybrid_retriever, store, system) -> Engine:
    return Engine(hybrid_retriever, store, dossiers=system.source())


@pytest.fixture
def citizen(dossier_engine) -> Chat:
    return Chat(dossier_engine)


def _owner_digits(number: int) -> str:
    return owner_phone(number)[-4:]


EXPECTED = {
    1: ["mới tiếp nhận", "Còn 5 ngày"],
    2: ["đang được xử lý", "Còn 3 ngày", "Phòng Kinh tế", "Thẩm định hồ sơ"],
    3: ["chờ bạn bổ sung giấy tờ", "Bạn cần mang bổ sung", "hợp đồng thuê địa điểm"],
    4: ["tạm dừng", "Phí, lệ phí cần nộp: 100.000 đồng (chưa nộp)"],
    5: ["đã có kết quả", "Nhận kết quả: Nhận trực tiếp tại Bộ phận Một cửa"],
    6: ["đã trả kết quả"],
    7: ["trễ hạn", "Đã quá hạn 2 ngày", "Phòng Kinh tế"],
    8: ["bị từ chối"],
}


@pytest.mark.parametrize("number", sorted(EXPECTED))
def test_every_status_gets_its_card_after_the_owner_check(citizen, system, number):
    code = system.api.code(number)
    citizen.say(f"hồ sơ {code} đến đâu rồi")
    assert "4 số cuối" in citizen.text
    assert "Tình trạng" not in citizen.text  # nothing before the check
    citizen.say(_owner_digits(number))
    card = citizen.text
    assert f"Hồ sơ {code}: Đăng ký thành lập hộ kinh doanh" in card
    assert "Nguyễn V. A" in card and "Nguyễn Văn An" not in card
    for words in EXPECTED[number]:
        assert words in card
    assert "dichvucong.gov.vn" in card
    if number == 3:
        assert "Nhận kết quả" in card
    if number == 8:
        assert "Nhận kết quả" not in card and "Ngày hẹn trả" not in card


def test_the_id_number_works_as_well_and_codes_are_accepted_in_any_form(citizen, system):
    code = system.api.code(2)
    undotted = code.replace(".", "", 3).lower()  # 0000024h03-…
    citizen.say(undotted)
    assert code in citizen.text
    citizen.say(f"số cuối {owner_id(2)[-4:]}")
    assert "đang được xử lý" in citizen.text


def test_the_phrase_alone_asks_for_the_code(citizen, system):
    citizen.say("tra cứu hồ sơ")
    assert "mã hồ sơ" in citizen.text
    assert not system.api.lookups


def test_english_lookup(citizen, system):
    citizen.say("where is my application?")
    assert "dossier code" in citizen.text
    citizen.say(f"check my application {system.api.code(5)}")
    assert "last 4 digits" in citizen.text
    citizen.say(_owner_digits(5))
    assert "Status: done: the result is ready for you" in citizen.text
    assert "How to get the result" in citizen.text


def test_unknown_code_and_wrong_digits_get_the_same_answers(citizen, system):
    unknown = "000.00.24.H03-261101-0999"
    citizen.say(unknown)
    asked_unknown = citizen.text.replace(unknown, "CODE")
    citizen.say("4321")
    refused_unknown = citizen.text
    known = system.api.code(2)
    citizen.say(known)
    assert citizen.text.replace(known, "CODE") == asked_unknown
    citizen.say("4321")
    assert citizen.text.replace("3 lần", "4 lần") == refused_unknown
    assert "Không tìm thấy hồ sơ khớp" in refused_unknown
    assert "Tình trạng" not in citizen.text and "xử lý" not in citizen.text


def test_five_wrong_checks_in_a_day_bring_staff(citizen, system, store):
    code = system.api.code(2)
    citizen.say(code)
    for _ in range(4):
        citizen.say("0000")
        assert "Không tìm thấy hồ sơ khớp" in citizen.text
    citizen.say("0000")
    assert "sai quá nhiều lần" in citizen.text and "cán bộ" in citizen.text
    with store.session() as session:
        conversation = session.exec(select(Conversation)).one()
        assert conversation.mode == "escalated"
        assert session.exec(select(EscalationCase)).one().reason == "dossier_check"


def test_the_right_digits_after_failures_still_work_and_a_new_code_is_checked_again(
    citizen, system
):
    citizen.say(system.api.code(1))
    citizen.say("0000")
    citizen.say(_owner_digits(1))
    assert "mới tiếp nhận" in citizen.text
    citizen.say(system.api.code(2))
    citizen.say(_owner_digits(1))  # the first dossier's digits do not open the second
    assert "Không tìm thấy hồ sơ khớp" in citizen.text


@pytest.mark.parametrize("failure", ["5xx", "timeout", "malformed"])
def test_system_down_is_said_and_staff_offered_never_a_guess(
    hybrid_retriever, store, system, failure
):
    citizen = Chat(Engine(hybrid_retriever, store, dossiers=system.source(timeout=0.5)))
    if failure == "5xx":
        system.api.faults.fail_next(1, server_error)
    elif failure == "timeout":
        system.api.faults.delay = 1.5
    else:
        system.api.malformed = 1
    code = system.api.code(5)
    citizen.say(code)
    assert "đang không trả lời" in citizen.text
    assert "human" in citizen.payloads()
    assert "kết quả" not in citizen.text.split("không trả lời")[0]
    system.api.faults.delay = 0
    citizen.say(code)  # back up: the normal flow
    assert "4 số cuối" in citizen.text


def test_the_lookup_happens_in_prepare_never_inside_the_turn(dossier_engine, system, store):
    code = system.api.code(6)
    prepared = dossier_engine.prepare(Incoming("zalo", "u", code, None, "m1"))
    assert system.api.lookups == [code]
    assert prepared.dossier is not None and prepared.dossier.dossier is not None
    assert prepared.dossier.dossier.stage == "returned"
    unprepared = Prepared(Incoming("zalo", "u2", code, None, "m2"), recognise(code), None)
    with store.session() as session:
        replies = dossier_engine.turn(session, unprepared)
    assert system.api.lookups == [code]  # the locked turn made no call of its own
    assert "đang không trả lời" in replies[0].text


@pytest.mark.parametrize("channel", ["zalo", "messenger", "telegram", "web"])
def test_every_channel_gets_the_same_flow(dossier_engine, system, channel):
    citizen = Chat(dossier_engine, channel=channel, user=f"{channel}-1")
    citizen.say(system.api.code(3))
    citizen.say(_owner_digits(3))
    assert "chờ bạn bổ sung giấy tờ" in citizen.text
    assert "dossier:watch" in citizen.payloads()


def test_the_adapter_maps_errors(system):
    source = system.source()
    assert source.lookup(system.api.code(1)).stage == "received"
    with pytest.raises(DossierNotFound):
        source.lookup("000.00.24.H03-261101-0999")
    wrong_token = HttpDossierSource(system.url, "nope")
    with pytest.raises(DossierUnavailable):
        wrong_token.lookup(system.api.code(1))
    with pytest.raises(DossierUnavailable):
        HttpDossierSource("http://127.0.0.1:9", "x", 0.5).lookup(system.api.code(1))


def test_receipt_codes_in_the_provinces_formats():
    canonical = "000.00.24.H03-261130-0001"
    for written in (canonical, canonical.lower(), "0000024H03-261130-0001", f" {canonical}. "):
        assert normalise_receipt_code(written) == canonical
    assert normalise_receipt_code("H15.50.05.13-261008-0975") == "H15.50.05.13-261008-0975"
    assert normalise_receipt_code("G09.20-20260609-0092637") == "G09.20-20260609-0092637"
    assert find_receipt_code("mã 000.00.24.H03 – 261130 – 0001 nhé") == canonical
    for bad in ("000.00.24.H03-261301-0001", "000.00.24.H03-261130-0000", "GY-ABC123"):
        assert normalise_receipt_code(bad) is None


def test_standin_moves_a_dossier_to_its_next_status(system):
    code = system.api.code(1)
    assert system.api.advance(code).stage == "in_progress"
    assert system.api.advance(code).stage == "result_ready"
    assert system.api.advance(code).stage == "returned"
    with pytest.raises(ValueError):
        system.api.advance(code)


async def test_the_standin_serves_the_documented_wire_format():
    api = DossierApiStandIn()
    server = StandIn(api.app())
    url = await server.start()
    try:
        source = HttpDossierSource(url, api.token)
        dossier = await asyncio.to_thread(source.lookup, api.code(3))
        assert dossier.missing and dossier.owned_by(owner_phone(3)[-4:])
        assert not dossier.owned_by("9999")
    finally:
        await server.stop()
