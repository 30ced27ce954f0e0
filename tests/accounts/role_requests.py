"""What the role change request tests share (their fixtures are in conftest.py)."""

PRIYA = "priya.raman@example.com"  # a Member in the sandbox
ADMIN = {"role_name": "Admin"}
REASON = "Runs the webinar team from next week"
COMMENT = "Agreed with her manager"
