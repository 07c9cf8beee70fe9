"""The web receiver under load: throughput beside a bare endpoint, latency, and a SIGKILL mid-load.

    PYTHONPATH=scripts python benchmarks/receiver.py [--requests N] [--connections C] [--skip-postgres]

1. Throughput. A load generator on loopback (asyncio, keep-alive HTTP/1.1, C connections) posts
   N comment forms, each with its own text and the private fields the receiver seals, to
   `rayzani receive --rate-limit 0` on a fresh SQLite file (WAL, synchronous=FULL), then on
   PostgreSQL (a throwaway cluster, if its server programs are installed). In the same run it
   posts the same forms to a bare Starlette endpoint served by uvicorn with the receiver's own
   settings, which answers 204 and does nothing: the ratio of the two is the figure to hold.
   Printed: accepted submissions a second, p50 and p99 latency.
2. Durability. 5,000 submissions (each with its form token, as the site's script sends it) on
   8 connections; after 1,500 receipts the receiver is killed with SIGKILL and started again; a
   client whose connection broke sends the same form again, as a browser's retry would. Then
   every submission that got its 303 must be in the database, each exactly once; the drain
   (`rayzani intake receiver`) must write each as one record. Printed: lost and doubled (0, 0).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import glob
import os
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent.parent
ORIGIN = "https://example.github.io"  # the example's site_url: the demo key is valid only there
IRAN = dt.timezone(dt.timedelta(hours=3, minutes=30))

DRAFT = """\
---
title: {title}
kind: bylaw
issuing_unit: واحد حقوقی
domain: آزمون
opens: {opens}
closes: {closes}
version: "1"
summary: {title}
---
{title}

## {article} ۱

{title} ۱.

## {article} ۲

{title} ۲.
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def make_portal(root: Path, port: int) -> None:
    """A portal with one draft open today, its form posting to the receiver on `port`."""
    (root / "keys").mkdir(parents=True)
    for name in ("portal.pub", "demo-id-secret.txt"):
        shutil.copy(HERE / "keys" / name, root / "keys" / name)
    (root / "mkdocs.yml").write_text(
        f"site_name: bench\nsite_url: {ORIGIN}/rayzani/\nextra:\n  rayzani:\n    min_comment_days: 30\n"
        f"    id_secret_file: keys/demo-id-secret.txt\n    form_endpoint: http://127.0.0.1:{port}/submit\n",
        encoding="utf-8",
    )
    today = dt.datetime.now(IRAN).date()
    window = {"opens": today - dt.timedelta(days=5), "closes": today + dt.timedelta(days=30)}
    folder = root / "content" / "drafts" / "sample"
    folder.mkdir(parents=True)
    text = DRAFT.format(title="آیین‌نامه", article="ماده", **window)
    (folder / "index.fa.md").write_text(text, encoding="utf-8")
    (root / "submissions").mkdir()


def form(n: int, token: str = "") -> bytes:
    return urlencode({
        "draft": "sample", "lang": "fa", "article": "art-1" if n % 2 else "art-2",
        "comment": f"نظر شماره {n} درباره این ماده، با چند جمله برای اندازه‌ای واقعی. " * 3,
        "respondent_type": "individual", "age_band": "30-44", "gender": "female",
        "province": "tehran", "contact": f"person{n}@example.org", "token": token, "website": "",
    }).encode()  # fmt: skip


