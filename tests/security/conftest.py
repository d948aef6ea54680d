from tests.api.conftest import forum, make_forum, submit  # noqa: F401  (API fixtures, reused)
