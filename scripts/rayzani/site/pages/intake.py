"""The ways to comment on the site: per-article links to the issue form and the web comment form."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rayzani import urls
from rayzani.i18n.messages import text
from rayzani.model import AGE_BANDS, GENDERS, MAX_COMMENT_CHARS, RESPONDENT_TYPES, Call, Draft
from rayzani.model.provinces import PROVINCES
from rayzani.render.environment import render, translate
from rayzani.site.context import Site
from rayzani.site.views import section_label

ISSUE_FORM = "comment.yml"
IDEA_FORM = "idea.yml"


def forge_issue_url(site: Site, form: str, values: dict[str, str]) -> str:
    """The portal's forge's new-issue page with the issue form `form` prefilled with `values`."""
    settings = site.settings
    folder = site.portal.issue_form_folder
    return urls.issue_form(settings.forge_url, settings.repo, settings.forge, folder, form, values)


def forge_name(site: Site, lang: str) -> str:
    """The forge's name as the page's language writes it ("GitHub", "Forgejo"), for the links."""
    return text(f"forge_{site.settings.forge}", lang)


def issue_form_url(site: Site, draft: Draft, anchor: str | None) -> str | None:
    """The forge's new-issue page with the comment form prefilled, or None without a repo."""
    if not site.settings.repo:
        return None
    return forge_issue_url(site, ISSUE_FORM, {"draft": draft.slug, **({"article": anchor} if anchor else {})})


@dataclass
class CommentLink:
    label: str
    url: str
    kind: str  # issue or form
    forge: str = ""  # the forge's name, for an issue form's link


def comment_links(site: Site, draft: Draft, from_key: str, lang: str) -> dict[str, list[CommentLink]]:
    """Per article anchor (and "general"): where to comment. Empty unless the draft is open."""
    if draft.window.state(site.today) != "open":
        return {}
    links: dict[str, list[CommentLink]] = {}
    for anchor in [a.anchor for a in draft.articles] + ["general"]:
        wanted = None if anchor == "general" else anchor
        found = []
        issue = issue_form_url(site, draft, wanted)
        if issue:
            forge = forge_name(site, lang)
            found.append(
                CommentLink(translate("comment_via_issue", lang, forge=forge), issue, "issue", forge)
            )
        if site.settings.form_endpoint:
            url = urls.link(from_key, urls.comment_form_key(draft.slug, wanted))
            found.append(CommentLink(translate("comment_via_form", lang), url, "form"))
        links[anchor] = found
    return links


def idea_links(site: Site, call: Call, lang: str) -> dict[str, list[CommentLink]]:
    """Per domain id of an open crowdsourcing call: the idea form, prefilled with call and domain."""
    settings = site.settings
    if call.kind != "crowdsourcing" or call.window.state(site.today) != "open" or not settings.repo:
        return {}
    if "issue" not in call.channels:
        return {}
    forge = forge_name(site, lang)
    label = translate("idea_via_issue", lang, forge=forge)
    return {
        d.id: [
            CommentLink(
                label, forge_issue_url(site, IDEA_FORM, {"call": call.slug, "domain": d.id}), "issue", forge
            )
        ]
        for d in call.domains
    }


@dataclass
class Choice:
    value: str
    label: str
    selected: bool = False


def choices(values: tuple[str, ...], prefix: str, lang: str) -> list[Choice]:
    return [Choice(v, translate(f"{prefix}{v}", lang)) for v in values]


def province_choices(lang: str) -> list[Choice]:
    """Iran's 31 provinces, in the page's language and alphabetical order."""
    provinces = [Choice(k, names[0] if lang == "fa" else names[1]) for k, names in PROVINCES.items()]
    return sorted(provinces, key=lambda c: c.label)


def comment_form_page(site: Site, draft: Draft, anchor: str | None, lang: str) -> str:
    key = urls.comment_form_key(draft.slug, anchor)
    sections = [Choice("", translate("form_general", lang), anchor is None)]
    for fa_article in draft.articles:
        for target in fa_article.anchors():
            sections.append(Choice(target, section_label(draft, target, lang), target == anchor))
    return render(
        "comment_form.md.j2",
        lang,
        draft=draft,
        title=draft.text(lang).title,
        endpoint=site.settings.form_endpoint,
        issue_url=issue_form_url(site, draft, anchor),
        forge=forge_name(site, lang),
        back=urls.link(key, urls.draft_key(draft.slug), anchor or ""),
        sections=sections,
        types=choices(RESPONDENT_TYPES, "type_", lang),
        age_bands=choices(AGE_BANDS, "age_", lang),
        genders=choices(GENDERS, "gender_", lang),
        provinces=province_choices(lang),
        max_chars=MAX_COMMENT_CHARS,
    )


def comment_form_pages(site: Site, lang: str) -> Iterator[tuple[str, str]]:
    """A form page per draft, and one per article with that article chosen (no script needed)."""
    for draft in site.portal.drafts.values():
        yield urls.comment_form_key(draft.slug), comment_form_page(site, draft, None, lang)
        if site.settings.form_endpoint:
            for article in draft.articles:
                yield (
                    urls.comment_form_key(draft.slug, article.anchor),
                    comment_form_page(site, draft, article.anchor, lang),
                )
