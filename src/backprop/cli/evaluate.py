"""``backprop evaluate RUN_DIR [--data PATH]``: the metrics of a trained run, on its own split or new data."""
import os

from .common import CLIError, require
from .options import add_data_options


def add_parser(sub):
    p = sub.add_parser("evaluate", help="metrics of a trained run on its data or on a labelled file",
                       description="Print the metrics table of a trained run: on its own train, "
                                   "validation and test split (rebuilt from config.json), or with --data on "
                                   "every row of a labelled file read as the training data was (same "
                                   "columns, encoding and standardisation), or of a named data set (a "
                                   "generated one such as sine is drawn anew, with the run's options and "
                                   "seed + 1).")
    p.add_argument("run_dir", metavar="RUN_DIR", help="a folder written by backprop train")
    add_data_options(p, suppress=False)
    p.set_defaults(handler=run)


def run(args):
    from . import report
    from .data import NAMED, prepare
    from .newdata import read_labelled, read_named
    from .runs import check_data_unchanged, load_run

    require("safetensors", purpose="backprop evaluate")
    config, opts, prep, model = load_run(args.run_dir)
    task = config["data"]["task"]
    named = args.data in NAMED and not os.path.exists(args.data)
    if args.data is None or named:
        for name in ("target", "header", "one_hot", "drop_missing"):
            if getattr(args, name) is not None:
                raise CLIError(f"--{name.replace('_', '-')} applies to a file given with --data"
                               + (f", not to the named data set {args.data}" if named else ""))
    if args.data is None:
        check_data_unchanged(opts, config)
        data = prepare(opts)
        if not data.splits:  # sharded data: the metrics are summed over the stream
            print(report.table(data.evaluate(model)))
            return 0
        splits = {k: (prep.transform(v[0]), v[2]) for k, v in data.splits.items()}
    elif named:
        X_raw, y = read_named(args.data, config["data"], opts)
        splits = {args.data[:12]: (prep.transform(X_raw), y)}
    else:
        if not os.path.exists(args.data):
            raise CLIError(f"--data: no such file or folder: {args.data} (or a named data set: "
                           f"{', '.join(NAMED)})")
        # the run's own reading options unless overridden: a run trained with --drop-missing drops here too
        read_opts = {**opts, "target": args.target,
                     "header": opts.get("header") if args.header is None else args.header,
                     "drop_missing": bool(args.drop_missing) or bool(opts.get("drop_missing"))}
        X_raw, y = read_labelled(args.data, config["data"], read_opts)
        splits = {os.path.basename(args.data.rstrip("/"))[:12]: (prep.transform(X_raw), y)}
    print(report.table(report.evaluate_splits(model, task, prep, splits)))
    return 0
