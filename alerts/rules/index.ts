/** Builds every enabled rule for one home. Rules are pure: this only closes them over config. */
import type { ReadingKind } from "../../core/domain.js";
import type { Interval, Rule, RuleConfig, RuleId } from "../engine/types.js";
import { createDoorNightRule } from "./door-night.js";
import { createExcessiveUseRule } from "./excessive-use.js";
import { createInactivityRule } from "./inactivity.js";
import { createNightActivityRule } from "./night-activity.js";
import { createNoDataRule } from "./no-data.js";
import { createPanicRule } from "./panic.js";
import type { RuleParams } from "./params.js";
import { createSlowLeakRule } from "./slow-leak.js";
import { createTemperatureRule } from "./temperature.js";
import { createWaterRunningRule } from "./water-running.js";

/** A rule whose state type is hidden, so rules of different state can share one list. */
export type AnyRule = Rule<unknown>;

/** The rule itself, not a wrapper: a wrapper was one more call per rule and reading on the hot path. */
function erase<S>(rule: Rule<S>): AnyRule {
  return rule as unknown as AnyRule;
}

/**
 * The one reading kind a rule reads, for the rules that read only one. For a reading of any other kind
 * such a rule's `evaluate` returns the state it was given, no transition and no deadline, so the home
 * evaluator skips it (tests/unit/alerts/rule-kinds.test.ts holds each rule to this). Rules missing here
 * read every kind (no_data hears every device; inactivity, night and door rules read several).
 */
export const ONLY_KIND: Partial<Record<RuleId, ReadingKind>> = {
  panic: "button",
  water_running: "water",
  slow_leak: "water",
  excessive_use: "water",
  temperature: "climate",
};

export interface HomeRuleConfig {
  params: RuleParams;
  timezone: string;
  absences: readonly Interval[];
}

export function createRules(cfg: HomeRuleConfig): AnyRule[] {
  const c = <P>(params: P): RuleConfig<P> => ({ params, timezone: cfg.timezone, absences: cfg.absences });
  const p = cfg.params;
  const all: Record<RuleId, AnyRule> = {
    panic: erase(createPanicRule(c(p.panic))),
    inactivity: erase(createInactivityRule(c(p.inactivity))),
    no_data: erase(createNoDataRule(c(p.no_data))),
    water_running: erase(createWaterRunningRule(c(p.water_running))),
    slow_leak: erase(createSlowLeakRule(c(p.slow_leak))),
    excessive_use: erase(createExcessiveUseRule(c(p.excessive_use))),
    night_activity: erase(createNightActivityRule(c(p.night_activity))),
    door_night: erase(createDoorNightRule(c(p.door_night))),
    temperature: erase(createTemperatureRule(c(p.temperature))),
  };
  return Object.values(all).filter((r) => !p.disabled.includes(r.id));
}
