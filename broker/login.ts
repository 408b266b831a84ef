import type { MqttLimits } from "../core/config-mqtt.js";
import type { Logger } from "../core/log.js";
import { createAuthThrottle } from "./auth-throttle.js";
import { type AuthOutcome, createDeviceAuthenticator, type DeviceLookup } from "./device-auth.js";

/**
 * A device login with back-off: per device id (someone guessing one device's secret) and per remote
 * address (someone trying many ids). While an address waits, its logins are refused without any scrypt;
 * while a device id waits, only a secret that id has already proved since start-up is accepted, so a
 * guesser cannot lock a working device out. Never rejects.
 */
export function createLoginCheck(deps: {
  devices: DeviceLookup;
  limits: MqttLimits;
  now: () => number;
  log: Logger;
  observer?: { authFailed(why: string): void };
}) {
  const { limits, now, log } = deps;
  const authenticate = createDeviceAuthenticator(deps.devices);
  const byDevice = createAuthThrottle({
    threshold: limits.authFailuresPerDevice,
    baseMs: 1_000,
    maxMs: 5 * 60_000,
    now,
  });
  const byAddress = createAuthThrottle({
    threshold: limits.authFailuresPerAddress,
    baseMs: 1_000,
    maxMs: 60_000,
    now,
  });

  function refused(deviceId: string, address: string, why: string, fields: Record<string, unknown> = {}) {
    deps.observer?.authFailed(why);
    log.warn({ deviceId, remote: address, why, ...fields }, "device authentication failed");
  }

  return async function login(deviceId: string, secret: string, address: string): Promise<AuthOutcome> {
    const addressWait = byAddress.waitFor(address);
    if (addressWait > 0) {
      // No log line per attempt: a flood would become a log flood. The failure that started the wait logged.
      deps.observer?.authFailed("throttled");
      return { ok: false, why: "throttled" };
    }
    const deviceWait = byDevice.waitFor(deviceId);
    let outcome: AuthOutcome;
    try {
      outcome = await authenticate(deviceId, secret, { verify: deviceWait === 0 });
    } catch (err) {
      log.error({ deviceId, err }, "authentication error");
      return { ok: false, why: "bad_secret" };
    }
    if (outcome.ok) {
      byDevice.succeeded(deviceId);
      return outcome;
    }
    if (outcome.why === "throttled") {
      deps.observer?.authFailed("throttled");
      return outcome;
    }
    if (outcome.why === "paused") {
      // The right device of a home whose consent is withdrawn: not a failed guess, so no back-off for the
      // device or its address (neighbours behind one NAT), and no warning per retry (docs/privacy.md).
      byDevice.succeeded(deviceId);
      deps.observer?.authFailed("paused");
      log.debug({ deviceId }, "device refused: monitoring paused (consent withdrawn)");
      return outcome;
    }
    if (outcome.why === "busy") {
      refused(deviceId, address, "busy", { code: "JINLIN_ERR_AUTH_BUSY" });
      return outcome;
    }
    const deviceThrottled = byDevice.failed(deviceId);
    const addressThrottled = byAddress.failed(address);
    refused(deviceId, address, outcome.why, {
      ...(deviceThrottled || addressThrottled ? { code: "JINLIN_ERR_AUTH_THROTTLED" } : {}),
      ...(deviceThrottled ? { deviceWaitMs: byDevice.waitFor(deviceId) } : {}),
      ...(addressThrottled ? { addressWaitMs: byAddress.waitFor(address) } : {}),
    });
    return outcome;
  };
}
