"""``backprop playground``: TensorFlow Playground's page, with the network trained by ``backprop`` itself.

A local web server (Starlette on uvicorn: ``pip install 'backprop[playground]'``) trains each browser tab's
network with ``bp.nn`` and ``bp.optim`` in its own session and streams the maps to the page over a WebSocket.
A click on the output map shows every number of one training step (``bp.explain.trace``); the page's network
can be exported as safetensors weights, its data as CSV, and a Python script that retrains it bit for bit.

* :mod:`.settings`: what the page may ask for, validated; :mod:`.data`: data sets, features, uploads;
  :mod:`.network`: the model, its training and its maps; :mod:`.glassbox`: the traced step;
  :mod:`.script`: the exported script; :mod:`.sessions`: one session per tab.
* :func:`create_app` (the ASGI application) and :func:`serve` need the ``playground`` extra; the rest only NumPy.
"""
from .settings import Settings, SettingsError, parse_settings

__all__ = ["Settings", "SettingsError", "create_app", "parse_settings", "serve"]


def create_app(host="127.0.0.1", lang="en", max_sessions=8, session_timeout=300.0):
    """The playground's ASGI application (see :func:`backprop.playground.app.create_app`)."""
    from .app import create_app as create

    return create(host=host, lang=lang, max_sessions=max_sessions, session_timeout=session_timeout)


def serve(host="127.0.0.1", port=0, open_browser=True, lang="en", max_sessions=8, session_timeout=300.0):
    """Run the playground's server until Ctrl-C (see :func:`backprop.playground.server.serve`)."""
    from .server import serve as run

    return run(host=host, port=port, open_browser=open_browser, lang=lang, max_sessions=max_sessions,
               session_timeout=session_timeout)
