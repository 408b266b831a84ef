/**
 * The one error catalogue. Codes are stable and never reused (after fastify's errors.js).
 * `reason` is the short wire code a device sees on devices/<id>/errors.
 */
export const ERRORS = {
  JINLIN_ERR_CONFIG_INVALID: { status: 500, message: "configuration is invalid" },
  JINLIN_ERR_PAYLOAD_TOO_LARGE: {
    status: 413,
    reason: "payload_too_large",
    message: "payload exceeds the size cap",
  },
  JINLIN_ERR_JSON_INVALID: { status: 400, reason: "invalid_json", message: "payload is not valid JSON" },
  JINLIN_ERR_READING_NOT_OBJECT: {
    status: 400,
    reason: "not_an_object",
    message: "a reading must be a JSON object",
  },
  JINLIN_ERR_BATCH_EMPTY: {
    status: 400,
    reason: "empty_batch",
    message: "a batch must hold at least one reading",
  },
  JINLIN_ERR_BATCH_TOO_LARGE: {
    status: 413,
    reason: "batch_too_large",
    message: "batch holds more readings than allowed",
  },
  JINLIN_ERR_KIND_UNKNOWN: { status: 400, reason: "unknown_kind", message: "unknown reading kind" },
  JINLIN_ERR_KIND_MISMATCH: {
    status: 400,
    reason: "kind_mismatch",
    message: "reading kind does not match the device's kind",
  },
  JINLIN_ERR_READING_INVALID: {
    status: 400,
    reason: "invalid_field",
    message: "a field is missing or has the wrong type",
  },
  JINLIN_ERR_TS_INVALID: {
    status: 400,
    reason: "invalid_ts",
    message: "ts must be ISO-8601 or epoch milliseconds",
  },
  JINLIN_ERR_TS_FUTURE: { status: 400, reason: "ts_in_future", message: "ts is too far in the future" },
  JINLIN_ERR_TS_TOO_OLD: { status: 400, reason: "ts_too_old", message: "ts is older than the accepted age" },
  JINLIN_ERR_TOPIC_UNKNOWN: {
    status: 400,
    reason: "unknown_topic",
    message: "topic is not part of the protocol",
  },
  JINLIN_ERR_STORE_FULL: {
    status: 507,
    reason: "store_unavailable",
    message: "the store cannot accept readings now",
  },
  JINLIN_ERR_AUTH_FAILED: { status: 401, message: "bad device id or secret" },
  JINLIN_ERR_AUTH_REVOKED: { status: 401, message: "device is revoked" },
  JINLIN_ERR_ACL_DENIED: { status: 403, message: "topic outside the device's own prefix" },
  JINLIN_ERR_CLIENT_ID_EMPTY: { status: 400, message: "an empty client id needs clean session" },
  JINLIN_ERR_STORE_WRITE_FAILED: {
    status: 503,
    reason: "store_unavailable",
    message: "the store could not write the readings",
  },
  JINLIN_ERR_MQTT_PACKET_TOO_LARGE: { status: 413, message: "MQTT packet exceeds the size limit" },
  JINLIN_ERR_MQTT_CONNECTION_LIMIT: { status: 429, message: "too many MQTT connections from one address" },
  JINLIN_ERR_AUTH_THROTTLED: { status: 429, message: "too many failed logins; wait before retrying" },
  JINLIN_ERR_AUTH_BUSY: { status: 503, message: "too many logins being verified; retry later" },
  JINLIN_ERR_NOT_FOUND: { status: 404, message: "not found" },
  JINLIN_ERR_HOUSEHOLD_NOT_FOUND: { status: 404, message: "household not found" },
  JINLIN_ERR_DEVICE_NOT_FOUND: { status: 404, message: "device not found" },
  JINLIN_ERR_DEVICE_EXISTS: { status: 409, message: "a device with this id exists" },
  JINLIN_ERR_DEVICE_ID_INVALID: { status: 400, message: "device id has characters outside [A-Za-z0-9_.-]" },
  JINLIN_ERR_GRID_PATH_INVALID: { status: 400, message: "grid path must be 1 to 6 slash-separated segments" },
  JINLIN_ERR_INPUT_INVALID: { status: 400, message: "input is invalid" },
  JINLIN_ERR_SHUTTING_DOWN: { status: 503, reason: "shutting_down", message: "the service is shutting down" },
  JINLIN_ERR_UNAUTHENTICATED: { status: 401, message: "sign in first" },
  JINLIN_ERR_LOGIN_FAILED: { status: 401, message: "wrong login or password" },
  JINLIN_ERR_LOGIN_LOCKED: { status: 429, message: "too many failed sign-ins; try again later" },
  JINLIN_ERR_RATE_LIMITED: { status: 429, message: "too many requests; slow down" },
  JINLIN_ERR_FORBIDDEN: { status: 403, message: "your role may not do this" },
  JINLIN_ERR_CSRF_INVALID: { status: 403, message: "missing or invalid CSRF token" },
  JINLIN_ERR_LOGIN_TAKEN: { status: 409, message: "this login is taken" },
  JINLIN_ERR_PASSWORD_WEAK: { status: 400, message: "password must be 10 to 200 characters" },
  JINLIN_ERR_ALERT_NOT_FOUND: { status: 404, message: "alert not found" },
  JINLIN_ERR_PERSON_NOT_FOUND: { status: 404, message: "person not found" },
  JINLIN_ERR_GRID_NOT_FOUND: { status: 404, message: "grid not found" },
  JINLIN_ERR_REGISTRATION_NOT_FOUND: { status: 404, message: "registration request not found" },
  JINLIN_ERR_STATE_CONFLICT: { status: 409, message: "not possible in the current state" },
  JINLIN_ERR_ERASE_UNCONFIRMED: {
    status: 400,
    message: "erasing a household is irreversible: confirm by typing its id",
  },
  JINLIN_ERR_INTERNAL: { status: 500, message: "internal error" },
} as const;

export type ErrorCode = keyof typeof ERRORS;

export class JinlinError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly reason: string | undefined;

  constructor(code: ErrorCode, detail?: string, options?: { cause?: unknown }) {
    const entry = ERRORS[code];
    super(detail ? `${entry.message}: ${detail}` : entry.message, options);
    this.name = "JinlinError";
    this.code = code;
    this.statusCode = entry.status;
    this.reason = "reason" in entry ? entry.reason : undefined;
  }
}

export function jinlinError(code: ErrorCode, detail?: string, cause?: unknown): JinlinError {
  return new JinlinError(code, detail, cause === undefined ? undefined : { cause });
}

export function isJinlinError(err: unknown, code?: ErrorCode): err is JinlinError {
  return err instanceof JinlinError && (code === undefined || err.code === code);
}
