"""Search benchmark: p50/p95 latency in process and over HTTP, at several data sizes,
on SQLite and PostgreSQL, with the relevance table's queries, by kind: single names (the
table of issue 3), phrases and questions, and names only the drug dictionary knows.

    .venv/bin/python bench/search_bench.py                       # seed, 10k, 100k; both DBs
    .venv/bin/python bench/search_bench.py --sizes 0,10000 --databases sqlite

For each database it builds a fresh database, loads the content, then grows it with
`manage.py bench_data` to each size in turn. At each size it measures `search_entries()`
in a worker process and `/search/?q=` through gunicorn, and checks that the answers for
the real content are the ones given at seed size (the baseline of the same run).
Targets (issue 3): p95 < 25 ms in process and < 50 ms over HTTP at 100,000 entries.
"""

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
REPEATS = 5
PG_URL = "postgres://postgres@127.0.0.1:5432/{name}"


def env_for(database_url: str) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SECRET_KEY="bench-secret-key-not-for-production-0123456789",
        DJANGO_DEBUG="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="site_config.settings",
        # Measure the search itself, not the page cache in front of it.
        PAGE_CACHE_SECONDS="0",
    )
    return env


def manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def fresh_database(kind: str) -> str:
    if kind == "sqlite":
        path = Path(tempfile.gettempdir()) / "neutropenia-bench.sqlite3"
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    name = "neutropenia_bench"
    for sql in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", sql], check=True
        )
    return PG_URL.format(name=name)


def percentiles(samples_ms: list[float]) -> tuple[float, float]:
    ordered = sorted(samples_ms)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return p50, p95


# --- worker: runs inside Django ---------------------------------------------------------


def query_kinds() -> dict[str, list[str]]:
    """The relevance table's queries by kind (in the worker: the table imports Django)."""
    from tests.test_search_relevance import PHRASES, RELEVANCE, UNLISTED

    return {
        "names": [q for q, _ in RELEVANCE],
        "phrases": [q for q, _ in PHRASES],
        "unlisted": [q for q, _ in UNLISTED],
    }


def worker() -> None:
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from causes.search import search_entries

    kinds = query_kinds()
    queries = [q for qs in kinds.values() for q in qs]
    for q in queries:  # warm caches and connections
        search_entries(q)
    samples = {kind: [] for kind in kinds}
    for _ in range(REPEATS):
        for kind, qs in kinds.items():
            for q in qs:
                start = time.perf_counter()
                search_entries(q)
                samples[kind].append((time.perf_counter() - start) * 1000)
    answers = {q: [r.url for r in search_entries(q).results[:3]] for q in queries}
    print(json.dumps({"samples": samples, "answers": answers, "kinds": kinds}))


def in_process(env) -> dict:
    out = subprocess.run(
        [PYTHON, __file__, "--worker"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


# --- HTTP: gunicorn in front of the same database ------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def over_http(env, kinds: dict[str, list[str]]) -> dict[str, list[float]]:
    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "site_config.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            "--workers=1",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

        def get(q):
            # As the TLS proxy would send it, so no HTTPS redirect gets in the way.
            conn.request("GET", f"/search/?q={quote(q)}", headers={"X-Forwarded-Proto": "https"})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{q!r}: HTTP {response.status}")

        for qs in kinds.values():
            for q in qs:
                get(q)
        samples = {kind: [] for kind in kinds}
        for _ in range(REPEATS):
            for kind, qs in kinds.items():
                for q in qs:
                    start = time.perf_counter()
                    get(q)
                    samples[kind].append((time.perf_counter() - start) * 1000)
        return samples
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--sizes", default="0,10000,100000", help="synthetic causes to add")
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    if args.worker:
        return worker()

    sizes = sorted(int(s) for s in args.sizes.split(","))
    rows = []
    for kind in args.databases.split(","):
        env = env_for(fresh_database(kind))
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "load_content", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")
        baseline = None
        current = 0
        for size in sizes:
            if size > current:
                started = time.perf_counter()
                manage(env, "bench_data", "--entries", str(size - current), "-v0")
                print(f"[{kind}] bench_data to {size}: {time.perf_counter() - started:.1f} s")
                current = size
            measured = in_process(env)
            kinds = measured["kinds"]
            baseline = baseline or measured["answers"]
            http = over_http(env, kinds)
            for query_kind, qs in kinds.items():
                same = sum(measured["answers"][q] == baseline[q] for q in qs)
                p50, p95 = percentiles(measured["samples"][query_kind])
                h50, h95 = percentiles(http[query_kind])
                rows.append((kind, size, query_kind, p50, p95, h50, h95, f"{same}/{len(qs)}"))
                print(f"[{kind}] {size} {query_kind}: p95 {p95:.1f} ms, HTTP p95 {h95:.1f} ms")

    print()
    counts = ", ".join(f"{len(qs)} {k}" for k, qs in kinds.items())
    print(f"Queries: {counts}; x {REPEATS} repeats each; answers compared with seed size.")
    print(
        "| database | synthetic causes | queries | in-process p50 | in-process p95 | HTTP p50 "
        "| HTTP p95 | same answers as seed |"
    )
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    for kind, size, query_kind, p50, p95, h50, h95, same in rows:
        print(
            f"| {kind} | {size:,} | {query_kind} | {p50:.1f} ms | {p95:.1f} ms | {h50:.1f} ms "
            f"| {h95:.1f} ms | {same} |"
        )
    seed = {(r[0], r[2]): r for r in rows if r[1] == sizes[0]}
    for kind, size, query_kind, _, p95, _, h95, _ in rows:
        base = seed[(kind, query_kind)]
        print(
            f"{kind} {size:,} {query_kind}: p95 {p95 / base[4]:.1f}x seed in process, "
            f"{h95 / base[6]:.1f}x seed over HTTP"
        )
    worst = max(rows, key=lambda r: r[4])
    worst_http = max(rows, key=lambda r: r[6])
    print(
        f"{'PASS' if worst[4] <= 25 else 'FAIL'}: p95 <= 25 ms in process "
        f"(worst {worst[4]:.1f} ms: {worst[0]} {worst[1]:,} {worst[2]})"
    )
    print(
        f"{'PASS' if worst_http[6] <= 50 else 'FAIL'}: p95 <= 50 ms over HTTP "
        f"(worst {worst_http[6]:.1f} ms: {worst_http[0]} {worst_http[1]:,} {worst_http[2]})"
    )


if __name__ == "__main__":
    main()
