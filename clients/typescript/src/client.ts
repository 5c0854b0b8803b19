// GenserveClient: one method per genserve operation, on openapi-fetch typed by the generated
// schema; typed arrays, Blobs and an async iterator where JSON alone would not say enough.

import createClient, { type Client } from "openapi-fetch";
import {
  fromBase64Float32,
  fromBase64Uint8,
  fromNested,
  fromNpy,
  type Nested,
  type Tensor,
  toRows,
} from "./arrays.js";
import { GenserveError } from "./errors.js";
import { readEvents } from "./events.js";
import { blobBase64, pngBlob } from "./images.js";
import type { components, operations, paths } from "./generated/schema.js";

type Schemas = components["schemas"];
export type ModelSummary = Schemas["ModelSummary"];
export type ModelDetail = Schemas["ModelDetail"];
export type ReadyResponse = Schemas["ReadyResponse"];
export type SampleRequest = Schemas["SampleRequest"];
export type EncodeResponse = Schemas["EncodeResponse"];
export type LogLikelihoodRequest = Schemas["LogLikelihoodRequest"];
export type LogLikelihoodResponse = Schemas["LogLikelihoodResponse"];
export type InterpolateRequest = Schemas["InterpolateRequest"];
export type ClassifyRequest = Schemas["ClassifyRequest"];
export type ClassifyResponse = Schemas["ClassifyResponse"];
export type ComponentsResponse = Schemas["ComponentsResponse"];
export type DensityGridResponse = Schemas["DensityGridResponse"];
export type ReferenceResponse = Schemas["ReferenceResponse"];
export type DatasetSummary = Schemas["DatasetSummary"];
export type JobRequest = Schemas["JobRequest"];
export type JobSummary = Schemas["JobSummary"];
export type JobDetail = Schemas["JobDetail"];
export type JobList = Schemas["JobList"];
export type JobStatus = JobSummary["status"];

/** The formats that answer with numbers: nested lists, base64 float32, base64 uint8, .npy. */
export type PackedFormat = "array" | "base64" | "uint8" | "npy";

type Query<Op extends keyof operations> = operations[Op]["parameters"] extends {
  query?: infer Q;
}
  ? NonNullable<Q>
  : never;
export type ComponentsOptions = Query<"get_components_models__name__components_get">;
export type DensityOptions = Query<"get_density_models__name__density_get">;
export type ReferenceOptions = Query<"get_reference_models__name__reference_get">;
export type JobsOptions = Query<"list_jobs_jobs_get">;

/** Which model and version answer; omitted, the default model at its latest version. */
export type Which = Pick<SampleRequest, "model" | "version">;
export type SampleOptions = Omit<SampleRequest, "format">;
export type LogLikelihoodOptions = Omit<LogLikelihoodRequest, "inputs" | "images">;
export type InterpolateOptions = Omit<InterpolateRequest, "inputs" | "images" | "format">;
export type ClassifyOptions = Omit<ClassifyRequest, "inputs" | "images">;

/**
 * Examples for `/encode`, `/reconstruct`, `/log-likelihood`: a tensor `[B, ...]`, nested
 * arrays (one row per example, flattened or in the model's data shape), or PNG images.
 */
export type Inputs =
  | Tensor<Float32Array | Float64Array | Uint8Array>
  | readonly Nested[]
  | { images: readonly (Blob | string)[] };

/** One end of an interpolation: an example as numbers, or a PNG image. */
export type Example = Tensor<Float32Array | Float64Array | Uint8Array> | readonly Nested[] | Blob;

export interface Samples<A extends Float32Array | Uint8Array = Float32Array> {
  model: string;
  version: number;
  /** The seed that reproduces these samples. */
  seed: number;
  /** `[n, ...data_shape]`. */
  samples: Tensor<A>;
}

export interface Reconstructions<A extends Float32Array | Uint8Array = Float32Array> {
  model: string;
  version: number;
  /** `[B, ...data_shape]`. */
  reconstructions: Tensor<A>;
}

export interface Interpolation<A extends Float32Array | Uint8Array = Float32Array> {
  model: string;
  version: number;
  /** Positions from 0 to 1, one per step. */
  t: number[];
  /** `[steps, ...data_shape]`. */
  path: Tensor<A>;
  /** VAE: latents along the path; GMM: log_likelihood and responsibilities. */
  details: Record<string, unknown[]>;
}

