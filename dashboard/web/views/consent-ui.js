import { patch, seg } from "../api.js";
import { button, fmtTime, h, section, toast } from "../dom.js";
import { act, showError } from "../errors.js";
import { t } from "../i18n.js";

/**
 * Consent and monitoring (docs/privacy.md, "Withdrawing consent"): while consent is withdrawn the home is
 * not monitored, and every page of it says so at the top, with who withdrew it and when. A home whose
 * consent was never recorded is still watched; its pages say that consent is not recorded.
 */

/** Who withdrew consent, as the banner names them. @param {any} by */
const who = (by) =>
  by?.name
    ? t("consent.who", { name: by.name, role: t(`role.${by.role}`) })
    : by?.role === "cli"
      ? t("consent.byCli")
      : "—";

/** The banner over a home's page; null while the home is monitored. @param {any} hh @param {string | undefined} tz */
export function monitoringBanner(hh, tz) {
  const m = hh.monitoring;
  if (m?.paused)
    return h(
      "div.card.paused",
      { role: "status", "data-testid": "monitoring-paused" },
      h("strong.warn", { text: t("consent.pausedTitle") }),
      h("p", { text: t("consent.pausedBy", { who: who(m.by), at: fmtTime(m.since, tz) }) }),
      h("p.muted.small", { text: t("consent.pausedHelp") }),
    );
  if (!hh.consent)
    return h("p.muted.small", { "data-testid": "consent-unrecorded", text: t("consent.unrecorded") });
  return null;
}

/**
 * Withdraw consent (behind a dialog that says what stops and what stays) or give it again.
 * @param {any} hh @param {() => void} changed called after the change is saved
 */
export function consentSection(hh, changed) {
  const url = `/api/households/${seg(hh.id)}`;
  const paused = hh.monitoring?.paused === true;
  const give = button("consent.give", {
    class: "primary",
    "data-testid": "consent-give",
    onclick: async () => {
      const ok = await act(give, () => patch(url, { consent: true }), t("consent.given"));
      if (ok) changed();
    },
  });
  const withdraw = button("consent.withdraw", {
    class: "danger",
    "data-testid": "consent-withdraw",
    onclick: () => confirmWithdraw(url, changed),
  });
  return section(
    "consent.title",
    h("p", {
      "data-testid": "consent-state",
      text: paused
        ? t("consent.stateWithdrawn")
        : hh.consent
          ? t("consent.stateGiven")
          : t("consent.unrecorded"),
    }),
    paused || !hh.consent ? give : withdraw,
  );
}

/** The confirmation: what withdrawing does, Cancel or Withdraw. @param {string} url @param {() => void} changed */
export function confirmWithdraw(url, changed) {
  const yes = button("consent.withdrawConfirm", {
    class: "danger",
    type: "submit",
    "data-testid": "consent-withdraw-confirm",
  });
  /** @type {HTMLDialogElement} */
  const dialog = /** @type {any} */ (
    h(
      "dialog.card.narrow",
      { "data-testid": "consent-dialog", "aria-labelledby": "consent-title", onclose: () => dialog.remove() },
      h(
        "form",
        {
          method: "dialog",
          onsubmit: async (/** @type {SubmitEvent} */ e) => {
            e.preventDefault();
            const ok = await act(yes, () => patch(url, { consent: false }));
            if (!ok) return;
            dialog.close();
            toast(t("consent.withdrawn"));
            changed();
          },
        },
        h("h2#consent-title", { text: t("consent.withdrawTitle") }),
        h(
          "ul",
          null,
          h("li", { text: t("consent.effectDevices") }),
          h("li", { text: t("consent.effectAlerts") }),
          h("li", { text: t("consent.effectData") }),
          h("li", { text: t("consent.effectResume") }),
        ),
        h(
          "div.row",
          null,
          button("common.cancel", { "data-testid": "consent-cancel", onclick: () => dialog.close() }),
          yes,
        ),
      ),
    )
  );
  document.body.append(dialog);
  try {
    dialog.showModal();
  } catch (err) {
    showError(err);
  }
}
