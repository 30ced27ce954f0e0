"""An event's recorded before and after as rows an auditor reads: one per dotted field path
(`role_name`, `checks.0.outcome`), old → new, with the unchanged ones told apart so the page can fold them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

MISSING = object()  # a path one side does not have (not the same as a recorded null)
CHANGED, ADDED, REMOVED, SAME = "changed", "added", "removed", "same"


@dataclass(frozen=True)
class DiffRow:
    path: str  # dotted: keys of objects, indexes of lists ("checks.0.outcome")
    old: str  # shown as text; "" when the path is missing on that side (see `kind`)
    new: str
    kind: str  # changed, added (only after), removed (only before) or same

    @property
    def changed(self) -> bool:
        return self.kind != SAME


def diff_rows(before: Any, after: Any) -> list[DiffRow]:
    """Every leaf path of `before` and `after`, in path order (keys sorted, list items in order)."""
    old, new = _flatten(before), _flatten(after)
    rows = []
    for path in _ordered_paths(old, new):
        was, now = old.get(path, MISSING), new.get(path, MISSING)
        if was is MISSING:
            kind = ADDED
        elif now is MISSING:
            kind = REMOVED
        else:
            kind = SAME if _same(was, now) else CHANGED
        rows.append(DiffRow(path=path, old=_shown(was), new=_shown(now), kind=kind))
    return rows


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Leaf path -> value. An empty object or list is a leaf of its own; None as a whole is nothing."""
    if value is None and not prefix:
        return {}
    if isinstance(value, dict) and value:
        leaves: dict[str, Any] = {}
        for key in sorted(value, key=str):
            leaves.update(_flatten(value[key], f"{prefix}.{key}" if prefix else str(key)))
        return leaves
    if isinstance(value, list) and value:
        leaves = {}
        for index, item in enumerate(value):
            leaves.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return leaves
    return {prefix or "(value)": value}


def _ordered_paths(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """The paths of both sides, sorted: keys as text, list indexes as numbers."""
    return sorted(set(old) | set(new), key=_path_key)


def _path_key(path: str) -> tuple[tuple[int, int | str], ...]:
    # List indexes sort as numbers ("checks.2" before "checks.10"), keys as text.
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in path.split("."))


def _same(was: Any, now: Any) -> bool:
    # 1 and True, or 1 and 1.0, are equal in Python but not the same recorded value.
    return type(was) is type(now) and was == now


def _shown(value: Any) -> str:
    if value is MISSING:
        return ""
    if isinstance(value, str):
        return value if value else '""'
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
