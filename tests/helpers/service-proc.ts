import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll } from "vitest";

export const CLI = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

export interface ServiceProcess {
  child: ChildProcess;
  mqttPort: number;
  httpPort: number;
  output: () => string;
}

/** Runs `jinlin serve` from the build as a separate process (as a user would) and waits until it listens. */
export function spawnService(env: Record<string, string>): Promise<ServiceProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, "serve"], {
      env: { ...process.env, JINLIN_MQTT_PORT: "0", JINLIN_HTTP_PORT: "0", JINLIN_BIND: "127.0.0.1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const timer = setTimeout(() => reject(new Error(`service did not start:\n${out}`)), 15_000);
    child.stderr?.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      for (const line of out.split("\n")) {
        if (!line.includes('"jinlin is running"')) continue;
        const info = JSON.parse(line) as { mqttPort: number; httpPort: number };
        clearTimeout(timer);
        resolve({ child, mqttPort: info.mqttPort, httpPort: info.httpPort, output: () => out });
        return;
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`service exited with ${code}:\n${out}`));
    });
  });
}

export function waitExit(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

/** Stops a spawned service with SIGTERM (a graceful shutdown) and returns its exit code. */
export async function stopService(svc: ServiceProcess): Promise<number | null> {
  svc.child.kill("SIGTERM");
  return waitExit(svc.child);
}

/** One spawned service for a whole test file: started before its tests, stopped after them. */
export function useServiceProcess(env: Record<string, string>): () => ServiceProcess {
  let svc: ServiceProcess | undefined;
  beforeAll(async () => {
    svc = await spawnService(env);
  });
  afterAll(async () => {
    if (svc) await stopService(svc);
  });
  return () => {
    if (!svc) throw new Error("the service is not running");
    return svc;
  };
}
