"""Webhook URLs may only reach public addresses (unless ``ALLOW_PRIVATE_WEBHOOK_URLS``): checked when the
webhook is registered and again at each delivery. No test here connects anywhere: the guard refuses first."""
import pytest

from moderation.services.webhooks import WebhookUrlRefused, ip_address_refused, webhook_url_resolve

from .conftest import error_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_refused(settings):
    settings.MODERATION = {**settings.MODERATION, "ALLOW_PRIVATE_WEBHOOK_URLS": False}


@pytest.mark.parametrize("ip", [
    "10.0.0.1", "10.255.255.254", "127.0.0.1", "127.8.9.10", "169.254.169.254", "172.16.0.1", "192.168.1.1",
    "100.64.0.1", "100.100.100.200", "0.0.0.0", "224.0.0.1", "255.255.255.255", "240.0.0.1",
    "::1", "::", "fe80::1", "fc00::1", "fd00:ec2::254", "ff02::1",
    "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "64:ff9b::a00:1", "2002:7f00:1::1",
])
def test_non_public_addresses_are_refused(ip):
    assert ip_address_refused(ip)


@pytest.mark.parametrize("ip", ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111", "::ffff:93.184.216.34"])
def test_public_addresses_are_allowed(ip):
    assert ip_address_refused(ip) is None


@pytest.mark.parametrize("url", [
    "http://10.1.2.3/hook", "http://127.0.0.1:8080/hook", "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/hook", "http://[::ffff:127.0.0.1]/hook", "http://0.0.0.0/", "http://localhost/hook",
    "http://intranet.forum-a.test/hook",
])
def test_urls_resolving_to_private_addresses_are_refused(private_refused, fake_dns, url):
    fake_dns["intranet.forum-a.test"] = ["10.20.30.40"]
    with pytest.raises(WebhookUrlRefused, match="public addresses"):
        webhook_url_resolve(url)


def test_a_name_with_any_private_address_is_refused(private_refused, fake_dns):
    """DNS round-robin tricks: one public and one private answer is refused as a whole."""
    fake_dns["mixed.forum-a.test"] = ["93.184.216.34", "10.0.0.7"]
    with pytest.raises(WebhookUrlRefused, match="mixed.forum-a.test.*public addresses"):
        webhook_url_resolve("https://mixed.forum-a.test/hook")


@pytest.mark.parametrize("answer", ["10.20.30.40", "::ffff:10.20.30.40", "fd00:ec2::254"])
def test_a_name_resolving_inside_the_network_is_refused_without_saying_where_it_points(
        forum, private_refused, fake_dns, answer):
    """The refusal names the host the client sent, never the internal address the server's DNS gave for it: the
    API (and the delivery log) would otherwise map the network's internal names to their addresses for anyone
    holding a key. A literal address the client wrote is named as written."""
    fake_dns["db.internal.forum-a.test"] = [answer]
    response = forum.http.post("/api/v1/webhooks", {"url": "https://db.internal.forum-a.test/hook",
                                                    "events": ["review.decided"]}, format="json")

    assert response.status_code == 400 and error_fields(response) == ["url"]
    message = response.json()["errors"][0]["message"]
    assert "db.internal.forum-a.test" in message and "public addresses" in message
    assert "10.20.30.40" not in message and "a14:1e28" not in message and "fd00" not in message
    with pytest.raises(WebhookUrlRefused, match="10.0.0.1"):
        webhook_url_resolve("http://10.0.0.1/hook")


def test_public_name_is_pinned_to_its_checked_address(private_refused, fake_dns):
    fake_dns["hooks.forum-a.test"] = ["93.184.216.34"]
    target = webhook_url_resolve("https://hooks.forum-a.test/in?x=1")
    assert target.pinned_url() == "https://93.184.216.34:443/in?x=1"
    assert target.host_header == "hooks.forum-a.test"
    fake_dns["v6.forum-a.test"] = ["2606:4700:4700::1111"]
    target = webhook_url_resolve("http://v6.forum-a.test:8080/")
    assert target.pinned_url() == "http://[2606:4700:4700::1111]:8080/" and target.host_header == "v6.forum-a.test:8080"


@pytest.mark.parametrize("url", ["http://10.0.0.1/h", "http://127.0.0.1:9/h", "http://169.254.169.254/",
                                 "http://[::1]:8080/h", "http://localhost:8080/h"])
def test_registration_refuses_private_targets(forum, private_refused, fake_dns, url):
    response = forum.http.post("/api/v1/webhooks", {"url": url, "events": ["review.decided"]}, format="json")
    assert response.status_code == 400
    assert error_fields(response) == ["url"]
    assert "public addresses" in response.json()["errors"][0]["message"]


def test_the_allow_setting_lets_loopback_through(forum, settings, fake_dns):
    settings.MODERATION = {**settings.MODERATION, "ALLOW_PRIVATE_WEBHOOK_URLS": True}
    response = forum.http.post("/api/v1/webhooks", {"url": "http://localhost:8080/h", "events": ["review.decided"]},
                               format="json")
    assert response.status_code == 201