/** A `progress` event: the job's progress in [0, 1] and one epoch's or EM iteration's metrics. */
export interface JobProgress {
  id: string;
  progress: number;
  /** 1, 2, 3... in the order the job reported them. */
  step: number;
  [metric: string]: unknown;
}

/** An event of `GET /jobs/{id}/events`. The last one of a finished job is its `status`. */
export type JobEvent =
  | { event: "progress"; data: JobProgress }
  | { event: "status"; data: JobSummary };

export interface GenserveOptions {
  /** Where genserve answers, e.g. `http://127.0.0.1:8000`; omitted, this page's origin. */
  baseUrl?: string;
  /** Sent as `Authorization: Bearer`: jobs and datasets need it, inference when protected. */
  apiKey?: string;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** A fetch to use instead of the global one. */
  fetch?: typeof globalThis.fetch;
  /** Aborts every request of this client (see `withSignal`). */
  signal?: AbortSignal;
}

/** Whether a job's status is final. */
export function isFinished(status: JobStatus): boolean {
  return status === "succeeded" || status === "failed" || status === "cancelled";
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", stop);
      resolve();
    }, ms);
    const stop = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", stop, { once: true });
  });
}

/** The numbers of a JSON answer in whichever packed format it came. */
function unpack(
  value: unknown,
  shape: readonly number[],
  dtype: "float32" | "uint8" | null | undefined,
): Tensor<Float32Array | Uint8Array> {
  if (typeof value === "string") {
    return dtype === "uint8" ? fromBase64Uint8(value, shape) : fromBase64Float32(value, shape);
  }
  if (!Array.isArray(value)) throw new TypeError("the answer carries no numbers");
  return fromNested(value as Nested, shape);
}

async function inputsBody(x: Inputs): Promise<{ inputs: unknown[] } | { images: string[] }> {
  if ("images" in x) {
    const images = await Promise.all(
      x.images.map((i) => (typeof i === "string" ? i : blobBase64(i))),
    );
    return { images };
  }
  if ("data" in x && "shape" in x) return { inputs: toRows(x) };
  return { inputs: [...x] };
}

async function endsBody(a: Example, b: Example): Promise<{ inputs: unknown[] } | { images: string[] }> {
  if (a instanceof Blob && b instanceof Blob) {
    return { images: [await blobBase64(a), await blobBase64(b)] };
  }
  if (a instanceof Blob || b instanceof Blob) {
    throw new TypeError("give both ends as images, or both as numbers");
  }
  const row = (x: Tensor<Float32Array | Float64Array | Uint8Array> | readonly Nested[]): unknown =>
    "data" in x && "shape" in x ? Array.from(x.data) : x;
  return { inputs: [row(a), row(b)] };
}

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

async function unwrap<T>(call: Promise<Answer<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) {
    // openapi-fetch hands over the body parsed as JSON, or as text when it is not JSON
    const text = typeof error === "string" ? error : "";
    throw new GenserveError(response.status, text ? null : (error ?? null), text);
  }
  return data as T;
}

/**
 * A genserve server. Every method rejects with {@link GenserveError} when the server refuses,
 * naming the `field` and the `rule`. `raw` is the underlying openapi-fetch client, typed by the
 * generated schema, for anything not wrapped here.
 */
export class GenserveClient {
  readonly raw: Client<paths, "application/json">;
  private readonly options: GenserveOptions;

  constructor(options: GenserveOptions = {}) {
    this.options = options;
    const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
    if (options.apiKey) headers.Authorization = `Bearer ${options.apiKey}`;
    const { signal } = options;
    this.raw = createClient<paths, "application/json">({
      baseUrl: options.baseUrl ?? "",
      headers,
      // The signal goes to fetch itself, beside the request's own (a per-call one).
      fetch: (request: Request) => {
        const fetch = options.fetch ?? globalThis.fetch;
        if (!signal) return fetch(request);
        return fetch(request, { signal: AbortSignal.any([signal, request.signal]) });
      },
    });
  }

  /**
   * This client with every request tied to `signal`: aborting it rejects what is in flight,
   * e.g. `gs.withSignal(controller.signal).sample(...)` for an answer the page no longer needs.
   */
  withSignal(signal: AbortSignal): GenserveClient {
    return new GenserveClient({ ...this.options, signal });
  }

