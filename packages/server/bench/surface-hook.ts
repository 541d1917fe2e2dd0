/**
 * BENCH_SURFACE_ONLY=1 preloads this into the server child (`node --import`): an experiment, never the
 * product. A POS calculate and a PharmApi get_discount each run for real once; every later one gets that
 * first answer back without pricing or writing anything. What is left is the API surface around them:
 * the HTTP server, authentication, reading and checking the request, overload admission, logging,
 * metrics and writing the answer. Its rate, with the `calculate` and `pharmapi` phases, bounds from above
 * what the real commands could reach on this machine, before any of their own work. Like
 * free-engine-hook.ts, it does nothing in the server's worker threads.
 */
import { isMainThread } from "node:worker_threads";

interface Answering {
  prototype: Record<string, (this: unknown, ...args: unknown[]) => Promise<unknown>>;
}

/** The method answers its first answer from then on; `when` says which calls it may answer so. */
function answerFirstAnswer(service: Answering, method: string, when: (args: unknown[]) => boolean): void {
  const real = service.prototype[method]!;
  let first: Promise<unknown> | null = null;
  service.prototype[method] = function (...args) {
    if (!when(args)) return real.apply(this, args);
    if (!first) {
      first = real.apply(this, args);
      // A first call that fails is not the answer: the next call runs for real again.
      first.catch(() => {
        first = null;
      });
    }
    return first;
  };
}

if (isMainThread) {
  // The server's own module instances: the ones dist/cli/main.js imports (this file runs from build/bench/).
  const dist = (path: string) => new URL(`../../dist/${path}`, import.meta.url).href;
  const { PurchaseService } = (await import(dist("modules/purchases/purchase-service.js"))) as {
    PurchaseService: Answering;
  };
  const { PharmApiService } = (await import(dist("modules/pharmapi/pharmapi-service.js"))) as {
    PharmApiService: Answering;
  };
  // calculate(principal, request, options): the POS route passes no options; get_discount's own
  // calculation (with options) runs only in the first get_discount, and never answers a POS.
  answerFirstAnswer(PurchaseService, "calculate", (args) => args[2] === undefined);
  answerFirstAnswer(PharmApiService, "getDiscount", () => true);
}
