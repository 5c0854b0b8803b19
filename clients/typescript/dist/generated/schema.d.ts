export interface paths {
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Health */
        get: operations["health_health_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Ready */
        get: operations["ready_ready_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/models": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List Models */
        get: operations["list_models_models_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/models/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get Model */
        get: operations["get_model_models__name__get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/sample": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Sample
         * @description Draw ``n`` samples; ``seed`` makes them reproducible.
         */
        post: operations["sample_sample_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/encode": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Encode
         * @description VAE: the posterior q(z|x). GMM: the responsibilities p(k|x).
         */
        post: operations["encode_encode_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/reconstruct": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Reconstruct */
        post: operations["reconstruct_reconstruct_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/log-likelihood": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Log Likelihood
         * @description log p(x): exact for a GMM, the importance-weighted bound with k samples for a VAE.
         */
        post: operations["log_likelihood_log_likelihood_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/interpolate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Interpolate */
        post: operations["interpolate_interpolate_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/jobs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List Jobs
         * @description Newest first.
         */
        get: operations["list_jobs_jobs_get"];
        put?: never;
        /**
         * Submit Job
         * @description Queue a training job; ``GET /jobs/{id}`` or ``/jobs/{id}/events`` follows it.
         */
        post: operations["submit_job_jobs_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/jobs/{job_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get Job */
        get: operations["get_job_jobs__job_id__get"];
        put?: never;
        post?: never;
        /**
         * Cancel Job
         * @description Queued: cancelled at once. Running: stops at its next epoch or EM iteration.
         */
        delete: operations["cancel_job_jobs__job_id__delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/jobs/{job_id}/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Job Events
         * @description ``progress`` after each epoch or EM iteration, ``status`` on each change; the stream
         *     ends after the status event of a finished job.
         */
        get: operations["job_events_jobs__job_id__events_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/datasets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List Datasets */
        get: operations["list_datasets_datasets_get"];
        put?: never;
        /**
         * Upload Dataset
         * @description Parse, check and store an upload under its content hash.
         */
        post: operations["upload_dataset_datasets_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/datasets/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get Dataset */
        get: operations["get_dataset_datasets__name__get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/models/{name}/components": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get Components
         * @description A GMM's weights, means and full covariance matrices (any covariance type, expanded).
         */
        get: operations["get_components_models__name__components_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/models/{name}/density": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get Density
         * @description log p(x) of a 2-D model on a grid; bounds default to where the model's samples fall.
         */
        get: operations["get_density_models__name__density_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/models/{name}/reference": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get Reference
         * @description log p(x) over the model's held-out split (its recorded seed and fraction), with a 2-D
         *     view of the VAE's latent means; cached per model version and ``importance_samples``.
         */
        get: operations["get_reference_models__name__reference_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get Metrics
         * @description Requests, latency, batch sizes, loaded models, job counts and queue depth.
         *
         *     A plain ``def``: counting job records is a blocking query, so it runs in the thread pool.
         */
        get: operations["get_metrics_metrics_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** Body_upload_dataset_datasets_post */
        Body_upload_dataset_datasets_post: {
            /**
             * File
             * @description The file name's suffix says the format: .npy, .npz (array x), .csv, .zip of PNGs, or MNIST IDX (.idx, -ubyte, optionally .gz); other bytes are refused.
             */
            file: string;
            /**
             * Name
             * @description Lower case, digits, -_. and not a built-in dataset's name; defaults to the file name's stem.
             */
            name?: string | null;
        };
        /** ComponentsResponse */
        ComponentsResponse: {
            /** Model */
            model: string;
            /** Version */
            version: number;
            /** Covariance Type */
            covariance_type: string;
            /** N Components */
            n_components: number;
            /** Data Shape */
            data_shape: number[];
            /** Weights */
            weights: number[];
            /** Means */
            means: number[][];
            /** Covariances */
            covariances?: number[][][] | null;
        };
        /** DatasetList */
        DatasetList: {
            /** Datasets */
            datasets: components["schemas"]["DatasetSummary"][];
        };
        /** DatasetRef */
        DatasetRef: {
            /** Name */
            name: string;
            /** Sha256 */
            sha256: string;
        };
        /** DatasetSummary */
        DatasetSummary: {
            /** Name */
            name: string;
            /** Builtin */
            builtin: boolean;
            /** Sha256 */
            sha256: string;
            /** Shape */
            shape: number[];
            /** N */
            n: number;
            /** Levels */
            levels: number | null;
            /** Dtype */
            dtype: string;
            /** Format */
            format?: string | null;
            /** Filename */
            filename?: string | null;
            /** Size Bytes */
            size_bytes?: number | null;
        };
        /** DensityGridResponse */
        DensityGridResponse: {
            /** Model */
            model: string;
            /** Version */
            version: number;
            /** X */
            x: number[];
            /** Y */
            y: number[];
            /** Log Density */
            log_density: number[][];
            /** Estimator */
            estimator: string;
        };
        /**
         * EncodeRequest
         * @example {
         *       "inputs": [
         *         [
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0
         *         ]
         *       ],
         *       "model": "digits-vae"
         *     }
         */
        EncodeRequest: {
            /**
             * Model
             * @description Model name; omitted, the default model.
             * @example digits-vae
             */
            model?: string | null;
            /**
             * Version
             * @description Omitted, the latest version.
             */
            version?: number | null;
            /**
             * Inputs
             * @description Examples as nested arrays in the model's value range, one per row, flattened or in the model's data shape.
             */
            inputs?: unknown[] | null;
            /**
             * Images
             * @description Examples as base64 PNG (image models; resized to fit).
             */
            images?: string[] | null;
        };
        /** EncodeResponse */
        EncodeResponse: {
            /** Model */
            model: string;
            /** Version */
            version: number;
            /**
             * Encoding
             * @description VAE: mean and log_var of q(z|x). GMM: responsibilities, component, component_log_density.
             */
            encoding: {
                [key: string]: unknown[];
            };
        };
        /** ErrorDetail */
        ErrorDetail: {
            /** Type */
            type: string;
            /** Message */
            message: string;
            /** Field */
            field: string | null;
            /** Rule */
            rule: string | null;
        };
        /**
         * ErrorResponse
         * @description The one shape of every 4xx: the first error, and all of them.
         */
        ErrorResponse: {
            error: components["schemas"]["ErrorDetail"];
            /** Errors */
            errors: components["schemas"]["ErrorDetail"][];
        };
        /** HealthResponse */
        HealthResponse: {
            /**
             * Status
             * @constant
             */
            status: "ok";
        };
        /**
         * InterpolateRequest
         * @example {
         *       "inputs": [
         *         [
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0
         *         ],
         *         [
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0
         *         ]
         *       ],
         *       "model": "digits-vae",
         *       "steps": 8
         *     }
         */
        InterpolateRequest: {
            /**
             * Model
             * @description Model name; omitted, the default model.
             * @example digits-vae
             */
            model?: string | null;
            /**
             * Version
             * @description Omitted, the latest version.
             */
            version?: number | null;
            /**
             * Inputs
             * @description Examples as nested arrays in the model's value range, one per row, flattened or in the model's data shape.
             */
            inputs?: unknown[] | null;
            /**
             * Images
             * @description Examples as base64 PNG (image models; resized to fit).
             */
            images?: string[] | null;
            /**
             * Steps
             * @description Points on the path, both ends included.
             * @default 8
             */
            steps?: number;
            /**
             * Method
             * @default linear
             * @enum {string}
             */
            method?: "linear" | "slerp";
            /**
             * Format
             * @default array
             * @enum {string}
             */
            format?: "array" | "png" | "npy" | "base64" | "uint8";
        };
        /** InterpolateResponse */
        InterpolateResponse: {
            /** Model */
            model: string;
            /** Version */
            version: number;
            /** T */
            t: number[];
            /** Shape */
            shape: number[];
            /**
             * Path
             * @description Nested arrays; with format base64 or uint8, one base64 string of the row-major bytes (dtype says which) in the shape given.
             */
            path?: unknown[] | string | null;
            /** Dtype */
            dtype?: ("float32" | "uint8") | null;
            /** Images */
            images?: string[] | null;
            /**
             * Details
             * @description VAE: latents along the path. GMM: log_likelihood and responsibilities.
             */
            details?: {
                [key: string]: unknown[];
            };
        };
        /** JobDetail */
        JobDetail: {
            /** Id */
            id: string;
            /** Kind */
            kind: string;
            /** Name */
            name: string;
            dataset: components["schemas"]["DatasetRef"];
            /**
             * Status
             * @enum {string}
             */
            status: "queued" | "running" | "succeeded" | "failed" | "cancelled";
            /** Progress */
            progress: number;
            /** Cancel Requested */
            cancel_requested: boolean;
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Started At */
            started_at: string | null;
            /** Finished At */
            finished_at: string | null;
            /**
             * Elapsed S
             * @description Running time so far, or in all once ended.
             */
            elapsed_s: number | null;
            /** Error */
            error: string | null;
            result: components["schemas"]["JobResult"] | null;
            /**
             * Last Metrics
             * @description The latest epoch or iteration.
             */
            last_metrics: {
                [key: string]: unknown;
            } | null;
            /** Config */
            config: {
                [key: string]: unknown;
            };
            /**
             * Metrics
             * @description One entry per epoch (VAE: train_loss, test_elbo) or EM iteration (GMM: train_log_likelihood, train_loss), each with elapsed_s.
             */
            metrics: {
                [key: string]: unknown;
            }[];
            /** Worker */
            worker: string | null;
            /** Attempts */
            attempts: number;
        };
        /** JobList */
        JobList: {
            /** Jobs */
            jobs: components["schemas"]["JobSummary"][];
            /** Limit */
            limit: number;
            /** Offset */
            offset: number;
            /**
             * Next Cursor
             * @description Pass as ?cursor= for the next (older) page; null on the last page.
             */
            next_cursor: number | null;
        };
        /**
         * JobRequest
         * @example {
         *       "dataset": "pinwheel",
         *       "kind": "gmm",
         *       "name": "my-pinwheel",
         *       "params": {
         *         "max_iter": 50,
         *         "n_components": 5
         *       }
         *     }
         */
        JobRequest: {
            /**
             * Kind
             * @description Which model to train.
             * @enum {string}
             */
            kind: "vae" | "gmm";
            /**
             * Name
             * @description Model name; the job publishes its next version.
             */
            name: string;
            /**
             * Dataset
             * @description A built-in dataset or an uploaded one.
             */
            dataset: string;
            /**
             * Params
             * @description Hyper-parameters and training options side by side, e.g. {'latent_dim': 8, 'epochs': 20} for a VAE or {'n_components': 10} for a GMM.
             */
            params?: {
                [key: string]: unknown;
            };
            /** @description VAE only: start from this model's weights (and architecture) instead of a random initialisation, e.g. to train a served model further or under the IWAE bound. */
            init_from?: components["schemas"]["WarmStart"] | null;
        };
        /** JobResult */
        JobResult: {
            /** Model */
            model: string;
            /** Version */
            version: number;
            /** Metrics */
            metrics: {
                [key: string]: unknown;
            };
            /** Training */
            training?: {
                [key: string]: unknown;
            };
        };
        /** JobSummary */
        JobSummary: {
            /** Id */
            id: string;
            /** Kind */
            kind: string;
            /** Name */
            name: string;
            dataset: components["schemas"]["DatasetRef"];
            /**
             * Status
             * @enum {string}
             */
            status: "queued" | "running" | "succeeded" | "failed" | "cancelled";
            /** Progress */
            progress: number;
            /** Cancel Requested */
            cancel_requested: boolean;
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Started At */
            started_at: string | null;
            /** Finished At */
            finished_at: string | null;
            /**
             * Elapsed S
             * @description Running time so far, or in all once ended.
             */
            elapsed_s: number | null;
            /** Error */
            error: string | null;
            result: components["schemas"]["JobResult"] | null;
            /**
             * Last Metrics
             * @description The latest epoch or iteration.
             */
            last_metrics: {
                [key: string]: unknown;
            } | null;
        };
        /**
         * LogLikelihoodRequest
         * @example {
         *       "inputs": [
         *         [
         *           0.5,
         *           1
         *         ],
         *         [
         *           -1,
         *           0.2
         *         ]
         *       ],
         *       "model": "pinwheel-gmm"
         *     }
         */
        LogLikelihoodRequest: {
            /**
             * Model
             * @description Model name; omitted, the default model.
             * @example digits-vae
             */
            model?: string | null;
            /**
             * Version
             * @description Omitted, the latest version.
             */
            version?: number | null;
            /**
             * Inputs
             * @description Examples as nested arrays in the model's value range, one per row, flattened or in the model's data shape.
             */
            inputs?: unknown[] | null;
            /**
             * Images
             * @description Examples as base64 PNG (image models; resized to fit).
             */
            images?: string[] | null;
            /**
             * Importance Samples
             * @description k for the VAE's importance-weighted bound (ignored by exact GMM densities).
             * @default 100
             */
            importance_samples?: number;
            /** Seed */
            seed?: number | null;
        };
        /** LogLikelihoodResponse */
        LogLikelihoodResponse: {
            /** Model */
            model: string;
            /** Version */
            version: number;
            /**
             * Log Likelihood
             * @description log p(x) per example, nats.
             */
            log_likelihood: number[];
            /**
             * Bits Per Dim
             * @description Per example; on the discrete data's footing when the model was trained on dequantised data.
             */
            bits_per_dim: number[];
            /**
             * Elbo
             * @description VAE only: the ELBO per example.
             */
            elbo?: number[] | null;
            /** Mean Log Likelihood */
            mean_log_likelihood: number;
            /** Estimator */
            estimator: string;
        };
        /** ModelDetail */
        ModelDetail: {
            /** Name */
            name: string;
            /**
             * Kind
             * @enum {string}
             */
            kind: "vae" | "gmm";
            /** Version */
            version: number;
            /** Versions */
            versions: number[];
            /** Default */
            default: boolean;
            /** Data Shape */
            data_shape: number[];
            /** Value Range */
            value_range: [
                number,
                number
            ] | null;
            /** Capabilities */
            capabilities: string[];
            /** Interpolation Methods */
            interpolation_methods: string[];
            /** Priors */
            priors: string[];
            /** Formats */
            formats: string[];
            /** Dataset */
            dataset: string;
            /** Metrics */
            metrics: {
                [key: string]: unknown;
            };
            /** Config */
            config: {
                [key: string]: unknown;
            };
        };
        /** ModelList */
        ModelList: {
            /** Default */
            default: string | null;
            /** Models */
            models: components["schemas"]["ModelSummary"][];
        };
        /** ModelSummary */
        ModelSummary: {
            /** Name */
            name: string;
            /**
             * Kind
             * @enum {string}
             */
            kind: "vae" | "gmm";
            /** Version */
            version: number;
            /** Versions */
            versions: number[];
            /** Default */
            default: boolean;
            /** Data Shape */
            data_shape: number[];
            /** Value Range */
            value_range: [
                number,
                number
            ] | null;
            /** Capabilities */
            capabilities: string[];
            /** Interpolation Methods */
            interpolation_methods: string[];
            /** Priors */
            priors: string[];
            /** Formats */
            formats: string[];
            /** Dataset */
            dataset: string;
            /** Metrics */
            metrics: {
                [key: string]: unknown;
            };
        };
        /** ReadyResponse */
        ReadyResponse: {
            /** Ready */
            ready: boolean;
            /** Device */
            device: string;
            /** Models */
            models: string[];
            /** Failed */
            failed: {
                [key: string]: string;
            };
        };
        /**
         * ReconstructRequest
         * @example {
         *       "inputs": [
         *         [
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0,
         *           0
         *         ]
         *       ],
         *       "model": "digits-vae"
         *     }
         */
        ReconstructRequest: {
            /**
             * Model
             * @description Model name; omitted, the default model.
             * @example digits-vae
             */
            model?: string | null;
            /**
             * Version
             * @description Omitted, the latest version.
             */
            version?: number | null;
            /**
             * Inputs
             * @description Examples as nested arrays in the model's value range, one per row, flattened or in the model's data shape.
             */
            inputs?: unknown[] | null;
            /**
             * Images
             * @description Examples as base64 PNG (image models; resized to fit).
             */
            images?: string[] | null;
            /**
             * Format
             * @default array
             * @enum {string}
             */
            format?: "array" | "png" | "npy" | "base64" | "uint8";
        };
        /** ReconstructResponse */
        ReconstructResponse: {
            /** Model */
            model: string;
            /** Version */
            version: number;
            /** Shape */
            shape: number[];
            /**
             * Reconstructions
             * @description Nested arrays; with format base64 or uint8, one base64 string of the row-major bytes (dtype says which) in the shape given.
             */
            reconstructions?: unknown[] | string | null;
            /** Dtype */
            dtype?: ("float32" | "uint8") | null;
            /** Images */
            images?: string[] | null;
        };
        /** ReferenceResponse */
        ReferenceResponse: {
            /** Model */
            model: string;
            /** Version */
            version: number;
            /** Source */
            source: string;
            /** Dataset */
            dataset: string;
            /** N */
            n: number;
            /** Importance Samples */
            importance_samples: number;
            /** Estimator */
            estimator: string;
            /** Log Likelihood */
            log_likelihood: {
                [key: string]: unknown;
            };
            /** Latent */
            latent: {
                [key: string]: unknown;
            } | null;
        };
        /**
         * SampleRequest
         * @example {
         *       "model": "digits-vae",
         *       "n": 16,
         *       "seed": 0
         *     }
         */
        SampleRequest: {
            /**
             * Model
             * @description Model name; omitted, the default model.
             * @example digits-vae
             */
            model?: string | null;
            /**
             * Version
             * @description Omitted, the latest version.
             */
            version?: number | null;
            /**
             * N
             * @description Number of samples (limit: GENSERVE_MAX_SAMPLES).
             * @default 16
             */
            n?: number;
            /**
             * Seed
             * @description Same seed, same samples; omitted, random.
             */
            seed?: number | null;
            /**
             * Temperature
             * @description Scales prior noise.
             * @default 1
             */
            temperature?: number;
            /**
             * Prior
             * @description VAE only: 'gmm' draws latents from the mixture fitted to the training set's latent means (ex-post density estimation); see the model's 'priors'.
             * @default normal
             * @enum {string}
             */
            prior?: "normal" | "gmm";
            /**
             * Format
             * @description array: nested lists; png: one base64 PNG per sample; grid: one PNG image; npy: a float32 .npy body; base64: float32 little-endian bytes, base64 in 'samples'; uint8: image models' value range as 0-255 bytes, base64 in 'samples'.
             * @default array
             * @enum {string}
             */
            format?: "array" | "png" | "grid" | "npy" | "base64" | "uint8";
        };
        /** SampleResponse */
        SampleResponse: {
            /** Model */
            model: string;
            /** Version */
            version: number;
            /** Seed */
            seed: number;
            /** Shape */
            shape: number[];
            /**
             * Samples
             * @description Nested arrays; with format base64 or uint8, one base64 string of the row-major bytes (dtype says which) in the shape given.
             */
            samples?: unknown[] | string | null;
            /** Dtype */
            dtype?: ("float32" | "uint8") | null;
            /** Images */
            images?: string[] | null;
        };
        /** WarmStart */
        WarmStart: {
            /**
             * Model
             * @description A saved VAE to start from.
             */
            model: string;
            /**
             * Version
             * @description Default: its latest version, pinned when queued.
             */
            version?: number | null;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    health_health_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HealthResponse"];
                };
            };
            /** @description Unsupported operation or format for this model */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Missing or invalid API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Unknown model, version or resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description The request's work passed GENSERVE_REQUEST_TIMEOUT_S */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Conflicts with the current state: a name taken by other data, a job's state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Body over the size limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Invalid input: the error names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Too many jobs queued or running */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Job store, queue or data folder unavailable (read-only, say) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description The data folder is full */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    ready_ready_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReadyResponse"];
                };
            };
            /** @description Unsupported operation or format for this model */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Missing or invalid API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Unknown model, version or resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description The request's work passed GENSERVE_REQUEST_TIMEOUT_S */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Conflicts with the current state: a name taken by other data, a job's state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Body over the size limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Invalid input: the error names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Too many jobs queued or running */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReadyResponse"];
                };
            };
            /** @description The data folder is full */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    list_models_models_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ModelList"];
                };
            };
            /** @description Unsupported operation or format for this model */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Missing or invalid API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Unknown model, version or resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description The request's work passed GENSERVE_REQUEST_TIMEOUT_S */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Conflicts with the current state: a name taken by other data, a job's state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Body over the size limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Invalid input: the error names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Too many jobs queued or running */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Job store, queue or data folder unavailable (read-only, say) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description The data folder is full */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    get_model_models__name__get: {
        parameters: {
            query?: {
                version?: number | null;
            };
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ModelDetail"];
                };
            };
            /** @description Unsupported operation or format for this model */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Missing or invalid API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Unknown model, version or resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description The request's work passed GENSERVE_REQUEST_TIMEOUT_S */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Conflicts with the current state: a name taken by other data, a job's state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Body over the size limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Invalid input: the error names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Too many jobs queued or running */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Job store, queue or data folder unavailable (read-only, say) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description The data folder is full */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    sample_sample_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SampleRequest"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SampleResponse"];
                    "application/x-npy": unknown;
                    "image/png": unknown;
                };
            };
            /** @description Unsupported operation or format for this model */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Missing or invalid API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Unknown model, version or resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description The request's work passed GENSERVE_REQUEST_TIMEOUT_S */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Conflicts with the current state: a name taken by other data, a job's state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Body over the size limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Invalid input: the error names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Too many jobs queued or running */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Job store, queue or data folder unavailable (read-only, say) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description The data folder is full */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    encode_encode_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["EncodeRequest"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EncodeResponse"];
                };
            };
            /** @description Unsupported operation or format for this model */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Missing or invalid API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Unknown model, version or resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description The request's work passed GENSERVE_REQUEST_TIMEOUT_S */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Conflicts with the current state: a name taken by other data, a job's state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Body over the size limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Invalid input: the error names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Too many jobs queued or running */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Job store, queue or data folder unavailable (read-only, say) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description The data folder is full */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    reconstruct_reconstruct_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ReconstructRequest"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReconstructResponse"];
                    "application/x-npy": unknown;
                    "image/png": unknown;
                };
            };
            /** @description Unsupported operation or format for this model */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Missing or invalid API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Unknown model, version or resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description The request's work passed GENSERVE_REQUEST_TIMEOUT_S */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Conflicts with the current state: a name taken by other data, a job's state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Body over the size limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Invalid input: the error names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Too many jobs queued or running */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Job store, queue or data folder unavailable (read-only, say) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description The data folder is full */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    log_likelihood_log_likelihood_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["LogLikelihoodRequest"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LogLikelihoodResponse"];
                };
            };
            /** @description Unsupported operation or format for this model */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Missing or invalid API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Unknown model, version or resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description The request's work passed GENSERVE_REQUEST_TIMEOUT_S */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Conflicts with the current state: a name taken by other data, a job's state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Body over the size limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Invalid input: the error names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Too many jobs queued or running */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Job store, queue or data folder unavailable (read-only, say) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description The data folder is full */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    interpolate_interpolate_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["InterpolateRequest"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InterpolateResponse"];
                    "application/x-npy": unknown;
                    "image/png": unknown;
                };
            };
            /** @description Unsupported operation or format for this model */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Missing or invalid API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Unknown model, version or resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description The request's work passed GENSERVE_REQUEST_TIMEOUT_S */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Conflicts with the current state: a name taken by other data, a job's state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Body over the size limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Invalid input: the error names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Too many jobs queued or running */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Job store, queue or data folder unavailable (read-only, say) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description The data folder is full */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    list_jobs_jobs_get: {
        parameters: {
            query?: {
                limit?: number;
                offset?: number;
                /** @description next_cursor of a page */
                cursor?: number | null;
                status?: ("queued" | "running" | "succeeded" | "failed" | "cancelled") | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobList"];
                };
            };
            /** @description Unsupported operation or format for this model */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Missing or invalid API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Unknown model, version or resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description The request's work passed GENSERVE_REQUEST_TIMEOUT_S */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Conflicts with the current state: a name taken by other data, a job's state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Body over the size limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Invalid input: the error names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Too many jobs queued or running */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Job store, queue or data folder unavailable (read-only, say) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description The data folder is full */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    submit_job_jobs_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["JobRequest"];
            };
        };
        responses: {
            /** @description Successful Response */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobSummary"];
                };
            };
            /** @description Unsupported operation or format for this model */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Missing or invalid API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Unknown model, version or resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description The request's work passed GENSERVE_REQUEST_TIMEOUT_S */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Conflicts with the current state: a name taken by other data, a job's state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Body over the size limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Invalid input: the error names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Too many jobs queued or running */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Job store, queue or data folder unavailable (read-only, say) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description The data folder is full */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    get_job_jobs__job_id__get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobDetail"];
                };
            };
            /** @description Unsupported operation or format for this model */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Missing or invalid API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Unknown model, version or resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description The request's work passed GENSERVE_REQUEST_TIMEOUT_S */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Conflicts with the current state: a name taken by other data, a job's state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Body over the size limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Invalid input: the error names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Too many jobs queued or running */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Job store, queue or data folder unavailable (read-only, say) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description The data folder is full */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    cancel_job_jobs__job_id__delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobSummary"];
                };
            };
            /** @description Unsupported operation or format for this model */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Missing or invalid API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Unknown model, version or resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description The request's work passed GENSERVE_REQUEST_TIMEOUT_S */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Conflicts with the current state: a name taken by other data, a job's state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Body over the size limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Invalid input: the error names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Too many jobs queued or running */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Job store, queue or data folder unavailable (read-only, say) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description The data folder is full */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    job_events_jobs__job_id__events_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Unsupported operation or format for this model */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Missing or invalid API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Unknown model, version or resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description The request's work passed GENSERVE_REQUEST_TIMEOUT_S */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Conflicts with the current state: a name taken by other data, a job's state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Body over the size limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Invalid input: the error names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Too many jobs queued or running */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Job store, queue or data folder unavailable (read-only, say) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description The data folder is full */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    list_datasets_datasets_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DatasetList"];
                };
            };
            /** @description Unsupported operation or format for this model */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Missing or invalid API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Unknown model, version or resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description The request's work passed GENSERVE_REQUEST_TIMEOUT_S */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Conflicts with the current state: a name taken by other data, a job's state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Body over the size limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Invalid input: the error names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Too many jobs queued or running */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Job store, queue or data folder unavailable (read-only, say) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description The data folder is full */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    upload_dataset_datasets_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": components["schemas"]["Body_upload_dataset_datasets_post"];
            };
        };
        responses: {
            /** @description The same data, uploaded before */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DatasetSummary"];
                };
            };
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DatasetSummary"];
                };
            };
            /** @description Unsupported operation or format for this model */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Missing or invalid API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Unknown model, version or resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description The request's work passed GENSERVE_REQUEST_TIMEOUT_S */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Conflicts with the current state: a name taken by other data, a job's state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Body over the size limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Invalid input: the error names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Too many jobs queued or running */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Job store, queue or data folder unavailable (read-only, say) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description The data folder is full */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    get_dataset_datasets__name__get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DatasetSummary"];
                };
            };
            /** @description Unsupported operation or format for this model */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Missing or invalid API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Unknown model, version or resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description The request's work passed GENSERVE_REQUEST_TIMEOUT_S */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Conflicts with the current state: a name taken by other data, a job's state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Body over the size limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Invalid input: the error names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Too many jobs queued or running */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Job store, queue or data folder unavailable (read-only, say) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description The data folder is full */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    get_components_models__name__components_get: {
        parameters: {
            query?: {
                /** @description Omitted, the latest version. */
                version?: number | null;
                include_covariances?: boolean;
            };
            header?: never;
            path: {
                /** @description A served model's name. */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ComponentsResponse"];
                };
            };
            /** @description Unsupported operation or format for this model */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Missing or invalid API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Unknown model, version or resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description The request's work passed GENSERVE_REQUEST_TIMEOUT_S */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Conflicts with the current state: a name taken by other data, a job's state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Body over the size limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Invalid input: the error names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Too many jobs queued or running */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Job store, queue or data folder unavailable (read-only, say) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description The data folder is full */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    get_density_models__name__density_get: {
        parameters: {
            query?: {
                /** @description Omitted, the latest version. */
                version?: number | null;
                resolution?: number;
                importance_samples?: number;
                /** @description Give all four of x_min, x_max, y_min, y_max (with x_min < x_max, y_min < y_max), or none for where the model's samples fall. */
                x_min?: number | null;
                /** @description Give all four of x_min, x_max, y_min, y_max (with x_min < x_max, y_min < y_max), or none for where the model's samples fall. */
                x_max?: number | null;
                /** @description Give all four of x_min, x_max, y_min, y_max (with x_min < x_max, y_min < y_max), or none for where the model's samples fall. */
                y_min?: number | null;
                /** @description Give all four of x_min, x_max, y_min, y_max (with x_min < x_max, y_min < y_max), or none for where the model's samples fall. */
                y_max?: number | null;
            };
            header?: never;
            path: {
                /** @description A served model's name. */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DensityGridResponse"];
                };
            };
            /** @description Unsupported operation or format for this model */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Missing or invalid API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Unknown model, version or resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description The request's work passed GENSERVE_REQUEST_TIMEOUT_S */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Conflicts with the current state: a name taken by other data, a job's state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Body over the size limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Invalid input: the error names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Too many jobs queued or running */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Job store, queue or data folder unavailable (read-only, say) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description The data folder is full */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    get_reference_models__name__reference_get: {
        parameters: {
            query?: {
                /** @description Omitted, the latest version. */
                version?: number | null;
                importance_samples?: number;
            };
            header?: never;
            path: {
                /** @description A served model's name. */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReferenceResponse"];
                };
            };
            /** @description Unsupported operation or format for this model */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Missing or invalid API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Unknown model, version or resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description The request's work passed GENSERVE_REQUEST_TIMEOUT_S */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Conflicts with the current state: a name taken by other data, a job's state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Body over the size limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Invalid input: the error names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Too many jobs queued or running */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Job store, queue or data folder unavailable (read-only, say) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description The data folder is full */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    get_metrics_metrics_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Unsupported operation or format for this model */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Missing or invalid API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Unknown model, version or resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description The request's work passed GENSERVE_REQUEST_TIMEOUT_S */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Conflicts with the current state: a name taken by other data, a job's state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Body over the size limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Invalid input: the error names the field and the rule */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Too many jobs queued or running */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description Job store, queue or data folder unavailable (read-only, say) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description The data folder is full */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
}
