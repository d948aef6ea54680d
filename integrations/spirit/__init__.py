"""The AI-disclosure plugin inside Spirit (``django-spirit``), installed the way an operator would.

Settings: ``integrations.spirit.settings``; start it with ``make run-spirit``. See docs/integrations/spirit.md.
"""
