"""The web surfaces under abuse, over real HTTP: the web chat's per-address budget, staff
sign-in against guessing, sessions that end on the server, who sees personal data, headers."""

from __future__ import annotations

import asyncio
import re
import threading
from dataclasses import replace
from datetime import timedelta

import aiohttp
import pytest
from sqlmodel import select

from bot.shell.cli import main
from bot.shell.config import Settings
from feedback import users
from feedback.models import InboundMessage
from feedback.signin_guard import SignInPolicy
from feedback.web import auth
from tests.channel_fixtures import Rig, start_rig
from tests.conftest import fresh_postgres
from tests.test_staff_web import PASSWORD, Browser, escalate, file_feedback, make_user


async def serve_on_backend(request, settings, retriever, standins):
    """The server with ``settings`` on the backend the test is parametrised with."""
    if request.param == "postgresql":
        settings = replace(settings, database_url=fresh_postgres(request))
    server, rig = await start_rig(settings, retriever, standins)
    yield rig
    await rig.http.close()
    await server.close()


@pytest.fixture(params=["sqlite", "postgresql"])
async def site(request, fast_settings, hybrid_retriever, standins):
    """The server on each backend."""
    async for rig in serve_on_backend(request, fast_settings, hybrid_retriever, standins):
        yield rig


@pytest.fixture
async def browsers(site):
    opened: list[Browser] = []

    def new() -> Browser:
        opened.append(Browser(site))
        return opened[-1]

    yield new
    for browser in opened:
        await browser.close()


# --- the web chat's budget per client address -----------------------------------------------


async def start_budgeted(standins, retriever, tmp_path, **budget):
    settings = replace(Settings(data_dir=tmp_path, encoder="none", poll_seconds=0.05), **budget)
    return await start_rig(settings, retriever, standins)


async def post_chat(rig: Rig, session: str, text: str, forwarded: str | None = None):
    headers = {"X-Chat-Session": session}
    if forwarded:
        headers["X-Forwarded-For"] = forwarded
    async with rig.http.post(
        f"{rig.url}/chat/api/messages", json={"text": text}, headers=headers
    ) as response:
        return response.status, response.headers.get("Retry-After"), await response.json()


async def test_fresh_web_chat_sessions_from_one_address_get_429(
    standins, hybrid_retriever, tmp_path
):
    server, rig = await start_budgeted(
        standins,
        hybrid_retriever,
        tmp_path,
        webchat_sessions_per_minute=3,
        webchat_messages_per_minute=5,
    )
    try:
        answers = [await post_chat(rig, f"{n:032x}", "đăng ký khai sinh") for n in range(4)]
        assert [status for status, _, _ in answers] == [202, 202, 202, 429]
        _, wait, body = answers[-1]
        assert 0 < int(wait) <= 60 and "new sessions" in body["error"]
        # A known session may go on writing, up to the message budget.
        more = [await post_chat(rig, f"{0:032x}", f"câu hỏi {n}") for n in range(3)]
        assert [status for status, _, _ in more] == [202, 202, 429]
        with rig.runtime.store.session() as db:
            assert len(db.exec(select(InboundMessage)).all()) == 5  # refused ones not taken
    finally:
        await rig.http.close()
        await server.close()


async def test_forwarded_for_counts_only_behind_a_trusted_proxy(
    standins, hybrid_retriever, tmp_path
):
    server, rig = await start_budgeted(
        standins, hybrid_retriever, tmp_path / "a", webchat_sessions_per_minute=1
    )
    try:  # not trusted: a forged header does not buy a new budget
        assert (await post_chat(rig, "a" * 32, "xin chào", "198.51.100.1"))[0] == 202
        assert (await post_chat(rig, "b" * 32, "xin chào", "198.51.100.2"))[0] == 429
    finally:
        await rig.http.close()
        await server.close()
    server, rig = await start_budgeted(
        standins,
        hybrid_retriever,
        tmp_path / "b",
        webchat_sessions_per_minute=1,
        trusted_proxies=("127.0.0.0/8",),
    )
    try:  # behind our proxy, each citizen's own address has its own budget
        assert (await post_chat(rig, "a" * 32, "xin chào", "198.51.100.1"))[0] == 202
        assert (await post_chat(rig, "b" * 32, "xin chào", "198.51.100.2"))[0] == 202
        forged = "203.0.113.9, 198.51.100.2"  # the proxy appends the real peer last
        assert (await post_chat(rig, "c" * 32, "xin chào", forged))[0] == 429
    finally:
        await rig.http.close()
        await server.close()


