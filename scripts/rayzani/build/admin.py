"""The content editor at /admin/: Decap CMS, self-hosted, with a config generated from the portal.

Decap's bundle comes from the npm registry (`npm ci`, pinned in package-lock.json) and is copied
into the site, so the editor loads nothing from another host. Its config lists the portal's own
files (each draft, version, call and report, every panel), so an editor edits what exists and
nothing else; creating a draft stays a pull request by hand.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from rayzani.i18n.messages import text
from rayzani.load.yaml_io import dump_record
from rayzani.model import AUDIENCES, CALL_KINDS, CHANNELS, DRAFT_KINDS, VERSION_STAGES, Draft
from rayzani.project import Project

# Where `npm ci` puts Decap's browser bundle: decap-cms.js and the chunks it loads beside it.
BUNDLE = Path("node_modules") / "decap-cms" / "dist"
ADMIN = "admin"
# Decap's own dates widget would rewrite the text: dates stay ISO strings, checked by pattern.
ISO_DATE = [r"^\d{4}-\d{2}-\d{2}$", "YYYY-MM-DD"]


def label(key: str) -> str:
    """Decap's interface is Persian; labels say both languages, so either editor finds a field."""
    return f"{text('admin_' + key, 'fa')} · {text('admin_' + key, 'en')}"


def field(
    name: str, widget: str = "string", *, i18n: bool | str = True, required: bool = True, **options: Any
) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": name, "label": label(f"f_{name}"), "widget": widget}
    if i18n:
        entry["i18n"] = i18n
    if not required:
        entry["required"] = False
    entry.update(options)
    return entry


def date_field(name: str, *, i18n: bool | str = False, required: bool = True) -> dict[str, Any]:
    return field(
        name, i18n=i18n, required=required, pattern=list(ISO_DATE), hint=text("admin_date_hint", "fa")
    )


def body_field() -> dict[str, Any]:
    # Raw mode only: the rich-text mode re-serialises the whole Markdown through its own parser,
    # which need not keep a pinned anchor `{#art-3}` byte for byte. Raw mode saves the text as typed
    # (tests/test_admin_browser.py proves it).
    return field(
        "body",
        "markdown",
        modes=["raw"],
        buttons=[],
        editor_components=[],
        hint=text("admin_body_hint", "fa"),
    )


def select(
    name: str,
    options: tuple[str, ...],
    *,
    i18n: bool | str = False,
    required: bool = True,
    multiple: bool = False,
) -> dict[str, Any]:
    extra: dict[str, Any] = {"multiple": True} if multiple else {}
    return field(name, "select", i18n=i18n, required=required, options=list(options), **extra)


def changes_field() -> dict[str, Any]:
    return field(
        "changes",
        "list",
        i18n=False,
        required=False,
        fields=[
            field("article", i18n=False),
            field("comments", "list", i18n=False),
        ],
    )


def draft_fields() -> list[dict[str, Any]]:
    # Only title, summary, issuing unit and domain are read from index.en.md: the rest lives in
    # the Persian file (Decap's untranslated fields), so the two can never contradict each other.
    return [
        field("title"),
        select("kind", DRAFT_KINDS),
        field("issuing_unit"),
        field("domain"),
        date_field("opens"),
        date_field("closes"),
        field("version", i18n=False),
        date_field("published", required=False),
        select("stage", VERSION_STAGES, required=False),
        changes_field(),
        field("summary", "text"),
        field("demo", "boolean", i18n=False, required=False),
        body_field(),
    ]


def version_fields() -> list[dict[str, Any]]:
    return [
        date_field("published"),
        field("title", required=False),
        field("summary", "text", required=False),
        select("stage", VERSION_STAGES, required=False),
        changes_field(),
        body_field(),
    ]


def call_fields() -> list[dict[str, Any]]:
    # Kind, dates, audience, draft and channels must be the same in both files: Decap copies them.
    same = "duplicate"
    return [
        field("title"),
        select("kind", CALL_KINDS, i18n=same),
        field("asked", "text"),
        select("audience", AUDIENCES, i18n=same, multiple=True),
        date_field("opens", i18n=same),
        date_field("closes", i18n=same),
        field("draft", i18n=same, required=False),
        select("channels", CHANNELS, i18n=same, multiple=True),
        field("organiser"),
        field("demo", "boolean", i18n=same, required=False),
        body_field(),
    ]


def report_fields() -> list[dict[str, Any]]:
    return [date_field("published", required=False), body_field()]


def bilingual(name: str) -> dict[str, Any]:
    return field(name, "object", i18n=False, fields=[field("fa", i18n=False), field("en", i18n=False)])


def member(name: str, *, required: bool = True) -> dict[str, Any]:
    return field(
        name,
        "object",
        i18n=False,
        required=required,
        fields=[bilingual("name"), {**bilingual("position"), "name": "title"}],
    )


def panel_fields() -> list[dict[str, Any]]:
    members = {**member("members", required=False), "widget": "list"}
    return [
        bilingual("name"),
        member("chair"),
        member("secretary"),
        members,
        {**field("draft", "list", i18n=False, required=False), "name": "drafts"},
        field("domains", "list", i18n=False, required=False),
        field("demo", "boolean", i18n=False, required=False),
    ]


