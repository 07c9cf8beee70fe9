"""Profiles, the hall of fame, the points rule, certificates and their verification page."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml
from markupsafe import Markup

from rayzani.analysis.incentives import (
    REGISTER,
    Certificate,
    Participant,
    certificate_secret,
    certificates,
    hall_of_fame,
    participants,
    still_valid,
)
from rayzani.i18n.dates import format_date
from rayzani.load.loader import read_yaml
from rayzani.model import LANGS, Submission
from rayzani.render.environment import render, translate
from rayzani.site.files.pdf import font_face_css, html_to_pdf
from rayzani.site.pages.core import (
    Site,
    call_key,
    discussion_key,
    link,
    section_label,
)

HALL_KEY = "hall-of-fame/"
VERIFY_KEY = "certificates/verify/"


def issued_register(root: Path) -> object:
    """The register of certificates handed out; an unreadable one is left to validation to report."""
    path = root / REGISTER
    try:
        return read_yaml(path) if path.is_file() else None
    except yaml.YAMLError:
        return None


def profile_key(slug: str) -> str:
    return f"participants/{slug}/"


def certificate_key(code: str) -> str:
    return f"certificates/{code}/"


def certificate_pdf(code: str) -> str:
    return f"data/certificates/{code}.pdf"


@dataclass
class Contribution:
    consultation: str
    section: str
    received: object
    status: str
    url: str


class Incentives:
    """Everything the incentive pages need, computed once per build."""

    def __init__(self, site: Site):
        self.site = site
        self.people = participants(site.portal, site.settings)
        secret = certificate_secret(site.portal.root, site.settings)
        self.certificates = certificates(site.portal, self.people, secret) if secret else []
        if secret:
            self.certificates += still_valid(
                issued_register(site.portal.root), self.people, secret, self.certificates
            )

    def title(self, target: str, lang: str) -> str:
        draft = self.site.portal.drafts.get(target)
        return draft.text(lang).title if draft else self.site.portal.calls[target].title.get(lang)

    def comment_url(self, from_key: str, record: Submission) -> str:
        draft = self.site.portal.drafts.get(record.target)
        if draft is None:
            return link(from_key, call_key(record.target), f"c-{record.id}")
        page = self.site.permalinks(draft).get(record.id, discussion_key(draft.slug, "general"))
        return link(from_key, page, f"c-{record.id}")

    def contributions(self, from_key: str, records: list[Submission], lang: str) -> list[Contribution]:
        shown = []
        for r in records:
            draft = self.site.portal.drafts.get(r.target)
            label = (
                section_label(draft.version_of(r), r.section, lang) if draft else translate("general", lang)
            )
            if not draft and r.domain:
                domain = self.site.portal.calls[r.target].domain(r.domain)
                label = domain.name.get(lang) if domain else label
            shown.append(
                Contribution(
                    self.title(r.target, lang),
                    label,
                    r.received,
                    r.decision.status,
                    self.comment_url(from_key, r),
                )
            )
        return shown

    def certificates_of(self, person: Participant) -> list[Certificate]:
        return [c for c in self.certificates if c.participant.slug == person.slug]


def hall_page(inc: Incentives, lang: str, target: str | None) -> str:
    key = HALL_KEY + (f"{target}/" if target else "")
    ranked = hall_of_fame(list(inc.people.values()), target)
    rows = [
        (
            p,
            link(key, profile_key(p.slug)),
            sum(
                r.decision.status in ("accepted", "partially-accepted")
                for r in (p.on(target) if target else p.records)
            ),
        )
        for p in ranked
    ]
    consultations = sorted({r.target for p in inc.people.values() for r in p.records})
    return render(
        "hall_of_fame.md.j2",
        lang,
        rows=rows,
        title=inc.title(target, lang) if target else None,
        others=[(inc.title(t, lang), link(key, HALL_KEY + f"{t}/")) for t in consultations],
        overall=link(key, HALL_KEY),
        points=inc.site.settings.points,
        levels=sorted(inc.site.settings.levels.items(), key=lambda kv: kv[1]),
        verify=link(key, VERIFY_KEY),
    )


def profile_page(inc: Incentives, person: Participant, lang: str) -> str:
    key = profile_key(person.slug)
    certs = [
        (inc.title(c.target, lang), c.code, link(key, certificate_key(c.code)))
        for c in inc.certificates_of(person)
    ]
    return render(
        "profile.md.j2",
        lang,
        person=person,
        contributions=inc.contributions(key, person.records, lang),
        certificates=certs,
        hall=link(key, HALL_KEY),
    )


def certificate_context(inc: Incentives, cert: Certificate, lang: str, key: str) -> dict:
    return {
        "cert": cert,
        "title": inc.title(cert.target, lang),
        "contributions": inc.contributions(key, list(cert.records), lang),
        "issued": format_date(inc.site.today, lang),
        "verify_url": inc.site.url(VERIFY_KEY, lang),
    }


def certificate_page(inc: Incentives, cert: Certificate, lang: str) -> str:
    key = certificate_key(cert.code)
    return render(
        "certificate.md.j2",
        lang,
        pdf=inc.site.file_link(key, lang, certificate_pdf(cert.code)),
        verify=link(key, VERIFY_KEY),
        profile=link(key, profile_key(cert.participant.slug)),
        **certificate_context(inc, cert, lang, key),
    )


def verify_page(inc: Incentives, lang: str) -> str:
    rows = [
        (c.code, inc.title(c.target, lang), c.participant.name, link(VERIFY_KEY, certificate_key(c.code)))
        for c in sorted(inc.certificates, key=lambda c: c.code)
    ]
    return render("verify.md.j2", lang, rows=rows, signed=bool(inc.certificates))


def incentive_pages(site: Site, lang: str) -> Iterator[tuple[str, str]]:
    inc = Incentives(site)
    yield HALL_KEY, hall_page(inc, lang, None)
    for target in sorted({r.target for p in inc.people.values() for r in p.records}):
        yield HALL_KEY + f"{target}/", hall_page(inc, lang, target)
    for person in inc.people.values():
        yield profile_key(person.slug), profile_page(inc, person, lang)
    yield VERIFY_KEY, verify_page(inc, lang)
    for cert in inc.certificates:
        yield certificate_key(cert.code), certificate_page(inc, cert, lang)


def certificate_pdf_files(site: Site) -> Iterator[tuple[str, bytes]]:
    """Each certificate as one PDF: the Persian page, then the English one."""
    inc = Incentives(site)
    root = site.portal.root
    for cert in inc.certificates:
        bodies = [
            Markup(render("_certificate_body.html.j2", lang, **certificate_context(inc, cert, lang, "")))
            for lang in LANGS
        ]
        html = render("certificate_pdf.html.j2", "fa", fonts=Markup(font_face_css(root)), bodies=bodies)
        yield (
            certificate_pdf(cert.code),
            html_to_pdf(html, root, site.store.file("pdf", f"certificate-{cert.code}")),
        )
