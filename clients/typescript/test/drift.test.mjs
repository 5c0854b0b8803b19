// The checked-in types and build are what the server's schema and the sources make now.

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { build } from "../scripts/build.mjs";
import { generate } from "../scripts/generate.mjs";

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function files(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath ?? entry.path, entry.name)))
    .sort();
}

test("the checked-in types are generated from the schema the server serves", async (t) => {
  const out = mkdtempSync(join(tmpdir(), "genserve-ts-generate-"));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  await generate(out);
  const fix = "the server's schema changed: run `npm run generate` in clients/typescript";
  assert.equal(
    readFileSync(join(packageDir, "openapi.json"), "utf-8"),
    readFileSync(join(out, "openapi.json"), "utf-8"),
    fix,
  );
  assert.equal(
    readFileSync(join(packageDir, "src", "generated", "schema.ts"), "utf-8"),
    readFileSync(join(out, "schema.ts"), "utf-8"),
    fix,
  );
});

// dist/, and the page's copy when the server ships one (`npm run build:page`: modules only).
const COPIES = [
  { dir: join(packageDir, "dist"), declarations: true, command: "npm run build" },
  {
    dir: resolve(packageDir, "..", "..", "app", "static", "client"),
    declarations: false,
    command: "npm run build:page",
  },
];

test("every checked-in build is the build of the sources", (t) => {
  for (const copy of COPIES.filter((c, i) => i === 0 || existsSync(c.dir))) {
    const out = mkdtempSync(join(tmpdir(), "genserve-ts-build-"));
    t.after(() => rmSync(out, { recursive: true, force: true }));
    build(out, { declarations: copy.declarations });
    const fix = `${copy.dir} is stale: run \`${copy.command}\` in clients/typescript`;
    assert.deepEqual(files(copy.dir), files(out), fix);
    for (const file of files(out)) {
      const actual = readFileSync(join(copy.dir, file), "utf-8");
      assert.equal(actual, readFileSync(join(out, file), "utf-8"), `${file}: ${fix}`);
    }
  }
});
