"""A fresh Spirit database (SQLite under a temporary ``VAR_DIR``, migrated and seeded as ``make run-spirit``
seeds it) for tests that run a script inside Spirit's settings: Spirit cannot share the suite's settings, so
such a script runs in a process of its own. No worker: these tests are about what is synchronous."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


class FreshSpirit:
    def __init__(self, directory: Path):
        self.env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        self.env.update({"DJANGO_SETTINGS_MODULE": "integrations.spirit.settings", "VAR_DIR": str(directory),
                         "DEBUG": "1", "PYTHONPATH": str(ROOT)})
        self.python("manage.py", "migrate", "--noinput", "-v0")
        self.python("manage.py", "seed_spirit_demo")

    def python(self, *args: str) -> str:
        done = subprocess.run([sys.executable, *args], cwd=ROOT, env=self.env, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, done.stderr[-4000:]
        return done.stdout

    def run(self, script: str) -> tuple[dict, list[str]]:
        """Run ``script`` after ``django.setup()``; it prints one JSON object last. Returns it and the lines
        printed before it."""
        lines = self.python("-c", "import django\ndjango.setup()\n" + script).strip().splitlines()
        return json.loads(lines[-1]), lines[:-1]


@pytest.fixture
def fresh_spirit(tmp_path) -> FreshSpirit:
    return FreshSpirit(tmp_path)
