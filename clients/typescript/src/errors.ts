// One error class for every answer the server refused, in the API's one error shape.

import type { components } from "./generated/schema.js";

/** One entry of the API's error body: `{type, message, field, rule}`. */
export type ErrorDetail = components["schemas"]["ErrorDetail"];

/**
 * The server answered 4xx or 5xx. `field` names the request field at fault (`"n"`,
 * `"inputs[0]"`, `"file"`), `rule` the rule it broke (`"less_than_equal"`, `"max_samples"`),
 * `errors` every failing field. Network failures and aborts are not wrapped: they reject with
 * fetch's own `TypeError` and the signal's `AbortError`.
 */
export class GenserveError extends Error {
  override readonly name = "GenserveError";
  readonly status: number;
  readonly type: string;
  readonly field: string | null;
  readonly rule: string | null;
  readonly errors: readonly ErrorDetail[];
  readonly body: unknown;

  constructor(status: number, body: unknown, text = "") {
    const error = errorDetail(body);
    super(error?.message ?? (text.slice(0, 500) || `HTTP ${status}`));
    this.status = status;
    this.type = error?.type ?? "http_error";
    this.field = error?.field ?? null;
    this.rule = error?.rule ?? null;
    this.errors = isRecord(body) && Array.isArray(body.errors) ? body.errors.filter(isDetail) : [];
    this.body = body;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function isDetail(value: unknown): value is ErrorDetail {
  return isRecord(value) && typeof value.message === "string";
}

function errorDetail(body: unknown): ErrorDetail | undefined {
  if (!isRecord(body) || !isDetail(body.error)) return undefined;
  const e = body.error as Partial<ErrorDetail> & { message: string };
  return {
    type: typeof e.type === "string" ? e.type : "http_error",
    message: e.message,
    field: typeof e.field === "string" ? e.field : null,
    rule: typeof e.rule === "string" ? e.rule : null,
  };
}

/** The error of a refused answer whose body was already read as text. */
export function errorFromText(status: number, text: string): GenserveError {
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  return new GenserveError(status, body, text);
}
