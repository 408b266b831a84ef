import { z } from "zod";
import type { AlertService } from "../alerts/alert-service.js";
import { runBacktest } from "../alerts/engine/backtest.js";
import { resolveRuleParams, ruleParamsDefaults, ruleParamsOverrideSchema } from "../alerts/rules/params.js";
import type { Clock } from "../core/clock.js";
import type { Reading } from "../core/domain.js";
import { jinlinError } from "../core/errors.js";
import type { RulesApi } from "../dashboard/routes/rules.js";
import type { Db } from "../storage/sqlite/open.js";
import type { ReadingStore } from "../storage/sqlite/readings.js";
import type { Registry } from "../storage/sqlite/registry.js";
import type { RuleScope, RuleSettingsStore } from "../storage/sqlite/rule-settings.js";

/** Keys of `input` that `parsed` does not have: zod strips unknown keys inside rules, we refuse them. */
function unknownKeys(input: unknown, parsed: unknown, path = ""): string[] {
  if (typeof input !== "object" || input === null || Array.isArray(input)) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(input)) {
    const p = (parsed as Record<string, unknown> | undefined)?.[k];
    if (p === undefined) out.push(`${path}${k}`);
    else out.push(...unknownKeys(v, p, `${path}${k}.`));
  }
  return out;
}

function validated(params: unknown): Record<string, unknown> {
  const parsed = ruleParamsOverrideSchema.safeParse(params);
  const problems = parsed.success
    ? unknownKeys(params, parsed.data).map((k) => `${k}: no such parameter`)
    : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  if (problems.length === 0) {
    try {
      resolveRuleParams(params);
    } catch (err) {
      problems.push(
        ...(err instanceof z.ZodError
          ? err.issues.map((i) => `${i.path.join(".")}: ${i.message}`)
          : [String(err)]),
      );
    }
  }
  if (problems.length > 0) throw jinlinError("JINLIN_ERR_INPUT_INVALID", problems.join("; "));
  return params as Record<string, unknown>;
}

/** Rule settings and the backtest preview for the dashboard, over the service's store and alert service. */
export function createRulesApi(d: {
  db: Db;
  settings: RuleSettingsStore;
  registry: Registry;
  readings: ReadingStore;
  service: AlertService;
  clock: Clock;
}): RulesApi {
  const gridExists = d.db.prepare<[number], { id: number }>("SELECT id FROM grids WHERE id = ?");
  const effective = (householdId: string, instead?: { scope: RuleScope; params: Record<string, unknown> }) =>
    resolveRuleParams(...d.settings.layersFor(householdId, instead).map((l) => l.params));

  function backtest(householdId: string, params: ReturnType<typeof resolveRuleParams>, from: number) {
    const h = d.registry.getHousehold(householdId)!;
    const readings = d.readings.query({ householdId, since: from, limit: 2_000_000 }).map((r) => ({
      homeId: householdId,
      reading: { deviceId: r.deviceId, kind: r.kind, ts: r.ts, fields: r.fields } as Reading,
    }));
    const result = runBacktest({
      homes: [{ homeId: householdId, timezone: h.timezone, params }],
      readings,
      start: from,
      end: d.clock.now(),
    });
    return {
      readings: readings.length,
      summary: result.summary,
      alerts: result.alerts.map((a) => ({
        rule: a.rule,
        severity: a.severity,
        raisedAt: a.raisedAt,
        clearedAt: a.clearedAt,
        message: a.evidence.message,
      })),
    };
  }

  return {
    defaults: () => ruleParamsDefaults,
    get: (scope) => d.settings.get(scope),
    history: (scope) => d.settings.history(scope),
    forHousehold: (householdId) => ({
      effective: effective(householdId),
      layers: d.settings.layersFor(householdId),
      history: d.settings.history(`household:${householdId}`),
    }),
    set(scope, params, reason, by) {
      if (scope.startsWith("grid:") && !gridExists.get(Number(scope.slice(5))))
        throw jinlinError("JINLIN_ERR_NOT_FOUND", scope);
      const saved = d.settings.set({
        scope,
        source: "operator",
        params: validated(params),
        reason,
        changedBy: by,
      });
      if (scope.startsWith("household:")) d.service.homeChanged(scope.slice("household:".length));
      else d.service.allHomesChanged();
      return saved;
    },
    forgetLearned(householdId, by) {
      d.settings.clear(`household:${householdId}`, "learned", "forgotten by an operator", by);
      d.service.homeChanged(householdId);
    },
    preview(householdId, params, days, scope = `household:${householdId}`) {
      const from = d.clock.now() - days * 86_400_000;
      // A grid's layer only reaches the homes below it: previewing it elsewhere would show no change.
      if (!d.settings.scopesFor(householdId).includes(scope))
        throw jinlinError("JINLIN_ERR_INPUT_INVALID", `householdId: this home is not under ${scope}`);
      const proposed = { scope, params: validated(params) };
      return {
        days,
        scope,
        current: backtest(householdId, effective(householdId), from),
        proposed: backtest(householdId, effective(householdId, proposed), from),
      };
    },
  };
}
