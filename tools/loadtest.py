"""Loopback load test of the API: time to a finished schedule, and GET latency.

Starts its own server (``python -m api``) on a free 127.0.0.1 port with a fresh
SQLite file in a temporary folder, makes a planner key, uploads the plan, queues
a solve and polls until it ends (the upload-to-finished time), then sends
``--requests`` GET /schedules/{id} from ``--clients`` threads and prints the
median and 95th percentile latency. Only loopback traffic; every loop is bounded.

Run::

    python -m tools.loadtest data/national_plan.xlsx --requests 400 --clients 20
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from tools.liveserver import ServerNotStarted, create_key, running_server

__all__ = ["main"]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[k]


def main(argv: list[str] | None = None) -> int:
    """Run the load test; print the figures; return 0 when the solve ended with a plan."""
    p = argparse.ArgumentParser(prog="python -m tools.loadtest", description=__doc__)
    p.add_argument("plan", type=Path, help="workbook to upload")
    p.add_argument("--requests", type=int, default=400, help="GET requests in total")
    p.add_argument("--clients", type=int, default=20, help="concurrent clients (threads)")
    p.add_argument("--time-limit", type=float, default=30.0, help="solver limit, seconds")
    p.add_argument("--timeout", type=float, default=600.0, help="give up after, seconds")
    args = p.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="infraplan-load-"))
    env = {
        **os.environ,
        "INFRAPLAN_DATABASE_URL": f"sqlite:///{tmp / 'load.db'}",
        "INFRAPLAN_SOLVE_WORKERS": os.environ.get("INFRAPLAN_SOLVE_WORKERS", "2"),
    }
    key = create_key(env, "planner")
    try:
        with running_server(env, log_path=tmp / "server.log") as (url, _server):
            return _measure(args, url, {"X-API-Key": key})
    except ServerNotStarted:
        print("server did not start; see", tmp / "server.log", file=sys.stderr)
        return 2


def _measure(args: argparse.Namespace, url: str, headers: dict[str, str]) -> int:
    """Upload, solve and poll, then the GET latency; print the figures; return the exit code."""
    with httpx.Client(base_url=url, headers=headers, timeout=120) as c:
        t0 = time.perf_counter()
        r = c.post("/plans", files={"file": (args.plan.name, args.plan.read_bytes())})
        r.raise_for_status()
        plan = r.json()
        t_upload = time.perf_counter() - t0
        r = c.post(f"/plans/{plan['id']}/schedules", json={"time_limit_s": args.time_limit})
        r.raise_for_status()
        sid = r.json()["id"]
        end = time.monotonic() + args.timeout
        while True:
            body = c.get(f"/schedules/{sid}").json()
            if body["status"] not in ("queued", "running") or time.monotonic() > end:
                break
            time.sleep(0.1)
        t_done = time.perf_counter() - t0
    doc = body.get("document") or {}
    print(
        f"plan: {args.plan} ({plan['activity_count']} activities, {args.plan.stat().st_size} bytes)"
    )
    print(f"upload + validation: {t_upload:.2f} s")
    print(
        f"upload to finished schedule: {t_done:.2f} s (status {body['status']}, "
        f"solve {doc.get('solve_seconds')} s, makespan {doc.get('makespan_days')} d, "
        f"gap {doc.get('gap')})"
    )

    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    per_client = [
        args.requests // args.clients + (i < args.requests % args.clients)
        for i in range(args.clients)
    ]

    def client(n: int) -> None:
        with httpx.Client(base_url=url, headers=headers, timeout=30) as hc:
            for _ in range(n):
                t = time.perf_counter()
                resp = hc.get(f"/schedules/{sid}")
                dt = time.perf_counter() - t
                with lock:
                    latencies.append(dt)
                    if resp.status_code != 200:
                        errors.append(str(resp.status_code))

    threads = [threading.Thread(target=client, args=(n,)) for n in per_client]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    size = len(httpx.get(f"{url}/schedules/{sid}", headers=headers).content)
    print(
        f"GET /schedules/{sid} ({size} bytes): {len(latencies)} requests from "
        f"{args.clients} clients in {wall:.2f} s; median "
        f"{statistics.median(latencies) * 1000:.1f} ms, p95 "
        f"{_percentile(latencies, 0.95) * 1000:.1f} ms, errors {len(errors)}"
    )
    return 0 if body["status"] in ("optimal", "feasible") else 1


if __name__ == "__main__":
    raise SystemExit(main())
