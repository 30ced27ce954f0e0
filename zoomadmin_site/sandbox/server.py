"""Serving the sandbox on a port: a threaded ``wsgiref`` server (stdlib only)."""

from __future__ import annotations

import logging
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

logger = logging.getLogger(__name__)


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class QuietHandler(WSGIRequestHandler):
    """Access lines go to the ``zoomadmin_site.sandbox.server`` logger instead of stderr."""

    def log_message(self, format: str, *args: Any) -> None:
        logger.info("%s %s", self.address_string(), format % args)


def make_threaded_server(app: Any, host: str = "127.0.0.1", port: int = 9100) -> ThreadingWSGIServer:
    """A server ready for ``serve_forever()``; ``port=0`` picks a free port (see ``server_port``)."""
    server = make_server(host, port, app, server_class=ThreadingWSGIServer, handler_class=QuietHandler)
    assert isinstance(server, ThreadingWSGIServer)
    return server
