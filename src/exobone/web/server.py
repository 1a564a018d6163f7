"""Serving the app with uvicorn: a listening socket that fails in one line, and the server config.

The socket is bound before uvicorn starts, so a port in use or a host that is not an address of
this machine is one clear error naming it (uvicorn would log a traceback-like text and exit 3).
uvicorn's HTTP parser lets request heads up to :data:`MAX_REQUEST_HEAD` through, so an oversized
query string reaches the app and gets its JSON 414 instead of uvicorn's plain-text 400.
"""

from __future__ import annotations

import errno
import socket
from typing import TYPE_CHECKING, Any

from exobone.errors import InvalidInputError

if TYPE_CHECKING:
    import uvicorn

__all__ = ["MAX_REQUEST_HEAD", "listen", "make_server"]

#: largest request line plus headers uvicorn accepts (the app then bounds the query string)
MAX_REQUEST_HEAD = 1 << 20


def listen(host: str, port: int) -> socket.socket:
    """Return a socket bound to ``host:port`` (``port`` 0: any free port).

    Raises
    ------
    InvalidInputError
        If ``host`` does not resolve, or the address is in use or not this machine's.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        reason = exc.strerror if isinstance(exc, socket.gaierror) else str(exc)
        raise InvalidInputError(f"--host {host!r} is not a known host name or address "
                                f"({reason})") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise InvalidInputError(f"port {port} on {host} is already in use; stop the other "
                                    "server or choose another with --port") from None
        if exc.errno == errno.EADDRNOTAVAIL:
            raise InvalidInputError(f"--host {host!r} is not an address of this machine; use "
                                    "127.0.0.1 (this machine only) or 0.0.0.0 (every "
                                    "interface)") from None
        raise InvalidInputError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.set_inheritable(True)
    return sock


def make_server(app: Any, sock: socket.socket) -> uvicorn.Server:
    """Return the uvicorn server for ``app``; run it with ``server.run(sockets=[sock])``."""
    import uvicorn

    host, port = sock.getsockname()[:2]
    config = uvicorn.Config(app, host=host, port=port, log_level="warning",
                            h11_max_incomplete_event_size=MAX_REQUEST_HEAD)
    return uvicorn.Server(config)
