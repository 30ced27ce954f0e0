from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend


class OperatorBackend(ModelBackend):
    """Django's model backend, except that demo operators only work against the sandbox."""

    def user_can_authenticate(self, user: Any) -> bool:
        if not super().user_can_authenticate(user):
            return False
        return settings.ZOOM_MODE == "sandbox" or not hasattr(user, "demo_marker")
