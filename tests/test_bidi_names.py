"""Names citizens type can't rearrange the staff page: direction overrides and zero-width
characters are removed and the name is isolated, so a call-back number reads as typed.
Staff who don't handle an item see a name as initials."""

from __future__ import annotations

import csv
import io
import re

from sqlmodel import select

from feedback.models import FeedbackItem
from feedback.tickets import create_feedback
from tests.channel_fixtures import eventually
from tests.test_browser import page, sign_in  # noqa: F401  (the page fixture)
from tests.test_staff_web import Browser, make_user

PHONE = "0912345678"
HOSTILE_NAME = "Trần\u200b Thị Mai \u202e"  # a right-to-left override left open
INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069]")

# Where the phone number's first and last digits are drawn, left to right.
DIGIT_POSITIONS = """(phone) => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(phone);
    if (at < 0) continue;
    const box = (offset) => {
      const range = document.createRange();
      range.setStart(node, offset);
      range.setEnd(node, offset + 1);
      return range.getBoundingClientRect().left;
    };
    return [box(at), box(at + phone.length - 1)];
  }
  return null;
}"""


def _file_directly(rig, name: str, assignee: str | None = None) -> str:
    """An item stored with a hostile name (as one stored before names were cleaned),
    assigned to ``assignee`` (the staff member who sees its call-back number)."""
    with rig.runtime.store.session() as session:
        item = create_feedback(
            session,
            channel="zalo",
            user_id="z-bidi",
            category="complaint",
            content="Nộp hồ sơ ba lần vẫn bị trả lại",
            contact_name=name,
            phone=PHONE,
        )
        item.assignee = assignee
        return item.ticket


async def test_an_override_in_a_name_does_not_reverse_the_call_back_number(rig, page):  # noqa: F811
    ticket = _file_directly(rig, HOSTILE_NAME, assignee="lan")
    make_user(rig, "lan", "staff")
    await sign_in(page, rig.url, "lan")
    await page.goto(f"{rig.url}/staff/feedback/{ticket}")
    html = await page.content()
    assert not INVISIBLE.search(html)
    assert '<bdi class="name">Trần Thị Mai</bdi>' in html
    first, last = await page.evaluate(DIGIT_POSITIONS, PHONE)
    assert first < last  # drawn left to right, as the citizen typed it


async def test_names_typed_in_the_feedback_flow_are_stored_clean(rig):
    zalo = rig.standins.zalo
    for text in (
        "phản ánh",
        "Cán bộ hẹn trả kết quả nhưng quá hạn",
        HOSTILE_NAME,
        PHONE,
        "#fb:send",
    ):
        count = len(zalo.texts("z-typed"))
        await rig.zalo.say(rig.http, "z-typed", text)
        await eventually(lambda c=count: len(zalo.texts("z-typed")) > c)
    with rig.runtime.store.session() as session:
        item = session.exec(select(FeedbackItem)).one()
    assert item.contact_name == "Trần Thị Mai"


async def test_staff_exports_show_names_as_initials_admins_in_full(rig):
    _file_directly(rig, "Nguyễn Văn An")
    make_user(rig, "lan", "staff")
    make_user(rig, "admin", "admin")
    rows = {}
    for user in ("lan", "admin"):
        browser = Browser(rig)
        await browser.login(user)
        _, body, _ = await browser.get("/staff/feedback.csv")
        rows[user] = next(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
        await browser.close()
    assert rows["lan"]["Họ tên"] == "N. V. A."
    assert rows["admin"]["Họ tên"] == "Nguyễn Văn An"
