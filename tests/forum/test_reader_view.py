"""What readers see: the badge and where its label came from, the "How AI was used" panel, AI blocks
collapsed by default, their preferences, and the machine-readable IPTC digital source type."""
import json

import pytest
from django.urls import reverse

from disclosure.models import ListingMode, ReaderPreference
from moderation.models import Submission
from moderation.selectors.labels import submission_label

from .conftest import AI_BODY, parse_html

pytestmark = pytest.mark.django_db

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
ASSISTED = {"human_only": False, "assistance": [{"kind": "drafting", "extent": "substantial"},
                                                {"kind": "research", "extent": "minor"}],
            "tools": ["Claude Opus 4.5"], "ai_share_percent": 30,
            "process": "The model drafted the marked section from my outline; I wrote the rest.",
            "verification": "I read the three papers it summarised."}
MOSTLY_AI = {**ASSISTED, "ai_share_percent": 80}


@pytest.fixture(autouse=True)
def no_classifiers(settings):
    # Evaluation runs synchronously after commit, so posts are visible to readers at once.
    settings.MODERATION = {**settings.MODERATION, "CLASSIFIERS": []}


@pytest.fixture
def reader(client, make_user):
    user = make_user("reader")
    client.force_login(user)
    return user


def detail(client, post):
    response = client.get(reverse("forum:post_detail", args=[post.public_id]))
    assert response.status_code == 200
    return parse_html(response.content)


def moderator_labels(post, value):
    """A moderator approves the post with a label, through the review state machine."""
    from django.contrib.auth import get_user_model

    from moderation.models import ReviewItem
    from moderation.services.review import Actor, review_item_approve

    moderator, _ = get_user_model().objects.get_or_create(username="the_moderator", defaults={"is_staff": True})
    submission = Submission.objects.get(pk=post.submission_id)
    item = ReviewItem.objects.filter(submission=submission).exclude(status="decided").first() or \
        ReviewItem.objects.create(submission=submission, revision=submission.current_revision,
                                  reasons=["reader_report"])
    review_item_approve(item_id=item.pk, actor=Actor.for_user(moderator), label=value)


def badge(page):
    return page.find("span", class_="ai-label")


def test_the_badge_says_what_the_author_declared_and_that_the_author_declared_it(client, reader, make_post):
    page = detail(client, make_post(body=AI_BODY, disclosure=ASSISTED))

    label = badge(page)
    assert label.attrs["data-label"] == "ai_assisted" and label.attrs["data-label-source"] == "author"
    assert label.find("span", class_="ai-label__text").text().strip() == "AI-assisted: drafting, research"
    assert label.find("span", class_="ai-label__source").text().strip() == "· declared by the author"


def test_a_moderators_label_beats_the_authors_and_says_so(client, reader, make_post):
    post = make_post(disclosure={"human_only": True})
    moderator_labels(post, "ai_generated")

    label = badge(detail(client, post))

    assert label.attrs["data-label"] == "ai_generated" and label.attrs["data-label-source"] == "moderator"
    assert "applied by a moderator" in label.text()


def test_editing_the_post_does_not_remove_a_moderators_locked_label(client, author, make_post, post_data):
    post = make_post(title="A post about tide pools", disclosure={"human_only": True})
    moderator_labels(post, "ai_generated")
    client.force_login(author)

    response = client.post(reverse("forum:post_edit", args=[post.public_id]),
                           post_data(body="Rewritten by hand, I promise.", confirm="on"))

    assert response.status_code == 302
    post.submission.refresh_from_db()
    assert post.submission.current_revision.number == 2
    label = submission_label(post.submission)
    assert (label.value, label.source, label.locked) == ("ai_generated", "moderator", True)


def test_the_how_ai_was_used_panel_shows_the_disclosure(client, reader, make_post):
    page = detail(client, make_post(body=AI_BODY, disclosure=ASSISTED))

    panel = page.find("details", class_="disclosure-panel")
    assert panel.find("summary").text() == "How AI was used"
    assert panel.attrs["aria-label"] == "How AI was used"  # a <details> is a group to a screen reader: named
    text = " ".join(panel.text().split())
    for expected in ("Drafting: AI wrote some of the text — substantial", "Research: finding or summarising "
                     "sources — minor", "Claude Opus 4.5", "about 30%", "drafted the marked section",
                     "I read the three papers"):
        assert expected in text


def test_the_panel_of_a_human_only_post(client, reader, make_post):
    panel = detail(client, make_post()).find("details", class_="disclosure-panel")

    assert "The author declares this post entirely human-written." in panel.text()


