import { html } from 'hono/html';
import type { DashboardSettings } from './dashboard-settings.ts';

/** `604800` → `7 d`, `5400` → `90 min`: the window as an operator thinks of it. */
export function describeSeconds(seconds: number): string {
  const units: readonly [number, string][] = [
    [86_400, 'd'],
    [3_600, 'h'],
    [60, 'min'],
  ];
  for (const [size, unit] of units) if (seconds >= size && seconds % size === 0) return `${seconds / size} ${unit}`;
  return `${seconds} s`;
}

/** A figure the page's script keeps up to date; `testId` names it for the browser tests. */
function tile(label: string, testId: string, hint = '') {
  return html`<div class="tile" title="${hint}">
    <span class="label">${label}</span><span class="value" data-testid="${testId}">–</span>
  </div>`;
}

/**
 * `GET /dashboard`: the page's frame and the settings in force; every live figure is filled in by
 * assets/dashboard.js from `/dashboard/stream`. No inline script or style (the page is served
 * under a Content-Security-Policy of `'self'` only) and nothing from another host: it works offline.
 * Paths are relative, so the page also works behind a proxy that mounts the gateway under a prefix.
 */
export function dashboardPage(settings: DashboardSettings) {
  return html`<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>ddup dashboard</title>
  <link rel="icon" href="dashboard/assets/favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="dashboard/assets/uPlot.min.css">
  <link rel="stylesheet" href="dashboard/assets/dashboard.css">
  <script src="dashboard/assets/uPlot.iife.min.js" defer></script>
  <script src="dashboard/assets/dashboard.js" defer></script>
</head>
<body>
<header>
  <h1>ddup</h1>
  <span id="connection" class="badge" data-testid="connection">connecting…</span>
  <span id="store-status" class="badge" data-testid="store-status" hidden></span>
  <time id="updated" data-testid="updated"></time>
</header>
<main>
  <section aria-labelledby="admissions-title">
    <h2 id="admissions-title">Admissions <small>since this gateway started</small></h2>
    <div class="tiles">
      ${tile('accepted', 'accepted', '202: new events handed to the stream')}
      ${tile('duplicate', 'duplicate', '409: seen within the window')}
      ${tile('invalid', 'invalid', '400/422: malformed JSON or schema violation')}
      ${tile('unavailable', 'unavailable', '503: Redis away or the gateway overloaded')}
      ${tile('rejected', 'rejected', '401/403/413/429: not looked at')}
      ${tile('duplicate ratio', 'duplicate-ratio', 'duplicates among accepted + duplicate')}
      ${tile('p50 latency', 'p50', 'event routes, last minute')}
      ${tile('p99 latency', 'p99', 'event routes, last minute')}
    </div>
    <div class="charts">
      <figure><figcaption>events per second by outcome</figcaption><div id="chart-rates" class="chart"></div></figure>
      <figure><figcaption>duplicate ratio (%)</figcaption><div id="chart-ratio" class="chart"></div></figure>
      <figure><figcaption>latency, last minute (ms)</figcaption><div id="chart-latency" class="chart"></div></figure>
    </div>
  </section>

  <div class="row">
    <section aria-labelledby="streams-title">
      <h2 id="streams-title">Streams <small>group ddup-workers</small></h2>
      <p id="store-error" class="alert" role="alert" data-testid="store-error" hidden></p>
      <div class="tiles">
        ${tile('stream length', 'length', 'entries in the streams (acknowledged ones stay until trimmed)')}
        ${tile('pending', 'pending', 'delivered to a consumer, not confirmed yet')}
        ${tile('lag', 'lag', 'not delivered to any consumer yet')}
        ${tile('oldest pending', 'oldest-pending', 'age of the oldest unconfirmed delivered entry')}
        ${tile('dead letters', 'dead-letters', 'entries in the dead-letter streams')}
        ${tile('consumers', 'consumers', 'consumers in the group (a consumer reads every shard)')}
      </div>
      <table id="shards" data-testid="shards">
        <thead><tr><th>shard</th><th>stream</th><th>length</th><th>pending</th><th>lag</th><th>oldest pending</th><th>dead letters</th><th>consumers</th></tr></thead>
        <tbody></tbody>
      </table>
    </section>
    <section aria-labelledby="consumers-title">
      <h2 id="consumers-title">Consumers</h2>
      <table id="consumers" data-testid="consumer-table">
        <thead><tr><th>consumer</th><th>shards</th><th>pending</th><th>idle</th></tr></thead>
        <tbody></tbody>
      </table>
    </section>
  </div>

  <div class="row">
    <section aria-labelledby="dead-title">
      <h2 id="dead-title">Dead letters</h2>
      <p id="admin-off" data-testid="admin-off" hidden>The admin routes are off on this gateway (set <code>DDUP_ADMIN_TOKEN</code> to list and replay dead letters here).</p>
      <form id="admin-form" hidden>
        <label>Admin token <input id="admin-token" type="password" autocomplete="off" spellcheck="false" data-testid="admin-token"></label>
        <button type="submit" data-testid="admin-load">Show dead letters</button>
        <button type="button" id="admin-forget">Forget token</button>
        <span id="admin-message" role="status" data-testid="admin-message"></span>
      </form>
      <table id="letters" data-testid="letters" hidden>
        <thead><tr><th>shard</th><th>id</th><th>reason</th><th>deliveries</th><th>event</th><th></th></tr></thead>
        <tbody></tbody>
      </table>
    </section>
    <section aria-labelledby="redis-title">
      <h2 id="redis-title">Redis</h2>
      <dl>
        <dt>used memory</dt><dd data-testid="used-memory">–</dd>
        <dt>remembered events</dt><dd data-testid="remembered-events">–</dd>
        <dt>memory per remembered event</dt><dd data-testid="bytes-per-event" title="all of Redis's used memory, streams included, over the events the index remembers">–</dd>
      </dl>
      <h2 id="settings-title">Settings in force</h2>
      <dl aria-labelledby="settings-title">
        <dt>dedup window</dt><dd data-testid="setting-window">${describeSeconds(settings.windowSeconds)}</dd>
        <dt>stream shards</dt><dd data-testid="setting-shards">${settings.streamShards}</dd>
        <dt>canonical form</dt><dd data-testid="setting-form">${settings.canonicalForm}</dd>
        <dt>index capacity</dt><dd data-testid="setting-capacity">${settings.indexCapacity.toLocaleString('en-US')}</dd>
        <dt>durability</dt><dd data-testid="setting-durability">${settings.durability}</dd>
      </dl>
    </section>
  </div>
</main>
</body>
</html>`;
}
