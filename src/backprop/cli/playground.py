"""``backprop playground``: the browser playground's local server (:mod:`backprop.playground`)."""
from .common import CLIError, positive_float, positive_int

DESCRIPTION = """Start a local web server with TensorFlow Playground's page, the network trained by backprop
itself: data sets, features, layers, activations, optimizers and regularisation to choose; a click on the
output map shows every number of one training step; the network exports as weights, data and a Python
script. Prints the page's address once listening and opens it in the default browser. Stop it with Ctrl-C.
Needs the playground extra: pip install 'backprop[playground]'."""


def add_parser(sub):
    p = sub.add_parser("playground", help="TensorFlow Playground in the browser, trained by backprop",
                       description=DESCRIPTION)
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1; any other has no authentication)")
    p.add_argument("--port", type=int, default=0, help="port (default 0: any free one; the address is printed)")
    p.add_argument("--no-browser", action="store_true", help="do not open the page in the default browser")
    p.add_argument("--lang", choices=["en", "ru"], default="en", help="the page's language (default en)")
    p.add_argument("--max-sessions", type=positive_int, default=8,
                   help="browser tabs served at once (default 8); one more gets a message")
    p.add_argument("--session-timeout", type=positive_float, default=300.0,
                   help="seconds after which a session with no open page is freed (default 300)")
    p.set_defaults(handler=run)


def run(args):
    if not 0 <= args.port <= 65535:
        raise CLIError(f"--port must be from 0 to 65535, got {args.port}")
    try:
        from ..playground.server import serve
    except ImportError as e:
        raise CLIError(f"the playground needs {e.name or 'starlette and uvicorn'}, which is not installed: "
                       "pip install 'backprop[playground]'") from None
    try:
        serve(host=args.host, port=args.port, open_browser=not args.no_browser, lang=args.lang,
              max_sessions=args.max_sessions, session_timeout=args.session_timeout)
    except OSError as e:
        raise CLIError(str(e), 1) from None
    except KeyboardInterrupt:  # Ctrl-C is how the server is meant to stop
        pass
    return 0
