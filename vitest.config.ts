import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests start real brokers, SQLite files and child processes; two cores here.
    maxWorkers: 2,
    pool: "forks",
  },
});
