"""The scikit-learn pipelines of the triage tasks.

Word n-grams catch what a message is about; character n-grams (within word bounds)
survive typos, inflection and chat spelling ("опаздал", "walkr"); optional sentence
encoders add meaning that our own phrasing does not show. A linear SVM with sigmoid
calibration gives probabilities that a threshold can be set on.
"""
from __future__ import annotations

from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from ..text import fold_chars
from .encoders import SentenceEncoder

# Variants measured on dev for every task and language; `train` keeps the best.
VARIANTS = {
    "tfidf": (),
    "tfidf+use": (("use", 1.0),),
    "tfidf+minilm": (("minilm", 1.0),),
    "tfidf+use+minilm": (("use", 1.0), ("minilm", 1.0)),
}
ENGLISH_ONLY = {"tfidf+minilm", "tfidf+use+minilm"}
# The fast triage models (`Coach(triage_models="fast")`, `coach batch --fast`): no
# sentence encoder, about a fifth of the accurate models' cost a message. Saved beside
# the accurate ones as `<lang>-fast.joblib`.
FAST_VARIANT = "tfidf"
FAST_SUFFIX = "-fast"


def clean(text: str) -> str:
    """Model-side text: invisible and look-alike characters folded, lower case."""
    return fold_chars(text).lower()


def build_pipeline(variant: str, C: float = 0.5) -> Pipeline:
    parts = [
        ("words", TfidfVectorizer(preprocessor=clean, analyzer="word", ngram_range=(1, 2),
                                  sublinear_tf=True, token_pattern=r"(?u)\b\w+\b")),
        ("chars", TfidfVectorizer(preprocessor=clean, analyzer="char_wb", ngram_range=(2, 5),
                                  min_df=2, sublinear_tf=True)),
    ]
    for kind, weight in VARIANTS[variant]:
        parts.append((kind, SentenceEncoder(kind=kind, weight=weight)))
    svm = LinearSVC(C=C, class_weight="balanced", random_state=0)
    return Pipeline([
        ("features", FeatureUnion(parts)),
        # ensemble=False: one SVM on all the data, calibrated on cross-validated scores;
        # one decision function at run time instead of five, and a fifth of the size.
        ("classifier", CalibratedClassifierCV(svm, cv=5, method="sigmoid", ensemble=False)),
    ])
