"""Load benchmark: the site's throughput under wrk, compared with Django's floor.

    .venv/bin/python bench/load_bench.py                          # 60 s a run, both DBs
    .venv/bin/python bench/load_bench.py --duration 3 --connections 8 --databases sqlite
    .venv/bin/python bench/load_bench.py --duration 10 --modes uncached --pages search

For each database it builds a fresh database (SQLite in the temp directory, or the
PostgreSQL database `neutropenia_load` with Redis db 14 as the cache), loads the content
and collects the static files. For each mode (`cached`: the default settings; `uncached`:
PAGE_CACHE_SECONDS=0) it serves the site under gunicorn with site_config/gunicorn.py and
runs wrk against each page in turn, recording requests/s, p50 and p99 latency, errors
(socket errors and non-2xx/3xx answers) and the workers' peak resident memory.

Then it serves bench/floor_app.py (Django's floor: a page of the same size rendered by
Django's template engine, with no database and minimal middleware) under the same gunicorn
settings and worker count, and reports the site's requests/s as a ratio of the floor's.
Site and floor never run at the same time, so they never compete for the CPU.

Targets: cached pages >= 0.9x floor; search >= 0.5x floor cached and >= 0.25x uncached;
suggestions (called on every keystroke) >= 0.5x floor in both modes; the JSON API >= 0.3x
floor cached (its rate limit counts every request in the shared cache; look-ups are never
cached); zero errors; every worker under 100 MB resident.

LOAD_BENCH_PG_NAME and LOAD_BENCH_REDIS_DB (and TMPDIR, for the SQLite file and cache
files) let two checkouts run the benchmark without sharing a database.
"""

import argparse
import contextlib
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).parent / "gunicorn")
HOST = "127.0.0.1"  # the only target, ever
PG_URL = "postgres://postgres@127.0.0.1:5432/{name}"
PG_NAME = os.environ.get("LOAD_BENCH_PG_NAME", "neutropenia_load")
REDIS_DB = os.environ.get("LOAD_BENCH_REDIS_DB", "14")
CACHE_DIR = Path(tempfile.gettempdir()) / "neutropenia-load-cache"  # SQLite runs: no Redis
SEARCH_PAGES = [
    "/search/?q=clozaril",
    "/search/?q=does+clozapine+lower+white+blood+cells",
]
SUGGEST_PAGES = [
    "/search/suggest?q=cloz",
    "/search/suggest?q=clozaril",
]
PAGE_GROUPS = {
    "content": [
        "/",
        "/categories/drugs/",
        "/causes/antipsychotic-medications/",
        "/drugs/clozapine/",
    ],
    "search": SEARCH_PAGES + SUGGEST_PAGES,
    # The JSON API (/api/v1/): a list, one entry, its search and a name look-up.
    "api": [
        "/api/v1/causes",
        "/api/v1/drugs/clozapine",
        "/api/v1/search?q=clozaril",
        "/api/v1/lookup?name=Fazaclo",
    ],
}
SEARCH_PREFIX = "/search/"
API_PREFIX = "/api/"
SUGGEST_PREFIX = "/search/suggest"
# What the TLS proxy sends; without it the site redirects plain HTTP to HTTPS.
PROXY_HEADER = ("X-Forwarded-Proto", "https")
CACHED_TARGET, SEARCH_TARGET, RSS_TARGET_MB = 0.9, 0.5, 100
SEARCH_UNCACHED_TARGET, SUGGEST_TARGET = 0.25, 0.5
# The API's cached answers (each request also counts against the rate limit in the shared
# cache). Look-ups are never cached (they may be someone's medicines) and, like uncached
# pages, are reported without a target.
API_TARGET = 0.3
NEVER_CACHED_API = "/api/v1/lookup"


@dataclass
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


@dataclass
class Row:
    database: str
    mode: str
    page: str
    status: int
    size: int
    site: WrkResult | None = None
    floor: WrkResult | None = None

    @property
    def ratio(self) -> float | None:
        if self.site and self.floor and self.floor.rps:
            return self.site.rps / self.floor.rps
        return None


# --- database and environment ---------------------------------------------------------------


