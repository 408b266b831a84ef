import { loadConfig } from "../../core/config.js";
import { jinlinError } from "../../core/errors.js";
import { createAccount, generatePassword } from "../../dashboard/auth/passwords.js";
import { createAccountStore } from "../../storage/sqlite/accounts.js";
import { createPeopleStore, DUTIES, type Duty, ROLES } from "../../storage/sqlite/people.js";
import { type Command, UsageError } from "../args.js";
import { openStores } from "../stores.js";
import { PERSON_OPTIONS } from "./person.js";

async function readStdinPassword(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** `jinlin user add`: a dashboard account; the first operator is made this way. */
export function createUserAdd(readPassword: () => Promise<string> = readStdinPassword): Command {
  return {
    name: "user add",
    summary: "add a dashboard account (operator, grid worker or family); prints a generated password once",
    takesSettings: "data-dir",
    options: {
      ...PERSON_OPTIONS,
      login: { type: "string", help: "sign-in name (user name or e-mail), unique", required: true },
      "password-stdin": { type: "boolean", help: "read the password from standard input (one line)" },
      json: { type: "boolean", help: "print JSON" },
    },
    async run({ values, settings }, io) {
      const role = ROLES.find((r) => r === values.role);
      if (!role) throw new UsageError(`--role must be one of ${ROLES.join(", ")}`);
      const duty = (values.duty ?? "primary") as Duty;
      if (!DUTIES.includes(duty)) throw new UsageError(`--duty must be one of ${DUTIES.join(", ")}`);
      // One line: the trailing newline of `echo` or a here-string is not part of the password.
      const given = values["password-stdin"] ? (await readPassword()).replace(/\r?\n$/, "") : undefined;
      const password = given ?? generatePassword();
      const str = (k: string) => (typeof values[k] === "string" ? (values[k] as string) : undefined);
      const stores = openStores(loadConfig(io.env, settings));
      try {
        const people = createPeopleStore(stores.db, Date.now);
        const accounts = createAccountStore(stores.db, Date.now);
        const transaction = <T>(fn: () => T): T => stores.db.transaction(fn).immediate();
        const account = await createAccount(
          { people, accounts, transaction },
          {
            role,
            login: String(values.login),
            name: String(values.name),
            password,
            ...(str("email") ? { email: str("email") } : {}),
            ...(str("phone") ? { phone: str("phone") } : {}),
            ...(str("language") ? { language: str("language") as "zh-CN" | "en" } : {}),
          },
        );
        transaction(() => link(stores, people, account.id, str("grid"), duty, str("household")));
        report(io, account, given === undefined ? password : null, Boolean(values.json));
        return 0;
      } finally {
        stores.close();
      }
    },
  };
}

function link(
  stores: ReturnType<typeof openStores>,
  people: ReturnType<typeof createPeopleStore>,
  personId: string,
  grid: string | undefined,
  duty: Duty,
  household: string | undefined,
) {
  if (grid) people.assign(personId, stores.registry.ensureGrid(grid).id, duty);
  if (household) {
    if (!stores.registry.getHousehold(household))
      throw jinlinError("JINLIN_ERR_HOUSEHOLD_NOT_FOUND", household);
    people.linkFamily(personId, household);
  }
}

function report(
  io: { out(text: string): void },
  account: { id: string; role: string; login: string | null },
  generated: string | null,
  json: boolean,
) {
  if (json) {
    io.out(JSON.stringify({ id: account.id, role: account.role, login: account.login, password: generated }));
    return;
  }
  io.out(`user ${account.login} (${account.role}) added as person ${account.id}`);
  if (generated) {
    io.out(`password: ${generated}`);
    io.out("The password is shown only now; Jinlin keeps only its hash. Change it after signing in.");
  }
}

export const userAdd = createUserAdd();
