"""Benchmark: tickets created through the API (issue 4, "Performance" -> "Intake").

    .venv/bin/python bench/intake.py [--seconds 20] [--warmup 3] [--no-record]

Four rows, measured in the same run on the same machine (the three HTTP endpoints in
interleaved rounds, one endpoint at a time, so that a drift in the machine's speed weighs on
each alike):
- project: POST /api/v1/tickets of Aftersales (everything a real create does), gunicorn
  with 2 sync workers, 4 concurrent clients (wrk -t2 -c4), PostgreSQL;
- bare: a Django + django-ninja endpoint (bench/bare/) that authenticates a bearer token,
  loads the customer and inserts one row, served the same way, with the project's
  connection settings (prepared statements): the framework's ceiling, and the goal's
  reference;
- the same bare endpoint on Django's default connection options (no prepared statements),
  to show what the connection settings alone are worth;
- raw: one psycopg connection doing INSERT + COMMIT per row: the database's ceiling.

Until the project has POST /api/v1/tickets (looked up in /api/v1/openapi.json) its row says
"not available yet". SQL queries per create are counted in a separate process through
Django's test client and CaptureQueriesContext: the whole request (authentication, rate
limit, the create, the answer's reads) and, for the project, the part inside
services.ticket_create. BEGIN/COMMIT/ROLLBACK, which Django logs too, are not counted
(--show-sql lists them); the first creates, which fill per-process caches, are not counted.
--profile N adds a cProfile of N creates in-process.

Every run uses fresh PostgreSQL databases named bench_intake_<pid>_*, dropped at the end,
also after Ctrl-C; servers started here are stopped. A run with any non-2xx response or
socket error is reported as failed, not as a rate, and the exit status is 1. Missing wrk
or an unreachable PostgreSQL: a message and exit status 2. The table goes to standard
output and replaces the "## Intake (`bench/intake.py`)" section of bench/RESULTS.md (unless
--no-record); other sections, such as the hand-written analysis after it, are kept.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
VENV_BIN = Path(sys.executable).parent
WRK_SCRIPT = BENCH / "wrk" / "post_json.lua"
RESULTS = BENCH / "RESULTS.md"
PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
DB_PREFIX = "bench_intake_"
TICKETS_PATH = "/api/v1/tickets"
CONNECTIONS = 4
THREADS = 2  # wrk threads driving the CONNECTIONS (the issue: wrk -t2 -c4)
WORKERS = 2
TOKEN_USER = "agent"  # the demo service-desk user: may add tickets, sees every customer
GOAL_SHARE_OF_BARE = 60.0
GOAL_SQL_PER_CREATE = 8
COUNTED_CREATES = 10
COUNT_WARMUP_CREATES = 3


class BenchError(Exception):
    """A prerequisite or setup step failed; the message says which and what to do."""


def pg_url(database: str) -> str:
    return f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{database}"


# --- results --------------------------------------------------------------------------------


@dataclass
class Row:
    what: str
    rate: float | None = None  # creates per second
    p50_ms: float | None = None
    p99_ms: float | None = None
    sql_per_create: str = "-"
    sql_max: int | None = None
    service_sql: int | None = None  # the project: queries inside services.ticket_create
    slice_rates: list[float] = field(default_factory=list)  # creates per second in each slice
    note: str = ""  # "not available yet", or why the run failed
    failed: bool = False
    details: list[str] = field(default_factory=list)

    def cells(self, bare_rate: float | None) -> list[str]:
        if self.rate is None:
            return [self.what, self.note, "-", "-", self.sql_per_create, "-"]
        share = f"{100 * self.rate / bare_rate:.0f} %" if bare_rate else "-"
        return [self.what, f"{self.rate:,.0f}", f"{self.p50_ms:.1f}", f"{self.p99_ms:.1f}", self.sql_per_create, share]


def markdown_table(rows: list[Row], bare_rate: float | None) -> str:
    header = ["what", "creates/s", "p50 ms", "p99 ms", "SQL per create", "% of bare"]
    body = [row.cells(bare_rate) for row in rows]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    numeric = {1, 2, 3, 4, 5}

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.rjust(w) if i in numeric else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), rule, *(line(cells) for cells in body)])


# --- processes and databases ----------------------------------------------------------------


def run(command: list[str], *, env: dict[str, str], what: str, timeout: float = 300) -> str:
    """Run a setup command; its stdout, or BenchError with the tail of its output."""
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise BenchError(f"{what} failed (exit {result.returncode}):\n{tail}")
    return result.stdout


def pg_connect(database: str = "postgres", **kwargs):
    import psycopg

    return psycopg.connect(pg_url(database), connect_timeout=5, **kwargs)


def check_prerequisites() -> None:
    if shutil.which("wrk") is None:
        raise BenchError("wrk is not installed: run `make bench-deps` (it runs `apt-get install -y wrk`).")
    try:
        with pg_connect() as conn:
            conn.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure to connect means the same thing here
        raise BenchError(f"PostgreSQL is unreachable at {PG_HOST}:{PG_PORT} as user {PG_USER}: {exc}".strip()) from exc


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def drop_database(name: str) -> None:
    with pg_connect(autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def drop_stale_databases() -> list[str]:
    """Databases of earlier runs that were killed before they could clean up (SIGKILL, a
    power cut); a run whose process still lives is left alone."""
    with pg_connect(autocommit=True) as conn:
        names = [r[0] for r in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE 'bench\\_intake\\_%'")]
    stale = []
    for name in names:
        match = re.fullmatch(rf"{DB_PREFIX}(\d+)_\w+", name)
        if match and not pid_alive(int(match.group(1))):
            drop_database(name)
            stale.append(name)
    return stale


def create_database(name: str, cleanup: contextlib.ExitStack) -> str:
    with pg_connect(autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    cleanup.callback(drop_database, name)
    return pg_url(name)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn with WORKERS sync workers in its own process group, stopped on exit."""

    def __init__(self, *, name: str, app: str, env: dict[str, str], logs: Path, extra: list[str] = ()):
        self.name, self.port = name, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = logs / f"gunicorn-{name}.log"
        command = [str(VENV_BIN / "gunicorn"), app, "-w", str(WORKERS), "-k", "sync",
                   "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning", *extra]
        with self.log.open("w") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    def wait_ready(self, path: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(self.url + path, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        tail = "\n".join(self.log.read_text(errors="replace").splitlines()[-15:])
        raise BenchError(f"gunicorn ({self.name}) did not answer {path} on port {self.port}:\n{tail}")

    def log_tail(self, lines: int = 3) -> str:
        """The last lines of the server's log (it is deleted at the end of the run)."""
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return ""
        return " | ".join(line.strip() for line in text.splitlines()[-lines:] if line.strip())

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # gunicorn: quick shutdown
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)
        # Workers are in the master's process group, which this script created.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)


def start_server(cleanup: contextlib.ExitStack, **kwargs) -> Server:
    server = Server(**kwargs)
    cleanup.callback(server.stop)
    return server


# --- HTTP helpers ---------------------------------------------------------------------------


def http_json(url: str, *, token: str | None = None, body: str | None = None) -> tuple[int, object]:
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if body is not None:
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=body.encode() if body is not None else None, headers=headers,
                                     method="POST" if body is not None else "GET")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    try:
        return status, json.loads(raw or b"null")
    except ValueError:
        return status, raw.decode(errors="replace")[:300]


