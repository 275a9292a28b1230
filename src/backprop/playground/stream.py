"""The WebSocket of one page: training while the page plays, a frame every :data:`FRAME_SECONDS` of training
(one batch at least) unless the page is behind, in which case the frame is dropped and training goes on.

The page sends JSON messages: ``{"type": "play"}``, ``"pause"``, ``"step"`` (one epoch), ``"frame"`` (send the
current state), ``"ack"`` (a frame was drawn). The server sends JSON text (``{"type": "state", "playing": …}``,
``{"type": "error", "status": 400, "message": …}``) and binary frames (:func:`encode_frame`). A message
of the wrong shape gets an error message and changes nothing.
"""
import asyncio
import json
import struct

import numpy as np
from starlette.concurrency import run_in_threadpool

MESSAGES = ("play", "pause", "step", "frame", "ack")
MAX_MESSAGE = 4096
MAX_IN_FLIGHT = 2  # frames sent and not yet acknowledged, beyond which the next ones are dropped
FRAME_SECONDS = 0.02  # training between two frames while playing (a frame costs a few ms more)


def encode_frame(header, maps):
    """One binary frame: uint32 (little-endian) n, n bytes of JSON header (padded with spaces to a multiple of
    4), then the maps as float32 (``header['maps']`` maps of ``header['grid']``² values, row by row)."""
    header = dict(header, maps=int(maps.shape[0]), grid=int(maps.shape[1]))
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 4)
    return struct.pack("<I", len(text)) + text + np.ascontiguousarray(maps, dtype="<f4").tobytes()


class Stream:
    def __init__(self, websocket, session):
        self.websocket, self.session = websocket, session
        self.playing = False
        self.in_flight = 0
        self.sent = self.dropped = 0
        self.wake = asyncio.Event()

    async def run(self):
        player = asyncio.create_task(self._play())
        try:
            await self._send_frame(force=True)
            while True:
                text = await self.websocket.receive_text()
                await self._handle(text)
        finally:
            player.cancel()

    async def _error(self, message):
        await self.websocket.send_text(json.dumps({"type": "error", "status": 400, "message": message}))

    async def _handle(self, text):
        if len(text) > MAX_MESSAGE:
            return await self._error(f"a message of {len(text)} characters; the limit is {MAX_MESSAGE}")
        try:
            message = json.loads(text)
        except ValueError:
            return await self._error(f"a message must be a JSON object, got {text[:60]!r}")
        kind = message.get("type") if isinstance(message, dict) else None
        if kind not in MESSAGES:
            return await self._error(f"a message must be a JSON object with type one of {', '.join(MESSAGES)}, "
                                     f"got {text[:60]!r}")
        if kind == "ack":
            self.in_flight = max(0, self.in_flight - 1)
        elif kind in ("play", "pause"):
            self.playing = kind == "play"
            await self.websocket.send_text(json.dumps({"type": "state", "playing": self.playing}))
            self.wake.set()
        elif kind == "step":
            await self._send_frame(force=True, train="epoch")
        else:
            await self._send_frame(force=True)

    async def _send_frame(self, force=False, train=None):
        """Train (``train="epoch"``: to the end of the epoch; ``"frame"``: for FRAME_SECONDS), then send the frame
        unless the page is behind (``force``: send anyway, the page asked for it)."""
        if train == "epoch":
            header, maps = await run_in_threadpool(self.session.train, 1)
        elif train == "frame":
            header, maps = await run_in_threadpool(self.session.train, 0, FRAME_SECONDS)
        else:
            header, maps = await run_in_threadpool(self._frame)
        if force or self.in_flight < MAX_IN_FLIGHT:
            self.in_flight += 1
            self.sent += 1
            await self.websocket.send_bytes(encode_frame(header, maps))
        else:
            self.dropped += 1

    def _frame(self):
        with self.session.lock:
            return self.session.frame()

    async def _play(self):
        while True:
            if not self.playing:
                self.wake.clear()
                await self.wake.wait()
                continue
            await self._send_frame(train="frame")
            await asyncio.sleep(0)  # let the page's messages in between epochs
