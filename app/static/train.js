// Training jobs: submit one from the form, follow its loss curve over server-sent events,
// cancel it, and select the new version once the server serves it.

import { ApiError, api, events, getApiKey, setApiKey } from "./api.js";
import { formatNumber, lineChart } from "./charts.js";
import { kindLabel, loadKinds } from "./kinds.js";
import { refreshModels } from "./models.js";
import { $, clearError, fieldValue, setStatus, showError } from "./state.js";

const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);
const errorElement = $("train-error");
const statusElement = $("train-status");
let following = null; // {id, controller, points}

let kindsByName = new Map(); // GET /kinds, once it has answered

// The row of fields of a kind: its own (train-<kind>-fields) or one built from its schema.
function kindFields(kind) {
  return document.getElementById(`train-${kind}-fields`) ?? $("train-other-fields");
}

function params(kind) {
  const chosen = {};
  for (const input of kindFields(kind).querySelectorAll("[data-param]")) {
    const value = input.tagName === "SELECT" ? input.value || null : fieldValue(input);
    if (value !== null) chosen[input.dataset.param] = value;
  }
  const extra = $("train-extra").value.trim();
  if (!extra) return chosen;
  let parsed;
  try {
    parsed = JSON.parse(extra);
  } catch (error) {
    throw new Error(`“More parameters” is not valid JSON: ${error.message}`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new Error("“More parameters” must be a JSON object, such as {\"seed\": 1}.");
  }
  return { ...chosen, ...parsed };
}

function jobsUnavailable(error) {
  if (error instanceof ApiError && error.status === 404 && !error.field) {
    return new Error("Training jobs are not available on this server (it has no /jobs endpoint).");
  }
  return error;
}

async function submit(event) {
  event.preventDefault();
  clearError(errorElement);
  setApiKey($("api-key").value.trim());
  const button = $("train-button");
  const kind = $("train-kind").value;
  let body;
  try {
    body = { kind, name: $("train-name").value.trim(), dataset: $("train-dataset").value.trim(), params: params(kind) };
  } catch (error) {
    showError(errorElement, error);
    return;
  }
  button.disabled = true;
  try {
    const job = await api("/jobs", { method: "POST", body });
    follow(job);
  } catch (error) {
    showError(errorElement, jobsUnavailable(error));
  } finally {
    button.disabled = false;
  }
}

function drawCurve() {
  const points = following.points;
  const series = [{ name: "training loss", points: points.map((p) => [p.step, p.train_loss]) }];
  if (points.some((p) => p.test_elbo !== undefined)) {
    series.push({ name: "held-out −ELBO", points: points.filter((p) => p.test_elbo !== undefined).map((p) => [p.step, -p.test_elbo]) });
  }
  const xLabel = points.some((p) => p.epoch !== undefined) ? "epoch" : "iteration";
  lineChart($("loss-chart"), series, { xLabel, yLabel: "loss (nats)" });
  $("loss-chart").setAttribute("aria-label", `Training curve: ${points.length} points`);
  $("loss-chart").dataset.points = String(points.length);
  const last = points[points.length - 1];
  const parts = [];
  if (following.requeued) parts.push(following.requeued);
  if (last) {
    parts.push(...Object.entries(last)
      .filter(([key]) => !["id", "progress", "phase"].includes(key))
      .map(([key, value]) => `${key.replaceAll("_", " ")} ${typeof value === "number" ? formatNumber(value) : value}`));
  }
  const evaluating = following.evaluating;
  if (evaluating) {
    parts.push(following.ended
      ? "evaluated on held-out data"
      : `evaluating on held-out data (elapsed ${formatNumber(evaluating.elapsed_s ?? 0)} s)`);
  }
  $("job-latest").textContent = parts.join(" · ");
}

function showProgress(progress) {
  $("job-progress").value = progress;
  $("job-progress-text").textContent = `${Math.round(progress * 100)}%`;
}

function showStatus(job) {
  const parts = [`Job ${job.id.slice(0, 8)} (${job.kind} “${job.name}” on ${job.dataset?.name ?? "?"}): ${job.status}`];
  if (job.cancel_requested && !TERMINAL.has(job.status)) parts.push("cancelling at the next step");
  if (job.error) parts.push(job.error);
  if (job.result?.gate) {
    const reasons = (job.result.gate.reasons || []).join("; ");
    parts.push(`training gate ${job.result.gate.passed ? "passed" : "not passed"}${reasons ? ` (${reasons})` : ""}`);
  }
  if (job.result?.promoted !== undefined) parts.push(job.result.promoted ? "promoted to stable" : "not promoted");
  setStatus(statusElement, `${parts.join(" — ")}.`);
  $("job-view").dataset.status = job.status;
  $("train-cancel").disabled = TERMINAL.has(job.status);
  if (job.progress !== undefined) showProgress(job.progress);
}

async function follow(job) {
  following?.controller.abort();
  const controller = new AbortController();
  following = { id: job.id, kind: job.kind, controller, points: [] };
  const mine = following;
  $("job-view").hidden = false;
  $("loss-chart").replaceChildren();
  $("job-latest").textContent = "";
  showStatus(job);
  let last = job;
  try {
    for await (const message of events(`/jobs/${job.id}/events`, { signal: controller.signal })) {
      if (following !== mine) return;
      if (message.event === "progress") {
        showProgress(message.data.progress ?? 0);
        if (message.data.phase === "evaluating") mine.evaluating = message.data;
        else mine.points.push(message.data);
        drawCurve();
      } else if (message.event === "requeued") {
        // the next attempt trains again from its resume epoch (the first, without a checkpoint)
        mine.requeued = message.data.message;
        const resume = message.data.resume_epoch ?? 1;
        mine.points = mine.points.filter((p) => !(p.epoch >= resume));
        drawCurve();
      } else if (message.event === "status") {
        last = message.data;
        showStatus(last);
        if (TERMINAL.has(last.status)) {
          mine.ended = true;
          drawCurve();
          break;
        }
      }
    }
  } catch (error) {
    if (error.name === "AbortError") return;
    showError(errorElement, error);
  }
  if (following !== mine) return;
  last = await poll(job.id, controller.signal, last);
  if (TERMINAL.has(last?.status) && !mine.ended) {
    mine.ended = true;
    drawCurve();
  }
  refreshJobs();
  if (last?.status === "succeeded" && last.result) await announce(last.result);
}

// Falls back to polling GET /jobs/{id} when the event stream ended before the job did.
async function poll(id, signal, last) {
  while (!TERMINAL.has(last?.status) && !signal.aborted) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    try {
      last = await api(`/jobs/${id}`, { signal });
      showStatus(last);
    } catch (error) {
      if (error.name !== "AbortError") showError(errorElement, error);
      return last;
    }
  }
  return last;
}

