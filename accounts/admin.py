"""Read-only admin views of the user mirror (the sync writes it; nobody edits it by hand). search_fields
cover what the Users page searches, so the two can be compared like for like."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from accounts.models import Delegation, ZoomRole, ZoomUser


class ReadOnlyMirrorAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ZoomUser)
class ZoomUserAdmin(ReadOnlyMirrorAdmin):
    list_display = ["display_name", "email", "dept", "role_id", "type", "status", "last_login", "gone_at"]
    list_filter = ["type", "status", "role_id"]
    search_fields = ["display_name", "first_name", "last_name", "email", "dept", "zoom_id"]
    ordering = ["display_name", "id"]


@admin.register(ZoomRole)
class ZoomRoleAdmin(ReadOnlyMirrorAdmin):
    list_display = ["role_id", "name", "total_members", "synced_at", "gone_at"]
    search_fields = ["role_id", "name"]


@admin.register(Delegation)
class DelegationAdmin(ReadOnlyMirrorAdmin):
    list_display = ["assistant_zoom_id", "host_zoom_id", "can_manage_host_private_event", "gone_at"]
    search_fields = ["assistant_zoom_id", "host_zoom_id"]
