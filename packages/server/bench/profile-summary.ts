/**
 * Summarises a V8 .cpuprofile (from `BENCH_CPU_PROF=dir npm run bench`): self and inclusive time per
 * function and self time per package/file, as % of the busy (non-idle) time.
 *
 *   node build/bench/profile-summary.js FILE.cpuprofile [--top 30] [--from S --to S]
 *
 * --from/--to keep only the samples between those seconds after the profile started (to look at one
 * phase of the run).
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: "string", default: "30" }, from: { type: "string" }, to: { type: "string" } },
});
const profilePath = positionals[0];
if (!profilePath) {
  process.stderr.write("usage: profile-summary FILE.cpuprofile [--top N] [--from S --to S]\n");
  process.exit(2);
}
const top = Number(values.top);
const profile = JSON.parse(readFileSync(profilePath, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const where = (f: CallFrame) => {
  if (!f.url) return "(native)";
  const nm = f.url.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const rest = f.url.slice(nm + 13).split("/");
    return rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const dist = f.url.indexOf("/dist/");
  if (dist >= 0) return `src/${f.url.slice(dist + 6)}`;
  if (f.url.startsWith("node:")) return f.url;
  return f.url.replace(/^file:\/\//, "");
};
/** The file itself, shortened: a package's file without the dist/esm noise, or the src file. */
const file = (f: CallFrame) => {
  const nm = f.url.lastIndexOf("node_modules/");
  if (nm >= 0) return f.url.slice(nm + 13).replace(/\/dist\/(esm|cjs)\//, "/");
  return where(f);
};
const label = (f: CallFrame) =>
  `${f.functionName || "(anonymous)"}  ${f.url ? `${file(f)}:${f.lineNumber + 1}` : "(native)"}`;

// Time of each sample: the delta that follows it.
const self = new Map<string, number>();
const inclusive = new Map<string, number>();
const byFile = new Map<string, number>();
let busy = 0;
let idle = 0;
let t = 0;
const from = values.from === undefined ? -Infinity : Number(values.from) * 1e6;
const to = values.to === undefined ? Infinity : Number(values.to) * 1e6;
for (let i = 0; i < profile.samples.length; i++) {
  t += profile.timeDeltas[i] ?? 0;
  const dt = profile.timeDeltas[i + 1] ?? 0;
  if (t < from || t > to) continue;
  const node = byId.get(profile.samples[i]!)!;
  const name = node.callFrame.functionName;
  if (name === "(idle)") {
    idle += dt;
    continue;
  }
  busy += dt;
  const key = label(node.callFrame);
  self.set(key, (self.get(key) ?? 0) + dt);
  const fileKey = name === "(garbage collector)" || name === "(program)" ? name : where(node.callFrame);
  byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + dt);
  const seen = new Set<string>();
  for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
    const k = label(byId.get(id)!.callFrame);
    if (seen.has(k)) continue;
    seen.add(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
  }
}

const pct = (v: number) => `${((v / busy) * 100).toFixed(1).padStart(5)}%`;
const print = (title: string, map: Map<string, number>, n: number) => {
  process.stdout.write(`\n${title}\n`);
  for (const [k, v] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n))
    process.stdout.write(`${pct(v)}  ${k}\n`);
};
process.stdout.write(
  `busy ${(busy / 1e6).toFixed(1)} s, idle ${(idle / 1e6).toFixed(1)} s (${((busy / (busy + idle)) * 100).toFixed(0)}% busy)\n`,
);
print("self time by package / file", byFile, top);
print("self time by function", self, top);
print("inclusive time by function", inclusive, top);
