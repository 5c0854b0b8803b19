// Sampling: a grid of images, or for a 2-D model its density as a heat map with the mixture's
// component ellipses and the samples on top.

import { api } from "./api.js";
import { PALETTE, densityFrame, el, ellipse, formatNumber, heatmap } from "./charts.js";
import {
  $, busy, clearError, emit, fieldValue, isImageModel, isPointModel, modelRef, on, pngSrc,
  setStatus, showError, state,
} from "./state.js";

const grid = $("sample-grid");
const densityView = $("density-view");
const overlay = $("density-overlay");
const canvas = $("density-canvas");
const errorElement = $("sample-error");

// What the overlay shows, redrawn whenever one part changes.
const layers = { map: null, components: null, samples: [], path: [], point: null, highlight: null };

const PRIOR_NAMES = {
  normal: "standard normal N(0, I)",
  gmm: "mixture fitted to the training codes (better samples)",
};

function requestBody() {
  const body = {
    ...modelRef(),
    seed: fieldValue($("sample-seed")),
    n: fieldValue($("sample-count")),
    temperature: fieldValue($("sample-temperature")),
  };
  if (!$("sample-prior-field").hidden) body.prior = $("sample-prior").value;
  if (!$("sample-class-field").hidden && $("sample-class").value !== "") {
    body.labels = [$("sample-class").value]; // one class for every sample
  }
  return body;
}

// The class picker, for a conditional model: any class (drawn from p(y)), or one of its classes.
function showClasses(model) {
  const classes = model.conditional ? model.classes || [] : [];
  $("sample-class-field").hidden = classes.length === 0;
  const any = document.createElement("option");
  any.value = "";
  any.textContent = "any (drawn from p(y))";
  $("sample-class").replaceChildren(any, ...classes.map((name) => {
    const option = document.createElement("option");
    option.value = name;
    option.textContent = name;
    return option;
  }));
}

// The prior selector, where the model has more than one (a VAE with a latent mixture).
function showPriors(model) {
  const priors = model.priors || ["normal"];
  $("sample-prior-field").hidden = priors.length < 2;
  $("sample-prior").replaceChildren(...priors.map((prior) => {
    const option = document.createElement("option");
    option.value = prior;
    option.textContent = PRIOR_NAMES[prior] || prior;
    return option;
  }));
  if (priors.includes("gmm")) $("sample-prior").value = "gmm";
}

// Only the newest request draws: the card's own first sample may answer after one the user
// asked for since.
let latestRequest = 0;

async function sample() {
  const model = state.model;
  if (!model) return;
  const ticket = ++latestRequest;
  const current = () => ticket === latestRequest && state.model === model;
  const body = requestBody();
  const prior = (body.prior ? `, ${body.prior} prior` : "") +
    (body.labels ? `, class ${body.labels[0]}` : "");
  if (isImageModel(model)) {
    const answer = await api("/sample", { method: "POST", body: { ...body, format: "png" } });
    if (!current()) return;
    grid.replaceChildren(
      ...answer.images.map((image, i) => {
        const img = document.createElement("img");
        img.src = pngSrc(image);
        img.alt = `Sample ${i + 1} of ${answer.images.length}`;
        img.className = "pixel-art";
        return img;
      }),
    );
    setStatus($("sample-status"), `${answer.images.length} samples, seed ${answer.seed}${prior}.`);
  } else {
    const answer = await api("/sample", { method: "POST", body: { ...body, format: "array" } });
    if (!current()) return;
    layers.samples = answer.samples;
    drawOverlay();
    grid.replaceChildren();
    setStatus($("sample-status"), `${answer.samples.length} samples, seed ${answer.seed}${prior}.`);
  }
}

async function loadDensity(model) {
  const path = `/models/${encodeURIComponent(model.name)}`;
  const version = `version=${model.version}`;
  const [density, components] = await Promise.all([
    api(`${path}/density?${version}&resolution=96`),
    model.views.includes("components") ? api(`${path}/components?${version}`) : Promise.resolve(null),
  ]);
  if (state.model !== model) return;
  layers.map = heatmap(canvas, density);
  densityFrame($("density-axes"), layers.map);
  layers.components = components;
  drawOverlay();
}

