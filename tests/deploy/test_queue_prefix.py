"""The deploy files' workers consume the queues the settings send to: ``<CELERY_QUEUE_PREFIX>.fast``, ``.slow``,
``.webhooks`` (docs/deploy.md: the prefix comes from the environment, "the same on every machine"). Found by an
operator's review: the compose file's workers named ``aidisclosure.*`` whatever ``deploy/.env`` set, so a
deployment with a prefix of its own queued every post where no worker listened, and no post was ever evaluated."""
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ROLES = ("fast", "slow", "webhooks")


def compose_interpolate(text: str, env: dict) -> str:
    """What ``docker compose`` does to ``${NAME:-default}`` / ``${NAME}`` (``$$`` is a literal ``$``)."""
    def one(match):
        if match.group(0) == "$$":
            return "$"
        value = env.get(match.group(1))
        return value if value else (match.group(2) or "")
    return re.sub(r"\$\$|\$\{(\w+)(?::-([^}]*))?\}", one, text)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("prefix, expected", [("forum1", "forum1"), (None, "aidisclosure")])
def test_a_compose_worker_consumes_the_prefixed_queue_of_its_role(role, prefix, expected):
    compose = yaml.safe_load((ROOT / "deploy" / "docker-compose.yml").read_text())
    command = compose["services"][f"worker-{role}"]["command"]
    env = {"CELERY_QUEUE_PREFIX": prefix} if prefix else {}
    args = [compose_interpolate(part, env) for part in command]
    assert args[args.index("-Q") + 1] == f"{expected}.{role}", args


def test_the_systemd_worker_unit_reads_the_prefix_from_the_environment():
    unit = (ROOT / "deploy" / "systemd" / "aidisclosure-worker@.service").read_text()
    assert '-Q "$${CELERY_QUEUE_PREFIX:-aidisclosure}.%i"' in unit
