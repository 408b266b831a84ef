import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** package.json's version, found from cli/ (tests, from source) or dist/cli/ (built). */
function findVersion(): string {
  for (const rel of ["../package.json", "../../package.json"]) {
    const file = fileURLToPath(new URL(rel, import.meta.url));
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
    if (pkg.name === "jinlin" && pkg.version) return pkg.version;
  }
  return "0.0.0";
}

export const VERSION: string = findVersion();
