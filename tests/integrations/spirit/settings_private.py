"""The Spirit test server with ``MODERATE_PRIVATE_TOPICS`` on: private conversations go to the plugin too."""
from tests.integrations.spirit.settings import *  # noqa: F401,F403
from tests.integrations.spirit.settings import SPIRIT_AI_DISCLOSURE

SPIRIT_AI_DISCLOSURE = {**SPIRIT_AI_DISCLOSURE, "MODERATE_PRIVATE_TOPICS": True}
