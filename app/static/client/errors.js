// One error class for every answer the server refused, in the API's one error shape.
/**
 * The server answered 4xx or 5xx. `field` names the request field at fault (`"n"`,
 * `"inputs[0]"`, `"file"`), `rule` the rule it broke (`"less_than_equal"`, `"max_samples"`),
 * `errors` every failing field. Network failures and aborts are not wrapped: they reject with
 * fetch's own `TypeError` and the signal's `AbortError`.
 */
export class GenserveError extends Error {
    name = "GenserveError";
    status;
    type;
    field;
    rule;
    errors;
    body;
    constructor(status, body, text = "") {
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
function isRecord(value) {
    return typeof value === "object" && value !== null;
}
function isDetail(value) {
    return isRecord(value) && typeof value.message === "string";
}
function errorDetail(body) {
    if (!isRecord(body) || !isDetail(body.error))
        return undefined;
    const e = body.error;
    return {
        type: typeof e.type === "string" ? e.type : "http_error",
        message: e.message,
        field: typeof e.field === "string" ? e.field : null,
        rule: typeof e.rule === "string" ? e.rule : null,
    };
}
/** The error of a refused answer whose body was already read as text. */
export function errorFromText(status, text) {
    let body = null;
    try {
        body = text ? JSON.parse(text) : null;
    }
    catch {
        body = null;
    }
    return new GenserveError(status, body, text);
}
