"""``backprop train``: train a model on a data set, show its progress, print its metrics and write a run
folder (see :mod:`backprop.cli.runs`); ``--resume RUN_DIR`` finishes an interrupted run exactly."""
import datetime
import os
import sys
import warnings

import numpy as np

from .common import EXTRA, CLIError, require, write_json
from .options import DEFAULTS, add_train_options, command_line, resolve

DESCRIPTION = """Train a model and write a run folder: model.safetensors, config.json (every option, so the
run can be repeated), history.csv/.json, metrics.json and plots (training curves, a confusion matrix or
predicted vs true values, and the decision boundary of 2-D data). With no options: an MLP on the digits data
set. Inputs (derived 2-D features included) and a network's regression targets are standardised with the
training split's mean and standard deviation; metrics are reported in the target's own units. Under
`mpiexec -n N` (the mpi extra) a network trains data-parallel: --batch-size stays the global batch, split among
the N processes, and rank 0 writes the run."""


def add_parser(sub):
    p = sub.add_parser("train", help="train a model on a data set and write a run folder",
                       description=DESCRIPTION + f" Needs the cli extra: {EXTRA}.")
    add_train_options(p)
    r = p.add_argument_group("run")
    r.add_argument("--out", metavar="DIR",
                   help="the run folder to write (default: runs/<data>-<model>-<date-time>)")
    r.add_argument("--resume", metavar="RUN_DIR",
                   help="continue an interrupted (or diverged) run from its last checkpoint, with its own "
                        "options; --lr, --weight-decay, --early-stopping and a larger --epochs may change, and "
                        "each change is recorded in config.json's changes")
    r.add_argument("--config", metavar="FILE",
                   help="repeat a run: take the options from its config.json (options given here win)")
    r.add_argument("--overwrite", action="store_true",
                   help="replace the run in --out once the new run's first epoch is saved (until then the old "
                        "run stays whole); a folder that is not a run is kept as OUT.old-<time>")
    r.add_argument("--quiet", action="store_true", help="no progress output, only the final table")
    r.add_argument("--no-jit", dest="jit", action="store_false",
                   help="run every training step eagerly instead of replaying it with bp.jit (the numbers are "
                        "the same bit for bit; for profiling or debugging)")
    r.add_argument("--no-plots", dest="plots", action="store_false", help="skip the plots")
    p.set_defaults(handler=run)


def run(args):
    from .data import BUNDLED

    given = {k: v for k, v in vars(args).items() if k in DEFAULTS}
    if args.resume:
        return _resume(args, given)
    base = None
    if args.config:
        from .common import read_json

        config_file = os.path.join(args.config, "config.json") if os.path.isdir(args.config) else args.config
        from .schema import check_config

        base = check_config(read_json(config_file, "--config"), config_file)["options"]
    from .schema import check_options

    opts = check_options(resolve(given, base))
    extras = ["matplotlib", "tqdm", "safetensors"] + (["scikit-learn"] if opts["data"] in BUNDLED else [])
    require(*extras, purpose="backprop train")
    if args.out is not None:
        _check_out(args.out, args.overwrite, opts)
    return _train(None, opts, args, fresh=True)


def _check_out(out, overwrite, opts):
    """Refuse an ``--out`` whose contents would be lost: a run, or a folder that is not a run (both allowed
    with ``--overwrite``; the second is then kept aside), or a file."""
    from ..io.files import is_inside
    from .data import NAMED
    from .runs import is_run_folder

    if os.path.lexists(out) and not os.path.isdir(out):
        raise CLIError(f"--out {out} is a file, not a folder: choose another --out")
    if overwrite:
        if opts["data"] not in NAMED and os.path.isdir(out) and is_inside(opts["data"], out):
            raise CLIError(f"--overwrite would delete {out}, which holds the data file {opts['data']}: move "
                           "the data or choose another --out")
        return
    if is_run_folder(out):
        raise CLIError(f"{out} already holds a run: continue it with --resume {out}, replace it with "
                       "--overwrite, or choose another --out")
    if os.path.isdir(out) and os.listdir(out):
        raise CLIError(f"{out} exists and is not a backprop run folder (it has no config.json): choose another "
                       f"--out, or add --overwrite to write the run there (what {out} holds is then moved to "
                       f"{out}.old-<time>)")


