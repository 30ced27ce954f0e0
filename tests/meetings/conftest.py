from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    """The department list is cached; start every test cold so query counts do not depend on order."""
    cache.clear()
    yield
    cache.clear()
