"""Load benchmark: signed events from simulated citizens over Messenger, Zalo and Telegram, on
loopback, against a real ``motcua serve`` process; end-to-end latency is measured from the event
to the reply captured by the platform's stand-in.

In the same run, the floor: an aiohttp webhook that only verifies the signature and answers.

    python bench/load.py --rate 150 --seconds 60 [--workers N] [--database-url postgresql+psycopg://…]

Open loop: events are sent at ``--rate`` per second whatever the server's pace, round-robin
over channels and citizens (a citizen's next question waits for the answer to the previous
one, as people do). Prints a Markdown summary; ``--json`` writes the raw figures.
"""

from __future__ import annotations

import argparse
import asyncio
import hmac
import itertools
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import numpy as np
from aiohttp import web

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.conversation.phrases import HOTLINE  # noqa: E402
from bot.shell.config import Settings, settings_env  # noqa: E402
from bot.shell.standins import StandIns  # noqa: E402
from channels.messenger.inbound import signature as messenger_signature  # noqa: E402

QUESTIONS = [
    "lam cccd lan dau can giay to gi",
    "đăng ký khai sinh cho con mất bao lâu",
    "xin lý lịch tư pháp ở đâu",
    "đăng ký tạm trú online được không",
    "sang tên sổ đỏ hết bao nhiêu tiền",
    "dang ky ket hon can gi",
    "đổi bằng lái xe hết hạn",
    "làm hộ chiếu mất bao lâu",
    "đăng ký hộ kinh doanh",
    "xin giấy phép xây nhà",
    "How do I register a birth?",
    "cấp lại căn cước bị mất",
    "gia hạn tạm trú",
    "đăng ký khai tử",
    "chứng thực bản sao giấy tờ",
    "tách thửa đất cho con",
    "đăng ký xe máy mới mua",
    "xác nhận tình trạng hôn nhân",
]


def question_pool() -> list[str]:
    """Our questions plus the dev questions, each also with one letter dropped (a typo)."""
    pool = list(QUESTIONS)
    dev = ROOT.parent / "shared/eval/dev-questions.jsonl"
    if dev.exists():
        pool += [
            json.loads(line)["question"] for line in dev.open(encoding="utf-8") if line.strip()
        ]
    return pool


OPENINGS = ("", "cho em hỏi ", "cho mình hỏi ", "chị ơi ", "ad ơi ", "hỏi chút ", "xin hỏi ")
CLOSINGS = ("", " ạ", " với", " nhé", " vậy", " ad ơi", " thế nào")


def ask(pool: list[str]) -> str:
    """A question as citizens type it. 30% carry a typo (one letter dropped) inside an opening
    and closing of their own: some 100,000 spellings, so the run doesn't teach the query cache
    every variant it will be asked (the other 70%, typed as in the pool, do hit it)."""
    question = random.choice(pool)
    if random.random() < 0.3 and len(question) > 6:
        cut = random.randrange(1, len(question) - 1)
        question = question[:cut] + question[cut + 1 :]
        question = random.choice(OPENINGS) + question + random.choice(CLOSINGS)
    return question


POOL: list[str] = []


def machine_speed() -> float:
    """Seconds a fixed pure-Python loop takes here (best of 3): this machine kind's cores
    run at different speeds from one session to the next (seen: 1.1 to 1.8 s), and every
    CPU figure of a run scales with it."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for i in range(5_000_000):
            total += i
        best = min(best, time.perf_counter() - started)
    return round(best * 2, 2)  # as seconds for 10 million additions


def disk_sync_ms(directory: Path, rounds: int = 200) -> float:
    """Median milliseconds to write 8 KiB and ``fdatasync`` it in ``directory``: a PostgreSQL
    commit waits for one such flush of its WAL (SQLite in WAL mode with synchronous=NORMAL
    does not), so PostgreSQL figures depend on it as much as on the cores (0.09 ms on the
    sixth session's machine)."""
    path = directory / "sync-probe.tmp"
    block = os.urandom(8192)
    times = []
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for _ in range(rounds):
            started = time.perf_counter()
            os.pwrite(descriptor, block, 0)
            os.fdatasync(descriptor)
            times.append(time.perf_counter() - started)
    finally:
        os.close(descriptor)
        path.unlink()
    return round(float(np.median(times)) * 1000, 3)


@dataclass
class Tracker:
    """Latency of each question: sent at, first reply part received at."""

    pending: dict[str, float] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    due_at: list[float] = field(default_factory=list)  # when each answered question was due
    waiters: dict[str, asyncio.Event] = field(default_factory=dict)
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)
    with_staff: set[str] = field(default_factory=set)  # handed to hotline staff: bot is silent
    left_to_staff: int = 0
    last_answer: float = 0.0
    sent: int = 0

    def sent_for(self, address: str, scheduled: float) -> None:
        # Latency counts from when the question was due, not when it went out, so a server
        # that falls behind cannot hide it (no coordinated omission).
        self.pending[address] = scheduled
        self.waiters[address] = asyncio.Event()
        self.sent += 1

    def failed(self, address: str, kind: str) -> None:
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1
        self.pending.pop(address, None)

    def answered(self, address: str) -> None:
        started = self.pending.pop(address, None)
        if started is not None:
            self.last_answer = time.perf_counter()
            self.latencies.append(self.last_answer - started)
            self.due_at.append(started)
            self.waiters[address].set()


