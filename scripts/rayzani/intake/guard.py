"""What every intake channel does to incoming text: normalise, limit, redact personal data."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from rayzani.i18n.text import normalise, to_ascii_digits
from rayzani.model import MAX_COMMENT_CHARS

# Names, organisations and declared interests are shown on one line of a comment card.
MAX_SHORT_CHARS = {"name": 120, "organisation": 200, "interest": 500}

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_SEP = r"[ \-.]?"
# Iranian numbers: mobiles 09xx xxx xxxx, landlines 0xx xxxxxxxx, with +98 or 0098 instead of 0.
_PHONE = re.compile(
    rf"(?<![\d+])(?:(?:\+|00)98{_SEP}|0)(?:9\d{{2}}{_SEP}\d{{3}}{_SEP}\d{{4}}|[1-8]\d{_SEP}\d{{4}}{_SEP}\d{{4}})(?!\d)"
)
_TEN_DIGITS = re.compile(r"(?<!\d)\d{3}-?\d{6}-?\d(?!\d)")


@dataclass(frozen=True)
class Guarded:
    """A comment text made safe to record, with what was removed from it."""

    text: str
    redactions: tuple[str, ...]
    sha256: str  # of the body as recorded (`recorded_body`): what `text_sha256` publishes
    problem: str | None = None  # "empty" or "too-long": the comment cannot be recorded
    raw_sha256: str = ""  # of the text as received: never published, see `RecordWriter`


def text_hash(text: str) -> str:
    """SHA-256 of a text in UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def recorded_body(text: str) -> str:
    """A guarded text as a record's `body` holds it (multi-line text ends with a newline)."""
    return text + "\n" if "\n" in text else text


def is_national_id(digits: str) -> bool:
    """The checksum of Iran's 10-digit national id (کد ملی)."""
    if len(digits) != 10 or not digits.isdigit() or len(set(digits)) == 1:
        return False
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9])) % 11
    check = int(digits[9])
    return check == total if total < 2 else check == 11 - total


def redact(text: str) -> tuple[str, tuple[str, ...]]:
    """Replace emails, Iranian phone numbers and national ids; return the kinds found."""
    # Persian and Arabic digits map one to one onto ASCII, so spans found in the ASCII
    # view are the same spans in the original text.
    view = to_ascii_digits(text)
    spans: list[tuple[int, int, str]] = []
    for match in _EMAIL.finditer(view):
        spans.append((match.start(), match.end(), "email"))
    for match in _PHONE.finditer(view):
        spans.append((match.start(), match.end(), "phone"))
    for match in _TEN_DIGITS.finditer(view):
        if is_national_id(match.group().replace("-", "")):
            spans.append((match.start(), match.end(), "national-id"))
    spans.sort()
    kept: list[tuple[int, int, str]] = []
    for span in spans:
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    for start, end, kind in reversed(kept):
        text = f"{text[:start]}[redacted {kind}]{text[end:]}"
    return text, tuple(sorted({kind for _, _, kind in kept}))


def guard_comment(raw: str | None) -> Guarded:
    """Normalise, size-check and redact a comment body."""
    raw = raw or ""
    received = text_hash(raw)
    text = normalise(raw).strip()
    if not text:
        return Guarded("", (), text_hash(""), "empty", received)
    if len(text) > MAX_COMMENT_CHARS:
        # Nothing is recorded; the digest only tells versions apart (by length: redacting a
        # megabyte would take long), and tells nothing of the text.
        return Guarded("", (), text_hash(f"too-long: {len(text)}"), "too-long", received)
    text, kinds = redact(text)
    return Guarded(text, kinds, text_hash(recorded_body(text)), None, received)


def recorded_hash(raw: str | None) -> str:
    """The hash a record publishes for this delivered text: of the text after redaction.

    Never the hash of the text as received: that would let anyone confirm a guess of a
    redacted phone number or email by hashing the text with it put back.
    """
    return guard_comment(raw).sha256


def guard_short(value: str | None, field: str) -> tuple[str | None, tuple[str, ...], str | None]:
    """(clean value or None, redactions, problem) for a one-line field such as a name."""
    if not value:
        return None, (), None
    text = " ".join(normalise(value).split())
    if not text:
        return None, (), None
    if len(text) > MAX_SHORT_CHARS[field]:
        return None, (), "too-long"
    text, kinds = redact(text)
    return text, kinds, None
