"""Points by the published rule, the hall of fame, profiles and certificates that cannot be forged."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml
from conftest import REPO, today
from html_query import element, texts_by_class

from rayzani.analysis.incentives import (
    REGISTER,
    certificate_code,
    participant_slug,
    points_for,
    register_entry,
    verify,
)
from rayzani.build.builder import write_pages
from rayzani.project import load_project
from rayzani.settings import DEFAULT_POINTS
from rayzani.site.context import Site
from rayzani.site.pages.incentives import Incentives


def page(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


def test_points_follow_the_published_rule(example_site):
    project = load_project(REPO, today())
    weights = project.settings.points
    people = Incentives(Site(project.portal, project.settings, today())).people
    assert people, "the example has consenting participants"
    for person in people.values():
        expected = sum(
            0
            if r.decision.status in ("out-of-scope", "duplicate") or r.publication.withheld
            else weights["comment"] + weights.get(r.decision.status, 0)
            for r in person.records
        )
        assert person.points == expected == sum(points_for(r, weights) for r in person.records)
        _, shown = element(page(example_site, f"en/participants/{person.slug}"), "profile-points")
        assert shown == str(expected)
    _, rule = element(page(example_site, "en/hall-of-fame"), "points-rule")
    for weight in DEFAULT_POINTS.values():
        assert str(weight) in rule
    assert "accepted" in rule.lower()


def test_only_consenting_participants_get_profiles_ranking_and_certificates(example_site):
    project = load_project(REPO, today())
    records = [r for rs in project.portal.submissions.values() for r in rs]
    named = {r.author.id for r in records if r.author.id and r.author.name}
    never_named = {r.author.id for r in records if r.author.id} - named
    profiles = {p.name for p in (example_site / "participants").iterdir()}
    assert profiles == {participant_slug(i) for i in named}
    assert not {participant_slug(i) for i in never_named} & profiles
    hall = page(example_site, "hall-of-fame")
    _, ranked = element(hall, "hall")
    for record in records:
        if record.author.id and record.author.name:
            assert record.author.name in ranked
    _, valid = element(page(example_site, "certificates/verify"), "valid-certificates")
    assert len(re.findall(r"[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}", valid)) == len(named)


def test_an_anonymous_contribution_never_appears_under_the_persons_name(repo):
    repo.edit(
        "submissions/sample/c1.yml",
        "author: {type: individual}",
        "author: {type: individual, id: 'github:ali', name: علی آزمون}",
    )
    second = (repo.root / "submissions/sample/c1.yml").read_text(encoding="utf-8")
    second = second.replace("id: c1", "id: c2").replace("source: form:1", "source: form:2")
    second = second.replace("name: علی آزمون", "").replace(", }", "}").replace("نظر آزمایشی", "نظر بی‌نام")
    repo.write("submissions/sample/c2.yml", second)
    (repo.root / "keys" / "secret.txt").write_text("test-secret")
    config = repo.root / "mkdocs.yml"
    config.write_text(config.read_text() + "    certificate_secret_file: keys/secret.txt\n")
    project = load_project(repo.root, today())
    assert project.problems == []
    write_pages(project, today())
    docs = repo.root / "build" / "docs"
    profile = (docs / "participants" / participant_slug("github:ali") / "index.fa.md").read_text(
        encoding="utf-8"
    )
    assert "c1" in profile and "c2" not in profile
    anonymous_card = (docs.parent / "framed/drafts/sample/comments/art-1/index.en.html").read_text(
        encoding="utf-8"
    )
    card = anonymous_card[anonymous_card.index('id="c-c2"') :]
    card = card[: card.index("</article>")]
    assert "علی آزمون" not in card and "Anonymous participant" in card


def test_a_certificate_code_verifies_and_a_forged_one_does_not(example_site, repo):
    project = load_project(REPO, today())
    issued = Incentives(Site(project.portal, project.settings, today())).certificates
    genuine = issued[0]
    assert verify(genuine.code, issued) is genuine
    forged = genuine.code[:-1] + ("0" if genuine.code[-1] != "0" else "1")
    assert verify(forged, issued) is None
    assert (
        certificate_code(
            b"another secret", genuine.target, genuine.participant.slug, [r.id for r in genuine.records]
        )
        != genuine.code
    )
    html = page(example_site, f"certificates/{genuine.code}")
    assert genuine.participant.name in html and "گواهی مشارکت الکترونیکی" in html
    assert (example_site / "data" / "certificates" / f"{genuine.code}.pdf").read_bytes().startswith(b"%PDF")
    assert not (example_site / "certificates" / forged).exists()
    # A tampered entry in the register of issued certificates fails validation.
    shutil.copytree(REPO / "keys", repo.root / "keys", dirs_exist_ok=True)
    register = (REPO / REGISTER).read_text(encoding="utf-8")
    assert genuine.code in register
    (repo.root / REGISTER).write_text(register.replace(genuine.code, forged), encoding="utf-8")
    config = repo.root / "mkdocs.yml"
    config.write_text(config.read_text() + "    certificate_secret_file: keys/demo-certificate-secret.txt\n")
    problems = [p.format(repo.root) for p in load_project(repo.root, today()).problems]
    assert any(
        "content/certificates.yml: [" in line and f"'{forged}' does not verify" in line for line in problems
    ), problems
    assert len(problems) == 1


def test_a_points_rule_the_site_cannot_show_is_refused(repo):
    config = repo.root / "mkdocs.yml"
    rule = "    points: {comment: 2, liked: 1}\n    levels: {bronze: 2, platinum: 30, gold: true}\n"
    config.write_text(config.read_text() + rule)
    problems = [p.format(repo.root) for p in load_project(repo.root, today()).problems]
    for wrong in ("points.liked", "levels.platinum", "levels.gold"):
        assert any(f"extra.rayzani.{wrong}" in line for line in problems), problems
    assert not any("points.comment" in line or "levels.bronze" in line for line in problems)


def test_a_handed_out_certificate_still_verifies_after_the_participant_contributes_again(repo):
    repo.edit(
        "submissions/sample/c1.yml",
        "author: {type: individual}",
        "author: {type: individual, id: 'github:ali', name: علی آزمون}",
    )
    (repo.root / "keys" / "secret.txt").write_text("test-secret")
    config = repo.root / "mkdocs.yml"
    config.write_text(config.read_text() + "    certificate_secret_file: keys/secret.txt\n")
    project = load_project(repo.root, today())
    [first] = Incentives(Site(project.portal, project.settings, today())).certificates
    repo.write(REGISTER.as_posix(), yaml.safe_dump([register_entry(first)], allow_unicode=True))
    second = (repo.root / "submissions/sample/c1.yml").read_text(encoding="utf-8")
    repo.write("submissions/sample/c2.yml", second.replace("id: c1", "id: c2").replace("form:1", "form:2"))
    project = load_project(repo.root, today())
    assert project.problems == []
    issued = Incentives(Site(project.portal, project.settings, today())).certificates
    assert [c.code for c in issued][1:] == [first.code]
    assert [r.id for r in issued[0].records] == ["c1", "c2"] and issued[0].code != first.code
    write_pages(project, today())
    docs = repo.root / "build" / "docs"
    verify_page = (docs / "certificates" / "verify" / "index.en.md").read_text(encoding="utf-8")
    assert first.code in verify_page and issued[0].code in verify_page
    old = (docs / "certificates" / first.code / "index.en.md").read_text(encoding="utf-8")
    assert "with 1 comments or proposals" in old
    assert "with 2 comments or proposals" in (
        docs / "certificates" / issued[0].code / "index.en.md"
    ).read_text(encoding="utf-8")
    # Taking the name off a record it attests withdraws the certificate from the site.
    repo.edit("submissions/sample/c1.yml", ", name: علی آزمون", "")
    project = load_project(repo.root, today())
    assert first.code not in [
        c.code for c in Incentives(Site(project.portal, project.settings, today())).certificates
    ]


def _named_portal_with_secret(repo) -> None:
    repo.edit(
        "submissions/sample/c1.yml",
        "author: {type: individual}",
        "author: {type: individual, id: 'github:ali', name: علی آزمون}",
    )
    (repo.root / "keys" / "secret.txt").write_text("test-secret")
    config = repo.root / "mkdocs.yml"
    config.write_text(config.read_text() + "    certificate_secret_file: keys/secret.txt\n")


def _issuer_lines(repo) -> dict[str, list[str]]:
    project = load_project(repo.root, today())
    assert project.problems == []
    [cert] = Incentives(Site(project.portal, project.settings, today())).certificates
    write_pages(project, today())
    folder = repo.root / "build" / "docs" / "certificates" / cert.code
    pages = {lang: (folder / f"index.{lang}.md").read_text(encoding="utf-8") for lang in ("fa", "en")}
    return {lang: texts_by_class(html, "rz-certificate__issuer") for lang, html in pages.items()}


def test_a_certificate_names_the_agency_that_runs_the_portal_as_its_issuer(repo):
    _named_portal_with_secret(repo)
    config = repo.root / "mkdocs.yml"
    agency = "    agency: {fa: سازمان برنامه و بودجه, en: Plan & Budget Organisation}\n"
    config.write_text(config.read_text() + agency)
    lines = _issuer_lines(repo)
    assert len(lines["fa"]) == len(lines["en"]) == 1
    assert "سازمان برنامه و بودجه" in lines["fa"][0] and "Plan & Budget Organisation" in lines["en"][0]
    # Another body may issue them: certificate_issuer, when set, is named instead of the agency.
    issuer = "    certificate_issuer: {fa: مرکز پژوهش‌ها, en: Research Centre}\n"
    config.write_text(config.read_text() + issuer)
    lines = _issuer_lines(repo)
    assert "Research Centre" in lines["en"][0] and "مرکز پژوهش‌ها" in lines["fa"][0]
    assert "Plan & Budget" not in lines["en"][0]


def test_a_certificate_names_no_issuer_when_the_portal_names_no_agency(repo):
    _named_portal_with_secret(repo)
    assert _issuer_lines(repo) == {"fa": [], "en": []}
