"""Proposals by pull request: a PR's change to a draft's text becomes a comment record.

The record is written by the one record writer (`records.RecordWriter`) with channel
`pull-request`, so it is counted, decided and reported like any other comment. Its body is the
PR's title and description followed by its diff of the draft; its section is the article the
diff changes (a change to several articles is a general comment on the draft). The PR's data
comes from the forge's event file (GitHub's `GITHUB_EVENT_PATH`) and the diff from git, or on
Forgejo/Gitea both from their API (`forgejo_forge`), so the PR's own code is never run.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from rayzani.i18n.text import normalise
from rayzani.intake.naming import record_id
from rayzani.intake.records import Incoming, Outcome, RecordWriter
from rayzani.model import MAX_COMMENT_CHARS, Draft

# content/drafts/<slug>/index.<lang>.md: the current text, the only file a proposal changes.
_DRAFT_FILE = re.compile(r"^content/drafts/(?P<slug>[a-z0-9][a-z0-9-]*)/index\.(?P<lang>fa|en)\.md\Z")
_HUNK = re.compile(r"^@@ -(?P<start>\d+)(?:,(?P<count>\d+))? \+\d+(?:,\d+)? @@")
_HEADING = re.compile(r"^##\s+(?P<text>.+?)\s*$")
_PIN = re.compile(r"\s*\{#[A-Za-z0-9][A-Za-z0-9_-]*\}\s*$")
# A diff longer than this is cut in the record (the full change stays on the pull request).
MAX_DIFF_LINES = 400
# Room kept for the notes that say what was cut, and a cap on the title (GitHub allows 256).
_NOTE_ROOM = 400
_MAX_TITLE = 300


@dataclass(frozen=True)
class PullRequest:
    """What a proposal needs from the forge's description of a pull request."""

    repo: str  # owner/name
    number: int
    title: str
    body: str
    author: str  # forge login
    opened: dt.datetime
    url: str
    base: str  # commit the PR starts from
    head: str  # the PR's latest commit
    forge: str = "github"


def read_event(path: Path, forge: str = "github") -> PullRequest:
    """The pull request described by a `pull_request`/`pull_request_target` event file.

    Forgejo Actions and Gitea Actions write the forge's webhook payload, whose pull request has
    the same fields; `forge` is the prefix of the record's source.
    """
    event = json.loads(path.read_text(encoding="utf-8"))
    pr = event["pull_request"]
    return PullRequest(
        repo=event["repository"]["full_name"],
        number=int(pr["number"]),
        title=pr.get("title") or "",
        body=pr.get("body") or "",
        author=pr["user"]["login"],
        opened=dt.datetime.fromisoformat(pr["created_at"].replace("Z", "+00:00")),
        url=pr.get("html_url") or "",
        base=pr["base"]["sha"],
        head=pr["head"]["sha"],
        forge=forge,
    )


