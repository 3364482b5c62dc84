"""gunicorn settings: `gunicorn -c site_config/gunicorn.py site_config.wsgi:application`.

Bind address and worker count come from the environment, so each app server of a
scale-out sets its own.
"""

import multiprocessing
import os

from site_config.client_ip import parse_networks

# Loopback unless told otherwise: behind a proxy on another machine, set GUNICORN_BIND to
# this server's private address (e.g. 10.0.0.21:8000), never to a public one.
bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
keepalive = 5
# Off by default: recycling restarts Django and empties a worker's local cache under load.
# Set it (e.g. 100000) if a worker's memory ever grows; bench/load_bench.py reports RSS.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", None)  # "-" for stdout
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# X-Forwarded-* headers are trusted from the proxies Django trusts (TRUSTED_PROXIES,
# site_config/client_ip.py). gunicorn compares single addresses only, so a network is
# listed address by address up to 256 of them; a larger one (a CDN's range, never the
# direct peer) is left to Django, which reads X-Forwarded-Proto and -For itself.
forwarded_allow_ips = ",".join(
    str(address)
    for network in parse_networks(os.environ.get("TRUSTED_PROXIES", "127.0.0.1,::1"))
    for address in (network if network.num_addresses <= 256 else [])
)


def post_worker_init(worker):
    """Read the drug dictionary (under a second) as a worker starts, not in its first search."""
    from causes import drug_dictionary

    drug_dictionary.load()
