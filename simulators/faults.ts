import { type DraftMessage, noise, statusTopic, type WireReading } from "./messages.js";
import type { ScenarioInstance } from "./scenarios.js";

/**
 * Device and delivery faults, applied to a home's drafts of one time window.
 * Device faults: offline (nothing sent, status offline/online), battery dead after battery-dying,
 * a gap while the meter is swapped, clock drift in the readings' ts. Delivery faults: duplicates,
 * out-of-order (held back and sent later), malformed payloads.
 */
export interface FaultContext {
  seed: number;
  scenarios: readonly ScenarioInstance[];
}

const status = (s: ScenarioInstance, ts: number, payload: "online" | "offline"): DraftMessage => ({
  homeId: s.homeId,
  deviceId: s.deviceId ?? "",
  kind: "status",
  ts,
  topic: statusTopic(s.deviceId ?? ""),
  body: payload,
});

function silentWindows(s: ScenarioInstance): [number, number] | null {
  if (s.kind === "device-offline" || s.kind === "meter-replaced") return [s.start, s.end];
  if (s.kind === "battery-dying") return [s.end, Number.POSITIVE_INFINITY];
  return null;
}

/** Status messages a device-level scenario causes inside [from, until). */
function statusDrafts(s: ScenarioInstance, from: number, until: number): DraftMessage[] {
  const out: DraftMessage[] = [];
  const w = silentWindows(s);
  if (!w) return out;
  // The broker publishes the will ("offline") once the keep-alive lapses; 1.5 × 60 s.
  const off = w[0] + 90_000;
  if (off >= from && off < until) out.push(status(s, off, "offline"));
  if (Number.isFinite(w[1]) && w[1] >= from && w[1] < until) out.push(status(s, w[1], "online"));
  return out;
}

function driftReading(r: WireReading, s: ScenarioInstance): WireReading {
  const perMs = (s.params.driftMinPerDay ?? 0) / 1440;
  return { ...r, ts: Math.round(r.ts + (r.ts - s.start) * perMs) };
}

function applyDeviceFaults(
  drafts: DraftMessage[],
  ctx: FaultContext,
  from: number,
  until: number,
): DraftMessage[] {
  let out = drafts;
  for (const s of ctx.scenarios) {
    if (!s.deviceId) continue;
    const w = silentWindows(s);
    if (w) {
      out = out.filter((m) => m.deviceId !== s.deviceId || m.ts < w[0] || m.ts >= w[1]);
      out.push(...statusDrafts(s, from, until));
    }
    if (s.kind === "clock-drift") {
      out = out.map((m) => {
        if (m.deviceId !== s.deviceId || m.ts < s.start || m.ts >= s.end || typeof m.body === "string")
          return m;
        const body = Array.isArray(m.body) ? m.body.map((r) => driftReading(r, s)) : driftReading(m.body, s);
        return { ...m, body };
      });
    }
  }
  return out;
}

const MALFORMED = [
  (p: string) => p.slice(0, Math.max(1, Math.floor(p.length / 2))),
  () => '{"kind":"water","totalLiters":"lots"}',
  () => '{"kind":"teleport","ts":"2020-01-01T00:00:00Z"}',
  () => "[]",
  () => '{"kind":"door","ts":"yesterday","open":true}',
  () => "\u0000\u0001binary",
];

function applyDelivery(m: DraftMessage, s: ScenarioInstance, seed: number): DraftMessage[] {
  const u = noise(seed, `${s.id}:${m.deviceId}`, m.ts);
  if (u >= (s.params.rate ?? 0.2)) return [m];
  const v = noise(seed, `${s.id}:v`, m.ts);
  switch (s.kind) {
    case "duplicates":
      // A QoS 1 retry after a lost PUBACK: the same payload again, seconds to a minute later.
      return [m, { ...m, ts: m.ts + 1_000 + Math.floor(v * 60_000) }];
    case "out-of-order":
      return [{ ...m, ts: m.ts + 60_000 + Math.floor(v * 30 * 60_000) }];
    case "malformed": {
      const payload = typeof m.body === "string" ? m.body : JSON.stringify(m.body);
      const f = MALFORMED[Math.floor(v * MALFORMED.length)] ?? MALFORMED[0];
      return [{ ...m, body: f ? f(payload) : "" }];
    }
    default:
      return [m];
  }
}

const DELIVERY: ReadonlySet<string> = new Set(["duplicates", "out-of-order", "malformed"]);

export function applyFaults(
  drafts: DraftMessage[],
  ctx: FaultContext,
  from: number,
  until: number,
): DraftMessage[] {
  let out = applyDeviceFaults(drafts, ctx, from, until);
  for (const s of ctx.scenarios) {
    if (!DELIVERY.has(s.kind) || !s.deviceId) continue;
    out = out.flatMap((m) =>
      m.deviceId === s.deviceId && m.kind !== "status" && m.ts >= s.start && m.ts < s.end
        ? applyDelivery(m, s, ctx.seed)
        : [m],
    );
  }
  return out;
}
