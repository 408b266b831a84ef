import type { ReadingKind } from "../core/domain.js";
import { hashSeed } from "./random.js";

/** One reading as it goes on the wire, before ts is written as ISO-8601. */
export type WireReading = { kind: ReadingKind; ts: number } & Record<string, number | boolean | string>;

/** A message being built: the body is still structured so faults (clock drift) can rewrite it. */
export interface DraftMessage {
  homeId: string;
  deviceId: string;
  kind: ReadingKind | "status";
  /** When the device publishes it (epoch ms). */
  ts: number;
  topic: string;
  /** A reading, an NB-IoT batch, or a raw string (status, malformed payloads). */
  body: WireReading | WireReading[] | string;
}

/** What a publisher sends: `payload` is exactly the bytes published on `topic`. */
export interface SimMessage {
  homeId: string;
  deviceId: string;
  kind: ReadingKind | "status";
  ts: number;
  topic: string;
  payload: string;
}

export const telemetryTopic = (deviceId: string): string => `devices/${deviceId}/telemetry`;
export const statusTopic = (deviceId: string): string => `devices/${deviceId}/status`;

function wire(r: WireReading): Record<string, unknown> {
  return { ...r, ts: new Date(r.ts).toISOString() };
}

export function serialise(d: DraftMessage): SimMessage {
  const payload =
    typeof d.body === "string"
      ? d.body
      : Array.isArray(d.body)
        ? JSON.stringify(d.body.map(wire))
        : JSON.stringify(wire(d.body));
  return { homeId: d.homeId, deviceId: d.deviceId, kind: d.kind, ts: d.ts, topic: d.topic, payload };
}

export function reading(
  homeId: string,
  deviceId: string,
  ts: number,
  body: WireReading | WireReading[],
): DraftMessage {
  const kind = Array.isArray(body) ? (body[0]?.kind ?? "heartbeat") : body.kind;
  return { homeId, deviceId, kind, ts, topic: telemetryTopic(deviceId), body };
}

/** A reproducible number in [0, 1) for (seed, label, t): noise that does not depend on call order. */
export function noise(seed: number, label: string, t: number): number {
  return hashSeed(seed, label, t) / 4294967296;
}

export function byTs(a: DraftMessage, b: DraftMessage): number {
  return a.ts - b.ts;
}

export const round1 = (v: number): number => Math.round(v * 10) / 10;
