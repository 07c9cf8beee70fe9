"""Where the receiver keeps what it received until intake drains it: SQLite or PostgreSQL.

A submission is committed (SQLite: WAL journal, `synchronous=FULL`) before the participant is
answered. Idempotence: a submission carries the form's token, and the same token with the same
content is one submission (a double click, a browser's retry); without a token (no JavaScript),
the same content on the same target within `DEDUPE_WINDOW` is one submission.
"""

from __future__ import annotations

import abc
import datetime as dt
import json
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

DEDUPE_WINDOW = dt.timedelta(minutes=30)

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS received (
        id TEXT PRIMARY KEY,
        reference TEXT NOT NULL UNIQUE,
        received TEXT NOT NULL,
        lang TEXT NOT NULL,
        token TEXT,
        content_key TEXT NOT NULL,
        fields TEXT NOT NULL,
        landing TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'received',
        record_id TEXT,
        drained_at TEXT
    )""",
    "CREATE UNIQUE INDEX IF NOT EXISTS received_token ON received (token, content_key) "
    "WHERE token IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS received_content ON received (content_key, received)",
    "CREATE INDEX IF NOT EXISTS received_state ON received (state, received)",
    # Proof-of-work solutions already used: one solved puzzle admits one submission.
    "CREATE TABLE IF NOT EXISTS spent (signature TEXT PRIMARY KEY, spent_at TEXT NOT NULL)",
)
COLUMNS = "id, reference, received, lang, token, content_key, fields, landing, state, record_id"


@dataclass(frozen=True)
class Stored:
    """One received submission as stored: `fields` holds no personal data in clear."""

    id: str
    reference: str
    received: dt.datetime
    lang: str
    token: str | None
    content_key: str
    fields: dict[str, Any]
    landing: str
    state: str = "received"  # received, drained (written to submissions/), refused (by intake later)
    record_id: str | None = None
    # The signature of the form's proof-of-work solution, if it had a valid one (not a column:
    # it goes into `spent`). Without one, or with one used before, `fields["held"]` is set.
    proof: str | None = field(default=None, compare=False)


def _row(row: tuple) -> Stored:
    sid, reference, received, lang, token, key, fields, landing, state, record_id = row
    return Stored(
        sid, reference, dt.datetime.fromisoformat(received), lang, token, key, json.loads(fields),
        landing, state, record_id,
    )  # fmt: skip


class ReferenceTaken(Exception):
    """A reference number drawn at random was given before."""


def new_reference() -> str:
    """A short reference number for the receipt: eight random digits, 1234-5678."""
    digits = f"{secrets.randbelow(10**8):08d}"
    return f"{digits[:4]}-{digits[4:]}"


def _stamp(when: dt.datetime) -> str:
    # One zone and one precision, so that stored times compare as text.
    return when.astimezone(dt.UTC).isoformat(timespec="microseconds")


class Store(abc.ABC):
    """The SQL both databases share; subclasses give the connection and the transaction."""

    placeholder = "%s"
    integrity_errors: tuple[type[Exception], ...] = ()

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def _sql(self, text: str) -> str:
        return text if self.placeholder == "%s" else text.replace("%s", self.placeholder)

    @abc.abstractmethod
    def transaction(self, key: str) -> AbstractContextManager[Any]:
        """A cursor inside one committed transaction; `key` names what it must not race on."""

    def add(self, item: Stored) -> tuple[Stored, bool]:
        """Store a submission unless it is one already stored: (the stored one, whether new).

        Raises `ReferenceTaken` when its reference number was drawn before: the caller draws
        another and names the submission again (the reference is in its record id and link).
        """
        try:
            return self._add(item)
        except self.integrity_errors as error:
            # Only a reference drawn twice gets here: the same submission twice is found first,
            # under the lock that `transaction` takes on its content.
            raise ReferenceTaken(item.reference) from error

    def _add(self, item: Stored) -> tuple[Stored, bool]:
        with self.transaction(item.content_key) as cursor:
            if item.token:
                cursor.execute(
                    self._sql(f"SELECT {COLUMNS} FROM received WHERE token = %s AND content_key = %s"),
                    (item.token, item.content_key),
                )
            else:
                cursor.execute(
                    self._sql(
                        f"SELECT {COLUMNS} FROM received WHERE token IS NULL AND content_key = %s "
                        "AND received >= %s ORDER BY received LIMIT 1"
                    ),
                    (item.content_key, _stamp(item.received - DEDUPE_WINDOW)),
                )
            found = cursor.fetchone()
            if found:
                return _row(found), False
            if not self._spend(cursor, item):
                item = replace(item, fields={**item.fields, "held": True})
            cursor.execute(
                self._sql(
                    "INSERT INTO received (id, reference, received, lang, token, content_key, fields, "
                    "landing) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
                ),
                (
                    item.id, item.reference, _stamp(item.received), item.lang, item.token, item.content_key,
                    json.dumps(item.fields, ensure_ascii=False, sort_keys=True), item.landing,
                ),
            )  # fmt: skip
        return item, True

    def _spend(self, cursor: Any, item: Stored) -> bool:
        """Whether the item's proof of work is valid and was not used before (now it is)."""
        if not item.proof:
            return False
        cursor.execute(
            self._sql("INSERT INTO spent (signature, spent_at) VALUES (%s, %s) ON CONFLICT DO NOTHING"),
            (item.proof, _stamp(item.received)),
        )
        return bool(cursor.rowcount == 1)

    def alive(self) -> bool:
        with self.transaction("") as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() is not None

    def get(self, sid: str) -> Stored | None:
        with self.transaction("") as cursor:
            cursor.execute(self._sql(f"SELECT {COLUMNS} FROM received WHERE id = %s"), (sid,))
            found = cursor.fetchone()
        return _row(found) if found else None

    def pending(self) -> list[Stored]:
        """Every submission not yet written to `submissions/`, in order of arrival."""
        with self.transaction("") as cursor:
            cursor.execute(
                self._sql(f"SELECT {COLUMNS} FROM received WHERE state = 'received' ORDER BY received, id")
            )
            return [_row(r) for r in cursor.fetchall()]

    def drained_ids(self) -> list[str]:
        """The ids of the submissions written to `submissions/` by an earlier drain."""
        with self.transaction("") as cursor:
            cursor.execute("SELECT id FROM received WHERE state = 'drained'")
            return [row[0] for row in cursor.fetchall()]

    def mark(self, sid: str, state: str, record_id: str | None) -> None:
        """Say what intake did with a submission (only after its record file is durably written)."""
        with self.transaction("") as cursor:
            cursor.execute(
                self._sql("UPDATE received SET state = %s, record_id = %s, drained_at = %s WHERE id = %s"),
                (state, record_id, _stamp(dt.datetime.now(dt.UTC)), sid),
            )

    @abc.abstractmethod
    def close(self) -> None: ...


