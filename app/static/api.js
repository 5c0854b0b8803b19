// Talking to genserve: JSON requests, errors in plain words, the API key, server-sent events.
// The error class and the event-stream reader are genserve-client's own (clients/typescript,
// built into ./client/ by `npm run build:page`), so the page and front-end apps parse the API
// the same way.

import { GenserveError, readEvents } from "./client/index.js";

const KEY_STORAGE = "genserve.apiKey";

// GenserveError (status, type, field, rule, errors), with the message in plain words.
export class ApiError extends GenserveError {
  constructor(status, body, message) {
    super(status, body);
    this.name = "ApiError";
    this.message = message;
  }
}

export function getApiKey() {
  try {
    return localStorage.getItem(KEY_STORAGE) || "";
  } catch {
    return "";
  }
}

export function setApiKey(key) {
  try {
    if (key) localStorage.setItem(KEY_STORAGE, key);
    else localStorage.removeItem(KEY_STORAGE);
  } catch {
    /* storage may be disabled; the key then lives in the field only */
  }
}

// The API's error JSON is {"error": {"type", "message", "field", "rule"}, "errors": [...]}:
// show its message, and every further field's message when there are several.
export function plainMessage(status, body, text) {
  const error = body?.error;
  if (error?.message) {
    const others = (body.errors || [])
      .map((e) => e.message)
      .filter((m) => m && m !== error.message);
    let message = [error.message, ...others].join("; ");
    if (status === 401) message += ". Enter the API key in the training form.";
    return message;
  }
  if (status === 0) return "Could not reach the server. Is it running?";
  if (status >= 500) return `The server failed (HTTP ${status}). Try again, or check its logs.`;
  return text ? `HTTP ${status}: ${text.slice(0, 200)}` : `HTTP ${status}`;
}

// The key goes with every request when there is one: jobs and datasets need it, and so does
// inference when the server sets GENSERVE_PROTECT_INFERENCE.
export async function api(path, options = {}) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await request(path, options);
    } catch (error) {
      const wait = retryAfter(error);
      if (wait === null || attempt >= BUSY_ATTEMPTS) throw error;
      await sleep(wait * 1000, options.signal);
    }
  }
}

// A 429 (the server's admission control is busy) is retried after its Retry-After, as a
// polite client does, a few times and only for short waits; anything else is the caller's.
const BUSY_ATTEMPTS = 4;
const BUSY_MAX_WAIT_S = 30;

function retryAfter(error) {
  if (!(error instanceof ApiError) || error.status !== 429) return null;
  const seconds = Number(error.retryAfter ?? 1);
  return Number.isFinite(seconds) && seconds <= BUSY_MAX_WAIT_S ? Math.max(seconds, 0.2) : null;
}

function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(new DOMException("aborted", "AbortError"));
    }, { once: true });
  });
}

async function request(path, { method = "GET", body, signal } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const key = getApiKey();
  if (key) headers.Authorization = `Bearer ${key}`;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, null, plainMessage(0, null, ""));
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const error = new ApiError(response.status, data, plainMessage(response.status, data, text));
    error.retryAfter = response.headers.get("Retry-After");
    throw error;
  }
  return data;
}

// Server-sent events over fetch (EventSource cannot send an Authorization header).
// Yields {event, data, id} with data parsed as JSON when it is JSON.
export async function* events(path, { signal } = {}) {
  const headers = { Accept: "text/event-stream" };
  if (getApiKey()) headers.Authorization = `Bearer ${getApiKey()}`;
  let response;
  try {
    response = await fetch(path, { headers, signal, cache: "no-store" });
  } catch (error) {
    if (error.name === "AbortError") return;
    throw new ApiError(0, null, plainMessage(0, null, ""));
  }
  if (!response.ok) {
    const text = await response.text();
    let data = null;
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
    throw new ApiError(response.status, data, plainMessage(response.status, data, text));
  }
  try {
    yield* readEvents(response.body, signal);
  } catch (error) {
    if (error.name !== "AbortError") throw error;
  }
}
