"""The web process freezes what it loaded at startup out of the garbage collector's full collections
(config/wsgi.py), so that a full collection walks what requests made, not the ~100k objects of every module,
setting and view: before, each one cost 50-140 ms of the request it landed in (bench/bench_queue.py)."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.deploy

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import gc
import config.wsgi
print(gc.get_freeze_count(), len(gc.get_objects()))
"""


def test_the_wsgi_application_leaves_its_startup_heap_out_of_full_collections():
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.test", PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    frozen, tracked = map(int, done.stdout.split())
    assert frozen > 50_000  # modules, settings, the URLconf and its views
    assert tracked < frozen / 5  # what a full collection still walks
