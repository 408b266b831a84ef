// A device in its own process: publishes numbered QoS 1 water readings and prints "ack <i>" per PUBACK.
// Usage: node publisher-proc.mjs <port> <deviceId> <secret> <first> <count> <startTs> [inflight]
import mqtt from "mqtt";

const [port, deviceId, secret, first, count, startTs, inflight = "32"] = process.argv.slice(2);
const client = mqtt.connect({
  host: "127.0.0.1",
  port: Number(port),
  username: deviceId,
  password: secret,
  reconnectPeriod: 0,
  protocolVersion: 4,
});
const topic = `devices/${deviceId}/telemetry`;
let next = Number(first);
const end = Number(first) + Number(count);
let open = 0;

function pump() {
  while (open < Number(inflight) && next < end) {
    const i = next++;
    open++;
    const body = JSON.stringify({ kind: "water", totalLiters: i, ts: Number(startTs) + i * 1000 });
    client.publish(topic, body, { qos: 1 }, (err) => {
      open--;
      if (err) return;
      process.stdout.write(`ack ${i}\n`);
      if (next >= end && open === 0) client.end(false, {}, () => process.exit(0));
      else pump();
    });
  }
}
client.on("connect", pump);
client.on("close", () => process.exit(3));
client.on("error", (err) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(2);
});
