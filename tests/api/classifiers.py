"""A real classifier for the API tests, configured through ``settings.MODERATION["CLASSIFIERS"]``: an author
passage containing "delve" reads as AI (0.97), any other as human (0.05)."""
from moderation.classifiers.base import Classifier, PassageScore


class DelveClassifier(Classifier):
    name = "delve"
    version = "1"

    def classify(self, passages, disclosure):
        scores = [PassageScore(start=p.start, end=p.end, kind=p.kind, probability=0.97 if "delve" in p.text else 0.05,
                               features={"delve": 1.0 if "delve" in p.text else 0.0})
                  for p in passages if p.kind == "author"]
        return self.output(status="ok", score=max((s.probability for s in scores), default=None), passages=scores)
