"""The playground's web application (Starlette): the page, its ``/api/`` POSTs and the WebSocket ``/ws``.

Every ``/api/`` call takes a JSON object (the upload takes the file's bytes) and answers JSON, a file, or a
4xx with ``{"error": message}``. The WebSocket streams the training: text messages carry JSON, binary frames
carry the maps (see :func:`.stream.encode_frame`); the page acknowledges each frame, and while two are unacknowledged
the server keeps training but drops the frames instead of queueing them.
"""
import asyncio
import contextlib
import json
import os
import tempfile
from importlib import resources

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocketDisconnect

from .data import MAX_UPLOAD_BYTES, UploadError
from .security import AddressCheck, allowed_names
from .sessions import SessionError, Sessions
from .settings import SettingsError
from .stream import Stream

MAX_JSON_BYTES = 64 * 1024
LANGS = ("en", "ru")


class BadRequest(Exception):
    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


def _field(body, name, kind, what):
    value = body.get(name)
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise BadRequest(f"{name} must be {what}, got {value!r}")
    return value


async def _json(request):
    raw = await request.body()
    if len(raw) > MAX_JSON_BYTES:
        raise BadRequest(f"the request has {len(raw)} bytes; the limit is {MAX_JSON_BYTES}", 413)
    try:
        body = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError) as e:
        raise BadRequest(f"the request is not JSON: {e}") from None
    if not isinstance(body, dict):
        raise BadRequest("the request must be a JSON object")
    return body