  // -- service --------------------------------------------------------------------------------
  /** True when the process answers. */
  async health(): Promise<boolean> {
    const body = await unwrap(this.raw.GET("/health"));
    return body.status === "ok";
  }

  /** Readiness, answered 200 or 503: `ready`, `device`, loaded `models`, `failed` ones. */
  async ready(): Promise<ReadyResponse> {
    const { data, error, response } = await this.raw.GET("/ready");
    if (response.status === 503 && error) return error as ReadyResponse;
    if (!response.ok) return unwrap(Promise.resolve({ error, response }));
    return data as ReadyResponse;
  }

  /** Every served model at its latest version; the default one has `default: true`. */
  async models(): Promise<ModelSummary[]> {
    // openapi-fetch's response types widen tuples to arrays: value_range is [low, high]
    return (await unwrap(this.raw.GET("/models"))).models as ModelSummary[];
  }

  /** One model with its whole `config`; `version` is a number or an alias ("stable"); omitted,
   * the stable version. */
  async model(name: string, version?: number | string): Promise<ModelDetail> {
    const answer = await unwrap(
      this.raw.GET("/models/{name}", {
        params: { path: { name }, query: version === undefined ? {} : { version } },
      }),
    );
    return answer as ModelDetail;
  }

  /** `/metrics` in the Prometheus text format. */
  async metrics(): Promise<string> {
    const call = this.raw.GET("/metrics", { parseAs: "text", headers: { Accept: "text/plain" } });
    return unwrap(call as unknown as Promise<Answer<string>>);
  }

  // -- the five operations ----------------------------------------------------------------------
  /** `n` samples `[n, ...data_shape]`; the same `seed`, the same samples. Default format base64. */
  sample(options?: SampleOptions & { format?: "array" | "base64" }): Promise<Samples>;
  sample(options: SampleOptions & { format: "uint8" }): Promise<Samples<Uint8Array>>;
  /** `npy` answers carry the numbers only: no model, version or seed. */
  sample(options: SampleOptions & { format: "npy" }): Promise<Tensor<Float32Array>>;
  async sample(
    options: SampleOptions & { format?: PackedFormat } = {},
  ): Promise<Samples<Float32Array | Uint8Array> | Tensor<Float32Array | Uint8Array>> {
    const body = { ...options, format: options.format ?? "base64" };
    if (body.format === "npy") return this.npy("/sample", body);
    const answer = await unwrap(this.raw.POST("/sample", { body }));
    return {
      model: answer.model,
      version: answer.version,
      seed: answer.seed,
      samples: unpack(answer.samples, answer.shape, answer.dtype),
    };
  }

  /** Samples of an image model, one PNG Blob each. */
  async sampleImages(options: SampleOptions = {}): Promise<Blob[]> {
    const answer = await unwrap(this.raw.POST("/sample", { body: { ...options, format: "png" } }));
    return (answer.images ?? []).map(pngBlob);
  }

  /** Samples of an image model tiled into one PNG Blob. */
  async sampleGrid(options: SampleOptions = {}): Promise<Blob> {
    const answer = this.raw.POST("/sample", {
      body: { ...options, format: "grid" },
      parseAs: "blob",
    });
    return unwrap(answer as unknown as Promise<Answer<Blob>>);
  }

  /** VAE: `mean` and `log_var` of q(z|x). GMM: `responsibilities`, `component`, densities. */
  async encode(x: Inputs, options: Which = {}): Promise<Record<string, Tensor<Float64Array>>> {
    const body = { ...options, ...(await inputsBody(x)) };
    const answer = await unwrap(this.raw.POST("/encode", { body }));
    const out: Record<string, Tensor<Float64Array>> = {};
    for (const [key, value] of Object.entries(answer.encoding)) {
      out[key] = fromNested(value as Nested, undefined, Float64Array);
    }
    return out;
  }

