"""API tokens: one operator's credential for the JSON API, kept as a hash (the secret is shown once)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

TOKEN_PREFIX = "za"  # noqa: S105 - the tokens' public marker


class ApiToken(models.Model):
    """An operator's API token `za_<prefix>_<secret>`.

    - `prefix`: 8 hex characters, public: shown in lists and logs to tell tokens apart, and the key the
      token is looked up by.
    - `secret_hash`: SHA-256 (hex) of the whole token. The token is 256 random bits, so a plain hash is
      enough (no slow password hash); the secret itself is never stored.
    - `revoked_at`: set once, never cleared; a revoked token is refused.
    - `last_used_at`: updated at most once a minute.
    """

    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        default_permissions = ()
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.display})"

    @property
    def display(self) -> str:
        """How the token is shown once its secret is gone: `za_<prefix>_…`."""
        return f"{TOKEN_PREFIX}_{self.prefix}_…"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
