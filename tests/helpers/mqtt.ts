import { spawn } from "node:child_process";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";

export function connect(port: number, options: IClientOptions = {}): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect({
      host: "127.0.0.1",
      port,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 5000,
      ...options,
    });
    client.once("connect", () => resolve(client));
    client.once("error", (err) => {
      client.end(true);
      reject(err);
    });
  });
}

export function closeClient(client: MqttClient): Promise<void> {
  return new Promise((resolve) => client.end(false, {}, () => resolve()));
}

/** Collects the messages a client receives on a topic. */
export async function collect(
  client: MqttClient,
  topic: string,
): Promise<{
  messages: { topic: string; body: unknown }[];
  waitFor: (n: number, ms?: number) => Promise<void>;
}> {
  const messages: { topic: string; body: unknown }[] = [];
  client.on("message", (t, payload) => {
    let body: unknown;
    try {
      body = JSON.parse(payload.toString());
    } catch {
      body = payload.toString();
    }
    messages.push({ topic: t, body });
  });
  const granted = await client.subscribeAsync(topic, { qos: 0 });
  if (granted[0]?.qos === 128) throw new Error(`subscription to ${topic} refused`);
  return {
    messages,
    waitFor: async (n, ms = 5000) => {
      const deadline = Date.now() + ms;
      while (messages.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      if (messages.length < n) throw new Error(`expected ${n} messages on ${topic}, got ${messages.length}`);
    },
  };
}

export interface ProcResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command (mosquitto_pub, mosquitto_sub, the jinlin CLI) and collects its output. */
export function run(
  cmd: string,
  args: string[],
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<ProcResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 15_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  ms = 5000,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}
