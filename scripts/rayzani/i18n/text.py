"""Persian-aware text normalisation and display helpers shared by intake, model and pages."""

from __future__ import annotations

import re
import unicodedata

# Arabic code points that Persian keyboards and copy-paste bring in for Persian letters.
_ARABIC_TO_PERSIAN = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ە": "ه"})

# Bidi embedding/override/isolate controls: they can reorder what a reader sees
# (e.g. make "exe.txt" look like "txt.exe"), so comment text never keeps them.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
# Invisible characters that carry no meaning in Persian or English text. ZWNJ (U+200C)
# is the Persian half-space and is kept.
ZERO_WIDTH = "\u200b\u200d\u2060\ufeff"
_STRIP = str.maketrans({ch: None for ch in BIDI_CONTROLS + ZERO_WIDTH})
# Characters that are never text: C0 controls but tab and newline, DEL and the C1 controls
# (VT or FF make XML feeds unparseable, NUL truncates in C tools), the soft hyphen and the
# invisible math operators U+2061-U+2064 (they hide inside words and defeat matching), the
# tag characters U+E0000-U+E007F (invisible text that some readers still act on), lone
# surrogates and the noncharacters U+FFFE/U+FFFF (no valid UTF-8 or XML holds them).
NEVER_TEXT = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u2061-\u2064\ud800-\udfff\ufffe\uffff\U000e0000-\U000e007f]"
)

_FA_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
_TO_ASCII_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")


def normalise(text: str) -> str:
    """Return text with Persian letters, no bidi, zero-width or other control characters
    (newline and tab are kept), NFC, LF newlines."""
    text = NEVER_TEXT.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = unicodedata.normalize("NFC", text)
    text = text.translate(_ARABIC_TO_PERSIAN).translate(_STRIP)
    # Runs of half-spaces collapse to one; a half-space beside a space is a typing slip.
    text = re.sub("\u200c{2,}", "\u200c", text)
    return re.sub(" \u200c|\u200c ", " ", text)


def has_controls(text: str) -> bool:
    """True if the text holds bidi, zero-width or other control characters."""
    return any(ch in text for ch in BIDI_CONTROLS + ZERO_WIDTH) or NEVER_TEXT.search(text) is not None


_CONTROL_NAMES = {"\x00": "NUL", "\x0b": "vertical tab", "\x0c": "form feed", "\r": "carriage return"}


def never_text(text: str) -> tuple[int, str] | None:
    """(offset, description) of the first character that is never text, e.g. "U+000B (vertical tab)"."""
    found = NEVER_TEXT.search(text)
    if found is None:
        return None
    char = found.group()
    name = _CONTROL_NAMES.get(char) or unicodedata.name(char, "")
    name = name or {"Cc": "a control character", "Cs": "a lone surrogate"}.get(
        unicodedata.category(char), "a noncharacter"
    )
    return found.start(), f"U+{ord(char):04X} ({name})"


def to_persian_digits(value: object) -> str:
    return str(value).translate(_FA_DIGITS)


def to_ascii_digits(text: str) -> str:
    return text.translate(_TO_ASCII_DIGITS)


def localise_digits(value: object, lang: str) -> str:
    """Digits as a reader of `lang` expects them; data always keeps ASCII digits."""
    return to_persian_digits(value) if lang == "fa" else str(value)
