"""Caches speed a rebuild up and change nothing: a cached build equals a fresh one."""

from __future__ import annotations

import datetime as dt
import pickle
import random
import shutil
import subprocess
import sys
import weakref
from pathlib import Path

import pytest
from conftest import BUILD_DATE, RECORD, REPO, Repo, example_config

from rayzani.analysis import concerns
from rayzani.build.builder import write_pages
from rayzani.cache.records import RecordCache
from rayzani.cache.store import Cache, cache_root
from rayzani.cli import main as rayzani
from rayzani.model import Author, Decision, Submission
from rayzani.project import load_project


@pytest.fixture
def portal(repo: Repo) -> Repo:
    example_config(repo.root)
    shutil.copytree(REPO / "overrides", repo.root / "overrides", dirs_exist_ok=True)
    repo.edit("mkdocs.yml", "comments_per_page: 100", "comments_per_page: 2")
    for n in range(2, 7):  # three pages of article 1's discussion
        repo.write(
            f"submissions/sample/c{n}.yml",
            RECORD.replace("id: c1", f"id: c{n}").replace("form:1", f"form:{n}"),
        )
    return repo


def pages(site: Path) -> dict[str, str]:
    """Every page and open-data file of a built site, by its path."""
    built = [p for p in site.rglob("*") if p.suffix in {".html", ".csv", ".json"}]
    return {p.relative_to(site).as_posix(): p.read_text("utf-8") for p in built}


def build(repo: Repo, site: Path) -> dict[str, str]:
    assert rayzani(["--root", str(repo.root), "build", "--site-dir", str(site), "--date", BUILD_DATE]) == 0
    return pages(site)


def test_a_rebuild_from_the_caches_equals_a_fresh_build(portal, tmp_path):
    build(portal, tmp_path / "first")
    # An edit that keeps the file's size, a new comment and a deleted one, as a day's work brings.
    portal.edit("submissions/sample/c3.yml", "دلیل رد", "دلیل ردّ")
    portal.edit("submissions/sample/c4.yml", "بند دو", "بند یک")
    portal.write("submissions/sample/c7.yml", RECORD.replace("id: c1", "id: c7").replace("form:1", "form:7"))
    (portal.root / "submissions/sample/c5.yml").unlink()
    cached = build(portal, tmp_path / "cached")
    assert "بند یک" in cached["drafts/sample/comments/art-1/2/index.html"]
    assert 'id="c-c7"' in cached["en/drafts/sample/comments/art-1/3/index.html"]
    assert 'id="c-c5"' not in "".join(cached.values())
    assert "بند یک" in cached["data/sample/comments.csv"] and '"c7"' in cached["data/sample/comments.json"]
    assert '"c5"' not in cached["data/sample/comments.json"]
    shutil.rmtree(cache_root(portal.root))
    assert build(portal, tmp_path / "fresh") == cached


def test_a_rebuild_reads_only_the_records_that_changed(portal):
    load_project(portal.root)
    portal.edit("submissions/sample/c2.yml", "نظر آزمایشی", "نظر تازه")
    project = load_project(portal.root)
    assert any(r.body.startswith("نظر تازه") for r in project.portal.submissions["sample"])
    cache = RecordCache(Cache.for_checkout(portal.root))
    assert set(cache.entries) == {f"sample/c{n}.yml" for n in range(1, 7)}


def test_a_fresh_checkout_as_in_ci_parses_only_the_records_that_changed(portal, tmp_path, monkeypatch):
    """Every CI run checks the repository out anew (new inodes and times): records whose bytes
    are those the cache kept are not parsed again; an edited one is."""
    from rayzani.load import records as loader

    before = build(portal, tmp_path / "first")
    moved = tmp_path / "moved"
    shutil.move(portal.root, moved)
    shutil.copytree(moved, portal.root)  # the same path, every file new
    portal.edit("submissions/sample/c3.yml", "دلیل رد", "دلیل ردّ")
    parsed: list[str] = []
    parse = loader.load_submission

    def counting(path, found):  # type: ignore[no-untyped-def]
        parsed.append(path.name)
        return parse(path, found)

    monkeypatch.setattr(loader, "load_submission", counting)
    after = build(portal, tmp_path / "second")
    assert parsed == ["c3.yml"]
    assert after != before
    parsed.clear()
    shutil.rmtree(cache_root(portal.root))
    assert build(portal, tmp_path / "cold") == after and len(parsed) == 6


