/** The dashboard's stylesheet: plain CSS, light and dark by the system's choice. */
export const DASHBOARD_CSS = `
:root { --bg: #fff; --fg: #1d2026; --muted: #667085; --line: #e4e7ec; --panel: #f8f9fb; --accent: #3b63d9;
  --ok: #1a7f4b; --bad: #c4320a; --warn: #b54708; --bar: #dfe6fb; font: 14px/1.45 system-ui, sans-serif; }
@media (prefers-color-scheme: dark) { :root { --bg: #111318; --fg: #e6e8ec; --muted: #98a2b3; --line: #2a2f3a;
  --panel: #181b22; --accent: #7d9bff; --ok: #4fc48a; --bad: #ff7a59; --warn: #f5b042; --bar: #26304d; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); }
.top { display: flex; align-items: center; gap: 1.5rem; padding: .6rem 1.2rem; border-bottom: 1px solid var(--line); }
.top h1 { font-size: 1.1rem; margin: 0; }
nav a { color: var(--muted); text-decoration: none; margin-right: 1rem; }
nav a.active { color: var(--fg); font-weight: 600; }
.connection { margin-left: auto; color: var(--muted); font-size: .85rem; }
.connection.live { color: var(--ok); }
.connection.lost { color: var(--bad); }
main { padding: 1rem 1.2rem; }
section { margin-bottom: 1.6rem; }
h2 { font-size: 1rem; margin: 0 0 .5rem; }
h2 .count { color: var(--muted); font-weight: 400; }
.cards { display: flex; flex-wrap: wrap; gap: .8rem; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: .6rem .9rem; min-width: 8rem; }
.card .n { font-size: 1.5rem; font-weight: 600; }
.card .l { color: var(--muted); font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; }
table { border-collapse: collapse; width: 100%; }
table.fixed { table-layout: fixed; }
table.fixed td { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
table.fixed tbody tr { height: 30px; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 500; font-size: .8rem; }
td.call, td.key { font-family: ui-monospace, monospace; font-size: .85rem; word-break: break-all; }
a { color: var(--accent); }
.bar { position: relative; height: 1.1rem; background: var(--bar); border-radius: 3px; overflow: hidden; contain: strict; }
.bar > span { white-space: nowrap; }
.bar > i { position: absolute; inset: 0 auto 0 0; background: var(--accent); opacity: .75; }
.bar > span { position: relative; padding: 0 .4rem; font-size: .75rem; line-height: 1.1rem; }
.state-completed { color: var(--ok); } .state-failed { color: var(--bad); } .state-cancelled { color: var(--muted); }
.state-running { color: var(--accent); } .state-scheduled, .state-queued { color: var(--warn); }
.error { color: var(--bad); }
.muted { color: var(--muted); }
.empty { color: var(--muted); font-style: italic; }
.spark { display: flex; align-items: flex-end; gap: 2px; height: 2.4rem; }
.spark > i { width: 6px; background: var(--accent); opacity: .7; }
.spark > i.failed { background: var(--bad); }
button { font: inherit; padding: .15rem .6rem; border: 1px solid var(--line); border-radius: 4px; background: var(--panel); color: var(--fg); cursor: pointer; }
button:hover { border-color: var(--accent); }
pre { background: var(--panel); border: 1px solid var(--line); padding: .6rem; overflow: auto; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dt { color: var(--muted); }
dd { margin: 0; }
.notice { padding: .5rem .8rem; border: 1px solid var(--warn); border-radius: 4px; margin: 0 0 1rem; }
`;