def site_env(database_url: str, kind: str, mode: str) -> dict:
    env = dict(os.environ)
    # Inherited values must not change what a mode means.
    for name in ("PAGE_CACHE_SECONDS", "REDIS_URL", "CACHE_DIR", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    env.update(
        DJANGO_SECRET_KEY="load-bench-secret-key-not-for-production-0123456789abcdef",
        DJANGO_DEBUG="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        GUNICORN_LOG_LEVEL="warning",
        # The API's rate limit still counts every request (its cost is measured), but one
        # load generator on one address must not be refused.
        API_RATE_LIMIT="1000000000/m",
    )
    if kind == "postgresql":
        env["REDIS_URL"] = f"redis://127.0.0.1:6379/{REDIS_DB}"
    else:  # no Redis: the cache files every worker shares
        env["CACHE_DIR"] = str(CACHE_DIR)
    if mode == "uncached":
        env["PAGE_CACHE_SECONDS"] = "0"
    return env


def floor_env(size: int) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(FLOOR_BYTES=str(size), GUNICORN_LOG_LEVEL="warning")
    return env


def fresh_database(kind: str) -> str:
    if kind == "sqlite":
        path = Path(tempfile.gettempdir()) / "neutropenia-load.sqlite3"
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    for sql in (f"DROP DATABASE IF EXISTS {PG_NAME}", f"CREATE DATABASE {PG_NAME}"):
        subprocess.run(
            ["psql", "-h", HOST, "-U", "postgres", "-d", "postgres", "-qc", sql], check=True
        )
    return PG_URL.format(name=PG_NAME)


def flush_redis() -> None:
    subprocess.run(["redis-cli", "-h", HOST, "-n", REDIS_DB, "flushdb"], check=True)


def clear_cache_files() -> None:
    shutil.rmtree(CACHE_DIR, ignore_errors=True)


def prepare(kind: str) -> str:
    database_url = fresh_database(kind)
    env = site_env(database_url, kind, "cached")
    for args in (
        ("migrate", "--noinput", "-v0"),
        ("load_content", "-v0"),
        ("collectstatic", "--noinput", "-v0"),
    ):
        subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)
    return database_url


# --- gunicorn ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def fetch(port: int, path: str) -> tuple[int, int]:
    """One GET as wrk sends it (no compression): (status, body size in bytes)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request("GET", path, headers=dict([PROXY_HEADER]))
        response = conn.getresponse()
        return response.status, len(response.read())
    finally:
        conn.close()


def wait_until_up(server: subprocess.Popen, port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {server.returncode}")
        try:
            fetch(port, "/healthz")
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer on port {port} within {timeout:.0f} s")


@contextlib.contextmanager
def gunicorn(app: list[str], env: dict, workers: int):
    """Serve `app` with the project's gunicorn settings; yields (master process, port)."""
    port = free_port()
    env = {**env, "GUNICORN_BIND": f"{HOST}:{port}", "GUNICORN_WORKERS": str(workers)}
    server = subprocess.Popen([GUNICORN, "-c", "site_config/gunicorn.py", *app], cwd=ROOT, env=env)
    try:
        wait_until_up(server, port)
        yield server, port
    finally:
        stop(server)


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()  # SIGTERM: gunicorn stops its workers, then itself
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def worker_rss_mb(master_pid: int) -> float:
    """Largest VmRSS among the gunicorn master's children (its workers), in MB."""
    largest_kb = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":", 1) for line in status.read_text().splitlines() if ":" in line
            )
        except OSError:  # the process ended while we looked
            continue
        if fields.get("PPid", "").strip() == str(master_pid) and "VmRSS" in fields:
            largest_kb = max(largest_kb, int(fields["VmRSS"].split()[0]))
    return largest_kb / 1024


# --- wrk -----------------------------------------------------------------------------------

UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def to_ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)([a-z]+)", text).groups()
    return float(number) * UNITS_MS[unit]


def parse_wrk(output: str) -> WrkResult:
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M)
    if not (rps and p50 and p99):
        raise RuntimeError(f"Could not read wrk's output:\n{output}")
    errors = 0
    if socket_errors := re.search(r"Socket errors: (.*)", output):
        errors += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1)))
    if bad_status := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        errors += int(bad_status.group(1))
    return WrkResult(float(rps.group(1)), to_ms(p50.group(1)), to_ms(p99.group(1)), errors)


