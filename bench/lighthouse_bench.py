"""Lighthouse scores of every kind of public page, against Django's floor in the same run.

    npm ci --prefix bench/lighthouse             # once: lighthouse@12.2.3 (runs on Node 20)
    .venv/bin/python bench/lighthouse_bench.py   # SQLite, the production settings, gunicorn
    .venv/bin/python bench/lighthouse_bench.py --pages /,/drugs/clozapine/ --runs 1

The site is served as in production (DEBUG off, gunicorn with site_config/gunicorn.py,
WhiteNoise's compressed, hashed static files, the page cache on) on a fresh SQLite
database with the content, over plain HTTP on 127.0.0.1 (no TLS proxy here, so the HTTPS
redirect is off; Lighthouse counts localhost as a secure origin). Lighthouse drives
Debian's Chromium with its default mobile emulation and simulated throttling.

Each page is scored `--runs` times and the median run is kept (Lighthouse's advice for
performance, which varies from run to run). Baseline: bench/floor_app.py (a bare Django
page of the same size, no CSS or script), scored in the same run; the site's metrics are
printed beside it as ratios.

Targets: 100 in accessibility, best practices and SEO, at least 95 in performance; the
search page is `noindex` on purpose and exempt from SEO. Exits 1 when a target is missed.
"""

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from load_bench import (
    HOST,
    fetch,
    floor_env,
    gunicorn,
    prepare,
    site_env,
    stop_cleanly_on_signals,
)

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "bench" / "lighthouse" / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# As the browser tests start it: no background connections (this machine has no network).
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run "
    "--disable-background-networking --disable-component-update --disable-sync"
)
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
PAGES = [
    "/",
    "/categories/drugs/",
    "/causes/chemotherapy/",
    "/drugs/clozapine/",
    "/mechanisms/destruction/",
    "/mechanisms/",
    "/about/what-is-neutropenia/",
    "/search/?q=clozaril",
    "/search/?q=zzzzqq",
    "/check/",
    "/data/",
]
NOINDEX_PREFIX = "/search/"  # exempt from SEO: robots noindex on purpose
METRICS = {
    "first-contentful-paint": "FCP",
    "largest-contentful-paint": "LCP",
    "total-blocking-time": "TBT",
    "cumulative-layout-shift": "CLS",
    "total-byte-weight": "bytes",
}
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}


def lighthouse(url: str) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run(
            [
                "node",
                str(LIGHTHOUSE),
                url,
                f"--chrome-path={CHROMIUM}",
                f"--chrome-flags={CHROME_FLAGS}",
                f"--only-categories={','.join(CATEGORIES)}",
                "--output=json",
                f"--output-path={out.name}",
                "--quiet",
            ],
            check=True,
            timeout=300,
        )
        report = json.loads(Path(out.name).read_text())
    scores = {name: round(report["categories"][name]["score"] * 100) for name in CATEGORIES}
    metrics = {label: report["audits"][audit]["numericValue"] for audit, label in METRICS.items()}
    failing = [
        f"{name}: {audit_ref['id']}"
        for name in CATEGORIES
        for audit_ref in report["categories"][name]["auditRefs"]
        if audit_ref["weight"] > 0
        and (report["audits"][audit_ref["id"]]["score"] or 0) < 1
        and report["audits"][audit_ref["id"]]["scoreDisplayMode"] in ("binary", "numeric")
    ]
    return {"scores": scores, "metrics": metrics, "failing": failing}


def median_run(url: str, runs: int) -> dict:
    results = [lighthouse(url) for _ in range(runs)]
    results.sort(key=lambda r: r["scores"]["performance"])
    return results[len(results) // 2]


def misses(path: str, scores: dict) -> list[str]:
    return [
        f"{name} {scores[name]} < {target}"
        for name, target in TARGETS.items()
        if scores[name] < target and not (name == "seo" and path.startswith(NOINDEX_PREFIX))
    ]


def floor_baseline(size: int, runs: int) -> dict:
    app = ["--pythonpath", "bench", "floor_app:application"]
    with gunicorn(app, floor_env(size), 1) as (_, port):
        return median_run(f"http://{HOST}:{port}/", runs)


def ms(value: float) -> str:
    return f"{value:.0f} ms"


def main() -> None:
    stop_cleanly_on_signals()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated paths")
    parser.add_argument(
        "--runs", type=int, default=3, help="Lighthouse runs per page (median kept)"
    )
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        sys.exit("Lighthouse is not installed: npm ci --prefix bench/lighthouse")

    database_url = prepare("sqlite")
    env = site_env(database_url, "sqlite", "cached") | {
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_HSTS_SECONDS": "0",
        "DJANGO_SECURE_COOKIES": "0",
    }
    results, sizes = {}, []
    with gunicorn(["site_config.wsgi:application"], env, 2) as (_, port):
        for path in args.pages.split(","):
            status, size = fetch(port, path)
            sizes.append(size)
            results[path] = median_run(f"http://{HOST}:{port}{path}", args.runs)
            print(f"{path}: {results[path]['scores']}", flush=True)
    floor = floor_baseline(round(statistics.median(sizes)), args.runs)

    print()
    columns = "performance | accessibility | best practices | SEO | FCP | LCP | TBT | CLS"
    print(f"| page | {columns} | LCP / floor |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    rows = [("floor (bare Django page)", floor), *results.items()]
    for path, result in rows:
        s, m = result["scores"], result["metrics"]
        seo = "exempt" if path.startswith(NOINDEX_PREFIX) else s["seo"]
        ratio = m["LCP"] / floor["metrics"]["LCP"]
        print(
            f"| {path} | {s['performance']} | {s['accessibility']} | {s['best-practices']} | "
            f"{seo} | {ms(m['FCP'])} | {ms(m['LCP'])} | {ms(m['TBT'])} | {m['CLS']:.3f} | "
            f"{ratio:.2f}x |"
        )
    missed = {path: misses(path, r["scores"]) for path, r in results.items()}
    missed = {path: (m, results[path]["failing"]) for path, m in missed.items() if m}
    print()
    if missed:
        for path, (why, audits) in missed.items():
            print(f"MISSED {path}: {', '.join(why)}; failing audits: {', '.join(audits)}")
        sys.exit(1)
    print(f"All {len(results)} pages meet the targets: {TARGETS} (search exempt from SEO).")


if __name__ == "__main__":
    main()
