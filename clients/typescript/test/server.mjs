// A live genserve for the tests: the repository's venv, a free port, temporary data and
// weights folders (training jobs publish into the weights), stopped when the tests end.

import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const API_KEY = "ts-client-test-key";
const MODELS = ["digits-vae", "digits-gmm", "pinwheel-gmm"];

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

async function waitUntilReady(baseUrl, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`genserve exited with ${child.exitCode}`);
    try {
      const response = await fetch(`${baseUrl}/ready`);
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`genserve was not ready at ${baseUrl} within ${timeoutMs} ms`);
}

/** Start genserve; `stop()` ends it and removes its folders. */
export async function startGenserve() {
  const home = mkdtempSync(join(tmpdir(), "genserve-ts-"));
  const weights = join(home, "weights");
  for (const name of MODELS) cpSync(join(REPO_ROOT, "weights", name), join(weights, name), { recursive: true });
  const port = await freePort();
  const genserve = process.env.GENSERVE_BIN ?? join(REPO_ROOT, ".venv", "bin", "genserve");
  const output = [];
  const child = spawn(genserve, ["serve", "--host", "127.0.0.1", "--port", String(port)], {
    cwd: home, // no stray .env
    env: {
      ...process.env,
      GENSERVE_WEIGHTS_DIR: weights,
      GENSERVE_DATA_DIR: join(home, "data"),
      GENSERVE_API_KEY: API_KEY,
      GENSERVE_DEVICE: "cpu",
      GENSERVE_DEFAULT_MODEL: "digits-vae",
      GENSERVE_LOG_LEVEL: "WARNING",
      GENSERVE_RELOAD_INTERVAL_S: "0.5",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  for (const stream of [child.stdout, child.stderr]) {
    stream.on("data", (chunk) => {
      output.push(chunk.toString());
      if (output.length > 200) output.shift();
    });
  }
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(baseUrl, child, 120_000);
  } catch (error) {
    child.kill("SIGKILL");
    rmSync(home, { recursive: true, force: true });
    throw new Error(`${error.message}\n${output.join("")}`);
  }
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(home, { recursive: true, force: true });
  };
  return { baseUrl, stop, output };
}
