/**
 * Every rule's parameters in one typed object, validated by zod, merged global → grid → home:
 * later layers override earlier ones field by field (and one level into record fields).
 */
import { z } from "zod";
import { RULE_IDS, type RuleId } from "../engine/types.js";
import { doorNightDefaults, doorNightParamsSchema } from "./door-night.js";
import { excessiveUseDefaults, excessiveUseParamsSchema } from "./excessive-use.js";
import { inactivityDefaults, inactivityParamsSchema } from "./inactivity-params.js";
import { nightActivityDefaults, nightActivityParamsSchema } from "./night-activity.js";
import { noDataDefaults, noDataParamsSchema } from "./no-data.js";
import { panicDefaults, panicParamsSchema } from "./panic.js";
import { slowLeakDefaults, slowLeakParamsSchema } from "./slow-leak.js";
import { temperatureDefaults, temperatureParamsSchema } from "./temperature.js";
import { waterRunningDefaults, waterRunningParamsSchema } from "./water-running.js";

const schemas = {
  inactivity: inactivityParamsSchema,
  no_data: noDataParamsSchema,
  water_running: waterRunningParamsSchema,
  slow_leak: slowLeakParamsSchema,
  excessive_use: excessiveUseParamsSchema,
  night_activity: nightActivityParamsSchema,
  panic: panicParamsSchema,
  door_night: doorNightParamsSchema,
  temperature: temperatureParamsSchema,
} as const satisfies Record<RuleId, z.ZodObject>;

export const ruleParamsSchema = z.object({
  ...schemas,
  /** Rules switched off for this layer (e.g. a home without a door sensor needs no door_night). */
  disabled: z.array(z.enum(RULE_IDS)),
});
export type RuleParams = z.infer<typeof ruleParamsSchema>;

export const ruleParamsOverrideSchema = z
  .object({
    inactivity: inactivityParamsSchema.partial(),
    no_data: noDataParamsSchema.partial(),
    water_running: waterRunningParamsSchema.partial(),
    slow_leak: slowLeakParamsSchema.partial(),
    excessive_use: excessiveUseParamsSchema.partial(),
    night_activity: nightActivityParamsSchema.partial(),
    panic: panicParamsSchema.partial(),
    door_night: doorNightParamsSchema.partial(),
    temperature: temperatureParamsSchema.partial(),
    disabled: z.array(z.enum(RULE_IDS)),
  })
  .partial()
  .strict();
export type RuleParamsOverride = z.infer<typeof ruleParamsOverrideSchema>;

export const ruleParamsDefaults: RuleParams = {
  inactivity: inactivityDefaults,
  no_data: noDataDefaults,
  water_running: waterRunningDefaults,
  slow_leak: slowLeakDefaults,
  excessive_use: excessiveUseDefaults,
  night_activity: nightActivityDefaults,
  panic: panicDefaults,
  door_night: doorNightDefaults,
  temperature: temperatureDefaults,
  disabled: [],
};

const isPlain = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function mergeRule(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    const b = out[k];
    out[k] = isPlain(b) && isPlain(v) ? { ...b, ...v } : v;
  }
  return out;
}

/** Merges layers (global, grid, home …) onto the defaults; throws a ZodError naming bad fields. */
export function resolveRuleParams(...layers: readonly unknown[]): RuleParams {
  let merged: Record<string, unknown> = { ...ruleParamsDefaults };
  for (const raw of layers) {
    const layer = ruleParamsOverrideSchema.parse(raw ?? {});
    for (const [k, v] of Object.entries(layer)) {
      const cur = merged[k];
      merged = { ...merged, [k]: isPlain(cur) && isPlain(v) ? mergeRule(cur, v) : v };
    }
  }
  return ruleParamsSchema.parse(merged);
}
