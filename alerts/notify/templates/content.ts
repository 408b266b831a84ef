import type { NotificationOf, Template } from "../types.js";

/** A message before layout: the same content becomes the plain text, the HTML and the webhook text. */
export interface Content {
  subject: string;
  paragraphs: string[];
  /** Label/value pairs: for workers the address, what was observed, when, the alert id. */
  facts: [string, string][];
  action?: { label: string; url: string };
  footer: string[];
}

/** One language's wording of every template. */
export type Phrasebook = { [T in Template]: (n: NotificationOf<T>) => Content };

export interface Rendered {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function toText(c: Content, lang: string): string {
  const sep = lang === "en" ? ": " : "：";
  const blocks = [...c.paragraphs];
  if (c.facts.length > 0) blocks.push(c.facts.map(([k, v]) => `${k}${sep}${v}`).join("\n"));
  if (c.action) blocks.push(`${c.action.label}${sep}${c.action.url}`);
  blocks.push(`--\n${c.footer.join("\n")}`);
  return `${blocks.join("\n\n")}\n`;
}

/** Simple, inline-styled HTML (mail clients drop <style>); every value is escaped. */
export function toHtml(c: Content, lang: string): string {
  const p = c.paragraphs.map((t) => `<p>${escapeHtml(t)}</p>`).join("\n");
  const rows = c.facts
    .map(
      ([k, v]) =>
        `<tr><th align="left" style="padding:2px 12px 2px 0;color:#555;font-weight:normal">${escapeHtml(k)}</th>` +
        `<td style="padding:2px 0">${escapeHtml(v)}</td></tr>`,
    )
    .join("\n");
  const table = rows ? `<table style="border-collapse:collapse;margin:12px 0">\n${rows}\n</table>` : "";
  const action = c.action
    ? `<p><a href="${escapeHtml(c.action.url)}" style="display:inline-block;padding:8px 16px;` +
      `background:#1f6feb;color:#fff;text-decoration:none;border-radius:4px">${escapeHtml(c.action.label)}</a></p>`
    : "";
  const footer = `<p style="color:#777;font-size:12px">${c.footer.map(escapeHtml).join("<br>")}</p>`;
  return [
    `<!doctype html>`,
    `<html lang="${escapeHtml(lang)}"><head><meta charset="utf-8"><title>${escapeHtml(c.subject)}</title></head>`,
    `<body style="font-family:sans-serif;font-size:15px;line-height:1.5;color:#222">`,
    p,
    table,
    action,
    footer,
    `</body></html>`,
  ]
    .filter((s) => s !== "")
    .join("\n");
}
