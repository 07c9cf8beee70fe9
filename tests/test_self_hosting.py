"""The self-hosted path's publishing and pull requests, run for real.

- Publishing: the rsync command of `.forgejo/workflows/publish.yml`, as written there, sends a
  site through Debian's `rrsync -wo DIR` (what the deploy key's authorized_keys line forces),
  with a stand-in for ssh that runs the forced command as sshd would (SSH_ORIGINAL_COMMAND).
- Pull requests: `python -m rayzani.intake.forge_pulls` against a local server answering like
  Forgejo's API (`/api/v1/repos/{owner}/{repo}/pulls`, paginated by `page` and `limit`, errors
  as `{"message": ...}`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import yaml
from conftest import REPO

PUBLISH = REPO / ".forgejo" / "workflows" / "publish.yml"


def _deploy_script() -> str:
    steps = yaml.safe_load(PUBLISH.read_text(encoding="utf-8"))["jobs"]["build"]["steps"]
    return next(step["run"] for step in steps if "rsync --" in step.get("run", ""))


def _rrsync() -> str:
    found = shutil.which("rrsync")
    if not found or not shutil.which("rsync"):
        message = "rsync and rrsync are missing: .ci/install installs Debian's rsync"
        if os.environ.get("RAYZANI_REQUIRE_NGINX") == "1":  # CI installs them with nginx
            pytest.fail(message)
        pytest.skip(message)
    return found


def _publish(tmp_path: Path, site: Path, served: Path, script: str) -> subprocess.CompletedProcess[str]:
    """Run the workflow's deploy script with `ssh` replaced by sshd's forced command: rrsync -wo."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    ssh = bin_dir / "ssh"
    # ssh [options] HOST COMMAND...: the options are the workflow's own; the command is what the
    # client asks for, which sshd hands to the forced command as SSH_ORIGINAL_COMMAND.
    ssh.write_text(
        "#!/bin/sh\n"
        'while [ $# -gt 0 ]; do case "$1" in\n'
        "  -p|-i|-o|-l) shift 2;; -*) shift;; *) shift; break;;\n"
        "esac; done\n"
        f'SSH_ORIGINAL_COMMAND="$*" exec {_rrsync()} -no-lock -wo {served}\n',
        encoding="utf-8",
    )
    ssh.chmod(0o755)
    workdir = tmp_path / "checkout"
    workdir.mkdir(exist_ok=True)
    if (workdir / "site").exists():
        (workdir / "site").unlink()
    (workdir / "site").symlink_to(site, target_is_directory=True)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "DEPLOY_KEY": "not a key: the stand-in never reads it",
        "KNOWN_HOSTS": "web.example.gov.ir ssh-ed25519 AAAA",
        "TARGET": "rayzani-deploy@web.example.gov.ir",
        "PORT": "22",
        "RUNNER_TEMP": str(tmp_path),
    }
    return subprocess.run(["bash", "-e", "-c", script], cwd=workdir, env=env, capture_output=True, text=True)


def test_the_workflows_rsync_publishes_through_rrsync_and_removes_pages_gone(tmp_path):
    site = tmp_path / "site"
    (site / "drafts" / "a").mkdir(parents=True)
    (site / "index.html").write_text("<p>new</p>", encoding="utf-8")
    (site / "drafts" / "a" / "index.html").write_text("<p>draft</p>", encoding="utf-8")
    served = tmp_path / "srv"
    (served / "old").mkdir(parents=True)
    (served / "old" / "index.html").write_text("<p>gone</p>", encoding="utf-8")
    result = _publish(tmp_path, site, served, _deploy_script())
    assert result.returncode == 0, result.stderr
    assert (served / "index.html").read_text(encoding="utf-8") == "<p>new</p>"
    assert (served / "drafts" / "a" / "index.html").is_file()
    assert not (served / "old").exists(), "a page the new build no longer has is removed"
    assert not (tmp_path / "deploy-key").exists(), "the key file is removed after the step"


