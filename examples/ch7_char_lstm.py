"""A character-level LSTM on a small text, sampled at the temperatures 0.1, 1 and 10.

Source: chapter 7 (recurrent networks) and the course's sampling temperature (chapter 5, softmax with
temperature: p = softmax(z / T)). The network reads the text one character at a time
(Embedding → LSTM → Linear over the vocabulary) and learns to predict the next one with the
cross-entropy. Then, after a fixed context, it draws 200 next characters from softmax(z / T) with
``bp.multinomial``:

- T = 0.1 sharpens the distribution towards its most likely character, which makes up at least half
  of the 200 draws (the test's bound);
- T = 1 samples the model's own distribution;
- T = 10 flattens it towards uniform: the draws' entropy reaches at least 0.9·ln |V|.

The text is the opening of Lewis Carroll's *Alice's Adventures in Wonderland* (1865), in the public
domain.

Run: python examples/ch7_char_lstm.py
"""
import numpy as np

import backprop as bp
from backprop import nn

TEXT = ("alice was beginning to get very tired of sitting by her sister on the bank, and of having nothing "
        "to do: once or twice she had peeped into the book her sister was reading, but it had no pictures "
        "or conversations in it, and what is the use of a book, thought alice without pictures or "
        "conversations? so she was considering in her own mind (as well as she could, for the hot day made "
        "her feel very sleepy and stupid), whether the pleasure of making a daisy-chain would be worth the "
        "trouble of getting up and picking the daisies, when suddenly a white rabbit with pink eyes ran "
        "close by her.")
TEMPERATURES = (0.1, 1.0, 10.0)


class CharModel(nn.Module):
    def __init__(self, vocabulary, embedding=16, hidden=64):
        super().__init__()
        self.embed = nn.Embedding(vocabulary, embedding)
        self.lstm = nn.LSTM(embedding, hidden, batch_first=True)
        self.head = nn.Linear(hidden, vocabulary)

    def forward(self, codes, state=None):
        out, state = self.lstm(self.embed(codes), state)
        return self.head(out), state


def entropy(counts):
    p = counts[counts > 0] / counts.sum()
    return float(-(p * np.log(p)).sum()) + 0.0  # + 0.0 turns −0.0 into 0.0


def main(steps=200, length=32, batch=32, seed=0):
    bp.manual_seed(seed)
    rng = np.random.default_rng(seed)
    chars = sorted(set(TEXT))
    codes = np.array([chars.index(c) for c in TEXT])
    model = CharModel(len(chars))
    optimizer = bp.optim.Adam(model.parameters(), lr=0.01)
    for step in range(steps):
        starts = rng.integers(0, len(codes) - length - 1, batch)
        window = codes[starts[:, None] + np.arange(length + 1)]
        logits, _ = model(bp.tensor(window[:, :-1]))
        loss = bp.F.cross_entropy(logits.reshape(-1, len(chars)), bp.tensor(window[:, 1:].reshape(-1)))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % 50 == 0:
            print(f"step {step:4d}  cross-entropy {loss.item():.3f} (ln |V| = {np.log(len(chars)):.3f})")
    context = "alice was beginning to get very tired of sitting by her sis"
    with bp.no_grad():
        logits, _ = model(bp.tensor([[chars.index(c) for c in context]]))
    z = logits.data[0, -1].astype(np.float64)
    likeliest = int(np.argmax(z))
    answers = {"vocabulary": len(chars), "likeliest": chars[likeliest]}
    for t in TEMPERATURES:
        probs = bp.F.softmax(bp.tensor(z), dim=-1, temperature=t)
        draws = bp.multinomial(probs, 200, replacement=True).data
        counts = np.bincount(draws, minlength=len(chars))
        answers[t] = {"likeliest_share": counts[likeliest] / 200, "entropy": entropy(counts),
                      "text": generate(model, chars, context, t, 40)}
        print(f"T = {t:>4}: {chars[likeliest]!r} in {counts[likeliest]}/200 draws, entropy of the draws "
              f"{answers[t]['entropy']:.2f} (ln |V| = {np.log(len(chars)):.2f}); "
              f"…{context[-12:]}{answers[t]['text']!r}")
    with bp.explain.trace() as tr:  # one LSTM step of a tiny cell, gate by gate
        cell = nn.LSTMCell(2, 2)
        h, c = cell(bp.tensor([[1.0, -1.0]]))
        h.sum().backward()
    print(tr)
    return answers


def generate(model, chars, context, temperature, count):
    """``count`` characters after ``context``, each drawn from softmax(z / T) and fed back in."""
    text = ""
    with bp.no_grad():
        logits, state = model(bp.tensor([[chars.index(c) for c in context]]))
        for _ in range(count):
            probs = bp.F.softmax(logits[0, -1], dim=-1, temperature=temperature)
            code = int(bp.multinomial(probs, 1).data[0])
            text += chars[code]
            logits, state = model(bp.tensor([[code]]), state)
    return text


if __name__ == "__main__":
    main()
