import { get, seg } from "../api.js";
import { badge, fmtTime, h, replace } from "../dom.js";
import { t } from "../i18n.js";

/** Device health: silent (> 6 h), low battery, last seen; problems first. @param {HTMLElement} view @param {string[]} params */
export default async function devices(view, params) {
  const silentOnly = params[0] === "silent";
  const [health, { households }] = await Promise.all([
    get(`/api/devices/health?silentOnly=${silentOnly}`),
    get("/api/households"),
  ]);
  const names = new Map(households.map((/** @type {any} */ x) => [x.id, x.resident]));
  // Consent withdrawn: the home's devices are refused on purpose, so their silence is no problem to chase.
  const paused = new Set(
    households.filter((/** @type {any} */ x) => x.monitoringPausedAt).map((/** @type {any} */ x) => x.id),
  );
  const rank = (/** @type {any} */ d) =>
    d.revokedAt ? 3 : paused.has(d.householdId) ? 2 : d.silent ? 0 : d.lowBattery ? 1 : 2;
  const rows = [...health.devices].sort(
    (a, b) => rank(a) - rank(b) || (a.lastSeenAt ?? 0) - (b.lastSeenAt ?? 0),
  );
  const list = h("div.list", { "data-testid": "device-health" });
  replace(
    list,
    rows.length === 0 ? h("p.muted", { text: t("dev.none") }) : null,
    rows.map((d) =>
      h(
        "a.item",
        { href: `#/home/${seg(d.householdId)}`, "data-device": d.deviceId },
        h(
          "div.grow",
          null,
          h("strong", { text: `${t(`kind.${d.kind}`)} · ${d.deviceId}` }),
          h("div", { text: names.get(d.householdId) ?? d.householdId }),
          h("div.muted", {
            text: `${t("dev.lastSeen", { at: fmtTime(d.lastSeenAt) })}${d.battery !== null ? ` · ${t("dev.battery", { n: Math.round(d.battery) })}` : ""}`,
          }),
        ),
        d.revokedAt
          ? badge("revoked", t("dev.revoked"))
          : paused.has(d.householdId)
            ? badge("revoked", t("consent.notMonitored"))
            : d.silent
              ? badge("critical", t("dev.silent"))
              : d.lowBattery
                ? badge("warning", t("dev.lowBattery"))
                : badge("ok", t("dev.ok")),
      ),
    ),
  );
  view.append(
    h("h1", { text: t("nav.devices") }),
    h(
      "div.tabs",
      null,
      h(`a${silentOnly ? "" : ".active"}`, { href: "#/devices", text: t("dev.all") }),
      h(`a${silentOnly ? ".active" : ""}`, { href: "#/devices/silent", text: t("dev.silentOnly") }),
    ),
    h("p.muted.small", { text: t("dev.silentRule", { h: Math.round(health.silentAfterMs / 3_600_000) }) }),
    list,
  );
}
