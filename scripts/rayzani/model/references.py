"""A comment's short reference, the number a participant quotes to find their comment again.

The web receiver draws one at random and prints it on the receipt (`reference` in the record);
every other comment (issue forms, form exports, mail and post typed in by the editors) gets
one made from its target and id: the same comment keeps the same reference in every build,
and nothing about it (author, text, time) can be read back from it.
"""

from __future__ import annotations

import hashlib

from rayzani.model import Submission

DIGITS = 8  # as the receiver's: 1234-5678


def derived_reference(target: str, record_id: str) -> str:
    """Eight digits from a digest of the record's target and id, written 1234-5678."""
    digest = hashlib.sha256(f"rayzani-reference\0{target}\0{record_id}".encode()).digest()
    digits = f"{int.from_bytes(digest[:8], 'big') % 10**DIGITS:0{DIGITS}d}"
    return f"{digits[:4]}-{digits[4:]}"


def reference_of(record: Submission) -> str:
    """The reference shown on the comment's card: the receipt's, else one made from its id."""
    return record.reference or derived_reference(record.target, record.id)
