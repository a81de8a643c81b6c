"""Dossiers on the staff web over real HTTP, with the province system's stand-in: a hotline
worker looks a dossier up by its code in agent assist; the province report counts citizens'
lookups per channel and the status-change notifications sent or refused; staff see whom the
poller could not tell."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from dataclasses import replace
from datetime import datetime

from bot.dossiers.standin import owner_phone, server_error
from feedback.models import DossierWatch
from feedback.web.common import LOCAL
from tests.channel_fixtures import eventually, no_blocking, start_rig
from tests.conftest import fresh_postgres
from tests.test_csv_export import admin  # noqa: F401  (a signed-in admin's HTTP client)
from tests.test_desk import Tables
from tests.test_staff_web import Browser, make_user

CHANGED = "vừa đổi tình trạng"


def undotted_lower(code: str) -> str:
    """``000.00.24.H03-261130-0004`` as a caller might read it out: ``0000024h03-261130-0004``."""
    agency, rest = code.split("-", 1)
    return f"{agency.replace('.', '').lower()}-{rest}"


async def assist(browser: Browser, query: str) -> str:
    status, html, _ = await browser.get("/staff/assist", params={"q": query})
    assert status == 200
    return html


async def test_staff_see_the_whole_status_card_for_a_code_in_any_form(rig, admin):  # noqa: F811
    api = rig.standins.dossiers
    code = api.code(4)  # paused, fees unpaid
    html = await assist(admin, undotted_lower(code))
    assert f'id="dossier" data-code="{code}"' in html and 'data-status="paused"' in html
    assert "tạm dừng xử lý" in html
    due = api.dossiers[code].due_at
    assert f"{due:%d/%m/%Y}" in html and "Còn 4 ngày đến hạn" in html
    assert "100.000 đồng, chưa nộp" in html
    assert "Nhận trực tiếp tại Bộ phận Một cửa" in html
    assert "dvc-tra-cuu-ho-so" in html  # the national portal's lookup page
    steps = Tables(html).tables["dossier-steps"]
    assert [row[1] for row in steps[1:]] == ["Tiếp nhận hồ sơ", "Chờ thực hiện nghĩa vụ tài chính"]
    assert steps[-1][3] == "Đang xử lý"
    # Staff are trusted with the status, not with the applicant's name or numbers.
    assert "N. V. A." in html and "Nguyễn Văn An" not in html
    assert owner_phone(4) not in html and owner_phone(4)[-4:] not in html
    assert 'id="assist-decision"' not in html  # a code is not searched as a question

    waiting = await assist(admin, f"hồ sơ {api.code(3)} đến đâu rồi")
    assert "đang chờ bạn bổ sung giấy tờ" in waiting
    assert "Bản sao hợp đồng thuê địa điểm kinh doanh" in waiting
    late = await assist(admin, api.code(7))
    assert "đã trễ hạn" in late and "Đã quá hạn 2 ngày" in late


async def test_an_unknown_code_and_a_silent_system_are_said_plainly(rig, admin):  # noqa: F811
    api = rig.standins.dossiers
    unknown = api.code(1).rsplit("-", 1)[0] + "-0099"
    html = await assist(admin, unknown)
    assert f"Không có hồ sơ mã {unknown}" in html and 'id="dossier"' not in html
    api.faults.fail_next(1, server_error)
    html = await assist(admin, api.code(2))
    assert "đang không trả lời" in html and 'id="dossier"' not in html
    api.malformed = 1
    html = await assist(admin, api.code(2))
    assert "đang không trả lời" in html and "đang được xử lý" not in html
    html = await assist(admin, api.code(2))  # back up
    assert "đang được xử lý" in html


async def _look_up_on_zalo(rig, user: str, number: int) -> None:
    api, zalo = rig.standins.dossiers, rig.standins.zalo
    await rig.zalo.say(rig.http, user, api.code(number))
    await eventually(lambda: any("4 số cuối" in t for t in zalo.texts(user)))
    await rig.zalo.say(rig.http, user, owner_phone(number)[-4:])
    await eventually(lambda: any("Ngày hẹn trả" in t for t in zalo.texts(user)))


async def dossier_figures(client: Browser) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Today's report section IV: the page's rows by name, and the CSV's values by indicator."""
    today = datetime.now(LOCAL).date()
    status, html, _ = await client.get(f"/staff/report?from={today}&to={today}")
    assert status == 200
    _, body, _ = await client.get(f"/staff/report.csv?from={today}&to={today}")
    reader = csv.DictReader(io.StringIO(body.lstrip("\ufeff")))
    return Tables(html).rows("report-dossiers"), {r["indicator"]: r["value"] for r in reader}


