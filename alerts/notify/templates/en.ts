import type { Audience, NotificationOf } from "../types.js";
import type { Content, Phrasebook } from "./content.js";
import {
  DEVICE_LABELS,
  formatDay,
  formatLiters,
  formatMinutes,
  formatTime,
  OUTCOME_LABELS,
  RULE_LABELS,
  SEVERITY_LABELS,
} from "./labels.js";

type AlertData = NotificationOf<"alert_raised">["data"];

const L = "en";
const rule = (d: AlertData) => RULE_LABELS[L][d.rule];
const time = (ms: number, tz: string) => formatTime(ms, tz, L);
const observed = (d: AlertData) => `At ${time(d.at, d.timezone)} Jinlin observed: ${d.message[L]}`;
const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function footer(audience: Audience, extra: string[] = []): string[] {
  const base = ["This message was sent automatically by Jinlin; please do not reply to it.", ...extra];
  return audience === "family" ? [...base, "In an emergency, call 120 (ambulance) or 110 (police)."] : base;
}

function alertFacts(d: AlertData): [string, string][] {
  return [
    ["Resident", d.resident],
    ["Address", d.address],
    ["Observed", d.message[L]],
    ["Severity", SEVERITY_LABELS[L][d.severity]],
    ["Since", time(d.at, d.timezone)],
    ["Alert", d.alertId],
  ];
}

/** The worker's version of an alert message: who, where, what, and what to do. */
function worker(d: AlertData, subject: string, lead: string[], todo: string[]): Content {
  return {
    subject,
    paragraphs: [...lead, ...todo],
    facts: alertFacts(d),
    action: d.link ? { label: "Open in the dashboard", url: d.link } : undefined,
    footer: footer("worker"),
  };
}

function family(d: { link?: string | undefined }, subject: string, paragraphs: string[]): Content {
  return {
    subject,
    paragraphs,
    facts: [],
    action: d.link ? { label: "See details", url: d.link } : undefined,
    footer: footer("family", ["If you have questions, please contact the community grid worker."]),
  };
}

const TODO = "Once you know how things are, acknowledge the alert in the dashboard and record the outcome.";

function raised(n: NotificationOf<"alert_raised">): Content {
  const d = n.data;
  const critical = d.severity === "critical";
  if (n.audience === "worker")
    return worker(
      d,
      `[Jinlin] ${SEVERITY_LABELS[L][d.severity]}: ${d.resident} (${d.address}) – ${rule(d)}`,
      [observed(d)],
      [
        `Please ${critical ? "call or visit the resident now" : "call or visit the resident soon"}. ${TODO}`,
        "If nobody acknowledges it, the alert will be escalated.",
      ],
    );
  return family(
    d,
    critical
      ? `[Jinlin] ${d.resident}: ${rule(d)} – the community is on it`
      : `[Jinlin] About ${d.resident}: ${rule(d)}`,
    [
      `Hello. ${observed(d)}`,
      critical
        ? `The community grid worker has been notified and is calling or visiting ${d.resident} now. We will tell you as soon as we know more.`
        : `This does not necessarily mean something is wrong. The community grid worker has been notified and will call or visit ${d.resident} soon. We will let you know when there is news.`,
      `If you can, you may also give ${d.resident} a call.`,
    ],
  );
}

function escalated(n: NotificationOf<"alert_escalated">): Content {
  const d = n.data;
  const waited = formatMinutes(d.unacknowledgedMinutes, L);
  if (n.audience === "worker")
    return worker(
      d,
      `[Jinlin] ${SEVERITY_LABELS[L][d.severity]}, escalated: ${d.resident} (${d.address}) – ${rule(d)}`,
      [
        `Nobody has acknowledged this alert for ${waited}; it is now escalated to you (level ${d.level}).`,
        observed(d),
      ],
      [`Please call or visit the resident now, or reach the responsible grid worker. ${TODO}`],
    );
  return family(d, `[Jinlin] About ${d.resident}: more community staff informed`, [
    `The grid worker has not yet confirmed the notice about ${d.resident} (${rule(d)}) after ${waited}, so we have informed more community staff.`,
    `If you can, please give ${d.resident} a call soon.`,
  ]);
}

