"""The content editor's page and config (/admin/), without a browser: see test_admin_browser.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO

from rayzani.build.admin import decap_config, write_admin
from rayzani.load.yaml_io import safe_load
from rayzani.project import load_project

BUNDLE = REPO / "node_modules" / "decap-cms" / "dist"


def set_backend(repo, lines: str) -> None:  # type: ignore[no-untyped-def]
    repo.edit("mkdocs.yml", "  rayzani:\n", "  rayzani:\n" + lines)


def test_without_npm_ci_the_build_says_so_and_ships_no_admin_page(repo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    site = tmp_path / "site"
    (site / "admin").mkdir(parents=True)  # a stale editor from an earlier build goes too
    warning = write_admin(load_project(repo.root), site, "https://example.github.io/rayzani/")
    assert warning is not None and "npm ci" in warning
    assert not (site / "admin").exists()


def test_the_admin_page_loads_decap_from_the_site_itself(repo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    if not (BUNDLE / "decap-cms.js").is_file():
        pytest.skip("Decap CMS is not installed: run `npm ci` in the repository")
    (repo.root / "node_modules").symlink_to(REPO / "node_modules", target_is_directory=True)
    site = tmp_path / "site"
    assert write_admin(load_project(repo.root), site, "https://example.github.io/rayzani/") is None
    page = (site / "admin" / "index.html").read_text(encoding="utf-8")
    assert '<script src="decap-cms.js"></script>' in page and "//" not in page.split("<body>")[1]
    assert (site / "admin" / "decap-cms.js").is_file()
    assert not list((site / "admin").glob("*.map"))
    config = safe_load((site / "admin" / "config.yml").read_text(encoding="utf-8"))
    assert config["backend"] == {"name": "github", "repo": "", "branch": "main"}
    assert config["publish_mode"] == "editorial_workflow"
    assert config["i18n"] == {"structure": "multiple_files", "locales": ["fa", "en"], "default_locale": "fa"}
    assert config["locale"] == "fa"
    draft = next(c for c in config["collections"] if c["name"] == "draft-sample")
    assert draft["folder"] == "content/drafts/sample" and draft["filter"]["field"] == "kind"
    body = next(f for f in draft["fields"] if f["name"] == "body")
    assert body["widget"] == "markdown" and body["modes"] == ["raw"]


def test_forgejo_opens_pull_requests_and_gitea_commits_to_its_own_branch(repo) -> None:  # type: ignore[no-untyped-def]
    set_backend(
        repo, '    cms_backend: forgejo\n    forge_url: "https://git.example.ir"\n    cms_app_id: abc\n'
    )
    config = decap_config(load_project(repo.root), "")
    assert config["publish_mode"] == "editorial_workflow"
    assert config["backend"]["api_root"] == "https://git.example.ir/api/v1"
    assert config["backend"]["app_id"] == "abc" and config["backend"]["branch"] == "main"
    repo.edit("mkdocs.yml", "cms_backend: forgejo", "cms_backend: gitea")
    config = decap_config(load_project(repo.root), "")
    assert "publish_mode" not in config  # Decap's Gitea backend refuses the editorial workflow
    assert config["backend"]["name"] == "gitea" and config["backend"]["branch"] == "cms/edits"


def test_gitea_saving_to_the_publication_branch_is_a_problem(repo) -> None:  # type: ignore[no-untyped-def]
    set_backend(repo, "    cms_backend: gitea\n    cms_edit_branch: main\n")
    problems = load_project(repo.root).problems
    assert [p.field for p in problems] == ["extra.rayzani.cms_edit_branch"]
    repo.edit("mkdocs.yml", "cms_backend: gitea", "cms_backend: wordpress")
    assert "github" in load_project(repo.root).problems[0].fix
