"""Plain share links for a page (no third-party script): messengers, social networks, email."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from rayzani.render.environment import translate


@dataclass(frozen=True)
class ShareLink:
    network: str
    label: str
    url: str


def share_links(page_url: str, lang: str, text: str) -> list[ShareLink]:
    """Links that open each network's own share dialog with the page's address and `text`.

    Empty for a relative address (a site without `site_url`): it cannot be shared.
    """
    if "://" not in page_url:
        return []
    page, message = quote(page_url, safe=""), quote(text, safe="")
    targets = (
        ("telegram", f"https://t.me/share/url?url={page}&text={message}"),
        ("whatsapp", f"https://wa.me/?text={message}%20{page}"),
        ("x", f"https://x.com/intent/post?url={page}&text={message}"),
        ("linkedin", f"https://www.linkedin.com/sharing/share-offsite/?url={page}"),
        ("facebook", f"https://www.facebook.com/sharer/sharer.php?u={page}"),
    )
    links = [
        ShareLink(name, translate("share_via", lang, network=translate(f"network_{name}", lang)), url)
        for name, url in targets
    ]
    links.append(ShareLink("email", translate("share_email", lang), f"mailto:?subject={message}&body={page}"))
    return links