def git_diff(root: Path, base: str, head: str) -> str:
    """The unified diff of the drafts' texts between the PR's base and head commits."""
    result = subprocess.run(
        ["git", "diff", "--no-color", "--no-ext-diff", f"{base}...{head}", "--", "content/drafts"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


@dataclass
class FileDiff:
    slug: str
    lang: str
    text: str  # this file's part of the diff
    old_lines: list[int]  # line numbers (in the base file) the change touches


def split_diff(diff: str) -> list[FileDiff]:
    """The parts of a unified diff that change a draft's current text, file by file."""
    files: list[FileDiff] = []
    current: FileDiff | None = None
    old_line = 0
    for line in diff.splitlines():
        if line.startswith("diff --git "):
            current = None
            path = line.split(" b/", 1)[-1]
            match = _DRAFT_FILE.match(path)
            if match:
                current = FileDiff(match["slug"], match["lang"], line + "\n", [])
                files.append(current)
            continue
        if current is None:
            continue
        current.text += line + "\n"
        hunk = _HUNK.match(line)
        if hunk:
            old_line = int(hunk["start"])
        elif line.startswith("-") and not line.startswith("---"):
            current.old_lines.append(old_line)
            old_line += 1
        elif line.startswith("+") and not line.startswith("+++"):
            current.old_lines.append(old_line)  # an insertion belongs where it is inserted
        elif line.startswith(" "):
            old_line += 1
    return files


def articles_touched(draft: Draft, base_text: str, lang: str, old_lines: list[int]) -> set[str]:
    """Anchors of the articles whose lines (in the base text) the change touches.

    A line belongs to the article whose heading is the last one above it; lines before the
    first article (front matter, preamble) belong to none.
    """
    starts: list[tuple[int, str]] = []
    headings = {
        normalise(a.heading): fa.anchor
        for a, fa in zip(draft.text(lang).articles, draft.articles, strict=False)
    }
    in_fence = False
    for number, line in enumerate(base_text.splitlines(), start=1):
        if line.startswith(("```", "~~~")):
            in_fence = not in_fence
        match = None if in_fence else _HEADING.match(line)
        if match:
            anchor = headings.get(normalise(_PIN.sub("", match["text"])))
            if anchor:
                starts.append((number, anchor))
    touched = set()
    for old_line in old_lines:
        above = [anchor for start, anchor in starts if start <= old_line]
        if above:
            touched.add(above[-1])
    return touched


def proposal_body(pr: PullRequest, diff: str, limit: int = MAX_COMMENT_CHARS) -> str:
    """The proposal as a comment: title, description and diff, cut to fit `limit` characters.

    A comment over the limit is refused by the guard, which would leave a large proposal with
    no record at all: the description and the diff are cut instead, each with a note naming
    what was left out and where the whole change is (the pull request).
    """
    title = pr.title.strip()[:_MAX_TITLE]
    description = pr.body.strip()
    room = limit - len(title) - _NOTE_ROOM
    if len(description) > room // 2:  # the description may take half; the diff has the rest
        left = len(description) - room // 2
        description = f"{description[: room // 2].rstrip()} … ({left} more characters: {pr.url})"
    lines = diff.rstrip("\n").splitlines()
    budget = limit - len(title) - len(description) - _NOTE_ROOM
    shown: list[str] = []
    for line in lines[:MAX_DIFF_LINES]:
        budget -= len(line) + 1
        if budget < 0:
            break
        shown.append(line)
    parts = [title, description, "```diff\n" + "\n".join(shown) + "\n```"]
    if len(shown) < len(lines):
        parts.append(f"({len(lines) - len(shown)} more lines of the change: {pr.url})")
    return "\n\n".join(p for p in parts if p)


def record_proposal(writer: RecordWriter, root: Path, pr: PullRequest, diff: str) -> list[Outcome]:
    """One record per draft the pull request changes; nothing when it changes no draft text."""
    by_slug: dict[str, list[FileDiff]] = {}
    for part in split_diff(diff):
        by_slug.setdefault(part.slug, []).append(part)
    outcomes = []
    for slug, parts in sorted(by_slug.items()):
        draft = writer.portal.drafts.get(slug)
        touched: set[str] = set()
        if draft is not None:
            for part in parts:
                base_file = root / "content" / "drafts" / slug / f"index.{part.lang}.md"
                base_text = base_file.read_text(encoding="utf-8") if base_file.is_file() else ""
                touched |= articles_touched(draft, base_text, part.lang, part.old_lines)
        several = len(by_slug) > 1
        reference = f"{pr.repo}/pull/{pr.number}"
        incoming = Incoming(
            channel="pull-request",
            source=f"{pr.forge}:{reference}" + (f":{slug}" if several else ""),
            record_id=record_id("pr", f"{pr.number}-{slug}" if several else str(pr.number)),
            received=pr.opened,
            target=slug,
            body=proposal_body(pr, "".join(p.text for p in parts)),
            section=touched.pop() if len(touched) == 1 else None,
            author_id=f"{pr.forge}:{pr.author}",
        )
        outcomes.append(writer.record(incoming))
    return outcomes
