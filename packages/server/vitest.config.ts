import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    // expect.poll gives up after 1 s by default: too short for a page that reloads a list on a busy
    // two-core machine. 15 s, like the browser's own waits (test/support/cabinet.ts).
    expect: { poll: { timeout: 15_000 } },
    // A beforeAll that starts a server process waits up to its 90 s ready timeout on a busy machine.
    hookTimeout: 120_000,
    pool: "forks",
    // One module graph per worker, reused by its files: importing the server afresh for each of ~90 files
    // cost minutes. The files share no module state that matters (every test builds its own app and
    // database), and the suite passes file by file as well.
    isolate: false,
    // Two cores: more workers only make the database-heavy files fight for them.
    maxWorkers: 2,
  },
});
