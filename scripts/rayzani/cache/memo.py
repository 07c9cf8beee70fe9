"""Results computed once per loaded portal: several pages need the same statistics or indexes.

Only the current portal's results are kept (a rebuild loads a new one), so nothing computed
from records that have since changed or been erased lives on.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")

_KEPT: dict[Hashable, Any] = {}
# A weak reference: the memo must not keep a portal alive past its build (see caches.long_lived_objects).
_OWNER: list[weakref.ref | None] = [None]


def per_portal(portal: object, key: Hashable, make: Callable[[], T]) -> T:
    """`make()` once for this portal and key (the key names the inputs besides the portal)."""
    owner = _OWNER[0]
    if owner is None or owner() is not portal:
        _KEPT.clear()
        _OWNER[0] = weakref.ref(portal)
    if key not in _KEPT:
        _KEPT[key] = make()
    return _KEPT[key]
