import { type ChildProcess, fork, type SpawnOptions, spawn } from "node:child_process";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** dist/bench: where the compiled bench scripts live. */
export const BENCH_DIST = join(dirname(fileURLToPath(import.meta.url)), "..");
/** The repository root (dist/bench/../..). */
export const ROOT = join(BENCH_DIST, "..", "..");

const children = new Set<ChildProcess>();
// Children never outlive the bench: an interrupted run takes them down with it.
process.once("exit", () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
});
for (const sig of ["SIGINT", "SIGTERM"] as const)
  process.once(sig, () => {
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
    process.exit(130);
  });

function track<T extends ChildProcess>(c: T): T {
  children.add(c);
  c.once("exit", () => children.delete(c));
  return c;
}

/** A compiled bench module (path relative to dist/bench) in its own Node process, with IPC. */
export function forkBench(
  module: string,
  args: string[] = [],
  opts: { env?: NodeJS.ProcessEnv; execArgv?: string[]; quiet?: boolean } = {},
): ChildProcess {
  return track(
    fork(join(BENCH_DIST, module), args, {
      env: opts.env ?? process.env,
      execArgv: opts.execArgv ?? [],
      stdio: ["ignore", opts.quiet === false ? "inherit" : "ignore", "pipe", "ipc"],
    }),
  );
}

export function spawnTracked(cmd: string, args: string[], opts: SpawnOptions = {}): ChildProcess {
  return track(spawn(cmd, args, { stdio: ["ignore", "ignore", "pipe"], ...opts }));
}

/** Resolves with the first IPC message `pick` accepts; rejects if the child exits first or time runs out. */
export function nextMessage<M, R>(
  child: ChildProcess,
  pick: (m: M) => R | undefined,
  timeoutMs: number,
  what: string,
): Promise<R> {
  return new Promise((resolve, reject) => {
    let err = "";
    const onErr = (d: Buffer) => {
      err = (err + d.toString()).slice(-2000);
    };
    child.stderr?.on("data", onErr);
    const cleanup = () => {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
      child.stderr?.off("data", onErr);
    };
    const onMessage = (m: unknown) => {
      const r = pick(m as M);
      if (r === undefined) return;
      cleanup();
      resolve(r);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`${what}: process exited (${code}) ${err}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${what}: no answer within ${timeoutMs} ms ${err}`));
    }, timeoutMs);
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
}

export function exited(child: ChildProcess, timeoutMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
    }, timeoutMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export async function stopChild(child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  await exited(child, timeoutMs);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
