// Copies the browser libraries the page imports from node_modules (installed by `npm ci`
// from package-lock.json) into static/vendor, where the page loads them from its own origin.
// No bundler: our own modules are served as written; only these files come from npm.
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "static", "vendor");
const files = {
  "cropperjs/dist/cropper.esm.js": "cropper.esm.js",
  "cropperjs/dist/cropper.min.css": "cropper.min.css",
  "uplot/dist/uPlot.esm.js": "uPlot.esm.js",
  "uplot/dist/uPlot.min.css": "uPlot.min.css",
};

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const [from, to] of Object.entries(files)) {
  copyFileSync(join(here, "node_modules", from), join(out, to));
}
console.log(`web: ${Object.keys(files).length} vendor files in ${out}`);
