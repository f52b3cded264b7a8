/**
 * The page's files: its HTML shell (made per request, for its base path), its stylesheet, and
 * its script, compiled for the browser at package build time (`dist/dashboard-client/`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DASHBOARD_CSS } from './styles';

const CLIENT = join('dashboard-client', 'client');
/** The page's script modules (the page loads `dashboard.js`, which imports the others). */
export const SCRIPT_FILES: readonly string[] = ['dashboard.js', 'dom.js', 'model.js', 'views.js'];

const scripts = new Map<string, string>();

/**
 * One of the page's script modules, or undefined for a name that is none of them. Looked for
 * beside the package's build, and, when the package runs from its sources (its own tests), in its
 * `dist/`.
 *
 * @throws Error naming the build to run when it was never built.
 */
export function dashboardScript(name: string): string | undefined {
  if (!SCRIPT_FILES.includes(name)) return undefined;
  const cached = scripts.get(name);
  if (cached !== undefined) return cached;
  const places = [join(__dirname, '..', '..', CLIENT, name), join(__dirname, '..', '..', '..', 'dist', CLIENT, name)];
  const found = places.find((place) => existsSync(place));
  if (!found) throw new Error(`The dashboard's page script is missing (looked in ${places.join(', ')}): build the package with "npm run build".`);
  const text = readFileSync(found, 'utf8');
  scripts.set(name, text);
  return text;
}

/** The stylesheet. */
export function dashboardStyles(): string {
  return DASHBOARD_CSS;
}

/**
 * The HTML shell for a page served at `base` (its path as the browser asked for it).
 *
 * @example
 * dashboardHtml('/docket');
 */
export function dashboardHtml(base: string): string {
  const b = escapeHtml(base);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>docket</title>
<link rel="stylesheet" href="${b}/assets/dashboard.css">
</head>
<body data-base="${b}">
<header class="top"><h1>docket</h1><nav id="nav"></nav><span id="connection" class="connection">connecting…</span></header>
<main id="app"><p class="empty">Loading…</p></main>
<script type="module" src="${b}/assets/dashboard.js"></script>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
