import type { Language, Notification } from "../types.js";
import { type Content, type Phrasebook, type Rendered, toHtml, toText } from "./content.js";
import { en } from "./en.js";
import { zhCN } from "./zh-cn.js";

const BOOKS: Record<Language, Phrasebook> = { "zh-CN": zhCN, en };

function content(book: Phrasebook, n: Notification): Content {
  switch (n.template) {
    case "alert_raised":
      return book.alert_raised(n);
    case "alert_escalated":
      return book.alert_escalated(n);
    case "alert_reminder":
      return book.alert_reminder(n);
    case "alert_acknowledged":
      return book.alert_acknowledged(n);
    case "alert_resolved":
      return book.alert_resolved(n);
    case "alert_cleared":
      return book.alert_cleared(n);
    case "alert_absence_recorded":
      return book.alert_absence_recorded(n);
    case "device_silent":
      return book.device_silent(n);
    case "daily_summary":
      return book.daily_summary(n);
    case "resident_checkin":
      return book.resident_checkin(n);
  }
}

/** Subject, plain text and HTML of a notification, in the recipient's language. */
export function renderNotification(n: Notification): Rendered {
  const c = content(BOOKS[n.language], n);
  return { subject: c.subject, text: toText(c, n.language), html: toHtml(c, n.language) };
}