def ai_details(page):
    section = page.find("div", class_="post__body").find("section", class_="ai-block")
    return section.find("details")


def test_ai_blocks_are_collapsed_by_default_and_labelled(client, reader, make_post):
    page = detail(client, make_post(body=AI_BODY, disclosure=ASSISTED))

    details = ai_details(page)
    assert "open" not in details.attrs
    assert details.find("summary").text() == "AI-written · Claude Opus 4.5"


def test_the_operator_can_show_ai_blocks_expanded_by_default(client, reader, make_post, settings):
    settings.DISCLOSURE = {**settings.DISCLOSURE, "AI_BLOCKS_COLLAPSED_BY_DEFAULT": False}

    assert "open" in ai_details(detail(client, make_post(body=AI_BODY, disclosure=ASSISTED))).attrs


def test_a_reader_can_choose_to_see_ai_blocks_expanded(client, reader, make_post):
    post = make_post(body=AI_BODY, disclosure=ASSISTED)

    response = client.post(reverse("forum:preferences"),
                           {"ai_assisted_in_listings": "show", "expand_ai_blocks": "on"})

    assert response.status_code == 302
    assert "open" in ai_details(detail(client, post)).attrs


@pytest.mark.parametrize("disclosure, value, iptc, explainer", [
    ({"human_only": True}, "human_only", "digitalCreation", "none"),
    (ASSISTED, "ai_assisted", "compositeWithTrainedAlgorithmicMedia", "ai-assisted"),
    (MOSTLY_AI, "ai_generated", "trainedAlgorithmicMedia", "ai-generated"),
])
def test_each_post_carries_its_label_as_json_ld_with_the_iptc_digital_source_type(client, reader, make_post,
                                                                                 disclosure, value, iptc, explainer):
    body = AI_BODY if not disclosure["human_only"] else "By hand."
    page = detail(client, make_post(title="Tide <pools> & \"quotes\"", body=body, disclosure=disclosure))

    script = page.find("script", type="application/ld+json")
    data = json.loads(script.text())
    assert data["@type"] == "DiscussionForumPosting"
    assert data["headline"] == "Tide <pools> & \"quotes\""
    assert data["digitalSourceType"] == IPTC + iptc
    assert data["additionalProperty"]["value"] == value
    meta = page.find("meta", name="ai-disclosure")  # the W3C AI Content Disclosure explainer's page-level tag
    assert meta.attrs["content"] == explainer and meta.attrs["data-label"] == value
    assert meta.attrs["data-grade"]
    assert page.find("meta", name="digital-source-type").attrs["content"] == IPTC + iptc
    assert "<pools>" not in script.text()  # escaped, so it cannot close the script element


def test_a_post_without_a_disclosure_is_not_called_human(client, reader, author):
    from forum.models import Category
    from forum.services import post_create

    open_category = Category.objects.create(slug="chat", name="Chat", requires_disclosure=False)
    post = post_create(author=author, category=open_category, title="No disclosure", body="Hi.",
                       disclosure_data=None)
    Submission.objects.filter(pk=post.submission_id).update(visible=True, status="published")

    page = detail(client, post)

    assert badge(page).attrs["data-label"] == "not_disclosed"
    assert "AI use not disclosed" in badge(page).text()
    assert badge(page).attrs["data-label-source"] == "none" and "declared by the author" not in str(
        badge(page).attrs.get("title")) + badge(page).text()
    data = json.loads(page.find("script", type="application/ld+json").text())
    assert "digitalSourceType" not in data
    assert page.find("meta", name="ai-disclosure") is None, "no machine-readable claim either way"


# --- Listings and the reader's content filter ----------------------------------------------------

@pytest.fixture
def listing(make_user, make_post):
    other = make_user("writer")
    return {
        "human": make_post(title="Hand-written post", user=other),
        "assisted": make_post(title="Assisted post", body=AI_BODY, disclosure=ASSISTED, user=other),
        "mostly_ai": make_post(title="Mostly AI post", body=AI_BODY, disclosure=MOSTLY_AI, user=other),
    }


def listed(client):
    page = parse_html(client.get("/").content)
    return {item.find("a", class_="post-list__title").text(): item
            for item in page.find_all("li", class_="post-list__item")}


def set_listing_mode(client, mode):
    response = client.post(reverse("forum:preferences"), {"ai_assisted_in_listings": mode})
    assert response.status_code == 302