def hook_standins(standins: StandIns, tracker: Tracker) -> None:
    """Tell the tracker the moment a stand-in receives a reply."""
    graph, zalo, telegram = standins.graph, standins.zalo, standins.telegram

    class Watch(list):
        def __init__(self, address_of):
            super().__init__()
            self.address_of = address_of

        def append(self, item):
            super().append(item)
            address = self.address_of(item)
            if HOTLINE in json.dumps(item, ensure_ascii=False):
                tracker.with_staff.add(address)  # the "staff will take over" notice
            tracker.answered(address)

    graph.received = Watch(lambda m: "messenger:" + m["recipient"]["id"])
    zalo.received = Watch(lambda m: "zalo:" + m["recipient"]["user_id"])
    telegram.sent = Watch(lambda m: "telegram:" + m["chat_id"])


async def citizen(
    channel: str,
    number: int,
    ticks: asyncio.Queue,
    platforms,
    http: aiohttp.ClientSession,
    tracker: Tracker,
    questions: Callable[[], str],
) -> None:
    messenger, zalo, telegram = platforms
    user = f"{channel[:2]}{number:06d}"
    address = f"{channel}:{user if channel != 'telegram' else str(900000 + number)}"
    while True:
        scheduled = await ticks.get()
        question = questions()
        tracker.sent_for(address, scheduled)
        try:
            if channel == "messenger":
                response = await messenger.say(http, user, question)
            elif channel == "zalo":
                response = await zalo.say(http, user, question)
            else:
                response = await telegram.say(http, 900000 + number, question)
            if response.status != 200:
                tracker.failed(address, f"{channel} HTTP {response.status}")
                continue
        except aiohttp.ClientError as exc:
            tracker.failed(address, f"{channel} {type(exc).__name__}")
            continue
        try:
            await asyncio.wait_for(tracker.waiters[address].wait(), 30)
        except TimeoutError:
            if address in tracker.with_staff:
                # Two unanswered questions in a row hand a citizen to staff (by design); the
                # bot stays quiet while they have the conversation. Not a server failure.
                tracker.left_to_staff += 1
                tracker.pending.pop(address, None)
            else:
                tracker.failed(address, f"{channel} no answer within 30 s")


async def drive(
    rate: float,
    seconds: float,
    citizens: int,
    platforms,
    http,
    tracker: Tracker,
    questions: Callable[[], str] = lambda: ask(POOL),
) -> float:
    """Send ``rate`` events a second for ``seconds``; returns the wall time until all answered."""
    channels = ("messenger", "zalo", "telegram")
    queues = [asyncio.Queue() for _ in range(citizens)]
    tasks = [
        asyncio.create_task(
            citizen(channels[i % 3], i, queues[i], platforms, http, tracker, questions)
        )
        for i in range(citizens)
    ]
    started = time.perf_counter()
    total = int(rate * seconds)
    for n in range(total):
        target = started + n / rate
        delay = target - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        queues[n % citizens].put_nowait(target)
    deadline = time.perf_counter() + 30
    while (
        set(tracker.pending) - tracker.with_staff or any(not q.empty() for q in queues)
    ) and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)
    # Until the last answer, not the end of the wait: a citizen handed to staff waits out the
    # deadline for an answer that (by design) never comes.
    elapsed = max(tracker.last_answer, started + seconds) - started
    for task in tasks:
        task.cancel()
    return elapsed


def floor_app(app_secret: str) -> web.Application:
    """The floor: verify the Messenger signature and acknowledge, nothing else."""

    async def receive(request: web.Request) -> web.Response:
        body = await request.read()
        given = request.headers.get("X-Hub-Signature-256", "")
        if not hmac.compare_digest(given, messenger_signature(body, app_secret)):
            return web.Response(status=403)
        json.loads(body)
        return web.Response(text="EVENT_RECEIVED")

    app = web.Application()
    app.router.add_post("/webhooks/messenger", receive)
    return app


