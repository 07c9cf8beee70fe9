"""MkDocs hook for the Rayzani theme (listed under `hooks:` in mkdocs.yml): the entry point only.

What each event does, and why, is in `rayzani.build.theme`, the one place (with
`rayzani.build.framing`) that knows Material's HTML and mkdocs-static-i18n. MkDocs does not
copy *.py files from a theme folder into the site.
"""

from rayzani.build.theme import (
    on_config,
    on_page_content,
    on_page_context,
    on_post_build,
    on_post_page,
    on_post_template,
    on_pre_template,
    on_template_context,
)

__all__ = [
    "on_config",
    "on_page_content",
    "on_page_context",
    "on_post_build",
    "on_post_page",
    "on_post_template",
    "on_pre_template",
    "on_template_context",
]
