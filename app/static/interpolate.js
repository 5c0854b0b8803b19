// Interpolate between two inputs: a strip of every step and a slider to walk along the path.

import { api } from "./api.js";
import { formatNumber } from "./charts.js";
import { showPath } from "./sample.js";
import {
  $, busy, fieldValue, formatVector, isImageModel, modelRef, on, pngSrc, setStatus, state,
  vectorValue,
} from "./state.js";

const strip = $("interp-strip");
const slider = $("interp-slider");
const errorElement = $("interp-error");
let current = null; // {t, images | path, details}

class InputProblem extends Error {}

async function sampleRow(seed) {
  const answer = await api("/sample", { method: "POST", body: { ...modelRef(), n: 1, seed } });
  return answer.samples[0].flat();
}

async function endpoints() {
  if (!isImageModel(state.model)) {
    return [vectorValue($("interp-a-values")), vectorValue($("interp-b-values"))];
  }
  let start;
  if ($("interp-a-source").value === "drawing") {
    if (!state.drawing) throw new InputProblem("Draw or upload something in “Inspect an input” first, or start from a seed.");
    start = state.drawing;
  } else {
    start = await sampleRow(fieldValue($("interp-a-seed")));
  }
  return [start, await sampleRow(fieldValue($("interp-b-seed")))];
}

async function interpolate() {
  const model = state.model;
  const image = isImageModel(model);
  const inputs = await endpoints();
  const answer = await api("/interpolate", {
    method: "POST",
    body: {
      ...modelRef(), inputs, steps: fieldValue($("interp-steps")), method: $("interp-method").value,
      format: image ? "png" : "array",
    },
  });
  if (state.model !== model) return;
  current = answer;
  const count = answer.t.length;
  strip.replaceChildren(
    ...answer.t.map((t, i) => {
      const item = document.createElement("li");
      const label = `Step ${i + 1} of ${count}, t = ${formatNumber(t)}`;
      if (image) {
        const img = document.createElement("img");
        img.src = pngSrc(answer.images[i]);
        img.alt = label;
        img.className = "pixel-art";
        item.append(img);
      } else {
        const logp = answer.details.log_likelihood?.[i];
        item.textContent = `(${answer.path[i].map(formatNumber).join(", ")})` +
          (logp === undefined ? "" : ` log p = ${formatNumber(logp)}`);
        item.title = label;
      }
      item.dataset.step = String(i);
      return item;
    }),
  );
  slider.max = String(count - 1);
  slider.value = "0";
  $("interp-results").hidden = false;
  showStep(0);
  setStatus($("interp-status"), `${count} steps from start to end (${$("interp-method").value}).`);
}

function showStep(i) {
  if (!current) return;
  const count = current.t.length;
  $("interp-slider-value").textContent = `${i + 1} of ${count} (t = ${formatNumber(current.t[i])})`;
  slider.setAttribute("aria-valuetext", `step ${i + 1} of ${count}`);
  for (const item of strip.children) item.classList.toggle("current", item.dataset.step === String(i));
  const large = $("interp-large");
  if (current.images) {
    large.hidden = false;
    large.src = pngSrc(current.images[i]);
    large.alt = `Step ${i + 1} of ${count}`;
    $("interp-large-values").textContent = "";
  } else {
    large.hidden = true;
    const logp = current.details.log_likelihood?.[i];
    $("interp-large-values").textContent =
      `x = (${current.path[i].map(formatNumber).join(", ")})` +
      (logp === undefined ? "" : `, log p(x) = ${formatNumber(logp)}`);
    showPath(current.path, i);
  }
}

function onModel(model) {
  current = null;
  strip.replaceChildren();
  $("interp-results").hidden = true;
  errorElement.hidden = true;
  setStatus($("interp-status"), "");
  const image = isImageModel(model);
  $("interp-image-ends").hidden = !image;
  $("interp-point-ends").hidden = image;
  if (!image) fillEnds(model);
  const methods = model.interpolation_methods || ["linear"];
  $("interp-method").replaceChildren(
    ...methods.map((m) => {
      const option = document.createElement("option");
      option.value = m;
      option.textContent = m === "slerp" ? "slerp (spherical)" : m;
      return option;
    }),
  );
}

// A vector model's path runs between two of its samples until the person types others.
async function fillEnds(model) {
  try {
    const answer = await api("/sample", { method: "POST", body: { ...modelRef(), n: 2, seed: 1 } });
    if (state.model !== model) return;
    $("interp-a-values").value = formatVector(answer.samples[0].flat());
    $("interp-b-values").value = formatVector(answer.samples[1].flat());
  } catch {
    /* keep the fields' text */
  }
}

export function initInterpolate() {
  $("interpolate-form").addEventListener("submit", (event) => {
    event.preventDefault();
    busy($("interp-button"), errorElement, interpolate);
  });
  slider.addEventListener("input", () => showStep(Number(slider.value)));
  on("model", onModel);
}