function reminder(n: NotificationOf<"alert_reminder">): Content {
  const d = n.data;
  const open = formatMinutes(d.openMinutes, L);
  if (n.audience === "worker")
    return worker(
      d,
      `[Jinlin] Reminder: ${d.resident} (${d.address}) – ${rule(d)}, open for ${open}`,
      [`This alert has been open for ${open} and is not closed yet.`, observed(d)],
      [`Please check on the resident. ${TODO}`],
    );
  return family(d, `[Jinlin] About ${d.resident}: still being handled`, [
    `The notice about ${d.resident} (${rule(d)}) is still being handled; community staff are following it up. We will tell you the outcome.`,
  ]);
}

function acknowledged(n: NotificationOf<"alert_acknowledged">): Content {
  const d = n.data;
  const at = time(d.acknowledgedAt, d.timezone);
  if (n.audience === "worker")
    return worker(
      d,
      `[Jinlin] Acknowledged: ${d.resident} (${d.address}) – ${rule(d)}, taken by ${d.by}`,
      [`${d.by} acknowledged this alert at ${at} and is handling it.`],
      ["You need not follow it up."],
    );
  return family(d, `[Jinlin] ${d.resident}: the grid worker is on it`, [
    `At ${at} the community grid worker ${d.by} took up the notice about ${d.resident} (${rule(d)}) and is calling or visiting. We will tell you the outcome.`,
  ]);
}

function resolved(n: NotificationOf<"alert_resolved">): Content {
  const d = n.data;
  const outcome = OUTCOME_LABELS[L][d.outcome];
  const by = d.by ? ` by ${d.by}` : "";
  const result = `This was closed at ${time(d.resolvedAt, d.timezone)}${by}. Outcome: ${outcome}.`;
  const note = d.note ? [`Note: ${d.note}`] : [];
  if (n.audience === "worker")
    return worker(
      d,
      `[Jinlin] Closed: ${d.resident} (${d.address}) – ${rule(d)}: ${outcome}`,
      [result, ...note],
      [],
    );
  return family(d, `[Jinlin] ${d.resident}: ${outcome}`, [
    `About the notice on ${d.resident} (${rule(d)}): ${result}`,
    ...note,
    "Thank you for caring.",
  ]);
}

const RECORDER = { operator: "an operator", worker: "a grid worker", family: "a family member" } as const;

function cleared(n: NotificationOf<"alert_cleared">): Content {
  const d = n.data;
  const at = time(d.clearedAt, d.timezone);
  if (d.absence) {
    const line = `At ${at} ${RECORDER[d.absence.role]} recorded that ${d.resident} is away (until ${time(d.absence.to, d.timezone)}); the earlier alert (${rule(d)}) is cleared.`;
    if (n.audience === "worker")
      return worker(d, `[Jinlin] Cleared, away: ${d.resident} (${d.address}) – ${rule(d)}`, [line], []);
    return family(d, `[Jinlin] ${d.resident}: away, notice cleared`, [line]);
  }
  if (n.audience === "worker")
    return worker(
      d,
      `[Jinlin] Back to normal: ${d.resident} (${d.address}) – ${rule(d)}`,
      [`At ${at} Jinlin observed that things are back to normal; the alert was cleared automatically.`],
      ["If you have already called or visited, please record the outcome in the dashboard."],
    );
  return family(d, `[Jinlin] ${d.resident}: back to normal`, [
    `At ${at} Jinlin observed that things are back to normal at ${d.resident}'s home; the earlier notice (${rule(d)}) is cleared.`,
  ]);
}

function absenceRecorded(n: NotificationOf<"alert_absence_recorded">): Content {
  const d = n.data;
  const line = `An absence was recorded by ${RECORDER[d.role]}: ${d.resident} is away from ${time(d.from, d.timezone)} until ${time(d.to, d.timezone)}.`;
  if (n.audience === "worker")
    return worker(
      d,
      `[Jinlin] Recorded away: ${d.resident} (${d.address}) – ${rule(d)}`,
      [line, "You took this alert: it stays open with you."],
      ["If you have not gone yet, call first; record the outcome in the dashboard."],
    );
  return family(d, `[Jinlin] ${d.resident}: away recorded`, [`${line} The grid worker knows.`]);
}

