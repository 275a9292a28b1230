"""The playground's server through its API: training, the traced step, the exported script, the WebSocket."""
import json
import struct
import subprocess
import sys

import numpy as np
import pytest

import backprop as bp
from tests.playground._client import make_client, new_session

from starlette.websockets import WebSocketDisconnect  # noqa: E402  (after _client's importorskip)


def train(client, session, epochs):
    response = client.post("/api/train", json={"session": session, "epochs": epochs})  # to the end of an epoch
    assert response.status_code == 200, response.text
    return response.json()


def weights_of(client, session, tmp_path):
    response = client.post("/api/export/weights", json={"session": session})
    assert response.status_code == 200, response.text
    path = tmp_path / "session.safetensors"
    path.write_bytes(response.content)
    return bp.load(path)


def decode(frame):
    n = struct.unpack("<I", frame[:4])[0]
    header = json.loads(frame[4:4 + n])
    maps = np.frombuffer(frame[4 + n:], dtype="<f4").reshape(header["maps"], header["grid"], header["grid"])
    return header, maps


def test_loss_falls_on_the_circle(client):
    session = new_session(client, seed=3, layers=[4, 2], dataset="circle", lr=0.1)["session"]
    first = train(client, session, 1)
    later = train(client, session, 40)
    assert later["epoch"] == 41
    assert later["loss_train"] < 0.5 * first["loss_train"]
    assert later["loss_test"] < first["loss_test"] and later["accuracy_test"] > 0.9


def test_the_traced_step_is_bp_explain_trace_of_the_same_step(client, tmp_path):
    described = new_session(client, seed=5, layers=[3], activations=["tanh"], lr=0.3)
    session = described["session"]
    train(client, session, 2)
    weights = weights_of(client, session, tmp_path)
    answer = client.post("/api/trace", json={"session": session, "x": 1.0, "y": -2.0, "lang": "ru"}).json()
    x1, x2, label = answer["point"]
    nearest = min(described["points"], key=lambda p: np.hypot(p[0] - 1.0, p[1] + 2.0))
    assert [x1, x2, label] == nearest[:3]

    model = bp.nn.Sequential(bp.nn.Linear(2, 3), bp.nn.Tanh(), bp.nn.Linear(3, 1))
    model.load_state_dict(weights)
    optimizer = bp.optim.SGD(model.parameters(), lr=0.3)
    x = bp.tensor([[x1, x2]], dtype=np.float32)
    y = bp.tensor([[label]], dtype=np.float32)
    with bp.explain.trace(model=model, names={"x": x, "y": y}) as tr:
        optimizer.zero_grad()
        loss = bp.nn.BCEWithLogitsLoss()(model(x) / 1.0, y)
        loss.backward()
        optimizer.step()
    assert answer["trace"] == json.loads(json.dumps(tr.to_dict()))
    assert answer["loss"] == loss.item()
    assert "Прямой проход" in answer["html"] and "<script" not in answer["html"]
    assert set(answer["neurons"]) == {"1-0", "1-1", "1-2", "2-0"}
    # the session itself did not move
    assert all(np.array_equal(weights[k], v) for k, v in weights_of(client, session, tmp_path).items())


UPLOAD = "".join(f"{float(a)!r},{float(b)!r},{k}\n" for a, b, k in
                 zip(np.linspace(-5, 5, 60), np.sin(np.linspace(0, 9, 60)) * 4, np.arange(60) % 3)).encode()


