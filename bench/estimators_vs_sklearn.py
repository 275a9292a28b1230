"""bp's linear classifiers beside scikit-learn's on iris, wine and breast cancer, raw and standardised (issue 16).

For each estimator and data set: the training accuracy with default settings beside that of scikit-learn's
counterpart, and the objective each library reaches on the same problem (the objective bp's estimator
minimises, evaluated at both solutions), with "W" where a fit warned (ConvergenceWarning).

    estimator           bp (accuracy)                 scikit-learn (accuracy)           objective (both solutions)
    SoftmaxRegression   SoftmaxRegression()           LogisticRegression(max_iter=10000) mean logloss + ‖W‖²/(2n):
                                                                                          SoftmaxRegression(alpha=1/n
                                                                                          (2/n for two classes)) vs
                                                                                          LogisticRegression(C=1)
    LogisticRegression  LogisticRegression()          LogisticRegression(max_iter=10000) C·Σ logloss + ½‖W‖²
    LinearSVC           LinearSVC()                   LinearSVC(max_iter=100000)         liblinear's hinge objective
                                                                                          ½‖w‖² + ½b² + C·Σ hinge vs
                                                                                          LinearSVC(loss='hinge')
    Perceptron          Perceptron(random_state=0)    Perceptron(random_state=0)         Σ max(0, −M) over rows and
                                                                                          one-vs-rest columns

Run: ``python bench/estimators_vs_sklearn.py`` (about two minutes; scikit-learn needed). Prints a Markdown table.
"""
import time
import warnings

import numpy as np
from sklearn import datasets, linear_model, svm

import backprop.linear_model as bp_lm

DATA = {"iris": datasets.load_iris, "wine": datasets.load_wine, "breast cancer": datasets.load_breast_cancer}


def signs(classes, y):
    """The one-vs-rest ±1 targets: one column (class 1 against 0) for two classes, else one per class."""
    if len(classes) == 2:
        return (2 * (y == classes[1]) - 1.0)[:, None]
    return np.where(y[:, None] == classes[None, :], 1.0, -1.0)


def logloss_sum(model, X, y):
    p = model.predict_proba(X)[np.arange(len(y)), np.searchsorted(model.classes_, y)]
    return float(-np.log(np.maximum(p, 1e-300)).sum())


def softmax_objective(model, X, y):
    return logloss_sum(model, X, y) / len(y) + np.sum(model.coef_ ** 2) / (2 * len(y))


def logistic_objective(model, X, y):
    return logloss_sum(model, X, y) + 0.5 * np.sum(model.coef_ ** 2)


def hinge_objective(model, X, y):
    hinge = np.maximum(0, 1 - signs(model.classes_, y) * (X @ model.coef_.T + model.intercept_))
    return float(0.5 * np.sum(model.coef_ ** 2) + 0.5 * np.sum(model.intercept_ ** 2) + hinge.sum())


def perceptron_objective(model, X, y):
    return float(np.maximum(0, -signs(model.classes_, y) * (X @ model.coef_.T + model.intercept_)).sum())


def fit(estimator, X, y):
    """(fitted estimator, whether it warned that it did not converge)."""
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        estimator.fit(X, y)
    return estimator, any(issubclass(w.category, Warning) and "converge" in str(w.message) for w in record)


def row(name, X, y):
    n, two = len(y), len(np.unique(y)) == 2
    cases = {
        "SoftmaxRegression": (bp_lm.SoftmaxRegression(), linear_model.LogisticRegression(max_iter=10000),
                              bp_lm.SoftmaxRegression(alpha=(2.0 if two else 1.0) / n),
                              linear_model.LogisticRegression(max_iter=10000), softmax_objective),
        "LogisticRegression": (bp_lm.LogisticRegression(), linear_model.LogisticRegression(max_iter=10000),
                               None, None, logistic_objective),
        "LinearSVC": (bp_lm.LinearSVC(random_state=0), svm.LinearSVC(max_iter=100000, random_state=0),
                      None, svm.LinearSVC(loss="hinge", max_iter=100000, random_state=0), hinge_objective),
        "Perceptron": (bp_lm.Perceptron(random_state=0), linear_model.Perceptron(random_state=0),
                       None, None, perceptron_objective),
    }
    lines = []
    for estimator, (ours, theirs, ours_obj, theirs_obj, objective) in cases.items():
        start = time.perf_counter()
        ours, ours_warned = fit(ours, X, y)
        theirs, theirs_warned = fit(theirs, X, y)
        ours_o = ours if ours_obj is None else fit(ours_obj, X, y)[0]
        theirs_o = theirs if theirs_obj is None else fit(theirs_obj, X, y)[0]
        seconds = time.perf_counter() - start
        flag = " W" if ours_warned else ""
        their_flag = " W" if theirs_warned else ""
        lines.append(f"| {name} | {estimator} | {ours.score(X, y):.3f}{flag} | {theirs.score(X, y):.3f}{their_flag} "
                     f"| {objective(ours_o, X, y):.6g} | {objective(theirs_o, X, y):.6g} | {seconds:.1f} |")
    return lines


def main():
    print("| data | estimator | bp accuracy | sklearn accuracy | bp objective | sklearn objective | seconds |")
    print("|---|---|---|---|---|---|---|")
    for name, load in DATA.items():
        X, y = load(return_X_y=True)
        standardised = (X - X.mean(axis=0)) / X.std(axis=0)
        for scaling, data in (("raw", X), ("standardised", standardised)):
            for line in row(f"{name} ({scaling})", data, y):
                print(line, flush=True)


if __name__ == "__main__":
    main()
