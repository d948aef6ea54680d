"""The REST API for other forums (``/api/v1/``): submit posts with disclosures, read verdicts, drive the
review queue, manage signed webhooks. Views are thin: they parse typed input, call one service or
selector, and answer in one error shape (:mod:`moderation.api.errors`)."""
