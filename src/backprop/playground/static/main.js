// The page: one session per tab, its settings in the URL hash, the controls, and what each frame redraws.
import { ApiError, Stream, download, post } from "./api.js";
import { Diagram } from "./diagram.js";
import { drawCurve, drawPoints, fromCanvas, outputColours, paint, paintValues, featureMap } from "./draw.js";
import { translate, words } from "./i18n.js";
import { OPTIONS, REGRESSION_SETS, fromHash, toHash } from "./state.js";

const $ = (id) => document.querySelector(`[data-testid="${id}"]`);
const state = fromHash(location.hash, document.documentElement.dataset.defaultLang || "en");
const page = { session: null, data: null, frame: null, history: [], chosen: null, stream: null, playing: false,
               traced: null };
const diagram = new Diagram($("diagram"), {
  toggleFeature: (name) => {
    const on = state.settings.features.includes(name);
    change({ features: on ? state.settings.features.filter((f) => f !== name) : [...state.settings.features, name] });
  },
  addNeuron: (l) => change({ layers: state.settings.layers.map((n, i) => (i === l - 1 ? n + 1 : n)) }),
  removeNeuron: (l) => change({ layers: state.settings.layers.map((n, i) => (i === l - 1 ? n - 1 : n)) }),
  setActivation: (l, name) => change({ activations: state.settings.activations.map((a, i) => (i === l - 1 ? name : a)) }),
  editWeight,
  hover,
});

function showMessage(text) {
  const box = $("message");
  box.textContent = text;
  box.hidden = false;
}

function clearMessage() {
  $("message").hidden = true;
}

// Run an action; its failure (a 4xx with the server's message, or a lost connection) becomes the page's message.
async function attempt(action) {
  try {
    const result = await action();
    return result;
  } catch (e) {
    showMessage(e instanceof ApiError ? e.message : `${e.message || e}`);
    return null;
  }
}

function fillSelects() {
  const w = words(state.lang);
  const lists = { dataset: ["dataset", w.datasets], activation: ["activation", w.activations],
                  optimizer: ["optimizer", w.optimizers], "learning-rate": ["lr", null],
                  regularization: ["reg", w.regularizations], "regularization-rate": ["regrate", null],
                  problem: ["problem", w.problems], init: ["init", w.inits], dropout: ["dropout", null],
                  temperature: ["temperature", null] };
  for (const [id, [key, names]] of Object.entries(lists)) {
    const select = $(id);
    select.innerHTML = "";
    for (const value of OPTIONS[key]) {
      const option = document.createElement("option");
      option.value = value;
      option.textContent = names ? names[value] : String(value);
      select.appendChild(option);
    }
  }
}

// Put the settings into the controls (after the server validated them).
function showSettings() {
  const s = state.settings;
  const set = (id, value) => { const el = $(id); if (el) el.value = String(value); };
  set("dataset", s.dataset); set("problem", s.problem); set("learning-rate", s.lr); set("optimizer", s.optimizer);
  set("regularization", s.reg); set("regularization-rate", s.regrate); set("init", s.init);
  set("dropout", s.dropout); set("temperature", s.temperature);
  set("activation", s.activations.length ? s.activations[0] : "tanh");
  for (const key of ["ratio", "noise", "batch"]) { set(key, s[key]); $(`${key}-value`).textContent = s[key]; }
  $("batchnorm").checked = s.batchnorm;
  $("train").checked = s.train;
  $("show-test").checked = state.view.showtest;
  $("discretize").checked = state.view.discretize;
  $("lang").value = state.lang;
  $("init-note").hidden = s.init !== "zeros";
  $("layer-count").textContent = `${words(state.lang).hiddenLayers}: ${s.layers.length}`;
}

function nOutputs() {
  const classes = page.data.classes;
  return state.settings.problem === "regression" || classes.length === 2 ? 1 : classes.length;
}

function applyData(data) {
  page.data = data;
  page.session = data.session;
  state.settings = data.settings;
  state.seed = data.seed;
  page.history = [];
  page.chosen = null;
  $("trace").innerHTML = "";
  history.replaceState(null, "", toHash(state));
  showSettings();
  diagram.build(state.settings, nOutputs(), state.lang);
  if (page.frame && page.frame.header.version === data.version) drawFrame(page.frame);
  else drawOutput();
}

async function change(patch) {
  const settings = { ...state.settings, ...patch };
  const data = await attempt(() => post("/api/settings", { session: page.session, settings, seed: state.seed }));
  if (!data) { showSettings(); return; }
  clearMessage();
  applyData(data);
  page.stream.send({ type: "frame" });
}

