// The model picker: GET /models, GET /models/{name}?version=, and what the chosen model is.

import { api } from "./api.js";
import { formatNumber } from "./charts.js";
import { $, busy, clearError, describeShape, emit, setStatus, showError, state } from "./state.js";

const select = $("model-select");
const versionSelect = $("version-select");
const errorElement = $("model-error");

function option(value, text) {
  const node = document.createElement("option");
  node.value = String(value);
  node.textContent = text;
  return node;
}

export async function refreshModels({ name = null, version = null } = {}) {
  clearError(errorElement);
  let listing;
  try {
    listing = await api("/models");
  } catch (error) {
    showError(errorElement, error);
    return;
  }
  state.models = listing.models;
  const chosen = name || select.value || listing.default || listing.models[0]?.name;
  select.replaceChildren(
    ...listing.models.map((m) => option(m.name, `${m.name} (${m.kind}, ${describeShape(m.data_shape)})`)),
  );
  if (!listing.models.length) {
    setStatus($("model-status"), "No models are loaded. Train one below.");
    return;
  }
  select.value = listing.models.some((m) => m.name === chosen) ? chosen : listing.models[0].name;
  fillVersions(version);
  await chooseModel();
}

function fillVersions(version = null) {
  const summary = state.models.find((m) => m.name === select.value);
  const versions = (summary?.versions || [])
    .map((v) => (v && typeof v === "object" ? v.version : v)) // numbers, or entries with a gate
    .sort((a, b) => b - a);
  // The stable version (what requests without a version get) is shown first; a version the
  // gate held back says so, and is shown only when asked for.
  // Without a stable alias no version passed the gate: none is labelled stable.
  const stable = summary?.aliases?.stable;
  const heldBack = new Set((summary?.version_info || []).filter((v) => v.promoted === false).map((v) => v.version));
  const label = (v) => (v === stable ? `${v} (stable)` : heldBack.has(v) ? `${v} (held back)` : String(v));
  versionSelect.replaceChildren(...versions.map((v) => option(v, label(v))));
  const preferred = stable ?? summary?.version;
  const fallback = versions.includes(preferred) ? preferred : versions[0];
  versionSelect.value = String(version && versions.includes(version) ? version : fallback);
}

async function chooseModel() {
  clearError(errorElement);
  const name = select.value;
  const version = Number(versionSelect.value);
  if (state.model?.name === name && state.model?.version === version) return; // already shown
  let detail;
  try {
    detail = await api(`/models/${encodeURIComponent(name)}?version=${version}`);
  } catch (error) {
    showError(errorElement, error);
    return;
  }
  // a later choice may have been made while this one loaded: the newest choice wins
  if (select.value !== name || Number(versionSelect.value) !== version) return;
  state.model = detail;
  renderInfo(state.model);
  setStatus($("model-status"), `Showing ${name}, version ${version}.`);
  emit("model", state.model);
}

// A value for a table cell: numbers rounded, lists summarised, nothing shown as "undefined",
// "NaN" or "[object Object]".
export function describeValue(value) {
  if (value === null || value === undefined) return "—";
  if (typeof value === "number") return Number.isFinite(value) ? formatNumber(value) : "not finite";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === "number") && value.length > 8) {
      const finite = value.filter(Number.isFinite);
      return `${value.length} values, ${formatNumber(Math.min(...finite))} to ${formatNumber(Math.max(...finite))}`;
    }
    return value.map(describeValue).join(", ");
  }
  if (typeof value === "object") {
    return Object.entries(value).map(([k, v]) => `${k.replaceAll("_", " ")} ${describeValue(v)}`).join("; ");
  }
  return String(value);
}

// Nested metrics become one row per innermost object: "sample scores · gmm".
export function flatRows(object, prefix = "") {
  const rows = [];
  for (const [key, value] of Object.entries(object || {})) {
    const name = `${prefix}${key.replaceAll("_", " ")}`;
    const nested = value && typeof value === "object" && !Array.isArray(value);
    const deep = nested && Object.values(value).some((v) => v && typeof v === "object" && !Array.isArray(v));
    if (deep) rows.push(...flatRows(value, `${name} · `));
    else if (nested) rows.push([name, describeValue(value)]); // one row: "frechet distance 2.49; confidence 0.97"
    else if (value !== null && value !== undefined) rows.push([name, describeValue(value)]);
  }
  return rows;
}

const IMPLEMENTATION_DETAILS = new Set(["iw_chunk_size", "chunk_size"]); // memory, not the model

