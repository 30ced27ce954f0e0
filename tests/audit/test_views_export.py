def test_exporting_the_log_is_itself_recorded(audrey_client):
    from zoomadmin_site.audit.models import AuditEvent

    response = audrey_client.get("/audit/export.csv?outcome=failed")
    b"".join(response.streaming_content)
    event = AuditEvent.objects.get(action="audit.export")
    assert event.actor_label == "audrey"
    assert event.after == {"filters": {"outcome": "failed"}, "format": "csv", "as_of_seq": event.seq - 1}
