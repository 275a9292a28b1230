"""``backprop playground``: prints its address once listening, serves the page, stops on Ctrl-C."""
import os
import signal
import subprocess
import sys
import urllib.request

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")


def start(*args):
    process = subprocess.Popen([sys.executable, "-m", "backprop", "playground", "--no-browser", *args],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    return process


def stop(process):
    os.killpg(process.pid, signal.SIGINT)  # Ctrl-C reaches the terminal's process group
    try:
        return process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("backprop playground did not stop within 5 s of SIGINT")


def test_prints_the_bound_address_serves_the_page_and_stops_on_sigint():
    process = start("--port", "0", "--lang", "ru")
    try:
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/") and not url.endswith(":0/")
        with urllib.request.urlopen(url, timeout=10) as response:
            page = response.read().decode()
        assert 'data-default-lang="ru"' in page and 'data-testid="output-map"' in page
        for asset in ("static/main.js", "static/style.css", "static/fonts/DejaVuSans.ttf"):
            with urllib.request.urlopen(url + asset, timeout=10) as response:
                assert response.status == 200 and response.read()
    finally:
        code = stop(process)
    assert code == 0, process.stderr.read()  # Ctrl-C is the way to stop it: no error


def test_another_host_gets_a_warning_and_a_bad_port_an_error():
    process = start("--host", "0.0.0.0", "--port", "0")
    try:
        assert process.stdout.readline().startswith("http://0.0.0.0:")
    finally:
        stop(process)
    assert "no authentication" in process.stderr.read()
    bad = subprocess.run([sys.executable, "-m", "backprop", "playground", "--no-browser", "--port", "70000"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "--port must be from 0 to 65535, got 70000" in bad.stderr


def test_sigint_stops_it_while_a_page_is_playing():
    websockets = pytest.importorskip("websockets")
    import asyncio
    import json

    process = start()
    url = process.stdout.readline().strip()
    request = urllib.request.Request(url + "api/session", data=b'{"settings": {"layers": [8, 8]}}',
                                     headers={"Origin": url.rstrip("/"), "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        session = json.load(response)["session"]

    async def play_then_interrupt():
        async with websockets.connect(url.replace("http://", "ws://") + f"ws?session={session}",
                                      origin=url.rstrip("/")) as ws:
            await ws.recv()
            await ws.send(json.dumps({"type": "play"}))
            await ws.recv()
            return stop(process)  # fails the test when it takes more than 5 s

    assert asyncio.run(play_then_interrupt()) == 0


def test_help_lists_the_options(capsys):
    from backprop.cli.main import main

    with pytest.raises(SystemExit) as done:
        main(["playground", "--help"])
    out = capsys.readouterr().out
    assert done.value.code == 0 and out.startswith("usage: backprop playground")
    for option in ("--host", "--port", "--no-browser", "--lang", "--max-sessions", "--session-timeout"):
        assert option in out
