"""A page the generator renders to HTML itself, for the builder to set into a frame MkDocs built."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Framed:
    """A page the generator renders to HTML itself: its title (for <title>) and its body."""

    title: str
    body: str

    def text(self) -> str:
        """As stored in build/framed: the title on the first line, then the HTML."""
        return " ".join(self.title.split()) + "\n" + self.body
