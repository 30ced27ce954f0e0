"""The JSON API for provisioning systems: per-operator API tokens and the role-change endpoints.

A token authenticates one operator; that operator's permissions and the same services as the web
(`accounts.role_changes`) decide and record everything. Browser sessions are not accepted here.
"""
