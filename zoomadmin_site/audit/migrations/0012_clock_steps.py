"""Clock steps (AuditClockStep): the events recorded at an earlier time than the event before them. The
audit list maps a date range to a run of seqs between them (selectors._date_seq_window). This migration
records the steps already in the log, in one pass of the database (a window function, on SQLite and
PostgreSQL alike); from now on audit_record records each one as it appends."""

from django.db import migrations, models

STEPS = """
SELECT seq, time, previous_time FROM (
    SELECT seq, time, LAG(time) OVER (ORDER BY seq) AS previous_time FROM audit_auditevent
) AS ordered
WHERE previous_time > time
"""
FIND_STEPS = "INSERT INTO audit_auditclockstep (seq, time, previous_time)" + STEPS


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0011_actor_seq_time"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditClockStep",
            fields=[
                ("seq", models.BigIntegerField(primary_key=True, serialize=False)),
                ("time", models.DateTimeField()),
                ("previous_time", models.DateTimeField()),
            ],
            options={"ordering": ("seq",), "default_permissions": ()},
        ),
        migrations.RunSQL(FIND_STEPS, reverse_sql=migrations.RunSQL.noop),
    ]
