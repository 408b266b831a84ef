import { jinlinError } from "../../core/errors.js";
import type { Db } from "./open.js";

export type RuleScope = "global" | `grid:${number}` | `household:${string}`;
export type SettingSource = "operator" | "learned";

export interface RuleSetting {
  scope: RuleScope;
  source: SettingSource;
  params: Record<string, unknown>;
  reason: string;
  changedBy: string;
  changedAt: number;
}

interface Row {
  scope: string;
  source: SettingSource;
  params: string;
  reason: string;
  changed_by: string;
  changed_at: number;
}

const toSetting = (r: Row): RuleSetting => ({
  scope: r.scope as RuleScope,
  source: r.source,
  params: JSON.parse(r.params) as Record<string, unknown>,
  reason: r.reason,
  changedBy: r.changed_by,
  changedAt: r.changed_at,
});

/**
 * Rule parameter overrides per scope, and the layers that apply to one home, most general first:
 * global, each grid from the district down, what was learned from this home's outcomes, and what an
 * operator set for the home (which wins). Every change is kept in an append-only history.
 */
export function createRuleSettingsStore(db: Db, now: () => number) {
  const get = db.prepare<[string, string], Row>("SELECT * FROM rule_settings WHERE scope = ? AND source = ?");
  const upsert = db.prepare(
    `INSERT INTO rule_settings (scope, source, params, reason, changed_by, changed_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (scope, source) DO UPDATE SET params = excluded.params, reason = excluded.reason,
       changed_by = excluded.changed_by, changed_at = excluded.changed_at`,
  );
  const remove = db.prepare("DELETE FROM rule_settings WHERE scope = ? AND source = ?");
  const log = db.prepare(
    "INSERT INTO rule_settings_history (scope, source, params, reason, changed_by, changed_at) VALUES (?, ?, ?, ?, ?, ?)",
  );
  const gridOf = db.prepare<[string], { grid_id: number }>("SELECT grid_id FROM households WHERE id = ?");
  const parentOf = db.prepare<[number], { parent_id: number | null }>(
    "SELECT parent_id FROM grids WHERE id = ?",
  );

  function gridChain(gridId: number): number[] {
    const chain: number[] = [];
    for (let id: number | null = gridId; id !== null; id = parentOf.get(id)?.parent_id ?? null)
      chain.unshift(id);
    return chain;
  }

  return {
    get(scope: RuleScope, source: SettingSource = "operator"): RuleSetting | undefined {
      const r = get.get(scope, source);
      return r ? toSetting(r) : undefined;
    },
    set(s: Omit<RuleSetting, "changedAt">): RuleSetting {
      const at = now();
      db.transaction(() => {
        upsert.run(s.scope, s.source, JSON.stringify(s.params), s.reason, s.changedBy, at);
        log.run(s.scope, s.source, JSON.stringify(s.params), s.reason, s.changedBy, at);
      }).immediate();
      return { ...s, changedAt: at };
    },
    clear(scope: RuleScope, source: SettingSource, reason: string, by: string): void {
      db.transaction(() => {
        if (remove.run(scope, source).changes === 0)
          throw jinlinError("JINLIN_ERR_NOT_FOUND", `${source} settings for ${scope}`);
        log.run(scope, source, null, reason, by, now());
      }).immediate();
    },
    history(scope: RuleScope) {
      type H = {
        source: string;
        params: string | null;
        reason: string;
        changed_by: string;
        changed_at: number;
      };
      return db
        .prepare<[string], H>(
          "SELECT source, params, reason, changed_by, changed_at FROM rule_settings_history WHERE scope = ? ORDER BY id",
        )
        .all(scope)
        .map((h) => ({
          source: h.source,
          params: h.params ? (JSON.parse(h.params) as unknown) : null,
          reason: h.reason,
          changedBy: h.changed_by,
          changedAt: h.changed_at,
        }));
    },
    /** The homes that have a layer of this source (the daily recomputation of the learned layers). */
    householdsWith(source: SettingSource): string[] {
      return db
        .prepare<[string], { scope: string }>(
          "SELECT scope FROM rule_settings WHERE source = ? AND scope LIKE 'household:%' ORDER BY scope",
        )
        .all(source)
        .map((r) => r.scope.slice("household:".length));
    },
    /** The scopes whose operator layers apply to one home, most general first: global, its grids, itself. */
    scopesFor(householdId: string): RuleScope[] {
      const home = gridOf.get(householdId);
      const grids = home ? gridChain(home.grid_id).map((g): RuleScope => `grid:${g}`) : [];
      return ["global", ...grids, `household:${householdId}`];
    },
    /**
     * The override layers for one home, most general first (feed them to resolveRuleParams). With
     * `instead`, that scope's operator layer is replaced by a proposal (what a preview backtests).
     */
    layersFor(
      householdId: string,
      instead?: { scope: RuleScope; params: Record<string, unknown> },
    ): RuleSetting[] {
      const home = gridOf.get(householdId);
      const scopes: [RuleScope, SettingSource][] = [["global", "operator"]];
      if (home) for (const g of gridChain(home.grid_id)) scopes.push([`grid:${g}`, "operator"]);
      scopes.push([`household:${householdId}`, "learned"], [`household:${householdId}`, "operator"]);
      return scopes
        .map(([scope, source]): RuleSetting | undefined => {
          if (instead && source === "operator" && scope === instead.scope)
            return {
              scope,
              source,
              params: instead.params,
              reason: "proposed",
              changedBy: "",
              changedAt: now(),
            };
          const r = get.get(scope, source);
          return r ? toSetting(r) : undefined;
        })
        .filter((r): r is RuleSetting => r !== undefined);
    },
  };
}

export type RuleSettingsStore = ReturnType<typeof createRuleSettingsStore>;
