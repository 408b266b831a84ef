import { get, post } from "../api.js";
import { badge, button, field, fmtTime, h, replace, toast } from "../dom.js";
import { act } from "../errors.js";
import { t } from "../i18n.js";
import { credentialsBox } from "./devices-ui.js";

/** Registration requests from families: approve (a meter's credentials are shown once) or reject. @param {HTMLElement} view @param {string[]} params */
export default async function registrations(view, params) {
  const status = ["pending", "approved", "rejected"].includes(params[0] ?? "") ? params[0] : "pending";
  const { registrations: regs } = await get(`/api/registrations?status=${status}`);
  const list = h("div.list", { "data-testid": "registrations" });
  view.append(
    h("h1", { text: t("nav.registrations") }),
    h(
      "div.tabs",
      null,
      ["pending", "approved", "rejected"].map((s) =>
        h(`a${s === status ? ".active" : ""}`, { href: `#/registrations/${s}`, text: t(`reg.${s}`) }),
      ),
    ),
    list,
  );
  replace(
    list,
    regs.length === 0 ? h("p.muted", { text: t("reg.none") }) : null,
    regs.map((/** @type {any} */ r) => card(r)),
  );
}

/** @param {any} r */
function card(r) {
  const d = r.details;
  const out = h("div.result");
  const note = /** @type {HTMLInputElement} */ (h("input", { name: "note", "data-testid": "decision-note" }));
  const el = h(
    "article.card",
    { "data-registration": r.id },
    h(
      "div.row",
      null,
      h("h2.grow", { text: String(d.resident ?? "") }),
      badge(r.status, t(`reg.${r.status}`)),
    ),
    h(
      "dl.facts",
      null,
      h("dt", { text: t("home.address") }),
      h("dd", { text: String(d.address ?? "") }),
      h("dt", { text: t("reg.grid") }),
      h("dd", { text: r.gridPath }),
      h("dt", { text: t("home.phone") }),
      h("dd", { text: String(d.phone ?? "—") }),
      h("dt", { text: t("home.health") }),
      h("dd.pre", { text: String(d.healthNotes ?? "—") }),
      h("dt", { text: t("home.access") }),
      h("dd.pre", { text: String(d.accessNotes ?? "—") }),
      h("dt", { text: t("home.contacts") }),
      h("dd", {
        text:
          (d.emergencyContacts ?? []).map((/** @type {any} */ c) => `${c.name} ${c.phone}`).join("; ") || "—",
      }),
      h("dt", { text: t("reg.meter") }),
      h("dd", { text: String(d.meterSerial ?? "—") }),
      h("dt", { text: t("reg.submittedAt") }),
      h("dd", { text: fmtTime(r.createdAt) }),
      r.decisionNote ? [h("dt", { text: t("alert.note") }), h("dd", { text: r.decisionNote })] : null,
    ),
    out,
  );
  if (r.status !== "pending") return el;
  el.append(
    field("alert.note", note),
    h(
      "div.actions",
      null,
      button("reg.approve", {
        class: "big primary",
        "data-action": "approve",
        onclick: (/** @type {MouseEvent} */ e) =>
          act(/** @type {any} */ (e.currentTarget), async () => {
            const res = await post(
              `/api/registrations/${r.id}/approve`,
              note.value.trim() ? { note: note.value.trim() } : {},
            );
            el.querySelector(".actions")?.remove();
            replace(
              out,
              h("p", { text: t("reg.approvedToast") }),
              res.device ? credentialsBox(res.device.mqtt) : null,
            );
            toast(t("reg.approvedToast"));
          }),
      }),
      button("reg.reject", {
        class: "big danger",
        "data-action": "reject",
        onclick: (/** @type {MouseEvent} */ e) => {
          if (!note.value.trim()) return toast(t("reg.needNote"), "error");
          return act(/** @type {any} */ (e.currentTarget), async () => {
            await post(`/api/registrations/${r.id}/reject`, { note: note.value.trim() });
            el.querySelector(".actions")?.remove();
            replace(out, h("p", { text: t("reg.rejectedToast") }));
          });
        },
      }),
    ),
  );
  return el;
}