class SQLiteStore(Store):
    placeholder = "?"
    integrity_errors = (sqlite3.IntegrityError,)

    def __init__(self, path: Path):
        super().__init__()
        path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: no implicit transactions; each one is begun and committed here.
        self.connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        self.connection.execute("PRAGMA journal_mode=WAL")
        # FULL: a commit is on disk (the WAL synced) before the participant is told it was received.
        self.connection.execute("PRAGMA synchronous=FULL")
        self.connection.execute("PRAGMA busy_timeout=30000")
        for statement in SCHEMA:
            self.connection.execute(statement)

    @contextmanager
    def transaction(self, key: str) -> Iterator[sqlite3.Cursor]:
        with self._lock:
            cursor = self.connection.cursor()
            # IMMEDIATE takes the write lock first: two processes never both miss a duplicate.
            cursor.execute("BEGIN IMMEDIATE")
            try:
                yield cursor
            except BaseException:
                cursor.execute("ROLLBACK")
                raise
            cursor.execute("COMMIT")

    def close(self) -> None:
        self.connection.close()


class PostgresStore(Store):
    def __init__(self, url: str):
        import psycopg

        super().__init__()
        self.integrity_errors = (psycopg.errors.UniqueViolation,)
        self.connection = psycopg.connect(url, autocommit=True)
        with self.connection.transaction(), self.connection.cursor() as cursor:
            # Several receivers may start at once: one creates the tables, the others wait.
            cursor.execute("SELECT pg_advisory_xact_lock(7243118)")
            for statement in SCHEMA:
                cursor.execute(statement)

    @contextmanager
    def transaction(self, key: str) -> Iterator[Any]:
        with self._lock, self.connection.transaction(), self.connection.cursor() as cursor:
            if key:
                # Receivers checking the same content wait for each other: one stores it, the
                # other finds it stored (PostgreSQL's default isolation would let both insert).
                cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (key,))
            yield cursor

    def close(self) -> None:
        self.connection.close()


def open_store(url: str) -> Store:
    """A store from `--db`: a postgresql:// URL, or the path of an SQLite file."""
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresStore(url)
    return SQLiteStore(Path(url.removeprefix("sqlite:///").removeprefix("sqlite://")))
