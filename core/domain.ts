import { z } from "zod";

/** Device ids go into MQTT topics, SQL and the InfluxDB line protocol: keep them to a safe alphabet. */
export const DEVICE_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const deviceIdSchema = z
  .string()
  .regex(DEVICE_ID_RE, "device id must match [A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

export const DEVICE_KINDS = ["water", "door", "motion", "power", "climate", "button"] as const;
export const deviceKindSchema = z.enum(DEVICE_KINDS);
export type DeviceKind = z.infer<typeof deviceKindSchema>;

export const READING_KINDS = [...DEVICE_KINDS, "heartbeat"] as const;
export type ReadingKind = (typeof READING_KINDS)[number];

const finite = (min: number, max: number) =>
  z
    .number()
    .refine(Number.isFinite, "must be a finite number")
    .refine((v) => v >= min && v <= max, `must be between ${min} and ${max}`);

/** Per-kind fields as devices send them. Unknown fields are stripped (zod's default for objects). */
export const readingFieldSchemas = {
  water: z.object({ totalLiters: finite(0, 1e9), flowLpm: finite(0, 1000).optional() }),
  door: z.object({ open: z.boolean() }),
  motion: z.object({ detected: z.boolean() }),
  power: z.object({ watts: finite(0, 100_000), totalKwh: finite(0, 1e9).optional() }),
  climate: z.object({ celsius: finite(-60, 100), humidity: finite(0, 100).optional() }),
  // `ok: true` is the "I'm OK" press that answers a resident check-in; it is never a panic press, and
  // `pressed` may then be left out (docs/protocol.md).
  button: z.preprocess(
    (v) =>
      typeof v === "object" && v !== null && "ok" in v && v.ok === true && !("pressed" in v)
        ? { ...v, pressed: false }
        : v,
    z.object({ pressed: z.boolean(), ok: z.boolean().optional() }),
  ),
  heartbeat: z.object({ battery: finite(0, 100).optional(), rssi: finite(-200, 50).optional() }),
} as const;

export type WaterFields = z.infer<typeof readingFieldSchemas.water>;
export type ReadingFields = {
  [K in ReadingKind]: z.infer<(typeof readingFieldSchemas)[K]>;
};

/** A reading as the service stores and evaluates it: validated, with an event time in epoch ms. */
export type Reading = {
  [K in ReadingKind]: { deviceId: string; kind: K; ts: number; fields: ReadingFields[K] };
}[ReadingKind];

/** A stored reading: what ingest committed, plus what was derived (water consumption). */
export interface StoredReading {
  id: number;
  deviceId: string;
  householdId: string;
  kind: ReadingKind;
  ts: number;
  receivedAt: number;
  fields: Record<string, number | boolean>;
  /** Litres since the previous reading of this meter in event-time order; null for the first or after a reset. */
  consumedLiters: number | null;
  /** The register went backwards here (meter replaced or reset): a new baseline starts. */
  registerReset: boolean;
}

export const GRID_LEVELS = ["city", "district", "street", "community", "grid", "subgrid"] as const;
export const gridPathSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_-]{0,63}(\/[a-z0-9][a-z0-9_-]{0,63}){0,5}$/,
    "grid path: 1–6 segments of [a-z0-9_-], joined by /",
  );

export const emergencyContactSchema = z.object({
  name: z.string().min(1).max(100),
  phone: z.string().min(3).max(40),
  relation: z.string().max(50).optional(),
});

export const householdInputSchema = z.object({
  resident: z.string().trim().min(1).max(100),
  address: z.string().trim().min(1).max(300),
  gridPath: gridPathSchema,
  timezone: z.string().default("Asia/Shanghai"),
  emergencyContacts: z.array(emergencyContactSchema).max(10).default([]),
  consent: z.boolean().default(false),
  language: z.enum(["zh-CN", "en"]).default("zh-CN"),
});
export type HouseholdInput = z.input<typeof householdInputSchema>;

export interface Household {
  id: string;
  resident: string;
  address: string;
  gridId: number;
  gridPath: string;
  timezone: string;
  emergencyContacts: z.infer<typeof emergencyContactSchema>[];
  consent: boolean;
  language: "zh-CN" | "en";
  createdAt: number;
  /**
   * Since when the home is not monitored because consent was withdrawn (PIPL art. 15), or null while it is
   * monitored. Only a recorded withdrawal pauses: a home whose consent was never recorded is still watched.
   */
  monitoringPausedAt?: number | null;
}

export interface Device {
  id: string;
  householdId: string;
  kind: DeviceKind;
  createdAt: number;
  lastSeenAt: number | null;
  revokedAt: number | null;
}

export interface Grid {
  id: number;
  parentId: number | null;
  path: string;
  name: string;
  level: string;
}