async def floor_throughput(seconds: float, concurrency: int = 64) -> float:
    """Requests a second the floor webhook acknowledges, closed loop, in its own process."""
    secret = "floor-secret"
    port = 18790
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import sys; sys.path.insert(0, {str(ROOT)!r});"
            "from aiohttp import web; from bench.load import floor_app;"
            f"web.run_app(floor_app({secret!r}), host='127.0.0.1', port={port},"
            " print=None, access_log=None)",
        ],
    )
    try:
        await wait_healthy(f"http://127.0.0.1:{port}/webhooks/messenger", method="POST", ok=(403,))
        from channels.messenger.standin import MessengerPlatform

        platform = MessengerPlatform(f"http://127.0.0.1:{port}/webhooks/messenger", secret)
        done = 0
        stop = time.perf_counter() + seconds
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as http:

            async def loop(i: int) -> None:
                nonlocal done
                while time.perf_counter() < stop:
                    response = await platform.say(http, f"f{i}", "đăng ký khai sinh")
                    done += response.status == 200

            await asyncio.gather(*(loop(i) for i in range(concurrency)))
        return done / seconds
    finally:
        server.terminate()
        server.wait()


async def wait_healthy(url: str, method: str = "GET", ok=(200,), timeout: float = 180) -> None:
    deadline = time.perf_counter() + timeout
    async with aiohttp.ClientSession() as http:
        while time.perf_counter() < deadline:
            try:
                async with http.request(method, url) as response:
                    if response.status in ok:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


async def wait_for_workers(url: str, workers: int, timeout: float = 180) -> None:
    """Until every worker process answers: the first to start would otherwise take the whole
    warm-up, and the others would meet the common questions cold in the measured run."""
    seen: set[int] = set()
    deadline = time.perf_counter() + timeout
    connector = aiohttp.TCPConnector(force_close=True)  # each probe may reach another worker
    async with aiohttp.ClientSession(connector=connector) as http:
        while len(seen) < workers:
            if time.perf_counter() > deadline:
                raise RuntimeError(f"only {len(seen)} of {workers} workers came up")
            try:
                async with http.get(url) as response:
                    if response.status == 200:
                        seen.add((await response.json())["worker"])
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)


def server_env(
    standins: StandIns, data_dir: Path, port: int, catalogue: str | None, database: str | None
) -> dict:
    """The environment of a server process wired to the stand-ins."""
    settings = Settings(
        data_dir=data_dir,
        port=port,
        catalogue=Path(catalogue) if catalogue else None,
        database_url=database,
    )
    return dict(os.environ) | settings_env(standins.configure(settings))


