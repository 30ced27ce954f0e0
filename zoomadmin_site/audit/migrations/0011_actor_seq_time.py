"""The audit list's actor index holds each event's time, action and outcome beside its seq, so that one
actor's events in a date range are walked newest first, and their outcomes counted, from the index alone
(selectors._date_seq_window, _newest_outcomes). It replaces the (actor_label, -seq) index, whose walks
it serves as well: the log keeps as many indexes to write per event as before."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0010_timeline_indexes"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="auditevent", name="audit_actor_label_seq"),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                fields=["actor_label", "-seq", "time", "action", "outcome"], name="audit_actor_seq_time"
            ),
        ),
    ]
