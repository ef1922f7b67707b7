// The dashboard's script (plain browser JavaScript, served as it is: no build step). It fills the
// page from the server-sent `figures` messages of dashboard/stream, draws the charts with uPlot,
// and lists and replays dead letters through the admin API with the token the operator types in.
// Everything it writes goes in as text (textContent), never as HTML.

(() => {
  const HISTORY_MS = 10 * 60 * 1000;
  const TOKEN_KEY = 'ddup-admin-token';
  const OUTCOMES = ['accepted', 'duplicate', 'invalid', 'unavailable', 'rejected'];
  const COLORS = { accepted: '#2e7d32', duplicate: '#ef6c00', invalid: '#6a1b9a', unavailable: '#c62828', rejected: '#546e7a' };

  const integers = new Intl.NumberFormat('en-US');
  const byTestId = (id) => document.querySelector(`[data-testid="${id}"]`);
  const setText = (testId, text) => {
    const element = byTestId(testId);
    if (element) element.textContent = text;
  };

  const count = (n) => (n === null || n === undefined ? '?' : integers.format(n));
  const ratio = (r) => (r === null ? '–' : `${(r * 100).toFixed(1)} %`);
  const millis = (ms) => {
    if (ms === null) return '–';
    if (ms < 1) return `${ms.toFixed(2)} ms`;
    if (ms < 10) return `${ms.toFixed(1)} ms`;
    return `${integers.format(Math.round(ms))} ms`;
  };
  const age = (ms) => {
    if (ms === null) return '–';
    if (ms < 1000) return `${Math.round(ms)} ms`;
    if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
    if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
    return `${(ms / 3_600_000).toFixed(1)} h`;
  };
  const bytes = (n) => {
    if (n === null) return '–';
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let value = n;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
  };

  /** A table row of text cells (and, optionally, elements). */
  const row = (cells) => {
    const tr = document.createElement('tr');
    for (const cell of cells) {
      const td = document.createElement('td');
      if (cell instanceof Node) td.append(cell);
      else td.textContent = cell;
      tr.append(td);
    }
    return tr;
  };

  // ---- charts -------------------------------------------------------------------------------

  // Column arrays as uPlot takes them: x in Unix seconds, then one array per series.
  const history = { x: [], ratio: [], p50: [], p99: [], ...Object.fromEntries(OUTCOMES.map((o) => [o, []])) };
  let lastPointMs = 0;
  let charts;

  function addPoints(points) {
    for (const point of points) {
      // A reconnect sends the whole history again: keep only what is new.
      if (point.at_ms <= lastPointMs) continue;
      lastPointMs = point.at_ms;
      history.x.push(point.at_ms / 1000);
      for (const outcome of OUTCOMES) history[outcome].push(point.per_second[outcome]);
      history.ratio.push(point.duplicate_ratio === null ? null : point.duplicate_ratio * 100);
      history.p50.push(point.latency_ms === null ? null : point.latency_ms.p50);
      history.p99.push(point.latency_ms === null ? null : point.latency_ms.p99);
    }
    const oldest = lastPointMs / 1000 - HISTORY_MS / 1000;
    let drop = 0;
    while (drop < history.x.length && history.x[drop] < oldest) drop++;
    if (drop > 0) for (const column of Object.values(history)) column.splice(0, drop);
  }

  /** The indices of a series' values that have no value on either side (uPlot's points.filter). */
  function isolatedPoints(u, seriesIdx) {
    const values = u.data[seriesIdx];
    const isolated = [];
    for (let i = 0; i < values.length; i++) {
      const here = values[i] !== null && values[i] !== undefined;
      const before = i > 0 && values[i - 1] !== null && values[i - 1] !== undefined;
      const after = i + 1 < values.length && values[i + 1] !== null && values[i + 1] !== undefined;
      if (here && !before && !after) isolated.push(i);
    }
    return isolated;
  }

  function chartSize(element) {
    return { width: Math.max(240, element.clientWidth), height: 150 };
  }

  function makeChart(id, series, data) {
    const element = document.getElementById(id);
    const options = {
      ...chartSize(element),
      scales: { x: { time: true }, y: { range: (_u, min, max) => [0, Math.max(max, min + 1)] } },
      // Lines join neighbouring values only: a value with a gap on both sides is drawn as a dot.
      series: [{}, ...series.map(([label, stroke]) => ({ label, stroke, width: 2, spanGaps: false, points: { show: true, size: 6, filter: isolatedPoints } }))],
      axes: [{}, { size: 50 }],
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
    };
    return { element, plot: new window.uPlot(options, data(), element), data };
  }

  function drawCharts() {
    if (typeof window.uPlot !== 'function') return;
    if (charts === undefined) {
      charts = [
        makeChart(
          'chart-rates',
          OUTCOMES.map((o) => [o, COLORS[o]]),
          () => [history.x, ...OUTCOMES.map((o) => history[o])],
        ),
        makeChart('chart-ratio', [['duplicates %', COLORS.duplicate]], () => [history.x, history.ratio]),
        makeChart(
          'chart-latency',
          [
            ['p50', '#1565c0'],
            ['p99', '#ad1457'],
          ],
          () => [history.x, history.p50, history.p99],
        ),
      ];
      window.addEventListener('resize', () => {
        for (const chart of charts) chart.plot.setSize(chartSize(chart.element));
      });
      return;
    }
    for (const chart of charts) chart.plot.setData(chart.data());
  }

  // ---- figures ------------------------------------------------------------------------------

  const STORE_TILES = ['length', 'pending', 'lag', 'oldest-pending', 'dead-letters', 'consumers', 'used-memory', 'remembered-events', 'bytes-per-event'];

  function renderStore(store, error) {
    const status = byTestId('store-status');
    const alert = byTestId('store-error');
    alert.hidden = error === null;
    alert.textContent = error === null ? '' : `Redis did not answer: ${error}. The figures below come back when it does.`;
    status.hidden = store !== null;
    status.textContent = error !== null ? 'Redis unavailable' : 'no store figures on this gateway';
    status.className = error !== null ? 'badge bad' : 'badge';
    const shardRows = [];
    const consumerRows = [];
    if (store === null) {
      for (const id of STORE_TILES) setText(id, '–');
    } else {
      const { totals } = store;
      setText('length', count(totals.length));
      setText('pending', count(totals.pending));
      setText('lag', count(totals.lag));
      setText('oldest-pending', age(totals.oldest_pending_age_ms));
      setText('dead-letters', count(totals.dead_letters));
      setText('consumers', count(totals.consumers));
      setText(
        'used-memory',
        store.used_memory_bytes.length > 1
          ? `${bytes(store.used_memory_total_bytes)} over ${store.used_memory_bytes.length} masters`
          : bytes(store.used_memory_total_bytes),
      );
      setText('remembered-events', `≈ ${count(store.remembered_events)}`);
      setText('bytes-per-event', store.bytes_per_remembered_event === null ? '–' : `${integers.format(Math.round(store.bytes_per_remembered_event))} B`);
      for (const shard of store.shards) {
        const tr = row([
          String(shard.shard),
          shard.stream,
          count(shard.length),
          count(shard.pending),
          count(shard.lag),
          age(shard.oldest_pending_age_ms),
          count(shard.dead_letters),
          String(shard.consumers.length),
        ]);
        tr.dataset.shard = String(shard.shard);
        shardRows.push(tr);
      }
      for (const consumer of store.consumers) {
        const shards = consumer.shards.length === store.shards.length ? `all ${store.shards.length}` : consumer.shards.join(', ');
        consumerRows.push(row([consumer.name, shards, count(consumer.pending), age(consumer.idle_ms)]));
      }
      if (consumerRows.length === 0) consumerRows.push(row(['no consumer in the group', '', '', '']));
    }
    document.querySelector('#shards tbody').replaceChildren(...shardRows);
    document.querySelector('#consumers tbody').replaceChildren(...consumerRows);
    // Sinks (SINKS_FILE): a row each once a consumer has started them; the section stays hidden without.
    const sinks = store === null ? [] : (store.sinks ?? []);
    document.getElementById('sinks-section').hidden = sinks.length === 0;
    document
      .querySelector('#sinks tbody')
      .replaceChildren(...sinks.map((sink) => row([sink.id, count(sink.lag), count(sink.pending), count(sink.dead_letters)])));
  }

  /** `604800` → `7 d`, as the page's settings say it (dashboard-page.ts, describeSeconds). */
  const windowText = (seconds) => {
    for (const [size, unit] of [
      [86_400, 'd'],
      [3_600, 'h'],
      [60, 'min'],
    ]) {
      if (seconds >= size && seconds % size === 0) return `${seconds / size} ${unit}`;
    }
    return `${seconds} s`;
  };

  function renderTenants(tenants) {
    const table = document.getElementById('tenants');
    table.hidden = tenants.length === 0;
    const rows = tenants.map((tenant) => {
      const key = tenant.key_fields === null ? 'whole event' : tenant.key_fields.join(', ');
      const limit = tenant.rate_limit_per_second === null ? '–' : `${integers.format(tenant.rate_limit_per_second)}/s`;
      const tr = row([
        tenant.id,
        `${windowText(tenant.window_seconds)}${tenant.refresh_on_duplicate ? ' (sliding)' : ''}`,
        tenant.canonical_form,
        key,
        limit,
        count(tenant.rejected),
      ]);
      tr.dataset.tenant = tenant.id;
      return tr;
    });
    table.querySelector('tbody').replaceChildren(...rows);
  }

  let deadLetterTotal;

  function render(message) {
    const { events, duplicate_ratio, latency_ms } = message.figures;
    for (const outcome of OUTCOMES) setText(outcome, count(events[outcome]));
    setText('duplicate-ratio', ratio(duplicate_ratio));
    setText('p50', latency_ms === null ? '–' : millis(latency_ms.p50));
    setText('p99', latency_ms === null ? '–' : millis(latency_ms.p99));
    const updated = byTestId('updated');
    updated.dateTime = message.time;
    updated.textContent = `updated ${new Date(message.time).toLocaleTimeString()}`;
    renderStore(message.store, message.store_error);
    renderTenants(message.tenants);
    renderAdmin(message.admin_enabled);
    addPoints(message.rates);
    drawCharts();
    const total = message.store === null ? undefined : message.store.totals.dead_letters;
    if (total !== undefined && deadLetterTotal !== undefined && total !== deadLetterTotal && storedToken() !== null) void loadLetters();
    if (total !== undefined) deadLetterTotal = total;
  }

  // ---- dead letters (admin) -----------------------------------------------------------------

  // The token lives in this tab's sessionStorage only: never in the URL, never sent anywhere but
  // the admin API of this same gateway.
  const storedToken = () => sessionStorage.getItem(TOKEN_KEY);
  const adminMessage = (text) => setText('admin-message', text);
  let adminShown;

  function renderAdmin(enabled) {
    if (enabled === adminShown) return;
    adminShown = enabled;
    byTestId('admin-off').hidden = enabled;
    document.getElementById('admin-form').hidden = !enabled;
    document.getElementById('lookup-form').hidden = !enabled;
    if (!enabled) document.getElementById('letters').hidden = true;
    else if (storedToken() !== null) void loadLetters();
  }

  async function adminFetch(path, init = {}) {
    const token = storedToken();
    if (token === null) throw new Error('type the admin token first');
    const response = await fetch(path, { ...init, cache: 'no-store', headers: { ...init.headers, authorization: `Bearer ${token}` } });
    if (response.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      throw new Error('the token was refused');
    }
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(typeof body.detail === 'string' ? body.detail : `HTTP ${response.status}`);
    return body;
  }

  /** Lists the dead letters; `note` (what was just done) goes before the count. */
  async function loadLetters(note = '') {
    const table = document.getElementById('letters');
    try {
      const body = await adminFetch('admin/dead-letters?limit=100');
      const rows = body.dead_letters.map((letter) => {
        const event = document.createElement('code');
        const text = letter.event ?? '';
        event.textContent = text.length > 160 ? `${text.slice(0, 160)}…` : text;
        event.title = text;
        const replay = document.createElement('button');
        replay.type = 'button';
        replay.textContent = 'Replay';
        replay.dataset.testid = 'replay';
        replay.title = 'put it back on its events stream';
        replay.addEventListener('click', () => void replayLetter(letter, replay));
        const tr = row([String(letter.shard), letter.id, letter.reason ?? '', count(letter.deliveries), event, replay]);
        tr.dataset.id = letter.id;
        tr.dataset.shard = String(letter.shard);
        return tr;
      });
      if (rows.length === 0) rows.push(row(['', '', 'no dead letters', '', '', '']));
      table.querySelector('tbody').replaceChildren(...rows);
      table.hidden = false;
      adminMessage(note === '' ? `${body.count} shown` : `${note} · ${body.count} shown`);
    } catch (error) {
      table.hidden = true;
      adminMessage(error.message);
    }
  }

  async function replayLetter(letter, button) {
    button.disabled = true;
    let note;
    try {
      // Always a list: a replay request without ids would replay every dead letter. Entry ids are
      // per shard stream, so the shard is named too.
      const body = await adminFetch('admin/dead-letters/replay', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ids: [letter.id], shard: letter.shard }),
      });
      note = body.replayed === 0 ? `${letter.id} was not replayed (already gone?)` : `replayed ${letter.id}`;
    } catch (error) {
      note = error.message;
    }
    await loadLetters(note);
  }

  /** What the index remembers of one event (GET admin/events/{hash}), as one line. */
  async function lookUp() {
    const hash = document.getElementById('lookup-hash').value.trim().toLowerCase();
    const tenant = document.getElementById('lookup-tenant').value.trim();
    if (!/^[0-9a-f]{64}$/.test(hash)) {
      setText('lookup-result', 'a hash is 64 hex digits (the "hash" of a 202 or a 409)');
      return;
    }
    try {
      const query = tenant === '' ? '' : `?tenant=${encodeURIComponent(tenant)}`;
      const found = await adminFetch(`admin/events/${hash}${query}`);
      const firstSeen = found.first_seen_at === null ? 'an unknown time (a key of the Python service)' : found.first_seen_at;
      setText('lookup-result', `${found.state}: first seen ${firstSeen}, remembered until ${found.expires_at}`);
    } catch (error) {
      setText('lookup-result', error.message);
    }
  }

  document.getElementById('lookup-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void lookUp();
  });

  document.getElementById('admin-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = document.getElementById('admin-token');
    if (input.value !== '') sessionStorage.setItem(TOKEN_KEY, input.value);
    input.value = '';
    void loadLetters();
  });
  document.getElementById('admin-forget').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    document.getElementById('letters').hidden = true;
    adminMessage('token forgotten');
  });

  // ---- the stream ---------------------------------------------------------------------------

  // The figures the page was made with: drawn at once, before the stream's first message.
  const initial = document.getElementById('initial-figures');
  if (initial !== null) render(JSON.parse(initial.textContent));

  const connection = byTestId('connection');
  // With METRICS_TOKEN set on the gateway the page is opened as /dashboard?token=<it>, which the stream needs too.
  const readToken = new URLSearchParams(location.search).get('token');
  const source = new EventSource(readToken ? `dashboard/stream?token=${encodeURIComponent(readToken)}` : 'dashboard/stream');
  source.addEventListener('open', () => {
    connection.textContent = 'live';
    connection.className = 'badge good';
  });
  source.addEventListener('error', () => {
    connection.textContent = source.readyState === EventSource.CLOSED ? 'disconnected' : 'reconnecting…';
    connection.className = 'badge bad';
  });
  source.addEventListener('figures', (event) => render(JSON.parse(event.data)));
})();
