"""The baseline for click acks and memory: a bare Bolt app that acknowledges every click (Bolt's
defaults, Flask through Bolt's adapter, as reviewdesk is served), on one of several threaded
WSGI servers, so that bench/run.py can take the fastest of them as the baseline.

Run by bench/run.py: python bench/bare_bolt.py SERVER PORT SLACK_BASE_URL SIGNING_SECRET BOT_TOKEN
where SERVER is one of SERVERS: cheroot-N (cheroot's thread pool of N threads, the server
reviewdesk runs on), threading (the standard library's ThreadingHTTPServer through wsgiref, a
thread per connection) or werkzeug (Werkzeug's threaded server, a thread per connection)."""

from __future__ import annotations

import logging
import re
import signal
import socketserver
import sys
import threading
from collections.abc import Callable
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

from flask import Flask, request
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_sdk import WebClient

# As reviewdesk.server.LISTEN_BACKLOG, for every server: a backlog of 5 (socketserver's
# default) drops connections in a burst, and the client's retry costs a second.
LISTEN_BACKLOG = 128


def _cheroot(threads: int) -> Callable[[Flask, int], Callable[[], None]]:
    def serve(app: Flask, port: int) -> Callable[[], None]:
        from cheroot import wsgi

        server = wsgi.Server(("127.0.0.1", port), app, numthreads=threads,
                             request_queue_size=LISTEN_BACKLOG)
        server.prepare()
        threading.Thread(target=server.serve, daemon=True).start()
        return server.stop

    return serve


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    """http.server.ThreadingHTTPServer, with wsgiref's WSGI bridge (WSGIServer is an
    HTTPServer)."""

    daemon_threads = True
    request_queue_size = LISTEN_BACKLOG


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # no line on stderr per request
        pass


def _threading(app: Flask, port: int) -> Callable[[], None]:
    server = _ThreadingWSGIServer(("127.0.0.1", port), _QuietHandler)
    server.set_app(app)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.shutdown


def _werkzeug(app: Flask, port: int) -> Callable[[], None]:
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", port, app, threaded=True)  # its backlog is 128 too
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.shutdown


SERVERS: dict[str, Callable[[Flask, int], Callable[[], None]]] = {
    "threading": _threading,
    "werkzeug": _werkzeug,
}


def server(name: str) -> Callable[[Flask, int], Callable[[], None]]:
    found = re.fullmatch(r"cheroot-(\d+)", name)
    return _cheroot(int(found.group(1))) if found else SERVERS[name]


def main() -> None:
    name, port, base_url, signing_secret, token = sys.argv[1:6]
    bolt = App(client=WebClient(token=token, base_url=base_url), signing_secret=signing_secret,
               token_verification_enabled=False)

    @bolt.action(re.compile(".*"))
    def acknowledge(ack):
        ack()

    http = Flask("bare")
    handler = SlackRequestHandler(bolt)

    @http.post("/slack/events")
    def events():
        return handler.handle(request)

    stop = server(name)(http, int(port))
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    stopping.wait()
    stop()


if __name__ == "__main__":
    main()
