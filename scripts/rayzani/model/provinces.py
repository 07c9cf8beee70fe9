"""The 31 provinces of Iran: stable ids with Persian and English names."""

from __future__ import annotations

PROVINCES: dict[str, tuple[str, str]] = {
    "alborz": ("البرز", "Alborz"),
    "ardabil": ("اردبیل", "Ardabil"),
    "bushehr": ("بوشهر", "Bushehr"),
    "chaharmahal-bakhtiari": ("چهارمحال و بختیاری", "Chaharmahal and Bakhtiari"),
    "east-azerbaijan": ("آذربایجان شرقی", "East Azerbaijan"),
    "fars": ("فارس", "Fars"),
    "gilan": ("گیلان", "Gilan"),
    "golestan": ("گلستان", "Golestan"),
    "hamadan": ("همدان", "Hamadan"),
    "hormozgan": ("هرمزگان", "Hormozgan"),
    "ilam": ("ایلام", "Ilam"),
    "isfahan": ("اصفهان", "Isfahan"),
    "kerman": ("کرمان", "Kerman"),
    "kermanshah": ("کرمانشاه", "Kermanshah"),
    "khuzestan": ("خوزستان", "Khuzestan"),
    "kohgiluyeh-boyer-ahmad": ("کهگیلویه و بویراحمد", "Kohgiluyeh and Boyer-Ahmad"),
    "kurdistan": ("کردستان", "Kurdistan"),
    "lorestan": ("لرستان", "Lorestan"),
    "markazi": ("مرکزی", "Markazi"),
    "mazandaran": ("مازندران", "Mazandaran"),
    "north-khorasan": ("خراسان شمالی", "North Khorasan"),
    "qazvin": ("قزوین", "Qazvin"),
    "qom": ("قم", "Qom"),
    "razavi-khorasan": ("خراسان رضوی", "Razavi Khorasan"),
    "semnan": ("سمنان", "Semnan"),
    "sistan-baluchestan": ("سیستان و بلوچستان", "Sistan and Baluchestan"),
    "south-khorasan": ("خراسان جنوبی", "South Khorasan"),
    "tehran": ("تهران", "Tehran"),
    "west-azerbaijan": ("آذربایجان غربی", "West Azerbaijan"),
    "yazd": ("یزد", "Yazd"),
    "zanjan": ("زنجان", "Zanjan"),
}

assert len(PROVINCES) == 31
