"""Every built page is structurally sound: nesting, unique ids, and language and direction marked."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# Elements whose end tag HTML lets an author leave out; a parser closes them implicitly.
OPTIONAL_END = {"p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option", "colgroup"}
DIRECTION = {"fa": "rtl", "en": "ltr"}


class PageChecker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.ids: dict[str, int] = {}
        self.errors: list[str] = []
        self.html_attrs: dict[str, str | None] = {}
        self.svg_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "html":
            self.html_attrs = attributes
        if attributes.get("id"):
            self.ids[attributes["id"]] = self.ids.get(attributes["id"], 0) + 1
        lang = attributes.get("lang")
        if lang in DIRECTION and tag != "html" and attributes.get("dir") not in {DIRECTION[lang], None}:
            self.errors.append(f"<{tag} lang={lang}> has dir={attributes.get('dir')}")
        if "rz-comment__body" in (attributes.get("class") or "") and (
            lang not in DIRECTION or not attributes.get("dir")
        ):
            self.errors.append("a comment body without its own lang and dir")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if attrs and dict(attrs).get("id"):
            self.ids[dict(attrs)["id"]] = self.ids.get(dict(attrs)["id"], 0) + 1

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        while self.stack and self.stack[-1] != tag and self.stack[-1] in OPTIONAL_END:
            self.stack.pop()
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else 'nothing'}>")
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def check(site: Path, path: Path) -> list[str]:
    checker = PageChecker()
    checker.feed(path.read_text(encoding="utf-8"))
    checker.close()
    errors = list(checker.errors)
    leftovers = [t for t in checker.stack if t not in OPTIONAL_END]
    if leftovers:
        errors.append(f"never closed: {leftovers}")
    errors += [f"id {i!r} used {n} times" for i, n in checker.ids.items() if n > 1]
    relative = path.relative_to(site).as_posix()
    if relative != "404.html":  # one bilingual page for both languages
        lang = "en" if relative.startswith("en/") else "fa"
        if checker.html_attrs.get("lang") != lang or checker.html_attrs.get("dir") != DIRECTION[lang]:
            errors.append(f"<html> is {checker.html_attrs}, expected lang={lang} dir={DIRECTION[lang]}")
    return errors


@pytest.mark.parametrize("which", ["example_site", "closed_site"])
def test_every_built_page_is_well_formed_with_unique_ids_and_language_marked(request, which):
    site = request.getfixturevalue(which)
    found = {}
    for path in pages(site):
        errors = check(site, path)
        if errors:
            found[path.relative_to(site).as_posix()] = errors[:5]
    assert len(pages(site)) > 30
    assert not found, found


def test_the_checker_catches_what_it_looks_for(tmp_path):
    broken = tmp_path / "en" / "x"
    broken.mkdir(parents=True)
    (broken / "index.html").write_text(
        '<html lang="fa"><body><div id="a"><span id="a"></div>'
        '<div class="rz-comment__body">x</div><p lang="fa" dir="ltr">y</p></body></html>'
    )
    errors = " ".join(check(tmp_path, broken / "index.html"))
    for expected in (
        "closes <span>",
        "'a' used 2 times",
        "expected lang=en",
        "without its own lang",
        "dir=ltr",
    ):
        assert expected in errors