def create_request_schema(openapi: dict, path: str) -> dict | None:
    """The JSON schema of POST `path`'s body, or None when there is no such endpoint."""
    operation = openapi.get("paths", {}).get(path, {}).get("post")
    if operation is None:
        return None
    schema = (operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {}))
    for _ in range(5):  # follow $ref (and a lone allOf) to the object schema
        if "$ref" in schema:
            schema = openapi.get("components", {}).get("schemas", {}).get(schema["$ref"].rsplit("/", 1)[-1], {})
        elif len(schema.get("allOf", ())) == 1:
            schema = schema["allOf"][0]
        else:
            break
    return schema


def project_ticket_body(server: Server, token: str, schema: dict, started: datetime.datetime) -> str:
    """A phone-call-like fault on a demo unit of equipment, with the ids the seeded
    database really has, keeping the fields the endpoint's schema declares. "__N__" in the
    subject is replaced per request by the wrk script."""
    status, equipment = http_json(f"{server.url}/api/v1/equipment?limit=1", token=token)
    if status != 200 or not equipment.get("items"):
        raise BenchError(f"could not read a demo unit of equipment from the project's API: {status} {equipment}")
    unit = equipment["items"][0]
    # ModelSchema names a foreign key by its field ("site") or its column ("site_id").
    site_id = unit.get("site", unit.get("site_id"))
    customer_id = unit.get("customer", unit.get("customer_id"))
    if customer_id is None:
        status, site = http_json(f"{server.url}/api/v1/sites/{site_id}", token=token)
        customer_id = site.get("customer", site.get("customer_id")) if status == 200 else None
    outage_started_at = (started - datetime.timedelta(minutes=30)).isoformat(timespec="seconds")
    candidates = {
        "customer": customer_id, "customer_id": customer_id,
        "site": site_id, "site_id": site_id,
        "equipment": unit["id"], "equipment_id": unit["id"],
        "channel": "api", "category": "fault", "impact": "core",
        "outage_started_at": outage_started_at,
        "subject": "防火墙主备切换后部分业务中断（压测 __N__）",
        "description": "上午防火墙发生主备切换，切换后OA和邮件系统无法访问，重启备机无效，请尽快派工程师排查。"
                       "（bench/intake.py 压测工单）",
        "caller_name": "王伟", "caller_phone": "13812345678",
    }
    properties = schema.get("properties") or {}
    body = {name: value for name, value in candidates.items() if name in properties} if properties else candidates
    missing = [name for name in schema.get("required", ()) if name not in body]
    if missing:
        raise BenchError(f"POST {TICKETS_PATH} requires {missing}, which bench/intake.py does not know how to "
                         "fill: add them to project_ticket_body() or pass --ticket-body")
    return json.dumps(body)


