"""The trust pages and the footer: the privacy notice, the accessibility statement, and the
contact and other ways to respond that every page's footer shows.

All of it comes from settings (`agency`, `contact`, `retention`, `accessibility`); a setting
that is not set is said so on the page, never filled in with something invented.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from markupsafe import Markup

from rayzani import urls
from rayzani.i18n import messages
from rayzani.render.environment import render
from rayzani.settings import Settings
from rayzani.site.context import Site


@dataclass(frozen=True)
class ContactView:
    """The agency and how to reach it, in one language; empty strings for what is not set."""

    agency: str
    agency_set: bool
    email: str
    phone: str
    phone_link: str  # tel: URL, digits and "+" only
    address: str

    @property
    def any(self) -> bool:
        return bool(self.email or self.phone or self.address)


def _localized(value: object, lang: str) -> str:
    return str(value.get(lang) or "") if isinstance(value, dict) else ""


def contact_view(settings: Settings, lang: str) -> ContactView:
    agency = _localized(settings.agency, lang)
    contact = settings.contact or {}
    phone = str(contact.get("phone") or "")
    return ContactView(
        agency=agency or messages.text("agency_unset", lang),
        agency_set=bool(agency),
        email=str(contact.get("email") or ""),
        phone=phone,
        phone_link="tel:" + re.sub(r"[^0-9+]", "", phone) if phone else "",
        address=_localized(contact.get("address"), lang),
    )


@dataclass(frozen=True)
class FooterLink:
    label: str
    url: str
    id: str


def footer_html(settings: Settings, lang: str, from_url: str | None, site_url: str) -> Markup:
    """The footer of a page at `from_url` (its path from the site root, "en/drafts/x/"), with
    links relative to it; None (the 404 page, served at any depth): root-relative under `site_url`."""
    root = urlsplit(site_url).path.rstrip("/") + "/"

    def link(key: str) -> str:
        target = urls.language_key(lang, key)
        return urls.link(from_url, target) if from_url is not None else root + target

    links = [
        FooterLink(
            messages.text("link_accessibility", lang), link(urls.accessibility_key()), "accessibility"
        ),
        FooterLink(messages.text("link_privacy", lang), link(urls.privacy_key()), "privacy"),
        FooterLink(messages.text("link_open_data", lang), link(urls.open_data_key()), "open-data"),
    ]
    return Markup(render("_footer.html.j2", lang, contact=contact_view(settings, lang), links=links))


@dataclass(frozen=True)
class AskedField:
    """One thing the comment forms ask, how it is kept and why (a row of the privacy notice)."""

    label_key: str
    kept_key: str
    why_key: str


# What the forms ask (their own labels), in the order they ask it.
ASKED = (
    AskedField("form_comment", "kept_public", "why_comment"),
    AskedField("form_article", "kept_public", "why_article"),
    AskedField("form_type", "kept_public", "why_type"),
    AskedField("form_name", "kept_public_consent", "why_name"),
    AskedField("form_organisation", "kept_public", "why_type"),
    AskedField("form_interest", "kept_public", "why_type"),
    AskedField("form_age_band", "kept_sealed", "why_counted"),
    AskedField("form_gender", "kept_sealed", "why_counted"),
    AskedField("form_province", "kept_sealed", "why_counted"),
    AskedField("form_contact", "kept_sealed", "why_contact"),
    AskedField("vote_form_participant", "kept_keyed", "why_participant"),
)


def privacy_page(site: Site, lang: str) -> str:
    return render(
        "privacy.md.j2",
        lang,
        contact=contact_view(site.settings, lang),
        asked=ASKED,
        threshold=site.settings.suppression_threshold,
        retention=_localized(site.settings.retention, lang),
        forge=messages.text(f"forge_{site.settings.forge}", lang),  # where issue forms are
    )


@dataclass(frozen=True)
class AccessibilityView:
    reviewed: dt.date | None
    known_issues: list[str] | None  # None: the agency has not said


def accessibility_view(settings: Settings, lang: str) -> AccessibilityView:
    statement = settings.accessibility or {}
    reviewed = statement.get("reviewed")
    issues = statement.get("known_issues")
    return AccessibilityView(
        reviewed if isinstance(reviewed, dt.date) else None,
        [_localized(i, lang) for i in issues] if isinstance(issues, list) else None,
    )


def accessibility_page(site: Site, lang: str) -> str:
    return render(
        "accessibility.md.j2",
        lang,
        contact=contact_view(site.settings, lang),
        statement=accessibility_view(site.settings, lang),
    )


def trust_pages(site: Site, lang: str) -> Iterator[tuple[str, str]]:
    """The privacy notice and the accessibility statement (the open-data page is `open_data`'s)."""
    yield urls.privacy_key(), privacy_page(site, lang)
    yield urls.accessibility_key(), accessibility_page(site, lang)
