"""markdown-it plugins a host might add (``DISCLOSURE["MARKDOWN_PLUGINS"]``), for test_host_surface.py."""
import re

MENTION = re.compile(r"@([A-Za-z0-9_]{1,30})")


def mentions(md):
    """``@name`` → a link to the host's profile page (an inline rule, as a forum's @mentions would be)."""

    def rule(state, silent):
        if state.src[state.pos] != "@" or (state.pos > 0 and state.src[state.pos - 1].isalnum()):
            return False
        match = MENTION.match(state.src, state.pos)
        if not match:
            return False
        if not silent:
            token = state.push("link_open", "a", 1)
            token.attrs = {"href": f"/users/{match.group(1)}"}
            state.push("text", "", 0).content = match.group(0)
            state.push("link_close", "a", -1)
        state.pos = match.end()
        return True

    md.inline.ruler.before("emphasis", "host_mention", rule)


def unsafe(md):
    """A careless plugin: its raw output must not survive the sanitiser."""
    md.add_render_rule("paragraph_open",
                       lambda self, tokens, idx, options, env: '<p><script>alert(1)</script><img src=x onerror="x()">')