def create_app(host="127.0.0.1", lang="en", max_sessions=8, session_timeout=300.0):
    """The ASGI application. ``host`` is the address the server listens on (the ``Host`` and ``Origin`` checks
    accept it, and the loopback names when it is a loopback address); ``lang`` the page's default language."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, got {lang!r}")
    sessions = Sessions(max_sessions, session_timeout)
    static = resources.files(__package__) / "static"
    page = (static / "index.html").read_text(encoding="utf-8").replace("__LANG__", lang)

    def handler(work):
        async def endpoint(request):
            try:
                return await work(request)
            except (BadRequest, SessionError, UploadError) as e:
                return JSONResponse({"error": str(e)}, status_code=e.status)
            except SettingsError as e:
                return JSONResponse({"error": str(e)}, status_code=400)
        return endpoint

    def session_of(body):
        return sessions.get(body.get("session"))

    async def index(request):
        return HTMLResponse(page, headers={"Cache-Control": "no-store"})

    async def create(request):
        body = await _json(request)
        session = await run_in_threadpool(sessions.create, body.get("settings", {}), body.get("seed", 0))
        return JSONResponse(session.describe())

    async def configure(request):
        body = await _json(request)
        session = session_of(body)
        if body.get("reattach") and session.sockets:  # a reloaded tab takes its session back, a duplicated one not
            raise SessionError("this session is open in another tab", 409)
        return JSONResponse(await run_in_threadpool(session.configure, body.get("settings"), body.get("seed")))

    def simple(method):
        async def work(request):
            session = session_of(await _json(request))
            return JSONResponse(await run_in_threadpool(getattr(session, method)))
        return work

    async def train(request):
        body = await _json(request)
        session = session_of(body)
        epochs, steps = body.get("epochs", 1), body.get("steps", 0)
        for name, value in (("epochs", epochs), ("steps", steps)):
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 1000:
                raise BadRequest(f"{name} must be an integer from 0 to 1000, got {value!r}")
        header, _ = await run_in_threadpool(session.train, epochs, None, steps)
        return JSONResponse(header)

    async def upload(request):
        session = sessions.get(request.query_params.get("session"))
        problem = request.query_params.get("problem", "classification")
        if problem not in ("classification", "regression"):
            raise BadRequest(f"problem must be classification or regression, got {problem!r}")
        body = b""
        async for chunk in request.stream():  # stop reading past the limit instead of holding it all
            body += chunk
            if len(body) > MAX_UPLOAD_BYTES:
                break
        return JSONResponse(await run_in_threadpool(session.upload, body, problem))

    async def trace(request):
        body = await _json(request)
        session = session_of(body)
        x, y = (_field(body, k, (int, float), "a number") for k in ("x", "y"))
        language = body.get("lang", lang)
        if language not in LANGS:
            raise BadRequest(f"lang must be one of {', '.join(LANGS)}, got {language!r}")
        return JSONResponse(await run_in_threadpool(session.trace, float(x), float(y), language))

    async def weight(request):
        body = await _json(request)
        session = session_of(body)
        layer, to = _field(body, "layer", int, "an integer"), _field(body, "to", int, "an integer")
        source = body.get("from")
        if source is not None:
            source = _field(body, "from", int, "an integer or null (the bias)")
        value = _field(body, "value", (int, float), "a number")
        try:
            header, _ = await run_in_threadpool(session.set_weight, layer, to, source, float(value))
        except ValueError as e:
            raise BadRequest(str(e)) from None
        return JSONResponse(header)

    async def export(request):
        session = session_of(await _json(request))
        what = request.path_params["what"]
        if what == "script":
            text = await run_in_threadpool(session.export_script)
            return Response(text, media_type="text/x-python",
                            headers={"Content-Disposition": 'attachment; filename="playground.py"'})
        if what == "data":
            text = await run_in_threadpool(session.export_data)
            return Response(text, media_type="text/csv",
                            headers={"Content-Disposition": 'attachment; filename="playground-data.csv"'})
        if what == "weights":
            return Response(await run_in_threadpool(_safetensors, session.export_weights()),
                            media_type="application/octet-stream",
                            headers={"Content-Disposition": 'attachment; filename="playground.safetensors"'})
        raise BadRequest(f"nothing to export as {what!r}: script, weights or data", 404)

    routes = [
        Route("/", index),
        Route("/api/session", handler(create), methods=["POST"]),
        Route("/api/settings", handler(configure), methods=["POST"]),
        Route("/api/reset", handler(simple("reset")), methods=["POST"]),
        Route("/api/regenerate", handler(simple("regenerate")), methods=["POST"]),
        Route("/api/train", handler(train), methods=["POST"]),
        Route("/api/upload", handler(upload), methods=["POST"]),
        Route("/api/trace", handler(trace), methods=["POST"]),
        Route("/api/weight", handler(weight), methods=["POST"]),
        Route("/api/export/{what}", handler(export), methods=["POST"]),
        WebSocketRoute("/ws", _stream(sessions)),
        Mount("/static", StaticFiles(directory=str(static)), name="static"),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app):
        async def reaper():
            while True:
                await asyncio.sleep(max(0.5, min(5.0, session_timeout / 4)))
                sessions.reap()
        task = asyncio.create_task(reaper())
        try:
            yield
        finally:
            task.cancel()

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.sessions = sessions
    return AddressCheck(app, allowed_names(host))


def _safetensors(state):
    """The weights as a safetensors file's bytes (``bp.save`` writes to a file of the server's own naming)."""
    from ..io import save

    with tempfile.TemporaryDirectory(prefix="backprop-export-") as folder:
        path = os.path.join(folder, "weights.safetensors")
        save(state, path)
        with open(path, "rb") as f:
            return f.read()


def _stream(sessions):
    async def endpoint(websocket):
        try:
            session = sessions.get(websocket.query_params.get("session"))
        except SessionError as e:
            await websocket.close(code=4404, reason=str(e)[:120])
            return
        if not sessions.connected(session, +1):  # one page drives a session
            await websocket.close(code=4409, reason="this session is open in another tab")
            return
        await websocket.accept()
        try:
            await Stream(websocket, session).run()
        except WebSocketDisconnect:
            pass
        finally:
            sessions.connected(session, -1)
    return endpoint
