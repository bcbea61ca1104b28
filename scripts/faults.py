"""AuditRelay fault suite (docs/RELIABILITY.md): each scenario prints PASS or FAIL with its figures.

Run through scripts/faults, which builds the relay and passes --bin. Everything listens on
127.0.0.1; the receivers are nginx (a server nobody here wrote) and, where a receiver must
misbehave on cue, a small HTTPS server in this file.
"""

import argparse
import http.client
import json
import os
import random
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

INGEST_TOKEN = "faults-ingest"
ADMIN_TOKEN = "faults-admin"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Workdir:
    """A temporary directory with a CA, a localhost certificate and nginx."""

    def __init__(self, keep):
        self.path = tempfile.mkdtemp(prefix="auditrelay-faults-")
        self.keep = keep
        self.nginx = None
        run = lambda *a: subprocess.run(a, check=True, capture_output=True)
        p = self.file
        run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-days", "2", "-subj", "/CN=faults-ca", "-keyout", p("ca.key"), "-out", p("ca.pem"))
        run("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-subj", "/CN=localhost", "-keyout", p("rx.key"), "-out", p("rx.csr"))
        with open(p("san.ext"), "w") as f:
            f.write("subjectAltName=DNS:localhost\n")
        run("openssl", "x509", "-req", "-in", p("rx.csr"), "-CA", p("ca.pem"), "-CAkey", p("ca.key"),
            "-CAcreateserial", "-days", "2", "-extfile", p("san.ext"), "-out", p("rx.pem"))

    def file(self, name):
        return os.path.join(self.path, name)

    def start_nginx(self):
        """nginx answering 200 on /hook and /latency, logging each request's ids and receipt time."""
        port = free_port()
        os.makedirs(self.file("nginx"), exist_ok=True)
        conf = f"""
worker_processes 1;
pid {self.file('nginx.pid')};
error_log {self.file('nginx/error.log')} warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {self.file('nginx/body')}; proxy_temp_path {self.file('nginx/proxy')};
  fastcgi_temp_path {self.file('nginx/fcgi')}; uwsgi_temp_path {self.file('nginx/uwsgi')};
  scgi_temp_path {self.file('nginx/scgi')};
  keepalive_requests 1000000;
  log_format receipt '$msec $http_x_auditrelay_event_id $http_webhook_id';
  server {{
    listen 127.0.0.1:{port} ssl;
    ssl_certificate {self.file('rx.pem')}; ssl_certificate_key {self.file('rx.key')};
    location /hook {{ access_log {self.file('hook.log')} receipt; return 200 "ok"; }}
    location /latency {{ access_log {self.file('latency.log')} receipt; return 200 "ok"; }}
    location /paused {{ return 401; }}
  }}
}}
"""
        with open(self.file("nginx.conf"), "w") as f:
            f.write(conf)
        nginx = "nginx" if subprocess.run(["which", "nginx"], capture_output=True).returncode == 0 else "/usr/sbin/nginx"
        subprocess.run([nginx, "-c", self.file("nginx.conf"), "-p", self.file("nginx")], check=True)
        self.nginx = self.file("nginx.pid")
        time.sleep(0.3)
        return port

    def receipts(self, log):
        """(receipt time, event id, webhook id) per request nginx logged."""
        try:
            with open(self.file(log)) as f:
                return [tuple(line.split()) for line in f if len(line.split()) == 3]
        except FileNotFoundError:
            return []

    def close(self):
        if self.nginx and os.path.exists(self.nginx):
            with open(self.nginx) as f:
                os.kill(int(f.read().strip()), signal.SIGTERM)
        if self.keep:
            print(f"faults: kept {self.path}")
        else:
            subprocess.run(["rm", "-rf", self.path])