function deviceSilent(n: NotificationOf<"device_silent">): Content {
  const d = n.data;
  const device = DEVICE_LABELS[L][d.deviceKind];
  const since =
    d.lastSeenAt === null
      ? `The ${device} (${d.deviceId}) has not reported since it was installed.`
      : `The ${device} (${d.deviceId}) has not reported since ${time(d.lastSeenAt, d.timezone)}.`;
  if (n.audience === "worker")
    return {
      subject: `[Jinlin] Device offline (not an emergency): ${d.resident} (${d.address}) – ${device}`,
      paragraphs: [
        since,
        "This is a technical problem, not a sign that the resident is in danger; but until the device is back, Jinlin cannot notice trouble in this home.",
        "Please arrange for its power and network to be checked.",
      ],
      facts: [
        ["Resident", d.resident],
        ["Address", d.address],
        ["Device", `${device} ${d.deviceId}`],
      ],
      action: d.link ? { label: "Open in the dashboard", url: d.link } : undefined,
      footer: footer("worker"),
    };
  return family(d, `[Jinlin] ${capital(device)} at ${d.resident}'s home is offline`, [
    since,
    `This is a technical problem and does not mean ${d.resident} is in danger. Until it is fixed, Jinlin cannot notice trouble in time; the community will arrange a check.`,
    "If you can, please make sure the device is plugged in.",
  ]);
}

function dailySummary(n: NotificationOf<"daily_summary">): Content {
  const d = n.data;
  const allWell = d.alerts === 0 && d.devicesOk;
  const day = formatDay(d.date, L);
  const lines = [
    allWell
      ? `Hello. On ${day} all was well at ${d.resident}'s home.`
      : `Hello. Here is the summary of ${day} for ${d.resident}'s home.`,
  ];
  lines.push(
    d.lastActivityAt === null
      ? "No activity recorded today."
      : `Last activity: ${time(d.lastActivityAt, d.timezone)}.`,
  );
  if (d.waterLiters !== null) lines.push(`Water used today: about ${formatLiters(d.waterLiters, L)}.`);
  if (d.alerts > 0) lines.push(`There were ${d.alerts} notice(s) today; you were told how each was handled.`);
  if (!d.devicesOk)
    lines.push("Some devices did not report properly today; the community will arrange a check.");
  return {
    subject: allWell
      ? `[Jinlin] ${d.resident}: all is well (${day})`
      : `[Jinlin] ${d.resident}: daily summary (${day})`,
    paragraphs: lines,
    facts: [],
    action: d.link ? { label: "See details", url: d.link } : undefined,
    footer: footer(n.audience, [
      "You receive this daily summary because you asked for it; to stop it, contact the community grid worker.",
    ]),
  };
}

/** Read out by the call gateway or sent as an SMS; the gateway maps the key or reply to ok/help. */
function residentCheckin(n: NotificationOf<"resident_checkin">): Content {
  const d = n.data;
  return {
    subject: `[Jinlin] ${d.resident}, please let us know you are all right`,
    paragraphs: [
      `Hello ${d.resident}, this is the Jinlin community care service. We have not noticed anything at home for a while and would like to know that you are all right.`,
      `If you are fine, press or reply 1; if you need help, press or reply 2. You can also press "I'm OK" on your emergency button.`,
      `If we have not heard from you by ${time(d.until, d.timezone)}, the community grid worker will come to see you.`,
    ],
    facts: [],
    footer: ["In an emergency, call 120 (ambulance) or 110 (police) directly."],
  };
}

export const en: Phrasebook = {
  alert_raised: raised,
  alert_escalated: escalated,
  alert_reminder: reminder,
  alert_acknowledged: acknowledged,
  alert_resolved: resolved,
  alert_cleared: cleared,
  alert_absence_recorded: absenceRecorded,
  device_silent: deviceSilent,
  daily_summary: dailySummary,
  resident_checkin: residentCheckin,
};
