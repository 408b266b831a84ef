// Prints vitest's totals as one plain line ("N passed, N failed, N skipped") for CI.
import { readFileSync } from "node:fs";

try {
  const r = JSON.parse(readFileSync(process.argv[2], "utf8"));
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  process.stdout.write(`Tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped\n`);
} catch (err) {
  process.stdout.write(`Tests: no results (${err.message})\n`);
  process.exitCode = 1;
}