class Relay:
    """The relay as a child process on a fixed port and store, restartable."""

    def __init__(self, binary, work, name, webhooks, delivery=None):
        self.binary = binary
        self.work = work
        self.port = free_port()
        self.config = work.file(f"{name}.yaml")
        self.log = open(work.file(f"{name}.log"), "ab")
        self.process = None
        config = {
            "server": {"listen": f"127.0.0.1:{self.port}"},
            "store": {"path": work.file(f"{name}-store/relay.sqlite")},
            "auth": {"ingestTokens": [INGEST_TOKEN], "adminTokens": [ADMIN_TOKEN]},
            "delivery": {"trustedCAFile": work.file("ca.pem"), "allowPrivateNetworks": True, **(delivery or {})},
            "log": {"level": "warning"},
            "webhooks": webhooks,
        }
        with open(self.config, "w") as f:
            json.dump(config, f)  # JSON is YAML

    def config_store(self, path):
        """Puts the store at `path` (a directory of its own, e.g. a small tmpfs)."""
        with open(self.config) as f:
            config = json.load(f)
        config["store"]["path"] = path
        with open(self.config, "w") as f:
            json.dump(config, f)

    def start(self):
        self.process = subprocess.Popen([self.binary, "serve", "--config", self.config], stdout=self.log,
                                        stderr=self.log)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                status, _ = self.request("GET", "/healthz", token=None)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("the relay did not start")

    def kill9(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def rss_mb(self):
        with open(f"/proc/{self.process.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS"):
                    return int(line.split()[1]) / 1024
        return 0

    def request(self, method, path, body=None, token=ADMIN_TOKEN, content_type="application/json", headers=None,
                timeout=10):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            all_headers = dict(headers or {})
            if token:
                all_headers["Authorization"] = f"Bearer {token}"
            if body is not None:
                all_headers["Content-Type"] = content_type
            conn.request(method, path, body=body, headers=all_headers)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def ingest(self, lines):
        return self.request("POST", "/v1/events", body="\n".join(lines).encode(), token=INGEST_TOKEN,
                            content_type="application/x-ndjson")


def event(kind, event_id):
    return json.dumps({"type": kind, "id": event_id, "actor": "fault-suite", "action": "test"},
                      separators=(",", ":"))


def report(name, passed, figures):
    print(f"{'PASS' if passed else 'FAIL'}  {name}: " + ", ".join(f"{k} {v}" for k, v in figures.items()),
          flush=True)
    return passed


def wait_for(condition, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def kill_nine(binary, work, quick):
    """kill -9 at random moments while events are ingested and delivered; after restarts every
    event that got a 202 reaches the receiver, duplicates carrying the same webhook-id."""
    total, batch, kills_wanted = (10_000, 250, 2) if quick else (100_000, 500, 8)
    port = work.nginx_port
    relay = Relay(binary, work, "kill9", [{
        "name": "receiver", "url": f"https://localhost:{port}/hook", "events": ["fault.kill"],
        "secrets": ["whsec_" + "a" * 43 + "="],
    }], delivery={"concurrencyPerWebhook": 16, "retrySchedule": ["500ms", "1s", "2s", "5s"], "timeout": "5s"})
    relay.start()
    acked = set()
    done = threading.Event()
    kills = 0

    def ingest():
        for start in range(0, total, batch):
            ids = [f"k-{i}" for i in range(start, min(start + batch, total))]
            while True:
                try:
                    status, body = relay.ingest([event("fault.kill", i) for i in ids])
                    if status == 202:
                        acked.update(ids)
                        break
                except OSError:
                    pass
                time.sleep(0.1)
        done.set()

    writer = threading.Thread(target=ingest)
    writer.start()
    random.seed(7)
    while not done.is_set() or kills < kills_wanted:
        time.sleep(random.uniform(0.3, 1.5))
        if kills >= kills_wanted and done.is_set():
            break
        relay.kill9()
        kills += 1
        relay.start()
    writer.join()
    received = {}
    wait_for(lambda: acked <= {r[1] for r in work.receipts("hook.log")}, 120 if not quick else 60)
    for _, event_id, webhook_id in work.receipts("hook.log"):
        received.setdefault(event_id, []).append(webhook_id)
    relay.stop()
    missing = len(acked - received.keys())
    duplicates = sum(len(v) - 1 for v in received.values())
    differing = sum(1 for v in received.values() if len(set(v)) > 1)
    return report("kill -9 during ingest and delivery", missing == 0 and differing == 0 and len(acked) == total, {
        "kills": kills, "acknowledged": len(acked), "received": len(received), "missing": missing,
        "duplicates": duplicates, "duplicates with another webhook-id": differing,
    })


class FlakyReceiver:
    """An HTTPS receiver that fails in turn with 500, connection resets, time-outs and hangs
    until `recover_at`, then answers 200; it records the event ids it accepted."""

    def __init__(self, work, recover_at):
        self.recover_at = recover_at
        self.accepted = set()
        self.failures = {"500": 0, "reset": 0, "timeout": 0, "hang": 0}
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if time.time() < receiver.recover_at:
                    mode = random.choice(list(receiver.failures))
                    with receiver.lock:
                        receiver.failures[mode] += 1
                    if mode == "500":
                        self.send_response(500)
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                    elif mode == "reset":
                        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                        self.connection.close()
                        self.close_connection = True
                    else:  # time-out (slower than the relay waits) or hang (until recovery)
                        time.sleep(3 if mode == "timeout" else max(0, receiver.recover_at - time.time()) + 1)
                        self.close_connection = True
                    return
                with receiver.lock:
                    receiver.accepted.add(self.headers.get("X-AuditRelay-Event-Id"))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(work.file("rx.pem"), work.file("rx.key"))
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


def outage(binary, work, quick):
    """The receiver fails (500s, resets, time-outs, hangs) for a while, then recovers: everything
    is delivered, nothing expires, and another webhook's latency is unaffected."""
    outage_seconds, total = (8, 300) if quick else (30, 2000)
    start = time.time()
    flaky = FlakyReceiver(work, recover_at=start + outage_seconds)
    relay = Relay(binary, work, "outage", [
        {"name": "flaky", "url": f"https://localhost:{flaky.port}/in", "events": ["fault.outage"]},
        {"name": "steady", "url": f"https://localhost:{work.nginx_port}/latency", "events": ["fault.steady"]},
    ], delivery={"timeout": "2s", "retrySchedule": ["1s", "2s", "3s", "5s", "5s", "5s", "10s", "10s", "10s", "10s"]})
    relay.start()
    for first in range(0, total, 100):
        relay.ingest([event("fault.outage", f"o-{i}") for i in range(first, min(first + 100, total))])
    sent = {}
    while time.time() < start + outage_seconds:
        event_id = f"s-{len(sent)}"
        sent[event_id] = time.time()
        relay.ingest([event("fault.steady", event_id)])
        time.sleep(0.05)
    delivered = wait_for(lambda: len(flaky.accepted) >= total, 90 if not quick else 60)
    latencies = sorted((float(at) - sent[eid]) * 1000 for at, eid, _ in work.receipts("latency.log") if eid in sent)
    status, body = relay.request("GET", "/v1/deliveries?status=expired&limit=10")
    expired = len(json.loads(body).get("deliveries", [])) if status == 200 else -1
    relay.stop()
    flaky.close()
    p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))] if latencies else float("inf")
    return report("receiver outage, then recovery", delivered and expired == 0 and p99 < 1000, {
        "outage": f"{outage_seconds}s", "failures served": sum(flaky.failures.values()),
        "by kind": flaky.failures, "delivered": f"{len(flaky.accepted)}/{total}", "expired": expired,
        "other webhook": f"{len(latencies)}/{len(sent)} events, p99 {p99:.1f} ms",
    })