  /** Reconstructions `[B, ...data_shape]`. Default format base64. */
  reconstruct(x: Inputs, options?: Which & { format?: "array" | "base64" }): Promise<Reconstructions>;
  reconstruct(x: Inputs, options: Which & { format: "uint8" }): Promise<Reconstructions<Uint8Array>>;
  reconstruct(x: Inputs, options: Which & { format: "npy" }): Promise<Tensor<Float32Array>>;
  async reconstruct(
    x: Inputs,
    options: Which & { format?: PackedFormat } = {},
  ): Promise<Reconstructions<Float32Array | Uint8Array> | Tensor<Float32Array | Uint8Array>> {
    const body = { ...options, ...(await inputsBody(x)), format: options.format ?? "base64" };
    if (body.format === "npy") return this.npy("/reconstruct", body);
    const answer = await unwrap(this.raw.POST("/reconstruct", { body }));
    return {
      model: answer.model,
      version: answer.version,
      reconstructions: unpack(answer.reconstructions, answer.shape, answer.dtype),
    };
  }

  /** Reconstructions of an image model, one PNG Blob each. */
  async reconstructImages(x: Inputs, options: Which = {}): Promise<Blob[]> {
    const body = { ...options, ...(await inputsBody(x)), format: "png" as const };
    const answer = await unwrap(this.raw.POST("/reconstruct", { body }));
    return (answer.images ?? []).map(pngBlob);
  }

  /** log p(x) per example, nats: exact (GMM) or the k-sample importance-weighted bound (VAE). */
  async logLikelihood(x: Inputs, options: LogLikelihoodOptions = {}): Promise<LogLikelihoodResponse> {
    const body = { ...options, ...(await inputsBody(x)) };
    return unwrap(this.raw.POST("/log-likelihood", { body }));
  }

  /** p(y | x) per example by Bayes' rule, by class name, and the predicted class (conditional
   * models: `capabilities` lists `classify`). */
  async classify(x: Inputs, options: ClassifyOptions = {}): Promise<ClassifyResponse> {
    const body = { ...options, ...(await inputsBody(x)) };
    return unwrap(this.raw.POST("/classify", { body }));
  }

  /** The path from `a` to `b`, both ends included: `[steps, ...data_shape]`. */
  interpolate(
    a: Example,
    b: Example,
    options?: InterpolateOptions & { format?: "array" | "base64" },
  ): Promise<Interpolation>;
  interpolate(
    a: Example,
    b: Example,
    options: InterpolateOptions & { format: "uint8" },
  ): Promise<Interpolation<Uint8Array>>;
  interpolate(
    a: Example,
    b: Example,
    options: InterpolateOptions & { format: "npy" },
  ): Promise<Tensor<Float32Array>>;
  async interpolate(
    a: Example,
    b: Example,
    options: InterpolateOptions & { format?: PackedFormat } = {},
  ): Promise<Interpolation<Float32Array | Uint8Array> | Tensor<Float32Array | Uint8Array>> {
    const body = { ...options, ...(await endsBody(a, b)), format: options.format ?? "base64" };
    if (body.format === "npy") return this.npy("/interpolate", body);
    const answer = await unwrap(this.raw.POST("/interpolate", { body }));
    return {
      model: answer.model,
      version: answer.version,
      t: answer.t,
      path: unpack(answer.path, answer.shape, answer.dtype),
      details: answer.details ?? {},
    };
  }

  private async npy(
    path: "/sample" | "/reconstruct" | "/interpolate",
    body: object,
  ): Promise<Tensor<Float32Array>> {
    const call = this.raw.POST(path, {
      body: body as never,
      parseAs: "arrayBuffer",
      headers: { Accept: "application/x-npy" },
    });
    const bytes = await unwrap(call as unknown as Promise<Answer<ArrayBuffer>>);
    const tensor = fromNpy(bytes);
    if (!(tensor.data instanceof Float32Array)) throw new TypeError("expected float32 .npy");
    return tensor as Tensor<Float32Array>;
  }

  // -- views the page draws ---------------------------------------------------------------------
  /** A GMM's `weights [K]`, `means [K, D]` and `covariances [K, D, D]`. */
  async components(name: string, options: ComponentsOptions = {}): Promise<ComponentsResponse> {
    return unwrap(
      this.raw.GET("/models/{name}/components", { params: { path: { name }, query: options } }),
    );
  }

  /** log p(x) of a 2-D model on a grid: `x`, `y`, `log_density [len(y)][len(x)]`. */
  async density(name: string, options: DensityOptions = {}): Promise<DensityGridResponse> {
    return unwrap(
      this.raw.GET("/models/{name}/density", { params: { path: { name }, query: options } }),
    );
  }

