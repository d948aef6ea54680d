import gc
import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
application = get_wsgi_application()

# A WSGI server (gunicorn, uwsgi) does not run Django's system checks; refuse to serve unsafe settings here,
# as `runserver` would (moderation.checks: the demo SECRET_KEY, the demo users outside DEBUG).
from moderation.public import startup_errors  # noqa: E402

if _errors := startup_errors():
    raise ImproperlyConfigured("Refusing to start:\n" + "\n".join(f"{e.id}: {e.msg}" for e in _errors))

# What is loaded by now (modules, settings, the URLconf and the views the checks imported: ~100k objects)
# lives as long as the process. Frozen, the garbage collector's full collections skip it: otherwise each one
# walked it all, 50-140 ms landing in whichever request triggered it (every few dozen requests; the worst
# p95 of bench/bench_queue.py). Nothing frozen is ever freed; these objects never are anyway.
gc.freeze()
