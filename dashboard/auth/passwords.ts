import { randomBytes } from "node:crypto";
import { z } from "zod";
import { jinlinError } from "../../core/errors.js";
import { hashSecret, PASSWORD_COST, verifySecret } from "../../core/secrets.js";
import type { Account, AccountStore } from "../../storage/sqlite/accounts.js";
import type { PeopleStore, Role } from "../../storage/sqlite/people.js";

/** NIST SP 800-63B §5.1.1.2: at least 8 characters, allow long passphrases; 10 here for the operator console. */
export const passwordSchema = z.string().min(10).max(200);
export const loginSchema = z
  .string()
  .trim()
  .min(3)
  .max(100)
  .regex(/^[^\s]+$/, "login: no spaces");

export function checkPassword(password: string): string {
  if (!passwordSchema.safeParse(password).success) throw jinlinError("JINLIN_ERR_PASSWORD_WEAK");
  return password;
}

/** 120 random bits, base64url: shown once, to be changed at first sign-in. */
export function generatePassword(): string {
  return randomBytes(15).toString("base64url");
}

export async function hashPassword(password: string): Promise<string> {
  return hashSecret(checkPassword(password), PASSWORD_COST);
}

export interface NewAccount {
  name: string;
  role: Role;
  login: string;
  password: string;
  email?: string;
  phone?: string;
  language?: "zh-CN" | "en";
}

/** A person with a login, in one transaction (an account whose login is taken is not half-created). */
export async function createAccount(
  stores: { people: PeopleStore; accounts: AccountStore; transaction<T>(fn: () => T): T },
  input: NewAccount,
): Promise<Account> {
  const hash = await hashPassword(input.password);
  const login = loginSchema.parse(input.login);
  return stores.transaction(() => {
    const p = stores.people.addPerson({
      name: input.name,
      role: input.role,
      ...(input.email ? { email: input.email } : {}),
      ...(input.phone ? { phone: input.phone } : {}),
      ...(input.language ? { language: input.language } : {}),
    });
    stores.accounts.setCredentials(p.id, login, hash);
    return stores.accounts.get(p.id)!;
  });
}

/** Sign-in with per-account lockout; unknown logins cost the same scrypt work as known ones. */
export function createPasswordCheck(
  accounts: AccountStore,
  now: () => number,
  opts: { maxFailedLogins: number; lockoutMs: number },
) {
  let dummy: Promise<string> | undefined;
  const dummyHash = () => {
    dummy ??= hashSecret(generatePassword(), PASSWORD_COST);
    return dummy;
  };
  return {
    async signIn(login: string, password: string): Promise<Account> {
      const rec = accounts.byLogin(login);
      if (!rec || rec.passwordHash === null || rec.account.disabled) {
        await verifySecret(password, await dummyHash());
        throw jinlinError("JINLIN_ERR_LOGIN_FAILED");
      }
      if (rec.lockedUntil !== null) {
        if (rec.lockedUntil > now()) throw jinlinError("JINLIN_ERR_LOGIN_LOCKED");
        accounts.resetFailures(rec.account.id);
      }
      if (!(await verifySecret(password, rec.passwordHash))) {
        accounts.recordFailure(rec.account.id, opts.maxFailedLogins, opts.lockoutMs);
        throw jinlinError("JINLIN_ERR_LOGIN_FAILED");
      }
      accounts.resetFailures(rec.account.id);
      return rec.account;
    },
    /** Checks the current password (counting a wrong one like a failed sign-in), then stores the new one. */
    async change(account: Account, current: string, next: string): Promise<void> {
      if (!account.login) throw jinlinError("JINLIN_ERR_LOGIN_FAILED");
      await this.signIn(account.login, current);
      accounts.setPasswordHash(account.id, await hashPassword(next));
    },
  };
}

export type PasswordCheck = ReturnType<typeof createPasswordCheck>;
