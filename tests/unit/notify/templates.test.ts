import { describe, expect, it } from "vitest";
import { renderNotification } from "../../../alerts/notify/templates/render.js";
import { notificationRequestSchema } from "../../../alerts/notify/types.js";
import { ALERT, everyTemplate, raised } from "../../helpers/notify/fixtures.js";

const render = (r: Parameters<typeof notificationRequestSchema.parse>[0]) =>
  renderNotification(notificationRequestSchema.parse(r));

describe("notification templates", () => {
  for (const language of ["zh-CN", "en"] as const)
    for (const audience of ["worker", "family"] as const)
      it(`renders every template for ${audience}s in ${language}`, () => {
        for (const r of everyTemplate(audience, language)) {
          const m = render(r);
          expect(m.subject.startsWith(language === "zh-CN" ? "【近邻】" : "[Jinlin]")).toBe(true);
          for (const part of [m.subject, m.text, m.html]) {
            expect(part).not.toMatch(/undefined|null|NaN|\[object/);
          }
          expect(m.html).toContain(`<html lang="${language}">`);
          // Family mail says what happened without the worker's details; workers get the address.
          if (audience === "family") expect(m.text).not.toContain(ALERT.address.slice(0, 5));
          if (audience === "family") expect(m.text).toMatch(/120/);
        }
      });

  it("writes a worker's alert in Chinese by default, with severity, address, evidence, time and link", () => {
    const m = render(raised("k1"));
    expect(m.subject).toBe("【近邻】重要：张阿姨（幸福路 8 号 3 单元 502）长时间未见活动");
    expect(m.text).toContain("近邻系统于 3月5日 14:30 观察到：已 14 小时没有用水，平时最长 6 小时");
    expect(m.text).toContain("地址：幸福路 8 号 3 单元 502");
    expect(m.text).toContain("告警编号：al-42");
    expect(m.text).toContain("在工作台中处理：https://jinlin.example.org/alerts/al-42");
    expect(m.html).toContain('href="https://jinlin.example.org/alerts/al-42"');
  });

  it("says 紧急 and asks to act now for a critical alert", () => {
    const m = render(raised("k1", { data: { ...ALERT, rule: "panic", severity: "critical" } }));
    expect(m.subject).toBe("【近邻】紧急：张阿姨（幸福路 8 号 3 单元 502）按下了紧急呼叫按钮");
    expect(m.text).toContain("请立即联系老人或上门查看");
  });

  it("writes calmly to family in English", () => {
    const m = render(raised("k1", { audience: "family", language: "en" }));
    expect(m.subject).toBe("[Jinlin] About 张阿姨: no activity for a long time");
    expect(m.text).toContain("At 5 Mar, 14:30 Jinlin observed: no water used for 14 h");
    expect(m.text).toContain("does not necessarily mean something is wrong");
    expect(m.text).not.toContain("Severity: ");
  });

  it("tells that a silent device is not an emergency", () => {
    const [, , , , , , silent] = everyTemplate("worker", "zh-CN");
    const m = render(silent!);
    expect(m.subject).toBe("【近邻】设备离线（非紧急）：张阿姨（幸福路 8 号 3 单元 502）水表");
    expect(m.text).toContain("不代表老人有危险");
  });

  it("says all is well in the daily summary, and less when it was not", () => {
    const summary = everyTemplate("family", "zh-CN")[7]!;
    expect(render(summary).subject).toBe("【近邻】张阿姨今日一切如常（3月5日）");
    if (summary.template !== "daily_summary") throw new Error("fixture order");
    const m = render({ ...summary, data: { ...summary.data, alerts: 1, waterLiters: null } });
    expect(m.subject).toBe("【近邻】张阿姨今日小结（3月5日）");
    expect(m.text).toContain("今天有 1 条提醒");
    expect(m.text).not.toContain("用水约");
  });

  it("escapes HTML in every value", () => {
    const m = render(raised("k1", { data: { ...ALERT, resident: '<b>"Li"</b> & co' } }));
    expect(m.html).not.toContain("<b>");
    expect(m.html).toContain("&#60;b&#62;&#34;Li&#34;&#60;/b&#62; &#38; co");
  });

  it("refuses links with credentials, bad addresses and unknown time zones", () => {
    const bad = [
      raised("k", { data: { ...ALERT, link: "https://u:p@jinlin.example.org/a" } }),
      raised("k", { to: "not-an-address" }),
      raised("k", { data: { ...ALERT, timezone: "Mars/Olympus" } }),
      raised("k", { data: { ...ALERT, link: "javascript:alert(1)" } }),
    ];
    for (const r of bad) expect(notificationRequestSchema.safeParse(r).success).toBe(false);
    expect(
      notificationRequestSchema.safeParse(raised("k", { channel: "webhook", to: "13800000000" })).success,
    ).toBe(true);
  });
});
