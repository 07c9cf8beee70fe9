"""Profiles, the hall of fame, the points rule, certificates and their verification page."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml
from markupsafe import Markup

from rayzani import urls
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
from rayzani.i18n.messages import text as translate_text
from rayzani.load.yaml_io import read_yaml
from rayzani.model import LANGS, Call, Draft, Submission
from rayzani.render.environment import render, translate
from rayzani.settings import Settings
from rayzani.site.context import Site
from rayzani.site.files.pdf import font_face_css, html_to_pdf
from rayzani.site.qr import qr_svg
from rayzani.site.views import current_section_label


def issued_register(root: Path) -> object:
    """The register of certificates handed out; an unreadable one is left to validation to report."""
    path = root / REGISTER
    try:
        return read_yaml(path) if path.is_file() else None
    except yaml.YAMLError:
        return None


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
        return self.site.title_of(target, lang)

    def contributions(self, from_key: str, records: list[Submission], lang: str) -> list[Contribution]:
        shown = []
        for r in records:
            holder = self.site.portal.target(r.target)
            draft = holder if isinstance(holder, Draft) else None
            label = (
                current_section_label(draft, r.section, lang) if draft else translate("general", lang)
            )
            if isinstance(holder, Call) and r.domain:
                domain = holder.domain(r.domain)
                label = domain.name.get(lang) if domain else label
            shown.append(
                Contribution(
                    self.title(r.target, lang),
                    label,
                    r.received,
                    r.decision.status,
                    self.site.comment_link(from_key, r.target, r.id),
                )
            )
        return shown

    def certificates_of(self, person: Participant) -> list[Certificate]:
        return [c for c in self.certificates if c.participant.slug == person.slug]


def hall_page(inc: Incentives, lang: str, target: str | None) -> str:
    key = urls.hall_of_fame_key(target)
    ranked = hall_of_fame(list(inc.people.values()), target)
    rows = [
        (
            p,
            urls.link(key, urls.profile_key(p.slug)),
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
        others=[(inc.title(t, lang), urls.link(key, urls.hall_of_fame_key(t))) for t in consultations],
        overall=urls.link(key, urls.hall_of_fame_key()),
        points=inc.site.settings.points,
        levels=sorted(inc.site.settings.levels.items(), key=lambda kv: kv[1]),
        verify=urls.link(key, urls.verify_key()),
    )


def profile_page(inc: Incentives, person: Participant, lang: str) -> str:
    key = urls.profile_key(person.slug)
    certs = [
        (inc.title(c.target, lang), c.code, urls.link(key, urls.certificate_key(c.code)))
        for c in inc.certificates_of(person)
    ]
    return render(
        "profile.md.j2",
        lang,
        person=person,
        contributions=inc.contributions(key, person.records, lang),
        certificates=certs,
        hall=urls.link(key, urls.hall_of_fame_key()),
    )


def certificate_context(inc: Incentives, cert: Certificate, lang: str, key: str, pdf: bool = False) -> dict:
    settings = inc.site.settings
    own_url = inc.site.url(urls.certificate_key(cert.code), lang)
    logo = settings.certificate_logo
    if logo:
        # The PDF loads the theme's file itself; the page links the copy MkDocs publishes.
        logo = (
            (inc.site.portal.root / "overrides" / logo).resolve().as_uri()
            if pdf
            else urls.file_link(key, lang, logo)
        )
    return {
        "cert": cert,
        "title": inc.title(cert.target, lang),
        "contributions": inc.contributions(key, list(cert.records), lang),
        "issued": format_date(inc.site.today, lang),
        "verify_url": inc.site.url(urls.verify_key(), lang),
        "issuer": certificate_issuer(settings, lang),
        "logo": logo,
        "own_url": own_url,
        "qr": qr_svg(own_url, translate_text("certificate_qr_label", lang, url=own_url)),
    }


def certificate_issuer(settings: Settings, lang: str) -> str | None:
    """Who issues the certificates: `certificate_issuer` if the portal names another body, else
    the agency that runs the portal (one name to keep up to date, as on the footer)."""
    names = settings.certificate_issuer or settings.agency
    return names.get(lang) or names.get("fa")


def certificate_page(inc: Incentives, cert: Certificate, lang: str) -> str:
    key = urls.certificate_key(cert.code)
    return render(
        "certificate.md.j2",
        lang,
        pdf=inc.site.file_link(key, lang, urls.certificate_pdf(cert.code)),
        verify=urls.link(key, urls.verify_key()),
        profile=urls.link(key, urls.profile_key(cert.participant.slug)),
        **certificate_context(inc, cert, lang, key),
    )


def verify_page(inc: Incentives, lang: str) -> str:
    key = urls.verify_key()
    rows = [
        (c.code, inc.title(c.target, lang), c.participant.name, urls.link(key, urls.certificate_key(c.code)))
        for c in sorted(inc.certificates, key=lambda c: c.code)
    ]
    # The shape of a code, not a real one, kept on one line.
    sample = Markup('<code class="rz-code" dir="ltr">ABCD-1234-EF56-7890</code>')
    return render("verify.md.j2", lang, rows=rows, signed=bool(inc.certificates), sample=sample)


def incentive_pages(site: Site, lang: str) -> Iterator[tuple[str, str]]:
    inc = Incentives(site)
    yield urls.hall_of_fame_key(), hall_page(inc, lang, None)
    for target in sorted({r.target for p in inc.people.values() for r in p.records}):
        yield urls.hall_of_fame_key(target), hall_page(inc, lang, target)
    for person in inc.people.values():
        yield urls.profile_key(person.slug), profile_page(inc, person, lang)
    yield urls.verify_key(), verify_page(inc, lang)
    for cert in inc.certificates:
        yield urls.certificate_key(cert.code), certificate_page(inc, cert, lang)


def certificate_pdf_files(site: Site) -> Iterator[tuple[str, bytes]]:
    """Each certificate as one PDF: the Persian page, then the English one."""
    inc = Incentives(site)
    root = site.portal.root
    for cert in inc.certificates:
        bodies = [
            Markup(
                render(
                    "_certificate_body.html.j2", lang, **certificate_context(inc, cert, lang, "", pdf=True)
                )
            )
            for lang in LANGS
        ]
        html = render("certificate_pdf.html.j2", "fa", fonts=Markup(font_face_css(root)), bodies=bodies)
        yield (
            urls.certificate_pdf(cert.code),
            html_to_pdf(html, root, site.store.file("pdf", f"certificate-{cert.code}")),
        )
