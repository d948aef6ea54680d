"""Health probe for the web process: ``python deploy/healthcheck.py [http://127.0.0.1:8000]``.

Asks ``/api/v1/health`` the way the proxy would (the first ``ALLOWED_HOSTS`` name as Host, and
``X-Forwarded-Proto: https`` so the HTTPS redirect does not answer instead), prints the answer and exits 0
only on 200: the database and the broker both answered. Standard library only.
"""
import os
import sys
import urllib.error
import urllib.request

base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
host = (os.environ.get("ALLOWED_HOSTS", "localhost").split(",") or ["localhost"])[0].lstrip(".")
request = urllib.request.Request(f"{base}/api/v1/health", headers={"Host": host, "X-Forwarded-Proto": "https"})
try:
    with urllib.request.urlopen(request, timeout=5) as response:
        print(response.status, response.read().decode())
        sys.exit(0 if response.status == 200 else 1)
except urllib.error.HTTPError as error:
    print(error.code, error.read().decode())
except OSError as error:
    print("unreachable:", error)
sys.exit(1)
