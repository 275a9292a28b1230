// Talking to the server: JSON POSTs under /api/ and the WebSocket /ws (JSON text and binary map frames).

export class ApiError extends Error {}

// POST a JSON object (or raw bytes); answers the parsed JSON, or a Blob for files; throws ApiError(message).
export async function post(path, body, { raw = false, blob = false } = {}) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": raw ? "text/csv" : "application/json" },
    body: raw ? body : JSON.stringify(body),
  });
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try { message = (await response.json()).error || message; } catch (e) { /* not JSON: keep the status */ }
    throw new ApiError(message);
  }
  return blob ? response.blob() : response.json();
}

// A binary frame: uint32 n, n bytes of JSON header, then header.maps maps of grid × grid float32 values.
export function decodeFrame(buffer) {
  const n = new DataView(buffer).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, n)));
  const size = header.grid * header.grid;
  const all = new Float32Array(buffer, 4 + n, header.maps * size);
  const maps = [];
  for (let i = 0; i < header.maps; i++) maps.push(all.subarray(i * size, (i + 1) * size));
  return { header, maps };
}

// The session's stream: onFrame({header, maps}) for each frame (acknowledged once drawn), onMessage(json).
export class Stream {
  constructor(session, { onFrame, onMessage, onClose }) {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    this.socket = new WebSocket(`${scheme}://${location.host}/ws?session=${encodeURIComponent(session)}`);
    this.socket.binaryType = "arraybuffer";
    this.pending = [];
    this.socket.onopen = () => { for (const m of this.pending) this.socket.send(m); this.pending = []; };
    this.socket.onmessage = (event) => {
      if (typeof event.data === "string") {
        onMessage(JSON.parse(event.data));
        return;
      }
      const frame = decodeFrame(event.data);
      // Draw on the next animation frame, then acknowledge: the server sends no faster than the page draws.
      requestAnimationFrame(() => { onFrame(frame); this.send({ type: "ack" }); });
    };
    this.socket.onclose = (event) => onClose(event);
  }

  send(message) {
    const text = JSON.stringify(message);
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(text);
    else if (this.socket.readyState === WebSocket.CONNECTING) this.pending.push(text);
  }

  close() {
    this.socket.onclose = null;
    this.socket.close();
  }
}

// Save a Blob as a file through a temporary link (no request leaves the page).
export function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
