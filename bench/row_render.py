"""What the search pages' 50 result rows cost to render: rows built by template tags against rows as
template partials, the alternative to building them in Python.

    .venv/bin/python -m bench.row_render [--baseline a5d1572] [--repeat 300]

In-process, no server: a throwaway SQLite database holds a page and more of users and of upcoming
meetings (pending, gone and hostile rows among them); the real views build their context (as an IT admin,
so rows carry their Refresh button), then templates render it through the project's template backend with
DEBUG off, so through the cached loader as in production, warmed first. Three ways to render the rows:

- tags_baseline: the tags as they were at `--baseline` (templates and tags checked out from git into a
  temporary directory), before this change;
- tags: the tags now (bidi isolation, refresh only for well-formed keys, URL keys through the converter);
- partials: the same rows as a template partial (bench/templates/row_render/, values prepared once per
  page in Python by bench/row_render_partials.py so that the template does as little as it can).

Each is timed on the 50 rows alone ("rows"), and the tags also on the results region an htmx search swaps
in ("fragment") and on the whole page ("page"). Renders alternate, in batches of ten; figures are medians
over `--repeat` batches, in ms per render, of this process's CPU time (the machine is shared: wall-clock
time counts other processes' turns). A shared machine under load still runs a process slower (caches, the
sibling hyperthread), so the harness's CPU probe workload is timed the same way before and after, and
each extra is also given scaled to the probe of the search benchmark (bench/results/search-sqlite.json,
an unloaded run), whose p95s it would add to: `extra_ms * search probe / this run's probe`.

Results go to bench/results/row-render.json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from bench import harness

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "a5d1572"  # the last commit whose rows were built by template tags
BATCH = 10  # renders per timed batch
# What the rows may cost over the tags: the search pages' p95s leave a few ms under their 25 ms target.
ALLOWANCE_MS = 1.5
ROWS = 50


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--baseline", default=BASELINE, help="git commit with the tag-built rows")
    parser.add_argument("--repeat", type=int, default=300, help="timed batches of each render")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="row-render-") as tmp:
        os.environ.update(
            DJANGO_SETTINGS_MODULE="tests.settings",
            DATABASE_URL=f"sqlite:///{tmp}/bench.sqlite3",
            ALLOWED_HOSTS="testserver",
            DEBUG="false",
        )
        old_templates = checkout_baseline(args.baseline, Path(tmp))
        result = run(args.baseline, old_templates, args.repeat)
    from bench.harness import write_result

    write_result("row-render", {"benchmark": "row_render", **result})


def checkout_baseline(commit: str, tmp: Path) -> Path:
    """The baseline's templates, and its tag modules as the importable package `row_render_baseline`."""
    archive = subprocess.run(
        ["git", "archive", commit, "templates", "accounts/templatetags", "meetings/templatetags"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(tmp)], input=archive, check=True)
    package = tmp / "row_render_baseline"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for app, name in (("accounts", "search_tables"), ("meetings", "meeting_tables")):
        source = (tmp / app / "templatetags" / f"{name}.py").read_text()
        source = source.replace(
            "from accounts.templatetags.search_tables", "from row_render_baseline.search_tables"
        )
        (package / f"{name}.py").write_text(source)
    sys.path.insert(0, str(tmp))
    return tmp / "templates"


