"""The checks every request passes: ``Host`` (against DNS rebinding) and, on the WebSocket and on every POST,
``Origin`` (against another site in the same browser driving the local server: cross-site WebSocket hijacking).

The server's own address is the host it was started with (see :func:`allowed_names`) and the port it is
listening on. A request whose ``Host`` is not one of those gets
400; a WebSocket or POST whose ``Origin`` is not ``http://`` + that ``Host`` gets 403.
"""
import ipaddress
import json
import socket

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")


def is_loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def allowed_names(host):
    """The host names the server answers to when started on ``host``: that address (and the loopback names for
    a loopback address); on every interface (``0.0.0.0``, ``::``), the loopback names and this machine's name
    and addresses."""
    name = f"[{host}]" if ":" in host and not host.startswith("[") else host
    if host.strip("[]") in ("0.0.0.0", "::"):
        machine = socket.gethostname()
        try:
            addresses = socket.gethostbyname_ex(machine)[2]
        except OSError:
            addresses = []
        return {*LOOPBACK_NAMES, machine, *addresses}
    return {name, *LOOPBACK_NAMES} if is_loopback(host) else {name}


def _split_host(value):
    """``name:port`` (or ``[v6]:port``, or a name alone) → (name, port or None)."""
    if value.startswith("["):
        name, _, rest = value.partition("]")
        return name + "]", rest[1:] if rest.startswith(":") else None
    name, sep, port = value.rpartition(":")
    return (name, port) if sep else (value, None)


class AddressCheck:
    """ASGI middleware refusing a wrong ``Host``, and a wrong or missing ``Origin`` on WebSockets and POSTs."""

    def __init__(self, app, names):
        self.app, self.names = app, {n.lower() for n in names}

    def _problem(self, scope):
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host", "")
        name, port = _split_host(host.lower())
        server_port = str(scope["server"][1]) if scope.get("server") else None
        default_port = "80"
        if name not in self.names or (port or default_port) != server_port:
            return 400, f"this server does not answer to the host {host!r}"
        needs_origin = scope["type"] == "websocket" or scope.get("method") == "POST"
        origin = headers.get("origin")
        if needs_origin and origin != f"http://{host}":
            shown = "it has no Origin header" if origin is None else f"its origin {origin!r} is not this page's"
            return 403, f"cross-origin request refused: {shown} (http://{host})"
        return None

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        problem = self._problem(scope)
        if problem is None:
            return await self.app(scope, receive, send)
        status, message = problem
        if scope["type"] == "websocket":  # closing before accepting answers the handshake with 403
            await send({"type": "websocket.close", "code": 4000 + status, "reason": message[:120]})
            return
        body = json.dumps({"error": message}).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
