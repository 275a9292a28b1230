"""``backprop`` on the command line: subcommands built with argparse, each with ``--help``.

Each subcommand lives in its own module with an ``add_parser(subparsers)`` that sets ``run``. Bad input
ends with one line on standard error (``backprop: error: ...``) and a non-zero exit status, never a
traceback; set ``BACKPROP_DEBUG=1`` to see the traceback of an unexpected error.
"""
import argparse
import os
import sys

from .common import CLIError, bounded_int, finite_float, non_negative_int, positive_float
from .schema import MAX_EPOCHS

DEMO_HIDDEN = 10_000  # a demo prints every unit; this also keeps its weights far below the memory


def _add_demo(sub):
    demo = sub.add_parser(
        "demo", help="the course's f(x, y) example and a two-layer network learning XOR, every number shown",
        description="Backpropagate through the course's f(x, y) = x² + xy + (x + y)², then train a sigmoid "
                    "network with one hidden layer (2-2-1 by default) on XOR by gradient descent, printing "
                    "what happens. Exit status 1 when XOR is not learned (it says why).")
    demo.add_argument("--x", type=finite_float, default=1.0, help="x for f(x, y) (default 1)")
    demo.add_argument("--y", type=finite_float, default=2.0, help="y for f(x, y) (default 2)")
    demo.add_argument("--epochs", type=bounded_int(MAX_EPOCHS), default=2000,
                      help=f"gradient-descent steps on XOR (default 2000, at most {MAX_EPOCHS:,})")
    demo.add_argument("--lr", type=positive_float, default=2.0, help="learning rate (default 2.0)")
    demo.add_argument("--seed", type=non_negative_int, default=0,
                      help="random seed of the initial weights (default 0)")
    demo.add_argument("--hidden", type=bounded_int(DEMO_HIDDEN), default=2,
                      help=f"hidden sigmoid units (default 2, at most {DEMO_HIDDEN:,})")
    demo.add_argument("--lang", choices=["en", "ru"], default="en", help="language of the output (default en)")

    def run(args):
        from .demo import run_demo

        return run_demo(args)
    demo.set_defaults(handler=run)


class Parser(argparse.ArgumentParser):
    """argparse, with its usage errors on one line (the full usage is one ``--help`` away)."""

    def error(self, message):
        _fail(f"{message} (see {self.prog} --help)", 2, prog=self.prog)
        raise SystemExit(2)


def build_parser():
    from . import evaluate, explain, graph, playground, predict, train

    parser = Parser(
        prog="backprop",
        description="Neural networks and backpropagation from first principles, on NumPy.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (train, evaluate, predict, explain, graph, playground):
        module.add_parser(sub)
    _add_demo(sub)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        parser.print_help()
        return 0
    try:
        return args.handler(args)
    except CLIError as e:
        return _fail(str(e), e.exit_code)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except BrokenPipeError:  # the reader of our output stopped early (backprop ... | head): no complaint
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as e:  # never a traceback for the user; BACKPROP_DEBUG=1 shows it
        if os.environ.get("BACKPROP_DEBUG"):
            raise
        return _fail(f"{type(e).__name__}: {e} (set BACKPROP_DEBUG=1 for the traceback)", 1)


def _fail(message, code, prog="backprop"):
    sys.stdout.flush()
    print(f"{prog}: error: {' '.join(str(message).split())}", file=sys.stderr)
    distributed = sys.modules.get("backprop.distributed")
    if distributed is not None and distributed.is_initialized() and distributed.get_world_size() > 1:
        distributed.abort(code)  # under mpiexec: the other processes would wait for this one for ever
    return code
