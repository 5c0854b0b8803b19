// Every operation through the client against a live genserve started here.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { GenserveClient, GenserveError, isFinished, toNested } from "../dist/index.js";
import { API_KEY, startGenserve } from "./server.mjs";

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47];
const TINY_GMM = { n_components: 3, max_iter: 20, n_init: 1 };
const LONG_VAE = {
  latent_dim: 2, hidden_sizes: [16], epochs: 5000, batch_size: 256, eval_importance_samples: 5,
};

let server;
let gs; // with the API key
let anonymous; // without it

before(async () => {
  server = await startGenserve();
  gs = new GenserveClient({ baseUrl: server.baseUrl, apiKey: API_KEY });
  anonymous = new GenserveClient({ baseUrl: server.baseUrl });
});

after(async () => {
  await server?.stop();
});

/** Equal as float32 values: within one unit in the last place of float32. */
function assertFloat32Equal(actual, expected) {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const tolerance = 2 ** -23 * Math.max(Math.abs(a), Math.abs(e), 2 ** -126);
    assert.ok(Math.abs(a - e) <= tolerance, `[${i}]: ${a} != ${e}`);
  }
}

async function isPng(blob) {
  const head = new Uint8Array(await blob.slice(0, 4).arrayBuffer());
  return blob.type === "image/png" && PNG_MAGIC.every((b, i) => head[i] === b);
}

describe("service", () => {
  test("health and readiness answer", async () => {
    assert.equal(await anonymous.health(), true);
    const ready = await anonymous.ready();
    assert.equal(ready.ready, true);
    assert.ok(ready.models.includes("pinwheel-gmm/1"));
  });

  test("models are listed with their shapes, the default one marked", async () => {
    const models = await anonymous.models();
    const byName = Object.fromEntries(models.map((m) => [m.name, m]));
    assert.deepEqual(byName["digits-vae"].data_shape, [8, 8]);
    assert.equal(byName["digits-vae"].default, true);
    assert.equal(byName["pinwheel-gmm"].kind, "gmm");
    const detail = await anonymous.model("digits-vae", 1);
    assert.equal(detail.version, 1);
    assert.equal(detail.value_range.length, 2);
    assert.equal(typeof detail.config, "object");
  });

  test("metrics come as Prometheus text", async () => {
    assert.match(await anonymous.metrics(), /^# HELP /m);
  });
});

describe("inference", () => {
  test("samples in base64, array, npy and uint8 are the same numbers", async () => {
    const options = { model: "digits-vae", n: 5, seed: 7 };
    const packed = await anonymous.sample(options);
    const nested = await anonymous.sample({ ...options, format: "array" });
    const npy = await anonymous.sample({ ...options, format: "npy" });
    assert.equal(packed.seed, 7);
    assert.equal(packed.model, "digits-vae");
    assert.ok(packed.samples.data instanceof Float32Array);
    assert.deepEqual(packed.samples.shape, [5, 8, 8]);
    assert.deepEqual(nested.samples.shape, [5, 8, 8]);
    assert.deepEqual(npy.shape, [5, 8, 8]);
    assertFloat32Equal(nested.samples.data, packed.samples.data);
    assertFloat32Equal(npy.data, packed.samples.data);
    const bytes = await anonymous.sample({ ...options, format: "uint8" });
    assert.ok(bytes.samples.data instanceof Uint8Array);
    assert.deepEqual(bytes.samples.shape, [5, 8, 8]);
    const [low, high] = (await anonymous.model("digits-vae")).value_range;
    const scaled = Array.from(packed.samples.data, (v) =>
      Math.round((255 * (Math.min(Math.max(v, low), high) - low)) / (high - low)),
    );
    for (let i = 0; i < scaled.length; i++) {
      assert.ok(Math.abs(scaled[i] - bytes.samples.data[i]) <= 1, `uint8 [${i}]`);
    }
  });

  test("a GMM's samples are 2-D points", async () => {
    const { samples } = await anonymous.sample({ model: "pinwheel-gmm", n: 4, seed: 1 });
    assert.deepEqual(samples.shape, [4, 2]);
    assert.ok(samples.data.every(Number.isFinite));
  });

  test("images come as PNG Blobs, one each or one grid", async () => {
    const images = await anonymous.sampleImages({ model: "digits-vae", n: 3, seed: 0 });
    assert.equal(images.length, 3);
    for (const image of images) assert.ok(await isPng(image));
    const grid = await anonymous.sampleGrid({ model: "digits-vae", n: 4, seed: 0 });
    assert.ok(grid instanceof Blob);
    assert.ok(await isPng(grid));
  });

  test("encode gives the posterior of a VAE and the responsibilities of a GMM", async () => {
    const { samples } = await anonymous.sample({ model: "digits-vae", n: 3, seed: 2 });
    const posterior = await anonymous.encode(samples, { model: "digits-vae" });
    assert.equal(posterior.mean.shape[0], 3);
    assert.deepEqual(posterior.mean.shape, posterior.log_var.shape);
    const points = [[0.5, 1.0], [-1.0, 0.2]];
    const mixture = await anonymous.encode(points, { model: "pinwheel-gmm" });
    const [rows, k] = mixture.responsibilities.shape;
    assert.equal(rows, 2);
    for (let r = 0; r < rows; r++) {
      const row = mixture.responsibilities.data.subarray(r * k, (r + 1) * k);
      assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-6);
    }
  });

  test("reconstructions agree across formats, from numbers or from images", async () => {
    const { samples } = await anonymous.sample({ model: "digits-vae", n: 2, seed: 3 });
    const packed = await anonymous.reconstruct(samples, { model: "digits-vae" });
    const nested = await anonymous.reconstruct(toNested(samples), {
      model: "digits-vae", format: "array",
    });
    const npy = await anonymous.reconstruct(samples, { model: "digits-vae", format: "npy" });
    assert.deepEqual(packed.reconstructions.shape, [2, 8, 8]);
    assertFloat32Equal(nested.reconstructions.data, packed.reconstructions.data);
    assertFloat32Equal(npy.data, packed.reconstructions.data);
    const images = await anonymous.sampleImages({ model: "digits-vae", n: 2, seed: 3 });
    const fromImages = await anonymous.reconstructImages({ images }, { model: "digits-vae" });
    assert.equal(fromImages.length, 2);
    for (const image of fromImages) assert.ok(await isPng(image));
  });

  test("log-likelihood is exact for a GMM whatever the input form", async () => {
    const points = [[0.5, 1.0], [-1.0, 0.2]];
    const nested = await anonymous.logLikelihood(points, { model: "pinwheel-gmm" });
    const tensor = await anonymous.logLikelihood(
      { data: new Float64Array(points.flat()), shape: [2, 2] }, { model: "pinwheel-gmm" },
    );
    assert.equal(nested.log_likelihood.length, 2);
    assert.ok(nested.log_likelihood.every(Number.isFinite));
    assert.deepEqual(tensor.log_likelihood, nested.log_likelihood);
    assert.equal(nested.estimator, tensor.estimator);
  });

  test("interpolation runs from one end to the other, the same in every format", async () => {
    const { samples } = await anonymous.sample({ model: "digits-vae", n: 2, seed: 4 });
    const [a, b] = toNested(samples);
    const options = { model: "digits-vae", steps: 5 };
    const packed = await anonymous.interpolate(a, b, options);
    const nested = await anonymous.interpolate(a, b, { ...options, format: "array" });
    const npy = await anonymous.interpolate(a, b, { ...options, format: "npy" });
    assert.deepEqual(packed.t, [0, 0.25, 0.5, 0.75, 1]);
    assert.deepEqual(packed.path.shape, [5, 8, 8]);
    assertFloat32Equal(nested.path.data, packed.path.data);
    assertFloat32Equal(npy.data, packed.path.data);
    assert.equal(packed.details.latents?.length ?? 5, 5);
  });
});