def run(baseline: str, old_templates: Path, repeat: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.template import engines
    from django.template.backends.django import DjangoTemplates
    from django.test import Client

    from bench.harness import environment

    assert not settings.DEBUG
    call_command("migrate", verbosity=0)
    operator = make_data()
    new = engines["django"]
    options = cast(dict[str, Any], settings.TEMPLATES[0]["OPTIONS"])

    def backend(name: str, dirs: list[Path], libraries: dict[str, str]) -> Any:
        settings_ = {"NAME": name, "DIRS": dirs, "APP_DIRS": True}
        return DjangoTemplates({**settings_, "OPTIONS": {**options, "libraries": libraries}})

    old = backend(
        "baseline",
        [old_templates],
        {
            "search_tables": "row_render_baseline.search_tables",
            "meeting_tables": "row_render_baseline.meeting_tables",
        },
    )
    partials = backend(
        "partials", [ROOT / "bench" / "templates"], {"row_render_partials": "bench.row_render_partials"}
    )
    candidate = partials.get_template
    client = Client()
    client.force_login(operator)
    probe_before = cpu_probe_ms()
    figures: dict[str, Any] = {}
    for page, path, noun in (("users", "/users/", "user"), ("meetings", "/meetings/", "meeting")):
        request, name, context = captured(client, path)
        assert len(context["page"].rows) == ROWS, f"{path}: expected {ROWS} rows"
        app = "accounts" if noun == "user" else "meetings"
        rows = {"rows": context["page"].rows, "can_refresh": True}
        figures[page] = {
            "rows": compare(
                {
                    "tags_baseline": renderer(old.get_template(f"{app}/_{noun}_row.html"), rows, request),
                    "tags": renderer(new.get_template(f"{name}#rows"), rows, request),
                    "partials": renderer(candidate(f"row_render/{noun}_rows.html"), rows, request),
                },
                repeat=repeat,
            ),
            **{
                what: compare(
                    {
                        "tags_baseline": renderer(old.get_template(f"{name}{suffix}"), context, request),
                        "tags": renderer(new.get_template(f"{name}{suffix}"), context, request),
                    },
                    repeat=repeat,
                )
                for what, suffix in (("fragment", "#results"), ("page", ""))
            },
        }
        print(page, figures[page], flush=True)
    probe_after = cpu_probe_ms()
    probe = (probe_before + probe_after) / 2
    search_probe = json.loads((ROOT / "bench/results/search-sqlite.json").read_text())["environment"]
    scale = search_probe["cpu_probe_ms"] / probe
    for page_figures in figures.values():
        for figure in page_figures.values():
            for key in [k for k in figure if k.startswith("extra_")]:
                figure[f"{key}_at_search_probe"] = round(figure[key] * scale, 3)
    rows_extra = {page: figures[page]["rows"]["extra_partials_ms_at_search_probe"] for page in figures}
    return {
        "baseline": baseline,
        "rows_per_page": ROWS,
        "allowance_ms": ALLOWANCE_MS,
        "verdict": {
            page: f"partials {'over' if extra > ALLOWANCE_MS else 'within'} the allowance: {extra} ms a page"
            for page, extra in rows_extra.items()
        },
        "method": __doc__.split("\n\n", 2)[2].strip(),
        "ms_per_render": figures,
        "cpu_probe_ms_before_after": [probe_before, probe_after],
        "search_benchmark_cpu_probe_ms": search_probe["cpu_probe_ms"],
        "environment": environment(),
    }


def cpu_probe_ms() -> float:
    """bench.harness.cpu_probe_ms's workload, in this process's CPU time."""
    return harness.cpu_probe_ms(time.process_time)


def renderer(template: Any, context: dict[str, Any], request: Any) -> Callable[[], str]:
    return lambda: template.render(context, request)


def captured(client: Any, path: str) -> tuple[Any, str, dict[str, Any]]:
    """The request, template name and context the view renders for `path`."""
    from unittest import mock

    seen: dict[str, Any] = {}

    def record(request: Any, template_name: str, context: dict[str, Any]) -> Any:
        from django.http import HttpResponse

        seen.update(request=request, name=template_name, context=context)
        return HttpResponse()

    with mock.patch("zoomadmin_site.search.pages.render", record):
        assert client.get(path).status_code == 200
    return seen["request"], seen["name"], seen["context"]


def compare(renders: dict[str, Callable[[], str]], *, repeat: int) -> dict[str, float]:
    """Median ms per render of each, and each one's extra over "tags_baseline"."""
    for render in renders.values():
        for _ in range(20):
            render()  # warm: cached templates, compiled lookups
    times: dict[str, list[float]] = {label: [] for label in renders}
    for _ in range(repeat):
        for label, render in renders.items():
            started = time.process_time()
            for _ in range(BATCH):
                render()
            times[label].append((time.process_time() - started) * 1000 / BATCH)
    medians = {label: statistics.median(values) for label, values in times.items()}
    result = {f"{label}_ms": round(ms, 3) for label, ms in medians.items()}
    for label, ms in medians.items():
        if label != "tags_baseline":
            result[f"extra_{label}_ms"] = round(ms - medians["tags_baseline"], 3)
    return result


def make_data() -> Any:
    """A page and more of users and upcoming meetings as a sync would leave them; returns an IT admin."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from accounts.models import ZoomRole, ZoomUser
    from meetings.models import ZoomMeeting
    from zoomadmin_site.roles import IT_ADMIN

    now = timezone.now()
    ZoomRole.objects.create(role_id="RqBLcd1jLS9a7RBkbGtqn2A", name="Help Desk", synced_at=now)
    hostile = "<script>alert('x')</script> & \u202e\"quotes\""
    users = []
    for n in range(ROWS + 10):  # a page's worth is shown, gone users aside
        pending = n % 10 == 3
        users.append(
            ZoomUser(
                zoom_id=None if pending else f"KDcuGIm1QgePTO8W{n:06d}",
                email=f"first.last{n}@example.com" if n != 7 else "o'neil/sales+zoom@example.com",
                first_name=f"First{n}",
                last_name=hostile if n == 5 else f"Lastname{n}",
                display_name="" if n == 5 else f"First{n} Lastname{n}",
                type=(1, 2, 2, 4)[n % 4],
                role_id=("2", "1", "RqBLcd1jLS9a7RBkbGtqn2A", "0")[n % 4],
                status="pending" if pending else ("active", "inactive")[n % 7 == 0],
                dept=("Engineering", "Sales", "Support & Success", "Finance")[n % 4],
                last_login=None if pending else now - datetime.timedelta(days=n),
                synced_at=now,
                gone_at=now if n % 17 == 0 else None,
            )
        )
    ZoomUser.objects.bulk_create(users)
    ZoomMeeting.objects.bulk_create(
        ZoomMeeting(
            meeting_id=85_010_000_000 + n,
            uuid=f"uuid{n}==",
            topic=hostile if n == 5 else f"Weekly pipeline review {n} - West Region",
            type=(2, 8, 3, 2)[n % 4],
            host_zoom_id=f"KDcuGIm1QgePTO8W{n:06d}",
            host_email=f"first.last{n}@example.com",
            host_name="" if n % 9 == 0 else f"First{n} Lastname{n}",
            start_time=None if n % 4 == 2 else now + datetime.timedelta(hours=n + 1),
            duration=(30, 60, None, 45)[n % 4],
            timezone="Europe/London",
            status=("", "", "waiting", "started")[n % 4],
            is_pmi=n % 11 == 0,
            synced_at=now,
            gone_at=None,
        )
        for n in range(ROWS + 10)
    )
    operator = get_user_model().objects.create_user("bench-operator", "", "not-a-secret")
    operator.groups.set([Group.objects.get(name=IT_ADMIN)])
    return operator


if __name__ == "__main__":
    main()