def disk_full(binary, work, quick):
    """The store's disk fills up (a small tmpfs): ingest answers 503, never 202, and recovers when
    space returns; nothing acknowledged is lost."""
    mount = work.file("disk")
    os.makedirs(mount, exist_ok=True)
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mount],
                                           capture_output=True).returncode != 0:
        print("SKIP  disk full: needs root to mount a tmpfs", flush=True)
        return True
    try:
        relay = Relay(binary, work, "diskfull", [
            {"name": "held", "url": f"https://localhost:{work.nginx_port}/paused", "events": ["fault.disk"]},
        ])
        relay.config_store(os.path.join(mount, "relay.sqlite"))
        relay.start()
        acked, answers, batch = set(), {}, 0
        full_at = None
        while full_at is None and batch < 2000:
            ids = [f"d-{batch}-{i}" for i in range(200)]
            status, _ = relay.ingest([event("fault.disk", i) for i in ids])
            answers[status] = answers.get(status, 0) + 1
            if status == 202:
                acked.update(ids)
            elif status == 503:
                full_at = batch
            batch += 1
        # Still full: whatever is refused must not be stored (all or nothing); whatever small
        # request still fits may be accepted, and then it must be delivered like the rest.
        refused_ids = set()
        for attempt in range(20):
            ids = [f"full-{attempt}-{i}" for i in range(200)]
            status, _ = relay.ingest([event("fault.disk", i) for i in ids])
            answers[status] = answers.get(status, 0) + 1
            (acked if status == 202 else refused_ids).update(ids)
        subprocess.run(["mount", "-o", "remount,size=256m", mount], check=True)
        recovered = wait_for(lambda: relay.ingest([event("fault.disk", f"after-{time.time()}")])[0] == 202, 30)
        status, body = relay.request("GET", "/v1/webhooks")
        webhook = json.loads(body)["webhooks"][0]["id"]
        relay.request("PATCH", f"/v1/webhooks/{webhook}", json.dumps(
            {"url": f"https://localhost:{work.nginx_port}/hook"}).encode())
        relay.request("POST", f"/v1/webhooks/{webhook}/resume")
        delivered = lambda: acked <= {r[1] for r in work.receipts("hook.log")}
        wait_for(delivered, 120)
        received = {r[1] for r in work.receipts("hook.log")}
        missing = len(acked - received)
        refused_but_delivered = len(refused_ids & received)
        alive = relay.alive()
        relay.stop()
        passed = (full_at is not None and recovered and missing == 0 and refused_but_delivered == 0 and alive
                  and set(answers) <= {202, 503})
        return report("disk full, then space again", passed, {
            "answers": answers, "acknowledged": len(acked), "first 503 at request": full_at,
            "refused events later delivered": refused_but_delivered, "recovered": recovered, "missing": missing,
        })
    finally:
        subprocess.run(["umount", "-l", mount], capture_output=True)


