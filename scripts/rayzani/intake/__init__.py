"""Intake: every channel by which a comment reaches `submissions/` (issue forms, web-form exports)."""
