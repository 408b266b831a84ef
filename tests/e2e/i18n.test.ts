import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { ALERT_STATUSES, OUTCOMES } from "../../alerts/alert-types.js";
import { RULE_IDS, SEVERITIES } from "../../alerts/engine/types.js";
import { DEVICE_KINDS } from "../../core/domain.js";
import { findWebRoot } from "../../dashboard/routes/static.js";

const WEB = findWebRoot();
const sources = () =>
  [...readdirSync(WEB), ...readdirSync(join(WEB, "views")).map((f) => `views/${f}`)]
    .filter((f) => f.endsWith(".js"))
    .map((f) => ({ file: f, text: readFileSync(join(WEB, f), "utf8") }));

async function dictionaries(): Promise<Record<string, Record<string, string>>> {
  const mod = await import(pathToFileURL(join(WEB, "i18n-zh.js")).href);
  const en = await import(pathToFileURL(join(WEB, "i18n-en.js")).href);
  return { "zh-CN": mod.zh, en: en.en };
}

describe("web UI strings", () => {
  it("has the same keys in Chinese and English, none empty", async () => {
    const d = await dictionaries();
    expect(Object.keys(d.en!).sort()).toEqual(Object.keys(d["zh-CN"]!).sort());
    for (const dict of Object.values(d)) for (const v of Object.values(dict)) expect(v.trim()).not.toBe("");
  });

  it("has every key the code asks for, including one per rule, severity, status, outcome and kind", async () => {
    const d = await dictionaries();
    const used = new Set<string>();
    for (const { text } of sources())
      for (const m of text.matchAll(/\b(?:t|button|field|section)\("([a-zA-Z0-9_.-]+)"/g)) used.add(m[1]!);
    for (const r of RULE_IDS) used.add(`rule.${r}`);
    for (const s of SEVERITIES) used.add(`sev.${s}`);
    for (const s of ALERT_STATUSES) used.add(`astatus.${s}`);
    for (const o of OUTCOMES) used.add(`outcome.${o}`);
    for (const k of DEVICE_KINDS) used.add(`kind.${k}`);
    for (const s of ["all_normal", "needs_attention", "away", "check_devices"]) used.add(`state.${s}`);
    expect(used.size).toBeGreaterThan(200);
    for (const [lang, dict] of Object.entries(d))
      expect(
        [...used].filter((k) => !(k in dict)),
        lang,
      ).toEqual([]);
  });

  it("never builds markup from strings, and the page's markup holds no text of its own", () => {
    for (const { file, text } of sources()) {
      const code = text.replace(/^\s*\/\/.*$/gm, "");
      expect(code, file).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);
    }
    const html = readFileSync(join(WEB, "index.html"), "utf8");
    const body = html.slice(html.indexOf("<body>"), html.indexOf("</body>"));
    expect(body.replace(/<[^>]*>/g, "").trim()).toBe("");
    expect(html).not.toMatch(/<script>|<style|\sstyle=|\son[a-z]+=/);
  });
});
