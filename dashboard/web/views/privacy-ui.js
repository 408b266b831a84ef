import { ApiError, post, seg } from "../api.js";
import { button, field, h, section, toast } from "../dom.js";
import { act, showError } from "../errors.js";
import { t } from "../i18n.js";

/**
 * Personal-data rights over one home (docs/privacy.md): "Export data" downloads everything held about it
 * (operators; the family member who registered the resident), and, for operators only, "Erase all data"
 * behind a dialog that says it cannot be undone and asks for the household id typed out.
 * @param {string} householdId
 * @param {{ erase: boolean, go?: (hash: string) => void }} opts
 */
export function privacySection(householdId, opts) {
  const exportBtn = button("privacy.export", { "data-testid": "privacy-export" });
  exportBtn.addEventListener("click", () =>
    act(/** @type {HTMLButtonElement} */ (exportBtn), () => download(householdId), t("privacy.exported")),
  );
  const go = opts.go;
  return section(
    "privacy.title",
    h("p.muted.small", { text: t("privacy.help") }),
    h(
      "div.row",
      null,
      exportBtn,
      opts.erase && go
        ? button("privacy.erase", {
            class: "danger",
            "data-testid": "privacy-erase-open",
            onclick: () => eraseDialog(householdId, go),
          })
        : null,
    ),
  );
}

/** GET …/export as a file: the browser saves it under the name the service gives. @param {string} id */
async function download(id) {
  const res = await fetch(`/api/households/${seg(id)}/export`, {
    headers: { accept: "application/json" },
    credentials: "same-origin",
  });
  if (!res.ok) {
    const data = await res.json().catch(() => null);
    throw new ApiError(res.status, data?.error?.code ?? "JINLIN_ERR_INTERNAL", res.statusText);
  }
  const name = /filename="([^"]+)"/.exec(res.headers.get("content-disposition") ?? "")?.[1];
  const url = URL.createObjectURL(await res.blob());
  const a = h("a", { href: url, download: name ?? `jinlin-${id}.json`, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  // The download has started once click() returns; the object URL is no longer needed after that turn.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The irreversible erase, confirmed by typing the id. @param {string} id @param {(hash: string) => void} go */
function eraseDialog(id, go) {
  const input = /** @type {HTMLInputElement} */ (
    h("input", {
      name: "confirm",
      autocomplete: "off",
      spellcheck: "false",
      "data-testid": "privacy-confirm",
    })
  );
  const confirmBtn = /** @type {HTMLButtonElement} */ (
    h("button.danger", {
      type: "submit",
      disabled: true,
      "data-testid": "privacy-erase",
      text: t("privacy.eraseConfirm"),
    })
  );
  input.addEventListener("input", () => {
    confirmBtn.disabled = input.value.trim() !== id;
  });
  /** @type {HTMLDialogElement} */
  const dialog = /** @type {any} */ (
    h(
      "dialog.card.narrow",
      {
        "data-testid": "privacy-erase-dialog",
        "aria-labelledby": "erase-title",
        // Closed by Cancel, Escape or a finished erase: it is built afresh each time.
        onclose: () => dialog.remove(),
      },
      h(
        "form",
        {
          method: "dialog",
          onsubmit: async (/** @type {SubmitEvent} */ e) => {
            e.preventDefault();
            if (input.value.trim() !== id) return;
            /** @type {any} */
            let result = null;
            const ok = await act(confirmBtn, async () => {
              result = await post(`/api/households/${seg(id)}/erase`, { confirm: input.value.trim() });
            });
            if (!ok || !result) return;
            dialog.close();
            go("#/homes");
            toast(t("privacy.erased", { id }));
          },
        },
        h("h2#erase-title", { text: t("privacy.eraseTitle") }),
        h("p.warn", { text: t("privacy.eraseWarning") }),
        h("p", null, t("privacy.eraseType"), " ", h("code", { text: id })),
        field("privacy.eraseLabel", input),
        h(
          "div.row",
          null,
          button("common.cancel", {
            "data-testid": "privacy-erase-cancel",
            onclick: () => dialog.close(),
          }),
          confirmBtn,
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
  input.focus();
}
