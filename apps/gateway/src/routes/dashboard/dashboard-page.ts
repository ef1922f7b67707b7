import { html, raw } from 'hono/html';
import type { DashboardMessage } from './dashboard-message.ts';
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

/** A figure the page's script keeps up to date; `testId` names it for the browser tests; `now` is its text when the page is made. */
function tile(label: string, testId: string, hint = '', now = '–') {
  return html`<div class="tile" title="${hint}">
    <span class="label">${label}</span><span class="value" data-testid="${testId}">${now}</span>
  </div>`;
}

const integers = new Intl.NumberFormat('en-US');

/**
 * The figures as the page is made, for the script to draw at once (before the stream's first
 * message), in a JSON block: data, never run, so the Content-Security-Policy allows it. `<` is
 * escaped, so no value can close the element.
 */
function initialFigures(message: DashboardMessage | undefined) {
  if (message === undefined) return '';
  return raw(`<script type="application/json" id="initial-figures">${JSON.stringify(message).replaceAll('<', '\\u003c')}</script>`);
}

/**
 * `GET /dashboard`: the page's frame, the settings in force and the figures as they are now (the
 * admission counts written in, everything else drawn by the script from the same message at once,
 * so the page is never blank); then assets/dashboard.js keeps every figure up to date from
 * `/dashboard/stream`. No inline script or style (the page is served
 * under a Content-Security-Policy of `'self'` only) and nothing from another host: it works offline.
 * Paths are relative, so the page also works behind a proxy that mounts the gateway under a prefix.
 */
export function dashboardPage(settings: DashboardSettings, initial?: DashboardMessage) {
  const events = initial?.figures.events;
  const counted = (outcome: keyof NonNullable<typeof events>) => (events === undefined ? '–' : integers.format(events[outcome]));
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
      ${tile('accepted', 'accepted', '202: new events handed to the stream', counted('accepted'))}
      ${tile('duplicate', 'duplicate', '409: seen within the window', counted('duplicate'))}
      ${tile('invalid', 'invalid', '400/422: malformed JSON or schema violation', counted('invalid'))}
      ${tile('unavailable', 'unavailable', '503: Redis away or the gateway overloaded', counted('unavailable'))}
      ${tile('rejected', 'rejected', '401/403/413/429: not looked at', counted('rejected'))}
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
    <section aria-labelledby="sinks-title" id="sinks-section" hidden>
      <h2 id="sinks-title">Sinks</h2>
      <table id="sinks" data-testid="sink-table">
        <thead><tr><th>sink</th><th>lag</th><th>pending</th><th>dead letters</th></tr></thead>
        <tbody></tbody>
      </table>
    </section>
  </div>

  <div class="row">
    <section aria-labelledby="dead-title">
      <h2 id="dead-title">Dead letters and lookups <small>admin token</small></h2>
      <p id="admin-off" data-testid="admin-off" hidden>The admin routes are off on this gateway (set <code>DDUP_ADMIN_TOKEN</code> to list and replay dead letters here).</p>
      <form id="admin-form" hidden>
        <label>Admin token <input id="admin-token" type="password" autocomplete="off" spellcheck="false" data-testid="admin-token"></label>
        <button type="submit" data-testid="admin-load">Show dead letters</button>
        <button type="button" id="admin-forget">Forget token</button>
        <span id="admin-message" role="status" data-testid="admin-message"></span>
      </form>
      <form id="lookup-form" hidden>
        <label>Look up an event <input id="lookup-hash" data-testid="lookup-hash" placeholder="hash (64 hex digits)" autocomplete="off" spellcheck="false" size="40"></label>
        <label>tenant <input id="lookup-tenant" data-testid="lookup-tenant" placeholder="with TENANTS_FILE" autocomplete="off" spellcheck="false" size="12"></label>
        <button type="submit" data-testid="lookup-submit">Look up</button>
        <output id="lookup-result" data-testid="lookup-result"></output>
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
        <dt>Redis memory ÷ remembered events</dt><dd data-testid="bytes-per-event" title="all of Redis's used memory (streams, dead letters and Redis's own included) over the events the index remembers: an upper bound, not the index's cost (about 19 B an event when the index is full; see the README)">–</dd>
      </dl>
      <h2 id="settings-title">Settings in force</h2>
      <dl aria-labelledby="settings-title">
        <dt>dedup window</dt><dd data-testid="setting-window">${describeSeconds(settings.windowSeconds)}</dd>
        <dt>stream shards</dt><dd data-testid="setting-shards">${settings.streamShards}</dd>
        <dt>canonical form</dt><dd data-testid="setting-form">${settings.canonicalForm}</dd>
        <dt>index capacity</dt><dd data-testid="setting-capacity">${settings.indexCapacity.toLocaleString('en-US')}</dd>
        <dt>durability</dt><dd data-testid="setting-durability">${settings.durability}</dd>
      </dl>
      <table id="tenants" data-testid="tenants" hidden>
        <caption>tenants (TENANTS_FILE)</caption>
        <thead><tr><th>tenant</th><th>window</th><th>form</th><th>key</th><th>rate limit</th><th>rejected</th></tr></thead>
        <tbody></tbody>
      </table>
    </section>
  </div>
</main>
${initialFigures(initial)}
</body>
</html>`;
}