def peak_rss_mb(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            pass
    return total


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes have used so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
        except (OSError, IndexError, ValueError):
            pass
    return total


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy (all cores; /proc/stat), so a run can
    count what no process of its own shows, such as PostgreSQL's backends."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def timeline(tracker: Tracker, window: float = 10.0) -> list[dict]:
    """Latency by window of due time: shows whether a backlog built up and when."""
    if not tracker.latencies:
        return []
    due = np.array(tracker.due_at)
    lat = np.array(tracker.latencies) * 1000
    start = due.min()
    rows = []
    for first in np.arange(start, due.max() + 1e-9, window):
        chosen = lat[(due >= first) & (due < first + window)]
        if chosen.size:
            rows.append(
                {
                    "from_s": round(float(first - start)),
                    "answered": int(chosen.size),
                    "p50_ms": round(float(np.percentile(chosen, 50)), 1),
                    "p99_ms": round(float(np.percentile(chosen, 99)), 1),
                }
            )
    return rows


def children(pid: int) -> list[int]:
    try:
        out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    except OSError:
        return []
    return [int(p) for p in out.split()]


async def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=150)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--citizens", type=int, default=1500)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--catalogue", default=str(ROOT.parent / "shared/catalogue/dvc-national-2026.jsonl.gz")
    )
    parser.add_argument("--database-url")
    parser.add_argument("--port", type=int, default=18780)
    parser.add_argument(
        "--data-dir", help="keep the server's data here (the embedding cache survives)"
    )
    parser.add_argument("--skip-floor", action="store_true")
    parser.add_argument(
        "--cold", action="store_true", help="measure from a fresh start (no pool warm-up)"
    )
    parser.add_argument("--json")
    parser.add_argument("--server-log", help="write the server's output here")
    args = parser.parse_args()
    catalogue = args.catalogue if Path(args.catalogue).exists() else None
    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="motcua-load-"))
    # A kept data directory keeps the embedding cache, not the database: the stand-ins number
    # their message ids from 1 again, and a stored id would read as a redelivery.
    for leftover in data_dir.glob("motcua.db*"):
        leftover.unlink()

    POOL[:] = question_pool()
    speed_before = machine_speed()
    sync_ms = disk_sync_ms(data_dir)
    standins = await StandIns.start()
    tracker = Tracker()
    log = open(args.server_log, "w") if args.server_log else subprocess.DEVNULL  # noqa: SIM115
    command = [sys.executable, "-m", "bot.shell.cli", "serve"]
    if args.workers > 1:
        command += ["--workers", str(args.workers)]
    server = subprocess.Popen(
        command,
        cwd=ROOT,
        env=server_env(standins, data_dir, args.port, catalogue, args.database_url),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        started = time.perf_counter()
        await wait_healthy(f"{base}/healthz")
        await wait_for_workers(f"{base}/healthz", args.workers)
        startup = time.perf_counter() - started
        platforms = standins.platforms(base)
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as http:
            # Warm-up, outside the measurement: every pool question as typed (no typo), as a
            # server that has been running has seen the common questions; the measured
            # questions' typos still miss the query cache. Each worker process has a cache of
            # its own and connections spread over workers, so with several workers the pool
            # goes round 3 times a worker (a worker misses a question with odds 1 in 2**6).
            # --cold skips it (a fresh restart).
            warm_up = Tracker()
            hook_standins(standins, warm_up)
            if args.cold:
                await drive(20, 2, 30, platforms, http, warm_up)
            else:
                in_order = itertools.cycle(POOL)
                rounds = 1 if args.workers == 1 else 3 * args.workers
                seconds = rounds * len(POOL) / 60
                # A new connection for every warm-up event: the kernel spreads connections, not
                # requests, over the workers, and a few kept-alive ones may all reach one.
                async with aiohttp.ClientSession(
                    connector=aiohttp.TCPConnector(force_close=True)
                ) as fresh:
                    await drive(60, seconds, 60, platforms, fresh, warm_up, in_order.__next__)
            hook_standins(standins, tracker)
            pids = [server.pid, *children(server.pid)]
            server_cpu = cpu_seconds(pids)
            own_cpu = time.process_time()
            machine_busy = machine_busy_seconds()
            elapsed = await drive(args.rate, args.seconds, args.citizens, platforms, http, tracker)
            server_cpu = cpu_seconds(pids) - server_cpu
            own_cpu = time.process_time() - own_cpu
            machine_busy = machine_busy_seconds() - machine_busy
        memory = peak_rss_mb(pids)
        searches = encoder_calls = 0.0
        async with aiohttp.ClientSession() as http:
            for _ in range(args.workers * 4):  # each worker answers some scrapes
                async with http.get(f"{base}/metrics") as response:
                    text = await response.text()
                for line in text.splitlines():
                    if line.startswith("motcua_retrieval_searches "):
                        searches = max(searches, float(line.split()[1]))
                    if line.startswith("motcua_retrieval_encoder_calls "):
                        encoder_calls = max(encoder_calls, float(line.split()[1]))
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
        await standins.stop()

    speed_after = machine_speed()
    lat = np.array(tracker.latencies) * 1000 if tracker.latencies else np.zeros(1)
    answered = len(tracker.latencies)
    report = {
        "rate_target": args.rate,
        "seconds": args.seconds,
        "workers": args.workers,
        "database": "postgresql" if args.database_url else "sqlite",
        "catalogue": "national" if catalogue else "embedded",
        "sent": tracker.sent,
        "answered": answered,
        "errors": tracker.errors,
        "error_kinds": tracker.error_kinds,
        "handed_to_staff_then_silent": tracker.left_to_staff,
        "throughput_per_s": round(answered / elapsed, 1),
        "p50_ms": round(float(np.percentile(lat, 50)), 1),
        "p95_ms": round(float(np.percentile(lat, 95)), 1),
        "p99_ms": round(float(np.percentile(lat, 99)), 1),
        "max_ms": round(float(lat.max()), 1),
        "startup_s": round(startup, 1),
        "server_peak_rss_mb": round(memory, 1),
        "encoder_share_one_worker": round(encoder_calls / searches, 2) if searches else None,
        "questions_in_pool": len(POOL),
        "warm_up": "none (cold start)"
        if args.cold
        else "each pool question once"
        if args.workers == 1
        else f"the pool {3 * args.workers} times (3 a worker)",
        # CPU during the measured run: the server's per answer, and the whole machine's share
        # taken by this process (load generator and stand-ins), which competes for the cores.
        "server_cpu_ms_per_answer": round(server_cpu * 1000 / max(answered, 1), 2),
        "server_cpu_cores": round(server_cpu / elapsed, 2),
        "generator_cpu_cores": round(own_cpu / elapsed, 2),
        "machine_busy_cores": round(machine_busy / elapsed, 2),  # everything, databases too
        "machine_loop_s_before_after": [speed_before, speed_after],
        "disk_sync_ms": sync_ms,
        "timeline": timeline(tracker),
    }
    if not args.skip_floor:
        report["floor_acks_per_s"] = round(await floor_throughput(min(args.seconds, 15)), 1)
        report["ratio_to_floor"] = round(report["throughput_per_s"] / report["floor_acks_per_s"], 3)
    print(json.dumps(report, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