class Planted:
    """An entry an attacker plants: unpickling it runs code, which leaves a marker file."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (exec, (f"open({str(self.marker)!r}, 'w').write('read')",))


def plant(cache: Path, into: Path, marker: Path) -> int:
    """A copy of a real cache folder into `into`, every entry made hostile; returns how many."""
    shutil.copytree(cache, into)
    planted = 0
    for path in into.rglob("*"):
        if path.suffix == ".pickle":
            # In the shards' own format, so that a reader trusting the folder would take it.
            path.write_bytes(pickle.dumps((3, "any", {"sample/c1.yml": Planted(marker)})))
        elif path.suffix == ".html":
            path.write_text('<p id="planted">planted card</p><script>alert(1)</script>', encoding="utf-8")
        elif path.is_file():
            path.write_bytes(pickle.dumps(Planted(marker)))
        else:
            continue
        planted += 1
    return planted


def test_a_cache_planted_in_the_repository_is_never_read(portal, tmp_path, monkeypatch):
    """A pull request can add files anywhere in the checkout: a whole cache planted there, at
    every place a cache could be looked for, is never read, and the build equals a cold one."""
    assert not cache_root(portal.root).is_relative_to(portal.root)
    build(portal, tmp_path / "first")
    real = cache_root(portal.root)
    assert (real / "records").is_dir() and (real / "html").is_dir() and (real / "open-data").is_dir()
    marker = tmp_path / "planted-entry-was-read"
    hiding_places = [
        portal.root / ".cache" / "rayzani" / real.name,
        portal.root / "build" / "cache",
        portal.root / "build" / real.name,
        portal.root / real.name,
    ]
    assert all(plant(real, place, marker) > 10 for place in hiding_places)
    shutil.rmtree(real)
    cold = build(portal, tmp_path / "planted")
    assert not marker.exists()
    assert "planted card" not in "".join(cold.values())
    warm = build(portal, tmp_path / "warm")  # from the caches the cold build kept, outside
    assert not marker.exists() and warm == cold
    # Even a cache folder set inside the checkout is refused: builds keep nothing there.
    inside = portal.root / "cache-in-checkout"
    plant(real, inside / "rayzani" / real.name, marker)
    monkeypatch.setenv("RAYZANI_CACHE_DIR", str(inside))
    assert Cache.for_checkout(portal.root).folder is None
    planted = sorted(p for p in inside.rglob("*") if p.is_file())
    assert build(portal, tmp_path / "inside") == cold
    assert not marker.exists() and sorted(p for p in inside.rglob("*") if p.is_file()) == planted


def test_a_new_comment_renders_only_its_own_page_of_cards(portal):
    """The cards of every other discussion page come from the cache (fa and en: two entries)."""
    project = load_project(portal.root)
    write_pages(project, project_date())
    kept = cards(portal)
    assert len(kept) == 6  # article 1: three pages of two, in two languages
    portal.write("submissions/sample/c7.yml", RECORD.replace("id: c1", "id: c7").replace("form:1", "form:7"))
    write_pages(load_project(portal.root), project_date())
    now = cards(portal)
    assert len(now - kept) == 2 and len(kept - now) == 0  # page 4 of article 1, in fa and en
    portal.write("submissions/sample/c8.yml", RECORD.replace("id: c1", "id: c8").replace("form:1", "form:8"))
    write_pages(load_project(portal.root), project_date())
    assert (
        len(cards(portal) - now) == 2 and len(now - cards(portal)) == 2
    )  # page 4 changed: its old entry goes


def cards(repo: Repo) -> set[str]:
    return {p.name for p in (cache_root(repo.root) / "html").rglob("*.html")}


def project_date() -> dt.date:
    return dt.date.fromisoformat(BUILD_DATE)


def test_a_new_rayzani_build_reads_the_cards_of_unchanged_pages_from_the_cache(portal, tmp_path):
    """Records read back from the record cache name the same cards as records parsed from YAML."""
    command = [sys.executable, "-m", "rayzani.cli", "--root", str(portal.root), "build", "--date", BUILD_DATE]
    subprocess.run([*command, "--site-dir", str(tmp_path / "one")], check=True, capture_output=True)
    kept = cards(portal)
    portal.write("submissions/sample/c7.yml", RECORD.replace("id: c1", "id: c7").replace("form:1", "form:7"))
    subprocess.run([*command, "--site-dir", str(tmp_path / "two")], check=True, capture_output=True)
    assert len(cards(portal) - kept) == 2 and kept <= cards(portal)


def campaign_records(count: int) -> list[Submission]:
    """Comments as they arrive: three campaigns with small edits, and texts of their own."""
    letters = [
        "ما خواستار افزایش مهلت نظرخواهی به ۶۰ روز هستیم زیرا سی روز برای بررسی متن کافی نیست",
        "Publish every comment as open data so that researchers can check the report themselves",
        "گزارش جامع باید آمار استانی را منتشر کند تا سهم استان‌های کم‌برخوردار دیده شود",
    ]
    rng = random.Random(7)
    start = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=3, minutes=30)))
    records = []
    for n in range(count):
        if n % 3:
            body = f"{rng.choice(letters)} {rng.choice(['', 'با احترام', 'thanks'])} {n % 4}"
        else:
            words = ["ماده", "بند", "مهلت", "draft", "article", "گزارش"]
            body = " ".join(rng.choice(words) for _ in range(9))
        records.append(
            Submission(
                id=f"r{n}",
                path=Path(f"r{n}.yml"),
                target="sample",
                received=start + dt.timedelta(minutes=n),
                channel="form",
                source=f"form:{n}",
                language="fa",
                body=body,
                author=Author(type="individual"),
                decision=Decision(status="pending"),
            )
        )
    return records


def grouped(records: list[Submission], cache: Cache) -> list[tuple[str, ...]]:
    return [tuple(m.id for m in g.members) for g in concerns.near_duplicate_groups(records, cache=cache)]


def test_comments_appended_are_grouped_as_a_grouping_from_scratch_would():
    records = campaign_records(400)
    fresh = grouped(records, Cache.in_memory())
    assert len(fresh) >= 3 and sum(len(g) for g in fresh) > 200
    cache = Cache.in_memory()
    grouped(records[:250], cache)
    cache.end_build()
    assert grouped(records, cache) == fresh  # extended from the 250 already grouped
    cache.end_build()
    grouped(records[:300], cache)  # a list that is no extension (comments erased): grouped from scratch
    cache.end_build()
    assert grouped(records, cache) == fresh


def test_an_extended_grouping_reads_the_kept_one_and_groups_only_the_new_comments():
    records = campaign_records(60)
    cache = Cache.in_memory()
    grouped(records[:50], cache)
    cache.end_build()
    (kept,) = cache.shards(concerns.GROUPINGS, concerns.FORMAT).entries.values()
    lone = [i for i in range(50) if kept.roots.count(kept.roots[i]) == 1]
    # Mark two lone comments as one group: an extension keeps the mark, proving it was reused.
    kept.roots[lone[1]] = lone[0]
    assert (f"r{lone[0]}", f"r{lone[1]}") in grouped(records, cache)


def test_a_new_process_reads_the_features_and_groupings_an_earlier_build_kept(tmp_path, monkeypatch):
    """The near-duplicate namespaces are kept on disk: a new store cuts no text met before."""
    records = campaign_records(80)
    first = Cache(tmp_path / "cache")
    fresh = grouped(records, first)
    first.end_build()
    assert list((tmp_path / "cache" / concerns.FEATURES).glob("*.pickle"))
    monkeypatch.setattr(concerns, "_features", lambda text: pytest.fail(f"{text!r} was cut again"))
    assert grouped(records, Cache(tmp_path / "cache")) == fresh


def test_each_rebuild_of_a_serving_process_frees_the_portal_before(portal):
    """Loaded portals are frozen out of the cycle collector's walks; the next load frees them."""
    cache = Cache.for_checkout(portal.root)  # one store, as `rayzani serve` keeps
    project = load_project(portal.root, cache=cache)
    write_pages(project, project_date())
    earlier = weakref.ref(project.portal)
    project.portal.__dict__["itself"] = project.portal  # held only by a reference cycle
    del project
    write_pages(load_project(portal.root, cache=cache), project_date())
    assert earlier() is None


