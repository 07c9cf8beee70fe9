"""Article and clause anchors follow the documented rule and survive renumbering when pinned."""

from rayzani.load.articles import parse_body

TEXT = """\
پیش‌درآمد.

## ماده ۳ — گزارش

متن.

1. نخست
2. دوم

## Article 4 {#art-9}

x

## بدون شماره

y
"""


def test_articles_take_the_number_in_their_heading():
    body = parse_body(TEXT)
    assert [a.anchor for a in body.articles] == ["art-3", "art-9", "art-3"]
    assert body.preamble == "پیش‌درآمد."


def test_clauses_are_numbered_within_their_article():
    article = parse_body(TEXT).articles[0]
    assert [c.anchor for c in article.clauses] == ["art-3-c1", "art-3-c2"]
    assert article.body.splitlines()[article.clauses[1].line] == "2. دوم"


def test_a_pinned_anchor_survives_renumbering():
    v1 = parse_body("## ماده ۳ — گزارش\n\nمتن\n")
    v2 = parse_body("## ماده ۲ — تعریف جدید\n\nنو\n\n## ماده ۴ — گزارش {#art-3}\n\nمتن\n")
    assert v1.articles[0].anchor == "art-3"
    assert [a.anchor for a in v2.articles] == ["art-2", "art-3"]
    assert v2.articles[1].heading == "ماده ۴ — گزارش"


def test_a_pinned_clause_keeps_its_id():
    article = parse_body("## ماده ۱\n\n1. الف {#art-1-old}\n2. ب\n").articles[0]
    assert [c.anchor for c in article.clauses] == ["art-1-old", "art-1-c2"]
    assert "{#" not in article.body
