"""Browser tests share the Playwright fixtures in tests/conftest.py (browser, page, login, artifacts)."""
