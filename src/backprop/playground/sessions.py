"""Sessions: one per browser tab, each with its own network and random generator, at most ``max_sessions``.

A session's work runs in worker threads, one call at a time (its lock); the engine's state (grad mode, the
generator override of ``bp.random.use_generator``) is per thread, so sessions do not see each other. A session
is freed when no WebSocket has been connected to it for ``timeout`` seconds.
"""
import secrets
import threading
import time

import numpy as np

from .data import read_upload, to_csv
from .glassbox import nearest_point, traced_step
from .network import Network
from .script import export_script
from .settings import MAX_SEED, SettingsError, parse_seed, parse_settings


class SessionError(Exception):
    """A request the sessions cannot serve: ``status`` is the HTTP status (404 unknown, 429 too many)."""

    def __init__(self, message, status):
        super().__init__(message)
        self.status = status


class Session:
    """One tab's playground: settings, seed, network, and whether a WebSocket is connected."""

    def __init__(self, settings, seed):
        self.id = secrets.token_urlsafe(12)
        self.lock = threading.Lock()
        self.uploaded = None
        self.sockets = 0
        self.last_seen = time.monotonic()
        self.network = Network(settings, seed)
        self.version = 0  # bumped when the data or the network is rebuilt, so the page redraws the points

    # Each method runs in a worker thread and holds the session's lock.
    def configure(self, settings_data, seed_data):
        settings, seed = parse_settings(settings_data), parse_seed(seed_data)
        with self.lock:
            if settings.dataset == "upload" and self.uploaded is None:
                raise SettingsError("upload a CSV file first (the upload data set has no points yet)")
            if self.uploaded is not None and settings.dataset == "upload" and (
                    (self.uploaded.classes is None) != (settings.problem == "regression")):
                raise SettingsError(f"the uploaded file was read for "
                                    f"{'regression' if self.uploaded.classes is None else 'classification'}; "
                                    "upload it again for the other problem type")
            self.network = Network(settings, seed, self.uploaded)
            self.version += 1
            return self.describe()

    def regenerate(self):
        """New points: a new seed, drawn from the old one (a generated data set; an upload keeps its points)."""
        with self.lock:
            seed = int(np.random.default_rng(self.network.seed).integers(0, MAX_SEED + 1))
            self.network = Network(self.network.settings, seed, self.uploaded)
            self.version += 1
            return self.describe()

    def reset(self):
        with self.lock:
            self.network = Network(self.network.settings, self.network.seed, self.uploaded)
            self.version += 1
            return self.describe()

    def upload(self, body, problem):
        points = read_upload(body, problem)
        with self.lock:
            self.uploaded = points
        return {"points": len(points.X), "classes": list(points.classes) if points.classes else None,
                "problem": problem}

    def train(self, epochs=1, seconds=None, steps=0):
        """Train to the end of the epoch ``epochs`` times then ``steps`` batches more, or for about ``seconds`` when
        given (while the page plays); answer a frame. Nothing is trained with training switched off."""
        with self.lock:
            if self.network.settings.train and seconds is not None:
                self.network.train_for(seconds)
            elif self.network.settings.train:
                for _ in range(epochs):
                    self.network.train_epoch()
                for _ in range(steps):
                    self.network.train_step()
            return self.frame()

    def frame(self):
        """The network's state as the page draws it: a JSON-able header and the maps (float32)."""
        network = self.network
        header = {"type": "frame", "epoch": network.epoch, "steps": network.steps, "version": self.version,
                  **network.losses(), "layers": network.weights()}
        return header, network.maps()

    def trace(self, x, y, lang):
        with self.lock:
            return traced_step(self.network, nearest_point(self.network, x, y), lang)

    def set_weight(self, layer, to, source, value):
        with self.lock:
            self.network.set_weight(layer, to, source, value)
            return self.frame()

    def describe(self):
        """What the page needs after a rebuild: the settings and seed, and every point with its split."""
        network = self.network
        split = np.zeros(len(network.points.X), dtype=bool)
        split[network.train_index] = True
        return {"type": "data", "session": self.id, "settings": network.settings.to_dict(), "seed": network.seed,
                "classes": list(network.classes) if network.classes else None, "version": self.version,
                "points": [[float(a), float(b), v.item(), bool(t)]
                           for (a, b), v, t in zip(network.points.X, network.points.y, split)]}

    def export_script(self):
        with self.lock:
            return export_script(self.network)

    def export_weights(self):
        with self.lock:
            return {k: v.data.copy() for k, v in self.network.state_dict().items()}

    def export_data(self):
        with self.lock:
            return to_csv(self.network.points)


class Sessions:
    """The server's sessions: at most ``max_sessions``, each freed after ``timeout`` seconds with no WebSocket."""

    def __init__(self, max_sessions=8, timeout=300.0, clock=time.monotonic):
        self.max_sessions, self.timeout, self.clock = max_sessions, timeout, clock
        self._sessions = {}
        self._lock = threading.Lock()

    def __len__(self):
        return len(self._sessions)

    def create(self, settings_data, seed_data):
        settings, seed = parse_settings(settings_data), parse_seed(seed_data)
        if settings.dataset == "upload":
            raise SettingsError("a new session has no uploaded points yet: start with another data set")
        self.reap()
        with self._lock:
            if len(self._sessions) >= self.max_sessions:
                raise SessionError(f"all {self.max_sessions} playground sessions are in use (one per open tab); "
                                   "close another playground tab, or wait until an idle one is freed "
                                   f"({self.timeout:g} s after its tab closed)", 429)
            session = Session(settings, seed)
            session.last_seen = self.clock()
            self._sessions[session.id] = session
        return session

    def get(self, session_id):
        session = self._sessions.get(session_id) if isinstance(session_id, str) else None
        if session is None:
            raise SessionError(f"unknown session {str(session_id)[:40]!r} (it may have been freed after "
                               f"{self.timeout:g} s without a connected page): reload the page", 404)
        return session

    def connected(self, session, delta):
        """A WebSocket opened (+1) or closed (−1) on ``session``. Returns False, counting nothing, for a second
        WebSocket on a session: one page drives a session."""
        with self._lock:
            if delta > 0 and session.sockets:
                return False
            session.sockets += delta
            session.last_seen = self.clock()
            return True

    def reap(self):
        """Free the sessions with no WebSocket connected for ``timeout`` seconds; returns how many."""
        now = self.clock()
        with self._lock:
            idle = [sid for sid, s in self._sessions.items() if s.sockets == 0 and now - s.last_seen >= self.timeout]
            for sid in idle:
                del self._sessions[sid]
        return len(idle)

