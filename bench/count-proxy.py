#!/usr/bin/env python3
"""A counting reverse proxy for bench/compare.

Listens on 127.0.0.1 (plain HTTP), forwards every request over TLS to the API server with the
kubeconfig's client certificate, and counts requests by verb. GET /__bench/counts returns the
counts since the last GET /__bench/reset as JSON.

Usage: count-proxy.py PORT SERVER_URL CA_FILE CERT_FILE KEY_FILE
"""

import http.client
import json
import ssl
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

PORT, SERVER, CA, CERT, KEY = sys.argv[1:6]
UPSTREAM = urlsplit(SERVER)
CONTEXT = ssl.create_default_context(cafile=CA)
CONTEXT.load_cert_chain(CERT, KEY)
LOCK = threading.Lock()
COUNTS = {}
HOP = {"connection", "keep-alive", "transfer-encoding", "te", "upgrade", "proxy-connection"}


def verb(method, target):
    parts = urlsplit(target)
    path = [p for p in parts.path.split("/") if p]
    query = parse_qs(parts.query)
    if method == "GET":
        if path[:1] not in (["api"], ["apis"]) or len(path) <= 3 and path[:1] == ["apis"] \
                or len(path) <= 2 and path[:1] == ["api"]:
            return "discovery"
        if query.get("watch", ["false"])[0] in ("true", "1"):
            return "watch"
        # /api/v1/<res>, /api/v1/namespaces/<ns>/<res>, /apis/g/v/<res>, .../namespaces/<ns>/<res>
        rest = path[2:] if path[0] == "api" else path[3:]
        if rest[:1] == ["namespaces"] and len(rest) >= 3:
            rest = rest[2:]
        return "list" if len(rest) == 1 else "get"
    return {"POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}.get(method, method.lower())


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def upstream(self):
        conn = getattr(self, "_conn", None)
        if conn is None:
            conn = http.client.HTTPSConnection(UPSTREAM.hostname, UPSTREAM.port or 443, context=CONTEXT)
            self._conn = conn
        return conn

    def handle_any(self):
        if self.path.startswith("/__bench/"):
            body = b"{}"
            with LOCK:
                if self.path == "/__bench/reset":
                    COUNTS.clear()
                else:
                    body = json.dumps(COUNTS).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        with LOCK:
            v = verb(self.command, self.path)
            COUNTS[v] = COUNTS.get(v, 0) + 1
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP and k.lower() != "host"}
        for attempt in (0, 1):
            try:
                conn = self.upstream()
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                break
            except (http.client.HTTPException, OSError):
                self._conn = None
                if attempt:
                    raise
        self.send_response(resp.status)
        bodiless = resp.status in (204, 304) or self.command == "HEAD"
        chunked = resp.getheader("Content-Length") is None and not bodiless
        for k, v in resp.getheaders():
            if k.lower() not in HOP:
                self.send_header(k, v)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        if bodiless:
            resp.read()
            return
        while True:
            data = resp.read1(65536) if chunked else resp.read()
            if not data:
                break
            if chunked:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                self.wfile.flush()
            else:
                self.wfile.write(data)
                break
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024

    def handle_error(self, request, client_address):
        # A client that closes a watch or a connection mid-response is normal (Helm's waiter
        # does it); anything else is still reported, in one line.
        err = sys.exc_info()[1]
        if not isinstance(err, (BrokenPipeError, ConnectionResetError)):
            print(f"count-proxy: {client_address[0]}:{client_address[1]}: {err!r}", file=sys.stderr)


Server(("127.0.0.1", int(PORT)), Handler).serve_forever()
