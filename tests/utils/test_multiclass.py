import numpy as np
import pytest

import backprop as bp
from backprop.utils import check_classes, check_classification_targets, type_of_target, unique_labels

TARGETS = [
    [0, 1, 1, 0], [1, 1, 1], [0.0, 1.0], [1, 2, 3], ["a", "b"], ["a", "b", "c"], [True, False],
    [0.5, 1.5], [[1], [2], [3]], [[0, 1], [1, 0]], [[0, 1, 1], [1, 0, 0]], [[1, 2], [3, 1]],
    [[0.5, 1.0], [1.0, 2.0]], np.array([[[1]]]), [], [1.0, 2.0, 3.0], np.array(["x", "y"], dtype=object),
]


@pytest.mark.parametrize("y", TARGETS, ids=range(len(TARGETS)))
def test_type_of_target_agrees_with_sklearn(y):
    multiclass = pytest.importorskip("sklearn.utils.multiclass")
    assert type_of_target(y) == multiclass.type_of_target(y)


def test_type_of_target_takes_tensors_and_rejects_strings():
    assert type_of_target(bp.tensor([0.0, 1.0, 2.0])) == "multiclass"
    assert type_of_target(bp.tensor([0.5, 1.0])) == "continuous"
    with pytest.raises(ValueError, match="Expected array-like"):
        type_of_target("abc")
    with pytest.raises(ValueError, match="Input y contains NaN"):
        type_of_target([0.5, np.nan])


def test_unique_labels():
    np.testing.assert_array_equal(unique_labels([3, 1], [2, 1]), [1, 2, 3])
    assert unique_labels(["b", "a"], ["c"]).tolist() == ["a", "b", "c"]
    np.testing.assert_array_equal(unique_labels([[0, 1], [1, 0]]), [0, 1])
    with pytest.raises(ValueError, match=r"Mix of label input types \(string and number\)"):
        unique_labels(["a", "b"], [1, 2])
    with pytest.raises(ValueError, match="Mix type of y not allowed"):
        unique_labels([0, 1], [0.5, 1.5])
    with pytest.raises(ValueError, match="No argument"):
        unique_labels()


def test_check_classification_targets():
    check_classification_targets([0, 1, 2])
    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        check_classification_targets([0.5, 1.5])


def test_check_classes_encodes_and_refuses_a_single_class():
    classes, encoded = check_classes(["b", "a", "b"])
    assert classes.tolist() == ["a", "b"] and encoded.tolist() == [1, 0, 1]
    with pytest.raises(ValueError, match="LogisticRegression needs samples of at least 2 classes in the data, but "
                                         "the data contains only one class: 1"):
        check_classes([1, 1, 1], estimator="LogisticRegression")
    with pytest.raises(ValueError, match="Unknown label type"):
        check_classes([0.1, 0.2])
