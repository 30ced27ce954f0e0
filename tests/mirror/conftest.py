from __future__ import annotations

import pytest

from tests.mirror.webhook_support import SECRET


@pytest.fixture
def webhook_secret(settings):
    """The secret that signed test deliveries use (tests.mirror.webhook_support.post_event)."""
    settings.ZOOM_WEBHOOK_SECRET_TOKEN = SECRET
    return SECRET
