const EMAIL = /[^\s<>"'(),;:@]+@[^\s<>"'(),;:@]+\.[^\s<>"'(),;:@]+/g;
const QUERY = /(https?:\/\/[^\s?#"'<>]+)\?[^\s"'<>]*/g;

/**
 * Error text made fit for a log line: SMTP servers quote the refused address, and gateway URLs
 * (DingTalk, WeCom robots) carry their access token in the query string.
 */
export function scrub(text: string, max = 300): string {
  const clean = text.replace(EMAIL, "[address]").replace(QUERY, "$1?[query]");
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

export function errorText(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : "";
    return `${err.message}${cause}`;
  }
  return String(err);
}
