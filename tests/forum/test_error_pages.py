"""Error pages a member can meet say why, inside the site's frame (Django's bare default said only "403")."""
import pytest

pytestmark = pytest.mark.django_db


def test_a_member_who_is_not_a_moderator_is_told_why_the_queue_is_closed(client, author):
    client.force_login(author)
    response = client.get("/moderation/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Only moderators can see the review queue." in html
    assert 'class="site-header"' in html
