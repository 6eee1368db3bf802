"""What the runner's page costs: time to serve /plan, and memory it adds to the daemon.

Figures, none asserted (machines differ), each beside its floor and the goal of issue 10:

1. Median time to serve ``/plan`` for a 30-week plan, over HTTP on loopback from uvicorn with a
   kept-alive connection and a signed-in session (goal: under 100 ms). Floor: ``/healthz`` on
   the same connection (HTTP, uvicorn, Starlette, the session check and one tiny store read;
   no plan, no template). Beside it, the store read alone (``load_plan``).
2. Resident memory the page adds to the idle daemon: ``ampt-sync run`` idle after its first
   cycle with ``web.listen = ""`` against the same with the page on, after every page, the
   charts and the calendar feed were served (goal: at most 25 MiB). For comparison: what
   importing starlette, uvicorn, jinja2, python-multipart and icalendar adds to a bare Python.

Run with ``make bench`` or ``python bench/bench_web.py [--write docs/performance.md]`` (rewrites
the part between the ``web figures`` markers).
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import requests
from report import replace_between, sections_text

from ampt_sync.service import CycleDeps, run_cycle
from ampt_sync.sim.accounts import config_for, simulated_accounts
from ampt_sync.store.db import open_store
from ampt_sync.store.plans import load_plan
from ampt_sync.web import auth
from ampt_sync.web.app import Page
from ampt_sync.web.serve import Listen, PageThread

RUNNER = """
[athlete]
timezone = "Europe/London"
units = "km"
[goal]
distance = "marathon"
date = {goal}
[schedule]
run_days = ["mon", "tue", "thu", "sat", "sun"]
long_run_day = "sun"
[sync]
horizon_days = 7
poll_minutes = 0
"""
PLAN_WEEKS = 30
REQUESTS = 60
WARM_UP = 5
PAGES = ("/", "/plan", "/changes", "/status", "/charts", "/api/plan", "/api/status")
CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')


def runner() -> str:
    return RUNNER.format(goal=(date.today() + timedelta(weeks=PLAN_WEEKS)).isoformat())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def sign_in(http: requests.Session, base: str, database_url: str) -> None:
    """Sign ``http`` in as a runner does: a one-time link, then its button."""
    store = open_store(database_url)
    try:
        with store.transaction() as session:
            token = auth.new_sign_in_token(session, now=datetime.now(UTC))
    finally:
        store.close()
    form = http.get(f"{base}/signin", params={"token": token}, timeout=10)
    csrf = CSRF_RE.search(form.text)
    assert csrf is not None
    done = http.post(f"{base}/signin", data={"csrf": csrf.group(1), "token": token}, timeout=10)
    assert done.url.rstrip("/") == base, done.url


def calendar_key(database_url: str) -> str:
    store = open_store(database_url)
    try:
        with store.transaction() as session:
            return auth.calendar_key(session, now=datetime.now(UTC))
    finally:
        store.close()


def median_ms(http: requests.Session, url: str, ok: tuple[int, ...] = (200,)) -> float:
    times = []
    for i in range(WARM_UP + REQUESTS):
        started = time.perf_counter()
        answer = http.get(url, timeout=10)
        elapsed = time.perf_counter() - started
        assert answer.status_code in ok, (url, answer.status_code)
        if i >= WARM_UP:
            times.append(elapsed)
    return statistics.median(times) * 1000


def bench_plan_time(folder: Path) -> list[str]:
    with simulated_accounts(folder / "time", runner(), history_days=84) as accounts:
        run_cycle(
            CycleDeps(
                settings=accounts.settings,
                environ=accounts.environ,
                now=accounts.now,
                epoch=accounts.strava.now,
                token_store=accounts.token_store,
            ),
            "push",
        )
        url = accounts.settings.database_url(accounts.environ)
        store = open_store(url)
        try:
            with store.transaction() as session:
                plan = load_plan(session)
            assert plan is not None
            weeks = len(plan.weeks)
            reads = []
            for _ in range(20):
                started = time.perf_counter()
                with store.transaction() as session:
                    load_plan(session)
                reads.append(time.perf_counter() - started)
            page = Page(
                settings=accounts.settings,
                store=store,
                environ=accounts.environ,
                clock=accounts.now,
            )
            listen = Listen("127.0.0.1", free_port())
            thread = PageThread(page, listen)
            thread.start()
            try:
                base = f"http://{listen.host}:{listen.port}"
                with requests.Session() as http:
                    sign_in(http, base, url)
                    plan_ms = median_ms(http, f"{base}/plan")
                    size_kib = len(http.get(f"{base}/plan", timeout=10).content) / 1024
                    health_ms = median_ms(http, f"{base}/healthz", ok=(200, 503))
            finally:
                thread.stop()
        finally:
            store.close()
    return [
        f"| request (a {PLAN_WEEKS}-week build, {weeks} weeks with those after the race; "
        f"median of {REQUESTS}) | time | goal |",
        "|---|---|---|",
        f"| `GET /plan` ({size_kib:.0f} KiB) | {plan_ms:.1f} ms | < 100 ms |",
        f"| floor: `GET /healthz` on the same connection | {health_ms:.1f} ms | |",
        f"| of which the store read of the plan (`load_plan`) "
        f"| {statistics.median(reads) * 1000:.1f} ms | |",
    ]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def idle_daemon_kib(folder: Path, name: str, listen: str) -> int:
    """RSS of ``ampt-sync run`` idle after its first cycle; with a page, after every page
    was served five times."""
    executable = str(Path(sys.executable).with_name("ampt-sync"))
    with simulated_accounts(folder / name, runner(), history_days=84) as accounts:
        config = folder / f"{name}.toml"
        config.write_text(config_for(folder / name, runner()) + f'\n[web]\nlisten = "{listen}"\n')
        notify = folder / f"{name}.sock"
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(str(notify))
        sock.settimeout(120)
        env = {k: v for k, v in os.environ.items() if not k.startswith("AMPT_SYNC_")}
        env.update(accounts.environ)
        env.update({"AMPT_SYNC_CONFIG": str(config), "NOTIFY_SOCKET": str(notify)})
        daemon = subprocess.Popen([executable, "run"], env=env, stderr=subprocess.DEVNULL)
        try:
            while "last catch-up" not in sock.recv(4096).decode():
                pass
            if listen:
                base = f"http://{listen}"
                url = accounts.settings.database_url(accounts.environ)
                with requests.Session() as http:
                    sign_in(http, base, url)
                    key = calendar_key(url)
                    for _ in range(5):
                        for path in (*PAGES, f"/calendar.ics?key={key}"):
                            answer = http.get(base + path, timeout=30)
                            assert answer.status_code == 200, (path, answer.status_code)
            time.sleep(3)
            return rss_kib(daemon.pid)
        finally:
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(30)
            sock.close()


def import_kib(modules: str) -> int:
    process = subprocess.Popen(
        [sys.executable, "-c", f"import {modules}\nimport time\ntime.sleep(30)"]
    )
    time.sleep(3)
    try:
        return rss_kib(process.pid)
    finally:
        process.kill()
        process.wait()


def bench_memory(folder: Path) -> list[str]:
    without = idle_daemon_kib(folder, "no-page", "")
    with_page = idle_daemon_kib(folder, "page", f"127.0.0.1:{free_port()}")
    bare = import_kib("sys")
    stack = import_kib(
        "starlette.applications, starlette.middleware.sessions, uvicorn, jinja2, multipart, "
        "icalendar"
    )
    return [
        "| process | resident memory | goal |",
        "|---|---|---|",
        f'| `ampt-sync run` idle after its first cycle, `web.listen = ""` '
        f"| {without / 1024:.0f} MiB | |",
        f"| the same with the page, after serving every page (charts and calendar feed "
        "included) 5 times "
        f"| {with_page / 1024:.0f} MiB | |",
        f"| **the page adds** | **{(with_page - without) / 1024:.1f} MiB** | ≤ 25 MiB |",
        "| for comparison: Starlette, uvicorn, Jinja2, python-multipart and icalendar imported "
        "into a bare Python (the daemon already holds some of what they import) "
        f"| {(stack - bare) / 1024:.1f} MiB | |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sections = [
            ("Time to serve the plan", bench_plan_time(folder)),
            ("Memory the page adds to the daemon", bench_memory(folder)),
        ]
    text = sections_text(sections, level=4)
    print(text)
    if args.write:
        start, end = "<!-- web figures -->", "<!-- /web figures -->"
        replace_between(args.write, start, end, f"\n\n{text}\n")


if __name__ == "__main__":
    main()