def run_wrk(port: int, path: str, args, master_pid: int | None = None) -> tuple[WrkResult, float]:
    """wrk against one page; returns its result and the workers' peak RSS (MB) meanwhile.

    RSS is sampled during the run as well as after it: gunicorn recycles workers after
    max_requests, so a reading taken only at the end may see a fresh, small worker.
    """
    command = [
        "wrk",
        *("-t", str(args.threads), "-c", str(args.connections), "-d", f"{args.duration}s"),
        "--latency",
        *("-H", f"{PROXY_HEADER[0]}: {PROXY_HEADER[1]}"),
        f"http://{HOST}:{port}{path}",
    ]
    deadline = time.monotonic() + args.duration + 60  # wrk bounds itself; this is a backstop
    peak_mb = 0.0
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as wrk:
        try:
            while wrk.poll() is None and time.monotonic() < deadline:
                if master_pid:
                    peak_mb = max(peak_mb, worker_rss_mb(master_pid))
                time.sleep(0.5)
        finally:
            if wrk.poll() is None:
                wrk.kill()
        output = wrk.stdout.read()
    if master_pid:
        peak_mb = max(peak_mb, worker_rss_mb(master_pid))
    return parse_wrk(output), peak_mb


# --- one database ------------------------------------------------------------------------------


def bench_site(kind: str, mode: str, database_url: str, args) -> tuple[list[Row], float]:
    """The site's pages under wrk, in one mode; returns rows and the workers' peak RSS."""
    if kind == "postgresql":
        flush_redis()  # no pages cached by an earlier run or mode
    else:
        clear_cache_files()
    rows, peak_mb = [], 0.0
    env = site_env(database_url, kind, mode)
    with gunicorn(["site_config.wsgi:application"], env, args.workers) as (server, port):
        for path in args.page_list:
            status, size = fetch(port, path)
            row = Row(kind, mode, path, status, size)
            if status == 200:
                row.site, rss = run_wrk(port, path, args, server.pid)
                peak_mb = max(peak_mb, rss)
                print(f"[{kind} {mode}] {path}: {row.site.rps:.0f} req/s", flush=True)
            else:
                print(f"[{kind} {mode}] {path}: HTTP {status}, not benchmarked", flush=True)
            rows.append(row)
    return rows, peak_mb


def bench_floor(size: int, args, floor_cache: dict) -> WrkResult:
    """Django's floor for a page of `size` bytes, measured once per size rounded to 1 KB."""
    key = round(size / 1024)
    if key not in floor_cache:
        app = ["--pythonpath", "bench", "floor_app:application"]
        with gunicorn(app, floor_env(size), args.workers) as (_, port):
            fetch(port, "/")  # warm up, as the site's pages were
            floor_cache[key], _ = run_wrk(port, "/", args)
        print(f"[floor] {size:,} bytes: {floor_cache[key].rps:.0f} req/s", flush=True)
    return floor_cache[key]


def bench_database(kind: str, args, floor_cache: dict) -> tuple[list[Row], dict]:
    database_url = prepare(kind)
    rows, rss = [], {}
    for mode in args.modes.split(","):
        mode_rows, rss[(kind, mode)] = bench_site(kind, mode, database_url, args)
        # The site is stopped now: the floor runs alone.
        for row in mode_rows:
            if row.site:
                row.floor = bench_floor(row.size, args, floor_cache)
        rows += mode_rows
    return rows, rss


# --- report ----------------------------------------------------------------------------------


