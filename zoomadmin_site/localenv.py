"""The local demo's `.env`: `make run` calls this before anything else, so that every `manage.py` command
the README shows finds the same SECRET_KEY and webhook secret token, with no variable to export.

It only adds what the file lacks: a `.env` somebody wrote keeps every line (and the environment still wins
over it, as always). Production never runs this: there a missing SECRET_KEY still stops Django with a
clear error. Plain Python, no Django (settings cannot load
before the key exists).

    python -m zoomadmin_site.localenv [PATH]     # default: .env beside manage.py
"""

from __future__ import annotations

import re
import secrets
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
GENERATED = ("SECRET_KEY", "ZOOM_WEBHOOK_SECRET_TOKEN")
# Where `make run` kept them before it wrote a .env: reused, so that sessions and the sandbox's webhook
# subscription survive the upgrade.
LEGACY_FILES = {"SECRET_KEY": "var/secret_key", "ZOOM_WEBHOOK_SECRET_TOKEN": "var/webhook_secret"}
HEADER = (
    "# Written by `make run` for the local sandbox demo; never committed (.gitignore).\n"
    "# Edit freely: make run only adds missing values. Every variable is described in .env.example.\n"
)
_ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$")


def defined_names(text: str) -> set[str]:
    """The variables a .env file gives a non-empty value."""
    names = set()
    for line in text.splitlines():
        match = _ASSIGNMENT.match(line)
        if match and match.group(2).strip("'\""):
            names.add(match.group(1))
    return names


def _value(name: str, base_dir: Path) -> str:
    legacy = base_dir / LEGACY_FILES[name]
    if legacy.is_file() and (kept := legacy.read_text().strip()):
        return kept
    return secrets.token_urlsafe(50)


def ensure_local_env(path: Path, *, base_dir: Path = BASE_DIR) -> list[str]:
    """Add the generated variables that `path` does not define; returns their names."""
    text = path.read_text() if path.exists() else ""
    present = defined_names(text)
    missing = [name for name in GENERATED if name not in present]
    if not missing:
        return []
    lines = [f"{name}={_value(name, base_dir)}\n" for name in missing]
    prefix = HEADER if not text else ("" if text.endswith("\n") else "\n")
    with path.open("a") as env_file:
        env_file.write(prefix + "".join(lines))
    path.chmod(0o600)
    return missing


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else BASE_DIR / ".env"
    added = ensure_local_env(path)
    if added:
        print(f"Wrote {', '.join(added)} to {path} (local demo settings; make run never overwrites them).")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
