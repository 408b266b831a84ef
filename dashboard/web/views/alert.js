import { get, post, seg, serverNow } from "../api.js";
import { waterChart, waterLegend } from "../chart.js";
import { badge, button, field, fmtAge, fmtClock, fmtTime, h, replace, section, toast } from "../dom.js";
import { act, errorText } from "../errors.js";
import { getLang, t } from "../i18n.js";
import { latest } from "../live.js";
import { fromZonedInput, toZonedInput } from "../zone.js";

const OUTCOMES = ["safe", "needed_help", "hospital", "false_alarm_away", "false_alarm_other"];
/** The absence reasons of the absences API (dashboard/routes/absences.ts). */
const ABSENCE_REASONS = ["travel", "hospital", "other"];

/** The home's details a worker needs at the door. @param {any} home */
export function homeFacts(home) {
  const p = home.profile ?? {};
  const tel = (/** @type {string} */ n) => h("a.tel", { href: `tel:${n.replace(/[^\d+]/g, "")}`, text: n });
  return h(
    "dl.facts",
    { "data-testid": "home-facts" },
    h("dt", { text: t("home.resident") }),
    h("dd.resident", { text: home.resident }),
    h("dt", { text: t("home.address") }),
    h("dd", { text: home.address }),
    h("dt", { text: t("home.phone") }),
    h("dd", null, p.phone ? tel(p.phone) : "—"),
    h("dt", { text: t("home.access") }),
    h("dd.pre", { text: p.accessNotes ?? "—" }),
    h("dt", { text: t("home.health") }),
    h("dd.pre", { text: p.healthNotes ?? "—" }),
    h("dt", { text: t("home.contacts") }),
    h(
      "dd",
      null,
      home.emergencyContacts?.length
        ? home.emergencyContacts.map((/** @type {any} */ c) =>
            h("div", null, `${c.name}${c.relation ? ` (${c.relation})` : ""} `, tel(c.phone)),
          )
        : "—",
    ),
    home.family
      ? [
          h("dt", { text: t("home.family") }),
          h(
            "dd",
            null,
            home.family.length
              ? home.family.map((/** @type {any} */ f) =>
                  h("div", null, `${f.name} `, f.phone ? tel(f.phone) : ""),
                )
              : "—",
          ),
        ]
      : null,
  );
}

/**
 * An alert's status badge, in the inbox, on the alert page and on the family's page. While the resident is
 * being asked (docs/notifications.md, check-in) an open alert says so, with the time the worker will be sent
 * if nobody answers; one cleared because an absence was recorded says who recorded it. `timeZone` is the
 * home's; without it, the viewer's own clock.
 * @param {any} a @param {string} [timeZone]
 */
export function statusBadge(a, timeZone) {
  if (a.status === "open" && a.checkIn && a.checkIn.result === null) {
    const el = badge("checkin", t("astatus.checkin", { until: fmtClock(a.checkIn.until, timeZone) }));
    el.dataset.testid = "checkin-status";
    return el;
  }
  if (a.status === "cleared" && a.clearReason?.kind === "absence") {
    const el = badge("cleared", t("astatus.clearedAbsence", { role: t(`recorder.${a.clearReason.role}`) }));
    el.dataset.testid = "cleared-absence";
    return el;
  }
  return badge(a.status, t(`astatus.${a.status}`));
}

/** A timeline entry's words; an absence's entries name who recorded it. @param {any} e */
function eventText(e) {
  const role = e.detail?.role;
  return t(`event.${e.action}`, role ? { role: t(`recorder.${role}`) } : undefined);
}

/** Which lifecycle buttons an alert in this status offers. @param {any} a */
function actions(a) {
  if (a.status === "open") return ["acknowledge", "on-my-way"];
  if (a.status === "acknowledged") return ["on-my-way"];
  if (a.status === "visiting") return ["arrived"];
  return [];
}

