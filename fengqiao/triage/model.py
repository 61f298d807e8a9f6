"""The triage model: subcategory, case type and urgency from an appeal's text.

Three linear models over one feature matrix (features.Featurizer): a linear SVM for the 56
subcategories and one for the 8 case types, each calibrated (sigmoid, 3-fold) so that its
scores are probabilities the clerk can read as "confidence", and a balanced logistic
regression for urgency whose threshold is chosen on out-of-fold predictions of the training
data so that recall comes first. Linear models explain themselves (feature weight × value),
train in seconds and predict thousands of appeals a second on one core. The choice was made
by cross-validation on the training corpus (docs/decisions/0007-triage.md).
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.special import expit
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from fengqiao.taxonomy.loader import read_taxonomy

from .features import DATA_DIR, Featurizer, normalise, read_lexicon

SVM_C = 0.5
URGENT_C = 10.0
# Urgency: recall matters more than precision (a missed gas leak costs more than a call).
URGENT_BETA = 2.0
URGENT_FLOOR = 0.15


@dataclass
class Example:
    text: str
    subcategory: str
    case_type: str
    urgent: bool
    weight: float = 1.0
    source: str = "corpus"


@dataclass
class Prediction:
    subcategory: str
    category: str
    department: str
    confidence: float
    alternatives: list[tuple[str, float]]
    case_type: str
    case_type_confidence: float
    urgent: bool
    urgent_probability: float
    danger_words: list[str] = field(default_factory=list)


class Taxonomy:
    """Subcategory → category and default department, from the project's taxonomy file."""

    def __init__(self, data: dict | None = None):
        data = data or read_taxonomy()
        self.version = str(data.get("version", ""))
        self.department: dict[str, str] = {}
        self.category: dict[str, str] = {}
        for category in data["categories"]:
            for sub in category["subcategories"]:
                self.department[sub["code"]] = sub["department"]
                self.category[sub["code"]] = category["code"]
        self.case_types = [case_type["code"] for case_type in data["case_types"]]


class CalibratedLinear:
    """A fitted CalibratedClassifierCV(LinearSVC, method="sigmoid") as plain arrays: the same
    probabilities in a few array operations, instead of one Python call per class and fold
    (which made a single appeal cost 20 ms). `weights` are the folds' mean SVM weights, for
    explanations."""

    def __init__(self, calibrated: CalibratedClassifierCV):
        self.classes_ = np.asarray(calibrated.classes_)
        folds = calibrated.calibrated_classifiers_
        n_classes, n_features = len(self.classes_), folds[0].estimator.coef_.shape[1]
        # (fold, feature, class), contiguous: a sparse row times it needs no copy.
        self.coef = np.zeros((len(folds), n_features, n_classes), dtype=np.float32)
        self.intercept = np.zeros((len(folds), n_classes))
        # A class a fold never saw gets probability 0 there: expit(-(0 * d + 1e9)) = 0.
        self.a = np.zeros((len(folds), n_classes))
        self.b = np.full((len(folds), n_classes), 1e9)
        for fold, classifier in enumerate(folds):
            rows = np.searchsorted(self.classes_, classifier.estimator.classes_)
            coef = classifier.estimator.coef_
            if len(self.classes_) == 2:  # binary: one decision column for the positive class
                rows = rows[1:]
            self.coef[fold][:, rows] = coef.T
            self.intercept[fold, rows] = classifier.estimator.intercept_
            self.a[fold, rows] = [calibrator.a_ for calibrator in classifier.calibrators]
            self.b[fold, rows] = [calibrator.b_ for calibrator in classifier.calibrators]

    def class_weights(self, index: int) -> np.ndarray:
        """The SVM weights of one class, averaged over the calibration folds."""
        return self.coef[:, :, index].mean(axis=0)

    def predict_proba(self, matrix) -> np.ndarray:
        total = np.zeros((matrix.shape[0], len(self.classes_)))
        for fold in range(self.coef.shape[0]):
            decision = np.asarray(matrix @ self.coef[fold]) + self.intercept[fold]
            proba = expit(-(self.a[fold] * decision + self.b[fold]))
            denominator = proba.sum(axis=1, keepdims=True)
            total += np.divide(
                proba, denominator, out=np.full_like(proba, 1 / len(self.classes_)), where=denominator != 0
            )
        return total / self.coef.shape[0]