def barrage(binary, work, quick):
    """Malformed input on every route: random bytes, huge headers, deep JSON nesting, invalid
    UTF-8, bodies over the limits. No crash, every answer a 4xx, memory bounded."""
    relay = Relay(binary, work, "barrage", [
        {"name": "sink", "url": f"https://localhost:{work.nginx_port}/paused", "events": ["*"]},
    ])
    relay.start()
    rss_before = relay.rss_mb()
    random.seed(11)
    routes = [("POST", "/v1/events", INGEST_TOKEN), ("POST", "/v1/webhooks", ADMIN_TOKEN),
              ("PATCH", "/v1/webhooks/wh_x", ADMIN_TOKEN), ("POST", "/v1/webhooks/wh_x/secrets", ADMIN_TOKEN),
              ("PUT", "/v1/webhooks/wh_x/authorization", ADMIN_TOKEN), ("POST", "/v1/webhooks/wh_x/replay", ADMIN_TOKEN),
              ("POST", "/v1/messages/msg_x/retry", ADMIN_TOKEN), ("GET", "/v1/deliveries?limit=-5&since=yesterday", ADMIN_TOKEN),
              ("GET", "/v1/events/%ff%fe", ADMIN_TOKEN), ("POST", "/v1/events", "wrong-token")]
    # (body, whether it is valid after all): a 100,000-digit number is valid JSON, and an event.
    bodies = [
        (lambda: os.urandom(random.randint(1, 4096)), False),
        (lambda: b"[" * 100_000, False),
        (lambda: b'{"type":"a",' * 5000, False),
        (lambda: b'{"type":"user.login","x":"' + bytes([0xff, 0xfe, 0xc0, 0x80]) + b'"}', False),
        (lambda: ("{" + '"a":{' * 70 + "}" * 71).encode(), False),
        (lambda: b'{"type":"user.login","n":' + b"9" * 100_000 + b"}", True),
        (lambda: b"x" * (11 * 1024 * 1024), False),
        (lambda: b"\x00" * 1000, False),
    ]
    content_types = ["application/json", "application/x-ndjson", "application/cloudevents-batch+json",
                     "text/plain", "application/json; charset=\xff"]
    answers, not_4xx = {}, []
    rounds = 3 if quick else 20
    for _ in range(rounds):
        for method, path, token in routes:
            for body, valid in bodies:
                try:
                    status, _ = relay.request(method, path, body(), token=token,
                                              content_type=random.choice(content_types), timeout=30)
                except (OSError, http.client.HTTPException) as error:
                    status = type(error).__name__
                answers[status] = answers.get(status, 0) + 1
                if not (isinstance(status, int) and (400 <= status < 500 or valid and status == 202)):
                    not_4xx.append((method, path, status))
    huge_header = 0
    for size in (16 * 1024, 200 * 1024, 2 * 1024 * 1024):
        try:
            status, _ = relay.request("GET", "/v1/webhooks", headers={"X-Huge": "h" * size})
        except (OSError, http.client.HTTPException) as error:
            status = type(error).__name__
        answers[f"header {size // 1024} KiB"] = status
        huge_header += isinstance(status, int) and status >= 500
    garbage = 0
    for _ in range(rounds * 10):
        try:
            with socket.create_connection(("127.0.0.1", relay.port), timeout=5) as raw:
                raw.sendall(os.urandom(random.randint(1, 2000)) + b"\r\n\r\n")
                reply = raw.recv(64)
                garbage += reply.startswith(b"HTTP/1.1 5")
        except OSError:
            pass
    alive = relay.alive() and relay.request("GET", "/healthz", token=None)[0] == 200
    rss_after = relay.rss_mb()
    relay.stop()
    passed = alive and not not_4xx and huge_header == 0 and garbage == 0 and rss_after - rss_before < 100
    return report("malformed-input barrage", passed, {
        "answers": answers, "not 4xx": not_4xx[:5], "5xx to raw garbage": garbage, "alive": alive,
        "RSS": f"{rss_before:.0f} → {rss_after:.0f} MB",
    })


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--quick", action="store_true", help="one short kill -9 round and one short outage")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("scenarios", nargs="*", default=["kill9", "outage", "diskfull", "barrage"])
    args = parser.parse_args()
    work = Workdir(args.keep)
    work.nginx_port = work.start_nginx()
    scenarios = {"kill9": kill_nine, "outage": outage, "diskfull": disk_full, "barrage": barrage}
    if args.quick and args.scenarios == parser.get_default("scenarios"):
        args.scenarios = ["kill9", "outage"]
    results = []
    try:
        for name in args.scenarios:
            results.append(scenarios[name](os.path.abspath(args.bin), work, args.quick))
    finally:
        work.close()
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
