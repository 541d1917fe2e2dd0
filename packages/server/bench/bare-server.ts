/**
 * Baseline (a): a bare Fastify 5 route that parses the same request body and returns a captured calculate
 * response (same payload, serialized per request). Run as a child process by run.ts.
 * Env: PORT, PAYLOAD_FILE.
 */
import { readFileSync } from "node:fs";
import Fastify from "fastify";

const payload = JSON.parse(readFileSync(process.env.PAYLOAD_FILE ?? "", "utf8")) as unknown;
const app = Fastify({ logger: false });
app.post("/v1/purchases/calculate", async () => payload);
app.get("/ready", async () => ({ status: "ok" }));
await app.listen({ host: "127.0.0.1", port: Number(process.env.PORT) });
process.once("SIGTERM", () => void app.close().then(() => process.exit(0)));
