"""A TCP proxy for fault tests: put it between a service and what it depends on, then make that slow or gone.

    with TcpProxy("127.0.0.1", 9200) as proxy:      # proxy.port forwards to 127.0.0.1:9200
        proxy.delay = 3.0      # every chunk of bytes, either way, waits 3 s: a slow node
        proxy.refuse()         # the port refuses connections and open ones are cut: a dead node
        proxy.restore()        # back to forwarding at once, on the same port

Threads only, no dependency; meant for a handful of connections in a test, not for load.
"""
from __future__ import annotations

import socket
import threading
import time

CHUNK = 65536


class TcpProxy:
    def __init__(self, target_host: str, target_port: int, *, port: int = 0):
        self.target = (target_host, target_port)
        self.delay = 0.0
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self.port = self._listen(port)

    # -- faults ----------------------------------------------------------------------------
    def refuse(self) -> None:
        """Stop listening and cut every open connection: connecting now fails at once."""
        with self._lock:
            listener, self._listener = self._listener, None
            connections, self._connections = self._connections, set()
        if listener is not None:
            # shutdown() wakes the thread blocked in accept(); close() alone would leave it listening.
            _close(listener)
        for conn in connections:
            _close(conn)

    def restore(self) -> None:
        """Listen again on the same port, with no delay."""
        self.delay = 0.0
        if self._listener is None:
            self._listen(self.port)

    def cut(self) -> None:
        """Cut the open connections but keep listening (a restarted node)."""
        with self._lock:
            connections, self._connections = self._connections, set()
        for conn in connections:
            _close(conn)

    # -- plumbing --------------------------------------------------------------------------
    def _listen(self, port: int) -> int:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(128)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return listener.getsockname()[1]

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed by refuse() or close()
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                _close(client)
                continue
            with self._lock:
                self._connections.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while True:
                data = source.recv(CHUNK)
                if not data:
                    break
                if self.delay:
                    time.sleep(self.delay)
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for conn in (source, sink):
                _close(conn)
            with self._lock:
                self._connections.difference_update((source, sink))

    def close(self) -> None:
        self.refuse()

    def __enter__(self) -> "TcpProxy":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _close(conn: socket.socket) -> None:
    try:
        conn.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    conn.close()