# --- measurements ---------------------------------------------------------------------------


def wrk_run(server: Server, *, path: str, token: str, body: str, seconds: int) -> dict:
    env = {**os.environ, "BENCH_TOKEN": token, "BENCH_BODY": body, "BENCH_PATH": path}
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s",
               "-s", str(WRK_SCRIPT), server.url]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=seconds + 60, check=False)
    for line in result.stdout.splitlines():
        if line.startswith("BENCH_RESULT "):
            return json.loads(line.removeprefix("BENCH_RESULT "))
    raise BenchError(f"wrk printed no result (exit {result.returncode}):\n{result.stdout}{result.stderr}")


@dataclass
class Endpoint:
    """A server under test and what to send it; its measured slices."""

    row: Row
    server: Server
    path: str
    token: str
    body: str
    slices: list[dict] = field(default_factory=list)


def check_endpoint(endpoint: Endpoint, warmup: int) -> bool:
    """One checked create, then a warm-up; False (and the row marked failed) if the create failed."""
    status, answer = http_json(endpoint.server.url + endpoint.path, token=endpoint.token,
                               body=endpoint.body.replace("__N__", "check"))
    if not 200 <= status < 300:
        row = endpoint.row
        row.failed, row.note = True, f"FAILED: first create answered {status}"
        row.details.append(f"{row.what}: POST {endpoint.path} answered {status}: {str(answer)[:300]}; "
                           f"the server's log ends: {endpoint.server.log_tail() or '(empty)'}")
        return False
    if warmup:
        wrk_run(endpoint.server, path=endpoint.path, token=endpoint.token, body=endpoint.body, seconds=warmup)
    return True


def measure_interleaved(endpoints: list[Endpoint], *, seconds: int, rounds: int, say) -> None:
    """Each endpoint gets `seconds` of wrk in `rounds` slices, taken in turn (the order
    rotating from round to round), so that a machine whose speed drifts during the run (a
    shared virtual machine does) weighs on every endpoint alike instead of on whichever ran
    last. An endpoint's rate is its creates over its measured time, all slices together."""
    slice_seconds = max(1, round(seconds / rounds))
    for index in range(rounds):
        order = endpoints[index % len(endpoints):] + endpoints[:index % len(endpoints)]
        say(f"round {index + 1} of {rounds}: {slice_seconds} s each, "
            + ", ".join(e.row.what.split(":")[0] if e.row.what.startswith("project") else e.row.what.split(",")[0]
                        for e in order))
        for endpoint in order:
            if endpoint.row.failed:
                continue
            endpoint.slices.append(wrk_run(endpoint.server, path=endpoint.path, token=endpoint.token,
                                           body=endpoint.body, seconds=slice_seconds))
    for endpoint in endpoints:
        row, slices = endpoint.row, endpoint.slices
        if row.failed or not slices:
            continue
        not_2xx = sum(f["not_2xx"] for f in slices)
        socket_errors = sum(f[k] for f in slices for k in ("connect_errors", "read_errors", "write_errors", "timeouts"))
        requests = sum(f["requests"] for f in slices)
        if not_2xx or socket_errors:
            first = next((f["first_failure"] for f in slices if f["first_failure"]), "-")
            row.failed = True
            row.note = f"FAILED: {not_2xx} non-2xx, {socket_errors} socket errors"
            row.details.append(f"{row.what}: of {requests} requests {not_2xx} were not 2xx (first: {first}); "
                               f"{socket_errors} connect/read/write/timeout errors")
            continue
        duration = sum(f["duration_us"] for f in slices) / 1e6
        row.rate = requests / duration
        row.slice_rates = [f["requests"] / (f["duration_us"] / 1e6) for f in slices]
        row.p50_ms = statistics.median(f["p50_us"] for f in slices) / 1000
        row.p99_ms = statistics.median(f["p99_us"] for f in slices) / 1000
        row.details.append(f"{row.what}: {requests:,} creates in {duration:.1f} s ({len(slices)} slices), all 2xx")


