"""Fixture texts for the ordering tests.

AI: written by an LLM for these tests (forum registers).  Human: well-known texts
written before LLMs existed (public domain / widely quoted forum posts).
"""

AI_TEXTS = [
    # assistant register
    "Great question! The main difference between a French press and a pour-over comes down to filtration "
    "and contact time. A French press uses a metal mesh filter, which allows more oils and fine particles "
    "into the cup, resulting in a fuller body and richer mouthfeel. Pour-over methods, on the other hand, "
    "typically use paper filters that trap most of those oils, producing a cleaner, brighter cup that "
    "highlights acidity and delicate flavors. Ultimately, the best choice depends on your personal taste "
    "preferences, so it's worth experimenting with both to see which one you enjoy more.",
    # tell-free register
    "Before you replace the whole sprinkler system, check the heads one zone at a time. Run each zone for a "
    "couple of minutes and walk it. A head that sprays sideways or barely pops up is usually clogged with "
    "grit, and you can unscrew the nozzle and rinse the filter screen under a tap. If one zone will not "
    "start at all, the problem is more likely the valve or the wire to it than the heads. Most of these "
    "fixes cost a few dollars, and a new system costs thousands.",
    # reply register
    "I'd push back a little on the idea that remote work is simply worse for junior engineers. It's true that "
    "they miss out on a lot of informal learning when nobody is sitting next to them, and that's a real cost. "
    "But the answer isn't necessarily forcing everyone back into an office. Teams that are intentional about "
    "mentorship, with regular pairing sessions, clear documentation, and managers who actively check in, "
    "can provide much of the same support. The problem is often the lack of structure, not the location.",
    # AI-edited draft
    "When I first started baking bread, I followed recipes exactly and still got inconsistent results. "
    "Some loaves rose beautifully, while others came out dense and flat. After a lot of trial and error, "
    "I realized that the temperature of my kitchen was the biggest variable. In the winter, fermentation "
    "slowed dramatically, so the timings in the recipe no longer applied. Now I pay attention to how the "
    "dough looks and feels rather than relying on the clock, and my results have become much more reliable.",
]

HUMAN_TEXTS = [
    # Linus Torvalds, comp.os.minix, 25 August 1991
    "Hello everybody out there using minix - I'm doing a (free) operating system (just a hobby, won't be big "
    "and professional like gnu) for 386(486) AT clones. This has been brewing since april, and is starting "
    "to get ready. I'd like any feedback on things people like/dislike in minix, as my OS resembles it "
    "somewhat (same physical layout of the file-system (due to practical reasons) among other things). "
    "I've currently ported bash(1.08) and gcc(1.40), and things seem to work. This implies that I'll get "
    "something practical within a few months, and I'd like to know what features most people would want. "
    "Any suggestions are welcome, but I won't promise I'll implement them :-)",
    # Abraham Lincoln, 1863
    "Four score and seven years ago our fathers brought forth on this continent, a new nation, conceived in "
    "Liberty, and dedicated to the proposition that all men are created equal. Now we are engaged in a great "
    "civil war, testing whether that nation, or any nation so conceived and so dedicated, can long endure. "
    "We are met on a great battle-field of that war. We have come to dedicate a portion of that field, as a "
    "final resting place for those who here gave their lives that that nation might live. It is altogether "
    "fitting and proper that we should do this.",
    # Linus Torvalds, follow-up in the same thread, 1991
    "Well, it's not portable (uses 386 task switching etc), and it probably never will support anything "
    "other than AT-harddisks, as that's all I have :-(. It's mostly in C, but most people wouldn't call what "
    "I write C. It uses every conceivable feature of the 386 I could find, as it was also a project to teach "
    "me about the 386. As already mentioned, it uses a MMU, for both paging (not to disk yet) and "
    "segmentation. It's the segmentation that makes it REALLY 386 dependent (every task has a 64Mb segment "
    "for code & data - max 64 tasks in 4Gb. Anybody who needs more than 64Mb/task - tough cookies).",
]
