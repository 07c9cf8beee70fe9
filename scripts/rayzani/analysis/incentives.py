"""Points, levels, the hall of fame and participation certificates, computed from the records.

Only what a participant chose to publish counts: a contribution enters a profile, the points
and a certificate only when its record carries the participant's consented display name, and
contributions are linked only through the identity they chose to give (`author.id`). So a
named person's anonymous comments never add up visibly under their name.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from pathlib import Path

from rayzani.model import Portal, Submission
from rayzani.problems import Problem
from rayzani.security.secrets import CERTIFICATE_SECRET, read_secret
from rayzani.settings import Settings

# Records whose answer says they were not a contribution earn nothing.
NOT_COUNTED = ("out-of-scope", "duplicate")


@dataclass
class Participant:
    """A person who consented to be shown by name, and what they contributed under it."""

    slug: str
    identity: str
    name: str
    records: list[Submission] = field(default_factory=list)
    points: int = 0
    level: str | None = None

    @property
    def accepted(self) -> int:
        return sum(r.decision.status in ("accepted", "partially-accepted") for r in self.records)

    @property
    def first(self) -> dt.datetime:
        return min(r.received for r in self.records)

    def on(self, target: str) -> list[Submission]:
        return [r for r in self.records if r.target == target]


def participant_slug(identity: str) -> str:
    """A stable page name that does not spell out the identity (a form's pseudonym stays private)."""
    return "p-" + hashlib.sha256(identity.encode()).hexdigest()[:10]


def points_for(record: Submission, weights: dict[str, int]) -> int:
    if record.withheld or record.decision.status in NOT_COUNTED:
        return 0
    return weights.get("comment", 0) + weights.get(record.decision.status, 0)


def level_for(points: int, levels: dict[str, int]) -> str | None:
    reached = [name for name, least in sorted(levels.items(), key=lambda kv: kv[1]) if points >= least]
    return reached[-1] if reached else None


def participants(portal: Portal, settings: Settings) -> dict[str, Participant]:
    """Consenting participants by page slug; their named contributions, points and level."""
    people: dict[str, Participant] = {}
    for records in portal.submissions.values():
        for record in records:
            author = record.author
            if not (author.id and author.name) or record.withheld:
                continue
            slug = participant_slug(author.id)
            person = people.setdefault(slug, Participant(slug, author.id, author.name))
            person.records.append(record)
    for person in people.values():
        person.records.sort(key=lambda r: (r.received, r.id))
        person.name = person.records[-1].author.name or person.name  # the latest name they gave
        person.points = sum(points_for(r, settings.points) for r in person.records)
        person.level = level_for(person.points, settings.levels)
    return people


def hall_of_fame(people: list[Participant], target: str | None = None) -> list[Participant]:
    """Most accepted proposals first; ties go to whoever took part first."""

    def key(person: Participant) -> tuple[int, dt.datetime]:
        records = person.on(target) if target else person.records
        accepted = sum(r.decision.status in ("accepted", "partially-accepted") for r in records)
        return (-accepted, min(r.received for r in records))

    chosen = [p for p in people if not target or p.on(target)]
    return sorted(chosen, key=key)


@dataclass(frozen=True)
class Certificate:
    code: str
    target: str
    participant: Participant
    records: tuple[Submission, ...]


def certificate_secret(root: Path, settings: Settings) -> bytes | None:
    return read_secret(root, settings, CERTIFICATE_SECRET)


def certificate_code(secret: bytes, target: str, participant: str, record_ids: list[str]) -> str:
    """An HMAC over what the certificate attests (who took part, where, with which records).

    Nobody without the secret can make a valid code. Outcomes are shown on the certificate but
    not signed, so that a later decision does not void a certificate already handed out.
    """
    # Canonical JSON, not the fields joined with newlines: a value is quoted and escaped, so
    # text moved across a field boundary ("a\nb", "c" against "a", "b\nc") changes the code.
    attested = json.dumps(
        ["rayzani-certificate", target, participant, sorted(record_ids)],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    digest = hmac.new(secret, attested.encode(), hashlib.sha256).hexdigest()[:16].upper()
    return "-".join(digest[i : i + 4] for i in range(0, 16, 4))


def certificates(portal: Portal, people: dict[str, Participant], secret: bytes) -> list[Certificate]:
    """One certificate per consenting participant per consultation they contributed to."""
    issued = []
    for person in people.values():
        for target in sorted({r.target for r in person.records}):
            records = person.on(target)
            code = certificate_code(secret, target, person.slug, [r.id for r in records])
            issued.append(Certificate(code, target, person, tuple(records)))
    return issued


def still_valid(
    entries: object, people: dict[str, Participant], secret: bytes, current: list[Certificate]
) -> list[Certificate]:
    """Certificates recorded as issued that still hold, besides the ones computed today.

    A participant who contributes again gets a new code, but the certificate already handed
    out must keep verifying. It does while its code checks and every record it attests is
    still published under the participant's name: withdrawing consent withdraws it too.
    """
    known = {c.code for c in current}
    kept = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("records"), list):
            continue
        code, target, slug = (str(entry.get(k)) for k in ("code", "consultation", "participant"))
        ids = [str(i) for i in entry["records"]]
        person = people.get(slug)
        if person is None or code in known:
            continue
        if not hmac.compare_digest(certificate_code(secret, target, slug, ids), code):
            continue  # validation reports it; a page must never confirm it
        named = {r.id: r for r in person.on(target)}
        if ids and all(i in named for i in ids):
            kept.append(Certificate(code, target, person, tuple(named[i] for i in ids)))
            known.add(code)
    return kept


def verify(code: str, issued: list[Certificate]) -> Certificate | None:
    wanted = code.strip().upper()
    return next((c for c in issued if hmac.compare_digest(c.code, wanted)), None)


REGISTER = Path("content") / "certificates.yml"


def register_entry(cert: Certificate) -> dict[str, object]:
    return {
        "code": cert.code,
        "consultation": cert.target,
        "participant": cert.participant.slug,
        "records": [r.id for r in cert.records],
    }


def check_register(entries: object, path: Path, secret: bytes | None) -> list[Problem]:
    """Every certificate the portal handed out must still verify: a tampered code or entry fails."""
    if entries is None:
        return []
    if not isinstance(entries, list):
        return [
            Problem(
                path,
                "",
                "must be a list of issued certificates",
                "regenerate it with rayzani certificates --issue",
            )
        ]
    if secret is None:
        return [
            Problem(
                path,
                "",
                "lists certificates but no certificate secret is set",
                "set RAYZANI_CERTIFICATE_SECRET",
            )
        ]
    found = []
    for index, entry in enumerate(entries, start=1):
        fields = ("code", "consultation", "participant", "records")
        if not isinstance(entry, dict) or set(entry) != set(fields):
            found.append(
                Problem(path, f"[{index}]", f"must have exactly {', '.join(fields)}", "regenerate the entry")
            )
            continue
        expected = certificate_code(
            secret, str(entry["consultation"]), str(entry["participant"]), [str(i) for i in entry["records"]]
        )
        if not hmac.compare_digest(expected, str(entry["code"])):
            found.append(
                Problem(
                    path,
                    f"[{index}].code",
                    f"{entry['code']!r} does not verify: the code or what it attests was altered",
                    "restore the entry as issued, or issue a new one: rayzani certificates --issue",
                )
            )
    return found
