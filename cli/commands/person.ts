import { loadConfig } from "../../core/config.js";
import { jinlinError } from "../../core/errors.js";
import { createPeopleStore, DUTIES, type Duty, ROLES } from "../../storage/sqlite/people.js";
import { type Command, type OptionSpec, UsageError } from "../args.js";
import { openStores } from "../stores.js";

/** The options `person add` and `user add` share: who the person is and whom they answer for. */
export const PERSON_OPTIONS: OptionSpec = {
  name: { type: "string", help: "display name", required: true },
  role: { type: "string", help: "worker | family | operator", required: true },
  email: { type: "string", help: "e-mail address for notifications" },
  phone: { type: "string", help: "phone number" },
  language: { type: "string", help: "zh-CN (default) or en" },
  grid: { type: "string", help: "worker: grid path they answer for (created on first use)" },
  duty: { type: "string", help: "worker: primary (default) | backup | supervisor" },
  household: { type: "string", help: "family: household id they belong to" },
};

export const personAdd: Command = {
  name: "person add",
  summary: "add a grid worker, family member or operator who receives alerts",
  takesSettings: "data-dir",
  options: {
    ...PERSON_OPTIONS,
    relation: { type: "string", help: "family: relation to the resident, e.g. daughter" },
    json: { type: "boolean", help: "print JSON" },
  },
  async run({ values, settings }, io) {
    const role = ROLES.find((r) => r === values.role);
    if (!role) throw new UsageError(`--role must be one of ${ROLES.join(", ")}`);
    const duty = (values.duty ?? "primary") as Duty;
    if (!DUTIES.includes(duty)) throw new UsageError(`--duty must be one of ${DUTIES.join(", ")}`);
    const stores = openStores(loadConfig(io.env, settings));
    try {
      const people = createPeopleStore(stores.db, Date.now);
      const person = stores.db.transaction(() => {
        const p = people.addPerson({
          name: String(values.name),
          role,
          ...(typeof values.email === "string" ? { email: values.email } : {}),
          ...(typeof values.phone === "string" ? { phone: values.phone } : {}),
          ...(typeof values.language === "string" ? { language: values.language as "zh-CN" | "en" } : {}),
        });
        if (typeof values.grid === "string")
          people.assign(p.id, stores.registry.ensureGrid(values.grid).id, duty);
        if (typeof values.household === "string") {
          if (!stores.registry.getHousehold(values.household))
            throw jinlinError("JINLIN_ERR_HOUSEHOLD_NOT_FOUND", values.household);
          people.linkFamily(
            p.id,
            values.household,
            typeof values.relation === "string" ? values.relation : null,
          );
        }
        return p;
      })();
      if (values.json) io.out(JSON.stringify(person));
      else io.out(`person ${person.id} (${person.role}) added`);
      return 0;
    } finally {
      stores.close();
    }
  },
};
