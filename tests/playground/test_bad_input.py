"""Every bad input gets a 4xx and a message that names what is wrong; the session carries on."""
import json

import pytest

from tests.playground._client import ORIGIN, make_client, new_session

from backprop.playground.data import MAX_UPLOAD_BYTES, MAX_UPLOAD_ROWS  # noqa: E402


def refused(response, status, *words):
    assert response.status_code == status, response.text
    message = response.json()["error"]
    for word in words:
        assert word in message, message
    return message


@pytest.mark.parametrize("body, status, words", [
    (b"x1,x2,label\n1,2,0\n1,abc,1\n", 400, ["row 2", "column 'x2'", "'abc' is not a number"]),
    (b"1,2\n3,4\n", 400, ["2 columns", "needs 3"]),
    (b"1,2,0,5\n3,4,1,6\n", 400, ["4 columns", "needs 3"]),
    (b'a,b,c\n1,2,0\n"unclosed,4,1\n', 400, ["line 3", "never closed"]),
    (b"\xff\xfe\x00\xd8\x00", 400, ["is not a text"]),
    (b"", 400, ["empty"]),
    (b"1,2,0\n" * (MAX_UPLOAD_ROWS + 1), 413, [f"{MAX_UPLOAD_ROWS + 1} rows", f"limit is {MAX_UPLOAD_ROWS}"]),
    (b"1,2,0\n" * (MAX_UPLOAD_BYTES // 6 + 1), 413, ["bytes", "limit is"]),
    (b"1,2,0.5\n3,4,1\n", 400, ["row 1", "not a class"]),
])
def test_a_bad_csv_file_is_refused_with_its_reason(client, body, status, words):
    session = new_session(client)["session"]
    refused(client.post(f"/api/upload?session={session}", content=body), status, *words)
    # the page's data set is unchanged, and the upload data set still has no points
    refused(client.post("/api/settings", json={"session": session, "settings": {"dataset": "upload"}, "seed": 1}),
            400, "upload a CSV file first")


@pytest.mark.parametrize("settings, words", [
    ({"layers": [4, 2, 2, 2, 2, 2, 2]}, ["0 to 6 hidden layer"]),
    ({"layers": [9]}, ["layer 1 must have 1 to 8 neurons, got 9"]),
    ({"layers": [4, 0]}, ["layer 2 must have 1 to 8 neurons, got 0"]),
    ({"layers": "4,2"}, ["layers must be a list"]),
    ({"lr": 0}, ["lr must be a positive number", "got 0"]),
    ({"lr": -0.1}, ["lr must be a positive number"]),
    ({"lr": "fast"}, ["lr must be a positive number", "'fast'"]),
    ({"lr": None}, ["lr must be a positive number"]),
    ({"dataset": "moons"}, ["dataset must be one of", "'moons'"]),
    ({"dataset": "plane", "problem": "classification"}, ["plane data set is for regression"]),
    ({"activation": "softsign"}, ["activation must be one of"]),
    ({"layers": [2], "activations": ["tanh", "relu"]}, ["one activation per hidden layer"]),
    ({"optimizer": "lbfgs"}, ["optimizer must be one of"]),
    ({"features": []}, ["features must be a non-empty list"]),
    ({"ratio": 95}, ["ratio must be an integer from 10 to 90"]),
    ({"noise": 51}, ["noise must be an integer from 0 to 50"]),
    ({"batch": 31}, ["batch must be an integer from 1 to 30"]),
    ({"batch": 1, "batchnorm": True}, ["batch norm needs a batch size of at least 2"]),
    ({"temperature": 0}, ["temperature must be a positive number"]),
    ({"regrate": -1}, ["regrate must be a number from 0"]),
    ({"colour": "red"}, ["unknown setting 'colour'"]),
])
def test_bad_settings_are_refused_naming_the_setting(client, settings, words):
    session = new_session(client)["session"]
    refused(client.post("/api/settings", json={"session": session, "settings": settings, "seed": 1}), 400, *words)
    refused(client.post("/api/session", json={"settings": settings, "seed": 1}), 400, *words)


@pytest.mark.parametrize("body, status, words", [
    ({"seed": -1}, 400, ["seed must be an integer"]),
    ({"seed": "x"}, 400, ["seed must be an integer"]),
    ({"settings": {"dataset": "upload"}}, 400, ["no uploaded points"]),
])
def test_a_bad_new_session_is_refused(client, body, status, words):
    refused(client.post("/api/session", json=body), status, *words)


def test_an_unknown_session_is_404_everywhere(client):
    for path, body in [("/api/settings", {"settings": {}, "seed": 1}), ("/api/train", {}), ("/api/reset", {}),
                       ("/api/regenerate", {}), ("/api/trace", {"x": 0, "y": 0}), ("/api/export/script", {}),
                       ("/api/export/weights", {}), ("/api/export/data", {}),
                       ("/api/weight", {"layer": 1, "to": 0, "from": 0, "value": 1})]:
        refused(client.post(path, json=dict(body, session="no-such-session")), 404, "unknown session")
    refused(client.post("/api/upload?session=nope", content=b"1,2,0\n"), 404, "unknown session")


@pytest.mark.parametrize("body, words", [
    ({"layer": 3, "to": 0, "from": 0, "value": 1}, ["layer must be from 1 to 2, got 3"]),
    ({"layer": 1, "to": 7, "from": 0, "value": 1}, ["no link 0 → 7"]),
    ({"layer": 1, "to": 0, "from": 0, "value": "one"}, ["value must be a number"]),
    ({"layer": 1, "to": 0, "from": 0, "value": 1e300}, ["finite number of at most 1e6"]),
    ({"layer": "1", "to": 0, "from": 0, "value": 1}, ["layer must be an integer"]),
])
def test_a_bad_weight_is_refused(client, body, words):
    session = new_session(client, layers=[3])["session"]
    refused(client.post("/api/weight", json=dict(body, session=session)), 400, *words)


def test_bad_requests_of_other_shapes(client):
    session = new_session(client)["session"]
    refused(client.post("/api/train", content=b"{not json"), 400, "not JSON")
    refused(client.post("/api/train", json=[1, 2]), 400, "JSON object")
    refused(client.post("/api/train", json={"session": session, "epochs": -1}), 400, "epochs must be")
    refused(client.post("/api/train", json={"session": session, "steps": 1.5}), 400, "steps must be")
    refused(client.post("/api/trace", json={"session": session, "x": "left", "y": 0}), 400, "x must be a number")
    refused(client.post("/api/trace", json={"session": session, "x": 0, "y": 0, "lang": "de"}), 400, "lang must")
    refused(client.post("/api/export/model", json={"session": session}), 404, "script, weights or data")
    refused(client.post(f"/api/upload?session={session}&problem=ranking", content=b"1,2,0\n"), 400, "problem")
    refused(client.post("/api/train", content=b" " * 70000), 413, "limit")


def test_cross_origin_requests_and_foreign_hosts_are_refused():
    with make_client() as client:
        refused(client.post("/api/session", json={}, headers={"Origin": "http://evil.example"}), 403,
                "cross-origin", "evil.example")
        refused(client.post("/api/session", json={}, headers={"Origin": "null"}), 403, "cross-origin")
        refused(client.get("/", headers={"Host": "rebind.example"}), 400, "rebind.example")
        refused(client.get("/", headers={"Host": "testserver:8080"}), 400, "testserver:8080")
        assert client.get("/", headers={"Origin": ORIGIN}).status_code == 200


def test_a_wrong_message_on_the_websocket_gets_an_error_and_the_stream_goes_on(client):
    session = new_session(client)["session"]
    with client.websocket_connect(f"/ws?session={session}") as ws:
        ws.receive_bytes()
        for text in ["not json", "[1, 2]", json.dumps({"type": "explode"}), json.dumps({"kind": "play"}),
                     "x" * 5000]:
            ws.send_text(text)
            error = json.loads(ws.receive_text())
            assert error["type"] == "error" and error["status"] == 400 and error["message"]
        ws.send_text(json.dumps({"type": "step"}))
        assert len(ws.receive_bytes()) > 4