function drawOutput() {
  const canvas = $("output-map");
  const frame = page.frame;
  if (frame && page.data && frame.header.version === page.data.version) {
    const outputs = frame.maps.slice(frame.maps.length - nOutputs());
    paint(canvas, frame.header.grid, outputColours(outputs, state.settings.problem, state.view.discretize));
  } else {
    canvas.getContext("2d").clearRect(0, 0, canvas.width, canvas.height);
  }
  if (page.data) {
    drawPoints(canvas, page.data.points, { classes: page.data.classes, showTest: state.view.showtest,
                                           chosen: page.chosen });
  }
}

function number(v) {
  return v === null || v === undefined || !Number.isFinite(v) ? "—" : v.toFixed(3);
}

function drawFrame(frame) {
  page.frame = frame;
  if (!page.data || frame.header.version !== page.data.version) return;  // a frame of the network before a change
  const h = frame.header;
  $("epoch").textContent = String(h.epoch);
  $("loss-train").textContent = number(h.loss_train);
  $("loss-test").textContent = number(h.loss_test);
  $("accuracy-test").textContent = h.accuracy_test === null ? "—" : `${(100 * h.accuracy_test).toFixed(1)} %`;
  const last = page.history[page.history.length - 1];
  if (!last || last[2] !== h.epoch) page.history.push([h.loss_train, h.loss_test, h.epoch]);
  drawCurve($("loss-curve"), page.history.map(([a, b]) => [a, b]));
  diagram.update(h.layers, frame.maps, state.settings.problem);
  drawOutput();
}

function setPlaying(playing) {
  page.playing = playing;
  $("play").textContent = playing ? "⏸" : "▶";
  $("play").classList.toggle("playing", playing);
}

async function editWeight(layer, from, to) {
  const w = words(state.lang);
  const what = from === null ? `b ${layer}.${to}` : `w ${layer}: ${from} → ${to}`;
  const text = prompt(`${w.typeWeight} ${what}`);
  if (text === null || text.trim() === "") return;
  const value = Number(text.replace(",", "."));
  const header = await attempt(() => post("/api/weight", { session: page.session, layer, from, to, value }));
  if (header) { clearMessage(); page.stream.send({ type: "frame" }); }
}

function hover(layer, index, canvas) {
  const tip = document.querySelector(".tooltip");
  if (!canvas) { tip.hidden = true; return; }
  const big = tip.querySelector("canvas");
  const values = canvas.mapValues || (layer === 0 ? featureMap(state.settings.features[index], 50) : null);
  if (!values) return;
  paintValues(big, 50, values, state.view.discretize);
  tip.querySelector(".tip-text").textContent = canvas.parentElement.title || "";
  const rect = canvas.getBoundingClientRect();
  Object.assign(tip.style, { left: `${rect.right + window.scrollX + 8}px`, top: `${rect.top + window.scrollY}px` });
  tip.hidden = false;
}

async function traceAt(x, y) {
  const result = await attempt(() => post("/api/trace", { session: page.session, x, y, lang: state.lang }));
  if (!result) return;
  page.traced = [x, y];
  page.chosen = result.index;
  $("trace").innerHTML = result.html;  // built by the server from bp.explain's tables, every value escaped
  diagram.showTrace(result.neurons, state.lang);
  drawOutput();
}

