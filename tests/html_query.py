"""A small reader for built pages: find an element by id and take its text, stdlib only."""

from __future__ import annotations

from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _Collector(HTMLParser):
    def __init__(self, wanted_id: str):
        super().__init__(convert_charrefs=True)
        self.wanted_id = wanted_id
        self.depth = 0
        self.text: list[str] = []
        self.attrs: dict[str, str | None] = {}
        self.found = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if self.depth:
            if tag not in VOID:
                self.depth += 1
        elif attributes.get("id") == self.wanted_id and not self.found:
            self.found = True
            self.attrs = {"tag": tag, **attributes}
            self.depth = 0 if tag in VOID else 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.text.append(data)


def element(html: str, element_id: str) -> tuple[dict[str, str | None], str]:
    """(attributes, visible text) of the element with this id; AssertionError if absent."""
    collector = _Collector(element_id)
    collector.feed(html)
    assert collector.found, f"no element with id={element_id!r}"
    return collector.attrs, " ".join(" ".join(collector.text).split())


def html_tag(html: str) -> str:
    start = html.index("<html")
    return html[start : html.index(">", start) + 1]
