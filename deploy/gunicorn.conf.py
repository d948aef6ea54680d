"""gunicorn settings for the web process (``gunicorn -c deploy/gunicorn.conf.py config.wsgi``).

Every value can be overridden from the environment, so the same file serves the container, the systemd unit
and the deployment test (tests/deploy/test_gunicorn.py).
"""
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: the views are short database round trips; slow work (classifiers, webhooks) is in Celery.
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so a slow leak never grows for weeks.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 1000))
max_requests_jitter = 100
# The proxy in front sets X-Forwarded-Proto; trust it only from the proxy's address.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Access log to stdout (journald / docker collect it); Django's own logs are JSON lines (LOG_FORMAT=json).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
# No preload_app: each worker imports the application itself, so `kill -HUP` (systemctl reload) picks up a
# new release without dropping requests.