def print_table(rows: list[Row], rss: dict) -> None:
    print(
        "\n| database | mode | page | bytes | site req/s | p50 | p99 | errors "
        "| floor req/s | ratio to floor |"
    )
    print("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        if not r.site:
            print(
                f"| {r.database} | {r.mode} | {r.page} | HTTP {r.status} | - | - | - | - | - | - |"
            )
            continue
        floor = f"{r.floor.rps:,.0f}" if r.floor else "-"
        ratio = f"{r.ratio:.2f}" if r.ratio is not None else "-"
        print(
            f"| {r.database} | {r.mode} | {r.page} | {r.size:,} | {r.site.rps:,.0f} "
            f"| {r.site.p50_ms:.1f} ms | {r.site.p99_ms:.1f} ms | {r.site.errors} "
            f"| {floor} | {ratio} |"
        )
    print()
    for (kind, mode), mb in rss.items():
        print(f"max worker RSS, {kind} {mode}: {mb:.1f} MB")


def ratio_target(rows: list[Row], minimum: float) -> tuple[bool, str]:
    if not rows or any(r.ratio is None for r in rows):
        return False, "not measured (see table)"
    worst = min(rows, key=lambda r: r.ratio)
    where = f"{worst.database} {worst.mode} {worst.page}"
    return worst.ratio >= minimum, f"worst {worst.ratio:.2f} ({where})"


def print_targets(rows: list[Row], rss: dict) -> None:
    api = [r for r in rows if r.page.startswith(API_PREFIX)]
    api_cached = [r for r in api if r.mode == "cached" and not r.page.startswith(NEVER_CACHED_API)]
    cached = [
        r
        for r in rows
        if r.mode == "cached" and not r.page.startswith(SEARCH_PREFIX) and r not in api
    ]
    suggest = [r for r in rows if r.page.startswith(SUGGEST_PREFIX)]
    search = [r for r in rows if r.page.startswith(SEARCH_PREFIX) and r not in suggest]
    # Reported separately: production runs cached; uncached shows the search's own cost.
    search_cached = [r for r in search if r.mode == "cached"]
    search_uncached = [r for r in search if r.mode != "cached"]
    errors = sum(r.site.errors for r in rows if r.site)
    unserved = [r for r in rows if not r.site]
    peak = max(rss.values(), default=0.0)
    targets = [
        (f"cached pages >= {CACHED_TARGET}x floor", *ratio_target(cached, CACHED_TARGET)),
        (f"search >= {SEARCH_TARGET}x floor, cached", *ratio_target(search_cached, SEARCH_TARGET)),
        (
            f"search >= {SEARCH_UNCACHED_TARGET}x floor, uncached",
            *ratio_target(search_uncached, SEARCH_UNCACHED_TARGET),
        ),
        (f"suggestions >= {SUGGEST_TARGET}x floor", *ratio_target(suggest, SUGGEST_TARGET)),
        (
            f"API >= {API_TARGET}x floor, cached (look-ups aside: never cached)",
            *ratio_target(api_cached, API_TARGET),
        ),
        (
            "zero errors",
            errors == 0 and not unserved,
            f"{errors} wrk errors, {len(unserved)} pages not 200",
        ),
        (f"worker memory < {RSS_TARGET_MB} MB", 0 < peak < RSS_TARGET_MB, f"max {peak:.1f} MB"),
    ]
    print()
    for name, passed, detail in targets:
        print(f"{'PASS' if passed else 'FAIL'}: {name}: {detail}")


def stop_cleanly_on_signals() -> None:
    """Turn Ctrl-C and SIGTERM into exceptions, so every `finally` stops its processes.

    Python ignores SIGINT when started in the background, and dies on SIGTERM without
    unwinding: either way gunicorn and wrk would be left running.
    """
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def main() -> None:
    stop_cleanly_on_signals()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=60, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--modes", default="cached,uncached")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--pages",
        default="content,search,api",
        help=f"comma-separated groups ({', '.join(PAGE_GROUPS)}) or paths",
    )
    args = parser.parse_args()
    args.page_list = [
        page for name in args.pages.split(",") for page in PAGE_GROUPS.get(name, [name])
    ]

    rows, rss, floor_cache, skipped = [], {}, {}, []
    for kind in args.databases.split(","):
        try:
            kind_rows, kind_rss = bench_database(kind, args, floor_cache)
        except (subprocess.CalledProcessError, RuntimeError) as error:
            # One database failing (say, PostgreSQL not running) still reports the others.
            print(f"[{kind}] skipped: {error}", flush=True)
            skipped.append(kind)
            continue
        rows += kind_rows
        rss.update(kind_rss)
    print_table(rows, rss)
    print_targets(rows, rss)
    if skipped:
        print(f"\nFAIL: incomplete run, skipped {', '.join(skipped)}")


if __name__ == "__main__":
    main()
