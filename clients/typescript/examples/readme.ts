import { GenserveClient, toImageBitmap } from "genserve-client";

const gs = new GenserveClient({ baseUrl: "http://127.0.0.1:8000", apiKey: "my-api-key" });

// Sample 16 digits as one PNG grid and draw it, pixels kept sharp, on the page's canvas.
const grid = await gs.sampleGrid({ model: "digits-vae", n: 16, seed: 0 });
const ctx = document.querySelector("canvas")!.getContext("2d")!;
ctx.imageSmoothingEnabled = false;
ctx.drawImage(await toImageBitmap(grid), 0, 0, ctx.canvas.width, ctx.canvas.height);

// Train a mixture and follow its progress; the stream ends with the job's final status.
const job = await gs.submitJob({ kind: "gmm", name: "my-pinwheel", dataset: "pinwheel" });
for await (const { event, data } of gs.jobEvents(job.id, { signal: AbortSignal.timeout(120_000) })) {
  if (event === "progress") console.log(`${Math.round(100 * data.progress)}%`, data.step);
  else console.log(`job ${data.id}: ${data.status}`);
}
