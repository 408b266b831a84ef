import { timingSafeEqual } from "node:crypto";
import type { DeviceKind } from "../core/domain.js";
import { sha256, verifySecret } from "../core/secrets.js";

/** What the broker knows of a connected device; kept on the connection, so no look-up per message. */
export interface AuthedDevice {
  id: string;
  kind: DeviceKind;
  householdId: string;
}

/** The broker's view of the device registry: the composition root passes the SQLite registry in. */
export interface DeviceLookup {
  getCredentials(id: string):
    | {
        device: { id: string; kind: DeviceKind; householdId: string; revokedAt: number | null };
        secretHash: string;
        /** Its household's consent is withdrawn (PIPL art. 15): the home is not monitored. */
        monitoringPaused?: boolean;
      }
    | undefined;
}

export type AuthOutcome =
  | { ok: true; device: AuthedDevice }
  | { ok: false; why: "unknown" | "revoked" | "bad_secret" | "throttled" | "busy" | "paused" };

export interface AuthenticatorOptions {
  /** scrypt verifications running at once: libuv's pool has 4 threads (as many as before this limit). */
  maxConcurrent?: number;
  /** Verifications waiting for a slot; beyond this a login is answered "busy" (CONNACK 3) at once. */
  maxQueued?: number;
}

/**
 * Verifies device credentials against their scrypt hash. A successful verification is remembered as a
 * SHA-256 of the secret keyed by the stored hash, so a neighbourhood reconnecting after a power cut costs
 * one hash each rather than one scrypt each. Rotation changes the stored hash, which invalidates the entry.
 * scrypt runs on a bounded number of slots with a bounded queue, so a flood of wrong secrets cannot queue
 * unbounded work or delay everyone else's logins by more than the queue's length.
 * With `verify: false` (the id is being throttled) only a remembered secret is accepted: a device that has
 * logged in before cannot be locked out by someone guessing its secret.
 */
export function createDeviceAuthenticator(lookup: DeviceLookup, options: AuthenticatorOptions = {}) {
  const verified = new Map<string, { storedHash: string; digest: Buffer }>();
  const maxConcurrent = options.maxConcurrent ?? 4;
  const maxQueued = options.maxQueued ?? 1_000;
  let running = 0;
  const queue: (() => void)[] = [];

  async function inSlot(fn: () => Promise<boolean>): Promise<boolean | "busy"> {
    if (running < maxConcurrent) running++;
    else if (queue.length >= maxQueued) return "busy";
    else await new Promise<void>((resolve) => queue.push(resolve));
    try {
      return await fn();
    } finally {
      const next = queue.shift();
      if (next) next();
      else running--;
    }
  }

  return async function authenticate(
    deviceId: string,
    secret: string,
    opts: { verify: boolean } = { verify: true },
  ): Promise<AuthOutcome> {
    const creds = lookup.getCredentials(deviceId);
    if (!creds) return { ok: false, why: "unknown" };
    if (creds.device.revokedAt !== null) return { ok: false, why: "revoked" };
    const digest = sha256(secret);
    const cached = verified.get(deviceId);
    let ok: boolean;
    let waited = false;
    if (cached && cached.storedHash === creds.secretHash) ok = timingSafeEqual(cached.digest, digest);
    else if (!opts.verify) return { ok: false, why: "throttled" };
    else {
      const verdict = await inSlot(() => verifySecret(secret, creds.secretHash));
      if (verdict === "busy") return { ok: false, why: "busy" };
      ok = verdict;
      waited = true;
      if (ok) verified.set(deviceId, { storedHash: creds.secretHash, digest });
    }
    if (!ok) return { ok: false, why: "bad_secret" };
    // Checked after the secret, so "paused" is never an answer to a guess (both are CONNACK 5 anyway).
    // After a wait for scrypt, read again: consent may have been withdrawn meanwhile.
    const paused = waited ? lookup.getCredentials(deviceId)?.monitoringPaused : creds.monitoringPaused;
    if (paused) return { ok: false, why: "paused" };
    const { id, kind, householdId } = creds.device;
    return { ok: true, device: { id, kind, householdId } };
  };
}
