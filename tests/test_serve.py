"""`rayzani serve` regenerates the pages when an editor saves a record, and only then."""

from __future__ import annotations

import shutil
import time

from conftest import RECORD, today

from rayzani.build.serve import _Regenerate, watch
from rayzani.cache.store import Cache, cache_root
from rayzani.project import load_project


def wait_for(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_saving_a_record_regenerates_its_page_and_reading_does_not(repo):
    page = repo.root / "build/framed/drafts/sample/comments/art-1/index.fa.html"
    observer, handler = watch(repo.root, today())
    try:
        assert page.is_file() and "نظر آزمایشی" in page.read_text(encoding="utf-8")
        repo.edit("submissions/sample/c1.yml", "نظر آزمایشی", "نظر ویرایش‌شده")
        assert wait_for(lambda: "نظر ویرایش‌شده" in page.read_text(encoding="utf-8"))
        runs = handler.runs
        (repo.root / "submissions/sample/c1.yml").read_text(encoding="utf-8")  # only a read
        time.sleep(1.5)
        assert handler.runs == runs
    finally:
        observer.stop()
        observer.join()


def test_each_rebuild_of_the_server_reuses_what_its_own_store_kept_in_memory(repo, monkeypatch):
    """The server's one store, not a module global, keeps the records read between rebuilds:
    with the cache folder gone and parsing refused, a rebuild still reads every unchanged
    record, and parses only the one that changed."""
    from rayzani.load import records as loader

    handler = _Regenerate(repo.root, today())
    assert handler.regenerate()
    shutil.rmtree(cache_root(repo.root))
    parsed: list[str] = []
    parse = loader.load_submission

    def counting(path, problems):  # type: ignore[no-untyped-def]
        parsed.append(path.name)
        return parse(path, problems)

    monkeypatch.setattr(loader, "load_submission", counting)
    repo.write("submissions/sample/c2.yml", RECORD.replace("id: c1", "id: c2").replace("form:1", "form:2"))
    assert handler.regenerate()
    assert parsed == ["c2.yml"]
    page = repo.root / "build/framed/drafts/sample/comments/art-1/index.fa.html"
    assert 'id="c-c2"' in page.read_text(encoding="utf-8")
    # A store of its own (a new `rayzani build`) lacks that memory: c1's entry went with the
    # folder (the rebuild rewrote only the shard c2 changed), so it parses c1 again.
    parsed.clear()
    load_project(repo.root, today(), Cache.for_checkout(repo.root))
    assert "c1.yml" in parsed