def count_queries(row: Row, *, settings_module: str, database_url: str, path: str, token: str, body: str,
                  extra_env: dict[str, str], show_sql: bool) -> None:
    """SQL statements per create, counted in a separate process (one Django settings
    module per process) through the test client."""
    env = {**os.environ, **extra_env, "DJANGO_SETTINGS_MODULE": settings_module, "DATABASE_URL": database_url,
           "BENCH_TOKEN": token, "BENCH_BODY": body, "BENCH_PATH": path,
           "PYTHONPATH": os.pathsep.join([str(ROOT), str(BENCH)])}
    output = run([sys.executable, str(Path(__file__).resolve()), "--count-queries"], env=env,
                 what=f"counting SQL per create ({row.what})")
    counts = json.loads(output.strip().splitlines()[-1])
    if counts.get("error"):
        row.sql_per_create = "failed"
        row.details.append(f"{row.what}: counting SQL failed: {counts['error']}")
        return
    low, high = min(counts["counts"]), max(counts["counts"])
    row.sql_per_create, row.sql_max = (str(high) if low == high else f"{low}-{high}"), high
    if counts.get("service"):
        row.service_sql = max(counts["service"])
        row.details.append(f"{row.what}: {row.sql_per_create} SQL queries per request, of which "
                           f"{row.service_sql} inside services.ticket_create (BEGIN/COMMIT not counted)")
    if show_sql:
        row.details.append(f"{row.what}: the SQL of one create:\n" + "\n".join(f"    {s[:160]}" for s in counts["sql"]))


TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK")


def is_query(sql: str) -> bool:
    """A statement that reads or writes data; BEGIN/COMMIT/ROLLBACK (which Django logs too)
    are transaction control, shown in --show-sql but not counted as queries."""
    return sql.strip().upper() not in TRANSACTION_CONTROL


def count_queries_in_process() -> None:
    """`--count-queries`: run by count_queries() with DJANGO_SETTINGS_MODULE set; prints one
    JSON line. For the project it also counts the statements inside services.ticket_create
    (the create itself, without authentication, rate limit and the answer's reads)."""
    import django

    django.setup()
    from django.apps import apps
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    inner: list[int] = []
    if apps.is_installed("aftersales.tickets"):
        from aftersales.tickets import services

        original = services.ticket_create

        def counted_create(**kwargs):
            with CaptureQueriesContext(connection) as captured:
                ticket = original(**kwargs)
            inner.append(sum(is_query(q["sql"]) for q in captured.captured_queries))
            return ticket

        services.ticket_create = counted_create

    client = Client(HTTP_AUTHORIZATION=f"Bearer {os.environ['BENCH_TOKEN']}")
    path, template = os.environ["BENCH_PATH"], os.environ["BENCH_BODY"]
    counts, sql = [], []
    for n in range(COUNT_WARMUP_CREATES + COUNTED_CREATES):
        with CaptureQueriesContext(connection) as captured:
            response = client.post(path, data=template.replace("__N__", f"count-{n}"), content_type="application/json")
        if not 200 <= response.status_code < 300:
            print(json.dumps({"error": f"{response.status_code} {response.content[:300].decode(errors='replace')}"}))
            return
        if n >= COUNT_WARMUP_CREATES:
            counts.append(sum(is_query(q["sql"]) for q in captured.captured_queries))
            sql = [q["sql"] for q in captured.captured_queries]
    print(json.dumps({"counts": counts, "sql": sql, "service": inner[COUNT_WARMUP_CREATES:]}))


