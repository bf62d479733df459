"""MLServer side of the model-server benchmark (scripts/bench/model-server).

`train` fits a scikit-learn model on an exported data set (the features of
scripts/bench/trainer_reference.py, logistic regression) wrapped so that it
takes the pandas-codec data frame MLServer decodes from the old system's
request, and writes an MLServer model repository. `requests` writes the
single-payment and 32-payment request bodies (the same pandas-codec shape
the sync worker sends) used against both servers.

    python3 scripts/bench/model_server_mlserver.py train DATA.jsonl REPO BUDGET HTTP GRPC METRICS
    python3 scripts/bench/model_server_mlserver.py requests DATA.jsonl OUT_DIR
"""

import json
import os
import sys

import joblib
from sklearn.linear_model import LogisticRegression

from trainer_reference import Features, load

JSON_FIELDS = ("alias", "amount", "attachment", "balance_after_mutation",
               "counterparty_alias", "request_reference_split_the_bill")
TEXT_FIELDS = ("description", "sub_type", "type")
FIELDS = ("id", "alias", "amount", "attachment", "balance_after_mutation",
          "counterparty_alias", "created", "description", "monetary_account_id",
          "request_reference_split_the_bill", "sub_type", "type", "updated")


def cell(value):
    if isinstance(value, bytes):
        value = value.decode("utf-8")
    if isinstance(value, str) and value[:1] in ("{", "["):
        return json.loads(value)
    return value


class PaymentFrameModel:
    """Features + logistic regression over a data frame of payment columns."""

    def fit(self, rows):
        self.features = Features()
        x = self.features.fit_transform(rows)
        self.classifier = LogisticRegression(max_iter=1000).fit(x, [r["category"] for r in rows])
        return self

    def _rows(self, frame):
        rows = []
        for record in frame.to_dict(orient="records"):
            payment = {k: cell(v) for k, v in record.items()}
            payment["created"] = str(payment.get("created", "")).replace("T", " ")
            rows.append({"payment": payment})
        return rows

    def predict(self, frame):
        return self.classifier.predict(self.features.transform(self._rows(frame)))

    def predict_proba(self, frame):
        return self.classifier.predict_proba(self.features.transform(self._rows(frame)))


def encode(payments):
    """The pandas-codec request, as crates/classifier/src/request.rs builds it."""
    n = len(payments)
    inputs = []
    for field in FIELDS:
        if field in ("id", "monetary_account_id"):
            inputs.append({"name": field, "shape": [n, 1], "datatype": "INT64",
                           "data": [p[field] for p in payments]})
        elif field in ("created", "updated"):
            inputs.append({"name": field, "shape": [n, 1], "datatype": "BYTES",
                           "data": [p[field].replace(" ", "T") for p in payments]})
        elif field in TEXT_FIELDS:
            inputs.append({"name": field, "shape": [n, 1], "datatype": "BYTES",
                           "parameters": {"content_type": "str"},
                           "data": [p.get(field) or "" for p in payments]})
        else:
            inputs.append({"name": field, "shape": [n, 1], "datatype": "BYTES",
                           "parameters": {"content_type": "pd_json"},
                           "data": [json.dumps(p.get(field)) for p in payments]})
    return {"parameters": {"content_type": "pd"}, "inputs": inputs}


def train(data, repo, budget, http, grpc, metrics):
    model = PaymentFrameModel().fit(load(data))
    folder = os.path.join(repo, budget)
    os.makedirs(folder, exist_ok=True)
    joblib.dump(model, os.path.join(folder, "model.joblib"))
    with open(os.path.join(folder, "model-settings.json"), "w") as f:
        json.dump({"name": budget, "implementation": "mlserver_sklearn.SKLearnModel",
                   "parameters": {"uri": "./model.joblib", "version": "1"}}, f)
    with open(os.path.join(repo, "settings.json"), "w") as f:
        # No inference worker processes: MLServer 1.7.1's workers die at
        # start with the current asyncio/uvloop ("no current event loop"),
        # so inference runs in the main process, as with `parallel_workers: 0`
        # in its documentation.
        json.dump({"http_port": int(http), "grpc_port": int(grpc),
                   "metrics_port": int(metrics), "host": "127.0.0.1",
                   "parallel_workers": 0}, f)


def requests(data, out_dir):
    payments = [r["payment"] for r in load(data)]
    for name, count in (("single", 1), ("batch32", 32)):
        with open(os.path.join(out_dir, f"model-server-{name}.json"), "w") as f:
            json.dump(encode(payments[-count:]), f)


if __name__ == "__main__":
    # Imported by name, so that the pickle names this module, not __main__,
    # and MLServer (with this folder on PYTHONPATH) can load it.
    import model_server_mlserver as this
    command, *args = sys.argv[1:]
    {"train": this.train, "requests": this.requests}[command](*args)
