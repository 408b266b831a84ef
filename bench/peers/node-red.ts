import type { ChildProcess } from "node:child_process";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, ROOT, spawnTracked, stopChild, until } from "../lib/proc.js";

const PEERS = join(ROOT, "bench", ".peers");
const NODE_RED = join(PEERS, "node_modules", "node-red", "red.js");

/**
 * Node-RED 4 and node-red-contrib-influxdb live in bench/.peers with their own package.json, installed
 * on first use so the main install stays lean. Returns why not when it cannot be installed.
 */
export function ensureNodeRed(): string | null {
  if (existsSync(NODE_RED) && existsSync(join(PEERS, "node_modules", "node-red-contrib-influxdb")))
    return null;
  const r = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd: PEERS,
    encoding: "utf8",
    timeout: 300_000,
  });
  return r.status === 0 && existsSync(NODE_RED)
    ? null
    : `npm install in bench/.peers failed: ${r.stderr ?? r.error}`;
}

/**
 * mqtt in (QoS 1, Mosquitto) → json → function (readings → points, keeping the event time; without it
 * a batch would be written as one point) → influxdb out (InfluxDB 1.x, precision ms).
 */
function flows(mqttPort: number, influxPort: number, database: string) {
  const toPoints = `const items = Array.isArray(msg.payload) ? msg.payload : [msg.payload];
const device = msg.topic.split("/")[1];
msg.payload = items.map((r) => {
  const { kind, ts, ...fields } = r;
  return [{ ...fields, n: 1, time: Date.parse(ts) }, { device, kind }];
});
return msg;`;
  return [
    { id: "b7c1tab0", type: "tab", label: "bench" },
    {
      id: "b7c1brk0",
      type: "mqtt-broker",
      broker: "127.0.0.1",
      port: String(mqttPort),
      clientid: "node-red-bench",
      protocolVersion: "4",
      keepalive: "60",
      cleansession: true,
      autoConnect: true,
    },
    {
      id: "b7c1ifx0",
      type: "influxdb",
      hostname: "127.0.0.1",
      port: String(influxPort),
      protocol: "http",
      database,
      influxdbVersion: "1.x",
      name: "influx",
    },
    {
      id: "b7c1in00",
      type: "mqtt in",
      z: "b7c1tab0",
      topic: "devices/+/telemetry",
      qos: "1",
      datatype: "utf8",
      broker: "b7c1brk0",
      nl: false,
      rap: false,
      inputs: 0,
      wires: [["b7c1jsn0"]],
    },
    {
      id: "b7c1jsn0",
      type: "json",
      z: "b7c1tab0",
      property: "payload",
      action: "obj",
      pretty: false,
      wires: [["b7c1fn00"]],
    },
    { id: "b7c1fn00", type: "function", z: "b7c1tab0", func: toPoints, outputs: 1, wires: [["b7c1out0"]] },
    {
      id: "b7c1out0",
      type: "influxdb out",
      z: "b7c1tab0",
      influxdb: "b7c1ifx0",
      measurement: "reading",
      precision: "ms",
      retentionPolicy: "",
      database,
      wires: [],
    },
  ];
}

export interface NodeRed {
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startNodeRed(mqttPort: number, influxPort: number, database: string): Promise<NodeRed> {
  const dir = mkdtempSync(join(tmpdir(), "jinlin-bench-node-red-"));
  const uiPort = await freePort();
  writeFileSync(join(dir, "flows.json"), JSON.stringify(flows(mqttPort, influxPort, database)));
  writeFileSync(
    join(dir, "settings.js"),
    `module.exports = { uiHost: "127.0.0.1", uiPort: ${uiPort}, flowFile: "flows.json", userDir: ${JSON.stringify(dir)},
  logging: { console: { level: "warn" } }, editorTheme: { tours: false }, telemetry: { enabled: false } };\n`,
  );
  const child = spawnTracked(
    process.execPath,
    [NODE_RED, "--settings", join(dir, "settings.js"), "--userDir", dir],
    {
      cwd: PEERS,
      stdio: ["ignore", process.env.BENCH_DEBUG ? "inherit" : "ignore", "pipe"],
      env: { ...process.env, NODE_PATH: join(PEERS, "node_modules") },
    },
  );
  await until(
    async () => {
      try {
        return (await fetch(`http://127.0.0.1:${uiPort}/flows`)).ok;
      } catch {
        return false;
      }
    },
    60_000,
    "node-red to start",
  );
  return { child, stop: () => stopChild(child) };
}
