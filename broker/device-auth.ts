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
      }
    | undefined;
}

export type AuthOutcome =
  | { ok: true; device: AuthedDevice }
  | { ok: false; why: "unknown" | "revoked" | "bad_secret" };

/**
 * Verifies device credentials against their scrypt hash. A successful verification is remembered as a
 * SHA-256 of the secret keyed by the stored hash, so a neighbourhood reconnecting after a power cut costs
 * one hash each rather than one scrypt each. Rotation changes the stored hash, which invalidates the entry.
 */
export function createDeviceAuthenticator(lookup: DeviceLookup) {
  const verified = new Map<string, { storedHash: string; digest: Buffer }>();

  return async function authenticate(deviceId: string, secret: string): Promise<AuthOutcome> {
    const creds = lookup.getCredentials(deviceId);
    if (!creds) return { ok: false, why: "unknown" };
    if (creds.device.revokedAt !== null) return { ok: false, why: "revoked" };
    const digest = sha256(secret);
    const cached = verified.get(deviceId);
    let ok: boolean;
    if (cached && cached.storedHash === creds.secretHash) ok = timingSafeEqual(cached.digest, digest);
    else {
      ok = await verifySecret(secret, creds.secretHash);
      if (ok) verified.set(deviceId, { storedHash: creds.secretHash, digest });
    }
    if (!ok) return { ok: false, why: "bad_secret" };
    const { id, kind, householdId } = creds.device;
    return { ok: true, device: { id, kind, householdId } };
  };
}