/** An alert with its evidence and the home behind it; acknowledge, on my way, arrived, resolve. @param {HTMLElement} view @param {string[]} params @param {any} ctx */
export default async function alertView(view, params, ctx) {
  const id = Number(params[0]);
  const body = h("div");
  const load = latest(async () => {
    const d = await get(`/api/alerts/${seg(id)}`);
    const a = d.alert;
    const tz = d.household.timezone;
    const now = await serverNow().catch(() => Date.now());
    const around = { from: a.raisedAt - 12 * 3_600_000, to: Math.min(now, a.raisedAt + 3 * 3_600_000) + 1 };
    const window = `every=15m&from=${around.from}&to=${around.to}`;
    const [water, normal] = await Promise.all([
      get(`/api/households/${seg(a.householdId)}/water?${window}`).catch(() => null),
      get(`/api/households/${seg(a.householdId)}/water/normal?${window}`).catch(() => null),
    ]);
    const band = normal?.band ?? [];
    const ev = a.evidence;
    const arrived = d.events.some((/** @type {any} */ e) => e.action === "arrived");
    replace(
      body,
      h(
        `section.card.sev-${a.severity}`,
        { "data-testid": "alert-head", "data-status": a.status },
        h(
          "div.row",
          null,
          badge(a.severity, t(`sev.${a.severity}`)),
          h("h1.grow", { text: t(`rule.${a.rule}`) }),
          statusBadge(a, tz),
        ),
        h("p.message", { "data-testid": "message", text: ev.message[getLang()] ?? ev.message.en }),
        h("p.muted", { text: `${fmtTime(a.raisedAt, tz)} · ${fmtAge(a.raisedAt, now)}` }),
        h("p.muted", {
          text: t("alert.measure", {
            observed: `${ev.observed.value} ${ev.observed.unit}`,
            threshold: `${ev.threshold.value} ${ev.threshold.unit}`,
          }),
        }),
        a.outcome
          ? h("p", {
              "data-testid": "outcome",
              text: t("alert.outcomeIs", { outcome: t(`outcome.${a.outcome}`) }),
            })
          : null,
        a.note ? h("p.pre", { text: a.note }) : null,
        h(
          "div.actions",
          null,
          actions(a)
            .filter((x) => !(x === "arrived" && arrived))
            .map((x) =>
              button(`alert.${x}`, {
                class: "big primary",
                "data-action": x,
                onclick: (/** @type {MouseEvent} */ e) =>
                  act(
                    /** @type {any} */ (e.currentTarget),
                    () => post(`/api/alerts/${id}/${x}`),
                    t(`alert.done.${x}`),
                  ).then((ok) => ok && load()),
              }),
            ),
        ),
        a.status === "open" || a.status === "acknowledged" || a.status === "visiting"
          ? resolveForm(a, tz, load)
          : null,
      ),
      section(
        "alert.evidence",
        water
          ? waterChart(water, { marker: a.raisedAt, band, bandEveryMs: normal?.everyMs, timeZone: tz })
          : h("p.muted", { text: t("chart.none") }),
        waterLegend(band.length > 0),
      ),
      section(
        "alert.home",
        homeFacts(d.household),
        h("p", null, h("a", { href: `#/home/${seg(d.household.id)}`, text: t("alert.openHome") })),
      ),
      d.household.absences?.length
        ? section(
            "absence.title",
            d.household.absences.map((/** @type {any} */ x) =>
              h("p", { text: `${t(`absence.${x.reason}`)}: ${fmtTime(x.from, tz)} – ${fmtTime(x.to, tz)}` }),
            ),
          )
        : null,
      section(
        "alert.events",
        h(
          "ol.events",
          null,
          d.events.map((/** @type {any} */ e) =>
            h("li", null, h("span.muted", { text: fmtTime(e.at, tz) }), " ", eventText(e)),
          ),
        ),
      ),
    );
  });
  view.append(h("p", null, h("a", { href: "#/inbox", text: t("common.back") })), body);
  ctx.onLive((/** @type {any} */ c) => (c.alert === null || c.alert.id === id) && void load(undefined));
  await load(undefined);
}

