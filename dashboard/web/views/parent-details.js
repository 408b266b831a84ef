import { get, patch, seg } from "../api.js";
import { button, field, formValues, h, replace, section } from "../dom.js";
import { act } from "../errors.js";
import { LANGS, t } from "../i18n.js";
import { confirmWithdraw } from "./consent-ui.js";
import { contactRow, contactsFrom } from "./register-parent.js";

const MAX_CONTACTS = 10;

/**
 * The family keeps the registered parent's details up to date after approval: phone, address, health
 * notes, how to get in, emergency contacts, preferred language and consent. The grid worker sees the
 * change on the home's page; the service records who changed what in the audit log.
 * @param {string} householdId
 * @param {() => void} [saved] the page refreshes (its banner says whether the home is monitored)
 */
export function parentDetailsSection(householdId, saved = () => {}) {
  const url = `/api/households/${seg(householdId)}`;
  const body = h("div", { "data-testid": "parent-details" });

  /** @param {any} hh */
  const render = (hh) => {
    const p = hh.profile ?? {};
    const contacts = h(
      "div",
      null,
      (hh.emergencyContacts?.length ? hh.emergencyContacts : [{}]).map(
        (/** @type {any} */ c, /** @type {number} */ i) => contactRow(i, c),
      ),
    );
    let n = Math.max(1, hh.emergencyContacts?.length ?? 0);
    /** @type {HTMLFormElement} */
    const form = /** @type {any} */ (
      h(
        "form",
        {
          "data-testid": "parent-form",
          onsubmit: async (/** @type {SubmitEvent} */ e) => {
            e.preventDefault();
            const v = formValues(form);
            const consent = /** @type {HTMLInputElement} */ (form.querySelector("input[name=consent]"));
            // Withdrawing stops the monitoring: it has its own dialog saying so, and is saved on its own.
            if (hh.consent && !consent.checked)
              return confirmWithdraw(url, async () => {
                render(await get(url));
                saved();
              });
            const ok = await act(
              form.querySelector("button[type=submit]"),
              () =>
                patch(url, {
                  address: v.address ?? "",
                  phone: v.phone ?? null,
                  healthNotes: v.healthNotes ?? null,
                  accessNotes: v.accessNotes ?? null,
                  emergencyContacts: contactsFrom(v, n),
                  language: v.language,
                  consent: consent.checked,
                }),
              t("parent.saved"),
            );
            if (!ok) return;
            render(await get(url));
            saved();
          },
        },
        field("reg.address", h("input", { name: "address", required: true, value: hh.address })),
        field("reg.phone", h("input", { name: "phone", type: "tel", value: p.phone })),
        field("reg.health", h("textarea", { name: "healthNotes", rows: 3, value: p.healthNotes })),
        field("reg.access", h("textarea", { name: "accessNotes", rows: 2, value: p.accessNotes })),
        h("h3", { text: t("reg.contacts") }),
        contacts,
        button("reg.addContact", {
          class: "small",
          onclick: () => n < MAX_CONTACTS && contacts.append(contactRow(n++)),
        }),
        field(
          "reg.language",
          h(
            "select",
            { name: "language" },
            LANGS.map((l) => h("option", { value: l, selected: l === hh.language, text: t(`lang.${l}`) })),
          ),
        ),
        h(
          "label.check",
          null,
          h("input", {
            type: "checkbox",
            name: "consent",
            checked: hh.consent,
            "data-testid": "parent-consent",
          }),
          h("span", { text: t("reg.consent") }),
        ),
        h("button.primary", { type: "submit", text: t("common.save") }),
      )
    );
    replace(body, h("details", null, h("summary", { text: t("parent.edit") }), form));
  };

  void get(url).then(render, () => replace(body, h("p.error", { text: t("parent.unavailable") })));
  return section("parent.title", body);
}
