"""``backprop`` on the command line: subcommands built with argparse, each with ``--help``."""
import argparse


def build_parser():
    parser = argparse.ArgumentParser(
        prog="backprop",
        description="Neural networks and backpropagation from first principles, on NumPy.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = sub.add_parser(
        "demo", help="the course's f(x, y) example and a two-layer network learning XOR, every number shown",
        description="Backpropagate through the course's f(x, y) = x² + xy + (x + y)², then train a 2-2-1 "
                    "sigmoid network on XOR by gradient descent, printing what happens.")
    demo.add_argument("--x", type=float, default=1.0, help="x for f(x, y) (default 1)")
    demo.add_argument("--y", type=float, default=2.0, help="y for f(x, y) (default 2)")
    demo.add_argument("--epochs", type=int, default=2000, help="gradient-descent steps on XOR (default 2000)")
    demo.add_argument("--lr", type=float, default=2.0, help="learning rate (default 2.0)")
    demo.add_argument("--seed", type=int, default=0, help="random seed of the initial weights (default 0)")
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "demo":
        from .demo import run_demo

        return run_demo(args)
    parser.print_help()
    return 0