describe("views", () => {
  test("a GMM's components are its weights, means and covariances", async () => {
    const c = await anonymous.components("pinwheel-gmm");
    assert.ok(Math.abs(c.weights.reduce((x, y) => x + y, 0) - 1) < 1e-6);
    assert.equal(c.means.length, c.n_components);
    assert.equal(c.covariances.length, c.n_components);
  });

  test("a density grid has the asked resolution and bounds", async () => {
    const grid = await anonymous.density("pinwheel-gmm", {
      resolution: 6, x_min: -3, x_max: 3, y_min: -2, y_max: 2,
    });
    assert.equal(grid.x.length, 6);
    assert.equal(grid.x[0], -3);
    assert.equal(grid.y.at(-1), 2);
    assert.equal(grid.log_density.length, 6);
  });

  test("the held-out reference of a GMM is a histogram of log-likelihoods", async () => {
    const reference = await anonymous.reference("pinwheel-gmm");
    assert.equal(reference.model, "pinwheel-gmm");
    assert.ok(reference.n > 0);
  });
});

describe("aborts", () => {
  test("a client tied to an aborted signal sends nothing", async () => {
    await assert.rejects(anonymous.withSignal(AbortSignal.abort()).models(), (error) => error.name === "AbortError");
  });

  test("aborting rejects a request in flight, and the client still works", async () => {
    const controller = new AbortController();
    const pending = anonymous.withSignal(controller.signal).sample({ model: "digits-vae", n: 64 });
    controller.abort();
    await assert.rejects(pending, (error) => error.name === "AbortError");
    assert.equal((await anonymous.sample({ model: "pinwheel-gmm", n: 1 })).samples.shape[0], 1);
  });
});

