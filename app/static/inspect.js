// Inspect one input: draw it (or upload it, or start from a sample), then see its
// reconstruction, its latent code and its log-likelihood against the held-out test set.

import { api } from "./api.js";
import { bars, formatNumber, histogram, scatter } from "./charts.js";
import { showPoint } from "./sample.js";
import {
  $, busy, drawPixels, formatVector, isImageModel, isPointModel, modelRef, on, pngSrc, setStatus,
  state, vectorValue,
} from "./state.js";

const IMPORTANCE_SAMPLES = 100; // k for the VAE's bound, for the input and the reference alike
const canvas = $("draw-canvas");
const context = canvas.getContext("2d", { willReadFrequently: true });
const errorElement = $("inspect-error");
let drawing = false;
let dirty = false;
let analyseTimer = null;

function clearCanvas() {
  context.fillStyle = "#000";
  context.fillRect(0, 0, canvas.width, canvas.height);
  dirty = false;
}

function strokeWidth() {
  const width = state.model?.data_shape?.[1] || 8;
  return Math.max(10, (canvas.width / width) * 0.9);
}

function canvasPoint(event) {
  const box = canvas.getBoundingClientRect();
  return [
    ((event.clientX - box.left) / box.width) * canvas.width,
    ((event.clientY - box.top) / box.height) * canvas.height,
  ];
}

function startStroke(event) {
  if (event.button !== undefined && event.button !== 0) return;
  drawing = true;
  dirty = true;
  canvas.setPointerCapture?.(event.pointerId);
  const [x, y] = canvasPoint(event);
  context.strokeStyle = "#fff";
  context.fillStyle = "#fff";
  context.lineWidth = strokeWidth();
  context.lineCap = "round";
  context.lineJoin = "round";
  context.beginPath();
  context.arc(x, y, context.lineWidth / 2, 0, 2 * Math.PI);
  context.fill();
  context.beginPath();
  context.moveTo(x, y);
  event.preventDefault();
}

function continueStroke(event) {
  if (!drawing) return;
  const [x, y] = canvasPoint(event);
  context.lineTo(x, y);
  context.stroke();
  event.preventDefault();
}

function endStroke() {
  if (!drawing) return;
  drawing = false;
  clearTimeout(analyseTimer);
  analyseTimer = setTimeout(() => analyseDrawing(), 250);
}

// Box-average the drawing down to the model's image shape: a flat row in its value range.
function readDrawing() {
  const [height, width] = state.model.data_shape;
  const [low, high] = state.model.value_range;
  const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
  const row = new Array(height * width).fill(0);
  const cellW = canvas.width / width;
  const cellH = canvas.height / height;
  for (let r = 0; r < height; r += 1) {
    for (let c = 0; c < width; c += 1) {
      let sum = 0;
      let count = 0;
      for (let y = Math.floor(r * cellH); y < Math.floor((r + 1) * cellH); y += 1) {
        for (let x = Math.floor(c * cellW); x < Math.floor((c + 1) * cellW); x += 1) {
          const k = (y * canvas.width + x) * 4;
          sum += (pixels[k] + pixels[k + 1] + pixels[k + 2]) / 3;
          count += 1;
        }
      }
      const level = count ? sum / count / 255 : 0;
      row[r * width + c] = low + level * (high - low);
    }
  }
  return row;
}

// Paint a model-resolution row onto the drawing canvas (used for samples and uploads alike).
function paintRow(row) {
  const small = document.createElement("canvas");
  drawPixels(small, row, state.model.data_shape, state.model.value_range);
  context.imageSmoothingEnabled = true;
  context.drawImage(small, 0, 0, canvas.width, canvas.height);
  dirty = true;
}

async function useSample() {
  const answer = await api("/sample", {
    method: "POST", body: { ...modelRef(), n: 1, seed: Math.floor(Math.random() * 2 ** 31) },
  });
  clearCanvas();
  paintRow(answer.samples[0].flat());
  await analyseDrawing();
}

async function upload(file) {
  const bitmap = await createImageBitmap(file);
  const scratch = document.createElement("canvas");
  scratch.width = canvas.width;
  scratch.height = canvas.height;
  const ctx = scratch.getContext("2d", { willReadFrequently: true });
  ctx.fillStyle = "#000";
  ctx.fillRect(0, 0, scratch.width, scratch.height);
  const scale = Math.min(scratch.width / bitmap.width, scratch.height / bitmap.height);
  const w = bitmap.width * scale;
  const h = bitmap.height * scale;
  ctx.drawImage(bitmap, (scratch.width - w) / 2, (scratch.height - h) / 2, w, h);
  const image = ctx.getImageData(0, 0, scratch.width, scratch.height);
  let total = 0;
  for (let i = 0; i < image.data.length; i += 4) total += image.data[i];
  const inverted = total / (image.data.length / 4) > 127; // dark ink on light paper
  if (inverted) {
    for (let i = 0; i < image.data.length; i += 4) {
      for (let j = 0; j < 3; j += 1) image.data[i + j] = 255 - image.data[i + j];
    }
  }
  context.putImageData(image, 0, 0);
  dirty = true;
  const note = inverted ? "; colours inverted to light ink on dark" : "";
  setStatus($("inspect-status"), `Uploaded${note}.`);
  await analyseDrawing();
  if (errorElement.hidden && !$("inspect-results").hidden) {
    setStatus($("inspect-status"), `Analysed the upload${note}.`);
  }
}