def request(body: bytes, port: int) -> bytes:
    head = (
        f"POST /submit HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: {ORIGIN}\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def read_response(reader: asyncio.StreamReader) -> tuple[int, str]:
    """(status, Location) of one response, its body read and dropped."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    fields = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    length = int(fields.get("content-length", "0"))
    if length:
        await reader.readexactly(length)
    return status, fields.get("location", "")


async def load(port: int, bodies: list[bytes], connections: int) -> tuple[float, list[float], list[int]]:
    """Post every body on `connections` keep-alive connections: (seconds, latencies, statuses)."""
    queue = list(enumerate(bodies))[::-1]
    latencies: list[float] = []
    statuses: list[int] = []

    async def client() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while queue:
            _, body = queue.pop()
            started = time.perf_counter()
            writer.write(request(body, port))
            status, _ = await read_response(reader)
            latencies.append(time.perf_counter() - started)
            statuses.append(status)
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(connections)))
    return time.perf_counter() - started, latencies, statuses


def wait_listening(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the server exited while starting")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


def start_receiver(root: Path, db: str, port: int) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(HERE / "scripts")}
    process = subprocess.Popen(
        [sys.executable, "-m", "rayzani.cli", "--root", str(root), "receive", "--db", db,
         "--port", str(port), "--rate-limit", "0"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    wait_listening(port, process)
    return process


def start_bare(port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, __file__, "--bare-server", str(port)],
        env={**os.environ, "PYTHONPATH": str(HERE / "scripts")},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    wait_listening(port, process)
    return process


def bare_server(port: int) -> None:
    """A Starlette endpoint that reads the form and answers 204, under the receiver's uvicorn settings."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    from rayzani.receive.app import server_config

    async def submit(request: Request) -> Response:
        await request.body()
        return Response(status_code=204)

    config = server_config(Starlette(routes=[Route("/submit", submit, methods=["POST"])]), "127.0.0.1", port)
    config.access_log = False
    uvicorn.Server(config).run()


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def report(label: str, seconds: float, latencies: list[float], statuses: list[int], expected: int) -> float:
    good = sum(1 for s in statuses if s == expected)
    rate = good / seconds
    p50, p99 = percentile(latencies, 50) * 1000, percentile(latencies, 99) * 1000
    print(f"  {label:<28} {rate:8.0f} /s   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   "
          f"({good} of {len(statuses)} answered {expected})")  # fmt: skip
    return rate


def throughput(work: Path, db: str, label: str, requests: int, connections: int) -> None:
    port = free_port()
    root = work / f"portal-{label}"
    make_portal(root, port)
    bodies = [form(n) for n in range(requests)]
    receiver = start_receiver(root, db, port)
    try:
        asyncio.run(load(port, [form(10**6 + n) for n in range(200)], connections))  # warm up
        seconds, latencies, statuses = asyncio.run(load(port, bodies, connections))
    finally:
        stop(receiver)
    bare_port = free_port()
    bare = start_bare(bare_port)
    try:
        asyncio.run(load(bare_port, bodies[:200], connections))
        bare_seconds, bare_latencies, bare_statuses = asyncio.run(load(bare_port, bodies, connections))
    finally:
        stop(bare)
    print(f"{label}: {requests} comment forms, {connections} connections")
    accepted = report("receiver (sealed, stored)", seconds, latencies, statuses, 303)
    baseline = report("bare endpoint (204)", bare_seconds, bare_latencies, bare_statuses, 204)
    print(f"  ratio receiver / bare: {accepted / baseline:.2f}")


async def durable_load(port: int, total: int, connections: int, kill_after: int, restart) -> dict[int, str]:  # noqa: ANN001
    """Send `total` forms with tokens; SIGKILL the receiver after `kill_after` receipts; a broken
    connection sends its form again. Returns the receipt location of every acknowledged form."""
    receipts: dict[int, str] = {}
    queue = list(range(total))[::-1]
    killed = asyncio.Event()

    async def client() -> None:
        reader = writer = None
        while queue:
            n = queue.pop()
            body = form(n, token=f"{n:032x}")
            while True:
                try:
                    if writer is None:
                        reader, writer = await asyncio.open_connection("127.0.0.1", port)
                    writer.write(request(body, port))
                    status, location = await read_response(reader)  # type: ignore[arg-type]
                    if status == 303:
                        receipts[n] = location
                        if len(receipts) >= kill_after and not killed.is_set():
                            killed.set()
                            await asyncio.to_thread(restart)
                        break
                    raise ConnectionError(status)
                except (OSError, asyncio.IncompleteReadError, ConnectionError):
                    writer = None  # the browser's retry: the same form, the same token
                    await asyncio.sleep(0.05)

    await asyncio.gather(*(client() for _ in range(connections)))
    return receipts


def durability(work: Path, total: int = 5000, connections: int = 8, kill_after: int = 1500) -> None:
    port = free_port()
    root = work / "portal-durability"
    make_portal(root, port)
    db = str(work / "durability.sqlite")
    process = [start_receiver(root, db, port)]

    def restart() -> None:
        process[0].send_signal(signal.SIGKILL)
        process[0].wait()
        process[0] = start_receiver(root, db, port)

    started = time.perf_counter()
    receipts = asyncio.run(durable_load(port, total, connections, kill_after, restart))
    stop(process[0])
    with sqlite3.connect(db) as connection:
        rows = connection.execute("SELECT id, token, reference FROM received").fetchall()
    stored = {sid for sid, _, _ in rows}
    tokens = [token for _, token, _ in rows]
    acknowledged = {location.rsplit("/", 1)[-1] for location in receipts.values()}
    lost = len(acknowledged - stored)
    doubled = len(tokens) - len(set(tokens))
    env = {**os.environ, "PYTHONPATH": str(HERE / "scripts")}
    drain = [sys.executable, "-m", "rayzani.cli", "--root", str(root), "intake", "receiver", "--db", db]
    subprocess.run(drain, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    records = list((root / "submissions" / "sample").glob("web-*.yml"))
    references = {r for _, _, r in rows}
    written = {re.sub(r"^web-", "", p.stem) for p in records}
    print(f"durability: {total} forms, SIGKILL after {kill_after} receipts, restarted "
          f"({time.perf_counter() - started:.1f} s)")  # fmt: skip
    print(f"  acknowledged {len(acknowledged)}, stored {len(stored)}, records {len(records)}")
    print(f"  lost {lost}, doubled {doubled}, records missing {len(references - written)}, "
          f"records extra {len(records) - len(references)}")  # fmt: skip
    if lost or doubled or len(records) != len(references) or len(acknowledged) != total:
        raise SystemExit("durability failed")


def postgres_cluster(work: Path) -> tuple[str, list[str], Path] | None:
    found = shutil.which("initdb")
    programs = Path(found).resolve().parent if found and shutil.which("pg_ctl") else None
    if programs is None:
        versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
        programs = Path(versions[-1]).parent if versions else None
    if programs is None:
        return None
    folder = Path(tempfile.mkdtemp(prefix="rayzani-bench-pg-"))
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if prefix:
        shutil.chown(folder, "postgres")
    port = free_port()
    run = dict(check=True, capture_output=True, cwd=folder)  # noqa: C408
    subprocess.run([*prefix, str(programs / "initdb"), "-D", str(folder / "data"), "-A", "trust",
                    "-U", "rayzani", "-E", "UTF8"], **run)  # fmt: skip
    # Durable as a production server: fsync on, commits synced.
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {folder}"
    subprocess.run([*prefix, str(programs / "pg_ctl"), "-D", str(folder / "data"), "-o", options,
                    "-l", str(folder / "log"), "-w", "start"], **run)  # fmt: skip
    stop_command = [*prefix, str(programs / "pg_ctl"), "-D", str(folder / "data"), "-m", "fast", "-w", "stop"]
    return f"postgresql://rayzani@127.0.0.1:{port}/postgres", stop_command, folder


def main() -> None:
    parser = argparse.ArgumentParser(description=textwrap.dedent(__doc__ or "").splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-durability", action="store_true")
    parser.add_argument("--bare-server", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_server:
        bare_server(args.bare_server)
        return
    print(f"{os.cpu_count()} cores; Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="rayzani-bench-") as folder:
        work = Path(folder)
        throughput(work, str(work / "bench.sqlite"), "SQLite", args.requests, args.connections)
        cluster = None if args.skip_postgres else postgres_cluster(work)
        if cluster:
            url, stop_command, pg_folder = cluster
            try:
                throughput(work, url, "PostgreSQL", args.requests, args.connections)
            finally:
                subprocess.run(stop_command, check=False, capture_output=True)
                shutil.rmtree(pg_folder, ignore_errors=True)
        elif not args.skip_postgres:
            print("PostgreSQL: its server programs are not installed; skipped")
        if not args.skip_durability:
            durability(work)


if __name__ == "__main__":
    main()
