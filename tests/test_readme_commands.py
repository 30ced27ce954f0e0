"""Every `manage.py` command the README shows works as written right after `make run`'s set-up, in a
fresh copy of the project, from a shell with no variable exported (only the virtualenv activated, as the
README says), on the sandbox default.

The copy holds the files git tracks or would (untracked, not ignored), as a fresh clone of them does.
`make setup` (what `make run` does before it serves) runs in it, then the background worker runs what
setup queued (the first sync), as it does beside the server in `make run`. The copy's virtualenv sees
this run's installed packages but not this checkout's own code (the editable install would import this
checkout instead of the copy).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
# Inline `python manage.py ...` spans and lines of the README's code blocks.
COMMAND = re.compile(r"`(python manage\.py [^`]+)`|^(python manage\.py .+?)(?:\s+#.*)?$", re.MULTILINE)
SERVERS = {"zoom_sandbox serve"}  # commands that serve until stopped: they must come up and answer
INTERACTIVE = {"createsuperuser"}  # prompts; without a terminal Django skips it and says so


def readme_commands() -> list[str]:
    return [(inline or line).strip() for inline, line in COMMAND.findall(README)]


def shell_env(copy: Path) -> dict[str, str]:
    """A new shell with the copy's virtualenv activated, and nothing else."""
    return {
        "PATH": f"{copy / '.venv' / 'bin'}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "VIRTUAL_ENV": str(copy / ".venv"),
        "HOME": str(copy.parent),
        "LANG": "C.UTF-8",
    }


def make_virtualenv(copy: Path) -> None:
    """A virtualenv in the copy that reads this run's site-packages as a plain path (a .pth line): the
    packages import, but the editable install's finder, which maps our packages to this checkout, is not
    loaded."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(copy / ".venv")], check=True)
    (site,) = (copy / ".venv" / "lib").glob("python3*/site-packages")
    installed = next(
        p for p in map(Path, sys.path) if p.name == "site-packages" and p.is_relative_to(sys.prefix)
    )
    (site / "zoomadmin-test-packages.pth").write_text(f"{installed}\n")
    (copy / ".venv" / ".installed").touch()


def tracked_files() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return [name for name in out.stdout.split("\0") if name]


@pytest.fixture(scope="module")
def fresh_copy(tmp_path_factory):
    """A copy of the tracked files after `make setup`, with a virtualenv of its own."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs the project's git checkout")
    if os.environ.get("DATABASE_URL"):
        # A fresh clone's commands run on its default SQLite files whatever this run's database: the
        # SQLite pass of CI covers them, the PostgreSQL pass would only repeat it.
        pytest.skip("covered by the run on the default database")
    copy = tmp_path_factory.mktemp("fresh") / "zoomadmin"
    for name in tracked_files():
        if (ROOT / name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, copy / name)
    make_virtualenv(copy)
    setup = subprocess.run(
        # make must not reinstall the virtualenv (-o: take it as up to date).
        ["make", "setup", "-o", ".venv/.installed", "SANDBOX_USERS=40", "SANDBOX_MEETINGS=200"],
        cwd=copy,
        env=shell_env(copy),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert setup.returncode == 0, setup.stdout + setup.stderr
    worker = subprocess.run(
        [
            str(copy / ".venv/bin/python"),
            "manage.py",
            "db_worker",
            "--batch",
            "--no-reload",
            "--no-startup-delay",
        ],
        cwd=copy,
        env=shell_env(copy),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert worker.returncode == 0, worker.stdout + worker.stderr
    return copy


def test_the_readme_shows_the_commands_this_test_runs():
    names = {" ".join(command.split()[2:4]) for command in readme_commands()}
    assert {
        "zoom_sandbox seed",
        "zoom_sandbox serve",
        "zoom_sync",
        "audit_verify",
        "createsuperuser",
    } <= names


def test_make_setup_wrote_a_local_env_with_the_secrets(fresh_copy):
    copy = fresh_copy
    text = (copy / ".env").read_text()
    assert re.search(r"^SECRET_KEY=\S{40,}$", text, re.MULTILINE)
    assert re.search(r"^ZOOM_WEBHOOK_SECRET_TOKEN=\S{40,}$", text, re.MULTILINE)
    assert (copy / ".env").stat().st_mode & 0o077 == 0  # readable by its owner only


@pytest.mark.parametrize("command", readme_commands())
def test_readme_command_works_as_written(fresh_copy, command):
    copy = fresh_copy
    args = command.split()
    args[0] = str(copy / ".venv" / "bin" / "python")  # what `python` is in the activated virtualenv
    name = " ".join(command.split()[2:4])
    if name in SERVERS:
        assert_serves(args, cwd=copy, env=shell_env(copy))
        return
    result = subprocess.run(
        args,
        cwd=copy,
        env=shell_env(copy),
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert "ImproperlyConfigured" not in output, output
    if command.split()[2] in INTERACTIVE:
        assert "Superuser creation skipped due to not running in a TTY" in output, output
    assert result.returncode == 0, output


def assert_serves(args: list[str], *, cwd: Path, env: dict[str, str]) -> None:
    port = int(args[args.index("--port") + 1])
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            pytest.skip(f"port {port} is taken on this machine")
    server = subprocess.Popen(
        args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert server.poll() is None, server.stdout.read() if server.stdout else ""
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    return
            time.sleep(0.2)
        pytest.fail(f"{' '.join(args)} did not listen on port {port} within 60 s")
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
