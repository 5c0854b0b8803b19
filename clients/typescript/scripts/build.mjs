// `npm run build`: tsc to dist/, plus openapi-fetch's ES module copied to dist/vendor/ and the
// import pointed at it, so a page can import dist/index.js as it is, with no bundler and no
// import map. `node scripts/build.mjs --out DIR` builds into DIR (the drift test uses it);
// `npm run build:page` builds the copy genserve serves at /static/client/: the modules only, no
// declarations (a browser has no use for them).

import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = resolve(here, "..");
const require = createRequire(import.meta.url);

function jsFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "vendor" ? [] : jsFiles(path);
    return entry.name.endsWith(".js") ? [path] : [];
  });
}

export function build(outDir = join(packageDir, "dist"), { declarations = true } = {}) {
  rmSync(outDir, { recursive: true, force: true });
  const tsc = require.resolve("typescript/bin/tsc");
  const args = [tsc, "-p", join(packageDir, "tsconfig.json"), "--outDir", outDir];
  if (!declarations) args.push("--declaration", "false");
  execFileSync(process.execPath, args, { stdio: "inherit" });
  const fetchDir = dirname(require.resolve("openapi-fetch/package.json"));
  const vendor = join(outDir, "vendor");
  mkdirSync(vendor, { recursive: true });
  const source = readFileSync(join(fetchDir, "dist", "index.mjs"), "utf-8");
  writeFileSync(
    join(vendor, "openapi-fetch.js"),
    source.replace(/\n\/\/# sourceMappingURL=.*\n?$/, "\n"),
  );
  copyFileSync(join(fetchDir, "LICENSE"), join(vendor, "openapi-fetch.LICENSE"));
  for (const file of jsFiles(outDir)) {
    const text = readFileSync(file, "utf-8");
    let target = relative(dirname(file), join(vendor, "openapi-fetch.js")).split("\\").join("/");
    if (!target.startsWith(".")) target = `./${target}`;
    const rewritten = text.replace(/from "openapi-fetch";/g, `from "${target}";`);
    if (rewritten !== text) writeFileSync(file, rewritten);
  }
  return outDir;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf("--out");
  const declarations = !process.argv.includes("--no-declarations");
  console.log(`built ${build(i >= 0 ? resolve(process.argv[i + 1]) : undefined, { declarations })}`);
}
