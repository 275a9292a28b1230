"""Shooting yourself in the foot: Misha's architectures, and the diagnostics that catch each mistake.

Source: 001 (problem book), chapter 5.5 "Стрельба по ногам", exercise 10. The pictures of Misha's
networks are missing from the text; these are the mistakes the exercise is about, each one a
deliberate mistake that ``bp.explain.diagnose`` must flag:

а. House prices (targets in the hundreds of thousands) predicted through a sigmoid output, whose
   values lie in (0, 1): ``output-range``.
б. Ten classes of 28×28 images: the image fed to a Linear layer without flattening
   (``unflattened-input``); a softmax output fed to ``CrossEntropyLoss``, which applies softmax
   itself (``double-softmax``); MSE on the class labels 0…9 as numbers (``labels-as-regression``).
в. 100×100 images flattened into a dense layer: 10 000 inputs make a first Linear(10 000, 1 000)
   layer of (10 000 + 1)·1 000 = 10 001 000 parameters.

Run: python examples/ch5_architecture_mistakes.py
"""
import warnings

import numpy as np

import backprop as bp
from backprop import nn


def findings(model, x, y=None, loss_fn=None):
    """The codes ``diagnose`` reports, checking that each was also issued as a DiagnosticWarning."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", bp.explain.DiagnosticWarning)
        diagnosis = bp.explain.diagnose(model, x, y, loss_fn)
    print(diagnosis)
    warned = [w for w in caught if issubclass(w.category, bp.explain.DiagnosticWarning)]
    assert len(warned) == len(diagnosis.findings), "every finding is issued as a warning"
    return diagnosis.codes


def main():
    bp.manual_seed(0)
    rng = np.random.default_rng(0)
    prices = rng.uniform(2e5, 9e5, size=(16, 1))
    houses = bp.tensor(rng.standard_normal((16, 5)), dtype=np.float32)
    price_model = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 1), nn.Sigmoid())
    with bp.explain.trace(model=price_model, names={"x": houses}) as tr:
        price_model(houses)
    print(tr)
    images = bp.tensor(rng.standard_normal((8, 28, 28)), dtype=np.float32)
    labels = rng.integers(0, 10, size=8)
    flat = bp.tensor(images.data.reshape(8, -1))
    answers = {
        "а sigmoid output for prices": findings(price_model, houses, prices, nn.MSELoss()),
        "б no flatten": findings(nn.Sequential(nn.Linear(28, 10)), images),
        "б softmax + CrossEntropyLoss": findings(nn.Sequential(nn.Linear(784, 10), nn.Softmax(dim=1)), flat,
                                                 labels, nn.CrossEntropyLoss()),
        "б MSE on class labels": findings(nn.Sequential(nn.Linear(784, 1)), flat, labels[:, None],
                                          nn.MSELoss()),
    }
    expected = {"а sigmoid output for prices": "output-range", "б no flatten": "unflattened-input",
                "б softmax + CrossEntropyLoss": "double-softmax",
                "б MSE on class labels": "labels-as-regression"}
    for case, code in expected.items():
        assert code in answers[case], f"{case}: the diagnostics must report {code}"
    dense = bp.explain.summary(nn.Sequential(nn.Flatten(), nn.Linear(100 * 100, 1000)))
    answers["в parameters of Linear(10 000, 1 000)"] = dense.total_params
    print("в. Linear(10 000, 1 000) on flattened 100×100 images:", dense.total_params, "parameters")
    return answers


if __name__ == "__main__":
    main()
