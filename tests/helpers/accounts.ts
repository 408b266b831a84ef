import { createAccount } from "../../dashboard/auth/passwords.js";
import type { Role } from "../../dashboard/auth/types.js";
import { createAccountStore } from "../../storage/sqlite/accounts.js";
import type { Db } from "../../storage/sqlite/open.js";
import { createPeopleStore } from "../../storage/sqlite/people.js";

/** A dashboard account written straight to the store (as `jinlin user add` does); password `<login>-password-1`. */
export async function addAccount(
  db: Db,
  role: Role,
  login: string,
  extra: { email?: string; phone?: string } = {},
) {
  const people = createPeopleStore(db, Date.now);
  const password = `${login}-password-1`;
  const account = await createAccount(
    { people, accounts: createAccountStore(db, Date.now), transaction: (fn) => db.transaction(fn)() },
    { role, login, name: `${role} ${login}`, password, ...extra },
  );
  return { account, login, password, people };
}
