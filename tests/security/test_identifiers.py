"""Published identifiers give no personal data back; no demo secret runs a real portal.

A `pid:` participant id and a record's `text_sha256` are published with every record. An
attacker holding everything published (the repository with its records, keys folder and
settings) and the time to enumerate the Iranian mobile numbers must not link an id to a number,
nor confirm a guess of a redacted number from a hash.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import itertools
import json
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from conftest import REPO, Repo, rayzani

from rayzani.i18n.text import to_persian_digits
from rayzani.intake.form_export import FIELDS
from rayzani.model import AGE_BANDS, GENDERS, RESPONDENT_TYPES
from rayzani.model.provinces import PROVINCES
from rayzani.project import load_project

# The participant's real mobile number, and how many numbers around it the attacker tries.
MOBILE = "09123456789"
SAMPLE = 200_000
COLUMNS = ["row_id", "submitted_at", "draft", "article", "comment", "participant_id"]


def write_export(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for number, values in enumerate(rows, start=1):
            writer.writerow(
                {"row_id": str(number), "submitted_at": "2026-11-10 09:00:00", "draft": "sample"}
                | {"article": "art-1", "comment": f"نظر شماره {number}.", "participant_id": ""}
                | values
            )
    return path


def records(repo: Repo) -> dict[str, dict]:
    return {
        p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))
        for p in (repo.root / "submissions" / "sample").glob("form-*.yml")
    }


def numbers_around(mobile: str, count: int) -> Iterator[str]:
    """`count` mobile numbers centred on `mobile`, written as intake writes them (0 and 10 digits)."""
    middle = int(mobile)
    for value in range(middle - count // 2, middle + count // 2):
        yield f"0{value}"


def published_files(root: Path) -> list[bytes]:
    """Every file of the repository as an attacker can read it, stripped: each one a candidate key."""
    return [p.read_bytes().strip() for p in sorted(root.rglob("*")) if p.is_file()]


def old_pid(number: str) -> str:
    """Participant ids before this fix: an unkeyed SHA-256 prefix of the number."""
    return "pid:" + hashlib.sha256(number.encode()).hexdigest()[:16]


def keyed_pid(key: bytes, number: str) -> str:
    return "pid:" + hmac.new(key, number.encode(), hashlib.sha256).hexdigest()[:16]


@pytest.fixture
def portal(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> tuple[Repo, bytes]:
    """The small portal run as a real one: its own participant-id secret, only in the environment."""
    secret = secrets.token_hex(32)
    monkeypatch.setenv("RAYZANI_ID_SECRET", secret)
    repo.edit("mkdocs.yml", "    id_secret_file: keys/demo-id-secret.txt\n", "")
    return repo, secret.encode()


def test_a_participant_id_made_from_a_mobile_number_resists_enumeration(portal, capsys):
    repo, secret = portal
    typed = ["+98 912 345 6789", MOBILE, to_persian_digits(MOBILE), "912-345-6789", "0098 912 3456789"]
    export = write_export(repo.root / "export.csv", [{"participant_id": t} for t in typed])
    assert rayzani(["--root", str(repo.root), "intake", "form", str(export)]) == 0
    assert f"{len(typed)} new" in capsys.readouterr().out
    found = records(repo)
    ids = {record["author"]["id"] for record in found.values()}
    # However the number is typed, it is one participant, and the number is written nowhere.
    assert len(ids) == 1
    (pid,) = ids
    assert pid.startswith("pid:")
    assert not any(MOBILE[1:] in p.read_text(encoding="utf-8") for p in repo.root.rglob("*.yml"))

    # The attacker tries every number of the sample with the old unkeyed hash, and keyed with
    # every file the repository publishes (the demo secret among them): the number is not found.
    candidates = list(numbers_around(MOBILE, SAMPLE))
    assert MOBILE in candidates
    assert pid not in {old_pid(n) for n in candidates}
    for key in published_files(repo.root):
        assert pid not in {keyed_pid(key, n) for n in candidates}
    # The same enumeration with the portal's secret finds it: the attack fails only for want of it.
    assert [n for n in candidates if keyed_pid(secret, n) == pid] == [MOBILE]


def test_without_a_participant_id_secret_intake_refuses_and_writes_nothing(portal, monkeypatch, capsys):
    repo, _ = portal
    monkeypatch.delenv("RAYZANI_ID_SECRET")
    before = sorted(p.relative_to(repo.root) for p in repo.root.rglob("*"))
    export = write_export(repo.root / "export.csv", [{"participant_id": "p7"}, {"participant_id": MOBILE}])
    before.append(export.relative_to(repo.root))
    assert rayzani(["--root", str(repo.root), "intake", "form", str(export)]) == 2
    error = capsys.readouterr().err
    assert "RAYZANI_ID_SECRET" in error and "id_secret_file" in error and "rayzani keygen" in error
    # Not even the row whose id needs no secret: the export is refused before any row is written.
    assert sorted(p.relative_to(repo.root) for p in repo.root.rglob("*")) == sorted(before)
    # An id that is no email or phone number needs no secret and is kept as given.
    write_export(export, [{"participant_id": "p7"}])
    assert rayzani(["--root", str(repo.root), "intake", "form", str(export)]) == 0
    assert [r["author"]["id"] for r in records(repo).values()] == ["p7"]


def test_a_new_participant_id_secret_gives_new_ids(portal, monkeypatch):
    """Rotating the secret unlinks a person's later contributions from the earlier ones."""
    repo, _ = portal
    export = write_export(repo.root / "export.csv", [{"participant_id": MOBILE}])
    assert rayzani(["--root", str(repo.root), "intake", "form", str(export)]) == 0
    monkeypatch.setenv("RAYZANI_ID_SECRET", secrets.token_hex(32))
    write_export(export, [{"participant_id": MOBILE}, {"participant_id": MOBILE}])
    assert rayzani(["--root", str(repo.root), "intake", "form", str(export)]) == 0
    found = records(repo)
    assert found["form-1"]["author"]["id"] != found["form-2"]["author"]["id"]


