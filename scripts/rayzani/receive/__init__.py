"""Rayzani's own web-form receiver: the one dynamic part of a portal (`rayzani receive`).

It checks each posted comment or vote with intake's rules, seals the personal data, stores the
submission durably (SQLite, or PostgreSQL for several receivers), and answers with a receipt.
It holds no private key and no repository credentials: `rayzani intake receiver` later writes
the stored submissions into `submissions/` through the one record writer.
"""

MAX_BODY = 256 * 1024  # bytes: a 20,000-character Persian comment, percent-encoded, is about 120 KB
RATE_LIMIT = 10  # submissions per client address per minute
