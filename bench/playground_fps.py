"""How many page updates a second does the playground stream? (issue 19: at least 20 on the 2-core machine)

Run:  python bench/playground_fps.py [--seconds 5] [--rounds 3] [--layers 8,8] [--points 500]

Starts ``backprop playground --no-browser --port 0`` in a subprocess, creates one session (2 hidden layers of
8 tanh neurons on the circle's 500 points by default, batch 10, SGD), opens the WebSocket as a page does and
presses play. The client acknowledges each binary frame as soon as it has decoded it (a page that draws
instantly), so the figure is what the server can produce: frames received per second, each frame one epoch
with the output map and every neuron's map on a 50×50 grid (17 float32 maps for 8,8). Reported per round,
then the median; also the frame's size and the epochs trained per second (equal to the frames here: no frame
is dropped when the client keeps up). Needs the playground extra and the ``websockets`` client (which
``uvicorn[standard]`` brings).
"""
import argparse
import asyncio
import json
import os
import platform
import signal
import statistics
import struct
import subprocess
import sys
import time
import urllib.request

from run_all import cpu_model  # bench/ is the script's folder, so on sys.path


def create_session(url, settings):
    request = urllib.request.Request(url + "api/session", data=json.dumps({"settings": settings, "seed": 1}).encode(),
                                     headers={"Content-Type": "application/json", "Origin": url.rstrip("/")})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["session"]


async def one_round(url, session, seconds):
    import websockets

    ws_url = url.replace("http://", "ws://") + f"ws?session={session}"
    async with websockets.connect(ws_url, origin=url.rstrip("/"), max_size=None) as ws:
        first = await ws.recv()  # the state before training
        await ws.send(json.dumps({"type": "ack"}))
        await ws.send(json.dumps({"type": "play"}))
        frames, epochs, size = 0, [], len(first)
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            message = await ws.recv()
            if isinstance(message, str):
                continue
            n = struct.unpack("<I", message[:4])[0]
            header = json.loads(message[4:4 + n])
            await ws.send(json.dumps({"type": "ack"}))
            frames += 1
            epochs.append(header["epoch"])
            size = len(message)
        elapsed = time.perf_counter() - start
        await ws.send(json.dumps({"type": "pause"}))
    return frames / elapsed, (epochs[-1] - epochs[0] + 1) / elapsed if epochs else 0.0, size, header["maps"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--layers", default="8,8")
    parser.add_argument("--points", type=int, default=500)
    args = parser.parse_args()
    layers = [int(n) for n in args.layers.split(",")]
    settings = {"layers": layers, "activations": ["tanh"] * len(layers), "points": args.points}
    server = subprocess.Popen([sys.executable, "-m", "backprop", "playground", "--no-browser", "--port", "0"],
                              stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        url = server.stdout.readline().strip()
        print(f"CPU: {cpu_model()}, {os.cpu_count()} logical cores; Python {platform.python_version()}")
        print(f"network: {settings['layers']} tanh on {args.points} circle points (batch 10, SGD); "
              f"{args.rounds} rounds of {args.seconds:g} s")
        fps = []
        for r in range(args.rounds):
            session = create_session(url, settings)  # a fresh session each round: the same epochs from 0
            frames, epochs, size, maps = asyncio.run(one_round(url, session, args.seconds))
            fps.append(frames)
            print(f"round {r + 1}: {frames:.1f} frames/s, {epochs:.1f} epochs/s, {maps} maps, {size / 1024:.0f} KiB "
                  "a frame")
        print(f"median: {statistics.median(fps):.1f} frames/s (target ≥ 20)")
    finally:
        os.killpg(server.pid, signal.SIGINT)
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
