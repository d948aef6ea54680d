"""Text in the plugin's coloured marks is legible: WCAG AA (4.5:1) against what is behind it, in the light and
the dark theme. The contrast is measured in the page, as drawn: the computed colour, faded by every opacity on
the way up, against the backgrounds it sits on.

Found by measuring: in the dark theme the queue's reason chips, the "new author" and appeal tags and the
editor's warning about AI sections in a human-only post kept their light-theme colours (1.98 to 3.62 on the
dark page); in the light theme a "not disclosed" label's source (4.29) and a post collapsed by the reader's
preferences (its title 3.71, its label 3.88) were faded below AA."""
from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONTRAST = """(el) => {
    const parse = (s) => { const m = s.match(/[\\d.]+/g).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
    const over = (top, under) => under.map((v, i) => top[3] * top[i] + (1 - top[3]) * v);
    const chain = [];
    for (let e = el; e; e = e.parentElement) chain.unshift(e);
    let bg = [255, 255, 255], alpha = 1;
    for (const e of chain) {
        const style = getComputedStyle(e);
        bg = over(parse(style.backgroundColor), bg);
        alpha *= parseFloat(style.opacity);
    }
    const color = parse(getComputedStyle(el).color);
    const fg = over([color[0], color[1], color[2], color[3] * alpha], bg);
    const lum = (c) => { const [r, g, b] = c.map((v) => { v /= 255;
        return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
    const a = lum(fg), b = lum(bg);
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""

LABELS = ("human_only", "ai_assisted", "ai_generated", "not_disclosed")

# What the templates draw (disclosure/badge.html, forum/post_list.html, disclosure/form_fields.html), put on a
# page that loads the real stylesheets.
FORUM_SAMPLES = "".join(
    f'<p><span class="ai-label ai-label--{value}"><span class="ai-label__text" data-sample="label {value}">Label'
    f'</span> <span class="ai-label__source" data-sample="source {value}">· declared by the author</span></span></p>'
    for value in LABELS) + (
    '<ul class="post-list"><li class="post-list__item post-list__item--collapsed" data-label="ai_assisted">'
    '<a class="post-list__title" href="#" data-sample="collapsed title">A collapsed post</a> '
    '<span class="ai-label ai-label--ai_assisted"><span class="ai-label__text" data-sample="collapsed label">'
    'AI-assisted</span></span></li></ul>'
    '<p class="disclosure-form__nudge" data-sample="editor warning">Your post contains 1 AI-written section.</p>')

QUEUE_SAMPLES = "".join(
    f'<a class="reason reason--{code}" href="#" data-sample="reason {code}">Reason</a> '
    for code in ("mostly_ai", "undisclosed_ai_suspected", "classifier_failed", "appeal",
                 "resubmitted_after_changes")) + (
    '<small class="standing standing--new" data-sample="standing new">new</small> '
    '<small class="standing standing--regular" data-sample="standing regular">regular</small> '
    '<span class="tag--appeal" data-sample="appeal tag">Appeal</span> '
    '<span class="tag--repeat" data-sample="repeat tag">repeat</span> '
    '<span class="tag--host-removed" data-sample="host-removed tag">removed in the forum</span>')


def contrasts(browser, live_server, login, path, samples, scheme, user=None):
    context = browser.new_context(color_scheme=scheme, viewport={"width": 1000, "height": 800})
    page = context.new_page()
    try:
        if user:
            login(page, user)
        page.goto(f"{live_server.url}{path}")
        page.eval_on_selector("#main", "(main, html) => main.insertAdjacentHTML('afterbegin', html)", samples)
        return {el.get_attribute("data-sample"): el.evaluate(CONTRAST) for el in page.query_selector_all("[data-sample]")}
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_labels_a_collapsed_post_and_the_editor_warning_meet_aa(browser, live_server, login, scheme):
    ratios = contrasts(browser, live_server, login, "/", FORUM_SAMPLES, scheme)
    assert len(ratios) == 2 * len(LABELS) + 3
    low = {name: round(ratio, 2) for name, ratio in ratios.items() if ratio < 4.5}
    assert not low, f"{scheme} theme, below 4.5:1: {low}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_queues_reason_chips_and_tags_meet_aa(browser, live_server, login, make_user, scheme):
    make_user("moderator", standing="trusted", is_staff=True, moderator=True)
    ratios = contrasts(browser, live_server, login, "/moderation/", QUEUE_SAMPLES, scheme, user="moderator")
    assert len(ratios) == 10
    low = {name: round(ratio, 2) for name, ratio in ratios.items() if ratio < 4.5}
    assert not low, f"{scheme} theme, below 4.5:1: {low}"
