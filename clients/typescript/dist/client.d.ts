import { type Client } from "openapi-fetch";
import { type Nested, type Tensor } from "./arrays.js";
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
} ? NonNullable<Q> : never;
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
export type Inputs = Tensor<Float32Array | Float64Array | Uint8Array> | readonly Nested[] | {
    images: readonly (Blob | string)[];
};
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
export type JobEvent = {
    event: "progress";
    data: JobProgress;
} | {
    event: "status";
    data: JobSummary;
};
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
export declare function isFinished(status: JobStatus): boolean;
/**
 * A genserve server. Every method rejects with {@link GenserveError} when the server refuses,
 * naming the `field` and the `rule`. `raw` is the underlying openapi-fetch client, typed by the
 * generated schema, for anything not wrapped here.
 */
export declare class GenserveClient {
    readonly raw: Client<paths, "application/json">;
    private readonly options;
    constructor(options?: GenserveOptions);
    /**
     * This client with every request tied to `signal`: aborting it rejects what is in flight,
     * e.g. `gs.withSignal(controller.signal).sample(...)` for an answer the page no longer needs.
     */
    withSignal(signal: AbortSignal): GenserveClient;
    /** True when the process answers. */
    health(): Promise<boolean>;
    /** Readiness, answered 200 or 503: `ready`, `device`, loaded `models`, `failed` ones. */
    ready(): Promise<ReadyResponse>;
    /** Every served model at its latest version; the default one has `default: true`. */
    models(): Promise<ModelSummary[]>;
    /** One model with its whole `config`; `version` is a number or an alias ("stable"); omitted,
     * the stable version. */
    model(name: string, version?: number | string): Promise<ModelDetail>;
    /** `/metrics` in the Prometheus text format. */
    metrics(): Promise<string>;
    /** `n` samples `[n, ...data_shape]`; the same `seed`, the same samples. Default format base64. */
    sample(options?: SampleOptions & {
        format?: "array" | "base64";
    }): Promise<Samples>;
    sample(options: SampleOptions & {
        format: "uint8";
    }): Promise<Samples<Uint8Array>>;
    /** `npy` answers carry the numbers only: no model, version or seed. */
    sample(options: SampleOptions & {
        format: "npy";
    }): Promise<Tensor<Float32Array>>;
    /** Samples of an image model, one PNG Blob each. */
    sampleImages(options?: SampleOptions): Promise<Blob[]>;
    /** Samples of an image model tiled into one PNG Blob. */
    sampleGrid(options?: SampleOptions): Promise<Blob>;
    /** VAE: `mean` and `log_var` of q(z|x). GMM: `responsibilities`, `component`, densities. */
    encode(x: Inputs, options?: Which): Promise<Record<string, Tensor<Float64Array>>>;
    /** Reconstructions `[B, ...data_shape]`. Default format base64. */
    reconstruct(x: Inputs, options?: Which & {
        format?: "array" | "base64";
    }): Promise<Reconstructions>;
    reconstruct(x: Inputs, options: Which & {
        format: "uint8";
    }): Promise<Reconstructions<Uint8Array>>;
    reconstruct(x: Inputs, options: Which & {
        format: "npy";
    }): Promise<Tensor<Float32Array>>;
    /** Reconstructions of an image model, one PNG Blob each. */
    reconstructImages(x: Inputs, options?: Which): Promise<Blob[]>;
    /** log p(x) per example, nats: exact (GMM) or the k-sample importance-weighted bound (VAE). */
    logLikelihood(x: Inputs, options?: LogLikelihoodOptions): Promise<LogLikelihoodResponse>;
    /** p(y | x) per example by Bayes' rule, by class name, and the predicted class (conditional
     * models: `capabilities` lists `classify`). */
    classify(x: Inputs, options?: ClassifyOptions): Promise<ClassifyResponse>;
    /** The path from `a` to `b`, both ends included: `[steps, ...data_shape]`. */
    interpolate(a: Example, b: Example, options?: InterpolateOptions & {
        format?: "array" | "base64";
    }): Promise<Interpolation>;
    interpolate(a: Example, b: Example, options: InterpolateOptions & {
        format: "uint8";
    }): Promise<Interpolation<Uint8Array>>;
    interpolate(a: Example, b: Example, options: InterpolateOptions & {
        format: "npy";
    }): Promise<Tensor<Float32Array>>;
    private npy;
    /** A GMM's `weights [K]`, `means [K, D]` and `covariances [K, D, D]`. */
    components(name: string, options?: ComponentsOptions): Promise<ComponentsResponse>;
    /** log p(x) of a 2-D model on a grid: `x`, `y`, `log_density [len(y)][len(x)]`. */
    density(name: string, options?: DensityOptions): Promise<DensityGridResponse>;
    /** log p(x) over the model's held-out split, and a 2-D view of a VAE's latent means. */
    reference(name: string, options?: ReferenceOptions): Promise<ReferenceResponse>;
    /** Built-in and uploaded data sets. */
    datasets(): Promise<DatasetSummary[]>;
    dataset(name: string): Promise<DatasetSummary>;
    /**
     * Upload a data file; its `filename`'s suffix says the format (.npy, .npz, .csv, .zip of
     * PNGs, MNIST IDX). The same bytes uploaded again answer the stored record.
     */
    uploadDataset(file: Blob, options: {
        filename: string;
        name?: string;
    }): Promise<DatasetSummary>;
    /** Queue a training job; it publishes the next version of `name` when it succeeds. */
    submitJob(body: JobRequest): Promise<JobSummary>;
    job(id: string): Promise<JobDetail>;
    /** A page of jobs, newest first; pass `next_cursor` as `cursor` for the next one. */
    jobs(options?: JobsOptions): Promise<JobList>;
    /** Cancel: a queued job at once, a running one at its next epoch or EM iteration. */
    cancelJob(id: string): Promise<JobSummary>;
    /**
     * A job's events, in order: `progress` after each epoch or EM iteration, `status` on each
     * change; the iteration ends after the status event of a finished job. Aborting `signal`
     * closes the stream and rejects the pending step with the signal's reason.
     */
    jobEvents(id: string, options?: {
        signal?: AbortSignal;
    }): AsyncGenerator<JobEvent>;
    /**
     * Follow a job until it ends and answer its final record. `onEvent` sees every event;
     * when the stream ends early the job is polled every `pollMs`.
     */
    waitForJob(id: string, options?: {
        signal?: AbortSignal;
        onEvent?: (event: JobEvent) => void;
        pollMs?: number;
    }): Promise<JobDetail>;
    /** The client's signal and a call's, either aborting. */
    private signalWith;
}
export {};