/**
 * The "away" part of the resolve form: with "false alarm: away", the worker may record the absence at
 * once (reason, from — when the alert was raised — and until, on the home's clock), so the rules stay quiet.
 * @param {any} a @param {string} [timeZone]
 */
function awayPart(a, timeZone) {
  const record = /** @type {HTMLInputElement} */ (
    h("input", { type: "checkbox", name: "recordAbsence", checked: true, "data-testid": "record-absence" })
  );
  const reason = /** @type {HTMLSelectElement} */ (
    h(
      "select",
      { name: "reason" },
      ABSENCE_REASONS.map((r) => h("option", { value: r, text: t(`absence.${r}`) })),
    )
  );
  const from = /** @type {HTMLInputElement} */ (
    h("input", { name: "from", type: "datetime-local", value: toZonedInput(a.raisedAt, timeZone) })
  );
  const to = /** @type {HTMLInputElement} */ (h("input", { name: "to", type: "datetime-local" }));
  const el = h(
    "fieldset.away",
    { "data-testid": "away-absence", hidden: true },
    h("label.row", null, record, " ", t("alert.recordAbsence")),
    field("absence.reason", reason),
    field("absence.from", from),
    field("absence.to", to),
  );
  return {
    el,
    /** The absence to record, or null when none is asked for. @param {string} outcome */
    wanted: (outcome) => outcome === "false_alarm_away" && record.checked,
    /** The absence body; null when `until` is missing or not after `from`. */
    body: () => {
      const body = {
        from: fromZonedInput(from.value, timeZone),
        to: fromZonedInput(to.value, timeZone),
        reason: reason.value,
      };
      if (!Number.isFinite(body.from) || !Number.isFinite(body.to) || body.to <= body.from) return null;
      return body;
    },
  };
}

/** @param {any} a @param {string | undefined} timeZone @param {() => Promise<void>} done */
function resolveForm(a, timeZone, done) {
  const id = a.id;
  const away = awayPart(a, timeZone);
  const outcome = /** @type {HTMLSelectElement} */ (
    h(
      "select",
      {
        name: "outcome",
        "data-testid": "outcome-select",
        onchange: () => {
          away.el.hidden = outcome.value !== "false_alarm_away";
        },
      },
      OUTCOMES.map((o) => h("option", { value: o, text: t(`outcome.${o}`) })),
    )
  );
  const note = /** @type {HTMLTextAreaElement} */ (
    h("textarea", { name: "note", rows: 2, "data-testid": "note" })
  );
  return h(
    "details.resolve",
    null,
    h("summary.button", { "data-testid": "resolve-open", text: t("alert.resolve") }),
    field("alert.outcome", outcome),
    away.el,
    field("alert.note", note),
    button("alert.resolveConfirm", {
      class: "big primary",
      "data-action": "resolve",
      onclick: async (/** @type {MouseEvent} */ e) => {
        const btn = /** @type {HTMLButtonElement} */ (e.currentTarget);
        const withAbsence = away.wanted(outcome.value);
        const absence = withAbsence ? away.body() : null;
        if (withAbsence && !absence) {
          toast(t("alert.absenceUntilRequired"), "error");
          return;
        }
        const ok = await act(
          btn,
          () =>
            post(`/api/alerts/${id}/resolve`, { outcome: outcome.value, note: note.value.trim() || null }),
          absence ? undefined : t("alert.done.resolve"),
        );
        if (!ok) return;
        // The alert stays resolved whatever happens to the absence: a failure is only reported.
        if (absence) {
          try {
            await post(`/api/households/${seg(a.householdId)}/absences`, absence);
            toast(t("alert.doneAbsence"));
          } catch (err) {
            toast(`${t("alert.absenceFailed")} ${errorText(err)}`, "error");
          }
        }
        await done();
      },
    }),
  );
}
