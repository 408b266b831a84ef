import { execFileSync } from "node:child_process";
import { cpus, totalmem } from "node:os";

/** What the figures were measured on. */
export function machine(): Record<string, string> {
  const sh = (cmd: string, args: string[]) => {
    try {
      return execFileSync(cmd, args, { encoding: "utf8" }).trim();
    } catch {
      return "?";
    }
  };
  return {
    cpu: `${cpus().length} × ${cpus()[0]?.model ?? "?"}`,
    memory: `${Math.round(totalmem() / 2 ** 30)} GiB`,
    node: process.version,
    mosquitto: sh("sh", ["-c", "/usr/sbin/mosquitto -h 2>&1 | head -1"]),
    influxd: sh("/usr/bin/influxd", ["version"]),
    kernel: sh("uname", ["-r"]),
    openFiles: sh("sh", ["-c", "ulimit -n"]),
  };
}
