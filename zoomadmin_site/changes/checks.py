"""Checks every flow's preflight makes the same way."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from zoomadmin_site.changes.plans import Check, CheckOutcome
from zoomadmin_site.zoom import ZoomError, describe_missing_scopes, missing_scopes

SCOPES_LABEL = "The app's token has the scopes"


def read_failed(key: str, label: str, error: ZoomError) -> Check:
    """A check that could not be made because Zoom could not be read."""
    return Check(
        key,
        label,
        CheckOutcome.FAIL,
        f"Zoom could not be read: {error.explanation}",
        error.remedy,
        {"error": error.reason, "code": error.code},
    )


def scopes_check(scopes: frozenset[str] | ZoomError | Any, operations: Sequence[str]) -> Check:
    """Whether the token's scopes (or the error reading them) allow every client operation named."""
    if isinstance(scopes, ZoomError):
        return read_failed("scopes", SCOPES_LABEL, scopes)
    missing = missing_scopes(operations, scopes)
    if missing:
        return Check(
            "scopes",
            SCOPES_LABEL,
            CheckOutcome.FAIL,
            f"Missing: {', '.join(missing)}.",
            describe_missing_scopes(missing),
            {"missing": missing},
        )
    return Check(
        "scopes",
        SCOPES_LABEL,
        CheckOutcome.PASS,
        "The token carries every scope these calls need.",
        "",
        {"missing": []},
    )