async def test_the_web_chat_session_never_travels_in_the_url(rig):
    session = "cd" * 16
    async with rig.http.get(f"{rig.url}/chat/api/messages?session={session}&after=0") as r:
        assert r.status == 400 and "X-Chat-Session" in (await r.json())["error"]
    headers = {"X-Chat-Session": session}
    async with rig.http.get(f"{rig.url}/chat/api/messages?after=0", headers=headers) as r:
        assert r.status == 200
    async with rig.http.get(f"{rig.url}/chat/static/chat.js") as r:
        script = await r.text()
    assert "X-Chat-Session" in script and "session=" not in script


# --- staff sign-in against guessing ---------------------------------------------------------

FAST = SignInPolicy(
    free=2,
    base_delay=timedelta(seconds=0.5),
    lock_after=4,
    lock=timedelta(seconds=2),
    address_free=50,
    address_lock_after=100,
)


def error_of(html: str) -> str:
    return re.search(r'<p class="error"[^>]*>(.*?)</p>', html).group(1)


async def attempt(browser: Browser, username: str, password: str) -> tuple[int, str]:
    token = await browser.csrf()
    status, html, _ = await browser.post(
        "/staff/login", {"csrf": token, "username": username, "password": password}
    )
    return status, html


@pytest.fixture(params=["sqlite", "postgresql"])
async def guarded_site(request, fast_settings, hybrid_retriever, standins):
    """The server on each backend, with sign-in delays short enough for a test."""
    settings = replace(fast_settings, signin=FAST)
    async for rig in serve_on_backend(request, settings, hybrid_retriever, standins):
        yield rig


async def test_guessing_is_slowed_then_locked_and_the_owner_is_told(guarded_site):
    site = guarded_site
    make_user(site, "lan", "staff")
    opened = [Browser(site), Browser(site)]
    guesser, owner = opened
    errors = set()
    for _ in range(2):
        status, html = await attempt(guesser, "lan", "đoán-mật-khẩu-1")
        assert status == 401
        errors.add(error_of(html))
    # Two failures: the next try must wait; even the right password is refused meanwhile.
    status, html = await attempt(owner, "lan", PASSWORD)
    assert status == 401
    errors.add(error_of(html))
    await asyncio.sleep(0.6)
    assert (await attempt(guesser, "lan", "đoán-mật-khẩu-2"))[0] == 401
    await asyncio.sleep(1.1)
    assert (await attempt(guesser, "lan", "đoán-mật-khẩu-3"))[0] == 401
    # Four failures: locked, whatever is typed.
    await asyncio.sleep(1.1)
    status, html = await attempt(owner, "lan", PASSWORD)
    assert status == 401
    errors.add(error_of(html))
    await asyncio.sleep(2.2)
    status, _ = await attempt(owner, "lan", PASSWORD)
    assert status == 302
    _, inbox, _ = await owner.get("/staff/inbox")
    assert re.search(r"Có 6 lần đăng nhập sai", inbox)  # 4 wrong, 2 refused
    _, inbox, _ = await owner.get("/staff/inbox")
    assert "lần đăng nhập sai" not in inbox  # told once
    # Unknown accounts and disabled ones get the very same answer.
    make_user(site, "minh", "staff")
    with site.runtime.store.session() as db:
        users.set_active(db, "minh", False)
    for name in ("nobody", "minh"):
        opened.append(Browser(site))
        status, html = await attempt(opened[-1], name, PASSWORD)
        assert status == 401
        errors.add(error_of(html))
    assert len(errors) == 1
    for browser in opened:
        await browser.close()