export async function reference(model) {
  const key = `${model.name}/${model.version}/${IMPORTANCE_SAMPLES}`;
  if (!state.references.has(key)) {
    const path = `/models/${encodeURIComponent(model.name)}/reference`;
    const promise = api(`${path}?version=${model.version}&importance_samples=${IMPORTANCE_SAMPLES}`);
    state.references.set(key, promise);
    promise.catch(() => state.references.delete(key));
  }
  return state.references.get(key);
}

async function analyse(row) {
  const model = state.model;
  const inputs = [row];
  const image = isImageModel(model);
  const classify = model.capabilities.includes("classify")
    ? api("/classify", {
      method: "POST", body: { ...modelRef(), inputs, importance_samples: IMPORTANCE_SAMPLES, seed: 0 },
    })
    : Promise.resolve(null);
  const [reconstruction, encoding, scores, ref, classes] = await Promise.all([
    api("/reconstruct", { method: "POST", body: { ...modelRef(), inputs, format: image ? "png" : "array" } }),
    api("/encode", { method: "POST", body: { ...modelRef(), inputs } }),
    api("/log-likelihood", {
      method: "POST", body: { ...modelRef(), inputs, importance_samples: IMPORTANCE_SAMPLES, seed: 0 },
    }),
    reference(model),
    classify,
  ]);
  if (state.model !== model) return;
  $("inspect-results").hidden = false;
  showInput(row, image);
  showReconstruction(reconstruction, image);
  showLatent(model, encoding, ref);
  showLogLikelihood(scores, ref);
  showClasses(classes);
}

// A conditional model's p(y | x) for the input; hidden for other models.
function showClasses(answer) {
  $("classify-figure").hidden = !answer;
  if (!answer) return;
  const probabilities = answer.classes.map((name) => answer.probabilities[0][name]);
  bars($("classify-chart"), probabilities, {
    xLabel: `class (${answer.classes.join(", ")})`, yLabel: "p(y | x), probability", names: answer.classes,
  });
  const best = answer.predicted[0];
  $("classify-summary").textContent = `predicted class: ${best} (p = ${formatNumber(answer.probabilities[0][best])})`;
}

function showInput(row, image) {
  const preview = $("input-preview");
  preview.hidden = !image;
  if (image) drawPixels(preview, row, state.model.data_shape, state.model.value_range);
  $("input-values").textContent = image ? "" : `x = (${row.map(formatNumber).join(", ")})`;
}

function showReconstruction(answer, image) {
  const img = $("reconstruction");
  img.hidden = !image;
  if (image) img.src = pngSrc(answer.images[0]);
  $("reconstruction-values").textContent = image
    ? ""
    : `x̂ = (${answer.reconstructions[0].map(formatNumber).join(", ")})`;
}

// The latent panel shows a model's own code or nothing: a model without the `latent` view
// (and no responsibilities) hides it rather than keep the last model's chart.
function clearLatent() {
  $("latent-chart").replaceChildren();
  $("latent-caption").textContent = "Latent code";
  $("latent-values").textContent = "";
}

function showLatent(model, answer, ref) {
  const encoding = answer.encoding;
  const chart = $("latent-chart");
  const latentMap = model.views.includes("latent") && encoding.mean && ref.latent;
  clearLatent();
  $("latent-figure").hidden = !(latentMap || encoding.responsibilities);
  if (latentMap) {
    const mean = encoding.mean[0];
    const { center, projection, points, labels, classes, method } = ref.latent;
    const projected = projection.map((axis) => axis.reduce((s, a, i) => s + a * (mean[i] - center[i]), 0));
    const axisNames = method === "pca"
      ? ["latent PC 1 (z units)", "latent PC 2 (z units)"]
      : ["z₁ (z units)", "z₂ (z units)"];
    scatter(chart, points, { labels, classes, highlight: projected, xLabel: axisNames[0], yLabel: axisNames[1] });
    const others = ref.source === "test split" ? "the held-out test examples" : "samples of the model";
    const colours = !labels ? ""
      : ref.latent.labels_source === "classifier prediction"
        ? ", coloured by the digit genserve's MNIST classifier predicts for each (labels source: classifier prediction, not the data)"
        : ", coloured by their label (labels source: the data set)";
    $("latent-caption").textContent = method === "pca"
      ? `Latent code: the posterior means of ${others}${colours}, on their first two principal axes; the ring is yours`
      : `Latent code: the posterior means of ${others}${colours}; the ring is yours`;
    const shown = mean.length > 8 ? `${mean.slice(0, 8).map(formatNumber).join(", ")}, … (${mean.length} values)` : mean.map(formatNumber).join(", ");
    $("latent-values").textContent = `mean of q(z|x) = (${shown})`;
  } else if (encoding.responsibilities) {
    const resp = encoding.responsibilities[0];
    bars(chart, resp, { xLabel: "component k", yLabel: "p(k | x), probability" });
    $("latent-caption").textContent = "Latent code: the responsibilities p(k | x) of the components";
    $("latent-values").textContent = `most likely component: ${encoding.component[0]} (p = ${formatNumber(Math.max(...resp))})`;
  }
}