def test_a_row_without_a_row_id_is_named_without_giving_its_sealed_values_back(portal):
    """Such a row's record is named by a digest of the row: it must not confirm what was sealed."""
    repo, secret = portal
    sealed = {"age_band": "30-44", "gender": "female", "province": "fars", "respondent_type": "ngo"}
    row = {"submitted_at": "2026-11-10 09:00:00", "draft": "sample", "comment": "نظری کوتاه."} | sealed
    export = repo.root / "export.json"
    export.write_text(json.dumps([row], ensure_ascii=False), encoding="utf-8")
    assert rayzani(["--root", str(repo.root), "intake", "form", str(export)]) == 0
    ((name, record),) = records(repo).items()
    assert record["sealed"] and "fars" not in json.dumps(record, default=str)
    reference = record["source"].rsplit(":", 1)[-1]
    assert name == f"form-{reference}"

    def digests(key: bytes | None) -> dict[str, tuple[str, ...]]:
        """Every choice of the sealed values, hashed as the row's content would be."""
        found = {}
        for choice in itertools.product(AGE_BANDS, GENDERS, PROVINCES, RESPONDENT_TYPES):
            guess = {f: "" for f in FIELDS} | row | dict(zip(sealed, choice, strict=True))
            content = json.dumps(guess, ensure_ascii=False, sort_keys=True).encode()
            digest = hmac.new(key, content, hashlib.sha256) if key else hashlib.sha256(content)
            found["sha-" + digest.hexdigest()[:12]] = choice
        return found

    assert reference not in digests(None)  # the unkeyed digest the reference used to be
    for key in published_files(repo.root):
        assert reference not in digests(key)
    assert digests(secret)[reference] == tuple(sealed.values())  # with the secret, the guess is confirmed


def spoken(number: str) -> Iterator[str]:
    """The ways a person writes a mobile number in a comment, the ones intake redacts."""
    yield number
    yield f"{number[:4]} {number[4:7]} {number[7:]}"
    yield f"{number[:4]}-{number[4:7]}-{number[7:]}"
    yield "+98 " + number[1:]
    yield to_persian_digits(number)


def test_a_comment_hash_cannot_confirm_a_guess_of_the_redacted_number(portal, capsys):
    repo, _ = portal
    template = "لطفاً با من تماس بگیرید: {}\nاین ماده ابهام دارد."
    written = f"{MOBILE[:4]} {MOBILE[4:7]} {MOBILE[7:]}"
    export = write_export(repo.root / "export.csv", [{"comment": template.format(written)}])
    assert rayzani(["--root", str(repo.root), "intake", "form", str(export)]) == 0
    record = records(repo)["form-1"]
    assert record["redactions"] == ["phone"] and MOBILE[4:7] not in record["body"]
    published = record["text_sha256"]

    # The attacker knows the text around the redaction and puts every candidate number back,
    # written every way: no candidate original matches the published hash...
    guesses = {
        hashlib.sha256(template.format(form).encode()).hexdigest()
        for n in numbers_around(MOBILE, SAMPLE)
        for form in spoken(n)
    }
    assert published not in guesses
    # ...though the text as received is among the guesses: the attack worked on a hash of it.
    assert hashlib.sha256(template.format(written).encode()).hexdigest() in guesses

    # The hash is of the body as recorded, so an edit of the record shows...
    assert hashlib.sha256(record["body"].encode()).hexdigest() == published
    edited = record["body"].replace("ابهام", "ایراد")
    assert hashlib.sha256(edited.encode()).hexdigest() != published
    # ...and so does an edit of the original: the same row delivered again is a duplicate, an
    # edited one is a duplicate "edited since recorded"; neither rewrites the record.
    path = repo.root / "submissions" / "sample" / "form-1.yml"
    kept = path.read_text(encoding="utf-8")
    capsys.readouterr()
    assert rayzani(["--root", str(repo.root), "intake", "form", str(export)]) == 0
    assert "0 new, 1 duplicate (0 edited since recorded)" in capsys.readouterr().out
    write_export(export, [{"comment": template.format(written).replace("ابهام", "ایراد")}])
    assert rayzani(["--root", str(repo.root), "intake", "form", str(export)]) == 0
    assert "0 new, 1 duplicate (1 edited since recorded)" in capsys.readouterr().out
    assert path.read_text(encoding="utf-8") == kept