def _default_out(opts):
    """``runs/<data>-<model>-<date-time>``, with a suffix when that is taken."""
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    name = os.path.splitext(os.path.basename(opts["data"].rstrip("/")))[0]
    out = os.path.join("runs", f"{name}-{opts['model']}-{stamp}")
    base, k = out, 1
    while os.path.lexists(out) or os.path.lexists(out + ".lock"):
        k += 1
        out = f"{base}-{k}"
    return out


def _resume(args, given):
    from . import models, runs
    from .identity import CHANGEABLE

    fixed = sorted(set(given) - set(CHANGEABLE)) + [o for o in ("out", "config") if getattr(args, o)]
    if fixed:
        allowed = ", ".join("--" + o.replace("_", "-") for o in CHANGEABLE)
        raise CLIError(f"--resume continues {args.resume} with the options in its config.json; drop "
                       f"--{fixed[0].replace('_', '-')} (only {allowed} may change on --resume)")
    require("matplotlib", "tqdm", "safetensors", purpose="backprop train")
    config = runs.load_config(args.resume)
    opts = resolve({}, config["options"])
    if opts["model"] not in models.NETWORKS:
        raise CLIError(f"{args.resume}: a {opts['model']} model is fitted in one step; there is nothing to "
                       "resume")
    done = runs.epochs_done(args.resume)
    if given.get("epochs", done) < done:
        raise CLIError(f"--epochs {given['epochs']} is below the {done} epochs {args.resume} has already "
                       f"trained: --epochs on --resume is the new total, at least {done}")
    changes = [{"epoch": done, "option": k, "from": opts[k], "to": v} for k, v in given.items() if opts[k] != v]
    opts.update(given)
    runs.check_data_unchanged(opts, config)
    return _train(args.resume, opts, args, fresh=False, changes=config.get("changes", []) + changes)


def _train(run_dir, opts, args, fresh, changes=()):
    """Build the data and model, then write the run under ``OUT.lock``: a new run in a temporary folder
    put in place at its first checkpoint (see ``runs.RunFolder``), a resumed one in place."""
    import contextlib

    import backprop as bp

    from ..io.files import folder_lock, remove_stale_temporaries
    from . import models, runs
    from .data import prepare

    data = prepare(opts)
    bp.manual_seed(opts["seed"])
    model = models.build(opts, data.n_inputs, data.n_outputs, data.task)
    bp.distributed.init()
    world = bp.distributed.get_world_size()
    if world > 1 and model.kind == "network" and opts["batch_size"] % world:
        raise CLIError(f"--batch-size {opts['batch_size']} is the global batch: under mpiexec it must divide by "
                       f"the {world} processes")
    if bp.distributed.get_rank() != 0:  # under mpiexec: this process trains its share, rank 0 writes the run
        if model.kind == "network":
            _fit_network(runs.RunFolder(run_dir or os.devnull, new=False), opts, data, model, quiet=True,
                         metadata=None, jit=args.jit)
        return 0
    out = run_dir or args.out or _default_out(opts)
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(folder_lock(out))
        except BlockingIOError as e:
            raise CLIError(f"{e}; a second backprop train cannot write the same folder") from None
        except OSError as e:  # a read-only or missing parent folder
            raise CLIError(f"cannot create the lock file beside {out}: {e.strerror or e}") from None
        if fresh and args.out is not None:
            _check_out(out, args.overwrite, opts)  # again, now that no other train can change it
        remove_stale_temporaries(out)
        run = runs.RunFolder(out, new=fresh)
        try:
            return _write_run(run, opts, args, data, model, list(changes))
        except BaseException:
            run.discard()
            raise