# Parts of one create, found in the profile by (file suffix, function name).
PROFILE_PARTS = (
    ("authentication (bearer token)", "aftersales/core/api.py", "authenticate"),
    ("permission check", "aftersales/core/api.py", "require_perm"),
    ("rate limit (shared cache)", "aftersales/core/ratelimit.py", "hit"),
    ("ids to scoped objects", "aftersales/tickets/api.py", "_resolve"),
    ("services.ticket_create", "aftersales/tickets/services.py", "ticket_create"),
    ("  - of which calendar lookup", "aftersales/calendars/selectors.py", "business_calendar"),
    ("  - of which routing", "aftersales/tickets/services.py", "route"),
    ("  - of which audit record", "aftersales/core/audit.py", "audit_record"),
    ("the 201 answer's reads", "aftersales/tickets/api.py", "_detail"),
    ("database round trips (all)", "psycopg/cursor.py", "execute"),
)


def profile_breakdown(stats, creates: int, elapsed: float) -> str:
    """Cumulative milliseconds per create of the named parts (under the profiler, which
    inflates Python time more than database waits)."""
    lines = [f"{'part of one create':<40} {'ms':>7} {'share':>6}"]
    for label, suffix, name in PROFILE_PARTS:
        total = sum(row[3] for (path, _line, func), row in stats.stats.items()
                    if func == name and path.replace("\\", "/").endswith(suffix))
        lines.append(f"{label:<40} {1000 * total / creates:7.1f} {100 * total / elapsed:5.0f} %")
    lines.append(f"{'whole request (test client)':<40} {1000 * elapsed / creates:7.1f} {100:5.0f} %")
    return "\n".join(lines)


def profile_in_process(creates: int) -> None:
    """`--profile-in-process N`: cProfile N creates through the test client (after a few
    unprofiled ones that fill the caches) and print the top of the profile."""
    import cProfile
    import pstats

    import django

    django.setup()
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Bearer {os.environ['BENCH_TOKEN']}")
    path, template = os.environ["BENCH_PATH"], os.environ["BENCH_BODY"]
    for n in range(5):
        client.post(path, data=template.replace("__N__", f"warm-{n}"), content_type="application/json")
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    for n in range(creates):
        response = client.post(path, data=template.replace("__N__", f"profile-{n}"), content_type="application/json")
        assert 200 <= response.status_code < 300, response.content[:300]
    profile.disable()
    elapsed = time.perf_counter() - started
    print(f"{creates} creates in {elapsed:.2f} s under the profiler ({1000 * elapsed / creates:.1f} ms each)")
    stats = pstats.Stats(profile)
    print(profile_breakdown(stats, creates, elapsed))
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(25)


def raw_insert_loop(row: Row, database_url: str, seconds: int, customer_id: int) -> None:
    """INSERT + COMMIT of the bare endpoint's row, one connection, for `seconds`."""
    import psycopg

    latencies = []
    with psycopg.connect(database_url) as conn:
        insert = ("INSERT INTO bare_ticket (customer_id, subject, description, created_at) "
                  "VALUES (%s, %s, %s, now())")
        deadline = time.perf_counter() + seconds
        n = 0
        started = time.perf_counter()
        while (now := time.perf_counter()) < deadline:
            n += 1
            conn.execute(insert, (customer_id, f"Raw insert {n}", "Created by bench/intake.py."))
            conn.commit()
            latencies.append(time.perf_counter() - now)
        elapsed = time.perf_counter() - started
    row.rate = len(latencies) / elapsed
    quantiles = statistics.quantiles(latencies, n=100)
    row.p50_ms, row.p99_ms = statistics.median(latencies) * 1000, quantiles[98] * 1000
    row.sql_per_create = "1 + COMMIT"
    row.details.append(f"{row.what}: {len(latencies):,} rows in {elapsed:.1f} s")


# --- the run --------------------------------------------------------------------------------


