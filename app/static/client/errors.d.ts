import type { components } from "./generated/schema.js";
/** One entry of the API's error body: `{type, message, field, rule}`. */
export type ErrorDetail = components["schemas"]["ErrorDetail"];
/**
 * The server answered 4xx or 5xx. `field` names the request field at fault (`"n"`,
 * `"inputs[0]"`, `"file"`), `rule` the rule it broke (`"less_than_equal"`, `"max_samples"`),
 * `errors` every failing field. Network failures and aborts are not wrapped: they reject with
 * fetch's own `TypeError` and the signal's `AbortError`.
 */
export declare class GenserveError extends Error {
    readonly name = "GenserveError";
    readonly status: number;
    readonly type: string;
    readonly field: string | null;
    readonly rule: string | null;
    readonly errors: readonly ErrorDetail[];
    readonly body: unknown;
    constructor(status: number, body: unknown, text?: string);
}
/** The error of a refused answer whose body was already read as text. */
export declare function errorFromText(status: number, text: string): GenserveError;
