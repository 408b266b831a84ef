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

const L = "zh-CN";
const rule = (d: AlertData) => RULE_LABELS[L][d.rule];
const time = (ms: number, tz: string) => formatTime(ms, tz, L);
const observed = (d: AlertData) => `近邻系统于 ${time(d.at, d.timezone)} 观察到：${d.message[L]}`;

function footer(audience: Audience, extra: string[] = []): string[] {
  const base = ["此消息由近邻系统自动发送，请勿直接回复。", ...extra];
  return audience === "family" ? [...base, "如遇紧急情况，请直接拨打 120（急救）或 110（报警）。"] : base;
}

function alertFacts(d: AlertData): [string, string][] {
  return [
    ["老人", d.resident],
    ["地址", d.address],
    ["情况", d.message[L]],
    ["级别", SEVERITY_LABELS[L][d.severity]],
    ["发生时间", time(d.at, d.timezone)],
    ["告警编号", d.alertId],
  ];
}

/** The worker's version of an alert message: who, where, what, and what to do. */
function worker(d: AlertData, subject: string, lead: string[], todo: string[]): Content {
  return {
    subject,
    paragraphs: [...lead, ...todo],
    facts: alertFacts(d),
    action: d.link ? { label: "在工作台中处理", url: d.link } : undefined,
    footer: footer("worker"),
  };
}

function family(d: { link?: string | undefined }, subject: string, paragraphs: string[]): Content {
  return {
    subject,
    paragraphs,
    facts: [],
    action: d.link ? { label: "查看详情", url: d.link } : undefined,
    footer: footer("family", ["如有疑问，请联系社区网格员。"]),
  };
}

const TODO = "确认情况后，请在工作台上确认此告警并记录处理结果。";

function raised(n: NotificationOf<"alert_raised">): Content {
  const d = n.data;
  const critical = d.severity === "critical";
  if (n.audience === "worker")
    return worker(
      d,
      `【近邻】${SEVERITY_LABELS[L][d.severity]}：${d.resident}（${d.address}）${rule(d)}`,
      [observed(d)],
      [`${critical ? "请立即" : "请尽快"}联系老人或上门查看。${TODO}`, "如无人确认，此告警将按规定升级。"],
    );
  return family(
    d,
    critical
      ? `【近邻】${d.resident}：${rule(d)}，社区正在处理`
      : `【近邻】关于${d.resident}的提醒：${rule(d)}`,
    [
      `您好！${observed(d)}`,
      critical
        ? `社区网格员已收到通知，正在尽快联系或上门看望${d.resident}。有进展时我们会马上告诉您。`
        : `这不一定代表出了问题。社区网格员已收到通知，会尽快联系或上门看望${d.resident}。有进展时我们会再告诉您。`,
      `如果方便，您也可以先给${d.resident}打个电话。`,
    ],
  );
}

function escalated(n: NotificationOf<"alert_escalated">): Content {
  const d = n.data;
  const waited = formatMinutes(d.unacknowledgedMinutes, L);
  if (n.audience === "worker")
    return worker(
      d,
      `【近邻】${SEVERITY_LABELS[L][d.severity]}·已升级：${d.resident}（${d.address}）${rule(d)}`,
      [`此告警已 ${waited} 无人确认，现升级通知您（第 ${d.level} 级）。`, observed(d)],
      [`请立即联系老人或上门查看，或联系负责的网格员。${TODO}`],
    );
  return family(d, `【近邻】关于${d.resident}的提醒：已通知更多社区工作人员`, [
    `关于${d.resident}的提醒（${rule(d)}）已 ${waited} 还没有得到网格员的确认，我们已通知更多社区工作人员跟进。`,
    `如果方便，请您尽快给${d.resident}打个电话。`,
  ]);
}

function reminder(n: NotificationOf<"alert_reminder">): Content {
  const d = n.data;
  const open = formatMinutes(d.openMinutes, L);
  if (n.audience === "worker")
    return worker(
      d,
      `【近邻】提醒：${d.resident}（${d.address}）${rule(d)}，已持续 ${open}`,
      [`此告警已开启 ${open}，尚未处理完毕。`, observed(d)],
      [`请确认老人的情况。${TODO}`],
    );
  return family(d, `【近邻】关于${d.resident}的提醒：仍在处理中`, [
    `关于${d.resident}的提醒（${rule(d)}）仍在处理中，社区工作人员正在跟进。有结果时我们会告诉您。`,
  ]);
}

function acknowledged(n: NotificationOf<"alert_acknowledged">): Content {
  const d = n.data;
  const at = time(d.acknowledgedAt, d.timezone);
  if (n.audience === "worker")
    return worker(
      d,
      `【近邻】已确认：${d.resident}（${d.address}）${rule(d)}，由${d.by}处理`,
      [`${d.by}已于 ${at} 确认此告警并负责处理。`],
      ["您无需再跟进此告警。"],
    );
  return family(d, `【近邻】${d.resident}：社区网格员正在处理`, [
    `社区网格员${d.by}已于 ${at} 收到关于${d.resident}的提醒（${rule(d)}），正在联系或上门看望。有结果时我们会告诉您。`,
  ]);
}

function resolved(n: NotificationOf<"alert_resolved">): Content {
  const d = n.data;
  const outcome = OUTCOME_LABELS[L][d.outcome];
  const by = d.by ? `，处理人：${d.by}` : "";
  const result = `此事已于 ${time(d.resolvedAt, d.timezone)} 处理完毕${by}。结果：${outcome}。`;
  const note = d.note ? [`备注：${d.note}`] : [];
  if (n.audience === "worker")
    return worker(
      d,
      `【近邻】已处理：${d.resident}（${d.address}）${rule(d)}——${outcome}`,
      [result, ...note],
      [],
    );
  return family(d, `【近邻】${d.resident}：${outcome}`, [
    `关于${d.resident}的提醒（${rule(d)}）：${result}`,
    ...note,
    "感谢您的关心。",
  ]);
}

