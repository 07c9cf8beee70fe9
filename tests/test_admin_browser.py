"""The content editor at /admin/ (Decap CMS, self-hosted) keeps every article anchor of a draft.

The example is built with Decap's in-browser `test-repo` backend, seeded with the example's draft
files through `window.repoFiles` (the backend's own mechanism). An editor edits an article in
both languages and saves; with the editorial workflow the save is an unpublished entry (on a
forge, a pull request), whose files are read back from the test repository's state.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest
from browser_support import ARTIFACTS, serve
from conftest import BUILD_DATE, REPO, build_example

from rayzani.load.yaml_io import split_front_matter
from rayzani.project import load_project

DRAFT = "content/drafts/e-participation"
FILES = (f"{DRAFT}/index.fa.md", f"{DRAFT}/index.en.md")
BUNDLE = REPO / "node_modules" / "decap-cms" / "dist" / "decap-cms.js"
# One sentence added to one article, per language.
EDITS = {
    "fa": ("اهداف این سند عبارت‌اند از:", " (ویرایش در میز ویرایش)"),
    "en": ("The purposes of this document are:", " (edited at the editors' desk)"),
}


@pytest.fixture(scope="module")
def admin_site(tmp_path_factory: pytest.TempPathFactory, example_root: Path) -> tuple[Path, Path]:
    if not BUNDLE.is_file():
        pytest.skip("Decap CMS is not installed: run `npm ci` in the repository")
    root = tmp_path_factory.mktemp("admin") / "portal"
    shutil.copytree(example_root, root, symlinks=True)
    (root / "node_modules").symlink_to(REPO / "node_modules", target_is_directory=True)
    config = root / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "  rayzani:\n", "  rayzani:\n    cms_backend: test-repo\n", 1
        ),
        encoding="utf-8",
    )
    return root, build_example(root, tmp_path_factory.mktemp("admin-site"), BUILD_DATE)


def repo_files(root: Path) -> dict:
    """The tree `window.repoFiles` holds: folders as objects, files as {path, content}."""
    tree: dict = {}
    for relative in FILES:
        node = tree
        *folders, name = relative.split("/")
        for folder in folders:
            node = node.setdefault(folder, {})
        node[name] = {"path": relative, "content": (root / relative).read_text(encoding="utf-8")}
    return tree


def edit_line(page, editor, line: str, addition: str) -> None:  # type: ignore[no-untyped-def]
    """Type `addition` at the end of the raw editor's line that reads `line`."""
    paragraph = editor.locator("[data-slate-node='element']", has_text=line).first
    paragraph.click()
    page.keyboard.press("End")
    page.keyboard.type(addition)


def body(markdown: str) -> str:
    """Everything after the front matter's closing `---` line, exactly as in the file."""
    return markdown[markdown.index("\n---\n", 3) + 5 :]


def saved_files(page) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The files of the unpublished entry the save made (the pull request, on a forge)."""
    page.wait_for_function("Object.keys(window.repoFilesUnpublished || {}).length > 0")
    # The backend keeps them as named properties of an array: read them in the page.
    pairs = page.evaluate(
        "Object.values(window.repoFilesUnpublished).flatMap(e => e.diffs.map(d => [d.path, d.content]))"
    )
    return dict(pairs)


def test_decap_saves_both_languages_with_every_anchor_and_front_matter(browser, admin_site) -> None:  # type: ignore[no-untyped-def]
    root, site = admin_site
    before = {path: (root / path).read_text(encoding="utf-8") for path in FILES}
    with serve(site) as base:
        context = browser.new_context(viewport={"width": 1500, "height": 1000})
        requests: list[str] = []
        context.on("request", lambda request: requests.append(request.url))
        context.add_init_script(f"window.repoFiles = {json.dumps(repo_files(root))};")
        page = context.new_page()
        try:
            page.goto(base + "admin/")
            page.get_by_role("button").first.click()  # the test backend's login
            page.goto(base + "admin/#/collections/draft-e-participation/entries/index")
            panes = page.locator("[data-slate-editor]")
            panes.first.wait_for()
            # Decap opens the entry in its default locale (Persian): edit, then switch to English.
            for lang, (line, addition) in EDITS.items():
                if lang == "en":
                    page.get_by_role("button", name="FA").first.click()
                    page.get_by_role("menuitem", name="EN").click()
                edit_line(page, page.locator("[data-slate-editor]", has_text=line).first, line, addition)
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "admin.png"))
            page.get_by_role("button", name="صرفه جویی").click()  # Decap's Persian "Save"
            after = saved_files(page)
        finally:
            context.close()
    assert set(after) == set(FILES)
    for path in FILES:
        lang = path.split(".")[-2]
        line, addition = EDITS[lang]
        old_meta, new_meta = split_front_matter(before[path])[0], split_front_matter(after[path])[0]
        old_body, new_body = body(before[path]), body(after[path])
        # Byte for byte: the body is the old one with the one addition, every `{#art-N}` kept.
        assert new_body == old_body.replace(line, line + addition, 1), path
        assert "\\{" not in new_body
        for key, value in old_meta.items():
            assert new_meta.get(key) == value, f"{path}: {key}"
    for path, text in after.items():
        (root / path).write_text(text, encoding="utf-8")
    project = load_project(root)
    assert project.problems == []
    draft = project.portal.drafts["e-participation"]
    anchors = [a.anchor for a in draft.text("fa").articles]
    assert anchors == [a.anchor for a in draft.text("en").articles]
    assert "art-6" in anchors and "art-7" in anchors  # the pinned ones
    foreign = {urlparse(url).hostname for url in requests} - {"127.0.0.1"}
    assert not foreign, f"the editor reached other hosts: {foreign}"
