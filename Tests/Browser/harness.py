"""What the browser tests run against: the built relay as a process, a real HTTPS receiver on
127.0.0.1 with the test CA's localhost certificate, the admin API, and Chromium through
chromedriver (Debian's packages) driven by Selenium (PyPI)."""

import base64
import hashlib
import hmac
import http.server
import json
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIXTURES = os.path.join(ROOT, "Tests", "RelayTestSupport", "Fixtures")
ADMIN_TOKEN = "browser-admin-token-0123456789"
INGEST_TOKEN = "browser-ingest-token-0123456789"
SCREENSHOTS = os.path.join(ROOT, "docs", "screenshots")

CATALOGUE = [
    {"name": "user.login", "description": "A person signed in"},
    {"name": "user.logout", "description": "A person signed out"},
    {"name": "repo.deleted", "description": "A repository was deleted"},
    {"name": "permission.changed", "description": "<b>Permissions</b> of a team changed"},
]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def eventually(check, timeout=10.0, message="condition"):
    """Polls `check` (at most `timeout` seconds) until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout}s: {message}")
        time.sleep(0.05)


class Receiver:
    """An HTTPS server that records every request and answers with `status` (per path)."""

    def __init__(self):
        self.requests = []
        self.statuses = {}
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.lock:
                    receiver.requests.append(
                        {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
                    status = receiver.statuses.get(self.path, 200)
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(os.path.join(FIXTURES, "localhost.pem"), os.path.join(FIXTURES, "localhost.key"))
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path):
        return f"https://localhost:{self.port}{path}"

    def received(self, path):
        with self.lock:
            return [r for r in self.requests if r["path"] == path]

    def stop(self):
        self.server.shutdown()


class SlackStandIn(Receiver):
    """Slack as the relay sees it during "Install using OAuth": the authorize page approves at
    once (back to the redirect URI with a code and the state), `oauth.v2.access` answers for
    `#general` of Acme with an incoming-webhook URL on this server, whose posts are recorded."""

    def __init__(self):
        super().__init__()
        self.authorizations = []
        self.exchanges = []
        stand_in = self
        handler = self.server.RequestHandlerClass
        post = handler.do_POST

        def do_GET(request):
            url = urllib.parse.urlsplit(request.path)
            query = dict(urllib.parse.parse_qsl(url.query))
            with stand_in.lock:
                stand_in.authorizations.append(query)
                code = f"approved-{len(stand_in.authorizations)}"
            back = query["redirect_uri"] + "?" + urllib.parse.urlencode({"code": code, "state": query["state"]})
            request.send_response(302)
            request.send_header("Location", back)
            request.send_header("Content-Length", "0")
            request.end_headers()

        def do_POST(request):
            if request.path != "/api/oauth.v2.access":
                return post(request)
            body = request.rfile.read(int(request.headers.get("Content-Length", "0")))
            with stand_in.lock:
                stand_in.exchanges.append({"authorization": request.headers["Authorization"],
                                           "form": dict(urllib.parse.parse_qsl(body.decode()))})
            answer = json.dumps({
                "ok": True, "access_token": "xoxb-not-kept", "team": {"id": "T0ACME", "name": "Acme"},
                "incoming_webhook": {"channel": "#general", "channel_id": "C0GENERAL",
                                     "configuration_url": "https://acme.slack.com/services/B0GENERAL",
                                     "url": stand_in.url("/services/T0ACME/B0GENERAL/hook-secret")}}).encode()
            request.send_response(200)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(answer)))
            request.end_headers()
            request.wfile.write(answer)

        handler.do_GET = do_GET
        handler.do_POST = do_POST


class Relay:
    """`auditrelay serve` with a configuration of its own in a temporary directory."""

    def __init__(self, tls=False, extra=None):
        """`extra`: more configuration sections, e.g. {"slack": {...}}."""
        self.tls = tls
        binary = os.environ.get("AUDITRELAY_BINARY", os.path.join(ROOT, ".build", "debug", "auditrelay"))
        if not os.access(binary, os.X_OK):
            raise SystemExit(f"{binary} is not built: run `swift build` first")
        self.directory = tempfile.mkdtemp(prefix="auditrelay-browser-")
        self.port = free_port()
        config = {
            "server": {"listen": f"127.0.0.1:{self.port}"},
            "store": {"path": os.path.join(self.directory, "relay.sqlite")},
            "auth": {"adminTokens": [ADMIN_TOKEN], "ingestTokens": [INGEST_TOKEN]},
            "delivery": {
                "trustedCAFile": os.path.join(FIXTURES, "ca.pem"),
                "allowPrivateNetworks": True,
                "retrySchedule": ["200ms"],
                "maxAge": "2s",
            },
            "eventTypes": CATALOGUE,
            "log": {"level": "warning"},
        }
        config.update(extra(self) if callable(extra) else (extra or {}))
        if tls:
            config["server"]["tls"] = {
                "certificateFile": os.path.join(FIXTURES, "localhost.pem"),
                "keyFile": os.path.join(FIXTURES, "localhost.key"),
            }
        self.context = ssl.create_default_context(cafile=os.path.join(FIXTURES, "ca.pem"))
        path = os.path.join(self.directory, "auditrelay.yaml")
        with open(path, "w") as file:
            json.dump(config, file)  # JSON is YAML
        self.log = open(os.path.join(self.directory, "relay.log"), "w")
        self.process = subprocess.Popen(
            [binary, "serve", "--config", path], stdout=self.log, stderr=subprocess.STDOUT, cwd=self.directory)
        eventually(self._ready, timeout=30, message="the relay answers /healthz")

    def _ready(self):
        if self.process.poll() is not None:
            raise AssertionError(f"the relay exited: {open(self.log.name).read()}")
        try:
            return urllib.request.urlopen(self.base + "/healthz", timeout=1, context=self.context).status == 200
        except OSError:
            return False

    @property
    def base(self):
        return f"https://localhost:{self.port}" if self.tls else f"http://127.0.0.1:{self.port}"

    def api(self, method, path, body=None, token=ADMIN_TOKEN):
        """Calls the API; returns (status, decoded JSON or None)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=10, context=self.context) as response:
                text = response.read()
                return response.status, json.loads(text) if text else None
        except urllib.error.HTTPError as error:
            text = error.read()
            return error.code, json.loads(text) if text else None

    def webhook_named(self, name):
        _, listing = self.api("GET", "/v1/webhooks")
        return next((w for w in listing["webhooks"] if w["name"] == name), None)

    def send_event(self, event_type, event_id=None):
        event = {"type": event_type}
        if event_id:
            event["id"] = event_id
        status, body = self.api("POST", "/v1/events", event, token=INGEST_TOKEN)
        assert status == 202, (status, body)
        return body["ids"][0]

    def raw(self, method, path, headers=None, body=None):
        """A request as any client could make it; returns (status, headers, body)."""
        request = urllib.request.Request(self.base + path, data=body, method=method, headers=headers or {})
        opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=self.context))
        try:
            with opener.open(request, timeout=10) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def stream(self, path, headers):
        """Opens a streamed GET and returns the response, to be read as it arrives."""
        request = urllib.request.Request(self.base + path, headers=headers)
        return urllib.request.urlopen(request, timeout=10, context=self.context)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()
        shutil.rmtree(self.directory, ignore_errors=True)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def standard_signatures(secret, message_id, timestamp, body):
    """Standard Webhooks `v1,` signatures, made independently of the relay (Python's hmac)."""
    key = base64.b64decode(secret[len("whsec_"):]) if secret.startswith("whsec_") else secret.encode()
    mac = hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def chromium(width=1280, height=900, trust_any_certificate=False):
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     f"--window-size={width},{height}", "--no-first-run", "--disable-extensions"]:
        options.add_argument(argument)
    if trust_any_certificate:  # the relay's HTTPS uses the test CA, which Chromium does not know
        options.add_argument("--ignore-certificate-errors")
    service = Service(shutil.which("chromedriver") or "/usr/bin/chromedriver")
    return webdriver.Chrome(options=options, service=service)
