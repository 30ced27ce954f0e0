"""`make run`'s local .env: written once, only what is missing, never over what somebody wrote."""

from __future__ import annotations

from zoomadmin_site.localenv import defined_names, ensure_local_env


def test_a_missing_env_file_gets_both_secrets_readable_by_its_owner_only(tmp_path):
    path = tmp_path / ".env"
    assert ensure_local_env(path, base_dir=tmp_path) == ["SECRET_KEY", "ZOOM_WEBHOOK_SECRET_TOKEN"]
    assert defined_names(path.read_text()) == {"SECRET_KEY", "ZOOM_WEBHOOK_SECRET_TOKEN"}
    assert path.stat().st_mode & 0o777 == 0o600


def test_running_again_changes_nothing(tmp_path):
    path = tmp_path / ".env"
    ensure_local_env(path, base_dir=tmp_path)
    before = path.read_text()
    assert ensure_local_env(path, base_dir=tmp_path) == []
    assert path.read_text() == before


def test_a_file_somebody_wrote_keeps_every_line_and_only_gains_what_it_lacks(tmp_path):
    path = tmp_path / ".env"
    mine = "# mine\nexport SECRET_KEY='my own key'\nDATABASE_URL=postgres://db/zoomadmin"  # no final newline
    path.write_text(mine)
    assert ensure_local_env(path, base_dir=tmp_path) == ["ZOOM_WEBHOOK_SECRET_TOKEN"]
    text = path.read_text()
    assert text.startswith(mine + "\n")
    assert text.count("SECRET_KEY=") == 1  # the webhook line holds "SECRET_TOKEN", not this


def test_an_empty_value_counts_as_missing(tmp_path):
    path = tmp_path / ".env"
    path.write_text("SECRET_KEY=\nZOOM_WEBHOOK_SECRET_TOKEN=''\n")
    assert ensure_local_env(path, base_dir=tmp_path) == ["SECRET_KEY", "ZOOM_WEBHOOK_SECRET_TOKEN"]


def test_secrets_an_older_make_run_kept_under_var_are_reused(tmp_path):
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "secret_key").write_text("kept-key\n")
    (tmp_path / "var" / "webhook_secret").write_text("kept-token\n")
    path = tmp_path / ".env"
    ensure_local_env(path, base_dir=tmp_path)
    assert "SECRET_KEY=kept-key\n" in path.read_text()
    assert "ZOOM_WEBHOOK_SECRET_TOKEN=kept-token\n" in path.read_text()