def reference_shards(site: dict[str, str]) -> dict[str, str]:
    return {path: data for path, data in site.items() if path.startswith("search/references/")}


def test_a_rebuild_makes_again_only_the_reference_shards_of_a_new_comment(portal, tmp_path, monkeypatch):
    """The shards of unchanged comments come from the store; the new comment's shard is made
    anew in each language, and every shard equals a cold build's, byte for byte."""
    from rayzani.model.references import derived_reference
    from rayzani.site.files import search_references

    build(portal, tmp_path / "first")
    portal.write("submissions/sample/c7.yml", RECORD.replace("id: c1", "id: c7").replace("form:1", "form:7"))
    made: list[str] = []
    write = search_references.shard_bytes

    def counting(shard):  # type: ignore[no-untyped-def]
        made.extend(shard["comments"])
        return write(shard)

    monkeypatch.setattr(search_references, "shard_bytes", counting)
    warm = reference_shards(build(portal, tmp_path / "warm"))
    new = derived_reference("sample", "c7").replace("-", "")
    assert new in made and {m[:2] for m in made} == {new[:2]}, "only the new comment's shard is made"
    assert len([m for m in made if m == new]) == 2, "once in each language"
    assert any(new in data for data in warm.values())
    shutil.rmtree(cache_root(portal.root))
    made.clear()
    assert reference_shards(build(portal, tmp_path / "cold")) == warm
    assert new in made and len({m[:2] for m in made}) > 1, "a cold build makes every shard"


def test_a_renamed_draft_renames_it_in_every_kept_reference_shard(portal, tmp_path):
    """What a shard says beside its comments (the draft's title, its articles) is part of what
    names it in the store: editing the draft changes shards no record changed in."""
    before = reference_shards(build(portal, tmp_path / "first"))
    portal.edit("content/drafts/sample/index.fa.md", "title: آیین‌نامه آزمایشی", "title: آیین‌نامه بازنگری‌شده")
    portal.edit("content/drafts/sample/index.fa.md", "## ماده ۱ — تعاریف", "## ماده ۱ (تعاریف)")
    warm = reference_shards(build(portal, tmp_path / "warm"))
    assert warm != before
    assert all("بازنگری‌شده" in data for path, data in warm.items() if "/fa/" in path)
    shutil.rmtree(cache_root(portal.root))
    assert reference_shards(build(portal, tmp_path / "cold")) == warm
