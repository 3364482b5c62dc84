"""PostgreSQL, with a limit on how long the client waits for any answer.

`statement_timeout` is enforced by the server, so a server that has stopped answering (a
hung process, or a path that still acknowledges packets but delivers nothing) never
enforces it, and libpq would wait for ever: neither `connect_timeout` (connecting only)
nor TCP keepalives and `tcp_user_timeout` (the peer's kernel still acknowledges) help.
This backend's connections give up after `OPTIONS["read_timeout"]` seconds without an
answer, close the connection and raise OperationalError, which the site turns into its
503 page (site_config/errors.py). A reused connection's health check waits one second.

Use it through settings.py, which picks it for a `postgres://` DATABASE_URL.
"""

import time
from contextlib import contextmanager

import psycopg
from django.db.backends.postgresql import base

# Django checks a reused connection with `SELECT 1` before its first query in a request;
# a healthy server answers in milliseconds, so a hung one is found in a second, not after
# the read timeout.
HEALTH_CHECK_READ_TIMEOUT = 1.0
# After a failed attempt to connect, further attempts to the same server from this process
# fail at once for this long: a request that would connect twice (the page cache's
# generation, then the view) waits out the connect timeout once, not twice.
RECONNECT_PAUSE_SECONDS = 1.0


class ReadTimeoutConnection(psycopg.Connection):
    """A psycopg connection whose every wait for the server ends after `read_timeout`."""

    read_timeout: float | None = None

    def wait(self, gen, *args, timeout=None, **kwargs):
        limit = timeout or self.read_timeout
        started = time.monotonic()
        try:
            return super().wait(gen, *args, timeout=limit, **kwargs)
        except psycopg.OperationalError:
            if limit is None or time.monotonic() - started < limit:
                raise
            # Half a conversation: the connection cannot be used again.
            self.close()
            raise psycopg.OperationalError(
                f"PostgreSQL did not answer within {limit:g} s; connection closed"
            ) from None

    @contextmanager
    def reading_within(self, seconds: float):
        before, self.read_timeout = self.read_timeout, seconds
        try:
            yield
        finally:
            self.read_timeout = before


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self):
        params = super().get_connection_params()
        params.pop("read_timeout", None)  # ours, not libpq's
        return params

    # (host, port, name) -> when connecting to it last failed, for this process
    connect_failed_at: dict[tuple, float] = {}

    def get_new_connection(self, conn_params):
        server = (conn_params.get("host"), conn_params.get("port"), conn_params.get("dbname"))
        if time.monotonic() - self.connect_failed_at.get(server, -RECONNECT_PAUSE_SECONDS) < (
            RECONNECT_PAUSE_SECONDS
        ):
            raise psycopg.OperationalError(
                f"could not connect to PostgreSQL less than {RECONNECT_PAUSE_SECONDS:g} s ago"
            )
        try:
            connection = super().get_new_connection(conn_params)
        except psycopg.OperationalError:
            self.connect_failed_at[server] = time.monotonic()
            raise
        self.connect_failed_at.pop(server, None)
        # Django builds the psycopg connection itself and psycopg has no setting for a read
        # timeout: give this one the waiting rule above (it adds behaviour, no state).
        connection.__class__ = ReadTimeoutConnection
        connection.read_timeout = self.settings_dict["OPTIONS"].get("read_timeout") or None
        return connection

    def is_usable(self):
        if self.connection is None or self.connection.closed:
            return False
        with self.connection.reading_within(HEALTH_CHECK_READ_TIMEOUT):
            return super().is_usable()
