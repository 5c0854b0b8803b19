// The hand-written decoders, against bytes built here independently of the server.

import assert from "node:assert/strict";
import { test } from "node:test";
import {
  GenserveError,
  bytesBase64,
  fromBase64Float32,
  fromBase64Uint8,
  fromNested,
  fromNpy,
  readEvents,
  toNested,
  toRows,
} from "../dist/index.js";

/** A .npy file (format 1.0), as numpy.save writes it. */
function npy(descr, shape, bytes) {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += " ".repeat(pad % 64) + "\n";
  const out = new Uint8Array(10 + header.length + bytes.length);
  out.set([0x93, ..."NUMPY".split("").map((c) => c.charCodeAt(0)), 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(bytes, 10 + header.length);
  return out;
}

test("a float32 .npy decodes to its values and shape", () => {
  const values = new Float32Array([0.5, -1.25, 3, 1e-8, 7, 8]);
  const tensor = fromNpy(npy("<f4", [2, 3], new Uint8Array(values.buffer)));
  assert.deepEqual(tensor.shape, [2, 3]);
  assert.deepEqual(Array.from(tensor.data), Array.from(values));
});

test("float64 and uint8 .npy bodies decode too", () => {
  const doubles = new Float64Array([0.1, 0.2]);
  const wide = fromNpy(npy("<f8", [2], new Uint8Array(doubles.buffer)));
  assert.deepEqual(Array.from(wide.data), [Math.fround(0.1), Math.fround(0.2)]);
  const bytes = fromNpy(npy("|u1", [1, 3], new Uint8Array([0, 128, 255])));
  assert.ok(bytes.data instanceof Uint8Array);
  assert.deepEqual(Array.from(bytes.data), [0, 128, 255]);
});

test("an unsupported .npy is refused by name", () => {
  assert.throws(() => fromNpy(npy("<i8", [1], new Uint8Array(8))), /<i8/);
  assert.throws(() => fromNpy(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])), /not a \.npy/);
});

test("base64 float32 round-trips through bytes, little-endian", () => {
  const values = new Float32Array([1, -2.5, Math.PI, 0]);
  const text = Buffer.from(values.buffer).toString("base64");
  const tensor = fromBase64Float32(text, [2, 2]);
  assert.deepEqual(Array.from(tensor.data), Array.from(values));
  assert.equal(bytesBase64(new Uint8Array(values.buffer)), text);
  assert.throws(() => fromBase64Float32(text, [3, 2]), /do not fill/);
});

test("base64 uint8 keeps one byte per value", () => {
  const tensor = fromBase64Uint8(Buffer.from([1, 2, 250]).toString("base64"), [3]);
  assert.deepEqual(Array.from(tensor.data), [1, 2, 250]);
});

test("nested arrays flatten row-major and come back", () => {
  const nested = [[[1, 2], [3, 4]], [[5, 6], [7, 8]]];
  const tensor = fromNested(nested);
  assert.deepEqual(tensor.shape, [2, 2, 2]);
  assert.deepEqual(Array.from(tensor.data), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual(toNested(tensor), nested);
  assert.deepEqual(toRows(tensor), [[1, 2, 3, 4], [5, 6, 7, 8]]);
  assert.throws(() => fromNested([[1, 2], [3]]), /rectangular/);
});

function streamOf(chunks) {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

test("server-sent events parse across chunk boundaries, CRLF and comments", async () => {
  const chunks = [
    ": ping\r\n\r\nevent: progress\r\ndata: {\"step\"",
    ": 1}\r",
    "\n\r\nevent: status\r\ndata: line one\r\ndata: line two\r\nid: 9\r\n\r\n",
    "data: tail",
  ];
  const events = [];
  for await (const event of readEvents(streamOf(chunks))) events.push(event);
  assert.deepEqual(events, [
    { event: "progress", id: null, data: { step: 1 } },
    { event: "status", id: "9", data: "line one\nline two" },
    { event: "message", id: null, data: "tail" },
  ]);
});

test("GenserveError reads the API's error shape", () => {
  const body = {
    error: { type: "validation_error", message: "n: too small", field: "n", rule: "greater_than_equal" },
    errors: [{ type: "validation_error", message: "n: too small", field: "n", rule: "greater_than_equal" }],
  };
  const error = new GenserveError(422, body);
  assert.ok(error instanceof Error);
  assert.equal(error.name, "GenserveError");
  assert.equal(error.message, "n: too small");
  assert.equal(error.field, "n");
  assert.equal(error.rule, "greater_than_equal");
  assert.equal(error.errors.length, 1);
  const bare = new GenserveError(502, null, "Bad Gateway");
  assert.equal(bare.field, null);
  assert.equal(bare.message, "Bad Gateway");
});

test("aborting stops a stream that would go on, and cancels its body", async () => {
  const encoder = new TextEncoder();
  let cancelled = null;
  let sent = 0;
  const endless = new ReadableStream({
    pull(controller) {
      sent += 1;
      controller.enqueue(encoder.encode(`event: progress\ndata: {"step": ${sent}}\n\n`));
      return new Promise((r) => setTimeout(r, 5));
    },
    cancel(reason) {
      cancelled = reason ?? "cancelled";
    },
  });
  const controller = new AbortController();
  const steps = [];
  await assert.rejects(
    (async () => {
      for await (const event of readEvents(endless, controller.signal)) {
        steps.push(event.data.step);
        if (event.data.step === 3) controller.abort();
      }
    })(),
    (error) => error.name === "AbortError",
  );
  assert.deepEqual(steps, [1, 2, 3]);
  assert.notEqual(cancelled, null);
});

test("an abort while waiting for the next event rejects at once", async () => {
  const silent = new ReadableStream({ pull: () => new Promise(() => undefined) });
  const controller = new AbortController();
  const events = readEvents(silent, controller.signal);
  const next = events.next();
  setTimeout(() => controller.abort(), 10);
  await assert.rejects(next, (error) => error.name === "AbortError");
});

test("a refusal that is not JSON keeps its text as the message", async () => {
  const { GenserveClient } = await import("../dist/index.js");
  const fetch = async () => new Response("upstream went away", { status: 502 });
  const gs = new GenserveClient({ baseUrl: "http://genserve.invalid", fetch });
  await assert.rejects(gs.models(), (error) => {
    assert.ok(error instanceof GenserveError);
    assert.equal(error.status, 502);
    assert.equal(error.message, "upstream went away");
    assert.equal(error.field, null);
    return true;
  });
});
