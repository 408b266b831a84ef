import { z } from "zod";
import { homeMessages } from "./home-stream.js";
import { mergeSorted } from "./merge.js";
import type { SimMessage } from "./messages.js";
import {
  createNeighbourhood,
  type HomeSpec,
  type NeighbourhoodOptions,
  scenarioHome,
} from "./neighbourhood.js";
import { createRng } from "./random.js";
import { resolveScenarios, type ScenarioInstance, type ScenarioSpec } from "./scenarios.js";

const instant = z.union([
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
  z.number().int().positive(),
]);

/** The options a CLI or test passes; parsed once here. */
export const simulationOptionsSchema = z
  .object({
    homes: z.number().int().min(1).max(1_000_000),
    from: instant,
    to: instant,
    seed: z.union([z.number().int(), z.string().min(1)]),
    timezone: z.string().default("Asia/Shanghai"),
    nbiotShare: z.number().min(0).max(1).optional(),
    water: z
      .object({
        mode: z.enum(["periodic", "nbiot"]).optional(),
        intervalMin: z.number().positive().max(1440).optional(),
        batchesPerDay: z.number().int().min(1).max(96).optional(),
        eventDriven: z.boolean().optional(),
      })
      .optional(),
  })
  .refine((o) => o.to > o.from, "to must be after from");

export type SimulationOptions = z.input<typeof simulationOptionsSchema> & {
  scenarios?: readonly ScenarioSpec[];
};

export interface SimulationPlan {
  homes: HomeSpec[];
  from: number;
  to: number;
  scenarios: ScenarioInstance[];
}

/** Homes and resolved scenarios: cheap, and enough to write the ground truth before any traffic. */
export function planSimulation(options: SimulationOptions): SimulationPlan {
  const o = simulationOptionsSchema.parse(options);
  const hood: NeighbourhoodOptions = { homes: o.homes, seed: o.seed, timezone: o.timezone };
  if (o.nbiotShare !== undefined) hood.nbiotShare = o.nbiotShare;
  if (o.water) hood.water = Object.fromEntries(Object.entries(o.water).filter(([, v]) => v !== undefined));
  const homes = createNeighbourhood(hood);
  const scenarios = resolveScenarios(options.scenarios ?? [], {
    homes: homes.map(scenarioHome),
    from: o.from,
    to: o.to,
    rng: createRng(String(o.seed)).fork("scenarios"),
  });
  return { homes, from: o.from, to: o.to, scenarios };
}

/** Every home's messages merged in global publish-time order, generated lazily. */
export function* simulate(plan: SimulationPlan): Generator<SimMessage> {
  const sources = plan.homes.map((h) => homeMessages(h, plan.from, plan.to, plan.scenarios));
  yield* mergeSorted(sources, (m) => m.ts);
}

export function* runSimulation(options: SimulationOptions): Generator<SimMessage> {
  yield* simulate(planSimulation(options));
}