async def test_password_checks_run_on_their_own_small_pool(rig, monkeypatch):
    threads: list[str] = []
    check = auth.verify_password

    def spy(password_hash, password):
        threads.append(threading.current_thread().name)
        return check(password_hash, password)

    monkeypatch.setattr(auth, "verify_password", spy)
    make_user(rig, "lan", "staff")
    guessers = [Browser(rig) for _ in range(6)]
    try:
        results = await asyncio.gather(
            *(attempt(b, f"user{n}", "đoán-mật-khẩu") for n, b in enumerate(guessers))
        )
    finally:
        for browser in guessers:
            await browser.close()
    assert {status for status, _ in results} == {401}
    assert threads and {name.rsplit("_", 1)[0] for name in threads} == {"motcua-argon2"}


# --- sessions end on the server ---------------------------------------------------------------


async def still_signed_in(rig: Rig, cookies) -> bool:
    async with (
        aiohttp.ClientSession(cookies=cookies) as http,
        http.get(rig.url + "/staff/inbox", allow_redirects=False) as response,
    ):
        return response.status == 200


def cookies_of(browser: Browser) -> dict[str, str]:
    return {c.key: c.value for c in browser.http.cookie_jar}


async def test_logout_ends_the_session_on_the_server(site, browsers):
    make_user(site, "lan", "staff")
    browser = browsers()
    assert await browser.login("lan") == 302
    copied = cookies_of(browser)  # e.g. taken from a shared computer
    assert await still_signed_in(site, copied)
    token = await browser.csrf("/staff/inbox")
    assert (await browser.post("/staff/logout", {"csrf": token}))[0] == 302
    assert not await still_signed_in(site, copied)


@pytest.mark.parametrize(
    "change",
    [
        lambda db: users.set_role(db, "lan", "admin"),
        lambda db: users.set_active(db, "lan", False),
        lambda db: users.set_password(db, "lan", "một-mật-khẩu-mới-dài"),
    ],
    ids=["role", "disable", "passwd"],
)
async def test_changing_an_account_ends_all_its_sessions(site, browsers, change):
    make_user(site, "lan", "staff")
    make_user(site, "minh", "staff")
    phone, laptop, colleague = browsers(), browsers(), browsers()
    for browser, name in ((phone, "lan"), (laptop, "lan"), (colleague, "minh")):
        assert await browser.login(name) == 302
    with site.runtime.store.session() as db:
        change(db)
    assert (await phone.get("/staff/inbox"))[0] == 302
    assert (await laptop.get("/staff/inbox"))[0] == 302
    assert (await colleague.get("/staff/inbox"))[0] == 200  # others are not touched


def test_users_command_lists_and_changes_accounts(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path))
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("mật-khẩu-đủ-dài\n"))
    assert main(["users", "add", "lan", "--password-stdin"]) == 0
    assert main(["users", "role", "lan", "admin"]) == 0
    assert main(["users", "disable", "lan"]) == 0
    capsys.readouterr()
    assert main(["users", "list"]) == 0
    assert re.search(r"lan\s+admin\s+disabled", capsys.readouterr().out)
    assert main(["users", "enable", "lan"]) == 0
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("ngắn\n"))
    assert main(["users", "passwd", "lan", "--password-stdin"]) == 2
    assert "ít nhất 10" in capsys.readouterr().err
    assert main(["users", "disable", "nobody"]) == 2


# --- who sees citizens' personal data ---------------------------------------------------------


async def test_phone_numbers_are_unmasked_only_for_the_case_taker(site, browsers):
    for name, role in (("lan", "staff"), ("minh", "staff"), ("admin", "admin")):
        make_user(site, name, role)
    lan, minh, admin = browsers(), browsers(), browsers()
    for browser, name in ((lan, "lan"), (minh, "minh"), (admin, "admin")):
        await browser.login(name)
    case_id = await escalate(site, "z-phone")
    await site.zalo.say(site.http, "z-phone", "số của em là 0912345678, gọi lại giúp em")
    await asyncio.sleep(0.5)
    page = f"/staff/cases/{case_id}"
    assert "0912345678" not in (await lan.get(page))[1]
    token = await lan.csrf(page)
    assert (await lan.post(f"{page}/take", {"csrf": token}))[0] == 303
    assert "0912345678" in (await lan.get(page))[1]
    assert "0912345678" not in (await minh.get(page))[1]
    assert "09******78" in (await minh.get(page))[1]
    assert "0912345678" in (await admin.get(page))[1]


