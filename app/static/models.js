// The model picker: GET /models, GET /models/{name}?version=, and what the chosen model is.

import { api } from "./api.js";
import { formatNumber } from "./charts.js";
import { $, clearError, describeShape, emit, setStatus, showError, state } from "./state.js";

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
  const versions = [...(summary?.versions || [])].sort((a, b) => b - a);
  versionSelect.replaceChildren(
    ...versions.map((v) => option(v, v === summary.version ? `${v} (latest)` : String(v))),
  );
  versionSelect.value = String(version && versions.includes(version) ? version : versions[0]);
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

function renderInfo(model) {
  const info = $("model-info");
  const list = document.createElement("dl");
  const split = model.config?.data?.split || {};
  const hyper = model.config?.hyperparameters || {};
  const rows = [
    ["Kind", model.kind === "vae" ? "Variational auto-encoder (vae)" : "Gaussian mixture (gmm)"],
    ["Data shape", describeShape(model.data_shape)],
    ["Value range", model.value_range ? `[${model.value_range.join(", ")}]` : "unbounded"],
    ["Training data", model.dataset],
    ["Split", split.n_train !== undefined
      ? `${split.n_train} train / ${split.n_test} test (seed ${split.seed}, test fraction ${split.test_fraction})`
      : "not recorded"],
    ["Operations", model.capabilities.join(", ")],
    ["Hyper-parameters", Object.entries(hyper).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join(", ")],
  ];
  for (const [term, description] of rows) {
    const dt = document.createElement("dt");
    dt.textContent = term;
    const dd = document.createElement("dd");
    dd.textContent = description;
    list.append(dt, dd);
  }
  const table = document.createElement("table");
  table.id = "metrics-table";
  const caption = document.createElement("caption");
  caption.textContent = "Held-out metrics";
  table.append(caption);
  const body = document.createElement("tbody");
  for (const [key, value] of Object.entries(model.metrics || {})) {
    const tr = document.createElement("tr");
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = key.replaceAll("_", " ");
    const td = document.createElement("td");
    td.textContent = typeof value === "number" ? formatNumber(value) : String(value);
    tr.append(th, td);
    body.append(tr);
  }
  table.append(body);
  info.replaceChildren(list, table);
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