def elsewhere(repo: Repo, site_url: str = "https://consult.example.ir/") -> None:
    """The small portal published at its own address, still holding the example's demo secrets."""
    for name in ("demo-private.key", "demo-certificate-secret.txt"):
        (repo.root / "keys" / name).write_bytes((REPO / "keys" / name).read_bytes())
    repo.edit(
        "mkdocs.yml",
        "site_url: https://example.github.io/rayzani/",
        f"site_url: {site_url}" if site_url else "",
    )
    repo.edit(
        "mkdocs.yml",
        "min_comment_days: 30",
        "min_comment_days: 30\n    private_key_file: keys/demo-private.key\n"
        "    certificate_secret_file: keys/demo-certificate-secret.txt",
    )


def problems(root: Path) -> dict[str, str]:
    return {p.field: p.format(root) for p in load_project(root).problems}


@pytest.mark.parametrize("site_url", ["https://consult.example.ir/", ""])
def test_demo_secrets_fail_validation_on_any_portal_but_the_example(repo, site_url, monkeypatch):
    monkeypatch.delenv("RAYZANI_PRIVATE_KEY", raising=False)
    elsewhere(repo, site_url)
    found = problems(repo.root)
    assert set(found) == {
        "extra.rayzani.public_key",
        "extra.rayzani.private_key_file",
        "extra.rayzani.certificate_secret_file",
        "extra.rayzani.id_secret_file",
    }
    for line in found.values():
        assert "demo" in line and "rayzani keygen" in line
    assert "RAYZANI_PRIVATE_KEY" in found["extra.rayzani.private_key_file"]
    assert "RAYZANI_CERTIFICATE_SECRET" in found["extra.rayzani.certificate_secret_file"]
    assert "RAYZANI_ID_SECRET" in found["extra.rayzani.id_secret_file"]


def test_a_demo_secret_is_recognised_in_the_environment_too(repo, monkeypatch):
    elsewhere(repo)
    repo.edit("mkdocs.yml", "    id_secret_file: keys/demo-id-secret.txt\n", "")
    monkeypatch.setenv("RAYZANI_ID_SECRET", (REPO / "keys" / "demo-id-secret.txt").read_text())
    found = problems(repo.root)
    assert "variable RAYZANI_ID_SECRET" in found["extra.rayzani.id_secret_env"]


def test_a_portal_with_its_own_keys_and_secrets_validates(repo, monkeypatch, capsys):
    elsewhere(repo)
    assert rayzani(["--root", str(repo.root), "keygen"]) == 0
    printed = [line.split("=", 1) for line in capsys.readouterr().out.splitlines() if "=" in line]
    values = dict(printed)
    assert set(values) == {"RAYZANI_PRIVATE_KEY", "RAYZANI_CERTIFICATE_SECRET", "RAYZANI_ID_SECRET"}
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    config = (repo.root / "mkdocs.yml").read_text(encoding="utf-8")
    for setting in ("private_key_file", "certificate_secret_file", "id_secret_file"):
        config = "".join(line for line in config.splitlines(keepends=True) if setting not in line)
    (repo.root / "mkdocs.yml").write_text(config, encoding="utf-8")
    assert problems(repo.root) == {}


def test_the_example_still_validates_with_its_demo_secrets(monkeypatch, capsys):
    for name in ("RAYZANI_PRIVATE_KEY", "RAYZANI_CERTIFICATE_SECRET", "RAYZANI_ID_SECRET"):
        monkeypatch.delenv(name, raising=False)
    assert rayzani(["--root", str(REPO), "validate"]) == 0
    assert "OK:" in capsys.readouterr().out
