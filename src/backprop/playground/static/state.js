// The page's settings and their URL hash: every setting and the seed, so a link reproduces the page.
// The server validates what it receives (backprop/playground/settings.py); these lists only fill the selects.
export const OPTIONS = {
  dataset: ["circle", "xor", "gauss", "spiral", "plane", "multigauss", "upload"],
  activation: ["relu", "tanh", "sigmoid", "linear", "step"],
  optimizer: ["sgd", "momentum", "nesterov", "rmsprop", "adam"],
  lr: [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10],
  reg: ["none", "l1", "l2"],
  regrate: [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10],
  problem: ["classification", "regression"],
  init: ["default", "xavier", "he", "zeros"],
  dropout: [0, 0.1, 0.2, 0.3, 0.5],
  temperature: [0.1, 0.5, 1, 2, 5, 10],
  features: ["x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2"],
};
export const FEATURE_LABELS = { x1: "x₁", x2: "x₂", x1sq: "x₁²", x2sq: "x₂²", x1x2: "x₁x₂", sinx1: "sin x₁",
                                sinx2: "sin x₂" };
export const REGRESSION_SETS = ["plane", "multigauss"];
export const MAX_LAYERS = 6, MAX_NEURONS = 8;

export function defaults() {
  return {
    settings: { dataset: "circle", problem: "classification", ratio: 50, noise: 0, batch: 10, features: ["x1", "x2"],
                layers: [4, 2], activations: ["tanh", "tanh"], optimizer: "sgd", lr: 0.03, reg: "none",
                regrate: 0, init: "default", dropout: 0, batchnorm: false, temperature: 1, train: true },
    seed: Math.floor(Math.random() * 1e9),
    view: { showtest: false, discretize: false },
  };
}

const LISTS = ["features", "layers", "activations"];
const BOOLS = ["batchnorm", "train", "showtest", "discretize"];
const NUMBERS = ["ratio", "noise", "batch", "lr", "regrate", "dropout", "temperature", "points"];

function parseValue(key, text) {
  if (LISTS.includes(key)) {
    const items = text === "" ? [] : text.split(",");
    return key === "layers" ? items.map(Number) : items;
  }
  if (BOOLS.includes(key)) return text === "true";
  if (NUMBERS.includes(key)) return Number(text);
  return text;
}

// The state in the hash, over the defaults; the server checks the settings (a bad link gets its message).
export function fromHash(hash, lang) {
  const state = defaults();
  state.lang = lang;
  for (const part of hash.replace(/^#/, "").split("&")) {
    if (!part) continue;
    const [key, raw = ""] = part.split("=");
    const text = decodeURIComponent(raw);
    if (key === "seed") state.seed = Number(text);
    else if (key === "lang") state.lang = text;
    else if (key in state.view) state.view[key] = parseValue(key, text);
    else state.settings[key] = parseValue(key, text);
  }
  if (!("activations" in state.settings) || state.settings.activations.length !== state.settings.layers.length) {
    const first = (state.settings.activations || [])[0] || "tanh";
    state.settings.activations = state.settings.layers.map(() => first);
  }
  return state;
}

export function toHash(state) {
  const parts = [];
  const add = (key, value) => parts.push(`${key}=${encodeURIComponent(Array.isArray(value) ? value.join(",") : value)}`);
  for (const [key, value] of Object.entries(state.settings)) add(key, value);
  for (const [key, value] of Object.entries(state.view)) add(key, value);
  add("seed", state.seed);
  add("lang", state.lang);
  return "#" + parts.join("&");
}
