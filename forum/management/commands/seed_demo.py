"""Seed the demo forum: users ``author``, ``reader``, ``moderator`` (password ``demo`` — demo only),
categories, and posts of every kind. Idempotent: running it again creates nothing twice."""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from forum.models import Category, Post, Profile
from forum.services import post_create
from moderation.public import RejectionTemplate

CATEGORIES = [
    ("general", "General discussion", "Anything on topic for the forum.", True, False),
    ("research", "Research & news", "Posts that inform readers on matters of public interest.", True, True),
    ("meta", "Meta", "About this forum and its rules.", True, False),
]

TEMPLATES = [
    ("undisclosed-ai", "Undisclosed AI text",
     "Parts of this post read as AI-written but are not inside an AI-written section or declared in the "
     "disclosure. Please put AI text in an AI-written section and describe how AI helped."),
    ("low-effort-ai", "Low-effort AI content",
     "This post is mostly AI-written without enough of your own thinking. We publish posts where the author "
     "leads; please rewrite it in your own words."),
    ("unverified-research", "Unverified AI research",
     "You used AI for research but did not check its claims. Please verify the sources and say how."),
]

# Short on purpose: under 50 words the detector says "insufficient evidence" rather than guessing, so a
# human-only post is published. (A longer casual text written for this demo by an LLM imitating a person
# was flagged, correctly: it was not human.)
HUMAN_BODY = """Tried a friend's burr grinder last week after years with my cheap hand grinder. Honestly? \
Smaller difference than the forums promised. Weighing the beans changed more. Scale first, grinder second; \
happy to be told I'm wrong."""

EDITED_BODY = """We moved our reading group from Thursdays to Sundays in March, and attendance roughly doubled. \
The main reason, as far as I can tell, is that people no longer arrive tired from work, and the discussion \
runs longer because nobody has to leave early for a train.

I asked an assistant to tighten the wording of this post, but the numbers and the opinions are mine."""

BLOCK_BODY = """I asked a model to summarise the three main objections to the proposal, because I kept \
losing track of them in the long thread. Here is its summary, unedited:

:::ai-written model="Claude Opus 4.5"
The first objection is that the proposal underestimates coordination costs: each additional reviewer adds \
delay, and the benefits of a second opinion diminish quickly. The second is that the metric it optimises can \
be gamed once authors learn what reviewers reward. The third is that it assumes reviewers have time they do \
not have, which shifts the burden onto the most conscientious members.
:::

My own view: the second objection is the serious one. The first two are really the same worry about \
incentives, and I think the thread has been talking past each other on that point."""

LESSWRONG_BODY = """Cross-posted from LessWrong, where I used their LLM block for the model's draft.

%%% llm-output model="GPT-5"
Calibration training tends to transfer poorly across domains: forecasters who become well calibrated on \
geopolitical questions often remain overconfident on questions about their own projects, which suggests the \
skill is partly domain-specific rather than a general disposition.
%%% /llm-output

I'm not sure I buy the last clause; I'd like to see the data."""

HTML_BODY = """<p>Posted from our rich-text editor. The paragraph below came from the translation tool.</p>
<section data-ai-written data-model="DeepL">
<p>The municipal council approved the new cycling lanes on Tuesday after a debate that lasted nearly four \
hours, with the final vote split along unexpected lines.</p>
</section>
<p>I checked the translation against the original minutes.</p>"""

UNDISCLOSED_BODY = """Great question! When it comes to improving your productivity, it's important to \
understand that there is no one-size-fits-all solution. Instead, it's crucial to explore a variety of \
strategies and find what works best for you. Here are some key considerations to keep in mind.

First and foremost, establishing a consistent routine can significantly enhance your ability to focus. By \
setting clear boundaries between work and rest, you create an environment that fosters deep concentration and \
sustained motivation. Additionally, leveraging tools such as task managers and calendars can help you stay \
organized and ensure that nothing falls through the cracks.

Ultimately, productivity is a journey rather than a destination. By embracing a growth mindset and remaining \
open to experimentation, you can unlock your full potential and achieve a healthier, more balanced life."""

MOSTLY_AI_BODY = """:::ai-written model="Llama 3.1 70B"
Municipal broadband projects have a mixed record. Where they succeed, it is usually because the city already \
owned the conduit and poles, which removes the largest up-front cost. Where they fail, the cause is more often \
subscriber uptake than construction: incumbents cut prices in the announced service area, and the city's \
business case assumed penetration rates it never reached.
:::

I edited the model's draft lightly and added the sources at the end."""

RESEARCH_BODY = """I used an assistant to find studies on four-day weeks and then read the two that \
looked most relevant myself. Both report fewer sick days; only one reports a productivity measure, and it is \
self-reported, so I would not lean on it."""

UNVERIFIED_BODY = """An assistant pulled together what is known about vitamin D supplements and sleep. The gist: \
several small trials report better sleep quality with supplements, a larger one found no effect, and the \
effect, if any, seems limited to people who were deficient to begin with."""

REMOTE_WORK_BODY = """:::ai-written model="GPT-5"
Remote work changes who gets noticed. In an office, visibility comes for free: people see you arrive, stay \
late and help a colleague. Remote teams have to make that work visible on purpose, through written updates, \
demos and shared documents, or promotions drift towards whoever talks most in meetings.
:::

I asked the model for this after our team retro; I agree with most of it."""

