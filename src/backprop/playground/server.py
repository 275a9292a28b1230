"""Serving the playground with uvicorn: bind, print the address once listening, open the browser."""
import socket
import sys
import threading
import webbrowser

from .app import create_app
from .security import is_loopback


def url_of(host, port):
    return f"http://{f'[{host}]' if ':' in host else host}:{port}/"


def serve(host="127.0.0.1", port=0, open_browser=True, lang="en", max_sessions=8, session_timeout=300.0,
          out=sys.stdout, err=sys.stderr):
    """Run the playground's server until interrupted (Ctrl-C). Prints its address (the bound port, also for
    ``port=0``) on a line of its own once it is listening; warns when ``host`` is not a loopback address."""
    import uvicorn

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        raise OSError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
    url = url_of(host, sock.getsockname()[1])
    app = create_app(host=host, lang=lang, max_sessions=max_sessions, session_timeout=session_timeout)
    if not is_loopback(host):
        print(f"warning: the playground has no authentication; anyone who can reach {url} can use it",
              file=err, flush=True)

    class Server(uvicorn.Server):
        async def startup(self, sockets=None):
            await super().startup(sockets=sockets)
            if self.started:
                print(url, file=out, flush=True)
                if open_browser:
                    threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()

    # No permessage-deflate: compressing a frame of maps (170 KB of float32) costs ~25 ms, more than training.
    config = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=2, lifespan="on",
                            ws_per_message_deflate=False)
    Server(config).run(sockets=[sock])
