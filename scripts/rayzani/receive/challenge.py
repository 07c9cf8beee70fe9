"""The proof-of-work challenge of the receiver's forms (ALTCHA's protocol, its PyPI server library).

Where JavaScript runs, the site's form script asks `GET /challenge` for a signed puzzle while the
participant writes, finds the number whose SHA-256 with the salt is the challenge (a second or
so on a phone), and sends the solution with the form. It costs a person nothing and a script
that posts thousands of comments a lot. Nothing is sent to a third party: the receiver makes and
checks the puzzles itself. A submission without a valid, unspent solution (no JavaScript, an
expired puzzle, a replayed one) is still received, and marked to be held for an editor.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import os
import secrets
from dataclasses import dataclass
from typing import Any, cast

import altcha

# About 25,000 hashes on average: under a second in a phone's browser, while the participant
# writes; a bot pays it for every submission.
MAX_NUMBER = 50_000
# A participant may take long to write: the puzzle fetched when they start stays valid.
LIFETIME = dt.timedelta(hours=3)
KEY_VARIABLE = "RAYZANI_CHALLENGE_KEY"  # shared by every receiver behind one load balancer
MAX_PAYLOAD = 2048  # characters: a solution is about 400


@dataclass(frozen=True)
class Challenges:
    """Makes and checks puzzles under one HMAC key (random per process unless configured)."""

    key: bytes
    max_number: int = MAX_NUMBER

    @classmethod
    def from_environment(cls) -> Challenges:
        configured = os.environ.get(KEY_VARIABLE, "")
        return cls(configured.encode() if configured else secrets.token_bytes(32))

    def issue(self) -> dict[str, object]:
        """A new signed puzzle, as the site's script reads it."""
        made = altcha.create_challenge_v1(
            altcha.ChallengeOptionsV1(
                algorithm="SHA-256",
                max_number=self.max_number,
                hmac_key=self.key,
                expires=dt.datetime.now(dt.UTC) + LIFETIME,
            )
        )
        return made.to_dict()

    def verify(self, payload: str) -> str | None:
        """The signature of a valid solution (what makes it spent once used), else None."""
        if not payload or len(payload) > MAX_PAYLOAD:
            return None
        try:
            solved = json.loads(base64.b64decode(payload, validate=True))
        except (binascii.Error, ValueError):
            return None
        if not isinstance(solved, dict) or not isinstance(solved.get("number"), int):
            return None
        if not all(isinstance(solved.get(k), str) for k in ("algorithm", "challenge", "salt", "signature")):
            return None
        if solved["number"] < 0 or solved["number"] > self.max_number:
            return None
        payload_dict = cast(Any, solved)  # checked above: the library's TypedDict shape
        valid, _ = altcha.verify_solution_v1(payload_dict, self.key, check_expires=True)
        return str(solved["signature"]) if valid else None