export function drawOverlay() {
  while (overlay.firstChild) overlay.removeChild(overlay.firstChild);
  const map = layers.map;
  if (!map) return;
  const px = (p) => map.toPixel(p).map((v) => v.toFixed(1)).join(",");
  if (layers.components?.covariances) {
    layers.components.means.forEach((mean, k) => {
      const points = ellipse(mean, layers.components.covariances[k], 2);
      el("polygon", { points: points.map(px).join(" "), class: "component", stroke: PALETTE[k % PALETTE.length] }, overlay);
      const [cx, cy] = map.toPixel(mean);
      el("circle", { cx, cy, r: 3, class: "component-centre", fill: PALETTE[k % PALETTE.length] }, overlay);
    });
  }
  for (const point of layers.samples) {
    const [cx, cy] = map.toPixel(point);
    el("circle", { cx, cy, r: 2.5, class: "sample-dot" }, overlay);
  }
  if (layers.path.length) {
    el("polyline", { points: layers.path.map(px).join(" "), class: "path" }, overlay);
    layers.path.forEach((point, i) => {
      const [cx, cy] = map.toPixel(point);
      el("circle", { cx, cy, r: i === layers.highlight ? 6 : 3.5, class: i === layers.highlight ? "path-dot current" : "path-dot" }, overlay);
    });
  }
  if (layers.point) {
    const [cx, cy] = map.toPixel(layers.point);
    el("circle", { cx, cy, r: 7, class: "highlight" }, overlay);
  }
}

export function showPath(points, highlight = null) {
  layers.path = points;
  layers.highlight = highlight;
  drawOverlay();
}

export function showPoint(point) {
  layers.point = point;
  drawOverlay();
}

function onModel(model) {
  grid.replaceChildren();
  Object.assign(layers, { map: null, components: null, samples: [], path: [], point: null });
  setStatus($("sample-status"), "");
  densityView.hidden = !isPointModel(model);
  const context = canvas.getContext("2d");
  context.clearRect(0, 0, canvas.width, canvas.height);
  drawOverlay();
  showPriors(model);
  showClasses(model);
  // the same first view for every model: the card fills itself, without holding the button
  // (a disabled button would swallow the Enter of a user who asks first)
  (async () => {
    clearError(errorElement);
    try {
      if (isPointModel(model)) await loadDensity(model);
      await sample();
    } catch (error) {
      if (error.name !== "AbortError") showError(errorElement, error);
    }
  })();
}

export function initSample() {
  $("sample-form").addEventListener("submit", (event) => {
    event.preventDefault();
    busy($("sample-button"), errorElement, sample);
  });
  $("sample-prior").addEventListener("change", () => busy($("sample-button"), errorElement, sample));
  $("sample-class").addEventListener("change", () => busy($("sample-button"), errorElement, sample));
  canvas.addEventListener("mousemove", (event) => {
    if (!layers.map) return;
    const box = canvas.getBoundingClientRect();
    const point = layers.map.toData([
      ((event.clientX - box.left) / box.width) * canvas.width,
      ((event.clientY - box.top) / box.height) * canvas.height,
    ]);
    const value = layers.map.valueAt(point);
    $("density-readout").textContent = `x = (${point.map(formatNumber).join(", ")})` +
      (Number.isFinite(value) ? `, log p(x) ≈ ${formatNumber(value)} nats` : "");
  });
  canvas.addEventListener("click", (event) => {
    if (!layers.map) return;
    const box = canvas.getBoundingClientRect();
    const point = layers.map.toData([
      ((event.clientX - box.left) / box.width) * canvas.width,
      ((event.clientY - box.top) / box.height) * canvas.height,
    ]);
    emit("point", point);
  });
  on("model", onModel);
}
