import { get, put, seg, serverNow } from "../api.js";
import { waterChart, waterLegend } from "../chart.js";
import { badge, button, fmtTime, h, replace, section } from "../dom.js";
import { act } from "../errors.js";
import { getLang, t } from "../i18n.js";
import { latest } from "../live.js";
import { absencesSection } from "./absences.js";
import { statusBadge } from "./alert.js";
import { monitoringBanner } from "./consent-ui.js";
import { parentDetailsSection } from "./parent-details.js";
import { privacySection } from "./privacy-ui.js";

/** The family's first page: each parent's calm status, and registrations still waiting. @param {HTMLElement} view @param {string[]} params @param {any} ctx */
export default async function family(view, params, ctx) {
  if (params[0]) return statusPage(view, params[0], ctx);
  const [{ registrations }, me, { households }] = await Promise.all([
    get("/api/registrations"),
    get("/api/auth/me"),
    get("/api/households"),
  ]);
  view.append(h("h1", { text: t("family.title") }));
  for (const id of me.households) {
    const st = await get(`/api/households/${seg(id)}/status`);
    // Consent withdrawn: say so instead of a status that is no longer watched.
    const paused = households.some((/** @type {any} */ x) => x.id === id && x.monitoringPausedAt);
    view.append(
      h(
        "a.card.link",
        { href: `#/family/${seg(id)}`, "data-household": id },
        h("h2", { text: st.resident }),
        paused
          ? h("p.warn", { "data-testid": "home-paused", text: t("consent.pausedTitle") })
          : summaryLine(st, me.now ?? Date.now()),
      ),
    );
  }
  const open = registrations.filter((/** @type {any} */ r) => r.status !== "approved");
  if (open.length)
    view.append(
      section(
        "family.requests",
        open.map((/** @type {any} */ r) =>
          h(
            "div.item",
            { "data-registration": r.id },
            h(
              "div.grow",
              null,
              h("strong", { text: String(r.details.resident ?? "") }),
              h("div.muted", { text: fmtTime(r.createdAt, r.details.timezone) }),
              r.decisionNote ? h("div.muted", { text: r.decisionNote }) : null,
            ),
            badge(r.status, t(`reg.${r.status}`)),
          ),
        ),
      ),
    );
  if (me.households.length === 0 && open.length === 0) view.append(h("p.card", { text: t("family.empty") }));
  view.append(h("p", null, h("a.button.primary", { href: "#/register", text: t("nav.register") })));
}

/** "今日一切正常 · 最后用水 08:12 · 本月0次警报" @param {any} st @param {number} now the service's clock */
function summaryLine(st, now) {
  const parts = [
    t(`state.${st.state}`),
    st.lastWaterUse.at
      ? t("status.lastWater", { time: lastUse(st.lastWaterUse, now, st.timezone) })
      : t("status.noWater"),
    t("status.monthAlerts", { n: st.alerts.thisMonth }),
  ];
  return h(`p.summary.s-${st.state}`, { "data-testid": "summary", text: parts.join(" · ") });
}

/**
 * The household's own clock time today, the date too when it was not today.
 * @param {{ at: number, localTime: string }} u @param {number} now @param {string} timeZone
 */
function lastUse(u, now, timeZone) {
  return now - u.at < 86_400_000 ? u.localTime : fmtTime(u.at, timeZone);
}

/** @param {HTMLElement} view @param {string} id @param {any} ctx */
async function statusPage(view, id, ctx) {
  const head = h("section.card.calm");
  const alerts = h("div.list", { "data-testid": "family-alerts" });
  const chart = h("div");
  /** @type {string | undefined} the home's zone: every time of it is shown on its clock */
  let tz;
  const refresh = latest(async () => {
    const now = await serverNow();
    const window = `every=1h&from=${now - 86_400_000}&to=${now}`;
    const [st, al, water, normal, hh] = await Promise.all([
      get(`/api/households/${seg(id)}/status`),
      get(`/api/households/${seg(id)}/alerts?limit=10`),
      get(`/api/households/${seg(id)}/water?${window}`),
      get(`/api/households/${seg(id)}/water/normal?${window}`).catch(() => null),
      get(`/api/households/${seg(id)}`),
    ]);
    tz = st.timezone;
    head.classList.toggle("calm", !hh.monitoring?.paused);
    const band = normal?.band ?? [];
    replace(
      head,
      h("h1", { text: st.resident }),
      monitoringBanner(hh, tz),
      // While consent is withdrawn the home is not watched: no "all is well", no "check the devices".
      hh.monitoring?.paused ? null : summaryLine(st, now),
      h("p.muted", { text: t("status.litersToday", { n: Number(st.waterLitersToday ?? 0).toFixed(0) }) }),
      st.absence.current
        ? h("p", { text: t("status.away", { to: fmtTime(st.absence.current.to, tz) }) })
        : null,
      st.devices.silent && !hh.monitoring?.paused
        ? h("p.warn", { text: t("status.silent", { n: st.devices.silent }) })
        : null,
    );
    replace(
      alerts,
      al.alerts.length === 0 ? h("p.muted", { text: t("family.noAlerts") }) : null,
      al.alerts.map((/** @type {any} */ a) =>
        h(
          "div.item",
          { "data-alert": a.id },
          h(
            "div.grow",
            null,
            h("strong", { text: a.message?.[getLang()] ?? t(`rule.${a.rule}`) }),
            h("div.muted", null, `${fmtTime(a.raisedAt, tz)} · `, statusBadge(a, tz)),
            a.outcome
              ? h("div", {
                  "data-testid": "outcome",
                  text: t("alert.outcomeIs", { outcome: t(`outcome.${a.outcome}`) }),
                })
              : null,
          ),
          badge(a.severity, t(`sev.${a.severity}`)),
        ),
      ),
    );
    replace(
      chart,
      waterChart(water, { band, bandEveryMs: normal?.everyMs, timeZone: tz }),
      waterLegend(band.length > 0),
    );
  });
  ctx.onLive((/** @type {any} */ c) => {
    if (c.alert === null || c.alert.householdId === id) void refresh(undefined);
  });
  await refresh(undefined);
  view.append(
    head,
    section("family.waterToday", chart),
    section("family.alerts", alerts),
    absencesSection(id, tz),
    parentDetailsSection(id, () => void refresh(undefined)),
    await prefsSection(id),
    // Export is for the family member whose registration created the home (the API answers others 403).
    ...((await registeredHere(id)) ? [privacySection(id, { erase: false })] : []),
  );
}

/** Whether my own approved registration created this home. @param {string} id */
async function registeredHere(id) {
  const { registrations } = await get("/api/registrations");
  return registrations.some((/** @type {any} */ r) => r.status === "approved" && r.householdId === id);
}

/** @param {string} id */
async function prefsSection(id) {
  const url = `/api/households/${seg(id)}/preferences`;
  const prefs = await get(url);
  const box = (/** @type {string} */ key) =>
    /** @type {HTMLInputElement} */ (h("input", { type: "checkbox", name: key, checked: prefs[key] }));
  const email = box("email");
  const daily = box("dailySummary");
  return section(
    "prefs.title",
    h("label.check", null, email, h("span", { text: t("prefs.email") })),
    h("label.check", null, daily, h("span", { text: t("prefs.daily") })),
    button("common.save", {
      class: "primary",
      "data-testid": "save-prefs",
      onclick: (/** @type {MouseEvent} */ e) =>
        act(
          /** @type {any} */ (e.currentTarget),
          () => put(url, { email: email.checked, dailySummary: daily.checked }),
          t("prefs.saved"),
        ),
    }),
  );
}
