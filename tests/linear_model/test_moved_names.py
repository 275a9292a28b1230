"""The MLPs (bp.neural_network) and the one-vs-rest/one wrappers (bp.multiclass) still import from bp.linear_model."""
import warnings

import backprop as bp


def test_old_names_are_the_same_objects_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from backprop.linear_model import MLPClassifier, MLPRegressor, OneVsOneClassifier, OneVsRestClassifier
    assert MLPClassifier is bp.neural_network.MLPClassifier and MLPRegressor is bp.neural_network.MLPRegressor
    assert OneVsRestClassifier is bp.multiclass.OneVsRestClassifier
    assert OneVsOneClassifier is bp.multiclass.OneVsOneClassifier
    # the linear models' own list (and so their docs) names linear models only
    assert not {"MLPClassifier", "MLPRegressor", "OneVsOneClassifier", "OneVsRestClassifier"} & set(
        bp.linear_model.__all__)
    assert {"LinearSVC", "Perceptron", "SoftmaxRegression", "lasso_path"} <= set(bp.linear_model.__all__)