@pytest.mark.parametrize("settings, upload", [
    ({"layers": [5, 3], "activations": ["relu", "tanh"], "optimizer": "adam", "lr": 0.01, "reg": "l2",
      "regrate": 0.001, "init": "xavier", "dropout": 0.2, "batch": 7, "features": ["x1", "x2", "x1x2", "sinx2"],
      "noise": 25, "ratio": 70}, None),
    ({"dataset": "upload", "layers": [4], "optimizer": "nesterov", "batchnorm": True, "temperature": 2.0,
      "reg": "l1", "regrate": 0.003}, UPLOAD),
])
def test_the_exported_script_reproduces_the_weights_bitwise(client, tmp_path, settings, upload):
    session = new_session(client, seed=11)["session"]
    if upload:
        assert client.post(f"/api/upload?session={session}", content=upload).status_code == 200
    assert client.post("/api/settings", json={"session": session, "settings": settings, "seed": 11}).status_code == 200
    assert client.post("/api/train", json={"session": session, "epochs": 2, "steps": 7}).json()["steps"] > 7
    assert client.post("/api/weight", json={"session": session, "layer": 1, "to": 0, "from": 1,
                                            "value": 0.25}).status_code == 200
    client.post("/api/train", json={"session": session, "epochs": 1, "steps": 3})  # the rest of an epoch, 3 more
    script = client.post("/api/export/script", json={"session": session})
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/x-python")
    (tmp_path / "playground.py").write_text(script.text)
    run = subprocess.run([sys.executable, "playground.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    traced = client.post("/api/trace", json={"session": session, "x": 0, "y": 0, "lang": "en"}).json()
    assert ("evaluation mode" in traced["html"]) == settings.get("batchnorm", False)
    rebuilt = bp.load(tmp_path / "playground-weights.safetensors")
    session_weights = weights_of(client, session, tmp_path)
    assert sorted(rebuilt) == sorted(session_weights)
    for name, value in session_weights.items():
        assert np.array_equal(rebuilt[name], value), name


def test_the_websocket_streams_frames_and_drops_them_when_the_page_is_behind(client):
    session = new_session(client, seed=2, layers=[8, 8])["session"]
    with client.websocket_connect(f"/ws?session={session}") as ws:
        header, maps = decode(ws.receive_bytes())
        assert header["epoch"] == 0 and maps.shape == (17, 50, 50) and header["maps"] == 17
        assert np.all((maps[-1] >= 0) & (maps[-1] <= 1))  # the output map: P(class 1)
        ws.send_text(json.dumps({"type": "step"}))
        assert decode(ws.receive_bytes())[0]["epoch"] == 1
        ws.send_text(json.dumps({"type": "play"}))
        assert json.loads(ws.receive_text()) == {"type": "state", "playing": True}
        # The two frames above were never acknowledged: the server trains on, but sends only frames asked for.
        epoch = 1
        for _ in range(1000):
            ws.send_text(json.dumps({"type": "frame"}))
            epoch = decode(ws.receive_bytes())[0]["epoch"]  # the answer, not a queued frame of the player
            if epoch >= 3:
                break
        assert epoch >= 3
        ws.send_text(json.dumps({"type": "pause"}))
        assert json.loads(ws.receive_text()) == {"type": "state", "playing": False}
        ws.send_text(json.dumps({"type": "ack"}))
        ws.send_text(json.dumps({"type": "bad"}))
        error = json.loads(ws.receive_text())
        assert error["type"] == "error" and error["status"] == 400 and '"bad"' in error["message"]


def test_regenerate_draws_new_points_and_reset_rebuilds_the_same_network(client, tmp_path):
    first = new_session(client, seed=4)
    session = first["session"]
    before = weights_of(client, session, tmp_path)
    train(client, session, 2)
    reset = client.post("/api/reset", json={"session": session}).json()
    assert reset["seed"] == 4 and reset["points"] == first["points"]
    assert all(np.array_equal(before[k], v) for k, v in weights_of(client, session, tmp_path).items())
    regenerated = client.post("/api/regenerate", json={"session": session}).json()
    assert regenerated["seed"] != 4 and regenerated["points"] != first["points"]
    data = client.post("/api/export/data", json={"session": session})
    rows = data.text.strip().splitlines()
    assert rows[0] == "x1,x2,label" and len(rows) == 501


def test_sessions_are_limited_and_freed_when_no_page_is_connected(tmp_path):
    import time

    with make_client(max_sessions=2, session_timeout=0.3) as client:
        a, b = new_session(client)["session"], new_session(client)["session"]
        refused = client.post("/api/session", json={"settings": {}, "seed": 1})
        assert refused.status_code == 429 and "all 2 playground sessions are in use" in refused.json()["error"]
        with client.websocket_connect(f"/ws?session={a}") as ws:
            ws.receive_bytes()
            time.sleep(0.5)  # b has had no page for longer than the timeout; a has one
            c = new_session(client)["session"]
            assert train(client, a, 1)["epoch"] == 1
        assert client.post("/api/train", json={"session": b}).status_code == 404
        assert train(client, c, 1)["epoch"] == 1


def test_each_session_has_its_own_network(client, tmp_path):
    a = new_session(client, seed=7)["session"]
    b = new_session(client, seed=7)["session"]
    train(client, a, 3)
    assert train(client, b, 1)["epoch"] == 1
    train(client, b, 2)
    wa, wb = weights_of(client, a, tmp_path), weights_of(client, b, tmp_path)
    assert all(np.array_equal(wa[k], wb[k]) for k in wa)  # same seed, same epochs: the same weights


def test_the_websocket_refuses_a_cross_origin_page_and_an_unknown_session(client):
    session = new_session(client)["session"]
    with pytest.raises(WebSocketDisconnect) as refused:
        with client.websocket_connect(f"/ws?session={session}", headers={"Origin": "http://evil.example"}):
            pass
    assert refused.value.code == 4403
    with pytest.raises(WebSocketDisconnect) as unknown:
        with client.websocket_connect("/ws?session=nope"):
            pass
    assert unknown.value.code == 4404


def test_a_second_websocket_on_a_session_is_refused(client):
    session = new_session(client)["session"]
    with client.websocket_connect(f"/ws?session={session}") as ws:
        ws.receive_bytes()
        with pytest.raises(WebSocketDisconnect) as second:
            with client.websocket_connect(f"/ws?session={session}"):
                pass
        assert second.value.code == 4409
        taken = client.post("/api/settings", json={"session": session, "settings": {}, "seed": 1, "reattach": True})
        assert taken.status_code == 409 and "open in another tab" in taken.json()["error"]
    with client.websocket_connect(f"/ws?session={session}") as ws:  # once the first page is gone, fine
        assert len(ws.receive_bytes()) > 4
