import { createHash, randomBytes, scrypt, timingSafeEqual } from "node:crypto";

/**
 * Device secrets are 160-bit random tokens: no amount of hashing cost changes how hard they are to guess
 * (2^160 tries), so scrypt only has to keep them unreadable at rest should the database leak. N=2^10, r=1
 * costs about 1 ms here, so 20,000 meters reconnecting after a restart verify in seconds, not minutes
 * (N=2^12, r=8 took 34 ms each on this 2-core machine). People's passwords are guessable and get
 * N=2^14, r=8, OWASP's scrypt minimum. Each hash records its own parameters, so costs can change later.
 */
export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}
export const DEVICE_SECRET_COST: ScryptCost = { N: 1024, r: 1, p: 1 };
export const PASSWORD_COST: ScryptCost = { N: 16384, r: 8, p: 1 };
const KEY_LEN = 32;

function scryptAsync(secret: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, KEY_LEN, { ...cost, maxmem: 128 * cost.N * cost.r * 2 }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/** Format: scrypt$N$r$p$saltB64$hashB64 */
export async function hashSecret(secret: string, cost: ScryptCost = DEVICE_SECRET_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(secret, salt, cost);
  return ["scrypt", cost.N, cost.r, cost.p, salt.toString("base64"), key.toString("base64")].join("$");
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, "base64");
  const key = await scryptAsync(secret, Buffer.from(salt, "base64"), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A fresh device secret: 20 random bytes, base64url (27 characters, no quoting needed in shells). */
export function newSecret(): string {
  return randomBytes(20).toString("base64url");
}

export function sha256(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}
