"""Login brute force (django-axes): the 5th failure for one username from one address locks that pair out with
429 — even the right password then — on the forum's login form and on the admin's; other addresses are not."""
import pytest
from django.test import Client

pytestmark = [pytest.mark.security, pytest.mark.django_db]

FORMS = ["/accounts/login/", "/admin/login/"]


def attempt(url, username, password, ip="203.0.113.7"):
    return Client(REMOTE_ADDR=ip).post(url, {"username": username, "password": password, "next": "/"})


@pytest.mark.parametrize("url", FORMS)
def test_five_failures_lock_the_username_out_from_that_address(url, moderator):
    codes = [attempt(url, "moderator", f"guess-{n}").status_code for n in range(5)]
    assert codes == [200] * 4 + [429]  # the form again with an error, then the lock-out page
    locked = attempt(url, "moderator", "demo")
    assert locked.status_code == 429
    assert "Too many login attempts" in locked.content.decode()
    assert attempt(url, "moderator", "demo", ip="198.51.100.9").status_code == 302  # another address


def test_a_success_resets_the_count(moderator):
    for n in range(4):
        attempt(FORMS[0], "moderator", f"guess-{n}")
    assert attempt(FORMS[0], "moderator", "demo").status_code == 302
    for n in range(4):
        assert attempt(FORMS[0], "moderator", f"again-{n}").status_code == 200
    assert attempt(FORMS[0], "moderator", "demo").status_code == 302
