#!/usr/bin/env python3
"""The faulty test MCP server of faulty_server.py, over streamable HTTP.

Listens on 127.0.0.1 on a free port, prints the port on its first line of
stdout, and answers POST /mcp with faulty_server.py's answers as JSON
(`application/json`); GET and DELETE get 405, as a server without a stream
for its own messages. Faults that live on the connection rather than in a
message become their HTTP forms:

- crash         closes the connection without answering (the server stays up)
- hang          never answers (nor does any tool that has no answer)
- garbage       answers 200 with a body that is not JSON
- drip          writes its answer one byte per FAULTY_DRIP_SECONDS (default 1)
- flood_stdout  answers as an event stream of 200,000 log notifications, then
                the result

Everything else (wrong_id, huge_error, huge_result, --tool-count, ...) is as
faulty_server.py answers it. The server exits when its stdin closes.
"""

import json
import os
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faulty_server as faulty  # noqa: E402

answers = threading.local()


def collect(line):
    answers.lines.append(line)


# faulty_server sends through write(); here each request collects its own.
faulty.write = collect


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body=b"", content_type="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            # The client gave up on it (codemode reads at most 16 MiB).
            self.close_connection = True

    def do_GET(self):
        self.reply(405)

    def do_DELETE(self):
        self.reply(405)

    def do_POST(self):
        message = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if "id" not in message:
            faulty.handle(message)
            return self.reply(202)
        params = message.get("params") or {}
        name = params.get("name") if message.get("method") == "tools/call" else None
        if name == "crash":
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        if name == "garbage":
            return self.reply(200, b"this is not JSON-RPC {{{")
        if name == "drip":
            return self.drip(message["id"])
        if name == "flood_stdout":
            return self.flood(message["id"])
        answers.lines = []
        faulty.handle(message)
        if not answers.lines:
            time.sleep(24 * 3600)
        self.reply(200, answers.lines[-1].encode())

    def drip(self, request_id):
        body = json.dumps({"jsonrpc": "2.0", "id": request_id, "result": faulty.text("dripped")}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        interval = float(os.environ.get("FAULTY_DRIP_SECONDS", "1"))
        try:
            for byte in body:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(interval)
        except OSError:
            self.close_connection = True

    def flood(self, request_id):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        note = {"jsonrpc": "2.0", "method": "notifications/message",
                "params": {"level": "debug", "logger": "faulty", "data": "y" * 100}}
        event = ("data: " + json.dumps(note) + "\n\n").encode()
        try:
            self.wfile.write(event * 200_000)
            result = {"jsonrpc": "2.0", "id": request_id, "result": faulty.text("flooded stdout")}
            self.wfile.write(("data: " + json.dumps(result) + "\n\n").encode())
            self.wfile.flush()
        except OSError:
            pass
        self.close_connection = True


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(server.server_address[1], flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    main()