// The hyper-parameters that apply to this model: a conv VAE's channels only when it is one,
// the latent prior only when it has one.
export function hyperRows(kind, hyper) {
  const rows = [];
  for (const [key, value] of Object.entries(hyper || {})) {
    if (IMPLEMENTATION_DETAILS.has(key) || value === null || value === undefined) continue;
    if (key === "channels" && "architecture" in hyper && hyper.architecture !== "conv") continue;
    if (key === "latent_prior") {
      rows.push(["latent prior", `mixture of ${value.n_components} Gaussians, ${value.covariance_type} covariance`]);
      continue;
    }
    rows.push([key.replaceAll("_", " "), describeValue(value)]);
  }
  return rows;
}

function splitText(split) {
  if (split.n_train === undefined) return "not recorded";
  const how = split.published_test_split
    ? "the data set's published test split"
    : [split.test_fraction !== undefined ? `test fraction ${split.test_fraction}` : null,
      split.seed !== undefined ? `seed ${split.seed}` : null].filter(Boolean).join(", ");
  return `${split.n_train} train / ${split.n_test} test${how ? ` (${how})` : ""}`;
}

function table(id, captionText, rows) {
  const node = document.createElement("table");
  node.id = id;
  const caption = document.createElement("caption");
  caption.textContent = captionText;
  const body = document.createElement("tbody");
  for (const [name, value] of rows) {
    const tr = document.createElement("tr");
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = name;
    const td = document.createElement("td");
    td.textContent = value;
    tr.append(th, td);
    body.append(tr);
  }
  node.append(caption, body);
  return node;
}

// The training gate's verdict for the shown version, where the API gives one.
function gateOf(model) {
  if (model.gate) return model.gate;
  if (model.config?.gate) return model.config.gate;
  const entry = (model.versions || []).find((v) => v && typeof v === "object" && v.version === model.version);
  return entry?.gate || null;
}

function renderGate(model) {
  const box = document.createElement("div");
  box.id = "gate-info";
  const gate = gateOf(model);
  const aliases = model.aliases || null;
  if (!gate && !aliases) {
    box.hidden = true;
    return box;
  }
  if (gate) {
    const verdict = document.createElement("p");
    verdict.className = gate.passed ? "gate passed" : "gate failed";
    const reasons = (gate.reasons || []).join("; ");
    verdict.textContent = `Training gate: ${gate.passed ? "passed" : "not passed"}` +
      (gate.policy ? ` (policy ${gate.policy})` : "") + (reasons ? `: ${reasons}` : ".");
    box.append(verdict);
  }
  if (aliases) {
    const names = Object.entries(aliases).map(([alias, version]) => `${alias} → ${version}`).join(", ");
    const line = document.createElement("p");
    line.id = "alias-info";
    line.textContent = names ? `Aliases: ${names}.` : "No aliases.";
    box.append(line);
    if (aliases.stable !== model.version) {
      const button = document.createElement("button");
      button.type = "button";
      button.id = "promote-button";
      button.textContent = `Make version ${model.version} stable`;
      button.addEventListener("click", () => busy(button, errorElement, async () => {
        await api(`/models/${encodeURIComponent(model.name)}/aliases/stable`, {
          method: "PUT", body: { version: model.version },
        });
        state.model = null; // reload the card with its new aliases
        await refreshModels({ name: model.name, version: model.version });
      }));
      box.append(button);
    }
  }
  return box;
}

function renderInfo(model) {
  const info = $("model-info");
  const list = document.createElement("dl");
  const split = model.config?.data?.split || {};
  const rows = [
    ["Kind", `${model.kind_title} (${model.kind})`],
    ["Data shape", describeShape(model.data_shape)],
    ["Value range", model.value_range ? `[${model.value_range.join(", ")}]` : "unbounded"],
    ["Training data", model.dataset || "not recorded"],
    ["Split", splitText(split)],
    ["Operations", model.capabilities.join(", ")],
  ];
  const classes = model.config?.data?.classes;
  if (Array.isArray(classes) && classes.length) {  // labelled training data (the model card)
    const shown = classes.length > 12 ? `${classes.slice(0, 12).join(", ")}, … (${classes.length})` : classes.join(", ");
    rows.splice(4, 0, ["Classes", shown]);
  }
  for (const [term, description] of rows) {
    const dt = document.createElement("dt");
    dt.textContent = term;
    const dd = document.createElement("dd");
    dd.textContent = description;
    list.append(dt, dd);
  }
  const hyper = table("hyper-table", "Hyper-parameters", hyperRows(model.kind, model.config?.hyperparameters));
  const metrics = table("metrics-table", "Held-out metrics", flatRows(model.metrics));
  info.replaceChildren(list, renderGate(model), hyper, metrics);
}

export function initModels() {
  select.addEventListener("change", () => {
    fillVersions();
    chooseModel();
  });
  versionSelect.addEventListener("change", () => chooseModel());
  $("refresh-models").addEventListener("click", () => refreshModels());
  $("model-form").addEventListener("submit", (event) => event.preventDefault());
}
