// GenserveClient: one method per genserve operation, on openapi-fetch typed by the generated
// schema; typed arrays, Blobs and an async iterator where JSON alone would not say enough.
import createClient from "./vendor/openapi-fetch.js";
import { fromBase64Float32, fromBase64Uint8, fromNested, fromNpy, toRows, } from "./arrays.js";
import { GenserveError } from "./errors.js";
import { readEvents } from "./events.js";
import { blobBase64, pngBlob } from "./images.js";
/** Whether a job's status is final. */
export function isFinished(status) {
    return status === "succeeded" || status === "failed" || status === "cancelled";
}
function sleep(ms, signal) {
    return new Promise((resolve, reject) => {
        if (signal?.aborted)
            return reject(signal.reason);
        const timer = setTimeout(() => {
            signal?.removeEventListener("abort", stop);
            resolve();
        }, ms);
        const stop = () => {
            clearTimeout(timer);
            reject(signal?.reason);
        };
        signal?.addEventListener("abort", stop, { once: true });
    });
}
/** The numbers of a JSON answer in whichever packed format it came. */
function unpack(value, shape, dtype) {
    if (typeof value === "string") {
        return dtype === "uint8" ? fromBase64Uint8(value, shape) : fromBase64Float32(value, shape);
    }
    if (!Array.isArray(value))
        throw new TypeError("the answer carries no numbers");
    return fromNested(value, shape);
}
async function inputsBody(x) {
    if ("images" in x) {
        const images = await Promise.all(x.images.map((i) => (typeof i === "string" ? i : blobBase64(i))));
        return { images };
    }
    if ("data" in x && "shape" in x)
        return { inputs: toRows(x) };
    return { inputs: [...x] };
}
async function endsBody(a, b) {
    if (a instanceof Blob && b instanceof Blob) {
        return { images: [await blobBase64(a), await blobBase64(b)] };
    }
    if (a instanceof Blob || b instanceof Blob) {
        throw new TypeError("give both ends as images, or both as numbers");
    }
    const row = (x) => "data" in x && "shape" in x ? Array.from(x.data) : x;
    return { inputs: [row(a), row(b)] };
}
async function unwrap(call) {
    const { data, error, response } = await call;
    if (!response.ok) {
        // openapi-fetch hands over the body parsed as JSON, or as text when it is not JSON
        const text = typeof error === "string" ? error : "";
        throw new GenserveError(response.status, text ? null : (error ?? null), text);
    }
    return data;
}
/**
 * A genserve server. Every method rejects with {@link GenserveError} when the server refuses,
 * naming the `field` and the `rule`. `raw` is the underlying openapi-fetch client, typed by the
 * generated schema, for anything not wrapped here.
 */
