"""`rayzani serve` regenerates the pages when an editor saves a record, and only then."""

from __future__ import annotations

import time

from conftest import today

from rayzani.build.serve import watch


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
