/**
 * After `vite build`: measures the JavaScript a first visit loads (the entry script and the chunks
 * index.html preloads, gzipped), fails the build over the budget, writes the figures to
 * dist/bundle-size.json, and leaves a .gz beside every text asset for the server to send as is.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const BUDGET_BYTES = 500 * 1024;
const dist = new URL("../dist/", import.meta.url).pathname;

const html = readFileSync(join(dist, "index.html"), "utf8");
const firstLoad = [
  ...html.matchAll(/<script[^>]+type="module"[^>]+src="\/([^"]+)"/g),
  ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/([^"]+)"/g),
].map((m) => m[1]);

const gzipped = (file) => gzipSync(readFileSync(join(dist, file)), { level: 9 });

let total = 0;
const assets = readdirSync(join(dist, "assets"));
for (const name of [...assets.map((a) => `assets/${a}`), "index.html"]) {
  if (!/\.(js|css|html|svg)$/.test(name)) continue;
  const gz = gzipped(name);
  writeFileSync(join(dist, `${name}.gz`), gz);
  if (name.endsWith(".js")) total += gz.length;
}
const entries = firstLoad.map((file) => ({ file, gzipBytes: gzipped(file).length }));
const firstLoadBytes = entries.reduce((sum, e) => sum + e.gzipBytes, 0);
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

writeFileSync(
  join(dist, "bundle-size.json"),
  `${JSON.stringify({ budgetBytes: BUDGET_BYTES, firstLoadBytes, allJsBytes: total, firstLoad: entries }, null, 2)}\n`,
);
console.log(`cabinet first load: ${kb(firstLoadBytes)} of JavaScript gzipped (budget ${kb(BUDGET_BYTES)})`);
for (const e of entries) console.log(`  ${e.file}  ${kb(e.gzipBytes)}`);
console.log(`all JavaScript chunks together: ${kb(total)} gzipped`);
if (firstLoadBytes > BUDGET_BYTES) {
  console.error("cabinet: the first load is over budget; split the code further (lazy routes)");
  process.exit(1);
}
