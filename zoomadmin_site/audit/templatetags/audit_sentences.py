from __future__ import annotations

from django import template

from zoomadmin_site.audit.models import AuditEvent
from zoomadmin_site.audit.sentences import event_sentence

register = template.Library()


@register.filter
def audit_sentence(event: AuditEvent) -> str:
    """The event as a sentence (plain text: escape it, and isolate Zoom's words with zoom_text)."""
    return event_sentence(event)