const RECORDER = { operator: "运维人员", worker: "网格员", family: "家属" } as const;

function cleared(n: NotificationOf<"alert_cleared">): Content {
  const d = n.data;
  const at = time(d.clearedAt, d.timezone);
  if (d.absence) {
    const line = `${at} ${RECORDER[d.absence.role]}登记了${d.resident}不在家（至 ${time(d.absence.to, d.timezone)}），之前的告警（${rule(d)}）已解除。`;
    if (n.audience === "worker")
      return worker(d, `【近邻】已解除（登记外出）：${d.resident}（${d.address}）${rule(d)}`, [line], []);
    return family(d, `【近邻】${d.resident}：已登记外出，提醒已解除`, [line]);
  }
  if (n.audience === "worker")
    return worker(
      d,
      `【近邻】已恢复：${d.resident}（${d.address}）${rule(d)}`,
      [`近邻系统于 ${at} 观察到情况已恢复正常，告警已自动解除。`],
      ["如果您已联系老人或上门查看，请在工作台上记录结果。"],
    );
  return family(d, `【近邻】${d.resident}：情况已恢复正常`, [
    `近邻系统于 ${at} 观察到${d.resident}家中情况已恢复正常，之前的提醒（${rule(d)}）已解除。`,
  ]);
}

function absenceRecorded(n: NotificationOf<"alert_absence_recorded">): Content {
  const d = n.data;
  const line = `${RECORDER[d.role]}登记了${d.resident}不在家：${time(d.from, d.timezone)} 至 ${time(d.to, d.timezone)}。`;
  if (n.audience === "worker")
    return worker(
      d,
      `【近邻】已登记外出：${d.resident}（${d.address}）${rule(d)}`,
      [line, "这条告警已由您确认，仍由您处理。"],
      ["如尚未出发，请先打电话确认；处理后请在工作台上记录结果。"],
    );
  return family(d, `【近邻】${d.resident}：已登记外出`, [`${line}网格员已知悉。`]);
}

function deviceSilent(n: NotificationOf<"device_silent">): Content {
  const d = n.data;
  const device = DEVICE_LABELS[L][d.deviceKind];
  const since =
    d.lastSeenAt === null
      ? `${device}（编号 ${d.deviceId}）安装后还没有上报过数据。`
      : `${device}（编号 ${d.deviceId}）自 ${time(d.lastSeenAt, d.timezone)} 起没有上报数据。`;
  if (n.audience === "worker")
    return {
      subject: `【近邻】设备离线（非紧急）：${d.resident}（${d.address}）${device}`,
      paragraphs: [
        since,
        "这是技术问题，不代表老人有危险；但在设备恢复之前，近邻无法及时发现这户人家的异常。",
        "请安排检查设备的电源和网络。",
      ],
      facts: [
        ["老人", d.resident],
        ["地址", d.address],
        ["设备", `${device} ${d.deviceId}`],
      ],
      action: d.link ? { label: "在工作台中查看", url: d.link } : undefined,
      footer: footer("worker"),
    };
  return family(d, `【近邻】${d.resident}家的${device}暂时离线`, [
    since,
    `这是技术问题，并不代表${d.resident}有危险。但在设备恢复之前，近邻无法及时发现异常，社区会安排检查。`,
    "如果方便，请帮忙确认设备的电源已接通。",
  ]);
}

function dailySummary(n: NotificationOf<"daily_summary">): Content {
  const d = n.data;
  const allWell = d.alerts === 0 && d.devicesOk;
  const day = formatDay(d.date, L);
  const lines = [
    allWell ? `您好！${day}，${d.resident}家中一切如常。` : `您好！这是${d.resident}家${day}的小结。`,
  ];
  lines.push(
    d.lastActivityAt === null
      ? "今天暂无活动记录。"
      : `最近一次活动：${time(d.lastActivityAt, d.timezone)}。`,
  );
  if (d.waterLiters !== null) lines.push(`今天用水约 ${formatLiters(d.waterLiters, L)}。`);
  if (d.alerts > 0) lines.push(`今天有 ${d.alerts} 条提醒，处理情况已另行通知您。`);
  if (!d.devicesOk) lines.push("部分设备今天没有正常上报数据，社区会安排检查。");
  return {
    subject: allWell
      ? `【近邻】${d.resident}今日一切如常（${day}）`
      : `【近邻】${d.resident}今日小结（${day}）`,
    paragraphs: lines,
    facts: [],
    action: d.link ? { label: "查看详情", url: d.link } : undefined,
    footer: footer(n.audience, ["您收到这份每日小结，是因为您订阅了它；如需退订，请联系社区网格员。"]),
  };
}

/** Read out by the call gateway or sent as an SMS; the gateway maps the key or reply to ok/help. */
function residentCheckin(n: NotificationOf<"resident_checkin">): Content {
  const d = n.data;
  return {
    subject: `【近邻】${d.resident}，您好，请确认您是否平安`,
    paragraphs: [
      `${d.resident}，您好！这里是近邻社区关怀服务。我们有一段时间没有看到您家里的动静，想确认您是否平安。`,
      `如果您一切都好，请按 1 或回复 1；如果需要帮助，请按 2 或回复 2。您也可以按一下紧急按钮上的“我很好”键。`,
      `${time(d.until, d.timezone)}前没有收到您的回应，社区网格员会上门看望您。`,
    ],
    facts: [],
    footer: ["如遇紧急情况，请直接拨打 120（急救）或 110（报警）。"],
  };
}

export const zhCN: Phrasebook = {
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
