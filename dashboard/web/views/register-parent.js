import { get, post } from "../api.js";
import { button, field, formValues, h, toast } from "../dom.js";
import { act } from "../errors.js";
import { LANGS, t } from "../i18n.js";

/** One emergency contact's inputs, named c<i>.name/phone/relation. @param {number} i @param {{ name?: string, phone?: string, relation?: string }} [c] */
export function contactRow(i, c = {}) {
  return h(
    "fieldset.contact",
    { "data-contact": i },
    h("legend", { text: t("reg.contactN", { n: i + 1 }) }),
    field("reg.contactName", h("input", { name: `c${i}.name`, autocomplete: "off", value: c.name })),
    field("reg.contactPhone", h("input", { name: `c${i}.phone`, type: "tel", value: c.phone })),
    field("reg.contactRelation", h("input", { name: `c${i}.relation`, value: c.relation })),
  );
}

/** The complete contacts of a form's c<i>.* values (a row without name or phone is left out). @param {Record<string, string>} v @param {number} n */
export function contactsFrom(v, n) {
  const out = [];
  for (let i = 0; i < n; i++)
    if (v[`c${i}.name`] && v[`c${i}.phone`])
      out.push({
        name: v[`c${i}.name`],
        phone: v[`c${i}.phone`],
        ...(v[`c${i}.relation`] ? { relation: v[`c${i}.relation`] } : {}),
      });
  return out;
}

/** A family member registers a parent: pending until a grid worker or an operator approves. @param {HTMLElement} view @param {string[]} _p @param {any} ctx */
export default async function registerParent(view, _p, ctx) {
  const { grids } = await get("/api/grids");
  // Homes belong to a grid (the lowest level); a family picks the one their parent lives in.
  const leaves = grids.filter(
    (/** @type {any} */ g) => !grids.some((/** @type {any} */ o) => o.parentId === g.id),
  );
  const contacts = h("div", null, contactRow(0));
  let n = 1;
  /** @type {HTMLFormElement} */
  const form = /** @type {any} */ (
    h(
      "form.card",
      {
        "data-testid": "register-form",
        onsubmit: async (/** @type {SubmitEvent} */ e) => {
          e.preventDefault();
          const v = formValues(form);
          const emergencyContacts = contactsFrom(v, n);
          const body = {
            resident: v.resident,
            address: v.address,
            gridPath: v.gridPath,
            ...(v.phone ? { phone: v.phone } : {}),
            ...(v.healthNotes ? { healthNotes: v.healthNotes } : {}),
            ...(v.accessNotes ? { accessNotes: v.accessNotes } : {}),
            ...(v.relation ? { relation: v.relation } : {}),
            ...(v.meterSerial ? { meterSerial: v.meterSerial } : {}),
            emergencyContacts,
            consent: { given: v.consent === "on", by: v.consentBy },
            language: v.language,
          };
          if (!body.consent.given) return toast(t("reg.needConsent"), "error");
          const ok = await act(
            form.querySelector("button[type=submit]"),
            () => post("/api/registrations", body),
            t("reg.submitted"),
          );
          if (ok) ctx.go("#/family");
        },
      },
      h("h1", { text: t("reg.title") }),
      h("p.muted", { text: t("reg.intro") }),
      field("reg.resident", h("input", { name: "resident", required: true })),
      field("reg.address", h("input", { name: "address", required: true })),
      field(
        "reg.grid",
        h(
          "select",
          { name: "gridPath", required: true },
          leaves.map((/** @type {any} */ g) =>
            h("option", {
              value: g.path,
              text: g.name && g.name !== g.path ? `${g.name} (${g.path})` : g.path,
            }),
          ),
        ),
      ),
      field("reg.phone", h("input", { name: "phone", type: "tel" })),
      field("reg.relation", h("input", { name: "relation", placeholder: t("reg.relationHint") })),
      field("reg.health", h("textarea", { name: "healthNotes", rows: 3, placeholder: t("reg.healthHint") })),
      field("reg.access", h("textarea", { name: "accessNotes", rows: 2, placeholder: t("reg.accessHint") })),
      h("h3", { text: t("reg.contacts") }),
      contacts,
      button("reg.addContact", { class: "small", onclick: () => n < 10 && contacts.append(contactRow(n++)) }),
      field(
        "reg.language",
        h(
          "select",
          { name: "language" },
          LANGS.map((l) => h("option", { value: l, text: t(`lang.${l}`) })),
        ),
      ),
      field(
        "reg.meter",
        h("input", { name: "meterSerial", placeholder: "WM-2026-0001", autocapitalize: "none" }),
      ),
      h(
        "label.check",
        null,
        h("input", { type: "checkbox", name: "consent", "data-testid": "consent" }),
        h("span", { text: t("reg.consent") }),
      ),
      field(
        "reg.consentBy",
        h(
          "select",
          { name: "consentBy" },
          ["resident", "family"].map((b) => h("option", { value: b, text: t(`reg.by.${b}`) })),
        ),
      ),
      h("button.primary", { type: "submit", text: t("reg.submit") }),
    )
  );
  view.append(form);
}