async def test_the_report_counts_citizens_lookups_per_channel_and_staff_lookups_apart(
    rig,
    admin,  # noqa: F811
):
    await _look_up_on_zalo(rig, "z-look", 2)
    zalo = rig.standins.zalo
    await rig.zalo.say(rig.http, "z-wrong", rig.standins.dossiers.code(5))
    await eventually(lambda: any("4 số cuối" in t for t in zalo.texts("z-wrong")))
    await rig.zalo.say(rig.http, "z-wrong", "0000")  # wrong digits: no card, not counted
    await eventually(lambda: any("Không tìm thấy" in t for t in zalo.texts("z-wrong")))
    assert 'id="dossier"' in await assist(admin, rig.standins.dossiers.code(6))
    rows, figures = await dossier_figures(admin)
    assert rows["Zalo"] == ["1"] and rows["Messenger"] == ["0"]
    assert rows["Cộng: người dân tra cứu"] == ["1"]
    assert rows["Cán bộ tra cứu giúp người dân"] == ["1"]  # apart from the citizens' sum
    assert rows["Tin báo đổi tình trạng đã gửi"] == ["0"]
    assert figures["Zalo: lượt tra cứu hồ sơ"] == "1"
    assert figures["Cán bộ tra cứu giúp người dân"] == "1"
    assert figures["Tin báo không gửi được"] == "0"
    _, html, _ = await admin.get("/staff/report?from=2025-01-01&to=2025-01-31")
    assert Tables(html).rows("report-dossiers")["Zalo"] == ["0"]
    _, printed, _ = await admin.get("/staff/report/print")
    assert Tables(printed).rows("report-dossiers")["Zalo"] == ["1"]


async def test_notifications_sent_and_refused_are_counted_and_staff_see_whom_to_call(
    request, fast_settings, hybrid_retriever, standins
):
    """On PostgreSQL, with the poller checking every 0.1 s."""
    settings = replace(
        fast_settings, database_url=fresh_postgres(request), dossier_watch_seconds=0.1
    )
    server, rig = await start_rig(settings, hybrid_retriever, standins)
    api, zalo = standins.dossiers, standins.zalo
    watched, calm = api.code(2), api.code(1)
    make_user(rig, "admin", "admin")
    manager = Browser(rig)
    try:
        with no_blocking():
            for user, number in (("z-told", 2), ("z-calm", 1)):
                await _look_up_on_zalo(rig, user, number)
                await rig.zalo.say(rig.http, user, "báo cho tôi khi có kết quả")
                await eventually(lambda u=user: any("Mình sẽ nhắn" in t for t in zalo.texts(u)))
            api.advance(watched)  # in progress -> result ready: told
            await eventually(lambda: any(CHANGED in t for t in zalo.texts("z-told")))
            await manager.login("admin")
            _, html, _ = await manager.get("/staff/dossiers/unreachable")
            assert Tables(html).tables["unreachable"][1:] == [["Không có tin báo nào bị từ chối."]]
            zalo.close_window_next(1)
            api.advance(watched)  # result ready -> returned: Zalo refuses the message

            page = ""
            for _ in range(200):  # the poller marks the watch when it next claims due watches
                page = (await manager.get("/staff/dossiers/unreachable"))[1]
                if watched in page:
                    break
                await asyncio.sleep(0.05)
            assert f'data-code="{watched}"' in page and calm not in page
            [row] = Tables(page).tables["unreachable"][1:]
            assert row[:4] == [watched, "đã trả kết quả", "Zalo", "…z-told"]
            assert "Hồ sơ chưa báo được" in page  # in the staff nav
            rows, figures = await dossier_figures(manager)
            assert rows["Zalo"] == ["2"]
            assert rows["Tin báo đổi tình trạng đã gửi"] == ["1"]  # the refused one is not
            assert rows["Tin báo không gửi được"] == ["1"]
            assert figures["Tin báo đổi tình trạng đã gửi"] == "1"
            assert figures["Tin báo không gửi được"] == "1"

            # A staff member called the citizen: the row leaves the list, who did it is kept.
            watch_id = re.search(r"/staff/dossiers/unreachable/(\d+)/contacted", page).group(1)
            token = await manager.csrf("/staff/dossiers/unreachable")
            status, _, _ = await manager.post(
                f"/staff/dossiers/unreachable/{watch_id}/contacted", {"csrf": token}
            )
            assert status == 303
            page = (await manager.get("/staff/dossiers/unreachable"))[1]
            assert watched not in page and "Không có tin báo nào bị từ chối." in page
            with rig.runtime.store.session() as session:
                note = session.get(DossierWatch, int(watch_id)).note
            assert "Đã liên hệ: admin" in note
            again = await manager.post(
                f"/staff/dossiers/unreachable/{watch_id}/contacted", {"csrf": token}
            )
            assert again[0] == 404  # already off the list
    finally:
        await manager.close()
        await rig.http.close()
        await server.close()


async def test_nobody_signed_out_looks_a_dossier_up_or_sees_the_list(rig):
    api = rig.standins.dossiers
    anonymous = Browser(rig)
    try:
        for path in (f"/staff/assist?q={api.code(2)}", "/staff/dossiers/unreachable"):
            status, _, response = await anonymous.get(path)
            assert status == 302 and "/staff/login" in response.headers["Location"]
        assert api.lookups == []  # the province system was not asked
    finally:
        await anonymous.close()
