import Database from "better-sqlite3";
import { connectAsync } from "mqtt";

/**
 * The DIY pipeline the brief compares with: one MQTT.js subscriber (QoS 1) on Mosquitto that parses
 * each message and inserts its readings into SQLite (WAL, synchronous=NORMAL, one transaction per
 * message, a prepared INSERT). No validation, no rules, no auth per device; its PUBACKs come from
 * Mosquitto on receipt, so nothing is durable when a device is acknowledged.
 * argv: port, database file, readings expected, max ms. Reports over IPC.
 */
const [port, file, expectedArg, maxMsArg] = process.argv.slice(2);
const expected = Number(expectedArg);
const db = new Database(file!);
db.pragma("journal_mode = WAL");
db.pragma("synchronous = NORMAL");
db.exec(`CREATE TABLE IF NOT EXISTS readings (
  id INTEGER PRIMARY KEY, device_id TEXT NOT NULL, kind TEXT NOT NULL, ts INTEGER NOT NULL, body TEXT NOT NULL)`);
const insert = db.prepare("INSERT INTO readings (device_id, kind, ts, body) VALUES (?, ?, ?, ?)");
const insertMessage = db.transaction((device: string, items: Record<string, unknown>[]) => {
  for (const r of items) insert.run(device, String(r.kind), Date.parse(String(r.ts)), JSON.stringify(r));
});

let readings = 0;
let firstAt = 0;
let lastAt = 0;
const client = await connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: "diy-subscriber", clean: true });
client.on("message", (topic, payload) => {
  const body = JSON.parse(payload.toString("utf8")) as Record<string, unknown> | Record<string, unknown>[];
  const items = Array.isArray(body) ? body : [body];
  insertMessage(topic.split("/")[1]!, items);
  readings += items.length;
  lastAt = performance.timeOrigin + performance.now();
  if (firstAt === 0) firstAt = lastAt;
  if (readings >= expected) finish();
});
await client.subscribeAsync("devices/+/telemetry", { qos: 1 });
process.send?.({ type: "subscribed" });
const progress = setInterval(() => process.send?.({ type: "progress", readings }), 250);
const stopper = setTimeout(finish, Number(maxMsArg));
let finished = false;
function finish(): void {
  if (finished) return;
  finished = true;
  clearInterval(progress);
  clearTimeout(stopper);
  process.send?.({ type: "done", readings, firstAt, lastAt });
  client.end(true);
  db.close();
  setTimeout(() => process.exit(0), 100);
}