# Characters that make a character n-gram a poor explanation ("的路", "了没"): digits (0 after
# normalising) and function words.
_FUNCTION_CHARS = set("0的了是在和就都也还又吧呢啊吗把被给着过")


def _fit_calibrated_svm(matrix, labels: list[str], weights: np.ndarray) -> CalibratedLinear:
    rows = _with_every_class_thrice(labels)
    calibrated = CalibratedClassifierCV(LinearSVC(C=SVM_C), cv=3)
    calibrated.fit(matrix[rows], [labels[i] for i in rows], sample_weight=weights[rows])
    return CalibratedLinear(calibrated)


def _with_every_class_thrice(labels: list[str]) -> list[int]:
    """Row indices where a class seen fewer than 3 times (a subcategory that only a clerk's
    correction taught) is repeated up to 3, so that 3-fold calibration can run."""
    rows = list(range(len(labels)))
    by_label: dict[str, list[int]] = {}
    for index, label in enumerate(labels):
        by_label.setdefault(label, []).append(index)
    for indices in by_label.values():
        if len(indices) < 3:
            rows.extend((indices * 3)[: 3 - len(indices)])
    return rows


class TriageModel:
    def __init__(self) -> None:
        self.featurizer = Featurizer(
            lexicon=read_lexicon(DATA_DIR / "lexicon.txt"),
            danger=read_lexicon(DATA_DIR / "lexicon_urgent.txt")[""],
        )
        self.taxonomy = Taxonomy()
        self.subcategory_model: CalibratedLinear | None = None
        self.case_type_model: CalibratedLinear | None = None
        self.urgent_model = LogisticRegression(C=URGENT_C, max_iter=3000, class_weight="balanced")
        self.urgent_threshold = 0.5
        self.info: dict[str, Any] = {}

    # Training ------------------------------------------------------------------------------

    def fit(self, examples: list[Example], *, urgent_folds: int = 5) -> TriageModel:
        """Train all three models; `info` records what it was trained on."""
        started = time.perf_counter()
        unknown = sorted({ex.subcategory for ex in examples} - set(self.taxonomy.department))
        if unknown:
            raise ValueError(f"unknown subcategories in the training data: {', '.join(unknown)}")
        texts = [ex.text for ex in examples]
        weights = np.array([ex.weight for ex in examples])
        matrix = self.featurizer.fit_transform(texts)
        labels = [ex.subcategory for ex in examples]
        self.subcategory_model = _fit_calibrated_svm(matrix, labels, weights)
        self.case_type_model = _fit_calibrated_svm(matrix, [ex.case_type for ex in examples], weights)
        urgent = np.array([ex.urgent for ex in examples], dtype=bool)
        if urgent.any() and not urgent.all():
            self.urgent_threshold = self._choose_urgent_threshold(texts, urgent, folds=urgent_folds)
            self.urgent_model.fit(matrix, urgent)
        else:
            raise ValueError("the training data needs both urgent and non-urgent appeals")
        digest = hashlib.sha256()
        for ex in examples:
            digest.update(json.dumps([ex.text, ex.subcategory, ex.case_type, ex.urgent, ex.weight]).encode())
        sources: dict[str, int] = {}
        for ex in examples:
            sources[ex.source] = sources.get(ex.source, 0) + 1
        self.info = {
            "version": digest.hexdigest()[:12],
            "trained_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "examples": len(examples),
            "sources": sources,
            "urgent_examples": int(urgent.sum()),
            "urgent_threshold": round(self.urgent_threshold, 4),
            "features": matrix.shape[1],
            "taxonomy_version": self.taxonomy.version,
            "training_seconds": round(time.perf_counter() - started, 2),
        }
        return self

    def _choose_urgent_threshold(self, texts: list[str], urgent: np.ndarray, *, folds: int) -> float:
        """The threshold with the best F2 on out-of-fold probabilities (each fold refits the
        features, so no fold sees its own words)."""
        folds = min(folds, int(urgent.sum()), int((~urgent).sum()))
        if folds < 2:
            return 0.5
        probabilities = np.zeros(len(texts))
        for train, test in StratifiedKFold(n_splits=folds, shuffle=True, random_state=7).split(texts, urgent):
            featurizer = Featurizer(
                lexicon=self.featurizer.lexicon.lexicon, danger=self.featurizer.danger.lexicon["danger"]
            )
            model = LogisticRegression(C=URGENT_C, max_iter=3000, class_weight="balanced")
            model.fit(featurizer.fit_transform([texts[i] for i in train]), urgent[train])
            probabilities[test] = model.predict_proba(featurizer.transform([texts[i] for i in test]))[:, 1]
        best, best_score = 0.5, -1.0
        for threshold in np.arange(URGENT_FLOOR, 0.9, 0.01):
            predicted = probabilities >= threshold
            tp = float((predicted & urgent).sum())
            precision = tp / predicted.sum() if predicted.any() else 0.0
            recall = tp / urgent.sum()
            if precision + recall == 0:
                continue
            score = (1 + URGENT_BETA**2) * precision * recall / (URGENT_BETA**2 * precision + recall)
            if score > best_score:
                best, best_score = float(threshold), score
        return best

    # Prediction ----------------------------------------------------------------------------

    def predict(self, texts: list[str], *, alternatives: int = 3, matrix=None) -> list[Prediction]:
        """One prediction per text, computed for the whole batch at once (`matrix`: the
        texts' features when the caller already has them)."""
        if not texts:
            return []
        assert self.subcategory_model is not None and self.case_type_model is not None, "train the model first"
        if matrix is None:
            matrix = self.featurizer.transform(texts)
        sub_proba = self.subcategory_model.predict_proba(matrix)
        type_proba = self.case_type_model.predict_proba(matrix)
        urgent_proba = self.urgent_model.predict_proba(matrix)[:, 1]
        sub_classes = self.subcategory_model.classes_
        type_classes = self.case_type_model.classes_
        order = np.argsort(-sub_proba, axis=1)[:, : alternatives + 1]
        type_best = type_proba.argmax(axis=1)
        predictions = []
        for row in range(len(texts)):
            ranked = order[row]
            code = str(sub_classes[ranked[0]])
            predictions.append(
                Prediction(
                    subcategory=code,
                    category=self.taxonomy.category[code],
                    department=self.taxonomy.department[code],
                    confidence=float(sub_proba[row, ranked[0]]),
                    alternatives=[(str(sub_classes[i]), float(sub_proba[row, i])) for i in ranked[1:]],
                    case_type=str(type_classes[type_best[row]]),
                    case_type_confidence=float(type_proba[row, type_best[row]]),
                    urgent=bool(urgent_proba[row] >= self.urgent_threshold),
                    urgent_probability=float(urgent_proba[row]),
                )
            )
        return predictions

    def explain(self, text: str, *, subcategory: str, limit: int = 6, matrix=None) -> list[str]:
        """The words that pushed this text towards `subcategory` most (weight × value),
        words and lexicon hits first, then character pieces that are not inside them.
        `matrix`: the text's features when the caller already has them."""
        assert self.subcategory_model is not None, "train the model first"
        row = (self.featurizer.transform([text]) if matrix is None else matrix).tocoo()
        classes = list(self.subcategory_model.classes_)
        if subcategory not in classes:
            return []
        weights = self.subcategory_model.class_weights(classes.index(subcategory))
        contributions = sorted(
            ((float(value * weights[column]), int(column)) for column, value in zip(row.col, row.data, strict=True)),
            reverse=True,
        )
        names = self.featurizer.names
        normalised = normalise(text)
        chosen: list[str] = []
        pieces: list[str] = []
        for contribution, column in contributions:
            if contribution <= 0:
                break
            kind, _sep, name = names[column].partition(":")
            if kind == "w" and len(name) > 1:
                chosen.append(name)
            elif kind == "lex":
                chosen.extend(self.featurizer.lexicon.matches(normalised, name))
            elif kind == "c" and len(name) > 1 and all(char.isalnum() and char not in _FUNCTION_CHARS for char in name):
                pieces.append(name)
        words = list(dict.fromkeys(word for word in chosen if word))
        for piece in pieces:
            if not any(piece in word for word in words):
                words.append(piece)
        return words[:limit]

    def danger_words(self, text: str) -> list[str]:
        return self.featurizer.danger.matches(normalise(text), "danger")
