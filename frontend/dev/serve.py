"""Development server for the Diagnosis tab (not shipped, standard library only).

Mimics what TensorBoard serves to a dynamic plugin, on 127.0.0.1:
  /                              a page that frames the tab like TensorBoard does
  /data/plugin_entry.html        TensorBoard's entry HTML, same <base> and CSP
  /data/plugin/lossdoc/<f>.js|css  the shipped files (top level of frontend/)
  /data/plugin/lossdoc/diagnoses the list view of the fixture document (or of a
                                 generated one), with an ETag; If-None-Match -> 304
  /data/plugin/lossdoc/run       ?run=RUN[&lang=] -> one run's full entry (ETag too)
  /data/plugin/lossdoc/curves    ?run=RUN -> curves; 400 without run, 404 unknown
  /dev/mode?set=MODE[&n=N]       switch what diagnoses returns:
      normal (fixture.json), big (N generated runs), empty (no runs, only
      skipped), none (nothing at all), error (HTTP 500), zh (fixture with
      server language zh), legacy (the older plugin: the full document without
      columns, sparkline, confidence or notes, no `run` route, no ETag)
Optional --path-prefix /foo serves everything under /foo, like TensorBoard's
--path_prefix. Prints "PORT <n>" once listening; stop it by its PID.

    python3 frontend/dev/serve.py --port 0
"""

import argparse
import base64
import hashlib
import json
import os
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
FRONTEND = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import fixtures  # noqa: E402

PLUGIN = "lossdoc"
ENTRY_SCRIPT = 'import("./index.js").then((m) => void m.render());'
ENTRY_HTML = (
    "\n<!DOCTYPE html>\n"
    f'<head><base href="plugin/{PLUGIN}/" /></head>\n'
    f'<body><script type="module">{ENTRY_SCRIPT}</script></body>\n'
)
SCRIPT_SHA = base64.b64encode(hashlib.sha256(ENTRY_SCRIPT.encode()).digest()).decode()
CSP = ";".join(
    [
        "default-src 'self'",
        "font-src 'self' data:",
        "frame-src 'self' https://ui.perfetto.dev",
        "img-src 'self' data: blob:",
        "object-src 'none'",
        "style-src 'self' https://www.gstatic.com data: 'unsafe-inline'",
        "connect-src 'self'",
        f"script-src 'self' 'unsafe-eval' 'sha256-{SCRIPT_SHA}'",
    ]
)
TOP_HTML = """<!DOCTYPE html>
<html><head><title>TensorBoard (LossDoc harness)</title><link rel="icon" href="data:,">
<style>body{margin:0;font-family:Roboto,sans-serif}
header{height:64px;background:#f57c00;color:#fff;display:flex;align-items:center;padding:0 16px;font-size:18px}
iframe{border:0;width:100%;height:calc(100vh - 64px);display:block}</style></head>
<body><header>TensorBoard &middot; DIAGNOSIS</header>
<iframe src="data/plugin_entry.html?name=lossdoc"></iframe></body></html>
"""
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


class State:
    lock = threading.Lock()
    mode = "normal"
    n = 1000
    fixture, fixture_curves = fixtures.make_fixture()
    big = None
    bodies = {}  # (mode, n) -> (list view body, etag)

    @classmethod
    def list_body(cls):
        """The `diagnoses` answer for the current mode, serialised once, and its ETag."""
        key = (cls.mode, cls.n)
        if key not in cls.bodies:
            doc = cls.diagnoses()
            body = json.dumps(legacy(doc) if cls.mode == "legacy" else fixtures.list_view(doc), ensure_ascii=False)
            cls.bodies[key] = (body, '"%s"' % hashlib.sha1(body.encode()).hexdigest()[:16])
        return cls.bodies[key]

    @classmethod
    def diagnoses(cls):
        with cls.lock:
            if cls.mode == "big":
                if cls.big is None or len(cls.big["runs"]) != cls.n:
                    cls.big = fixtures.make_big(cls.n)
                return cls.big
            if cls.mode == "empty":
                return {**cls.fixture, "runs": []}
            if cls.mode == "none":
                return {**cls.fixture, "runs": [], "skipped": []}
            if cls.mode == "zh":
                return {**cls.fixture, "lang": "zh"}
            return cls.fixture

    @classmethod
    def curves(cls, run):
        if cls.mode != "big" and run in cls.fixture_curves:
            return cls.fixture_curves[run]
        for entry in cls.diagnoses()["runs"]:
            if entry["run"] == run:
                return fixtures.synth_curves(entry)
        return None