def _write_run(run, opts, args, data, model, changes):
    import backprop as bp

    from . import report, runs
    from .data import NAMED
    from .files import sha256
    from .identity import file_metadata, run_identity

    data_sha256 = None if opts["data"] in NAMED else sha256(opts["data"])
    identity = run_identity(opts, data_sha256, data.prep.to_dict())
    metadata = file_metadata(identity)  # the run's fingerprint, in config.json and every file's header
    if not run.new:
        runs.check_fingerprint(run.path, identity)
    config = {"command": command_line(opts), "options": opts, "data": data.describe(),
              "data_sha256": data_sha256, "model": model.describe(), "backprop_version": bp.__version__,
              "fingerprint": metadata["fingerprint"], "changes": changes}
    write_json(runs.path(run.path, runs.CONFIG), config)
    quiet = args.quiet
    if not quiet:
        print(_summary(opts, data, model))
        if data.note:
            print(f"note: {data.note}")
    diverged = kept_epoch = None
    if model.kind == "network":
        es, diverged = _fit_network(run, opts, data, model, quiet, metadata, args.jit)
        if es is not None and es.stopped_epoch is not None:
            kept_epoch = es.best_epoch + 1
            if not quiet:
                print(f"early stopping: {es.monitor} did not improve for {es.patience} epochs; stopped after "
                      f"epoch {es.stopped_epoch + 1}, kept the weights of epoch {kept_epoch}")
        if diverged is not None and not run.published and os.path.lexists(run.out):
            # nothing of the new run is worth the old one it would replace
            raise CLIError(f"training stopped: {_where(diverged)}, before the first epoch ended; try a smaller "
                           f"--lr{_untouched(run)}", exit_code=1)
    else:
        model.fit(data.splits["train"][1], data.prep.transform_target(data.splits["train"][2]))
    bp.save(model.state(), runs.path(run.path, runs.WEIGHTS),
            metadata={"format": "backprop.cli/1", "model": opts["model"], **metadata})
    results = data.evaluate(model)
    if diverged is not None:
        results = {"diverged": diverged, **results}
    write_json(runs.path(run.path, runs.METRICS), results, nonfinite="null")
    written = [runs.WEIGHTS, runs.CONFIG, runs.METRICS]
    if model.kind == "network":
        written += [name for name in (runs.HISTORY + ".csv", runs.HISTORY + ".json", runs.CHECKPOINT)
                    if os.path.isfile(runs.path(run.path, name))]
    if args.plots and diverged is None:
        from .plots import draw_run

        written += draw_run(run.path, data, model, kept_epoch)
    run.publish()
    if diverged is not None:
        raise CLIError(f"training stopped: {_where(diverged)}; {run.path}/{runs.WEIGHTS} keeps the last "
                       f"weights whose loss was finite (metrics.json marks them as diverged). Continue with a "
                       f"smaller learning rate: "
                       f"backprop train --resume {run.path} --lr {opts['lr'] / 10:g}", exit_code=1)
    print(report.table({k: v for k, v in results.items() if k != "diverged"}))
    if model.kind == "estimator" and len(data.feature_names) <= 10:
        print(_equation(model, data))
    if run.kept:
        print(f"note: what {run.out} held before was moved to {run.kept}")
    print(f"run folder: {run.path} ({', '.join(written)})")
    return 0


def _where(diverged):
    return f"the loss became {diverged['loss']} at epoch {diverged['epoch']}, step {diverged['step']}"