export class GenserveClient {
    raw;
    options;
    constructor(options = {}) {
        this.options = options;
        const headers = { Accept: "application/json", ...options.headers };
        if (options.apiKey)
            headers.Authorization = `Bearer ${options.apiKey}`;
        const { signal } = options;
        this.raw = createClient({
            baseUrl: options.baseUrl ?? "",
            headers,
            // The signal goes to fetch itself, beside the request's own (a per-call one).
            fetch: (request) => {
                const fetch = options.fetch ?? globalThis.fetch;
                if (!signal)
                    return fetch(request);
                return fetch(request, { signal: AbortSignal.any([signal, request.signal]) });
            },
        });
    }
    /**
     * This client with every request tied to `signal`: aborting it rejects what is in flight,
     * e.g. `gs.withSignal(controller.signal).sample(...)` for an answer the page no longer needs.
     */
    withSignal(signal) {
        return new GenserveClient({ ...this.options, signal });
    }
    // -- service --------------------------------------------------------------------------------
    /** True when the process answers. */
    async health() {
        const body = await unwrap(this.raw.GET("/health"));
        return body.status === "ok";
    }
    /** Readiness, answered 200 or 503: `ready`, `device`, loaded `models`, `failed` ones. */
    async ready() {
        const { data, error, response } = await this.raw.GET("/ready");
        if (response.status === 503 && error)
            return error;
        if (!response.ok)
            return unwrap(Promise.resolve({ error, response }));
        return data;
    }
    /** Every served model at its latest version; the default one has `default: true`. */
    async models() {
        // openapi-fetch's response types widen tuples to arrays: value_range is [low, high]
        return (await unwrap(this.raw.GET("/models"))).models;
    }
    /** One model with its whole `config`; `version` is a number or an alias ("stable"); omitted,
     * the stable version. */
    async model(name, version) {
        const answer = await unwrap(this.raw.GET("/models/{name}", {
            params: { path: { name }, query: version === undefined ? {} : { version } },
        }));
        return answer;
    }
    /** `/metrics` in the Prometheus text format. */
    async metrics() {
        const call = this.raw.GET("/metrics", { parseAs: "text", headers: { Accept: "text/plain" } });
        return unwrap(call);
    }
    async sample(options = {}) {
        const body = { ...options, format: options.format ?? "base64" };
        if (body.format === "npy")
            return this.npy("/sample", body);
        const answer = await unwrap(this.raw.POST("/sample", { body }));
        return {
            model: answer.model,
            version: answer.version,
            seed: answer.seed,
            samples: unpack(answer.samples, answer.shape, answer.dtype),
        };
    }
    /** Samples of an image model, one PNG Blob each. */
    async sampleImages(options = {}) {
        const answer = await unwrap(this.raw.POST("/sample", { body: { ...options, format: "png" } }));
        return (answer.images ?? []).map(pngBlob);
    }
    /** Samples of an image model tiled into one PNG Blob. */
    async sampleGrid(options = {}) {
        const answer = this.raw.POST("/sample", {
            body: { ...options, format: "grid" },
            parseAs: "blob",
        });
        return unwrap(answer);
    }
    /** VAE: `mean` and `log_var` of q(z|x). GMM: `responsibilities`, `component`, densities. */
    async encode(x, options = {}) {
        const body = { ...options, ...(await inputsBody(x)) };
        const answer = await unwrap(this.raw.POST("/encode", { body }));
        const out = {};
        for (const [key, value] of Object.entries(answer.encoding)) {
            out[key] = fromNested(value, undefined, Float64Array);
        }
        return out;
    }
    async reconstruct(x, options = {}) {
        const body = { ...options, ...(await inputsBody(x)), format: options.format ?? "base64" };
        if (body.format === "npy")
            return this.npy("/reconstruct", body);
        const answer = await unwrap(this.raw.POST("/reconstruct", { body }));
        return {
            model: answer.model,
            version: answer.version,
            reconstructions: unpack(answer.reconstructions, answer.shape, answer.dtype),
        };
    }
    /** Reconstructions of an image model, one PNG Blob each. */
    async reconstructImages(x, options = {}) {
        const body = { ...options, ...(await inputsBody(x)), format: "png" };
        const answer = await unwrap(this.raw.POST("/reconstruct", { body }));
        return (answer.images ?? []).map(pngBlob);
    }
    /** log p(x) per example, nats: exact (GMM) or the k-sample importance-weighted bound (VAE). */
    async logLikelihood(x, options = {}) {
        const body = { ...options, ...(await inputsBody(x)) };
        return unwrap(this.raw.POST("/log-likelihood", { body }));
    }
    /** p(y | x) per example by Bayes' rule, by class name, and the predicted class (conditional
     * models: `capabilities` lists `classify`). */
    async classify(x, options = {}) {
        const body = { ...options, ...(await inputsBody(x)) };
        return unwrap(this.raw.POST("/classify", { body }));
    }
    async interpolate(a, b, options = {}) {
        const body = { ...options, ...(await endsBody(a, b)), format: options.format ?? "base64" };
        if (body.format === "npy")
            return this.npy("/interpolate", body);
        const answer = await unwrap(this.raw.POST("/interpolate", { body }));
        return {
            model: answer.model,
            version: answer.version,
            t: answer.t,
            path: unpack(answer.path, answer.shape, answer.dtype),
            details: answer.details ?? {},
        };
    }
    async npy(path, body) {
        const call = this.raw.POST(path, {
            body: body,
            parseAs: "arrayBuffer",
            headers: { Accept: "application/x-npy" },
        });
        const bytes = await unwrap(call);
        const tensor = fromNpy(bytes);
        if (!(tensor.data instanceof Float32Array))
            throw new TypeError("expected float32 .npy");
        return tensor;
    }
    // -- views the page draws ---------------------------------------------------------------------
    /** A GMM's `weights [K]`, `means [K, D]` and `covariances [K, D, D]`. */
    async components(name, options = {}) {
        return unwrap(this.raw.GET("/models/{name}/components", { params: { path: { name }, query: options } }));
    }
    /** log p(x) of a 2-D model on a grid: `x`, `y`, `log_density [len(y)][len(x)]`. */
    async density(name, options = {}) {
        return unwrap(this.raw.GET("/models/{name}/density", { params: { path: { name }, query: options } }));
    }
    /** log p(x) over the model's held-out split, and a 2-D view of a VAE's latent means. */
    async reference(name, options = {}) {
        return unwrap(this.raw.GET("/models/{name}/reference", { params: { path: { name }, query: options } }));
    }
    // -- datasets (API key) -----------------------------------------------------------------------
    /** Built-in and uploaded data sets. */
    async datasets() {
        return (await unwrap(this.raw.GET("/datasets"))).datasets;
    }
    async dataset(name) {
        return unwrap(this.raw.GET("/datasets/{name}", { params: { path: { name } } }));
    }
    /**
     * Upload a data file; its `filename`'s suffix says the format (.npy, .npz, .csv, .zip of
     * PNGs, MNIST IDX). The same bytes uploaded again answer the stored record.
     */
    async uploadDataset(file, options) {
        const form = new FormData();
        form.append("file", file, options.filename);
        if (options.name !== undefined)
            form.append("name", options.name);
        return unwrap(this.raw.POST("/datasets", {
            body: form,
            bodySerializer: (b) => b,
        }));
    }
    // -- jobs (API key) ---------------------------------------------------------------------------
    /** Queue a training job; it publishes the next version of `name` when it succeeds. */
    async submitJob(body) {
        return unwrap(this.raw.POST("/jobs", { body }));
    }
    async job(id) {
        return unwrap(this.raw.GET("/jobs/{job_id}", { params: { path: { job_id: id } } }));
    }
    /** A page of jobs, newest first; pass `next_cursor` as `cursor` for the next one. */
    async jobs(options = {}) {
        return unwrap(this.raw.GET("/jobs", { params: { query: options } }));
    }
    /** Cancel: a queued job at once, a running one at its next epoch or EM iteration. */
    async cancelJob(id) {
        return unwrap(this.raw.DELETE("/jobs/{job_id}", { params: { path: { job_id: id } } }));
    }
    /**
     * A job's events, in order: `progress` after each epoch or EM iteration, `status` on each
     * change; the iteration ends after the status event of a finished job. Aborting `signal`
     * closes the stream and rejects the pending step with the signal's reason.
     */
    async *jobEvents(id, options = {}) {
        const signal = this.signalWith(options.signal);
        const call = this.raw.GET("/jobs/{job_id}/events", {
            params: { path: { job_id: id } },
            parseAs: "stream",
            headers: { Accept: "text/event-stream" },
            cache: "no-store",
            ...(options.signal ? { signal: options.signal } : {}),
        });
        const stream = await unwrap(call);
        for await (const message of readEvents(stream, signal)) {
            if (message.event === "progress")
                yield { event: "progress", data: message.data };
            else if (message.event === "status")
                yield { event: "status", data: message.data };
        }
    }
    /**
     * Follow a job until it ends and answer its final record. `onEvent` sees every event;
     * when the stream ends early the job is polled every `pollMs`.
     */
    async waitForJob(id, options = {}) {
        const { onEvent, pollMs = 1000 } = options;
        const signal = this.signalWith(options.signal);
        for await (const event of this.jobEvents(id, signal ? { signal } : {}))
            onEvent?.(event);
        for (;;) {
            const job = await this.job(id);
            if (isFinished(job.status))
                return job;
            await sleep(pollMs, signal);
        }
    }
    /** The client's signal and a call's, either aborting. */
    signalWith(signal) {
        const own = this.options.signal;
        return own && signal ? AbortSignal.any([own, signal]) : (signal ?? own);
    }
}
