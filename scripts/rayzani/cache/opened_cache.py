"""Personal data opened by an earlier build, kept on disk only encrypted to a key only the key holder has.

Opening a sealed box costs an X25519 exchange: at 100,000 records a new `rayzani build` spent
seven seconds opening boxes the previous build had already opened. What a build opened is kept
in one file in the cache folder, encrypted (XSalsa20-Poly1305) with a key derived from the
portal's private key: without that key the file is as unreadable as the sealed boxes are, and a
file written under another key, or altered, is ignored. It holds only the boxes of the records
of its build, so the data of an erased record leaves it with the next build, and only what
statistics count: never the contact. The file is the store's `opened` namespace; what a
serving process opened is kept in its `Cache` between builds, not in a global.
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

from rayzani.cache.files import write_atomically
from rayzani.cache.store import Cache
from rayzani.security.sealing import PersonalData

FORMAT = 2
FILE_NAME = "opened-personal-data.bin"
COUNTED_FIELDS = ("age_band", "gender", "province")
# The box's own text is long; its digest names it in the file and in memory.
Opened = dict[str, PersonalData | None]


def box_name(sealed: str) -> str:
    return hashlib.sha256(sealed.encode()).hexdigest()


def cache_file(cache: Cache) -> Path | None:
    """The encrypted file of the store (None: a store that keeps nothing on disk)."""
    return cache.file("opened", FILE_NAME)


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


def opened_before(cache: Cache, private_key: PrivateKey) -> Opened:
    """What the last build opened: from this process's memory, else from the encrypted file."""
    remembered = cache.memory.get(("opened", bytes(private_key.public_key)))
    if remembered is not None:
        return remembered
    path = cache_file(cache)
    return read_opened(path, private_key) if path else {}


def keep_opened(cache: Cache, private_key: PrivateKey, before: Opened, opened: Opened) -> None:
    """Keep what this build opened, and only that: an erased record's box leaves the file."""
    path = cache_file(cache)
    if path is not None and (opened.keys() != before.keys() or not path.is_file()):
        write_opened(path, private_key, opened)
    # One key at a time: a portal whose key changed forgets what the old one opened.
    for name in [n for n in cache.memory if isinstance(n, tuple) and n[:1] == ("opened",)]:
        del cache.memory[name]
    cache.memory[("opened", bytes(private_key.public_key))] = opened
