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


class _ClassCollector(HTMLParser):
    def __init__(self, wanted_class: str):
        super().__init__(convert_charrefs=True)
        self.wanted_class = wanted_class
        self.open: list[int] = []  # per element inside a match: its index in `texts`, else -1
        self.texts: list[list[str]] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        if self.wanted_class in (dict(attrs).get("class") or "").split():
            self.texts.append([])
            self.open.append(len(self.texts) - 1)
        elif self.open:
            self.open.append(-1)

    def handle_endtag(self, tag):
        if self.open and tag not in VOID:
            self.open.pop()

    def handle_data(self, data):
        for index in {i for i in self.open if i >= 0}:
            self.texts[index].append(data)


def texts_by_class(html: str, class_name: str) -> list[str]:
    """The visible text of every element with this class, in document order."""
    collector = _ClassCollector(class_name)
    collector.feed(html)
    return [" ".join(" ".join(parts).split()) for parts in collector.texts]
