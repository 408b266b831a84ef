import { type Alert, outcomeSchema } from "../../alerts/alert-types.js";
import { DEFAULT_ESCALATION } from "../../alerts/escalation.js";
import { createAlertLifecycle } from "../../alerts/lifecycle.js";
import { systemClock } from "../../core/clock.js";
import { loadConfig } from "../../core/config.js";
import { createLogger } from "../../core/log.js";
import { createAlertStore } from "../../storage/sqlite/alerts.js";
import { type Command, UsageError } from "../args.js";
import { openStores } from "../stores.js";

export const alertsList: Command = {
  name: "alerts",
  summary: "list alerts, newest first (safe while the service runs)",
  takesSettings: "data-dir",
  options: {
    household: { type: "string", help: "only this household" },
    open: { type: "boolean", help: "only alerts that still need someone" },
    json: { type: "boolean", help: "print JSON" },
  },
  async run({ values, settings }, io) {
    const stores = openStores(loadConfig(io.env, settings));
    try {
      const list = createAlertStore(stores.db).list({
        ...(typeof values.household === "string" ? { householdIds: [values.household] } : {}),
        ...(values.open ? { statuses: ["open", "acknowledged", "visiting"] } : {}),
      });
      if (values.json) io.out(JSON.stringify(list));
      else
        for (const a of list)
          io.out(
            `#${a.id}\t${a.severity}\t${a.status}\t${a.householdId}\t${a.rule}\t${new Date(a.raisedAt).toISOString()}\t${a.evidence.message.en}`,
          );
      return 0;
    } finally {
      stores.close();
    }
  },
};

/**
 * Acknowledge or resolve from the command line. The running service notices at the alert's next timer
 * (escalation stops once the stored alert is no longer open); the dashboard acts on it at once.
 */
export const alertAct: Command = {
  name: "alert",
  summary:
    "act on an alert: --ack, --visiting or --resolve OUTCOME (safe | needed_help | hospital | false_alarm_away | false_alarm_other)",
  takesSettings: "data-dir",
  options: {
    id: { type: "string", help: "alert number", required: true },
    by: { type: "string", help: "person id of whoever acts", required: true },
    ack: { type: "boolean", help: "acknowledge" },
    visiting: { type: "boolean", help: "on my way" },
    resolve: { type: "string", help: "resolve with this outcome" },
    note: { type: "string", help: "note for the record" },
    json: { type: "boolean", help: "print JSON" },
  },
  async run({ values, settings }, io) {
    const config = loadConfig(io.env, settings);
    const stores = openStores(config);
    try {
      const lifecycle = createAlertLifecycle({
        store: createAlertStore(stores.db),
        clock: systemClock,
        policy: DEFAULT_ESCALATION,
        notifier: { notify: () => {} },
        log: createLogger("silent"),
      });
      const id = Number(values.id);
      const by = String(values.by);
      let alert: Alert;
      if (values.ack) alert = lifecycle.acknowledge(id, by);
      else if (values.visiting) alert = lifecycle.onMyWay(id, by);
      else if (typeof values.resolve === "string") {
        const outcome = outcomeSchema.safeParse(values.resolve);
        if (!outcome.success)
          throw new UsageError(`--resolve takes one of ${outcomeSchema.options.join(", ")}`);
        alert = lifecycle.resolve(id, by, outcome.data, typeof values.note === "string" ? values.note : null);
      } else throw new UsageError("say --ack, --visiting or --resolve OUTCOME");
      if (values.json) io.out(JSON.stringify(alert));
      else io.out(`alert #${alert.id} is ${alert.status}`);
      return 0;
    } finally {
      stores.close();
    }
  },
};