def _summary(opts, data, model):
    lines = [data.summary_line(opts)]
    if model.kind == "network":
        from .. import distributed

        world, batch = distributed.get_world_size(), opts["batch_size"]
        split = f" ({batch // world} per process × {world} processes)" if world > 1 else ""
        lines.append(f"model: {model.layers(data.n_inputs, data.n_outputs)}, {opts['optimizer']} lr "
                     f"{opts['lr']:g}, {opts['epochs']} epochs, batch {batch}{split}, seed {opts['seed']}")
        n_train = data.n_train
        if opts["batch_norm"] and n_train % opts["batch_size"] == 1 and n_train > 1:
            lines.insert(0, f"note: with --batch-norm, the last batch of each epoch ({n_train} training rows, "
                            f"--batch-size {opts['batch_size']}) would hold one row, whose variance is undefined: "
                            "it is left out of each epoch")
    else:
        lines.append(f"model: {model.describe()}")
    return "\n".join(lines)


def _equation(model, data):
    """The fitted linear function, in terms of the model's (standardised) inputs."""
    coef = np.atleast_2d(getattr(model.estimator, "coef_", np.zeros((1, 0))))
    intercept = np.atleast_1d(getattr(model.estimator, "intercept_", 0.0))
    lines = []
    for k, (w, b) in enumerate(zip(coef, intercept)):
        terms = " ".join(f"{'-' if v < 0 else '+'} {abs(v):.4g}·{name}"
                         for v, name in zip(w, data.feature_names))
        head = "decision function" if data.task == "classification" else "prediction"
        label = f" (class {data.classes[k]})" if len(coef) > 1 else ""
        lines.append(f"{head}{label}: {b:.4g} {terms}")
    return "\n".join(lines)


def _untouched(run):
    """What an unpublished run leaves: the old folder as it was, or nothing."""
    return f"; {run.out} was left as it was" if os.path.lexists(run.out) else "; nothing was written"


def _fit_network(run, opts, data, model, quiet, metadata, jit):
    """Train a network with ``bp.train.fit``, from scratch or from the run's checkpoint. Returns ``(its
    EarlyStopping or None, None or where the loss diverged: {'epoch', 'step', 'loss'})``; after a
    divergence the model holds the last weights whose loss was finite."""
    from .. import distributed, io, train
    from ..data import DataError
    from . import runs

    done = runs.epochs_done(run.path) if not run.new else 0
    checkpoint = runs.path(run.path, runs.CHECKPOINT) if done else None  # none yet: the run starts over
    if done and not quiet:
        print(f"resuming {run.path} after epoch {done}")
    train_data, val = data.training(model, opts["batch_size"])
    es = None
    if opts["early_stopping"]:
        es = train.EarlyStopping(monitor="val_loss" if val else "loss", patience=opts["early_stopping"])
    recorder = runs.RunRecorder(run, print_epochs=not quiet and not sys.stdout.isatty(), metadata=metadata)
    settings = runs.OptimizerSettings(lr=opts["lr"], weight_decay=opts["weight_decay"])
    try:
        # fit checks the loss itself; a checkpoint holding a callback's state this run lacks was edited
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"), warnings.catch_warnings():
            warnings.filterwarnings("error", message=".*holds the state of callbacks", category=UserWarning)
            train.fit(model.module, model.loss_fn, model.optimizer, train_data, max(opts["epochs"], done),
                      val_data=val, metrics=model.metrics(data.prep.target_scale),
                      callbacks=[c for c in (settings, es, recorder) if c], verbose=False if quiet else None,
                      batch_size=opts["batch_size"], resume_from=checkpoint, jit="auto" if jit else False,
                      distributed=distributed.get_world_size() > 1)
    except (io.CheckpointError, UserWarning) as e:
        raise CLIError(f"cannot resume {run.path}: {e}") from None
    except DataError as e:  # a NaN in a shard of data read while training
        raise CLIError(f"training stopped: {e}") from None
    except KeyboardInterrupt:
        if not run.published:
            raise CLIError(f"interrupted before the first epoch ended{_untouched(run)}", exit_code=130) from None
        raise CLIError(f"interrupted after epoch {recorder.saved_epoch}; continue with: backprop train --resume "
                       f"{run.path}", exit_code=130) from None
    except train.NonFiniteLossError as e:
        return es, {"epoch": e.epoch, "step": e.step, "loss": str(e.loss)}
    return es, None
