"""Moderation of AI use in forum posts: intake, classifiers, policy, review queue, REST API and webhooks.

A host forum imports from :mod:`moderation.public` (docs/integrating.md); the layout is in
docs/architecture.md.
"""

__version__ = "0.2.0"
