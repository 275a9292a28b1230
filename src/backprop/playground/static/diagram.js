// The network's drawing: feature boxes (layer 0), hidden neurons, outputs, and the links between them.
// Test ids: neuron-<layer>-<index>, link-<layer>-<from>-<to> (layer of the `to` neuron), bias-<layer>-<index>,
// add-neuron-<layer>/remove-neuron-<layer> and activation-<layer> for the hidden layers 1…k, feature-<name>.
import { FEATURE_LABELS, OPTIONS } from "./state.js";
import { colour, css, featureMap, paintValues } from "./draw.js";
import { words } from "./i18n.js";

const BOX = 40, GAP = 22, TOP = 64, COLUMN = 120, LEFT = 60;
const SVG = "http://www.w3.org/2000/svg";

function element(tag, attrs = {}, parent = null) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") el.textContent = v; else el.setAttribute(k, v);
  }
  if (parent) parent.appendChild(el);
  return el;
}

export class Diagram {
  // handlers: toggleFeature(name), addNeuron(l), removeNeuron(l), setActivation(l, name), editWeight(l, from, to),
  // hover(layer, index, canvas | null)
  constructor(root, handlers) {
    this.root = root;
    this.svg = root.querySelector("svg");
    this.handlers = handlers;
    this.canvases = {};  // "layer-index" → canvas
    this.links = [];
  }

  build(settings, nOutputs, lang) {
    const w = words(lang);
    for (const el of [...this.root.children]) if (el !== this.svg) el.remove();
    this.svg.innerHTML = "";
    this.canvases = {};
    this.links = [];
    this.settings = settings;
    const enabled = settings.features;
    const sizes = [enabled.length, ...settings.layers, nOutputs];
    const rows = Math.max(OPTIONS.features.length, ...settings.layers, nOutputs);
    const width = LEFT + COLUMN * (sizes.length - 1) + BOX + 20;
    const height = TOP + rows * (BOX + GAP);
    Object.assign(this.root.style, { width: `${width}px`, height: `${height}px` });
    this.svg.setAttribute("width", width);
    this.svg.setAttribute("height", height);
    // An input sits on the row of its feature's label; the other layers fill their rows from the top.
    const row = (layer, index) => (layer === 0 ? OPTIONS.features.indexOf(enabled[index]) : index);
    const centre = (layer, index) => [LEFT + COLUMN * layer + BOX / 2, TOP + row(layer, index) * (BOX + GAP) + BOX / 2];
    this.centre = centre;

    element("div", { class: "column-title", style: `left:${LEFT - 30}px`, text: w.features }, this.root);
    OPTIONS.features.forEach((name, row) => {
      const on = enabled.includes(name);
      const box = element("div", { class: `feature ${on ? "on" : "off"}`, "data-testid": `feature-${name}`,
                                   style: `left:${LEFT - 50}px; top:${TOP + row * (BOX + GAP)}px` }, this.root);
      element("span", { class: "feature-label", text: FEATURE_LABELS[name] }, box);
      box.addEventListener("click", () => this.handlers.toggleFeature(name));
    });
    sizes.forEach((size, layer) => {
      const hidden = layer > 0 && layer < sizes.length - 1;
      if (hidden) this.layerHeader(layer, settings, w);
      if (layer === sizes.length - 1) {
        element("div", { class: "column-title", style: `left:${LEFT + COLUMN * layer - 10}px`, text: w.outputLayer },
                this.root);
      }
      for (let i = 0; i < size; i++) this.neuron(layer, i, centre, layer === 0 ? enabled[i] : null, hidden || layer > 0);
    });
    for (let layer = 1; layer < sizes.length; layer++) {
      for (let to = 0; to < sizes[layer]; to++) {
        for (let from = 0; from < sizes[layer - 1]; from++) this.link(layer, from, to, centre);
      }
    }
  }

  layerHeader(layer, settings, w) {
    const x = LEFT + COLUMN * layer - 30;
    const head = element("div", { class: "layer-head", style: `left:${x}px` }, this.root);
    const add = element("button", { class: "round small", "data-testid": `add-neuron-${layer}`, text: "+" }, head);
    const remove = element("button", { class: "round small", "data-testid": `remove-neuron-${layer}`, text: "−" }, head);
    add.addEventListener("click", () => this.handlers.addNeuron(layer));
    remove.addEventListener("click", () => this.handlers.removeNeuron(layer));
    element("div", { class: "layer-count", text: `${w.neurons}: ${settings.layers[layer - 1]}` }, head);
    const select = element("select", { "data-testid": `activation-${layer}` }, head);
    for (const name of OPTIONS.activation) element("option", { value: name, text: w.activations[name] }, select);
    select.value = settings.activations[layer - 1];
    select.addEventListener("change", () => this.handlers.setActivation(layer, select.value));
  }

