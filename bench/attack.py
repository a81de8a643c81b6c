"""Attack benchmark: the load bench's normal mix (signed Messenger, Zalo and Telegram events from
simulated citizens) while an attacker posts unique 2,000-character web chat messages, each from
a fresh session; p99 of the citizens' answers with and without the attacker.

    python bench/attack.py --rate 50 --attack-rate 10 --seconds 40 [--spread] [--json out.json]

``--spread``: the attacker's messages come from a different address each (a botnet behind the
province's reverse proxy: the server trusts 127.0.0.1's X-Forwarded-For), so the per-address
budget cannot stop them and only the bounded work per message protects the citizens. Without
it they come from one address, as a single machine would send them.

``--server-root DIR`` runs the server from another checkout (e.g. the code before a change) with
the same load. Loopback only; bounded in time.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import load  # noqa: E402
from bot.shell.standins import StandIns  # noqa: E402


@dataclass
class Attack:
    """What the attacker sent and what came back."""

    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0


def long_message(words: list[str], length: int = 2000) -> str:
    """A unique message of real words (the costliest kind for the encoder), ``length`` chars."""
    parts = [uuid.uuid4().hex[:8]]
    while sum(len(p) + 1 for p in parts) < length:
        parts.append(random.choice(words))
    return " ".join(parts)[:length]


async def attacker(
    base: str, rate: float, seconds: float, spread: bool, words: list[str], attack: Attack
) -> None:
    """``rate`` messages a second for ``seconds``, each from a new session, open loop."""
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def one(n: int) -> None:
            session = uuid.uuid4().hex
            headers = {"X-Chat-Session": session}
            if spread:
                headers["X-Forwarded-For"] = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
            body = {"session": session, "text": long_message(words)}
            try:
                async with http.post(
                    f"{base}/chat/api/messages", json=body, headers=headers
                ) as response:
                    attack.statuses[response.status] = attack.statuses.get(response.status, 0) + 1
            except aiohttp.ClientError:
                attack.errors += 1

        started = time.perf_counter()
        tasks = []
        for n in range(int(rate * seconds)):
            delay = started + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(n)))
        await asyncio.gather(*tasks)


def staff_cases(data_dir: Path) -> int:
    database = data_dir / "motcua.db"
    if not database.exists():
        return 0
    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT count(*) FROM escalationcase").fetchone()[0]


async def run(args: argparse.Namespace, with_attack: bool) -> dict:
    data_dir = Path(args.data_dir)
    for leftover in data_dir.glob("motcua.db*"):
        leftover.unlink()
    catalogue = args.catalogue if Path(args.catalogue).exists() else None
    standins = await StandIns.start()
    tracker = load.Tracker()
    env = load.server_env(standins, data_dir, args.port, catalogue, None)
    if args.spread:
        env["MOTCUA_TRUSTED_PROXIES"] = "127.0.0.1"
    server = subprocess.Popen(
        [sys.executable, "-m", "bot.shell.cli", "serve"],
        cwd=args.server_root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{args.port}"
    attack = Attack()
    try:
        await load.wait_healthy(f"{base}/healthz", timeout=900)
        platforms = standins.platforms(base)
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
            warm_up = load.Tracker()
            load.hook_standins(standins, warm_up)
            in_order = itertools.cycle(load.POOL)
            await load.drive(
                60, len(load.POOL) / 60, 60, platforms, http, warm_up, in_order.__next__
            )
            load.hook_standins(standins, tracker)
            pids = [server.pid, *load.children(server.pid)]
            cpu = load.cpu_seconds(pids)
            normal = load.drive(args.rate, args.seconds, args.citizens, platforms, http, tracker)
            if with_attack:
                words = " ".join(load.POOL).split()
                hostile = attacker(base, args.attack_rate, args.seconds, args.spread, words, attack)
                elapsed, _ = await asyncio.gather(normal, hostile)
            else:
                elapsed = await normal
            cpu = load.cpu_seconds(pids) - cpu
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
        await standins.stop()
    lat = np.array(tracker.latencies) * 1000 if tracker.latencies else np.zeros(1)
    return {
        "attacker": (
            f"{args.attack_rate:g}/s, {'one address each' if args.spread else 'one address'}"
            if with_attack
            else "none"
        ),
        "sent": tracker.sent,
        "answered": len(tracker.latencies),
        "errors": tracker.errors,
        "p50_ms": round(float(np.percentile(lat, 50)), 1),
        "p99_ms": round(float(np.percentile(lat, 99)), 1),
        "max_ms": round(float(lat.max()), 1),
        "server_cpu_cores": round(cpu / elapsed, 2),
        "attack_statuses": attack.statuses,
        "staff_cases_opened": staff_cases(data_dir),
        "timeline": load.timeline(tracker),
    }


async def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--attack-rate", type=float, default=10)
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--citizens", type=int, default=500)
    parser.add_argument("--spread", action="store_true")
    parser.add_argument(
        "--catalogue", default=str(ROOT.parent / "shared/catalogue/dvc-national-2026.jsonl.gz")
    )
    parser.add_argument("--port", type=int, default=18781)
    parser.add_argument("--data-dir", help="keep the embedding cache here between runs")
    parser.add_argument("--server-root", default=str(ROOT), help="the checkout to serve from")
    parser.add_argument("--json")
    args = parser.parse_args()
    args.data_dir = args.data_dir or tempfile.mkdtemp(prefix="motcua-attack-")
    load.POOL[:] = load.question_pool()
    report = {
        "rate": args.rate,
        "seconds": args.seconds,
        "server_root": args.server_root,
        "machine_loop_s": load.machine_speed(),
        "without_attacker": await run(args, with_attack=False),
        "with_attacker": await run(args, with_attack=True),
    }
    quiet, loud = report["without_attacker"]["p99_ms"], report["with_attacker"]["p99_ms"]
    report["p99_ratio"] = round(loud / quiet, 2) if quiet else None
    print(json.dumps(report, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
