"""The baseline for click acks and memory: a bare Bolt app that acknowledges every click, served
the way reviewdesk is served (Flask through Bolt's adapter, on cheroot's threaded server with
the same threads and listen backlog), with Bolt's defaults otherwise.

Run by bench/run.py: python bench/bare_bolt.py PORT SLACK_BASE_URL SIGNING_SECRET BOT_TOKEN"""

from __future__ import annotations

import re
import signal
import sys
import threading

from cheroot import wsgi
from flask import Flask, request
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_sdk import WebClient

HTTP_THREADS = 8  # as server.HTTP_THREADS
LISTEN_BACKLOG = 128  # as server.LISTEN_BACKLOG


def main() -> None:
    port, base_url, signing_secret, token = sys.argv[1:5]
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

    server = wsgi.Server(("127.0.0.1", int(port)), http, numthreads=HTTP_THREADS,
                         request_queue_size=LISTEN_BACKLOG)
    server.prepare()
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    stopping.wait()
    server.stop()


if __name__ == "__main__":
    main()
