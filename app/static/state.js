// State shared by the page's sections, and small DOM helpers.

export const $ = (id) => document.getElementById(id);

// The chosen model: its summary from GET /models and its detail from GET /models/{name}.
export const state = {
  models: [],
  model: null, // ModelDetail of the chosen name and version
  references: new Map(), // "name/version/k" -> reference distribution
  drawing: null, // the last drawn input, as a flat array in the model's value range
};

export const changes = new EventTarget();

export function emit(name, detail) {
  changes.dispatchEvent(new CustomEvent(name, { detail }));
}

export function on(name, handler) {
  changes.addEventListener(name, (event) => handler(event.detail));
}

export function showError(element, error) {
  element.textContent = error?.message || String(error);
  element.hidden = false;
}

export function clearError(element) {
  element.textContent = "";
  element.hidden = true;
}

export function setStatus(element, text) {
  element.textContent = text;
}

// A number when the field holds one; otherwise the raw text, so the API names the problem.
export function fieldValue(input) {
  const raw = input.value.trim();
  if (raw === "") return null;
  const number = Number(raw);
  return Number.isFinite(number) ? number : raw;
}

// "0.5, 1 2" -> [0.5, 1, 2]; a token that is not a number stays text, so the API names it.
export function vectorValue(input) {
  return input.value
    .split(/[\s,;]+/)
    .filter(Boolean)
    .map((token) => (Number.isFinite(Number(token)) ? Number(token) : token));
}

// One example as text, whatever its shape ([D], [H, W], [C, H, W]...): every number in order, so a
// nested example never shows as "NaN".
export function formatVector(values) {
  return values.flat(Infinity).map((v) => Number(Number(v).toPrecision(4))).join(", ");
}

export function isImageModel(model) {
  return Boolean(model && model.data_shape.length === 2 && model.value_range);
}

export function isPointModel(model) {
  return Boolean(model && model.data_shape.length === 1 && model.data_shape[0] === 2);
}

export function modelRef() {
  return { model: state.model.name, version: state.model.version };
}

export function pngSrc(base64) {
  return `data:image/png;base64,${base64}`;
}

// Run `work` with the button disabled and errors shown in `errorElement`.
export async function busy(button, errorElement, work) {
  clearError(errorElement);
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    return await work();
  } catch (error) {
    if (error.name !== "AbortError") showError(errorElement, error);
    return undefined;
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

export function describeShape(shape) {
  return shape.join(" × ");
}

// Render a flat row of an image model onto a small canvas, value range mapped to grey levels.
export function drawPixels(canvas, row, shape, range) {
  const [height, width] = shape;
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext("2d");
  const image = context.createImageData(width, height);
  const [low, high] = range;
  row.forEach((value, i) => {
    const grey = Math.round(Math.max(0, Math.min(1, (value - low) / (high - low))) * 255);
    image.data.set([grey, grey, grey, 255], i * 4);
  });
  context.putImageData(image, 0, 0);
}
