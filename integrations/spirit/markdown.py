"""Spirit's @mentions inside the plugin's renderer (``DISCLOSURE["MARKDOWN_PLUGINS"]`` in settings.py).

The plugin renders the comments it knows (so readers see what was evaluated, with collapsible AI-written
sections); this markdown-it plugin gives them Spirit's rendered mentions back: ``@username`` of an existing
user becomes a link to their Spirit profile showing their nickname, as Spirit's own renderer does, with
Spirit's per-comment limit (``ST_MENTIONS_PER_COMMENT``). Notifications are Spirit's business (it parses
mentions on save). The output goes through the plugin's sanitiser like everything else.
"""
from __future__ import annotations

import re

from django.conf import settings

MENTION = re.compile(r"@(?P<username>[\w.@+-]+)", flags=re.UNICODE)


def _user(username: str, env: dict):
    from django.contrib.auth import get_user_model

    found = env.setdefault("spirit_mentions", {})
    if username in found:
        return found[username]
    if len(found) >= getattr(settings, "ST_MENTIONS_PER_COMMENT", 30):
        return None  # Spirit's limit: no more queries for this comment
    if getattr(settings, "ST_CASE_INSENSITIVE_USERNAMES", True):
        username = username.lower()
    found[username] = get_user_model().objects.select_related("st").filter(username=username).first()
    return found[username]


def mentions(md):
    def rule(state, silent):
        if state.src[state.pos] != "@" or (state.pos > 0 and state.src[state.pos - 1].isalnum()):
            return False
        match = MENTION.match(state.src, state.pos)
        user = _user(match.group("username"), state.env) if match else None
        if user is None:
            return False
        if not silent:
            token = state.push("link_open", "a", 1)
            token.attrs = {"href": user.st.get_absolute_url()}
            state.push("text", "", 0).content = f"@{user.st.nickname}"
            state.push("link_close", "a", -1)
        state.pos = match.end()
        return True

    md.inline.ruler.before("emphasis", "spirit_mention", rule)
