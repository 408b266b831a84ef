import type { Clock } from "../core/clock.js";
import type { DeviceKind, Reading } from "../core/domain.js";
import type { Logger } from "../core/log.js";
import { type DecodeLimits, decodeTelemetry, type Rejection } from "./decode.js";
import type { GroupCommitter } from "./group-commit.js";
import type { ReadingToAppend } from "./reading-sink.js";

/** A panic button pressed (not an "I'm OK" press): the reading the fast lane exists for. */
export const isPanicPress = (r: Reading): boolean =>
  r.kind === "button" && r.fields.pressed && !("ok" in r.fields && r.fields.ok === true);

export interface IngestObserver {
  accepted(n: number): void;
  rejected(reason: string): void;
}

export interface TelemetryIngestDeps {
  committer: GroupCommitter;
  clock: Clock;
  limits: DecodeLimits;
  log: Logger;
  observer?: IngestObserver;
}

/** Message ids remembered per device, so a redelivery of a reading without `ts` gets the same arrival time. */
const REMEMBERED_IDS = 4;

/**
 * Decodes, validates and durably appends one telemetry message. Resolves with the rejections once every
 * accepted reading is committed; rejects only when the store could not take them (no PUBACK then).
 */
export function createTelemetryIngest(deps: TelemetryIngestDeps) {
  const { committer, clock, limits, log, observer } = deps;
  const recentArrivals = new Map<string, { id: number; at: number }[]>();

  function arrivalFor(
    deviceId: string,
    meta: { qos: number; dup: boolean; messageId: number | undefined },
  ): number {
    const now = clock.now();
    if (meta.qos === 0 || meta.messageId === undefined) return now;
    const ring = recentArrivals.get(deviceId) ?? [];
    if (meta.dup) {
      const seen = ring.find((e) => e.id === meta.messageId);
      if (seen) return seen.at;
    }
    ring.push({ id: meta.messageId, at: now });
    if (ring.length > REMEMBERED_IDS) ring.shift();
    recentArrivals.set(deviceId, ring);
    return now;
  }

  return {
    async handle(
      device: { id: string; kind: DeviceKind; householdId: string },
      payload: Buffer,
      meta: { qos: number; dup: boolean; messageId: number | undefined },
    ): Promise<Rejection[]> {
      const arrival = arrivalFor(device.id, meta);
      const { readings, rejections } = decodeTelemetry(payload, device, arrival, limits);
      for (const r of rejections) observer?.rejected(r.reason);
      if (readings.length > 0) {
        const receivedAt = clock.now();
        const items: ReadingToAppend[] = [];
        let urgent = false;
        for (const reading of readings) {
          items.push({ reading, householdId: device.householdId, receivedAt });
          if (isPanicPress(reading)) urgent = true;
        }
        // A panic press takes the fast lane: committed at once in its own transaction, not after the
        // group being gathered, so a person's call for help never queues behind telemetry.
        await (urgent ? committer.submitUrgent(items) : committer.submit(items));
        observer?.accepted(readings.length);
      }
      if (rejections.length > 0)
        log.debug({ deviceId: device.id, rejected: rejections.length }, "readings rejected");
      return rejections;
    },
  };
}

export type TelemetryIngest = ReturnType<typeof createTelemetryIngest>;
