"""The receiver on a real PostgreSQL: a throwaway cluster started here, on a loopback port.

Several receivers share one database: a submission sent to two of them at once is stored once.
Skipped only when PostgreSQL's server programs are missing and RAYZANI_REQUIRE_POSTGRES is unset
(`.ci/run` sets it, and `.ci/install` installs Debian's `postgresql`).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from conftest import Repo, rayzani
from receiver_support import comment, free_port, open_portal, serve


def server_programs() -> Path | None:
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(versions[-1]).parent if versions else None


@pytest.fixture(scope="module")
def postgres():  # type: ignore[no-untyped-def]
    programs = server_programs()
    if programs is None:
        if os.environ.get("RAYZANI_REQUIRE_POSTGRES"):
            pytest.fail("PostgreSQL's server programs (initdb, pg_ctl) are not installed")
        pytest.skip("PostgreSQL's server programs are not installed")
    # In the system's temporary folder, which every account can reach (pytest's is the user's only).
    folder = Path(tempfile.mkdtemp(prefix="rayzani-postgres-"))
    data = folder / "data"
    # PostgreSQL refuses to run as root: as root, run it as the postgres account.
    prefix: list[str] = []
    if os.geteuid() == 0:
        prefix = ["runuser", "-u", "postgres", "--"]
        shutil.chown(folder, "postgres")
    port = free_port()
    run = dict(check=True, capture_output=True, text=True, cwd=folder)  # noqa: C408
    subprocess.run([*prefix, str(programs / "initdb"), "-D", str(data), "-A", "trust", "-U", "rayzani",
                    "--no-sync", "-E", "UTF8"], **run)  # fmt: skip
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off"
    subprocess.run([*prefix, str(programs / "pg_ctl"), "-D", str(data), "-o", options, "-l",
                    str(folder / "log"), "-w", "-t", "60", "start"], **run)  # fmt: skip
    try:
        yield f"postgresql://rayzani@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*prefix, str(programs / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                       check=False, capture_output=True)  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)


def test_receivers_sharing_postgresql_store_a_submission_once_and_intake_drains_it(
    postgres, tmp_path, capsys
):
    port, other = free_port(), free_port()
    repo = open_portal(Repo(tmp_path / "portal"), port)
    first = serve(repo.root, postgres, port, rate_limit=0)
    second = serve(repo.root, postgres, other, rate_limit=0, allow_origins=(f"http://127.0.0.1:{port}",))
    try:
        # A browser's retry reaching another receiver, and a double click without script, at once.
        sent = [comment("نظر در پایگاه داده مشترک.", token="t" * 32), comment("نظر بدون اسکریپت.")]
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda n: (first, second)[n % 2].post(sent[n // 4]), range(8)))
        assert {a.status for a in answers} == {303}
        assert len({a.headers["location"] for a in answers[:4]}) == 1
        assert len({a.headers["location"] for a in answers[4:]}) == 1
        receipt = second.receipt(answers[0])  # either receiver shows the receipt
        assert 'id="reference"' in receipt.text
    finally:
        first.stop()
        second.stop()
    capsys.readouterr()
    assert rayzani(["--root", str(repo.root), "intake", "receiver", "--db", postgres]) == 0
    assert "2 new, 0 duplicate" in capsys.readouterr().out
    assert rayzani(["--root", str(repo.root), "intake", "receiver", "--db", postgres]) == 0
    assert "0 new, 0 duplicate" in capsys.readouterr().out
    bodies = sorted(
        yaml.safe_load(p.read_text(encoding="utf-8"))["body"]
        for p in (repo.root / "submissions" / "sample").glob("web-*.yml")
    )
    assert bodies == ["نظر بدون اسکریپت.", "نظر در پایگاه داده مشترک."]
