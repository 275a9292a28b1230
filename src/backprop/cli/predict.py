"""``backprop predict RUN_DIR INPUT [-o OUT.csv]``: a trained run's predictions for new rows."""
import csv
import io
import sys

from ..io.files import atomic_write_text
from .common import check_output, require


def add_parser(sub):
    p = sub.add_parser("predict", help="predict new rows (CSV or .npy) with a trained run",
                       description="Read INPUT (a CSV with the run's input columns, by name when it has a "
                                   "header, else in order; or an .npy matrix), apply the run's encoding and "
                                   "standardisation, and write the rows with a 'prediction' column (and, for "
                                   "classification, one 'prob_<class>' column per class) as CSV. A recurrent "
                                   "run (rnn, lstm, gru) reads a CSV with one sequence per row, as many "
                                   "numeric columns as its training windows (--seq-len of --data sine), and "
                                   "predicts the next value.")
    p.add_argument("run_dir", metavar="RUN_DIR", help="a folder written by backprop train")
    p.add_argument("input", metavar="INPUT", help="the rows to predict: CSV or .npy (recurrent runs: CSV)")
    p.add_argument("-o", "--output", metavar="OUT.csv",
                   help="write here (default: standard output); never the input file or a file of the run "
                        "folder")
    p.add_argument("--overwrite", action="store_true", help="replace OUT.csv if it exists")
    p.add_argument("--unknown", choices=["warn", "error", "ignore"], default="warn",
                   help="a row with a category the run never saw in a one-hot column: warn (a warning per row "
                        "and empty prediction cells), error (stop, naming the row and column) or ignore (empty "
                        "prediction cells, no warning); default warn")
    p.set_defaults(handler=run)


def run(args):
    from .newdata import read_inputs, read_sequences
    from .models import RECURRENT
    from .runs import load_run

    require("safetensors", purpose="backprop predict")
    if args.output:
        check_output(args.output, args.overwrite, protect=[args.input], protect_dirs=[args.run_dir])
    config, _, prep, model = load_run(args.run_dir)
    info = config["data"]
    read = read_sequences if config["options"]["model"] in RECURRENT else read_inputs
    unknown = {}  # 0-based row → the first unseen category in it
    record = None if args.unknown == "error" else lambda e: unknown.setdefault(e.row - 1, e)
    X_raw, columns, rows = read(args.input, info, record)
    for error in unknown.values() if args.unknown == "warn" else ():
        print(f"warning: {error}; its prediction is left empty", file=sys.stderr)
    out = model.predict(prep.transform(X_raw))
    if info["task"] == "classification":
        header = columns + ["prediction"] + [f"prob_{c}" for c in info["classes"]]
        extra = [[info["classes"][k], *(f"{p:.6g}" for p in probs)]
                 for k, probs in zip(out.argmax(axis=1), out)]
    else:
        values = prep.inverse_target(out)
        header = columns + (["prediction"] if values.shape[1] == 1 else
                            [f"prediction_{j}" for j in range(values.shape[1])])
        extra = [[repr(float(v)) for v in row] for row in values]
    blank = [""] * (len(header) - len(columns))
    lines = [header, *(row + (blank if i in unknown else more) for i, (row, more) in enumerate(zip(rows, extra)))]
    if not args.output:
        csv.writer(sys.stdout).writerows(lines)
        return 0
    text = io.StringIO()
    csv.writer(text).writerows(lines)
    atomic_write_text(args.output, text.getvalue())
    print(f"wrote {len(rows)} predictions to {args.output}")
    return 0
