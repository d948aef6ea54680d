"""docs/integrating.md's settings and URL blocks are the demo's: a host that copies them gets what the demo runs."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "integrating.md").read_text(encoding="utf-8")


def python_blocks() -> list[str]:
    blocks = re.findall(r"^( *)```python\n(.*?)^\1```", DOC, flags=re.S | re.M)
    return [re.sub(rf"^{indent}", "", body, flags=re.M) for indent, body in blocks]


def test_the_celery_settings_block_is_the_demos(settings):
    from config.settings import base

    block = next(b for b in python_blocks() if "CELERY_TASK_ROUTES" in b)
    scope = {}
    exec(block.replace('QUEUE_PREFIX = "yourforum"', f"QUEUE_PREFIX = {base.QUEUE_PREFIX!r}"), scope)
    assert scope["CELERY_TASK_DEFAULT_QUEUE"] == base.CELERY_TASK_DEFAULT_QUEUE
    assert scope["CELERY_TASK_ROUTES"] == base.CELERY_TASK_ROUTES
    assert scope["CELERY_BEAT_SCHEDULE"] == base.CELERY_BEAT_SCHEDULE


def test_the_url_block_has_every_include_of_the_plugin_the_demo_has():
    demo = (ROOT / "config" / "urls.py").read_text(encoding="utf-8")
    plugin_includes = re.findall(r'path\("[^"]*", include\("(?:moderation|disclosure)[^)]*\)\)', demo)
    block = next(b for b in python_blocks() if "urlpatterns" in b)
    assert plugin_includes and all(include in block for include in plugin_includes)


def test_the_installed_apps_named_are_the_demos():
    from config.settings import base

    named = re.search(r"`INSTALLED_APPS \+= \[(.*?)\]`", DOC, flags=re.S).group(1)
    apps = [app.strip().strip('"') for app in named.replace("\n", " ").split(",")]
    assert apps and all(app in base.INSTALLED_APPS for app in apps)
    assert "drf_spectacular_sidecar" in apps
