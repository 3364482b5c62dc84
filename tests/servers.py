"""The site under gunicorn with the production settings, for tests that need real
processes: several workers, several app servers, faults between them and their services."""

import http.client
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url() -> str:
    """The test database, for servers to share with the test (which must commit)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Server:
    """gunicorn on a port of its own. Without CACHE_DIR in `env`, its cache files go to a
    new temporary directory. The access log records each request's worker PID."""

    def __init__(self, env: dict, workers: int = 2):
        self.port = free_port()
        self.workers = workers
        self.log = Path(tempfile.mkdtemp(prefix="neutropenia-server-")) / "access.log"
        env = {"CACHE_DIR": str(self.log.parent / "cache"), **env}
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "-c",
                "site_config/gunicorn.py",
                "--access-logformat",
                "%(p)s %(m)s %(U)s %(s)s",
                "site_config.wsgi:application",
            ],
            cwd=ROOT,
            env={
                **env,
                "GUNICORN_BIND": f"127.0.0.1:{self.port}",
                "GUNICORN_WORKERS": str(workers),
                "GUNICORN_ACCESS_LOG": str(self.log),
            },
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.cookies: dict[str, str] = {}
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                if self.request("GET", "/robots.txt")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def request(self, method, path, body=None, headers=None, cookies=True):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {
            "X-Forwarded-Proto": "https",  # as the TLS proxy would send
            "Referer": f"https://127.0.0.1:{self.port}{path}",
            **(headers or {}),
        }
        if cookies and self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            if cookies:
                for header, value in response.getheaders():
                    if header.lower() == "set-cookie":
                        name, _, rest = value.partition("=")
                        self.cookies[name] = rest.split(";")[0]
            return (
                response.status,
                dict(response.getheaders()),
                response.read().decode(errors="replace"),
            )
        finally:
            conn.close()

    def read_at_once(self, path, count=60, headers=None) -> list[tuple[int, dict, str, float]]:
        """`count` anonymous requests at the same time, so that every worker answers:
        (status, headers, body, seconds) each."""

        def one(_):
            started = time.monotonic()
            status, answer, body = self.request("GET", path, headers=headers, cookies=False)
            return status, answer, body, time.monotonic() - started

        with ThreadPoolExecutor(count) as pool:
            return list(pool.map(one, range(count)))

    def log_size(self) -> int:
        return self.log.stat().st_size if self.log.exists() else 0

    def workers_that_answered(self, path, since: int = 0) -> set[str]:
        """PIDs of the workers that served `path`, from the access log (from byte `since`)."""
        pattern = re.compile(rf"^<(\d+)> GET {re.escape(path)} ")
        lines = self.log.read_bytes()[since:].decode().splitlines() if self.log.exists() else []
        return {m.group(1) for line in lines if (m := pattern.match(line))}

    def form_post(self, path, fields: dict):
        body = urlencode(fields, doseq=True)
        return self.request(
            "POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"}
        )

    def login(self, username, password):
        self.request("GET", "/admin/login/")
        status, headers, _body = self.form_post(
            "/admin/login/?next=/admin/",
            {
                "csrfmiddlewaretoken": self.cookies["csrftoken"],
                "username": username,
                "password": password,
            },
        )
        assert status == 302, re.findall(r"errornote.*?</p>|errorlist.*?</ul>", _body, re.S)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        shutil.rmtree(self.log.parent, ignore_errors=True)


def collected_static(root: Path, env: dict) -> Path:
    """The collected static files the production settings need, in `root`."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env={**env, "DJANGO_STATIC_ROOT": str(root)},
        check=True,
        timeout=120,
    )
    return root