def test_by_default_every_post_is_listed_with_its_label(client, reader, listing):
    items = listed(client)

    assert set(items) == {"Hand-written post", "Assisted post", "Mostly AI post"}
    assert items["Assisted post"].attrs["data-label"] == "ai_assisted"
    assert not any("post-list__item--collapsed" in item.attrs["class"] for item in items.values())
    # who says so is read out with the listing's compact badge too (it used to be only in a title, which
    # screen readers and touch screens do not reliably give)
    source = items["Assisted post"].find("span", class_="ai-label__source")
    assert source is not None and source.text().strip() == "· declared by the author"
    assert "visually-hidden" in source.attrs["class"]


def test_a_reader_can_hide_ai_assisted_posts_from_listings(client, reader, listing):
    set_listing_mode(client, ListingMode.HIDE)

    assert set(listed(client)) == {"Hand-written post"}
    assert ReaderPreference.objects.get(user=reader).ai_assisted_in_listings == "hide"
    note = parse_html(client.get("/").content).find("p", class_="listing-filter")
    assert " ".join(note.text().split()) == "AI-assisted posts are hidden by your reading preferences."


def test_an_empty_listing_says_the_preference_hid_its_posts_not_that_there_are_none(client, reader, make_user,
                                                                                    make_post):
    make_post(title="Assisted post", body=AI_BODY, disclosure=ASSISTED, user=make_user("writer"))
    set_listing_mode(client, ListingMode.HIDE)

    page = parse_html(client.get("/").content)

    assert not page.find_all("li", class_="post-list__item")
    text = " ".join(page.find("ol", class_="post-list").text().split())
    assert "No posts yet" not in text and "your reading preferences hide" in text


def test_a_reader_can_collapse_ai_assisted_posts_in_listings(client, reader, listing):
    set_listing_mode(client, ListingMode.COLLAPSE)

    items = listed(client)
    assert set(items) == {"Hand-written post", "Assisted post", "Mostly AI post"}
    assert "post-list__item--collapsed" in items["Assisted post"].attrs["class"]
    assert items["Assisted post"].find("div", class_="post-list__meta") is None
    assert "post-list__item--collapsed" not in items["Hand-written post"].attrs["class"]


def test_a_moderators_ai_label_counts_for_the_filter(client, reader, listing):
    moderator_labels(listing["human"], "ai_generated")
    set_listing_mode(client, ListingMode.HIDE)

    assert "Hand-written post" not in listed(client)


def test_the_filter_never_hides_a_readers_own_posts(client, reader, make_post):
    make_post(title="My assisted post", body=AI_BODY, disclosure=ASSISTED, user=reader)
    set_listing_mode(client, ListingMode.HIDE)

    assert "My assisted post" in listed(client)


def test_a_bad_preference_is_refused_with_a_message(client, reader):
    response = client.post(reverse("forum:preferences"), {"ai_assisted_in_listings": "explode"})

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_preferences_require_login(client):
    response = client.get(reverse("forum:preferences"))

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_hidden_posts_do_not_leave_gaps_in_a_page(client, reader, make_user, make_post):
    writer = make_user("prolific")
    for i in range(21):
        make_post(title=f"Assisted {i}", body=AI_BODY, disclosure=ASSISTED, user=writer)
    make_post(title="The only hand-written post", user=writer)
    set_listing_mode(client, ListingMode.HIDE)

    assert set(listed(client)) == {"The only hand-written post"}
    assert "pagination" not in client.get("/").content.decode()


def test_an_empty_preferences_post_is_refused_not_ignored(client, reader):
    response = client.post(reverse("forum:preferences"), {})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_the_listing_query_agrees_with_the_label_readers_see(listing, make_post, author, category):
    from forum.models import Category, Post
    from forum.selectors import ai_labelled
    from forum.services import post_create

    moderator_labels(listing["human"], "ai_assisted")
    # a disclosure of AI help, no AI-written section (a moderator cannot call a post with one human-written)
    relabelled_human = make_post(title="Relabelled human", body="My own words, drafted from my outline.",
                                 disclosure=ASSISTED)
    moderator_labels(relabelled_human, "human_only")
    chat = Category.objects.create(slug="chat", name="Chat", requires_disclosure=False)
    post_create(author=author, category=chat, title="Undisclosed", body="Hi.", disclosure_data=None)

    by_query = set(Post.objects.filter(ai_labelled()).values_list("pk", flat=True))
    by_label = {p.pk for p in Post.objects.all() if submission_label(p.submission).is_ai}

    assert by_query == by_label
    assert len(by_label) == 3 and Post.objects.count() == 5