  neuron(layer, index, centre, feature, hasBias) {
    const [cx, cy] = centre(layer, index);
    const box = element("div", { class: "neuron", "data-testid": `neuron-${layer}-${index}`,
                                 style: `left:${cx - BOX / 2}px; top:${cy - BOX / 2}px` }, this.root);
    const canvas = element("canvas", { width: BOX, height: BOX }, box);
    this.canvases[`${layer}-${index}`] = canvas;
    if (feature) {
      paintValues(canvas, 50, featureMap(feature, 50));
      box.title = FEATURE_LABELS[feature];
    }
    if (hasBias) {
      const bias = element("div", { class: "bias", "data-testid": `bias-${layer}-${index}` }, box);
      bias.addEventListener("click", (e) => { e.stopPropagation(); this.handlers.editWeight(layer, null, index); });
    }
    box.addEventListener("mouseenter", () => this.handlers.hover(layer, index, canvas));
    box.addEventListener("mouseleave", () => this.handlers.hover(layer, index, null));
  }

  link(layer, from, to, centre) {
    const [x0, y0] = centre(layer - 1, from), [x1, y1] = centre(layer, to);
    const path = document.createElementNS(SVG, "path");
    const sx = x0 + BOX / 2, ex = x1 - BOX / 2;
    path.setAttribute("d", `M${sx},${y0} C${(sx + ex) / 2},${y0} ${(sx + ex) / 2},${y1} ${ex},${y1}`);
    path.setAttribute("data-testid", `link-${layer}-${from}-${to}`);
    path.setAttribute("class", "link");
    path.addEventListener("click", () => this.handlers.editWeight(layer, from, to));
    this.svg.appendChild(path);
    this.links.push({ path, layer, from, to });
  }

  // Each link's colour by its weight's sign, its width by the weight's size; each bias square likewise.
  update(layers, maps, problem) {
    for (const link of this.links) {
      const w = layers[link.layer - 1]?.weight?.[link.to]?.[link.from];
      if (w === undefined) continue;
      link.path.setAttribute("stroke", css(colour(Math.sign(w)), Math.min(1, 0.25 + Math.abs(w))));
      link.path.setAttribute("stroke-width", Math.min(8, 0.5 + 2.5 * Math.abs(w)).toFixed(2));
      link.path.dataset.weight = w;
      link.path.innerHTML = `<title>w = ${w.toPrecision(4)}</title>`;
    }
    layers.forEach((layer, l) => layer.bias.forEach((b, i) => {
      const square = this.root.querySelector(`[data-testid="bias-${l + 1}-${i}"]`);
      if (square) { square.style.background = css(colour(b)); square.title = `b = ${b.toPrecision(4)}`; }
    }));
    let m = 0;
    const sizes = [...this.settings.layers, layers[layers.length - 1].bias.length];
    sizes.forEach((size, l) => {
      for (let i = 0; i < size; i++, m++) {
        const canvas = this.canvases[`${l + 1}-${i}`];
        if (!canvas || !maps[m]) continue;
        // An output's probability p is drawn as 2p − 1, on the same scale as the other maps.
        const probability = l === sizes.length - 1 && problem === "classification";
        canvas.mapValues = probability ? maps[m].map((p) => 2 * p - 1) : maps[m];
        paintValues(canvas, 50, canvas.mapValues);
      }
    });
  }

  // The values and gradients of a traced step, written under each neuron (and in its tooltip).
  showTrace(neurons, lang) {
    const w = words(lang);
    for (const el of this.root.querySelectorAll(".trace-label")) el.remove();
    for (const [key, { value, grad }] of Object.entries(neurons)) {
      const box = this.root.querySelector(`[data-testid="neuron-${key}"]`);
      if (!box) continue;
      box.title = `${w.value} ${value.toPrecision(4)}, ${w.gradient} ∂L = ${grad.toPrecision(4)}`;
      element("div", { class: "trace-label", text: `${value.toPrecision(3)} | ${grad.toPrecision(3)}` }, box);
    }
  }
}
