"""Shared with tests/moderation (posts that reach the queue through the real pipeline) and tests/api (client
forums with keys)."""
import pytest

from tests.api.conftest import fake_dns, forum, make_forum, other_forum, queued, submit  # noqa: F401
from tests.moderation.conftest import classifiers, evaluate, item_of, queued_post, templates  # noqa: F401
from tests.security.budgets import web_seconds_here


@pytest.fixture(scope="session")
def seconds_allowed() -> float:
    """The web budget on this machine (:func:`tests.security.budgets.web_seconds_here`), measured once."""
    return web_seconds_here()