POSTS = [
    # (author, category, title, body, format, disclosure)
    ("author", "general", "Scale first, grinder second", HUMAN_BODY, "markdown", {"human_only": True}),
    ("author", "meta", "Our reading group moved to Sundays", EDITED_BODY, "markdown", {
        "human_only": False, "assistance": [{"kind": "editing", "extent": "minor"}], "tools": ["Claude"],
        "ai_share_percent": 5, "process": "I asked the assistant to tighten the wording; the content is mine."}),
    ("author", "general", "The three objections, summarised", BLOCK_BODY, "markdown", {
        "human_only": False, "assistance": [{"kind": "drafting", "extent": "substantial"}],
        "tools": ["Claude Opus 4.5"], "ai_share_percent": 45,
        "process": "The summary in the AI-written section is the model's, unedited; the rest is mine."}),
    ("author", "research", "Calibration transfers poorly (cross-post)", LESSWRONG_BODY, "markdown", {
        "human_only": False, "assistance": [{"kind": "drafting", "extent": "minor"}], "tools": ["GPT-5"],
        "ai_share_percent": 40, "process": "The model drafted one paragraph, marked as such; I wrote the rest."}),
    ("author", "research", "Council approves cycling lanes (translated)", HTML_BODY, "html", {
        "human_only": False, "assistance": [{"kind": "translation", "extent": "substantial"},
                                            {"kind": "drafting", "extent": "minor"}],
        "tools": ["DeepL"], "ai_share_percent": 45,
        "process": "DeepL translated the paragraph from the Dutch minutes; I wrote the framing around it.",
        "verification": "I compared the translation with the original minutes line by line."}),
    ("newbie", "general", "How to be more productive", UNDISCLOSED_BODY, "markdown", {"human_only": True}),
    ("newbie", "research", "Why municipal broadband fails", MOSTLY_AI_BODY, "markdown", {
        "human_only": False, "assistance": [{"kind": "drafting", "extent": "most"}], "tools": ["Llama 3.1 70B"],
        "ai_share_percent": 85, "process": "The model wrote the draft from my notes; I edited it lightly."}),
    # The policy queues these two: unverified AI research in a public-interest category (held), and a
    # regular author's mostly AI-written post (published and queued).
    ("author", "research", "Vitamin D and sleep: a quick roundup", UNVERIFIED_BODY, "markdown", {
        "human_only": False, "assistance": [{"kind": "research", "extent": "most"}], "tools": ["ChatGPT"],
        "ai_share_percent": 0, "process": "I asked the assistant to summarise the studies on vitamin D and sleep.",
        "verification": "Looked plausible to me."}),
    ("author", "general", "Remote work and visibility", REMOTE_WORK_BODY, "markdown", {
        "human_only": False, "assistance": [{"kind": "drafting", "extent": "most"}], "tools": ["GPT-5"],
        "ai_share_percent": 75, "process": "The model wrote the marked section after our retro; I added the last line."}),
    ("author", "research", "Four-day weeks: what two studies say", RESEARCH_BODY, "markdown", {
        "human_only": False, "assistance": [{"kind": "research", "extent": "substantial"}],
        "tools": ["Perplexity"], "ai_share_percent": 0,
        "process": "I asked the assistant to find studies on four-day working weeks and list them.",
        "verification": "I read the two most relevant studies in full and checked the numbers I quote."}),
]

USERS = [
    # username, standing, is_staff, moderator
    ("author", "regular", False, False),
    ("newbie", "new", False, False),
    ("reader", "regular", False, False),
    ("moderator", "trusted", True, True),
]


#: What the demo moderators may do beyond viewing: decide items, mark results, keep rejection templates.
MODERATOR_CODENAMES = ("change_reviewitem", "change_classifierresult", "add_rejectiontemplate",
                       "change_rejectiontemplate")


class Command(BaseCommand):
    help = "Create demo users (password 'demo' — demo only), categories and posts. Safe to run twice."

    @transaction.atomic
    def handle(self, *args, **options):
        if not settings.DEBUG:  # the system checks would then refuse every command, with the users already made
            raise CommandError("seed_demo makes users whose password is 'demo': it runs only with DEBUG=1 (the "
                               "demo's `make run` sets it), never on a production database.")
        User = get_user_model()
        moderators, _ = Group.objects.get_or_create(name="Moderators")
        # Moderators read everything and act through the queue (change_reviewitem); audit rows are never theirs to
        # change or delete, so the group holds no delete_* permission (and loses any an older seed gave it).
        moderation = Permission.objects.filter(content_type__app_label="moderation")
        moderators.permissions.remove(*moderation.filter(codename__startswith="delete_"))
        moderators.permissions.add(*moderation.filter(codename__startswith="view_"),
                                   *moderation.filter(codename__in=MODERATOR_CODENAMES))
        users = {}
        for username, standing, is_staff, is_moderator in USERS:
            user, created = User.objects.get_or_create(username=username, defaults={"is_staff": is_staff})
            if created:
                user.set_password("demo")
                user.save()
            Profile.objects.update_or_create(user=user, defaults={"standing": standing})
            if is_moderator:
                user.groups.add(moderators)
            users[username] = user
        for slug, name, description, requires, public_interest in CATEGORIES:
            Category.objects.update_or_create(slug=slug, defaults={
                "name": name, "description": description, "requires_disclosure": requires,
                "public_interest": public_interest})
        for code, title, message in TEMPLATES:
            RejectionTemplate.objects.update_or_create(code=code, defaults={"title": title, "message": message})
        created = 0
        for username, category, title, body, fmt, disclosure in POSTS:
            author = users[username]
            if any(p.revision and p.revision.title == title for p in Post.objects.filter(author=author)):
                continue
            post_create(author=author, category=Category.objects.get(slug=category), title=title, body=body,
                        fmt=fmt, disclosure_data=disclosure)
            created += 1
        self.stdout.write(f"Demo forum ready: {created} new posts, users author/newbie/reader/moderator "
                          "(password 'demo' — demo only).")
