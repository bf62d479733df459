"""Reference pipeline for the trainer benchmark (scikit-learn).

Reads a `trainer export` JSON Lines file, splits it in time order (first 80
percent trains, newest 20 percent validates, as `trainer evaluate` does)
and fits the pipeline the Python system's successors would use: TF-IDF on
the description and on the counterparty name, the signed amount, the
payment type and the weekday, with a logistic regression and a random
forest. Prints one JSON object: macro-F1, accuracy and fit time of each.

    python3 scripts/bench/trainer_reference.py --input FILE
"""

import argparse
import json
import time
from datetime import datetime

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.ensemble import RandomForestClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.preprocessing import OneHotEncoder

TOKENS = r"\b[^\d\W]+"  # letter runs, digits excluded (as the old system)


def counterparty(payment):
    alias = payment.get("counterparty_alias") or {}
    label = alias.get("label_user") or {}
    for name in (alias.get("display_name"), label.get("display_name"), alias.get("name")):
        if name and name.strip():
            return name
    return "Unknown"


def load(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                rows.append(json.loads(line))
    rows.sort(key=lambda r: r["payment"]["created"])
    return rows


class Features:
    """TF-IDF (description, counterparty) + amount + type + weekday."""

    def __init__(self):
        self.description = TfidfVectorizer(strip_accents="ascii", lowercase=True, token_pattern=TOKENS)
        self.counterparty = TfidfVectorizer(strip_accents="ascii", lowercase=True, token_pattern=TOKENS)
        self.categorical = OneHotEncoder(handle_unknown="ignore")

    @staticmethod
    def columns(rows):
        payments = [r["payment"] for r in rows]
        descriptions = [p.get("description") or "" for p in payments]
        names = [counterparty(p) for p in payments]
        amounts = np.array([[float(p["amount"]["value"])] for p in payments])
        created = [datetime.strptime(p["created"][:19], "%Y-%m-%d %H:%M:%S") for p in payments]
        categorical = [[p.get("type", ""), str(c.weekday())] for p, c in zip(payments, created)]
        return descriptions, names, amounts, categorical

    def fit_transform(self, rows):
        d, n, a, c = self.columns(rows)
        self.scale = max(float(np.abs(a).max()), 1.0)
        return hstack([
            self.description.fit_transform(d),
            self.counterparty.fit_transform(n),
            csr_matrix(a / self.scale),
            self.categorical.fit_transform(c),
        ]).tocsr()

    def transform(self, rows):
        d, n, a, c = self.columns(rows)
        return hstack([
            self.description.transform(d),
            self.counterparty.transform(n),
            csr_matrix(a / self.scale),
            self.categorical.transform(c),
        ]).tocsr()


def run(name, classifier, train, validate):
    start = time.perf_counter()
    features = Features()
    x_train = features.fit_transform(train)
    y_train = [r["category"] for r in train]
    classifier.fit(x_train, y_train)
    fit_seconds = time.perf_counter() - start
    predicted = classifier.predict(features.transform(validate))
    truth = [r["category"] for r in validate]
    return {
        "algorithm": name,
        "macro_f1": f1_score(truth, predicted, average="macro", zero_division=0),
        "weighted_f1": f1_score(truth, predicted, average="weighted", zero_division=0),
        "accuracy": accuracy_score(truth, predicted),
        "fit_seconds": fit_seconds,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--input", required=True)
    args = parser.parse_args()
    rows = load(args.input)
    cut = round(len(rows) * 0.8)
    train, validate = rows[:cut], rows[cut:]
    results = [
        run("logistic_regression", LogisticRegression(max_iter=1000), train, validate),
        run("random_forest", RandomForestClassifier(n_estimators=100, random_state=0, n_jobs=1), train, validate),
    ]
    print(json.dumps({"payments": len(rows), "training_rows": len(train),
                      "validation_rows": len(validate), "reference": results}))


if __name__ == "__main__":
    main()
