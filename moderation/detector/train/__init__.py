"""Training, evaluation and the project's own AI corpus for :mod:`moderation.detector`.

Needs the ``train`` extra (scikit-learn; matplotlib for ROC pictures), imported lazily inside the functions
that use them, so the runtime package never pulls them in.  Driven by the management commands
``train_detector`` / ``evaluate_detector`` and by ``python -m moderation.detector.train.corpus.build``.
"""
