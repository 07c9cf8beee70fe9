"""MkDocs hook (listed under `hooks:` in mkdocs.yml): one search index per language, written
after the last language is built. What it does, and why, is in `rayzani.build.search_index`."""

from rayzani.build.search_index import on_post_build

__all__ = ["on_post_build"]
