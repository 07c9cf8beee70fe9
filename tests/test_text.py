"""Persian text normalisation, digits and dates for display."""

import datetime as dt
import string

import pytest
from markupsafe import Markup

from rayzani.i18n.dates import format_date
from rayzani.i18n.messages import html, messages, text
from rayzani.i18n.text import has_controls, normalise, to_persian_digits
from rayzani.render.sanitize import render_comment


def test_arabic_letters_become_persian_and_controls_go():
    assert normalise("كتاب علي\u202e\u200b") == "کتاب علی"
    assert normalise("می\u200cخواهم") == "می\u200cخواهم"  # the half-space is Persian, kept
    assert not has_controls(normalise("a\u2066b\u2069"))


def test_persian_digits_and_jalali_dates():
    assert to_persian_digits(2026) == "۲۰۲۶"
    assert format_date(dt.date(2026, 11, 23), "fa") == "۲ آذر ۱۴۰۵"
    assert format_date(dt.date(2026, 11, 23), "en") == "23 November 2026"
    assert format_date(dt.date(2026, 3, 21), "fa") == "۱ فروردین ۱۴۰۵"


def test_hostile_comment_markdown_is_inert():
    html = render_comment(
        "<script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1)) "
        "![pic](https://tracker.example/p.png) \u202egnp.exe"
    )
    assert "<script" not in html and "<img" not in html
    assert 'href="javascript' not in html
    assert "\u202e" not in html
    assert "&lt;script&gt;" in html


def test_every_message_has_plain_fields_the_same_in_both_languages():
    """html() fills {name} fields with escaped values; a format spec or conversion would
    bypass the escaping, and a field missing in one language would vanish from its pages."""
    for key, entry in messages().items():
        fields = {}
        for lang in ("fa", "en"):
            parsed = list(string.Formatter().parse(entry[lang]))
            assert all(not spec and not conversion for _, _, spec, conversion in parsed), key
            fields[lang] = {name for _, name, _, _ in parsed if name}
        assert entry["fa"] == "" or entry["en"] == "" or fields["fa"] == fields["en"], key


def test_a_message_escapes_its_values_and_localises_its_numbers():
    shown = html("comments_count", "fa", n=1234)
    assert isinstance(shown, Markup) and "۱۲۳۴" in shown
    hostile = html("on_section", "en", section='<img src=x onerror="alert(1)">')
    assert "<img" not in hostile and "&lt;img" in hostile
    assert "<bdi>" in html("on_section", "en", section=Markup("<bdi>x</bdi>"))


def test_a_message_as_text_keeps_its_values_exactly():
    title = "Citizens' Charter & <Rights> منشور"
    shown = text("feed_report_on", "en", title=title)
    assert type(shown) is str and shown == f"Report: {title}"
    assert text("comments_count", "fa", n=1234) == html("comments_count", "fa", n=1234)
    # HTML is not text: its tags would show, and its entities be escaped again by a feed or a CSV writer.
    with pytest.raises(TypeError):
        text("on_section", "en", section=Markup("<bdi>x</bdi>"))


def test_every_message_says_the_same_as_text_and_as_html():
    """Messages are text: no character that HTML would read as markup, so t() and the feeds agree."""
    for key, entry in messages().items():
        for lang in ("fa", "en"):
            assert "<" not in entry[lang] and "&" not in entry[lang], (key, lang)
