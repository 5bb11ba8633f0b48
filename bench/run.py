"""`make bench`: throughput and latency of the hot endpoints under gunicorn, on SQLite and PostgreSQL.

For each database: load a closed round with --attempts finished attempts (1,000,000 by default) and time its
final ranking; start attempts in an open round; then serve the app with gunicorn (the same worker settings for
every endpoint) and measure with wrk a bare hello-world route (the baseline), the answer save, the top 50 of the
leaderboard and "my rank". Figures are written to docs/performance.md as ratios against the baseline, since
machines differ: the baseline and each endpoint are measured in turns (--rounds pairs of --duration seconds) and
the median of the pairs' ratios is reported, so that other load on a shared machine does not decide the result.
`--endpoints answer_save --attempts 20000` makes a quick run for development.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from contest.api.auth import TOKEN_CACHE_SECONDS  # noqa: E402

PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PG_DB = "contest_bench"
SECRET = "bench-secret-key-0123456789-0123456789-abcdef"
ENDPOINTS = ("hello", "answer_save", "leaderboard_top50", "my_rank")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url(kind: str, workdir: Path) -> str:
    if kind == "sqlite":
        path = workdir / "bench.db"
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return f"sqlite:///{path}"
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{PG_DB}"'))
    admin.dispose()
    return make_url(PG_ADMIN_URL).set(database=PG_DB).render_as_string(hide_password=False)


def prepare(url: str, attempts: int, workdir: Path, savers: int) -> dict:
    """Schema, data and tokens; returns what the load runs need and the finalisation time."""
    from flask_migrate import upgrade

    from bench import data
    from contest import create_app
    from contest.accounts import services as accounts
    from contest.accounts.models import User
    from contest.extensions import db
    from contest.quiz import attempts as attempt_services
    from contest.quiz import leaderboard

    app = create_app({"TESTING": False, "CONTEST_ENV": "production", "SECRET_KEY": SECRET,
                      "SQLALCHEMY_DATABASE_URI": url, "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024})
    out: dict = {}
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        t0 = time.perf_counter()
        round_id, (first, last) = data.make_closed_round(attempts)
        out["load_seconds"] = time.perf_counter() - t0
        rnd = db.session.get(data.Round, round_id)
        t0 = time.perf_counter()
        leaderboard.finalise_round(rnd)
        db.session.commit()
        out["finalise_seconds"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        leaderboard.publish_round(rnd)  # freezes the snapshot: every rank copied with names and units
        db.session.commit()
        out["publish_seconds"] = time.perf_counter() - t0
        out["closed_round"] = round_id

        organiser = accounts.register("bench.organiser@bench.example", "bench-password", "Ban tổ chức", None,
                                      roles=["organiser"], unit_required=False)
        db.session.commit()
        org_token, _ = accounts.issue_token(organiser)
        step = max(1, (last - first) // 500)
        member_tokens = []
        for user_id in range(first, last + 1, step):
            token, _ = accounts.issue_token(db.session.get(User, user_id))
            member_tokens.append(token)
        db.session.commit()
        (workdir / "organiser_token.txt").write_text(org_token + "\n")
        (workdir / "member_tokens.txt").write_text("\n".join(member_tokens) + "\n")

        # An open round, a long time limit, and attempts in progress for the answer saves.
        now = datetime.now(UTC)
        data.make_questions(40)
        open_round = data.make_contest("bench-open", now - timedelta(hours=1), now + timedelta(days=2),
                                       time_limit_seconds=86_400, question_count=10, max_attempts=None)
        unit_ids = data.make_units(10)
        s_first, s_last = data.make_users(savers, unit_ids, "save")
        db.session.commit()
        lines = []
        for user_id in range(s_first, s_last + 1):
            user = db.session.get(User, user_id)
            attempt, _created = attempt_services.start_attempt(open_round, user)
            token, _ = accounts.issue_token(user)
            lines.append(f"{token} {attempt.id}")
        db.session.commit()
        (workdir / "save_targets.txt").write_text("\n".join(lines) + "\n")
        db.engine.dispose()
    return out


@contextlib.contextmanager
def gunicorn(url: str, workers: int, threads: int):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET, "CONTEST_ENV": "production",
           "SESSION_COOKIE_SECURE": "1", "PYTHONPATH": str(ROOT)}
    env.pop("REDIS_URL", None)
    cmd = [str(Path(sys.executable).with_name("gunicorn")), "-w", str(workers), "--threads", str(threads),
           "-b", f"127.0.0.1:{port}", "--log-level", "warning", "bench.wsgi_bench:app"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        # The master accepts connections before its workers have imported the app (seconds on a busy machine):
        # wait until the app itself answers.
        for _ in range(600):
            try:
                with urllib.request.urlopen(f"{base}/bench/hello", timeout=1) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        time.sleep(1.0)
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def wrk(url: str, duration: int, connections: int, script: list[str] | None = None) -> dict:
    threads = min(2, connections)
    cmd = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--latency"]
    if script:
        cmd += ["-s", script[0], url, "--", *script[1:]]
    else:
        cmd.append(url)
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    median = re.search(r"50%\s+([\d.]+)(us|ms|s)\b", out)
    factor = {"us": 0.001, "ms": 1.0, "s": 1000.0}[median.group(2)] if median else 0.0
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    total = re.search(r"(\d+) requests in", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non2xx.group(1)) if non2xx else 0) + (sum(map(int, sockets.groups())) if sockets else 0)
    return {"rps": rps, "median_ms": float(median.group(1)) * factor if median else 0.0,
            "errors": errors, "requests": int(total.group(1))}


def summarise(results: list[dict]) -> dict:
    """Several wrk runs of one endpoint: median requests/s and median latency, errors summed."""
    return {"rps": statistics.median(r["rps"] for r in results),
            "median_ms": statistics.median(r["median_ms"] for r in results),
            "errors": sum(r["errors"] for r in results), "requests": sum(r["requests"] for r in results),
            "runs": len(results)}


def measure(kind: str, args, workdir: Path) -> dict:
    url = database_url(kind, workdir)
    print(f"[{kind}] loading {args.attempts:,} attempts …", flush=True)
    prep = prepare(url, args.attempts, workdir, args.savers)
    print(f"[{kind}] loaded in {prep['load_seconds']:.1f} s; final ranking in {prep['finalise_seconds']:.2f} s; "
          f"published in {prep['publish_seconds']:.2f} s",
          flush=True)
    rid = prep["closed_round"]
    runs = {}
    with gunicorn(url, args.workers, args.threads) as base:
        here = Path(__file__).parent
        plan = {
            "hello": (f"{base}/bench/hello", None),
            "answer_save": (base, [str(here / "save.lua"), str(workdir / "save_targets.txt")]),
            "leaderboard_top50": (base, [str(here / "get.lua"), str(workdir / "organiser_token.txt"),
                                         f"/api/v1/rounds/{rid}/leaderboard?limit=50"]),
            "my_rank": (base, [str(here / "get.lua"), str(workdir / "member_tokens.txt"),
                               f"/api/v1/rounds/{rid}/leaderboard/me"]),
        }
        hello_target, _ = plan["hello"]
        wrk(hello_target, 2, args.connections)  # warm-up
        hello_runs = []
        for name, (target, script) in plan.items():
            if name not in args.endpoints or name == "hello":
                continue
            wrk(target, 2, args.connections, script)  # warm-up
            # The baseline and this endpoint in turns, `rounds` times: each ratio compares two runs made a few
            # seconds apart, so a load that comes and goes on the machine weighs on both alike; the median
            # ratio is reported.
            pairs = []
            for _ in range(args.rounds):
                baseline = wrk(hello_target, args.duration, args.connections)
                measured = wrk(target, args.duration, args.connections, script)
                hello_runs.append(baseline)
                pairs.append((baseline, measured))
            # A baseline run that got no answer at all (the server gone for a moment) cannot give a ratio; its
            # pair is left out, and the failed requests show in the errors column.
            ratios = sorted(m["rps"] / b["rps"] for b, m in pairs if b["rps"] > 0) or [0.0]
            runs[name] = summarise([m for _, m in pairs])
            runs[name]["ratio"] = statistics.median(ratios)
            runs[name]["ratios"] = ratios
            single = wrk(target, args.duration, 1, script)
            runs[name]["median_ms_one_client"] = single["median_ms"]
            runs[name]["errors"] += single["errors"]
            print(f"[{kind}] {name}: {runs[name]}", flush=True)
        if not hello_runs:
            hello_runs = [wrk(hello_target, args.duration, args.connections)]
        single = wrk(hello_target, args.duration, 1)
        runs = {"hello": {**summarise(hello_runs), "ratio": 1.0, "ratios": [1.0],
                          "median_ms_one_client": single["median_ms"]}, **runs}
        runs["hello"]["errors"] += single["errors"]
        print(f"[{kind}] hello: {runs['hello']}", flush=True)
    return {"prep": prep, "runs": runs, "url_kind": kind}


def write_report(results: dict, args) -> str:
    lines = [
        "# Performance",
        "",
        "Written by `make bench` (bench/run.py). Each database is loaded with a closed round of "
        f"{args.attempts:,} finished attempts (one per member) and an open round with {args.savers} attempts in "
        "progress; then the app runs under gunicorn "
        f"(`-w {args.workers} --threads {args.threads}`, the same for every endpoint) and wrk measures with "
        f"{args.connections} connections, {args.duration} s a run. Throughput is given as a ratio to a bare "
        "hello-world route of the same app, since machines differ: the baseline and each endpoint are measured "
        f"in turns, {args.rounds} pairs of runs a few seconds apart, and the ratio given is the median of the "
        f"{args.rounds} ratios (so that other load on a shared machine weighs on both sides of a ratio alike); "
        "requests/s and the median latency are the medians of the runs. Then one connection, for the median "
        "latency of a lone client. Absolute figures are for this machine only "
        f"({os.cpu_count()} cores).",
        "",
        "Answer saves use bearer tokens, which each app process caches for "
        f"{TOKEN_CACHE_SECONDS:g} s (contest/api/auth.py): a token revoked, or an account deactivated, through "
        "another process is accepted by this one for at most that long; the process that revokes empties its "
        "cache at once. The attempt's frozen question list is cached per process too (it never changes); the "
        "database still checks the owner, the status and the deadline in the one statement that saves, run "
        "as a transaction of its own. That one endpoint also skips the session cookie and the rate limiter's "
        "per-request bookkeeping (contest/web.py is_bearer_answer_save, contest/extensions.py "
        "UNLIMITED_HOT_ENDPOINTS); the baseline, like every other route, goes through both.",
        "",
        f"Run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
        "",
    ]
    for kind, res in results.items():
        runs, prep = res["runs"], res["prep"]
        lines += [
            f"## {'SQLite' if kind == 'sqlite' else 'PostgreSQL'}",
            "",
            f"- Final ranking of the round with {args.attempts:,} attempts (prediction tiebreak, ranks stored): "
            f"**{prep['finalise_seconds']:.2f} s** (target: under 10 s).",
            f"- Publishing it (the frozen snapshot: every rank copied with the member's name and unit as they "
            f"were): **{prep['publish_seconds']:.2f} s**.",
            "",
            "| endpoint | requests/s | ratio to baseline (median) | ratios of the pairs | median ms "
            "| median ms, one client | errors |",
            "| --- | ---: | ---: | --- | ---: | ---: | ---: |",
        ]
        for name, r in runs.items():
            pairs = ", ".join(f"{x:.2f}" for x in r["ratios"]) if name != "hello" else ""
            lines.append(f"| {name} | {r['rps']:.0f} | {r['ratio']:.2f} | {pairs} | {r['median_ms']:.2f} | "
                         f"{r['median_ms_one_client']:.2f} | {r['errors']} |")
        lines.append("")
        if "answer_save" in runs:
            lines.append(f"- Answer save: {runs['answer_save']['ratio']:.2f} of the baseline's throughput "
                         "(target: at least 0.35).")
        if "leaderboard_top50" in runs and "my_rank" in runs:
            lines.append(f"- Leaderboard top 50: median {runs['leaderboard_top50']['median_ms_one_client']:.2f} ms "
                         f"with one client; my rank: median {runs['my_rank']['median_ms_one_client']:.2f} ms "
                         "(target: under 20 ms).")
        lines.append("")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--attempts", type=int, default=1_000_000)
    parser.add_argument("--savers", type=int, default=200)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=5, help="pairs of runs (baseline, endpoint) per endpoint")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--endpoints", default=",".join(ENDPOINTS),
                        help="the endpoints to measure, for quick runs (the baseline is always measured)")
    parser.add_argument("--output", default=str(ROOT / "docs" / "performance.md"))
    args = parser.parse_args(argv)
    args.endpoints = {"hello", *(e.strip() for e in args.endpoints.split(","))}
    if args.endpoints - set(ENDPOINTS):
        parser.error(f"unknown endpoints: {', '.join(sorted(args.endpoints - set(ENDPOINTS)))}")
    if shutil.which("wrk") is None:
        print("wrk is needed: apt-get install wrk", file=sys.stderr)
        return 2
    results = {}
    with tempfile.TemporaryDirectory(prefix="contest-bench-") as tmp:
        for kind in args.databases.split(","):
            results[kind] = measure(kind.strip(), args, Path(tmp))
    report = write_report(results, args)
    Path(args.output).write_text(report + "\n")
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