  /** log p(x) over the model's held-out split, and a 2-D view of a VAE's latent means. */
  async reference(name: string, options: ReferenceOptions = {}): Promise<ReferenceResponse> {
    return unwrap(
      this.raw.GET("/models/{name}/reference", { params: { path: { name }, query: options } }),
    );
  }

  // -- datasets (API key) -----------------------------------------------------------------------
  /** Built-in and uploaded data sets. */
  async datasets(): Promise<DatasetSummary[]> {
    return (await unwrap(this.raw.GET("/datasets"))).datasets;
  }

  async dataset(name: string): Promise<DatasetSummary> {
    return unwrap(this.raw.GET("/datasets/{name}", { params: { path: { name } } }));
  }

  /**
   * Upload a data file; its `filename`'s suffix says the format (.npy, .npz, .csv, .zip of
   * PNGs, MNIST IDX). The same bytes uploaded again answer the stored record.
   */
  async uploadDataset(
    file: Blob,
    options: { filename: string; name?: string },
  ): Promise<DatasetSummary> {
    const form = new FormData();
    form.append("file", file, options.filename);
    if (options.name !== undefined) form.append("name", options.name);
    return unwrap(
      this.raw.POST("/datasets", {
        body: form as never,
        bodySerializer: (b: unknown) => b as FormData,
      }),
    );
  }

  // -- jobs (API key) ---------------------------------------------------------------------------
  /** Queue a training job; it publishes the next version of `name` when it succeeds. */
  async submitJob(body: JobRequest): Promise<JobSummary> {
    return unwrap(this.raw.POST("/jobs", { body }));
  }

  async job(id: string): Promise<JobDetail> {
    return unwrap(this.raw.GET("/jobs/{job_id}", { params: { path: { job_id: id } } }));
  }

  /** A page of jobs, newest first; pass `next_cursor` as `cursor` for the next one. */
  async jobs(options: JobsOptions = {}): Promise<JobList> {
    return unwrap(this.raw.GET("/jobs", { params: { query: options } }));
  }

  /** Cancel: a queued job at once, a running one at its next epoch or EM iteration. */
  async cancelJob(id: string): Promise<JobSummary> {
    return unwrap(this.raw.DELETE("/jobs/{job_id}", { params: { path: { job_id: id } } }));
  }

  /**
   * A job's events, in order: `progress` after each epoch or EM iteration, `status` on each
   * change; the iteration ends after the status event of a finished job. Aborting `signal`
   * closes the stream and rejects the pending step with the signal's reason.
   */
  async *jobEvents(id: string, options: { signal?: AbortSignal } = {}): AsyncGenerator<JobEvent> {
    const signal = this.signalWith(options.signal);
    const call = this.raw.GET("/jobs/{job_id}/events", {
      params: { path: { job_id: id } },
      parseAs: "stream",
      headers: { Accept: "text/event-stream" },
      cache: "no-store",
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const stream = await unwrap(call as unknown as Promise<Answer<ReadableStream<Uint8Array>>>);
    for await (const message of readEvents(stream, signal)) {
      if (message.event === "progress") yield { event: "progress", data: message.data as JobProgress };
      else if (message.event === "status") yield { event: "status", data: message.data as JobSummary };
    }
  }

  /**
   * Follow a job until it ends and answer its final record. `onEvent` sees every event;
   * when the stream ends early the job is polled every `pollMs`.
   */
  async waitForJob(
    id: string,
    options: { signal?: AbortSignal; onEvent?: (event: JobEvent) => void; pollMs?: number } = {},
  ): Promise<JobDetail> {
    const { onEvent, pollMs = 1000 } = options;
    const signal = this.signalWith(options.signal);
    for await (const event of this.jobEvents(id, signal ? { signal } : {})) onEvent?.(event);
    for (;;) {
      const job = await this.job(id);
      if (isFinished(job.status)) return job;
      await sleep(pollMs, signal);
    }
  }

  /** The client's signal and a call's, either aborting. */
  private signalWith(signal: AbortSignal | undefined): AbortSignal | undefined {
    const own = this.options.signal;
    return own && signal ? AbortSignal.any([own, signal]) : (signal ?? own);
  }
}
