import { get, seg, serverNow } from "../api.js";
import { sensorTimeline, waterChart, waterLegend } from "../chart.js";
import { fmtTime, h, replace, section } from "../dom.js";
import { getLang, t } from "../i18n.js";
import { absencesSection } from "./absences.js";
import { homeFacts, statusBadge } from "./alert.js";
import { checkInSection } from "./checkin-ui.js";
import { consentSection, monitoringBanner } from "./consent-ui.js";
import { devicesSection } from "./devices-ui.js";
import { privacySection } from "./privacy-ui.js";
import { rulesSection } from "./rules-ui.js";

const PERIODS = { day: 1, week: 7, month: 30 };

/** A home for carers: details, water charts, the sensor timeline, devices, alerts, absences. @param {HTMLElement} view @param {string[]} params @param {any} ctx */
export default async function home(view, params, ctx) {
  const id = params[0] ?? "";
  const hh = await get(`/api/households/${seg(id)}`);
  /** @type {string | undefined} every time of this home on its own clock */
  const tz = hh.timezone;
  const charts = h("div");
  const timeline = h("div");
  const tabs = h("div.tabs");
  /** @param {keyof typeof PERIODS} p */
  const show = async (p) => {
    replace(
      tabs,
      Object.keys(PERIODS).map((k) =>
        h(`button${k === p ? ".active" : ""}`, {
          type: "button",
          "data-period": k,
          text: t(`chart.${k}`),
          onclick: () => show(/** @type {any} */ (k)),
        }),
      ),
    );
    const to = await serverNow();
    const from = to - PERIODS[p] * 86_400_000;
    const window = `every=1h&from=${from}&to=${to}`;
    const [water, normal] = await Promise.all([
      get(`/api/households/${seg(id)}/water?${window}`),
      get(`/api/households/${seg(id)}/water/normal?${window}`).catch(() => null),
    ]);
    const band = normal?.band ?? [];
    const total = water.buckets.reduce(
      (/** @type {number} */ s, /** @type {any} */ b) => s + (b.liters ?? 0),
      0,
    );
    replace(
      charts,
      waterChart(water, { band, bandEveryMs: normal?.everyMs, timeZone: tz }),
      h("p.muted.small", { text: t("chart.total", { n: total.toFixed(0) }) }),
      waterLegend(band.length > 0),
    );
    const devices = hh.devices.filter((/** @type {any} */ d) => !d.revokedAt);
    const rows = await Promise.all(
      devices.map(async (/** @type {any} */ d) => {
        const r = await get(`/api/devices/${seg(d.id)}/readings?from=${from}&to=${to}&limit=10000`);
        return { label: `${t(`kind.${d.kind}`)} ${d.id}`, kind: d.kind, readings: r.readings };
      }),
    );
    replace(
      timeline,
      rows.length ? sensorTimeline({ rows, from, to, timeZone: tz }) : h("p.muted", { text: t("dev.none") }),
    );
  };
  const alerts = await get(`/api/households/${seg(id)}/alerts?limit=10`);
  view.append(
    h("h1", { text: hh.resident }),
    // Element.append would show a null as the text "null".
    ...[monitoringBanner(hh, tz)].filter(Boolean),
    section("home.details", homeFacts(hh)),
    section("chart.water", tabs, charts),
    section("chart.timeline", timeline),
    section(
      "family.alerts",
      alerts.alerts.length
        ? alerts.alerts.map((/** @type {any} */ a) =>
            h(
              "a.item",
              { href: `#/alert/${a.id}`, "data-alert": a.id },
              h(
                "div.grow",
                null,
                h("strong", { text: t(`rule.${a.rule}`) }),
                h("div.muted", {
                  text: `${fmtTime(a.raisedAt, tz)} · ${a.evidence?.message?.[getLang()] ?? ""}`,
                }),
                a.outcome
                  ? h("div", { text: t("alert.outcomeIs", { outcome: t(`outcome.${a.outcome}`) }) })
                  : null,
              ),
              statusBadge(a, tz),
            ),
          )
        : h("p.muted", { text: t("family.noAlerts") }),
    ),
    devicesSection(id, ctx.me.account.role === "operator", tz),
    absencesSection(id, tz),
    checkInSection(id),
    consentSection(hh, ctx.refresh),
    // Element.append would show a null as the text "null".
    ...(ctx.me.account.role === "operator"
      ? [rulesSection(id, tz), privacySection(id, { erase: true, go: ctx.go })]
      : []),
  );
  await show("day");
}
