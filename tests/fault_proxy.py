"""A small TCP proxy the fault tests put in front of Redis or PostgreSQL, to make the
service refuse connections, or swallow them (accept and never answer, as a hung server
or a dropped network does), and then come back.

    with FaultProxy("127.0.0.1", 6379) as proxy:   # listens on 127.0.0.1:proxy.port
        proxy.set_mode("hang")     # new and open connections stop answering
        proxy.set_mode("refuse")   # new connections are closed at once, open ones cut
        proxy.set_mode("pass")     # the service is back

Only loopback addresses: it never sends traffic anywhere but this machine.
"""

import contextlib
import select
import socket
import threading

MODES = ("pass", "refuse", "hang")


class FaultProxy:
    def __init__(self, target_host: str, target_port: int):
        if not target_host.startswith("127.") and target_host != "localhost":
            raise ValueError("the fault proxy only forwards to this machine")
        self.target = (target_host, target_port)
        self.mode = "pass"
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        self.pairs: list[tuple[socket.socket, socket.socket | None]] = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._accept, name="fault-proxy", daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.close()

    def set_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"mode is one of {MODES}")
        with self.lock:
            self.mode = mode
            if mode == "refuse":
                for client, upstream in self.pairs:
                    _close(client, upstream)
                self.pairs.clear()

    def close(self) -> None:
        self.stopped.set()
        with contextlib.suppress(OSError):
            self.listener.close()
        with self.lock:
            for client, upstream in self.pairs:
                _close(client, upstream)
            self.pairs.clear()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            with self.lock:
                mode = self.mode
            if mode == "refuse":
                _reset(client)
                continue
            upstream = None
            if mode == "pass":
                try:
                    upstream = socket.create_connection(self.target, timeout=2)
                except OSError:
                    _reset(client)
                    continue
            with self.lock:
                self.pairs.append((client, upstream))
            threading.Thread(
                target=self._pump, args=(client, upstream), name="fault-proxy-pump", daemon=True
            ).start()

    def _pump(self, client: socket.socket, upstream: socket.socket | None) -> None:
        """Forward both ways while passing; in 'hang', hold the bytes and say nothing."""
        sockets = [client] + ([upstream] if upstream else [])
        try:
            while not self.stopped.is_set():
                readable, _, _ = select.select(sockets, [], [], 0.1)
                with self.lock:
                    mode = self.mode
                    alive = any(client is c for c, _ in self.pairs)
                if not alive:
                    return
                if mode == "hang" or upstream is None:
                    continue  # swallow: read nothing, answer nothing
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    (upstream if sock is client else client).sendall(data)
        except OSError:
            return
        finally:
            with self.lock:
                self.pairs = [(c, u) for c, u in self.pairs if c is not client]
            _close(client, upstream)


def _reset(sock: socket.socket) -> None:
    """Close with a reset, as a refusing server does, rather than an orderly goodbye."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    with contextlib.suppress(OSError):
        sock.close()


def _close(client, upstream) -> None:
    for sock in (client, upstream):
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.close()