async def test_feedback_is_assigned_only_to_real_accounts(site, browsers):
    ticket = await file_feedback(site, "z-fb", "góp ý", "Nên có thêm ghế chờ", "0987654321")
    make_user(site, "lan", "staff")
    lan = browsers()
    await lan.login("lan")
    page = f"/staff/feedback/{ticket}"
    token = await lan.csrf(page)
    status, text, _ = await lan.post(page, {"csrf": token, "assignee": "ai-đó-gõ-tay"})
    assert status == 400 and "Không có tài khoản cán bộ đang dùng" in text
    assert "0987654321" not in (await lan.get(page))[1]
    assert (await lan.post(page, {"csrf": token, "assignee": "lan"}))[0] == 303
    assert "0987654321" in (await lan.get(page))[1]


# --- security headers -------------------------------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)


async def test_every_page_carries_the_security_headers(rig):
    make_user(rig, "admin", "admin")
    browser = Browser(rig)
    try:
        await browser.login("admin")
        case_id = await escalate(rig, "z-headers")
        pages = [
            "/chat",
            "/chat/static/chat.js",
            "/healthz",
            "/staff/login",
            "/staff/inbox",
            f"/staff/cases/{case_id}",
            "/staff/feedback",
            "/staff/dashboard",
            "/staff/static/staff.css",
        ]
        for path in pages:
            status, body, response = await browser.get(path)
            headers = response.headers
            assert status == 200, path
            policy = headers["Content-Security-Policy"]
            assert "script-src 'self'" in policy and "unsafe-inline" not in policy, path
            assert "frame-ancestors 'none'" in policy and headers["X-Frame-Options"] == "DENY"
            assert headers["X-Content-Type-Options"] == "nosniff"
            assert headers["Referrer-Policy"] == "no-referrer"
            assert headers.get("Server", "") == "", path
            if path.startswith("/staff"):
                assert headers["Cache-Control"] == "no-store", path
            if response.content_type == "text/html":
                assert not INLINE_SCRIPT.search(body), path
                assert " style=" not in body and "<style" not in body, path
    finally:
        await browser.close()


async def test_the_web_chat_may_be_framed_by_configured_sites_only(
    standins, hybrid_retriever, tmp_path
):
    site = "https://dichvucong.bacninh.gov.vn"
    settings = Settings(data_dir=tmp_path, encoder="none", frame_ancestors=(site,))
    server, rig = await start_rig(settings, hybrid_retriever, standins)
    try:
        async with rig.http.get(rig.url + "/chat") as response:
            assert f"frame-ancestors 'self' {site}" in response.headers["Content-Security-Policy"]
            assert "X-Frame-Options" not in response.headers
        async with rig.http.get(rig.url + "/staff/login") as response:
            assert response.headers["X-Frame-Options"] == "DENY"
    finally:
        await rig.http.close()
        await server.close()


def test_old_sign_in_attempts_are_forgotten_at_a_sign_in(store):
    from feedback import signin_guard
    from feedback.models import SignInAttempt, utcnow

    with store.session() as db:
        old = SignInAttempt(username="lan", address="198.51.100.7", result="wrong")
        old.created_at = utcnow() - timedelta(days=31)
        db.add(old)
        signin_guard.record(db, "lan", "198.51.100.7", "wrong")
    with store.session() as db:
        signin_guard.record(db, "lan", "198.51.100.7", "ok")
    with store.session() as db:
        kept = db.exec(select(SignInAttempt).order_by(SignInAttempt.id)).all()
    assert [a.result for a in kept] == ["wrong", "ok"]  # the recent failure is still counted