def test_the_deploy_key_cannot_write_outside_the_site_folder_nor_read_it(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("x", encoding="utf-8")
    served = tmp_path / "srv" / "site"
    served.mkdir(parents=True)
    (served / "secret.txt").write_text("keep", encoding="utf-8")
    escape = _deploy_script().replace('"$TARGET:./"', '"$TARGET:../outside/"')
    assert escape != _deploy_script()
    result = _publish(tmp_path, site, served, escape)
    assert result.returncode != 0 and not (tmp_path / "srv" / "outside").exists()
    read = _deploy_script().replace('site/ "$TARGET:./"', '"$TARGET:./secret.txt" stolen.txt')
    assert read != _deploy_script()
    result = _publish(tmp_path, site, served, read)
    assert result.returncode != 0 and not (tmp_path / "checkout" / "stolen.txt").exists()


def test_the_deploy_step_refuses_to_run_without_its_secrets(tmp_path):
    script = _deploy_script()
    env = {**os.environ, "DEPLOY_KEY": "", "KNOWN_HOSTS": "", "TARGET": "", "RUNNER_TEMP": str(tmp_path)}
    result = subprocess.run(
        ["bash", "-e", "-c", script], env=env, capture_output=True, text=True, cwd=tmp_path
    )
    assert result.returncode == 1 and "RAYZANI_DEPLOY_KNOWN_HOSTS" in result.stderr


class FakeForgejo:
    """Forgejo's pull-request and comment endpoints for one repository, in its JSON shapes."""

    def __init__(self, owner: str, name: str, page_limit: int = 50) -> None:
        self.full_name, self.page_limit = f"{owner}/{name}", page_limit
        self.pulls: list[dict] = []
        self.comments: list[tuple[int, str]] = []
        self.requests: list[str] = []
        self.refuse: int | None = None  # answer every write with this status
        handler = type("Handler", (_Handler,), {"api": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/api/v1"

    def add_pull(self, head: str, repo: str | None = None) -> dict:
        number = len(self.pulls) + 1
        pull = {
            "number": number,
            "state": "open",
            "title": f"pull {number}",
            "head": {"ref": head, "label": head, "repo": {"full_name": repo or self.full_name}},
            "base": {"ref": "main"},
        }
        self.pulls.append(pull)
        return pull


class _Handler(BaseHTTPRequestHandler):
    api: FakeForgejo

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass

    def _send(self, status: int, payload: object, headers: dict[str, str] | None = None) -> None:
        body = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _route(self) -> re.Match[str] | None:
        prefix = re.escape(f"/api/v1/repos/{self.api.full_name}")
        return re.match(prefix + r"/(pulls|issues/(\d+)/comments)$", urlparse(self.path).path)

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        self.api.requests.append(f"GET {self.path}")
        if self.headers.get("Authorization") != "token secret-token":
            return self._send(401, {"message": "token is required"})
        route, query = self._route(), parse_qs(urlparse(self.path).query)
        if not route or route.group(1) != "pulls":
            return self._send(404, {"message": "not found"})
        page, limit = (
            int(query.get("page", ["1"])[0]),
            min(int(query.get("limit", ["30"])[0]), self.api.page_limit),
        )
        open_pulls = [p for p in self.api.pulls if p["state"] == query.get("state", ["open"])[0]]
        batch = open_pulls[(page - 1) * limit : page * limit]
        return self._send(200, batch, {"X-Total-Count": str(len(open_pulls))})

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        self.api.requests.append(f"POST {self.path}")
        payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        route = self._route()
        if self.headers.get("Authorization") != "token secret-token":
            return self._send(401, {"message": "token is required"})
        if self.api.refuse:
            return self._send(self.api.refuse, {"message": "user does not have permission"})
        if route and route.group(1) == "pulls":
            ours = [p for p in self.api.pulls if p["head"]["repo"]["full_name"] == self.api.full_name]
            if any(p["head"]["ref"] == payload["head"] for p in ours if p["state"] == "open"):
                return self._send(409, {"message": "pull request already exists for these targets"})
            pull = self.api.add_pull(payload["head"])
            pull.update(title=payload["title"], body=payload["body"])
            return self._send(201, pull)
        if route:
            self.api.comments.append((int(route.group(2)), payload["body"]))
            return self._send(201, {"id": len(self.api.comments), "body": payload["body"]})
        return self._send(404, {"message": "not found"})


@pytest.fixture
def forgejo() -> Iterator[FakeForgejo]:
    api = FakeForgejo("ministry", "portal", page_limit=2)  # small pages: several requests
    thread = threading.Thread(target=api.server.serve_forever, daemon=True)
    thread.start()
    yield api
    api.server.shutdown()
    api.server.server_close()


def _forge_pulls(
    api: FakeForgejo, *args: str, token: str = "secret-token"
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "rayzani.intake.forge_pulls", args[0], "--api-url", api.url]
    env = {**os.environ, "PYTHONPATH": str(REPO / "scripts"), "FORGEJO_TOKEN": token}
    return subprocess.run(
        [*command, "--repo", api.full_name, *args[1:]], env=env, capture_output=True, text=True
    )


def test_the_records_pull_request_is_opened_once_even_when_others_fill_pages(forgejo):
    for head in ("feature-1", "feature-2", "feature-3"):
        forgejo.add_pull(head)
    forgejo.add_pull("intake/records", repo="someone/fork")  # a fork's branch of the same name
    hostile = 'Intake $(touch pwned) `id` "; rm -rf / #'
    first = _forge_pulls(forgejo, "open", "--head", "intake/records", "--title", hostile, "--body", "b")
    assert first.returncode == 0, first.stderr
    opened = [p for p in forgejo.pulls if p["head"]["ref"] == "intake/records" and p.get("body") == "b"]
    assert len(opened) == 1 and opened[0]["title"] == hostile
    # The server caps a page at 2 below the 50 asked for: a short page is not taken for the last.
    assert any(r.startswith("GET") and "page=2&" in r for r in forgejo.requests), "page 2 was read"
    again = _forge_pulls(forgejo, "open", "--head", "intake/records", "--title", "t")
    assert again.returncode == 0 and f"Already open: pull request #{opened[0]['number']}" in again.stdout
    assert sum(r.startswith("POST") for r in forgejo.requests) == 1


def test_a_proposals_reply_is_posted_on_its_pull_request(forgejo, tmp_path):
    reply = tmp_path / "reply.md"
    reply.write_text("این پیشنهاد ثبت نشد: مهلت تمام شده است.\n", encoding="utf-8")
    result = _forge_pulls(forgejo, "comment", "--number", "7", "--body-file", str(reply))
    assert result.returncode == 0, result.stderr
    assert forgejo.comments == [(7, reply.read_text(encoding="utf-8"))]


@pytest.mark.parametrize("status", [403, 422])
def test_a_refused_write_is_reported_with_the_forges_message_and_not_retried(forgejo, status):
    forgejo.refuse = status
    result = _forge_pulls(forgejo, "open", "--head", "intake/records", "--title", "t")
    assert result.returncode == 1
    assert f"{status} user does not have permission" in result.stderr and "secret-token" not in result.stderr
    assert sum(r.startswith("POST") for r in forgejo.requests) == 1


def test_a_bad_token_is_refused_without_printing_it(forgejo):
    result = _forge_pulls(forgejo, "open", "--head", "intake/records", "--title", "t", token="wrong-token")
    assert result.returncode == 1 and "401 token is required" in result.stderr
    assert "wrong-token" not in result.stderr + result.stdout