// The worker published a version; wait until this server loads it, then select it.
async function announce({ model, version, promoted }) {
  const verdict = promoted === undefined ? "" : promoted ? " It was promoted to stable." : " It was not promoted.";
  for (let attempt = 0; attempt < 40; attempt += 1) {
    try {
      const detail = await api(`/models/${encodeURIComponent(model)}`);
      if (detail.versions.includes(version)) {
        await refreshModels({ name: model, version });
        setStatus(statusElement, `Done: version ${version} of “${model}” is ready and selected above.${verdict}`);
        return;
      }
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  setStatus(statusElement, `Done: version ${version} of “${model}” was published; refresh the model list in a moment.`);
}

async function cancel() {
  if (!following) return;
  clearError(errorElement);
  $("train-cancel").disabled = true;
  try {
    const job = await api(`/jobs/${following.id}`, { method: "DELETE" });
    showStatus(job);
  } catch (error) {
    showError(errorElement, error);
    $("train-cancel").disabled = false;
  }
}

// "3.2 s", "4 min 10 s", "2 h 5 min"
export function formatDuration(seconds) {
  if (!Number.isFinite(seconds)) return "—";
  if (seconds < 60) return `${formatNumber(seconds)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}

function startedText(iso) {
  if (!iso) return "not started";
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return "—";
  const sameDay = when.toDateString() === new Date().toDateString();
  return sameDay ? when.toLocaleTimeString() : when.toLocaleString();
}

// What the job ended with: the held-out log-likelihood of a finished one, else its latest step.
export function finalMetric(job) {
  const metrics = job.result?.metrics;
  if (metrics && Number.isFinite(metrics.test_log_likelihood)) {
    let text = `test log-lik. ${formatNumber(metrics.test_log_likelihood)} nats`;
    if (job.result.promoted !== undefined) text += job.result.promoted ? ", promoted" : ", not promoted";
    return text;
  }
  const last = job.last_metrics;
  if (last && Number.isFinite(last.train_loss)) return `train loss ${formatNumber(last.train_loss)}`;
  return job.error ? job.error.slice(0, 80) : "—";
}

const JOB_COLUMNS = 6;

export async function refreshJobs() {
  const body = $("jobs-table").querySelector("tbody");
  const note = (text) => body.replaceChildren(row([text, ...Array(JOB_COLUMNS - 1).fill("")]));
  if (!getApiKey()) {
    note("Enter the API key to see jobs.");
    return;
  }
  try {
    const listing = await api("/jobs?limit=10", {});
    body.replaceChildren(...listing.jobs.map((job) => {
      const tr = row([
        `${job.name} (${job.kind})`, job.status, startedText(job.started_at),
        formatDuration(job.elapsed_s), finalMetric(job), job.id.slice(0, 8),
      ]);
      tr.title = `job ${job.id}, ${Math.round(job.progress * 100)}%`;
      if (!TERMINAL.has(job.status)) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = "Follow";
        button.addEventListener("click", () => follow(job));
        tr.lastChild.append(" ", button);
      }
      return tr;
    }));
    if (!listing.jobs.length) note("No jobs yet.");
  } catch (error) {
    note(jobsUnavailable(error).message);
  }
}

function row(cells) {
  const tr = document.createElement("tr");
  for (const text of cells) {
    const td = document.createElement("td");
    td.textContent = text;
    tr.append(td);
  }
  return tr;
}

async function refreshDatasets() {
  if (!getApiKey()) return;
  try {
    const listing = await api("/datasets", {});
    $("dataset-options").replaceChildren(...listing.datasets.map((d) => {
      const option = document.createElement("option");
      option.value = d.name;
      option.label = `${d.name} (${d.n} × ${d.shape.join("×")})`;
      return option;
    }));
  } catch {
    /* keep the built-in names */
  }
}

// Inputs for a kind without a row of its own: its hyper-parameters' simple fields (numbers and
// choices), each sent under its own name when filled.
function buildFields(row, kind) {
  row.replaceChildren();
  const schema = kindsByName.get(kind)?.hyperparameters ?? {};
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    const types = [field, ...(field.anyOf ?? [])];
    const choices = types.find((t) => Array.isArray(t.enum))?.enum;
    const numeric = types.some((t) => t.type === "integer" || t.type === "number");
    if (!choices && !numeric) continue;
    const label = document.createElement("label");
    label.append(`${field.title ?? name} `);
    let input;
    if (choices) {
      input = document.createElement("select");
      input.append(new Option("(default)", ""), ...choices.map((c) => new Option(String(c), String(c))));
    } else {
      input = document.createElement("input");
      input.type = "number";
      input.step = "any";
      input.placeholder = field.default === undefined || field.default === null ? "default" : `${field.default} (default)`;
    }
    input.dataset.param = name;
    if (field.description) label.title = field.description;
    label.append(input);
    row.append(label);
  }
  row.dataset.kind = kind;
}

function showKindFields() {
  const kind = $("train-kind").value;
  const row = kindFields(kind);
  if (row.id === "train-other-fields" && row.dataset.kind !== kind) buildFields(row, kind);
  for (const fields of $("train-form").querySelectorAll('.row[id$="-fields"]')) fields.hidden = fields !== row;
}

// The kind picker lists what the server registers (its built-in options until it answers).
async function refreshKinds() {
  try {
    const kinds = await loadKinds();
    kindsByName = new Map(kinds.map((k) => [k.kind, k]));
    const select = $("train-kind");
    const chosen = select.value;
    select.replaceChildren(...kinds.map((k) => new Option(kindLabel(k.kind), k.kind)));
    if (kindsByName.has(chosen)) select.value = chosen;
    showKindFields();
  } catch {
    /* keep the built-in kinds */
  }
}

export function initTrain() {
  const key = $("api-key");
  key.value = getApiKey();
  key.addEventListener("change", () => {
    setApiKey(key.value.trim());
    refreshJobs();
    refreshDatasets();
  });
  $("train-kind").addEventListener("change", showKindFields);
  $("train-form").addEventListener("submit", submit);
  $("train-cancel").addEventListener("click", cancel);
  $("jobs-list-panel").addEventListener("toggle", () => refreshJobs());
  showKindFields();
  refreshKinds();
  refreshDatasets();
}
