import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    // A beforeAll that starts a server process waits up to its 90 s ready timeout on a busy machine.
    hookTimeout: 120_000,
    pool: "forks",
    // Two cores: more workers only make the database-heavy files fight for them.
    maxWorkers: 2,
  },
});