def project_env(database_url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "bench-intake-" + "x" * 50, "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "0", "RATE_LIMIT_WRITE": str(10**9),
            "LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}


def bare_env(database_url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "bare.settings",
            "PYTHONPATH": str(BENCH)}


def measure(args, cleanup: contextlib.ExitStack, logs: Path, say) -> tuple[list[Row], dict]:
    started = datetime.datetime.now(datetime.UTC)
    facts = {"load_before": os.getloadavg(), "started": started}
    pid = os.getpid()
    aftersales = str(VENV_BIN / "aftersales")

    say("setting up the project's database (migrate, calendar, 5 demo customers, a token)")
    project_url = create_database(f"{DB_PREFIX}{pid}_project", cleanup)
    env = project_env(project_url)
    run([aftersales, "migrate", "--noinput", "-v0"], env=env, what="migrate (project)")
    run([aftersales, "createcachetable"], env=env, what="createcachetable (project)")
    run([aftersales, "load_calendar"], env=env, what="load_calendar (project)")
    run([aftersales, "seed_demo", "--customers", str(args.customers), "--force"], env=env, what="seed_demo (project)")
    project_token = run([aftersales, "create_api_token", "--user", TOKEN_USER, "--name", "intake benchmark"],
                        env=env, what="create_api_token (project)").strip()

    say("setting up the bare reference's database")
    bare_url = create_database(f"{DB_PREFIX}{pid}_bare", cleanup)
    benv = bare_env(bare_url)
    run([sys.executable, "-m", "django", "migrate", "--noinput", "-v0"], env=benv, what="migrate (bare)")
    bare_token = run([sys.executable, "-m", "django", "seed_bare", "--customers", str(args.customers)],
                     env=benv, what="seed_bare").strip()
    with pg_connect(f"{DB_PREFIX}{pid}_bare") as conn:
        bare_customer = conn.execute("SELECT min(id) FROM bare_customer").fetchone()[0]
    bare_body = json.dumps({"customer_id": bare_customer, "subject": "Intake benchmark __N__: link down",
                            "description": "Created by bench/intake.py to measure the intake API."})

    with pg_connect() as conn:
        facts["postgres"] = conn.execute("SHOW server_version").fetchone()[0]

    project = Row(f"project: POST {args.project_path}")
    bare = Row("bare: Django + ninja, token + customer + INSERT")
    bare_default = Row("bare on Django's default connection options")
    raw = Row("raw: psycopg INSERT + COMMIT, 1 connection")

    # The bare endpoint twice: with the project's connection settings (prepared statements on
    # PostgreSQL, bench/bare/settings.py), the reference the goal is judged against; and with
    # Django's defaults, to show what the connection settings alone are worth. All three
    # servers run side by side (an idle sync worker costs nothing); wrk drives one at a time.
    endpoints = []
    for row, name, extra in ((bare, "bare", {}), (bare_default, "bare-default", {"DATABASE_PREPARE_THRESHOLD": "0"})):
        bare_server = start_server(cleanup, name=name, app="bare.wsgi", env={**benv, **extra}, logs=logs)
        bare_server.wait_ready("/api/v1/healthz")
        endpoints.append(Endpoint(row, bare_server, "/api/v1/tickets", bare_token, bare_body))

    project_server = start_server(cleanup, name="project", app="config.wsgi", env=env, logs=logs)
    project_server.wait_ready("/healthz")
    status, openapi = http_json(project_server.url + "/api/v1/openapi.json")
    path = args.project_path
    schema = create_request_schema(openapi, path) if status == 200 and isinstance(openapi, dict) else None
    project_body = None
    if status != 200 or not isinstance(openapi, dict):
        # Without the schema the harness cannot tell whether the endpoint exists: a broken
        # schema is the project's failure, not "not available yet".
        project.failed, project.note = True, f"FAILED: openapi.json answered {status}"
        project.details.append(f"project: GET /api/v1/openapi.json answered {status}; POST {path} not measured; "
                               f"the server's log ends: {project_server.log_tail() or '(empty)'}")
        say(f"project: /api/v1/openapi.json answered {status}; cannot tell whether POST {path} exists")
    elif schema is None:
        project.note = "not available yet"
        project.details.append(f"project: POST {path} is not in /api/v1/openapi.json yet; not measured")
        say(f"project: POST {path} is not available yet")
    else:
        try:
            project_body = args.ticket_body or project_ticket_body(project_server, project_token, schema, started)
        except BenchError as exc:
            project.failed, project.note = True, "FAILED: no request body"
            project.details.append(f"project: {exc}")
        if project_body:
            endpoints.insert(0, Endpoint(project, project_server, path, project_token, project_body))

    say(f"checking each endpoint and warming it up ({args.warmup} s of wrk each)")
    measured = [e for e in endpoints if check_endpoint(e, args.warmup)]
    say(f"measuring: gunicorn -w {WORKERS}, wrk -t{THREADS} -c{CONNECTIONS}, {args.seconds} s per endpoint "
        f"in {args.rounds} interleaved rounds")
    measure_interleaved(measured, seconds=args.seconds, rounds=args.rounds, say=say)
    for endpoint in endpoints:
        endpoint.server.stop()

    say(f"raw INSERT + COMMIT loop, {args.seconds} s")
    raw_insert_loop(raw, bare_url, args.seconds, bare_customer)

    say("counting SQL statements per create")
    count_queries(bare, settings_module="bare.settings", database_url=bare_url, path="/api/v1/tickets",
                  token=bare_token, body=bare_body, extra_env={}, show_sql=args.show_sql)
    if project_body and not project.failed:
        count_queries(project, settings_module="config.settings", database_url=project_url, path=path,
                      token=project_token, body=project_body, show_sql=args.show_sql,
                      extra_env={k: v for k, v in env.items() if k in {"SECRET_KEY", "DEBUG", "SECURE_SSL_REDIRECT",
                                                                        "RATE_LIMIT_WRITE", "LOG_LEVEL"}}
                      | {"ALLOWED_HOSTS": "127.0.0.1,testserver"})

    if args.profile and project_body and not project.failed:
        say(f"profiling {args.profile} creates of the project in-process")
        profile_env = {**env, "DJANGO_SETTINGS_MODULE": "config.settings", "ALLOWED_HOSTS": "127.0.0.1,testserver",
                       "BENCH_TOKEN": project_token, "BENCH_BODY": project_body, "BENCH_PATH": path}
        output = run([sys.executable, str(Path(__file__).resolve()), "--profile-in-process", str(args.profile)],
                     env=profile_env, what="profiling the project's creates", timeout=900)
        print(output)
        lines = output.splitlines()
        start = next((i for i, line in enumerate(lines) if line.startswith("part of one create")), None)
        if start is not None:
            facts["profile"] = "\n".join([lines[0], *lines[start:start + len(PROFILE_PARTS) + 2]])

    facts["load_after"] = os.getloadavg()
    return [project, bare, bare_default, raw], facts


def verdict(project: Row, bare: Row) -> str:
    if project.rate is None or bare.rate is None:
        return (f"Goal (project >= {GOAL_SHARE_OF_BARE:.0f} % of bare, <= {GOAL_SQL_PER_CREATE} SQL per create): "
                f"not measured ({project.note or bare.note}).")
    share = 100 * project.rate / bare.rate
    parts = [f"{share:.0f} % of bare ({'met' if share >= GOAL_SHARE_OF_BARE else 'NOT met'}, goal >= {GOAL_SHARE_OF_BARE:.0f} %)"]
    if project.service_sql is not None:
        parts.append(f"{project.service_sql} SQL queries inside ticket_create "
                     f"({'met' if project.service_sql <= GOAL_SQL_PER_CREATE else 'NOT met'}, goal <= {GOAL_SQL_PER_CREATE}), "
                     f"{project.sql_per_create} for the whole request")
    elif project.sql_max is not None:
        parts.append(f"{project.sql_per_create} SQL per create ({'met' if project.sql_max <= GOAL_SQL_PER_CREATE else 'NOT met'}, "
                     f"goal <= {GOAL_SQL_PER_CREATE})")
    return "Goal: " + "; ".join(parts) + "."


def report(rows: list[Row], facts: dict, args) -> str:
    project, bare, bare_default, _raw = rows
    bare_rate = bare.rate
    before, after = facts["load_before"], facts["load_after"]
    lines = [
        f"date {facts['started']:%Y-%m-%d %H:%M} UTC; nproc {os.cpu_count()}; Python {platform.python_version()}; "
        f"PostgreSQL {facts.get('postgres', '?')}; {facts.get('wrk', 'wrk')}; commit {facts.get('commit', '?')}",
        f"load average {before[0]:.1f} {before[1]:.1f} {before[2]:.1f} before, "
        f"{after[0]:.1f} {after[1]:.1f} {after[2]:.1f} after (1/5/15 min; the machine may be shared)",
        f"gunicorn -w {WORKERS} -k sync; wrk -t{THREADS} -c{CONNECTIONS}, {args.seconds} s per endpoint in {args.rounds} "
        f"interleaved rounds after a {args.warmup} s warm-up; "
        f"SQL counted over {COUNTED_CREATES} creates after {COUNT_WARMUP_CREATES}",
        "",
        markdown_table(rows, bare_rate),
        "",
        verdict(project, bare),
    ]
    if project.slice_rates and len(project.slice_rates) == len(bare.slice_rates):
        shares = [100 * p / b for p, b in zip(project.slice_rates, bare.slice_rates, strict=True)]
        lines.append("Project / bare in each round: " + ", ".join(f"{share:.0f} %" for share in shares)
                     + f" (bare's own rate per round: {', '.join(f'{b:,.0f}' for b in bare.slice_rates)}).")
    if project.rate and bare_default.rate:
        lines.append(f"Against the bare endpoint on Django's default connection options: "
                     f"{100 * project.rate / bare_default.rate:.0f} % (not the goal's reference: the project "
                     "prepares its statements, so the reference does too).")
    if facts.get("profile"):
        lines += ["", f"cProfile of the project's creates in-process (--profile {args.profile}):", facts["profile"]]
    return "\n".join(lines)


def record(text: str, args, details: list[str]) -> None:
    command = (".venv/bin/python bench/intake.py" + (f" --seconds {args.seconds}" if args.seconds != 20 else "")
               + (f" --rounds {args.rounds}" if args.rounds != 10 else "")
               + (f" --profile {args.profile}" if args.profile else ""))
    section = "\n".join([
        "## Intake (`bench/intake.py`)",
        "",
        f"Command: `{command}` (this section is replaced on each run; older figures are in git).",
        "Rows: the project's `POST /api/v1/tickets` (everything a real create does); the bare",
        "Django + django-ninja endpoint in `bench/bare/` (bearer token, load the customer, insert one",
        "row; no middleware) on its own database, the framework's ceiling, with the project's",
        "connection settings (prepared statements) and again with Django's defaults; one psycopg",
        "connection inserting and committing the bare row, the database's ceiling. All in the same",
        "run; the servers are gunicorn with 2 sync workers on PostgreSQL, driven by wrk with 4",
        "connections, one endpoint at a time in interleaved rounds (so that a drift in the",
        "machine's speed weighs on every endpoint alike). The goal is judged against the first",
        "bare row.",
        "",
        "```",
        text,
        "```",
        "",
        *[f"- {d}" if "\n" not in d else f"- {d.splitlines()[0]}" for d in details],
        "",
    ])
    current = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    # Only the generated section; "## Intake: ..." sections written by hand stay.
    pattern = re.compile(r"^## Intake \(`bench/intake\.py`\)\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(current):
        updated = pattern.sub(lambda _m: section + "\n", current, count=1)
    else:
        updated = current.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(updated.rstrip("\n") + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=20, help="measured seconds per endpoint (default 20)")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of wrk on each endpoint before measuring (default 3)")
    parser.add_argument("--rounds", type=int, default=10, help="interleaved slices the seconds are cut into (default 10: the speed of a shared virtual machine drifts within seconds)")
    parser.add_argument("--customers", type=int, default=5, help="demo customers to seed (default 5)")
    parser.add_argument("--ticket-body", help="JSON body for POST /api/v1/tickets instead of the one built "
                        "from the endpoint's schema; __N__ is replaced per request")
    parser.add_argument("--project-path", default=TICKETS_PATH, help="the project's create endpoint (default "
                        f"{TICKETS_PATH}); another one, e.g. /api/v1/contacts with --ticket-body, checks the harness")
    parser.add_argument("--show-sql", action="store_true", help="print the SQL statements of one create")
    parser.add_argument("--no-record", action="store_true", help="do not write bench/RESULTS.md")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="after measuring, cProfile N creates of the project in-process and print the top")
    parser.add_argument("--count-queries", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--profile-in-process", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.count_queries:
        count_queries_in_process()
        return 0
    if args.profile_in_process:
        profile_in_process(args.profile_in_process)
        return 0
    if args.seconds < 1 or args.warmup < 0 or not 1 <= args.rounds <= args.seconds:
        parser.error("--seconds must be at least 1, --warmup not negative, --rounds between 1 and --seconds")

    def say(message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)

    def on_sigterm(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_sigterm)
    try:
        check_prerequisites()
        for name in drop_stale_databases():
            say(f"dropped {name}, left behind by a run that no longer exists")
    except BenchError as exc:
        print(f"bench/intake.py: {exc}", file=sys.stderr)
        return 2

    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False).stdout.split("[")[0].strip()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                            check=False).stdout.strip()
    try:
        with contextlib.ExitStack() as cleanup, tempfile.TemporaryDirectory(prefix="bench-intake-") as logs:
            cleanup.callback(say, "stopped the servers and dropped the bench databases")
            rows, facts = measure(args, cleanup, Path(logs), say)
    except KeyboardInterrupt:
        print("bench/intake.py: interrupted; servers stopped and databases dropped", file=sys.stderr)
        return 130
    except BenchError as exc:
        print(f"bench/intake.py: {exc}", file=sys.stderr)
        return 2

    facts["wrk"], facts["commit"] = wrk_version or "wrk", commit or "?"
    text = report(rows, facts, args)
    details = [d for row in rows for d in row.details]
    print()
    print(text)
    for detail in details:
        print(f"  {detail}")
    if not args.no_record:
        record(text, args, details)
        print(f"\nrecorded in {RESULTS.relative_to(ROOT)} under \"## Intake\"")
    return 1 if any(row.failed for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