function bind() {
  const on = (id, event, f) => $(id).addEventListener(event, f);
  on("play", "click", () => page.stream.send({ type: page.playing ? "pause" : "play" }));
  on("step", "click", () => page.stream.send({ type: "step" }));
  for (const what of ["reset", "regenerate"]) {
    on(what, "click", async () => {
      const data = await attempt(() => post(`/api/${what}`, { session: page.session }));
      if (data) { clearMessage(); applyData(data); page.stream.send({ type: "frame" }); }
    });
  }
  on("add-layer", "click", () => change({ layers: [...state.settings.layers, 2],
                                          activations: [...state.settings.activations, $("activation").value] }));
  on("remove-layer", "click", () => {
    if (!state.settings.layers.length) { showMessage(words(state.lang).noLayerToRemove); return; }
    change({ layers: state.settings.layers.slice(0, -1), activations: state.settings.activations.slice(0, -1) });
  });
  const selects = { "learning-rate": ["lr", Number], optimizer: ["optimizer", String], init: ["init", String],
                    regularization: ["reg", String], "regularization-rate": ["regrate", Number],
                    dropout: ["dropout", Number], temperature: ["temperature", Number] };
  for (const [id, [key, type]] of Object.entries(selects)) on(id, "change", () => change({ [key]: type($(id).value) }));
  on("activation", "change", () => change({ activations: state.settings.activations.map(() => $("activation").value) }));
  on("dataset", "change", () => {
    const dataset = $("dataset").value;
    const problem = REGRESSION_SETS.includes(dataset) ? "regression"
      : dataset === "upload" ? state.settings.problem : "classification";
    change({ dataset, problem });
  });
  on("problem", "change", () => {
    const problem = $("problem").value;
    const fits = state.settings.dataset === "upload" || REGRESSION_SETS.includes(state.settings.dataset) === (problem === "regression");
    change(fits ? { problem } : { problem, dataset: problem === "regression" ? "plane" : "circle" });
  });
  for (const key of ["ratio", "noise", "batch"]) {
    on(key, "input", () => { $(`${key}-value`).textContent = $(key).value; });
    on(key, "change", () => change({ [key]: Number($(key).value) }));
  }
  on("batchnorm", "change", () => change({ batchnorm: $("batchnorm").checked }));
  on("train", "change", () => change({ train: $("train").checked }));
  for (const [id, key] of [["show-test", "showtest"], ["discretize", "discretize"]]) {
    on(id, "change", () => { state.view[key] = $(id).checked; history.replaceState(null, "", toHash(state)); drawOutput(); });
  }
  on("lang", "change", () => {
    state.lang = $("lang").value;
    translate(state.lang);
    fillSelects();
    showSettings();
    history.replaceState(null, "", toHash(state));
    diagram.build(state.settings, nOutputs(), state.lang);
    if (page.frame) drawFrame(page.frame);
    if (page.traced) traceAt(...page.traced);
  });
  on("upload-csv", "change", async () => {
    const file = $("upload-csv").files[0];
    if (!file) return;
    const body = await file.arrayBuffer();
    const problem = state.settings.problem;
    const query = `session=${encodeURIComponent(page.session)}&problem=${problem}`;
    const result = await attempt(() => post(`/api/upload?${query}`, body, { raw: true }));
    $("upload-csv").value = "";
    if (result) await change({ dataset: "upload", problem });
  });
  const exports = { "export-script": ["script", "playground.py"], "export-weights": ["weights", "playground.safetensors"],
                    "export-data": ["data", "playground-data.csv"] };
  for (const [id, [what, name]] of Object.entries(exports)) {
    on(id, "click", async () => {
      const blob = await attempt(() => post(`/api/export/${what}`, { session: page.session }, { blob: true }));
      if (blob) download(blob, name);
    });
  }
  on("output-map", "click", (event) => {
    const canvas = $("output-map");
    const rect = canvas.getBoundingClientRect();
    const [x, y] = fromCanvas(canvas, (event.clientX - rect.left) * canvas.width / rect.width,
                              (event.clientY - rect.top) * canvas.height / rect.height);
    traceAt(x, y);
  });
}

// The tab's session: the one it had before a reload (kept in sessionStorage), set to the link's settings,
// unless another page has it open (a duplicated tab copies sessionStorage); else a new one.
const SESSION_KEY = "backprop-playground-session";

async function openSession(settings, seed) {
  const saved = sessionStorage.getItem(SESSION_KEY);
  if (saved) {
    try {
      return await post("/api/settings", { session: saved, settings, seed, reattach: true });
    } catch (e) {
      if (!(e instanceof ApiError) || !/unknown session|open in another tab/.test(e.message)) throw e;
    }
  }
  return post("/api/session", { settings, seed });
}

function connect() {
  sessionStorage.setItem(SESSION_KEY, page.session);
  page.stream = new Stream(page.session, {
    onFrame: drawFrame,
    onMessage: (m) => {
      if (m.type === "error") showMessage(m.message);
      else if (m.type === "state") setPlaying(m.playing);
    },
    onClose: (event) => showMessage(event.reason || words(state.lang).connectionLost),
  });
}

async function start() {
  translate(state.lang);
  fillSelects();
  bind();
  let data;
  try {
    data = await openSession(state.settings, state.seed);
  } catch (e) {
    showMessage(e.message);
    if (!(e instanceof ApiError) || /sessions are in use/.test(e.message)) return;
    const fresh = fromHash("", state.lang);  // a bad link: its message stays, the page starts from the defaults
    state.settings = fresh.settings;
    state.seed = fresh.seed;
    data = await attempt(() => openSession(state.settings, state.seed));
    if (!data) return;
  }
  applyData(data);
  connect();
  window.playground = page;  // for the console and the tests: the session id, the last frame
}

start();
