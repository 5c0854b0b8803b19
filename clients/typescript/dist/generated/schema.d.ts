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
        /**
         * List Models
         * @description Every model at its stable version (or its newest, when no version passed the gate).
         */
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
        /**
         * Get Model
         * @description The model at ``version``; omitted, its stable version, or its newest when none passed
         *     the gate (``aliases`` then has no ``stable``).
         */
        get: operations["get_model_models__name__get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/models/{name}/aliases/{alias}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Set Alias
         * @description Point an alias at a version: ``stable`` promotes it (or rolls back to it) for requests
         *     without a version. Every API process sees the move within ``GENSERVE_RELOAD_INTERVAL_S``.
         */
        put: operations["set_alias_models__name__aliases__alias__put"];
        post?: never;
        /**
         * Delete Alias
         * @description Remove an alias. Without a ``stable`` alias, stable is the newest version that passed
         *     its gate (or was shipped).
         */
        delete: operations["delete_alias_models__name__aliases__alias__delete"];
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
         * @description Draw ``n`` samples; ``seed`` makes them reproducible. A conditional model's answer names each sample's class in labels (given, or drawn from p(y)): the same seed with those labels draws the same samples.
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
         * @description VAE: the posterior q(z|x). GMM: the responsibilities p(k|x). A conditional model: within the class given in labels, or else the most probable one (the answer's labels say which).
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
    "/classify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Classify
         * @description p(y | x) for every class of a conditional model, by Bayes' rule from its class-conditional densities log p(x | y) (exact for a class-conditional GMM, importance-weighted with k samples for a CVAE), and the predicted class.
         */
        post: operations["classify_classify_post"];
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
         * @description ``progress`` after each epoch or EM iteration, ``requeued`` when a stopping worker
         *     gives the job back, ``status`` on each change; the stream ends after the status event of a
         *     finished job, or with a ``closing`` event when this server shuts down.
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
    "/kinds": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List Kinds
         * @description Every installed model kind (entry-point group ``genserve.models``), with the JSON
         *     schemas of a job's params: its hyper-parameters and its training options side by side.
         */
        get: operations["list_kinds_kinds_get"];
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
         *     Admitted and timed like inference (``app.admission``): 429 when the server is busy.
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
         *     view of the VAE's latent means; ``importance_samples`` is one of a few allowed values
         *     (``GENSERVE_REFERENCE_IMPORTANCE_SAMPLES``), each computed once per model version and
         *     cached. Admitted and timed like inference; a computation that passes the timeout still
         *     fills the cache for the next ask.
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
        /**
         * AliasRequest
         * @example {
         *       "version": 2
         *     }
         */
        AliasRequest: {
            /**
             * Version
             * @description The version the alias points at from now on.
             */
            version: number;
        };
        /** AliasesResponse */
        AliasesResponse: {
            /** Model */
            model: string;
            /**
             * Aliases
             * @description Every alias of the model after the change.
             */
            aliases: {
                [key: string]: number;
            };
        };
        /** Body_upload_dataset_datasets_post */
        Body_upload_dataset_datasets_post: {
            /**
             * File
             * @description The file name's suffix says the format: .npy, .npz (array x, optionally x_test), .csv, .zip of PNGs, or MNIST IDX (.idx, -ubyte, optionally .gz); other bytes are refused.
             */
            file: string;
            /**
             * Name
             * @description Lower case, digits, -_. and not a built-in dataset's name; defaults to the file name's stem.
             */
            name?: string | null;
            /**
             * Test File
             * @description The published test split, in the same format (e.g. MNIST's t10k-images-idx3-ubyte.gz beside train-images); an .npz brings its own x_test
             */
            test_file?: string | null;
            /**
             * Labels File
             * @description One label per training example: IDX (MNIST's train-labels-idx1-ubyte.gz) or a 1-D .npy; an .npz brings its own y_train/y, a CSV its label column, a zip of PNGs its class folders
             */
            labels_file?: string | null;
            /**
             * Test Labels File
             * @description One label per test_file example (e.g. t10k-labels-idx1-ubyte.gz)
             */
            test_labels_file?: string | null;
            /**
             * Label Column
             * @description CSV only: the column holding integer class labels, by header name or 0-based index; by default a header cell named label or y
             */
            label_column?: string | null;
        };
        /** CGMMJobRequest */
        CGMMJobRequest: {
            /**
             * @description Which model to train. (enum property replaced by openapi-typescript)
             * @enum {string}
             */
            kind: "cgmm";
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
            /** @description The CGMM's hyper-parameters and training options; omitted ones take their defaults. */
            params?: components["schemas"]["CGMMParams"];
            /**
             * Promote
             * @description Whether the new version becomes 'stable' (what requests without a version get): auto when it passes the training gate (not collapsed, beats the baseline, not worse than the stable version); always skips the gate; never keeps it unpromoted. Either way the version is stored and answers when named.
             * @default auto
             * @enum {string}
             */
            promote?: "auto" | "always" | "never";
            /** @description Kinds that support a warm start (the VAE; GET /kinds): start from this model's weights (and architecture) instead of a random initialisation, e.g. to train a served model further or under the IWAE bound. */
            init_from?: components["schemas"]["WarmStart"] | null;
        };
        /**
         * CGMMParams
         * @description Parameters of a cgmm job: CGMMHyperparameters and SplitOptions, side by side. Every one is optional.
         */
        CGMMParams: {
            /**
             * N Components
             * @description Mixture components per class (at most 2000).
             * @default 2
             */
            n_components?: number;
            /**
             * Covariance Type
             * @default full
             * @enum {string}
             */
            covariance_type?: "full" | "diag" | "spherical" | "tied";
            /**
             * Reg Covar
             * @description Added to covariance diagonals: keeps components from collapsing onto a few points and regularises D x D covariances fitted on few rows.
             * @default 0.001
             */
            reg_covar?: number;
            /**
             * Tol
             * @description Stop when |delta mean log p(x)| < tol.
             * @default 0.001
             */
            tol?: number;
            /**
             * Max Iter
             * @description EM iterations per restart (at most 10,000).
             * @default 100
             */
            max_iter?: number;
            /**
             * N Init
             * @description Restarts; the best lower bound is kept (at most 20).
             * @default 3
             */
            n_init?: number;
            /**
             * Seed
             * @description Seeds the k-means++ initialisation.
             * @default 0
             */
            seed?: number;
            /**
             * Chunk Size
             * @description Rows per chunk in E and M steps.
             * @default 2048
             */
            chunk_size?: number;
            /**
             * Dtype
             * @description Arithmetic of EM's E-step and the statistics' matrix products: float32 is about 2x faster on a CPU (more on a GPU) and its held-out log-likelihood matches float64's to 1e-5 (bench/gmm_fit.py); the sums over chunks, the M-step and the fitted parameters stay float64 either way. float64 reproduces scikit-learn to 1e-10.
             * @default float32
             * @enum {string}
             */
            dtype?: "float64" | "float32";
            /**
             * Test Fraction
             * @default 0.25
             */
            test_fraction?: number;
            /**
             * Split Seed
             * @default 0
             */
            split_seed?: number;
            /**
             * Binarize
             * @description Binarise discrete images: dynamic, static or threshold.
             */
            binarize?: ("dynamic" | "static" | "threshold") | null;
        };
        /** CVAEJobRequest */
        CVAEJobRequest: {
            /**
             * @description Which model to train. (enum property replaced by openapi-typescript)
             * @enum {string}
             */
            kind: "cvae";
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
            /** @description The CVAE's hyper-parameters and training options; omitted ones take their defaults. */
            params?: components["schemas"]["CVAEParams"];
            /**
             * Promote
             * @description Whether the new version becomes 'stable' (what requests without a version get): auto when it passes the training gate (not collapsed, beats the baseline, not worse than the stable version); always skips the gate; never keeps it unpromoted. Either way the version is stored and answers when named.
             * @default auto
             * @enum {string}
             */
            promote?: "auto" | "always" | "never";
            /** @description Kinds that support a warm start (the VAE; GET /kinds): start from this model's weights (and architecture) instead of a random initialisation, e.g. to train a served model further or under the IWAE bound. */
            init_from?: components["schemas"]["WarmStart"] | null;
        };
        /**
         * CVAEParams
         * @description Parameters of a cvae job: CVAEHyperparameters and VAETrainingOptions, side by side. Every one is optional.
         */
        CVAEParams: {
            /**
             * Latent Dim
             * @description Dimension L of the latent z (at most 512). Units the data do not need stay inactive (see the active_units metric), so a generous L costs little.
             * @default 16
             */
            latent_dim?: number;
            /**
             * Hidden Sizes
             * @description Encoder hidden widths (the decoder mirrors them); [] = linear maps. At most 8 layers of at most 4096 units.
             */
            hidden_sizes?: number[];
            /**
             * Architecture
             * @description 'conv': stride-2 convolutions before the hidden layers (images only).
             * @default mlp
             * @enum {string}
             */
            architecture?: "mlp" | "conv";
            /**
             * Channels
             * @description Conv only: channels of each stride-2 3x3 convolution (each halves H, W). At most 6 convolutions of at most 512 channels.
             */
            channels?: number[];
            /**
             * Likelihood
             * @default gaussian
             * @enum {string}
             */
            likelihood?: "bernoulli" | "gaussian";
            /**
             * Beta
             * @description Weight of the KL term in the ELBO (finite; 1 is the true bound, larger values push towards an unused latent space).
             * @default 1
             */
            beta?: number;
            /**
             * Activation
             * @default relu
             * @enum {string}
             */
            activation?: "relu" | "tanh" | "elu";
            /**
             * Min Log Var
             * @description Floor of the Gaussian decoder's learned log-variance (-20 to 5). Lower floors let always-black pixels of 8-bit images be modelled more tightly, but a rare non-zero value then costs thousands of nats: -14 collapsed an MNIST upload to 2 active units where -9 and -11 gave 16.
             * @default -9
             */
            min_log_var?: number;
            /**
             * Iw Chunk Size
             * @description Importance samples evaluated together in one chunk (at most 4096; the chunk is cut further to keep about 2^19 floats per block).
             * @default 256
             */
            iw_chunk_size?: number;
            /** @description A GMM fitted to the training set's latent means, if any. */
            latent_prior?: components["schemas"]["LatentPriorSpec"] | null;
            /**
             * Test Fraction
             * @default 0.25
             */
            test_fraction?: number;
            /**
             * Split Seed
             * @default 0
             */
            split_seed?: number;
            /**
             * Binarize
             * @description Binarise discrete images: dynamic, static or threshold.
             */
            binarize?: ("dynamic" | "static" | "threshold") | null;
            /**
             * Epochs
             * @description Passes over the training split (at most 10000). Leave out (with steps) for the default budget; give one of epochs and steps, not both.
             */
            epochs?: number | null;
            /**
             * Steps
             * @description Optimisation steps (at most 200,000), rounded up to whole epochs. Default: 20 epochs' worth, at least 3,000 and at most 12,000 (digits: 3,003; MNIST: 7,000-9,400).
             */
            steps?: number | null;
            /**
             * Batch Size
             * @description Examples per step (at most 4096; default 128, or the training split if smaller).
             */
            batch_size?: number | null;
            /**
             * Learning Rate
             * @default 0.001
             */
            learning_rate?: number;
            /**
             * Lr Schedule
             * @description After the warm-up (lr_warmup_fraction), cosine: anneal to min_learning_rate by the last step; constant: keep learning_rate.
             * @default cosine
             * @enum {string}
             */
            lr_schedule?: "constant" | "cosine";
            /**
             * Min Learning Rate
             * @default 0.00001
             */
            min_learning_rate?: number;
            /**
             * Lr Warmup Fraction
             * @description Share of the steps over which the learning rate rises linearly to learning_rate (Adam's first steps are large; 0 disables).
             * @default 0.02
             */
            lr_warmup_fraction?: number;
            /**
             * Kl Warmup Steps
             * @description KL warm-up (deterministic annealing, Sonderby et al. 2016): the KL weight rises linearly from 0 to beta over these steps. Default: the first third of the budget (digits: 1,001 steps; 0 disables). It keeps the encoder from switching its units off before the decoder can use them (posterior collapse): raise it when the active_units metric is low. ELBO objective only.
             */
            kl_warmup_steps?: number | null;
            /**
             * Free Bits
             * @description Free bits (Kingma et al. 2016, 'Improved Variational Inference with Inverse Autoregressive Flow', eq. 15), nats per latent dimension: a dimension's batch-mean KL below this costs nothing, so the encoder has no reason to switch it off. Use 0.1-0.5 when units collapse; 0 is the true ELBO. ELBO objective only.
             * @default 0
             */
            free_bits?: number;
            /**
             * Objective
             * @description iwae: the importance-weighted bound with train_k samples.
             * @default elbo
             * @enum {string}
             */
            objective?: "elbo" | "iwae";
            /**
             * Train K
             * @description Importance samples per example for the iwae objective (at most 1,000: memory grows with batch_size x train_k).
             * @default 1
             */
            train_k?: number;
            /**
             * Precision
             * @description bfloat16: the networks' matrix products in bfloat16 (autocast), the likelihoods, KL and weights in float32. About 1.4x the samples per second where the hardware has bfloat16 units (AVX512-BF16 or AMX CPUs, Ampere+ GPUs), slower elsewhere.
             * @default float32
             * @enum {string}
             */
            precision?: "float32" | "bfloat16";
            /**
             * Seed
             * @default 0
             */
            seed?: number;
            /**
             * Eval Importance Samples
             * @description k of the held-out IWAE bound (at most 100,000); the evaluation runs in blocks that report progress and see a cancel. Default: 1,000, or fewer (not under 100) so that n_test x k stays under 2,000,000 (MNIST's 10,000 test images: k = 200).
             */
            eval_importance_samples?: number | null;
            /**
             * Checkpoint Every
             * @description Epochs between checkpoints.
             * @default 0
             */
            checkpoint_every?: number;
            /**
             * Latent Prior Components
             * @description Fit a GMM with this many components (at most 100) to the latent means after training (0: none); /sample then takes prior='gmm'.
             * @default 0
             */
            latent_prior_components?: number;
            /**
             * Early Stopping Patience
             * @description Stop once the validation ELBO has not beaten its best by early_stopping_min_delta for this many checks in a row (at most 1000), and keep the best check's weights. 0 (the default): train the whole budget, with no validation split. Every check competes for the best weights from the first; patience counts only the checks after the KL warm-up.
             * @default 0
             */
            early_stopping_patience?: number;
            /**
             * Early Stopping Min Delta
             * @description Nats per example by which the validation ELBO must beat its best to count as an improvement.
             * @default 0.1
             */
            early_stopping_min_delta?: number;
            /**
             * Validation Fraction
             * @description Share of the training split held back for early stopping's checks (0.01 to 0.5, and at least 10 rows; the test split is never used). Only with early_stopping_patience.
             * @default 0.1
             */
            validation_fraction?: number;
            /**
             * Validation Every
             * @description Optimisation steps between validation checks, rounded up to whole epochs. Default: a 50th of the budget.
             */
            validation_every?: number | null;
        };
        /**
         * ClassifyRequest
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
         *       "model": "digits-cgmm"
         *     }
         */
        ClassifyRequest: {
            /**
             * Model
             * @description Model name; omitted, the default model.
             * @example digits-vae
             */
            model?: string | null;
            /**
             * Version
             * @description A version number or an alias ('stable', or one set with PUT /models/{name}/aliases/{alias}); omitted, the stable version.
             */
            version?: number | string | null;
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
             * @description k for each class's importance-weighted log p(x | y) (a CVAE; exact densities ignore it). Costs k passes per example and class.
             * @default 100
             */
            importance_samples?: number;
            /** Seed */
            seed?: number | null;
        };
        /** ClassifyResponse */
        ClassifyResponse: {
            /** Model */
            model: string;
            /** Version */
            version: number;
            /**
             * Classes
             * @description The model's classes, in index order.
             */
            classes: string[];
            /**
             * Probabilities
             * @description p(y | x) per example, by class name (each sums to 1; Bayes' rule).
             */
            probabilities: {
                [key: string]: number;
            }[];
            /**
             * Predicted
             * @description The most probable class of each example.
             */
            predicted: string[];
            /**
             * Log Likelihood Per Class
             * @description log p(x | y) per example and class, nats.
             */
            log_likelihood_per_class: {
                [key: string]: number;
            }[];
            /**
             * Log Prior
             * @description log p(y): the training split's shares.
             */
            log_prior: {
                [key: string]: number;
            };
            /** Estimator */
            estimator: string;
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
            /**
             * N
             * @description Examples (of an upload: its training examples).
             */
            n: number;
            /**
             * N Test
             * @description Examples of the published test split kept with the upload (an .npz's x_test, or test_file); null: jobs hold out params.test_fraction of the n examples.
             */
            n_test?: number | null;
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
            /**
             * Classes
             * @description Class names, when the data are labelled (an .npz's y_train/y, IDX labels files, a CSV label column, a zip's class folders, digits' targets); null otherwise.
             */
            classes?: string[] | null;
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
             * @description A version number or an alias ('stable', or one set with PUT /models/{name}/aliases/{alias}); omitted, the stable version.
             */
            version?: number | string | null;
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
             * Labels
             * @description Conditional models only: the class of each example (name or index), one per example or one for all; omitted, each example's most probable class under the model (the answer's labels say which were used).
             */
            labels?: (number | string)[] | null;
        };
        /** EncodeResponse */
        EncodeResponse: {
            /** Model */
            model: string;
            /** Version */
            version: number;
            /**
             * Encoding
             * @description VAE: mean and log_var of q(z|x). GMM: responsibilities, component, component_log_density. CVAE: mean and log_var of q(z|x, y). Class-conditional GMM: class_probabilities p(y|x), and responsibilities and component within the class y.
             */
            encoding: {
                [key: string]: unknown[];
            };
            /**
             * Labels
             * @description Conditional models only: the class of each row, by name: the labels given, or else each example's most probable class. Absent for other models, and not sent with a binary (npy, grid) answer.
             */
            labels?: string[] | null;
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
        /** GMMJobRequest */
        GMMJobRequest: {
            /**
             * @description Which model to train. (enum property replaced by openapi-typescript)
             * @enum {string}
             */
            kind: "gmm";
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
            /** @description The GMM's hyper-parameters and training options; omitted ones take their defaults. */
            params?: components["schemas"]["GMMParams"];
            /**
             * Promote
             * @description Whether the new version becomes 'stable' (what requests without a version get): auto when it passes the training gate (not collapsed, beats the baseline, not worse than the stable version); always skips the gate; never keeps it unpromoted. Either way the version is stored and answers when named.
             * @default auto
             * @enum {string}
             */
            promote?: "auto" | "always" | "never";
            /** @description Kinds that support a warm start (the VAE; GET /kinds): start from this model's weights (and architecture) instead of a random initialisation, e.g. to train a served model further or under the IWAE bound. */
            init_from?: components["schemas"]["WarmStart"] | null;
        };
        /**
         * GMMParams
         * @description Parameters of a gmm job: GMMHyperparameters and SplitOptions, side by side. Every one is optional.
         */
        GMMParams: {
            /**
             * N Components
             * @description Number of mixture components K (at most 2000).
             * @default 10
             */
            n_components?: number;
            /**
             * Covariance Type
             * @default full
             * @enum {string}
             */
            covariance_type?: "full" | "diag" | "spherical" | "tied";
            /**
             * Reg Covar
             * @description Added to covariance diagonals: keeps components from collapsing onto a few points and regularises D x D covariances fitted on few rows.
             * @default 0.001
             */
            reg_covar?: number;
            /**
             * Tol
             * @description Stop when |delta mean log p(x)| < tol.
             * @default 0.001
             */
            tol?: number;
            /**
             * Max Iter
             * @description EM iterations per restart (at most 10,000).
             * @default 100
             */
            max_iter?: number;
            /**
             * N Init
             * @description Restarts; the best lower bound is kept (at most 20).
             * @default 3
             */
            n_init?: number;
            /**
             * Seed
             * @description Seeds the k-means++ initialisation.
             * @default 0
             */
            seed?: number;
            /**
             * Chunk Size
             * @description Rows per chunk in E and M steps.
             * @default 2048
             */
            chunk_size?: number;
            /**
             * Dtype
             * @description Arithmetic of EM's E-step and the statistics' matrix products: float32 is about 2x faster on a CPU (more on a GPU) and its held-out log-likelihood matches float64's to 1e-5 (bench/gmm_fit.py); the sums over chunks, the M-step and the fitted parameters stay float64 either way. float64 reproduces scikit-learn to 1e-10.
             * @default float32
             * @enum {string}
             */
            dtype?: "float64" | "float32";
            /**
             * Test Fraction
             * @default 0.25
             */
            test_fraction?: number;
            /**
             * Split Seed
             * @default 0
             */
            split_seed?: number;
            /**
             * Binarize
             * @description Binarise discrete images: dynamic, static or threshold.
             */
            binarize?: ("dynamic" | "static" | "threshold") | null;
        };
        /**
         * GateInfo
         * @description The training gate's verdict on a version (see docs: the gate's rules).
         */
        GateInfo: {
            /**
             * Passed
             * @description Whether every check held.
             */
            passed: boolean;
            /**
             * Reasons
             * @description Why it failed; when it passed, what was checked.
             */
            reasons: string[];
            /**
             * Policy
             * @description The job's promote field: auto lets the gate decide.
             * @enum {string}
             */
            policy: "auto" | "always" | "never";
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
             * @description A version number or an alias ('stable', or one set with PUT /models/{name}/aliases/{alias}); omitted, the stable version.
             */
            version?: number | string | null;
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
            /**
             * Labels
             * @description Conditional models only: [from, to], the classes of the path's two ends (name or index). With one example, x is held fixed while y moves from one to the other (the same style, another class).
             */
            labels?: (number | string)[] | null;
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
             * @description One entry per epoch (VAE: train_loss, test_elbo; validation_elbo at early stopping's checks) or EM iteration (GMM: train_log_likelihood, train_loss), each with step, phase 'training', progress and elapsed_s; then a VAE's one 'evaluating' entry, moved as its final evaluation runs. An entry of phase 'requeued' says that an attempt's worker stopped and where the job resumes (resume_epoch): the epochs before it are kept, those after it were trained again.
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
         * @description A training job: its params are the kind's (one schema per kind).
         * @example {
         *       "dataset": "digits",
         *       "kind": "cgmm",
         *       "name": "my-digits-cgmm",
         *       "params": {
         *         "max_iter": 50,
         *         "n_components": 2
         *       }
         *     }
         * @example {
         *       "dataset": "digits",
         *       "kind": "cvae",
         *       "name": "my-digits-cvae",
         *       "params": {
         *         "epochs": 5,
         *         "eval_importance_samples": 20,
         *         "hidden_sizes": [
         *           64
         *         ],
         *         "latent_dim": 4
         *       }
         *     }
         * @example {
         *       "dataset": "pinwheel",
         *       "kind": "gmm",
         *       "name": "my-pinwheel-gmm",
         *       "params": {
         *         "max_iter": 50,
         *         "n_components": 5
         *       }
         *     }
         * @example {
         *       "dataset": "digits",
         *       "kind": "vae",
         *       "name": "my-digits-vae",
         *       "params": {
         *         "epochs": 5,
         *         "eval_importance_samples": 50,
         *         "hidden_sizes": [
         *           64
         *         ],
         *         "latent_dim": 4
         *       }
         *     }
         * @example {
         *       "dataset": "digits",
         *       "kind": "ppca",
         *       "name": "my-digits-ppca",
         *       "params": {
         *         "n_components": 30
         *       }
         *     }
         */
        JobRequest: components["schemas"]["CGMMJobRequest"] | components["schemas"]["CVAEJobRequest"] | components["schemas"]["GMMJobRequest"] | components["schemas"]["VAEJobRequest"] | components["schemas"]["PPCAJobRequest"];
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
            /**
             * Promoted
             * @description Whether the version became stable. False: stored and served only when named; gate.reasons says why.
             * @default true
             */
            promoted?: boolean;
            /** @description The training gate's verdict. */
            gate?: components["schemas"]["GateInfo"] | null;
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
        /** KindInfo */
        KindInfo: {
            /**
             * Kind
             * @description What POST /jobs takes as kind, and config.json records.
             */
            kind: string;
            /** Title */
            title: string;
            /** Description */
            description: string;
            /**
             * Capabilities
             * @description The operations its models answer.
             */
            capabilities: string[];
            /**
             * Supports Warm Start
             * @description Whether a job may give init_from.
             */
            supports_warm_start: boolean;
            /**
             * Hyperparameters
             * @description JSON schema of its hyper-parameters.
             */
            hyperparameters: {
                [key: string]: unknown;
            };
            /**
             * Options
             * @description JSON schema of its training options.
             */
            options: {
                [key: string]: unknown;
            };
            /**
             * Example
             * @description A quick job's dataset and params.
             */
            example: {
                [key: string]: unknown;
            };
        };
        /** KindList */
        KindList: {
            /** Kinds */
            kinds: components["schemas"]["KindInfo"][];
        };
        /**
         * LatentPriorSpec
         * @description Ex-post density estimation in latent space (Ghosh et al. 2019, "From Variational to
         *     Deterministic Autoencoders", section 4): a GMM on the posterior means of the training set.
         */
        LatentPriorSpec: {
            /**
             * N Components
             * @default 10
             */
            n_components?: number;
            /**
             * Covariance Type
             * @default full
             * @enum {string}
             */
            covariance_type?: "full" | "diag" | "spherical" | "tied";
            /**
             * Reg Covar
             * @default 0.000001
             */
            reg_covar?: number;
            /**
             * Seed
             * @default 0
             */
            seed?: number;
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
             * @description A version number or an alias ('stable', or one set with PUT /models/{name}/aliases/{alias}); omitted, the stable version.
             */
            version?: number | string | null;
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
            /**
             * Labels
             * @description Conditional models only: one class per example (name or index) for log p(x | y); omitted, log p(x) = logsumexp_y [log p(x | y) + log p(y)].
             */
            labels?: (number | string)[] | null;
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
             * @description The model kind: an installed one (GET /kinds).
             */
            kind: string;
            /**
             * Kind Title
             * @description What the kind is, in words: 'Gaussian mixture'.
             */
            kind_title: string;
            /**
             * Version
             * @description The version described: stable unless another was asked.
             */
            version: number;
            /** Versions */
            versions: number[];
            /**
             * Aliases
             * @description 'stable' (what requests without a version get; absent when no version passed the gate) and every named alias.
             */
            aliases?: {
                [key: string]: number;
            };
            /** @description This version's gate verdict; null for shipped versions. */
            gate?: components["schemas"]["GateInfo"] | null;
            /**
             * Version Info
             * @description Every loaded version, oldest first, with its verdict.
             */
            version_info?: components["schemas"]["VersionInfo"][];
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
            /**
             * Conditional
             * @description Takes 'labels' (/sample, /encode, /reconstruct, /log-likelihood, /interpolate) and answers /classify.
             * @default false
             */
            conditional?: boolean;
            /**
             * Classes
             * @description Class names of the training data, in index order (labels are these names or their indices); null for unlabelled data.
             */
            classes?: string[] | null;
            /**
             * Views
             * @description The page's views beyond the operations: 'components' (GET /models/{name}/components), 'latent' (the latent map in /models/{name}/reference).
             */
            views: string[];
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
             * @description The model kind: an installed one (GET /kinds).
             */
            kind: string;
            /**
             * Kind Title
             * @description What the kind is, in words: 'Gaussian mixture'.
             */
            kind_title: string;
            /**
             * Version
             * @description The version described: stable unless another was asked.
             */
            version: number;
            /** Versions */
            versions: number[];
            /**
             * Aliases
             * @description 'stable' (what requests without a version get; absent when no version passed the gate) and every named alias.
             */
            aliases?: {
                [key: string]: number;
            };
            /** @description This version's gate verdict; null for shipped versions. */
            gate?: components["schemas"]["GateInfo"] | null;
            /**
             * Version Info
             * @description Every loaded version, oldest first, with its verdict.
             */
            version_info?: components["schemas"]["VersionInfo"][];
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
            /**
             * Conditional
             * @description Takes 'labels' (/sample, /encode, /reconstruct, /log-likelihood, /interpolate) and answers /classify.
             * @default false
             */
            conditional?: boolean;
            /**
             * Classes
             * @description Class names of the training data, in index order (labels are these names or their indices); null for unlabelled data.
             */
            classes?: string[] | null;
            /**
             * Views
             * @description The page's views beyond the operations: 'components' (GET /models/{name}/components), 'latent' (the latent map in /models/{name}/reference).
             */
            views: string[];
            /** Formats */
            formats: string[];
            /** Dataset */
            dataset: string;
            /** Metrics */
            metrics: {
                [key: string]: unknown;
            };
        };
        /** PPCAJobRequest */
        PPCAJobRequest: {
            /**
             * @description Which model to train. (enum property replaced by openapi-typescript)
             * @enum {string}
             */
            kind: "ppca";
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
            /** @description The PPCA's hyper-parameters and training options; omitted ones take their defaults. */
            params?: components["schemas"]["PPCAParams"];
            /**
             * Promote
             * @description Whether the new version becomes 'stable' (what requests without a version get): auto when it passes the training gate (not collapsed, beats the baseline, not worse than the stable version); always skips the gate; never keeps it unpromoted. Either way the version is stored and answers when named.
             * @default auto
             * @enum {string}
             */
            promote?: "auto" | "always" | "never";
            /** @description Kinds that support a warm start (the VAE; GET /kinds): start from this model's weights (and architecture) instead of a random initialisation, e.g. to train a served model further or under the IWAE bound. */
            init_from?: components["schemas"]["WarmStart"] | null;
        };
        /**
         * PPCAParams
         * @description Parameters of a ppca job: PPCAHyperparameters and SplitOptions, side by side. Every one is optional.
         */
        PPCAParams: {
            /**
             * N Components
             * @description Latent dimension q, fewer than the data's dimensions and training rows. Default: the fewest components that explain explained_variance of the variance.
             */
            n_components?: number | null;
            /**
             * Explained Variance
             * @description With n_components unset: the share of the variance that q components must explain (digits: 0.95 keeps 29 of 64 dimensions).
             * @default 0.95
             */
            explained_variance?: number;
            /**
             * Ddof
             * @description Divide the scatter matrix by N - ddof: 1 as scikit-learn's PCA (whose score this then reproduces), 0 for the exact maximum-likelihood estimate.
             * @default 1
             * @enum {integer}
             */
            ddof?: 0 | 1;
            /**
             * Test Fraction
             * @default 0.25
             */
            test_fraction?: number;
            /**
             * Split Seed
             * @default 0
             */
            split_seed?: number;
            /**
             * Binarize
             * @description Binarise discrete images: dynamic, static or threshold.
             */
            binarize?: ("dynamic" | "static" | "threshold") | null;
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
             * @description A version number or an alias ('stable', or one set with PUT /models/{name}/aliases/{alias}); omitted, the stable version.
             */
            version?: number | string | null;
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
            /**
             * Labels
             * @description Conditional models only: the class of each example (name or index), one per example or one for all; omitted, each example's most probable class under the model (the answer's labels say which were used).
             */
            labels?: (number | string)[] | null;
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
            /**
             * Labels
             * @description Conditional models only: the class of each row, by name: the labels given, or else each example's most probable class. Absent for other models, and not sent with a binary (npy, grid) answer.
             */
            labels?: string[] | null;
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
             * @description A version number or an alias ('stable', or one set with PUT /models/{name}/aliases/{alias}); omitted, the stable version.
             */
            version?: number | string | null;
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
             * Labels
             * @description Conditional models only: the class of each sample, by name or index; one per sample, or one for all n. Omitted: classes drawn from the class prior p(y).
             * @example [
             *       "7"
             *     ]
             */
            labels?: (number | string)[] | null;
            /**
             * Format
             * @description array: nested lists; png: one base64 PNG per sample; grid: one PNG image; npy: a float32 .npy body; base64: float32 little-endian bytes, base64 in 'samples'; uint8: image models' value range as 0-255 bytes, base64 in 'samples'.
             * @default array
             * @enum {string}
             */
            format?: "array" | "png" | "grid" | "npy" | "base64" | "uint8";
            /**
             * Scale
             * @description grid only: each pixel drawn as a scale x scale block (nearest neighbour), so a grid of 8x8 digits is large enough to see.
             * @default 1
             */
            scale?: number;
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
            /**
             * Labels
             * @description Conditional models only: the class of each row, by name: the labels given, or else the classes drawn from p(y). Absent for other models, and not sent with a binary (npy, grid) answer.
             */
            labels?: string[] | null;
        };
        /** VAEJobRequest */
        VAEJobRequest: {
            /**
             * @description Which model to train. (enum property replaced by openapi-typescript)
             * @enum {string}
             */
            kind: "vae";
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
            /** @description The VAE's hyper-parameters and training options; omitted ones take their defaults. */
            params?: components["schemas"]["VAEParams"];
            /**
             * Promote
             * @description Whether the new version becomes 'stable' (what requests without a version get): auto when it passes the training gate (not collapsed, beats the baseline, not worse than the stable version); always skips the gate; never keeps it unpromoted. Either way the version is stored and answers when named.
             * @default auto
             * @enum {string}
             */
            promote?: "auto" | "always" | "never";
            /** @description Kinds that support a warm start (the VAE; GET /kinds): start from this model's weights (and architecture) instead of a random initialisation, e.g. to train a served model further or under the IWAE bound. */
            init_from?: components["schemas"]["WarmStart"] | null;
        };
        /**
         * VAEParams
         * @description Parameters of a vae job: VAEHyperparameters and VAETrainingOptions, side by side. Every one is optional.
         */
        VAEParams: {
            /**
             * Latent Dim
             * @description Dimension L of the latent z (at most 512). Units the data do not need stay inactive (see the active_units metric), so a generous L costs little.
             * @default 16
             */
            latent_dim?: number;
            /**
             * Hidden Sizes
             * @description Encoder hidden widths (the decoder mirrors them); [] = linear maps. At most 8 layers of at most 4096 units.
             */
            hidden_sizes?: number[];
            /**
             * Architecture
             * @description 'conv': stride-2 convolutions before the hidden layers (images only).
             * @default mlp
             * @enum {string}
             */
            architecture?: "mlp" | "conv";
            /**
             * Channels
             * @description Conv only: channels of each stride-2 3x3 convolution (each halves H, W). At most 6 convolutions of at most 512 channels.
             */
            channels?: number[];
            /**
             * Likelihood
             * @default gaussian
             * @enum {string}
             */
            likelihood?: "bernoulli" | "gaussian";
            /**
             * Beta
             * @description Weight of the KL term in the ELBO (finite; 1 is the true bound, larger values push towards an unused latent space).
             * @default 1
             */
            beta?: number;
            /**
             * Activation
             * @default relu
             * @enum {string}
             */
            activation?: "relu" | "tanh" | "elu";
            /**
             * Min Log Var
             * @description Floor of the Gaussian decoder's learned log-variance (-20 to 5). Lower floors let always-black pixels of 8-bit images be modelled more tightly, but a rare non-zero value then costs thousands of nats: -14 collapsed an MNIST upload to 2 active units where -9 and -11 gave 16.
             * @default -9
             */
            min_log_var?: number;
            /**
             * Iw Chunk Size
             * @description Importance samples evaluated together in one chunk (at most 4096; the chunk is cut further to keep about 2^19 floats per block).
             * @default 256
             */
            iw_chunk_size?: number;
            /** @description A GMM fitted to the training set's latent means, if any. */
            latent_prior?: components["schemas"]["LatentPriorSpec"] | null;
            /**
             * Test Fraction
             * @default 0.25
             */
            test_fraction?: number;
            /**
             * Split Seed
             * @default 0
             */
            split_seed?: number;
            /**
             * Binarize
             * @description Binarise discrete images: dynamic, static or threshold.
             */
            binarize?: ("dynamic" | "static" | "threshold") | null;
            /**
             * Epochs
             * @description Passes over the training split (at most 10000). Leave out (with steps) for the default budget; give one of epochs and steps, not both.
             */
            epochs?: number | null;
            /**
             * Steps
             * @description Optimisation steps (at most 200,000), rounded up to whole epochs. Default: 20 epochs' worth, at least 3,000 and at most 12,000 (digits: 3,003; MNIST: 7,000-9,400).
             */
            steps?: number | null;
            /**
             * Batch Size
             * @description Examples per step (at most 4096; default 128, or the training split if smaller).
             */
            batch_size?: number | null;
            /**
             * Learning Rate
             * @default 0.001
             */
            learning_rate?: number;
            /**
             * Lr Schedule
             * @description After the warm-up (lr_warmup_fraction), cosine: anneal to min_learning_rate by the last step; constant: keep learning_rate.
             * @default cosine
             * @enum {string}
             */
            lr_schedule?: "constant" | "cosine";
            /**
             * Min Learning Rate
             * @default 0.00001
             */
            min_learning_rate?: number;
            /**
             * Lr Warmup Fraction
             * @description Share of the steps over which the learning rate rises linearly to learning_rate (Adam's first steps are large; 0 disables).
             * @default 0.02
             */
            lr_warmup_fraction?: number;
            /**
             * Kl Warmup Steps
             * @description KL warm-up (deterministic annealing, Sonderby et al. 2016): the KL weight rises linearly from 0 to beta over these steps. Default: the first third of the budget (digits: 1,001 steps; 0 disables). It keeps the encoder from switching its units off before the decoder can use them (posterior collapse): raise it when the active_units metric is low. ELBO objective only.
             */
            kl_warmup_steps?: number | null;
            /**
             * Free Bits
             * @description Free bits (Kingma et al. 2016, 'Improved Variational Inference with Inverse Autoregressive Flow', eq. 15), nats per latent dimension: a dimension's batch-mean KL below this costs nothing, so the encoder has no reason to switch it off. Use 0.1-0.5 when units collapse; 0 is the true ELBO. ELBO objective only.
             * @default 0
             */
            free_bits?: number;
            /**
             * Objective
             * @description iwae: the importance-weighted bound with train_k samples.
             * @default elbo
             * @enum {string}
             */
            objective?: "elbo" | "iwae";
            /**
             * Train K
             * @description Importance samples per example for the iwae objective (at most 1,000: memory grows with batch_size x train_k).
             * @default 1
             */
            train_k?: number;
            /**
             * Precision
             * @description bfloat16: the networks' matrix products in bfloat16 (autocast), the likelihoods, KL and weights in float32. About 1.4x the samples per second where the hardware has bfloat16 units (AVX512-BF16 or AMX CPUs, Ampere+ GPUs), slower elsewhere.
             * @default float32
             * @enum {string}
             */
            precision?: "float32" | "bfloat16";
            /**
             * Seed
             * @default 0
             */
            seed?: number;
            /**
             * Eval Importance Samples
             * @description k of the held-out IWAE bound (at most 100,000); the evaluation runs in blocks that report progress and see a cancel. Default: 1,000, or fewer (not under 100) so that n_test x k stays under 2,000,000 (MNIST's 10,000 test images: k = 200).
             */
            eval_importance_samples?: number | null;
            /**
             * Checkpoint Every
             * @description Epochs between checkpoints.
             * @default 0
             */
            checkpoint_every?: number;
            /**
             * Latent Prior Components
             * @description Fit a GMM with this many components (at most 100) to the latent means after training (0: none); /sample then takes prior='gmm'.
             * @default 0
             */
            latent_prior_components?: number;
            /**
             * Early Stopping Patience
             * @description Stop once the validation ELBO has not beaten its best by early_stopping_min_delta for this many checks in a row (at most 1000), and keep the best check's weights. 0 (the default): train the whole budget, with no validation split. Every check competes for the best weights from the first; patience counts only the checks after the KL warm-up.
             * @default 0
             */
            early_stopping_patience?: number;
            /**
             * Early Stopping Min Delta
             * @description Nats per example by which the validation ELBO must beat its best to count as an improvement.
             * @default 0.1
             */
            early_stopping_min_delta?: number;
            /**
             * Validation Fraction
             * @description Share of the training split held back for early stopping's checks (0.01 to 0.5, and at least 10 rows; the test split is never used). Only with early_stopping_patience.
             * @default 0.1
             */
            validation_fraction?: number;
            /**
             * Validation Every
             * @description Optimisation steps between validation checks, rounded up to whole epochs. Default: a 50th of the budget.
             */
            validation_every?: number | null;
        };
        /** VersionInfo */
        VersionInfo: {
            /** Version */
            version: number;
            /**
             * Origin
             * @description shipped: the read-only weights folder; trained: the model store.
             * @enum {string}
             */
            origin: "shipped" | "trained";
            /** @description The gate's verdict when published; null for shipped versions (they pass). */
            gate: components["schemas"]["GateInfo"] | null;
            /**
             * Promoted
             * @description Whether it went live when published (or was shipped).
             */
            promoted: boolean;
            /**
             * Aliases
             * @description Aliases that point at it now.
             */
            aliases: string[];
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
                /** @description A version number or an alias; omitted, the stable version. */
                version?: number | string | null;
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
    set_alias_models__name__aliases__alias__put: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
                /** @description 'stable', or a name of your own ('best'). */
                alias: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AliasRequest"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AliasesResponse"];
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
    delete_alias_models__name__aliases__alias__delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
                /** @description 'stable', or a name of your own ('best'). */
                alias: string;
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
                    "application/json": components["schemas"]["AliasesResponse"];
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
    classify_classify_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ClassifyRequest"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ClassifyResponse"];
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
    list_kinds_kinds_get: {
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
                    "application/json": components["schemas"]["KindList"];
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
                /** @description A version number or an alias; omitted, the stable version. */
                version?: number | string | null;
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
                /** @description A version number or an alias; omitted, the stable version. */
                version?: number | string | null;
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
                /** @description A version number or an alias; omitted, the stable version. */
                version?: number | string | null;
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
