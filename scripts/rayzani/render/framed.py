"""A page the generator renders to final HTML itself, rather than to Markdown for the builder.

The page sources (`rayzani.site`) make it; the builder (`rayzani.build.framing`) sets it into a
frame page the static-site builder built once. Neither side needs to know the other.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Framed:
    """A page the generator renders to HTML itself: its title (plain text, for <title>) and its body."""

    title: str
    body: str

    def text(self) -> str:
        """As stored for the builder: the title on the first line, then the HTML."""
        return " ".join(self.title.split()) + "\n" + self.body
