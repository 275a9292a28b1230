"""``--model NAME`` for the classifiers of ``bp.linear_model``: the adapter fits, predicts, saves and reloads
any scikit-learn-style classifier (a stand-in here, so that the adapter is tested on its own)."""
import json

import numpy as np
import pytest

import backprop as bp
from backprop import linear_model
from backprop.base import BaseEstimator, ClassifierMixin
from tests.cli._helpers import assert_png, cli, read_csv_rows


class Centroids(ClassifierMixin, BaseEstimator):
    """A linear classifier without probabilities: score_k(x) = μ_k·x − ½‖μ_k‖² (nearest class mean)."""

    def __init__(self, shrink=0.0, random_state=None):
        self.shrink, self.random_state = shrink, random_state

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        means = np.array([X[y == c].mean(axis=0) for c in self.classes_]) * (1 - self.shrink)
        self.coef_, self.intercept_ = means, -0.5 * (means ** 2).sum(axis=1)
        self.n_features_in_ = X.shape[1]
        return self

    def predict(self, X):
        return self.classes_[np.argmax(X @ self.coef_.T + self.intercept_, axis=1)]


@pytest.fixture
def centroids(monkeypatch):
    monkeypatch.setattr(linear_model, "SoftmaxRegression", Centroids, raising=False)


def test_classifier_estimator_run(tmp_path, capsys, centroids):
    code, out, err = cli(capsys, "train", "--data", "gauss", "--model", "softmax", "--param", "shrink=0.1",
                         "--out", tmp_path / "run")
    assert code == 0, err
    assert "model: Centroids(random_state=0, shrink=0.1)" in out  # the seed is passed as random_state
    assert "decision function (class 0):" in out and "decision function (class 1):" in out
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["test"]["accuracy"] > 0.95
    assert metrics["test"]["log_loss"] is None  # decisions only: no log loss
    assert out.splitlines()[-4].split()[-1] == "-"
    assert not (tmp_path / "run" / "history.csv").exists()  # fitted in one call: no epochs
    assert_png(tmp_path / "run" / "decision_boundary.png")
    saved = bp.load(tmp_path / "run" / "model.safetensors")
    assert set(saved) == {"classes_", "coef_", "intercept_", "n_features_in_"}
    # a reloaded run predicts as the fitted one did
    code, again, _ = cli(capsys, "evaluate", tmp_path / "run")
    assert code == 0 and again.splitlines()[-1].split()[2] == f"{metrics['test']['accuracy']:.4f}"
    (tmp_path / "new.csv").write_text("x1,x2\n2,2\n-2,-2\n")
    code, _, _ = cli(capsys, "predict", tmp_path / "run", tmp_path / "new.csv", "-o", tmp_path / "p.csv")
    rows = read_csv_rows(tmp_path / "p.csv")
    assert code == 0 and [r[2] for r in rows[1:]] == ["1", "0"]
    assert rows[1][3:] == ["0", "1"]  # no predict_proba: the predicted class gets probability 1
    code, _, err = cli(capsys, "train", "--resume", tmp_path / "run")
    assert code == 2 and "fitted in one step; there is nothing to resume" in err


def test_estimator_errors(tmp_path, capsys, centroids):
    code, _, err = cli(capsys, "train", "--data", "gauss", "--model", "softmax", "--param", "depth=3")
    assert code == 2
    assert "SoftmaxRegression has no parameter 'depth'; its parameters are random_state, shrink" in err
    code, _, err = cli(capsys, "train", "--data", "gauss", "--model", "softmax", "--param", "shrink")
    assert code == 2 and "--param: 'shrink' is not KEY=VALUE" in err
    code, _, err = cli(capsys, "train", "--data", "diabetes", "--model", "softmax")
    assert code == 2 and "is for classification, but the task is regression" in err


def test_logistic_regression_with_probabilities(tmp_path, capsys):
    code, out, _ = cli(capsys, "train", "--data", "iris", "--model", "logistic", "--no-plots", "--out",
                       tmp_path)
    assert code == 0 and "model: LogisticRegression()" in out
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["test"]["accuracy"] > 0.9 and 0 < metrics["test"]["log_loss"] < 0.5
    assert "decision function (class setosa):" in out
