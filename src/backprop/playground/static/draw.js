// Drawing: the colour scale, the maps (50 × 50 values each), the data points and the loss curve.
export const EXTENT = 6;
const NEGATIVE = [245, 147, 34], MIDDLE = [232, 234, 235], POSITIVE = [8, 119, 189];
export const CLASS_COLOURS = [[245, 147, 34], [8, 119, 189], [44, 160, 44], [214, 39, 40], [148, 103, 189],
                              [140, 86, 75]];

// −1 orange, 0 light grey, +1 blue, as TensorFlow Playground; values beyond ±1 saturate.
export function colour(v) {
  const t = Math.max(-1, Math.min(1, Number.isFinite(v) ? v : 0));
  const [a, b] = t < 0 ? [MIDDLE, NEGATIVE] : [MIDDLE, POSITIVE];
  const s = Math.abs(t);
  return [0, 1, 2].map((i) => Math.round(a[i] + (b[i] - a[i]) * s));
}

export function css([r, g, b], alpha = 1) {
  return `rgba(${r},${g},${b},${alpha})`;
}

// Fill `canvas` with a grid × grid map, each cell's colour from rgbOf(index), smoothed when scaled up.
export function paint(canvas, grid, rgbOf) {
  const small = document.createElement("canvas");
  small.width = small.height = grid;
  const ctx = small.getContext("2d");
  const image = ctx.createImageData(grid, grid);
  for (let i = 0; i < grid * grid; i++) {
    const [r, g, b] = rgbOf(i);
    image.data.set([r, g, b, 255], i * 4);
  }
  ctx.putImageData(image, 0, 0);
  const target = canvas.getContext("2d");
  target.imageSmoothingEnabled = true;
  target.clearRect(0, 0, canvas.width, canvas.height);
  target.drawImage(small, 0, 0, canvas.width, canvas.height);
}

export function paintValues(canvas, grid, values, discretize = false) {
  paint(canvas, grid, (i) => colour(discretize ? Math.sign(values[i]) : values[i]));
}

// The output map's colour at each cell: the sign-coded value (binary, regression) or the likeliest class.
export function outputColours(outputs, problem, discretize) {
  if (outputs.length === 1) {
    const scale = problem === "regression" ? (v) => v : (p) => 2 * p - 1;
    return (i) => colour(discretize ? Math.sign(scale(outputs[0][i])) : scale(outputs[0][i]));
  }
  return (i) => {
    let best = 0;
    for (let k = 1; k < outputs.length; k++) if (outputs[k][i] > outputs[best][i]) best = k;
    const s = discretize ? 1 : Math.min(1, Math.max(0, (outputs[best][i] * outputs.length - 1) / (outputs.length - 1)));
    return [0, 1, 2].map((c) => Math.round(MIDDLE[c] + (CLASS_COLOURS[best][c] - MIDDLE[c]) * s));
  };
}

export function toCanvas(canvas, x, y) {
  return [(x + EXTENT) / (2 * EXTENT) * canvas.width, (EXTENT - y) / (2 * EXTENT) * canvas.height];
}

export function fromCanvas(canvas, px, py) {
  return [px / canvas.width * 2 * EXTENT - EXTENT, EXTENT - py / canvas.height * 2 * EXTENT];
}

// The points: [x1, x2, label, isTrain]; test points only when showTest; `chosen` (an index) gets a ring.
export function drawPoints(canvas, points, { classes, showTest, chosen }) {
  const ctx = canvas.getContext("2d");
  points.forEach((p, i) => {
    if (!p[3] && !showTest) return;
    const [px, py] = toCanvas(canvas, p[0], p[1]);
    const rgb = classes ? (classes.length === 2 ? (p[2] ? POSITIVE : NEGATIVE) : CLASS_COLOURS[p[2]]) : colour(p[2]);
    ctx.beginPath();
    ctx.arc(px, py, 3, 0, 2 * Math.PI);
    ctx.fillStyle = css(rgb);
    ctx.fill();
    ctx.lineWidth = 1;
    ctx.strokeStyle = p[3] ? "white" : "black";
    ctx.stroke();
    if (i === chosen) {
      ctx.beginPath();
      ctx.arc(px, py, 7, 0, 2 * Math.PI);
      ctx.lineWidth = 2;
      ctx.strokeStyle = "black";
      ctx.stroke();
    }
  });
}

// The live loss curve: history is a list of [train, test].
export function drawCurve(canvas, history) {
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  if (history.length < 2) return;
  const top = Math.max(...history.flat().filter(Number.isFinite), 1e-9);
  [[0, "#999"], [1, "#222"]].forEach(([k, stroke]) => {
    ctx.beginPath();
    history.forEach((h, i) => {
      const x = i / (history.length - 1) * canvas.width;
      const y = canvas.height - (h[k] / top) * (canvas.height - 2) - 1;
      if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
    });
    ctx.strokeStyle = stroke;
    ctx.lineWidth = 1.5;
    ctx.stroke();
  });
}

// An input feature's values on the grid (the maps of layer 0 are computed here, they never change).
export function featureMap(name, grid) {
  const values = new Float32Array(grid * grid);
  for (let r = 0; r < grid; r++) {
    for (let c = 0; c < grid; c++) {
      const x1 = -EXTENT + (2 * EXTENT * c) / (grid - 1), x2 = EXTENT - (2 * EXTENT * r) / (grid - 1);
      const v = { x1, x2, x1sq: x1 * x1, x2sq: x2 * x2, x1x2: x1 * x2, sinx1: Math.sin(x1), sinx2: Math.sin(x2) }[name];
      const half = EXTENT * EXTENT / 2;  // scales x² and x₁x₂ (up to 36) to the colour range
      const scaled = { x1: v / EXTENT, x2: v / EXTENT, x1sq: v / half - 1, x2sq: v / half - 1, x1x2: v / half };
      values[r * grid + c] = name in scaled ? scaled[name] : v;
    }
  }
  return values;
}
