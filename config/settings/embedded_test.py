"""Smoke-test settings for the embedded default: SQLite and the filesystem broker, no servers."""
import os
import tempfile

for _name in ("DATABASE_URL", "REDIS_URL"):
    os.environ.pop(_name, None)
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="aidisclosure-embedded-"))

from .base import *  # noqa: E402,F401,F403
from .base import DATABASES, MODERATION, VAR_DIR  # noqa: E402

# A file, not SQLite's in-memory test database, so that a worker subprocess opens the same database.
DATABASES["default"]["NAME"] = VAR_DIR / "test-db.sqlite3"
DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}

DEBUG = False
# Not the demo key: outside DEBUG the system checks refuse that one (moderation.E102).
SECRET_KEY = "test-settings-only-key-0123456789-abcdefghijklmnopqrstuvwxyz"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The load test's worker: the built-in stack without the language-model cascade, so sixty posts are scored in
# seconds (the contention under test is SQLite's, not the detector's).
if os.environ.get("EMBEDDED_TEST_STACK") == "fast":
    MODERATION = {**MODERATION, "CLASSIFIERS": ["moderation.classifiers.stylometric.StylometricClassifier",
                                                "moderation.classifiers.consistency.DisclosureConsistencyClassifier"]}
