"""A bug behind an API endpoint answers in the API's error shape, a JSON 500, not Django's HTML page that a
client forum cannot read; it is still reported as Django reports one (the test client re-raises it, error
trackers and the ``django.request`` log get it)."""
import logging

import pytest
from rest_framework.test import APIClient

from moderation.api import views

pytestmark = pytest.mark.django_db


@pytest.fixture
def broken_review_queue(monkeypatch):
    def boom(**kwargs):
        raise RuntimeError("a bug in a selector")

    monkeypatch.setattr(views.selectors, "review_items_for_client", boom)


def test_a_bug_answers_a_json_500_in_the_error_shape_and_is_logged(forum, broken_review_queue, caplog):
    http = APIClient(raise_request_exception=False)
    http.credentials(HTTP_AUTHORIZATION=f"Bearer {forum.key}")
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = http.get("/api/v1/review-items")
    assert response.status_code == 500 and response["Content-Type"] == "application/json"
    assert response.json()["errors"][0]["field"] == ""
    assert any(r.exc_info and "a bug in a selector" in str(r.exc_info[1]) for r in caplog.records)


def test_the_test_client_still_sees_the_bug(forum, broken_review_queue):
    with pytest.raises(RuntimeError, match="a bug in a selector"):
        forum.http.get("/api/v1/review-items")