describe("errors", () => {
  test("a 422 surfaces as GenserveError naming its field and rule", async () => {
    await assert.rejects(anonymous.sample({ model: "digits-vae", n: 0 }), (error) => {
      assert.ok(error instanceof GenserveError);
      assert.equal(error.status, 422);
      assert.equal(error.field, "n");
      assert.equal(error.rule, "greater_than_equal");
      assert.match(error.message, /n/);
      assert.equal(error.errors.length, 1);
      return true;
    });
  });

  test("an operation the model cannot do is a 400 naming the rule", async () => {
    await assert.rejects(anonymous.components("digits-vae"), (error) => {
      assert.ok(error instanceof GenserveError);
      assert.equal(error.status, 400);
      assert.equal(error.field, "name");
      assert.equal(error.rule, "kind");
      return true;
    });
  });

  test("jobs without the API key are a 401", async () => {
    await assert.rejects(anonymous.jobs(), (error) => error instanceof GenserveError && error.status === 401);
  });
});

describe("datasets", () => {
  test("the built-in data sets are listed", async () => {
    const names = (await gs.datasets()).map((d) => d.name);
    assert.ok(names.includes("pinwheel"));
    assert.equal((await gs.dataset("pinwheel")).builtin, true);
  });

  test("an upload is parsed, stored once, and found by name", async () => {
    const csv = new Blob(["0.1,0.2\n0.3,0.4\n0.5,0.6\n0.7,0.8\n"], { type: "text/csv" });
    const first = await gs.uploadDataset(csv, { filename: "points.csv", name: "ts-points" });
    assert.equal(first.name, "ts-points");
    assert.deepEqual(first.shape, [2]);
    assert.equal(first.n, 4);
    const again = await gs.uploadDataset(csv, { filename: "points.csv", name: "ts-points" });
    assert.equal(again.sha256, first.sha256);
    assert.equal((await gs.dataset("ts-points")).sha256, first.sha256);
  });

  test("a bad dataset name is refused naming the field", async () => {
    const csv = new Blob(["1,2\n3,4\n"]);
    await assert.rejects(
      gs.uploadDataset(csv, { filename: "a.csv", name: "Bad Name" }),
      (error) => error instanceof GenserveError && error.status === 422 && error.field === "name",
    );
  });
});

describe("jobs", () => {
  test("a job's progress arrives in order and ends with its status", { timeout: 180_000 }, async () => {
    const job = await gs.submitJob({
      kind: "gmm", name: "ts-pinwheel", dataset: "pinwheel", params: TINY_GMM,
    });
    assert.equal(job.status, "queued");
    const events = [];
    for await (const event of gs.jobEvents(job.id)) events.push(event);
    const progress = events.filter((e) => e.event === "progress").map((e) => e.data);
    assert.ok(progress.length > 0, "no progress events");
    assert.deepEqual(progress.map((p) => p.step), progress.map((_, i) => i + 1));
    for (let i = 1; i < progress.length; i++) {
      assert.ok(progress[i].progress >= progress[i - 1].progress, "progress went back");
    }
    const last = events.at(-1);
    assert.equal(last.event, "status");
    assert.equal(last.data.status, "succeeded");
    const detail = await gs.job(job.id);
    assert.equal(detail.status, "succeeded");
    assert.equal(detail.progress, 1);
    assert.equal(detail.metrics.length, progress.length);
    const listed = await gs.jobs({ limit: 5 });
    assert.ok(listed.jobs.some((j) => j.id === job.id));
  });

  test("aborting the signal stops the stream; cancelling stops the job", { timeout: 180_000 }, async () => {
    const job = await gs.submitJob({
      kind: "vae", name: "ts-long", dataset: "digits", params: LONG_VAE,
    });
    const controller = new AbortController();
    const seen = [];
    await assert.rejects(
      (async () => {
        for await (const event of gs.jobEvents(job.id, { signal: controller.signal })) {
          seen.push(event);
          if (event.event === "progress") {
            globalThis.gc?.(); // what is only weakly held goes now (npm test runs --expose-gc)
            controller.abort();
          }
        }
      })(),
      (error) => error.name === "AbortError",
    );
    const progress = seen.filter((e) => e.event === "progress");
    assert.equal(progress.length, 1, "nothing arrived after the abort");
    assert.equal(seen.at(-1).event, "progress");
    assert.equal(isFinished((await gs.job(job.id)).status), false, "the job was still running");
    const cancelled = await gs.cancelJob(job.id);
    assert.equal(cancelled.cancel_requested, true);
    const statuses = [];
    const final = await gs.waitForJob(job.id, {
      onEvent: (event) => event.event === "status" && statuses.push(event.data.status),
      pollMs: 200,
    });
    assert.equal(final.status, "cancelled");
    assert.equal(statuses.at(-1), "cancelled");
  });

  test("the events of an unknown job are a 404 before any stream", async () => {
    await assert.rejects(gs.jobEvents("no-such-job").next(), (error) => {
      assert.ok(error instanceof GenserveError);
      assert.equal(error.status, 404);
      return true;
    });
  });

  test("a signal aborted before the call rejects at once", async () => {
    const controller = new AbortController();
    controller.abort();
    const events = gs.jobEvents("no-such-job", { signal: controller.signal });
    await assert.rejects(events.next(), (error) => error.name === "AbortError");
  });
});