def legacy(doc):
    """The document as the plugin served it before the comparison view."""
    drop_run = ("columns", "sparkline", "notes")
    runs = [
        {**{k: v for k, v in e.items() if k not in drop_run}, "findings": [{k: v for k, v in f.items() if k != "confidence"} for f in e["findings"]]}
        for e in doc["runs"]
    ]
    return {**doc, "runs": runs}


class Handler(BaseHTTPRequestHandler):
    prefix = ""

    def log_message(self, fmt, *args):  # quiet
        pass

    def send(self, code, body, ctype, extra=()):
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-cache, must-revalidate")
        for key, value in extra:
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def send_json(self, obj, code=200):
        self.send(code, json.dumps(obj, ensure_ascii=False), "application/json")

    def do_GET(self):  # noqa: N802 (http.server API)
        url = urllib.parse.urlsplit(self.path)
        path, query = url.path, urllib.parse.parse_qs(url.query)
        if self.prefix:
            if not path.startswith(self.prefix + "/"):
                return self.send(404, "not under path prefix", "text/plain")
            path = path[len(self.prefix) :]
        plugin = f"/data/plugin/{PLUGIN}/"
        if path == "/":
            return self.send(200, TOP_HTML, "text/html; charset=utf-8")
        if path == "/data/plugin_entry.html":
            if query.get("name") != [PLUGIN]:
                return self.send(404, "no such plugin", "text/plain")
            return self.send(200, ENTRY_HTML, "text/html; charset=utf-8", [("Content-Security-Policy", CSP)])
        if path == "/dev/mode":
            with State.lock:
                State.mode = query.get("set", [State.mode])[0]
                State.n = int(query.get("n", [State.n])[0])
            return self.send_json({"mode": State.mode, "n": State.n})
        if path == plugin + "diagnoses":
            if State.mode == "error":
                return self.send(500, "Internal error: the log directory could not be read", "text/plain")
            body, etag = State.list_body()
            if State.mode == "legacy":
                return self.send(200, body, "application/json")
            if self.headers.get("If-None-Match") == etag:
                return self.send(304, b"", "application/json", [("ETag", etag)])
            return self.send(200, body, "application/json", [("ETag", etag)])
        if path == plugin + "run":
            if State.mode == "legacy":
                return self.send(404, "Not found", "text/plain")
            if "run" not in query:
                return self.send(400, "Invalid argument: the run parameter is required: run?run=RUN", "text/plain")
            if State.mode == "error":
                return self.send(500, "Internal error", "text/plain")
            lang = query.get("lang", [State.diagnoses()["lang"]])[0]
            if lang not in ("en", "zh"):
                return self.send(400, f"Invalid argument: lang must be one of en, zh, got {lang!r}", "text/plain")
            entry = fixtures.run_entry(State.diagnoses(), query["run"][0], lang)
            if entry is None:
                return self.send(404, f"Not found: no training run named {query['run'][0]!r}", "text/plain")
            body = json.dumps(entry, ensure_ascii=False)
            etag = '"%s"' % hashlib.sha1(body.encode()).hexdigest()[:16]
            if self.headers.get("If-None-Match") == etag:
                return self.send(304, b"", "application/json", [("ETag", etag)])
            return self.send(200, body, "application/json", [("ETag", etag)])
        if path == plugin + "curves":
            if "run" not in query:
                return self.send(400, "Missing required parameter: run", "text/plain")
            if State.mode == "error":
                return self.send(500, "Internal error", "text/plain")
            found = State.curves(query["run"][0])
            if found is None:
                return self.send(404, f"Unknown run: {query['run'][0]}", "text/plain")
            return self.send_json(found)
        if path.startswith(plugin):
            name = path[len(plugin) :]
            ext = os.path.splitext(name)[1]
            full = os.path.join(FRONTEND, name)
            # Only the top-level *.js / *.css are shipped: serve nothing else.
            if "/" not in name and ext in TYPES and os.path.isfile(full):
                with open(full, "rb") as f:
                    return self.send(200, f.read(), TYPES[ext])
        return self.send(404, "Not found", "text/plain")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--path-prefix", default="")
    parser.add_argument("--mode", default="normal")
    args = parser.parse_args()
    Handler.prefix = args.path_prefix.rstrip("/")
    State.mode = args.mode
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