function showLogLikelihood(scores, ref) {
  const value = scores.log_likelihood[0];
  const values = ref.log_likelihood.values;
  const below = values.filter((v) => v < value).length;
  const percent = Math.round((100 * below) / values.length);
  histogram($("loglik-chart"), ref.log_likelihood.histogram, { value, xLabel: "log p(x), nats per example" });
  const against = ref.source === "test split"
    ? `the ${ref.n} held-out test examples of ${ref.dataset}`
    : `${ref.n} samples of the model (its test data are not available here)`;
  $("loglik-caption").textContent = `Log-likelihood against ${against}`;
  $("loglik-summary").textContent =
    `log p(x) = ${formatNumber(value)} nats (${scores.estimator}), ` +
    `${formatNumber(scores.bits_per_dim[0])} bits per dimension. ` +
    `${percent}% of ${against} score lower; their median is ${formatNumber(ref.log_likelihood.quantiles.p50)}.` +
    (ref.log_likelihood.histogram.clipped_below
      ? ` (${ref.log_likelihood.histogram.clipped_below} far lower ones are drawn in the first bar.)`
      : "");
}

export async function analyseDrawing() {
  if (!state.model || !isImageModel(state.model)) return;
  await busy($("draw-analyse"), errorElement, async () => {
    const row = readDrawing();
    state.drawing = row;
    await analyse(row);
    setStatus($("inspect-status"), dirty ? "Analysed your drawing." : "Analysed an empty canvas.");
  });
}

async function analysePoint() {
  const point = vectorValue($("point-values"));
  await busy($("point-analyse"), errorElement, async () => {
    const numeric = point.length === 2 && point.every((v) => typeof v === "number");
    showPoint(isPointModel(state.model) && numeric ? point : null);
    await analyse(point);
    setStatus($("inspect-status"), `Analysed the point (${point.join(", ")}).`);
  });
}

function onModel(model) {
  $("inspect-results").hidden = true;
  clearLatent();
  $("draw-panel").hidden = !isImageModel(model);
  $("point-panel").hidden = isImageModel(model);
  $("inspect-status").textContent = "";
  errorElement.hidden = true;
  state.drawing = null;
  clearCanvas();
  reference(model).catch(() => {}); // warm the cache while the person draws or types
  if (!isImageModel(model)) fillFromSample(model);
}

// Start a vector model's point field from one of its samples (any number of dimensions).
async function fillFromSample(model) {
  try {
    const answer = await api("/sample", { method: "POST", body: { ...modelRef(), n: 1, seed: 0 } });
    if (state.model === model) $("point-values").value = formatVector(answer.samples[0].flat());
  } catch {
    /* the field keeps its text; analysing it shows the API's error */
  }
}

export function initInspect() {
  clearCanvas();
  canvas.addEventListener("pointerdown", startStroke);
  canvas.addEventListener("pointermove", continueStroke);
  canvas.addEventListener("pointerup", endStroke);
  canvas.addEventListener("pointercancel", endStroke);
  canvas.addEventListener("pointerleave", endStroke);
  $("draw-clear").addEventListener("click", () => {
    clearCanvas();
    $("inspect-results").hidden = true;
    setStatus($("inspect-status"), "Cleared.");
  });
  $("draw-analyse").addEventListener("click", () => analyseDrawing());
  $("draw-from-sample").addEventListener("click", () => busy($("draw-from-sample"), errorElement, useSample));
  $("draw-upload").addEventListener("change", (event) => {
    const [file] = event.target.files;
    if (file) busy($("draw-analyse"), errorElement, () => upload(file));
  });
  $("point-panel").addEventListener("submit", (event) => {
    event.preventDefault();
    analysePoint();
  });
  on("point", (point) => {
    $("point-values").value = formatVector(point);
    analysePoint();
    $("inspect-section").scrollIntoView({ behavior: "smooth", block: "nearest" });
  });
  on("model", onModel);
}
