/** A Redis URL fit to print: its passwords masked. */

/**
 * `url` with its passwords masked, in whatever form they are written: everything between the
 * user's colon and the last `@` of the URL, and `password` / `sentinelPassword` parameters. Works
 * on the URL as given (raw or percent-encoded), so no encoding can let a password through, and on
 * a URL too malformed to parse.
 *
 * @example
 * maskPassword('redis://app:s^cr{t@cache:6379/0'); // 'redis://app:***@cache:6379/0'
 */
export function maskPassword(url: string): string {
  let masked = url.replace(/([?&](?:sentinel)?password=)[^&#]*/gi, '$1***');
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(masked);
  const start = scheme ? scheme[0].length : 0;
  const at = masked.lastIndexOf('@');
  if (at >= start) {
    const colon = masked.indexOf(':', start);
    masked = colon >= 0 && colon < at ? `${masked.slice(0, colon + 1)}***${masked.slice(at)}` : masked;
  }
  return masked;
}
