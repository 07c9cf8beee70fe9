"""Personal data opened by an earlier build, kept on disk only encrypted to a key only the key holder has.

Opening a sealed box costs an X25519 exchange: at 100,000 records a new `rayzani build` spent
seven seconds opening boxes the previous build had already opened. What a build opened is kept
in one file in the cache folder, encrypted (XSalsa20-Poly1305) with a key derived from the
portal's private key: without that key the file is as unreadable as the sealed boxes are, and a
file written under another key, or altered, is ignored. It holds only the boxes of the records
of its build, so the data of an erased record leaves it with the next build, and only what
statistics count: never the contact.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from nacl.encoding import RawEncoder
from nacl.exceptions import CryptoError
from nacl.hash import blake2b
from nacl.public import PrivateKey
from nacl.secret import SecretBox

from rayzani.cache.store import cache_root, write_atomically
from rayzani.security.sealing import PersonalData

FORMAT = 2
FILE_NAME = "opened-personal-data.bin"
COUNTED_FIELDS = ("age_band", "gender", "province")
# The box's own text is long; its digest names it in the file and in memory.
Opened = dict[str, PersonalData | None]


def box_name(sealed: str) -> str:
    return hashlib.sha256(sealed.encode()).hexdigest()


def cache_file(root: Path) -> Path:
    return cache_root(root) / FILE_NAME


def _secret_box(private_key: PrivateKey) -> SecretBox:
    # A key of its own (personalised BLAKE2b of the private key), never the private key itself.
    key = blake2b(bytes(private_key), digest_size=32, person=b"rayzani-opened", encoder=RawEncoder)
    return SecretBox(key)


def read_opened(path: Path, private_key: PrivateKey) -> Opened:
    """What the file holds, or nothing if it is missing, damaged, altered or of another key."""
    try:
        data = json.loads(_secret_box(private_key).decrypt(path.read_bytes()))
    except (OSError, CryptoError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("boxes"), dict):
        return {}
    opened: Opened = {}
    for name, values in data["boxes"].items():
        if values is None:
            opened[name] = None
        elif isinstance(values, list) and len(values) == len(COUNTED_FIELDS):
            opened[name] = PersonalData(*values)
    return opened


def write_opened(path: Path, private_key: PrivateKey, opened: Opened) -> None:
    boxes = {
        name: None if data is None else [getattr(data, f) for f in COUNTED_FIELDS]
        for name, data in opened.items()
    }
    plain = json.dumps({"format": FORMAT, "boxes": boxes}, ensure_ascii=False).encode()
    write_atomically(path, bytes(_secret_box(private_key).encrypt(plain)))


def counted(data: PersonalData | None) -> PersonalData | None:
    """What statistics count of opened personal data: the contact is dropped as soon as opened."""
    return None if data is None else PersonalData(**{f: getattr(data, f) for f in COUNTED_FIELDS})
