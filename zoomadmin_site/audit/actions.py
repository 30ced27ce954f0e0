"""Names of the audit actions written by sign-in, the login throttle, access control and operator
administration: dotted `<area>.<verb>`, like every action (see `AuditEvent.action`).

`AuditEvent.action` is free text; these constants keep the writers and their tests on one spelling
until the actions become model choices.
"""

from __future__ import annotations

AUTH_LOGIN = "auth.login"
AUTH_LOGOUT = "auth.logout"
AUTH_LOGIN_FAILED = "auth.login_failed"
# A username or a client address was locked out after too many failed logins (one event per lockout;
# the attempts refused during it are not recorded one by one).
AUTH_LOCKOUT = "auth.lockout"

# A state-changing request (POST, PUT, PATCH, DELETE) refused with a 403.
ACCESS_DENIED = "access.denied"

# Operator accounts, as changed in Django admin (or by a command: the actor is then "system").
OPERATOR_CREATE = "operator.create"
OPERATOR_UPDATE = "operator.update"  # username, active, staff or superuser changed
OPERATOR_PASSWORD_CHANGE = "operator.password_change"  # noqa: S105 - an action name
OPERATOR_GROUPS_CHANGE = "operator.groups_change"
OPERATOR_PERMISSIONS_CHANGE = "operator.permissions_change"  # permissions held directly
OPERATOR_DELETE = "operator.delete"

# Operator groups (roles): created, renamed, their permissions changed, deleted.
OPERATOR_GROUP_CREATE = "operator_group.create"
OPERATOR_GROUP_UPDATE = "operator_group.update"
OPERATOR_GROUP_PERMISSIONS_CHANGE = "operator_group.permissions_change"
OPERATOR_GROUP_DELETE = "operator_group.delete"

OPERATOR = "operator"
OPERATOR_GROUP = "operator_group"
CLIENT_ADDRESS = "client_address"
URL = "url"