def _folder(
    root: Path,
    name: str,
    title: str,
    folder: Path,
    fields: list[dict[str, Any]],
    only: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """A folder of bilingual Markdown files (Decap's multiple_files: `<name>.fa.md`, `.en.md`).

    Decap takes i18n files only from folder collections and tells the files of one folder apart
    only by a field's value (`filter`): a draft's text by its `kind`, which its report lacks.
    """
    collection: dict[str, Any] = {
        "name": name,
        "label": title,
        "folder": folder.resolve().relative_to(root.resolve()).as_posix(),
        "format": "frontmatter",
        "extension": "md",
        "i18n": True,
        "create": False,
        "delete": False,
        "summary": "{{title}}",
        "fields": fields,
    }
    if only is not None:
        collection["filter"] = {"field": only[0], "value": only[1]}
    return collection


def _draft_collections(root: Path, draft: Draft) -> list[dict[str, Any]]:
    title = draft.text("fa").title
    folder = draft.path
    found = [
        _folder(
            root,
            f"draft-{draft.slug}",
            f"{label('drafts')}: {title}",
            folder,
            draft_fields(),
            ("kind", draft.kind),
        )
    ]
    if draft.versions:
        found.append(
            {
                **_folder(
                    root,
                    f"versions-{draft.slug}",
                    f"{label('versions')}: {title}",
                    folder / "versions",
                    version_fields(),
                ),
                "summary": "{{published}}",
            }
        )
    if draft.report is not None:
        found.append(
            {
                **_folder(
                    root,
                    f"report-{draft.slug}",
                    f"{label('reports')}: {title}",
                    folder,
                    report_fields(),
                    ("published", draft.report.published.isoformat()),
                ),
                "summary": "{{published}}",
            }
        )
    return found


def backend(project: Project) -> dict[str, Any]:
    """Decap's backend block: every save a pull request, except on Gitea, which cannot."""
    settings = project.settings
    name = settings.cms_backend
    if name == "test-repo":
        return {"name": "test-repo"}
    block: dict[str, Any] = {"name": name, "repo": settings.repo, "branch": settings.cms_branch}
    if name == "github":
        if settings.cms_auth_url:
            block["base_url"] = settings.cms_auth_url
        return block
    forge = settings.forge_url.rstrip("/")
    block.update(base_url=forge, api_root=f"{forge}/api/v1", auth_type="pkce", app_id=settings.cms_app_id)
    if name == "gitea":
        block["branch"] = settings.cms_edit_branch
    return block


def decap_config(project: Project, site_url: str) -> dict[str, Any]:
    root, portal = project.root, project.portal
    collections: list[dict[str, Any]] = []
    for draft in portal.drafts.values():
        collections += _draft_collections(root, draft)
    calls = root / "content" / "calls"
    # The two kinds of call, each its own list: a call's report beside it has no kind.
    for kind in sorted({call.kind for call in portal.calls.values()}):
        collections.append(
            _folder(root, f"calls-{kind}", f"{label('calls')}: {kind}", calls, call_fields(), ("kind", kind))
        )
    for call in portal.calls.values():
        if call.report is not None:
            collections.append(
                {
                    **_folder(
                        root,
                        f"report-call-{call.slug}",
                        f"{label('reports')}: {call.title.fa}",
                        calls,
                        report_fields(),
                        ("published", call.report.published.isoformat()),
                    ),
                    "summary": "{{published}}",
                }
            )
    collections.append(
        {
            "name": "panels",
            "label": label("panels"),
            "folder": "content/panels",
            "extension": "yml",
            "format": "yml",
            "create": False,
            "delete": False,
            "identifier_field": "name.fa",
            "summary": "{{name.fa}}",
            "fields": panel_fields(),
        }
    )
    config: dict[str, Any] = {"backend": backend(project), "locale": "fa"}
    if project.settings.cms_backend != "gitea":
        config["publish_mode"] = "editorial_workflow"
    config.update(
        {
            "site_url": site_url,
            "display_url": site_url,
            # Nothing here takes images; Decap requires a media folder all the same.
            "media_folder": "content/media",
            "public_folder": "/media",
            "i18n": {"structure": "multiple_files", "locales": ["fa", "en"], "default_locale": "fa"},
            "collections": collections,
        }
    )
    return config


PAGE = """<!doctype html>
<html lang="fa">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{title}</title>
<link rel="cms-config-url" type="text/yaml" href="config.yml">
<link rel="stylesheet" href="rayzani-admin.css">
</head>
<body>
<script src="decap-cms.js"></script>
</body>
</html>
"""

# Decap's layout breaks under dir=rtl (decap-cms issue 1769), so the page stays left to right and
# each text field takes the direction of its own first strong letter: Persian fields read right to
# left, English ones left to right, in either locale's pane.
STYLE = """textarea, input[type="text"], [contenteditable] { unicode-bidi: plaintext; text-align: start; }
"""


def bundle_files(root: Path) -> list[Path]:
    """Decap's entry script, its lazily loaded chunks and wasm, without source maps."""
    dist = root / BUNDLE
    if not (dist / "decap-cms.js").is_file():
        return []
    return sorted(p for p in dist.iterdir() if p.name.endswith(("decap-cms.js", ".wasm")))


def write_admin(project: Project, site_dir: Path, site_url: str) -> str | None:
    """Write /admin/ into the built site; say why not (in both languages) when it cannot be."""
    folder = site_dir / ADMIN
    if folder.exists():
        shutil.rmtree(folder)
    if project.settings.cms_backend == "off":
        return None
    files = bundle_files(project.root)
    if not files:
        return f"{text('admin_no_bundle', 'en')}\n{text('admin_no_bundle', 'fa')}"
    folder.mkdir(parents=True)
    for source in files:
        shutil.copyfile(source, folder / source.name)
    (folder / "config.yml").write_text(dump_record(decap_config(project, site_url)), encoding="utf-8")
    title = f"{text('admin_page_title', 'fa')} · {text('admin_page_title', 'en')}"
    (folder / "index.html").write_text(PAGE.format(title=title), encoding="utf-8")
    (folder / "rayzani-admin.css").write_text(STYLE, encoding="utf-8")
    return None
