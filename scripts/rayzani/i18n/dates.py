"""Display dates: Jalali with Persian digits on Persian pages, Gregorian on English pages."""

from __future__ import annotations

import datetime as dt

import jdatetime

from rayzani.i18n.text import to_persian_digits

JALALI_MONTHS = (
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
)


def format_date(value: dt.date | dt.datetime, lang: str) -> str:
    day = value.date() if isinstance(value, dt.datetime) else value
    if lang == "fa":
        j = jdatetime.date.fromgregorian(date=day)
        return to_persian_digits(f"{j.day} {JALALI_MONTHS[j.month - 1]} {j.year}")
    return f"{day.day} {day:%B %Y}"


def format_datetime(value: dt.datetime, lang: str) -> str:
    clock = f"{value:%H:%M}"
    if lang == "fa":
        return f"{format_date(value, lang)}، ساعت {to_persian_digits(clock)}"
    return f"{format_date(value, lang)}, {clock}"


# Jalali years of living memory; no consultation is dated in these Gregorian years.
_JALALI_YEARS = range(1300, 1500)


def gregorian_of_jalali(year: int, month: int, day: int) -> dt.date | None:
    """The Gregorian date of what looks like a Jalali date (1405-08-29), or None if it is none."""
    if year not in _JALALI_YEARS:
        return None
    try:
        return jdatetime.date(year, month, day).togregorian()
    except ValueError:
        return None
