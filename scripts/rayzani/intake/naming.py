"""How intake names what it records: record ids, participant ids (keyed for a contact), sections."""

from __future__ import annotations

import hashlib
import hmac
import re

from rayzani.i18n.text import normalise, to_ascii_digits
from rayzani.intake.guard import redact
from rayzani.settings import Settings

_PERSIAN_LETTERS = re.compile("[\u0600-\u06ff]")
_LATIN_LETTERS = re.compile("[A-Za-z]")
_MOBILE = re.compile(r"\+?(?:0098|98|0)?(9\d{9})")
_PHONE_SEPARATORS = re.compile(r"[\s\-.()]")


def language_of(text: str) -> str:
    """fa when the text is mostly Persian letters, else en."""
    return "fa" if len(_PERSIAN_LETTERS.findall(text)) >= len(_LATIN_LETTERS.findall(text)) else "en"


class IdSecretMissing(RuntimeError):
    """A participant id must be made from an email or phone number, and no secret keys it."""

    def __init__(self, settings: Settings, need: str = "A participant id is an email or phone number"):
        super().__init__(
            f"{need}, which is recorded only as a keyed hash, "
            f"and no participant-id secret is configured: set the variable {settings.id_secret_env} "
            "(extra.rayzani.id_secret_env) or name a file in extra.rayzani.id_secret_file "
            "(`rayzani keygen` prints a new secret). Nothing more was recorded."
        )


def _contact_id(value: str) -> tuple[str, bool]:
    """The id in one form, and whether it is an email or phone number (never kept in clear)."""
    value = " ".join(normalise(value).split())
    mobile = _MOBILE.fullmatch(_PHONE_SEPARATORS.sub("", to_ascii_digits(value)))
    if mobile:
        # One person however the number is typed (+98 912..., 0912-..., Persian digits, no 0),
        # or a second vote would count; and a number without its 0 is still not kept in clear.
        return "0" + mobile.group(1), True
    return value, bool(redact(value)[1])


def makes_pid(value: str) -> bool:
    """Whether this id is recorded as a `pid:` (and so needs the participant-id secret)."""
    return _contact_id(value)[1]


def participant_id(value: str, secret: bytes | None, settings: Settings | None = None) -> str:
    """The participant's chosen id, pseudonymised if it is an email or phone number.

    A form tool may use the email address as its participant id: it still links one person's
    comments, but as an HMAC under the portal's participant-id secret. An unkeyed hash would
    not do: the billion Iranian mobile numbers are hashed and compared in seconds.
    """
    value, contact = _contact_id(value)
    if not contact:
        return value
    if not secret:
        raise IdSecretMissing(settings or Settings())  # never an unkeyed hash instead
    return "pid:" + hmac.new(secret, value.lower().encode(), hashlib.sha256).hexdigest()[:16]


def record_id(prefix: str, reference: str) -> str:
    """A record id from a channel reference: lowercase ASCII, digits and hyphens, at most 64."""
    slug = re.sub("[^a-z0-9]+", "-", to_ascii_digits(reference).lower()).strip("-")
    if not slug or len(prefix) + 1 + len(slug) > 64:
        slug = hashlib.sha256(reference.encode()).hexdigest()[:12]
    return f"{prefix}-{slug}"


def section_anchor(value: str | None) -> str | None:
    """'art-3', '3', '۳' or 'Article 3' become 'art-3'; an empty value means a general comment."""
    if not value:
        return None
    text = to_ascii_digits(normalise(value)).strip().lower()
    if text in ("", "general", "کلی"):
        return None
    if re.fullmatch(r"\d+", text):
        return f"art-{text}"
    numbered = re.fullmatch(r"(?:article|ماده)\s*(\d+)", text)
    return f"art-{numbered.group(1)}" if numbered else text
