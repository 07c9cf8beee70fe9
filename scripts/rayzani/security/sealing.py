"""Seal personal data to the portal's public key, and open it only where the key is held."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from pathlib import Path

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

from rayzani.security.secrets import PRIVATE_KEY, read_secret
from rayzani.settings import Settings

PERSONAL_FIELDS = ("age_band", "gender", "province", "contact")


@dataclass(frozen=True)
class PersonalData:
    age_band: str | None = None
    gender: str | None = None
    province: str | None = None
    contact: str | None = None


def generate_keys() -> tuple[str, str]:
    """Return (public, private) keys as base64 text."""
    key = PrivateKey.generate()
    return (base64.b64encode(bytes(key.public_key)).decode(), base64.b64encode(bytes(key)).decode())


def read_public_key(root: Path, settings: Settings) -> PublicKey:
    return PublicKey(base64.b64decode((root / settings.public_key).read_text().strip()))


def read_private_key(root: Path, settings: Settings) -> PrivateKey | None:
    """The private key from the environment, else from the configured file, else None."""
    text = read_secret(root, settings, PRIVATE_KEY)
    return PrivateKey(base64.b64decode(text)) if text else None


def seal(data: dict[str, str], public_key: PublicKey) -> str:
    payload = {k: v for k, v in data.items() if k in PERSONAL_FIELDS and v}
    box = SealedBox(public_key).encrypt(json.dumps(payload, ensure_ascii=False).encode())
    return base64.b64encode(box).decode()


def opener(private_key: PrivateKey) -> SealedBox:
    """What opens boxes sealed to the key. Making it encodes the key again: a caller opening many
    boxes (100,000 records) makes it once and passes it to `unseal`, instead of the key."""
    return SealedBox(private_key)


def unseal(sealed: str, key: PrivateKey | SealedBox) -> PersonalData | None:
    """The personal data, or None if the box was not sealed to this key or is damaged."""
    box = key if isinstance(key, SealedBox) else opener(key)
    try:
        plain = box.decrypt(base64.b64decode(sealed))
        data = json.loads(plain)
    except (CryptoError, binascii.Error, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    return PersonalData(**{k: data.get(k) for k in PERSONAL_FIELDS if isinstance(data.get(k), str)})
