/**
 * Loaded with `node --import` (through NODE_OPTIONS): the process fails to load any module of the packages
 * named in FORBIDDEN_PACKAGES (comma-separated), so a test can show that a command never loads them.
 * The hooks run on their own thread, which imports this file again: only the main thread registers them.
 */
import { register } from "node:module";
import { isMainThread } from "node:worker_threads";

const forbidden = (process.env.FORBIDDEN_PACKAGES ?? "").split(",").filter((name) => name !== "");

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  for (const name of forbidden)
    if (resolved.url.includes(`/node_modules/${name}/`))
      throw new Error(`loaded the forbidden package ${name} (import of ${specifier})`);
  return resolved;
}

if (isMainThread) register(import.meta.url);
