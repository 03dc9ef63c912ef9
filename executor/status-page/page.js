// The page of `pgferry status --serve`. Everything it shows comes from the status JSON (`status --json`)
// pushed as server-sent events, plus lag samples for the chart. Fields it does not know are shown under
// "More" so additions to the status JSON reach the page without a change here. No HTML is built from
// data: every value goes in through textContent.
// Over 400 lines on purpose: the page is served as it is, without a bundler or modules, so the whole
// script is one file the browser loads with one request.

const SVG = 'http://www.w3.org/2000/svg';
const STATES = ['pending', 'running', 'waiting-gate', 'succeeded', 'failed', 'skipped'];
const KNOWN = new Set([
  'plan',
  'planHash',
  'journal',
  'started',
  'aborted',
  'updatedAt',
  'nodes',
  'gates',
  'lagThresholds',
  'tasks',
  'subscriptions',
  'slots',
  'problems',
]);
const COLORS = ['#2f7bd8', '#2e9a5b', '#8e44ad', '#d35400', '#16a085', '#c0392b', '#7f8c8d', '#b8860b'];

let report = null;
let samples = [];

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined) continue;
    if (key === 'class') el.className = value;
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined) el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

function fill(id, ...children) {
  const el = document.getElementById(id);
  el.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined));
  return el;
}

function show(id, visible) {
  document.getElementById(id).hidden = !visible;
}

function bytes(n) {
  if (typeof n !== 'number') return '?';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

function duration(seconds) {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return '?';
  const total = Math.max(0, Math.round(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = total % 60;
  const pad = (v) => String(v).padStart(2, '0');
  return hours > 0 ? `${hours}:${pad(minutes)}:${pad(secs)}` : `${minutes}:${pad(secs)}`;
}

function time(iso) {
  return iso ? new Date(iso).toLocaleTimeString() : '';
}

// ---- execution graph -------------------------------------------------------------------------------

function renderGraph(nodes) {
  const phases = [];
  for (const node of nodes) if (!phases.includes(node.phase)) phases.push(node.phase);
  const boxW = 250;
  const boxH = 26;
  const gapX = 70;
  const gapY = 6;
  const top = 22;
  const place = new Map();
  const rows = phases.map(() => 0);
  for (const node of nodes) {
    const col = phases.indexOf(node.phase);
    place.set(node.id, { x: col * (boxW + gapX), y: top + rows[col] * (boxH + gapY) });
    rows[col] += 1;
  }
  const height = top + Math.max(1, ...rows) * (boxH + gapY);
  const width = phases.length * (boxW + gapX) - gapX;
  const svg = s('svg', { id: 'graph-svg', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img' });
  phases.forEach((phase, col) => {
    svg.append(s('text', { x: col * (boxW + gapX), y: 14, 'font-weight': 'bold' }, phase));
  });
  // Edges between phases only: inside a column the order is the run's order.
  for (const node of nodes) {
    const to = place.get(node.id);
    for (const from of node.after ?? []) {
      const a = place.get(from);
      if (!a || a.x === to.x) continue;
      const x1 = a.x + boxW;
      const y1 = a.y + boxH / 2;
      const x2 = to.x;
      const y2 = to.y + boxH / 2;
      svg.append(
        s('path', { class: 'edge', d: `M${x1},${y1} C${x1 + gapX / 2},${y1} ${x2 - gapX / 2},${y2} ${x2},${y2}` }),
      );
    }
  }
  for (const node of nodes) {
    const at = place.get(node.id);
    const label = node.id.length > 38 ? `…${node.id.slice(-37)}` : node.id;
    const tip = [
      `${node.id} (${node.kind}): ${node.state}`,
      node.title,
      node.gate ? `gate: ${node.gate}` : null,
      node.error ? `error: ${node.error}` : node.note ? `note: ${node.note}` : null,
    ]
      .filter(Boolean)
      .join('\n');
    svg.append(
      s(
        'g',
        { class: 'node', 'data-node': node.id, 'data-state': node.state, transform: `translate(${at.x},${at.y})` },
        s('title', {}, tip),
        s('rect', { width: boxW, height: boxH, rx: 4 }),
        s(
          'text',
          { x: 8, y: 17 },
          `${node.state === 'waiting-gate' ? '‖ ' : node.state === 'failed' ? '✗ ' : ''}${label}`,
        ),
      ),
    );
  }
  const counts = {};
  for (const node of nodes) counts[node.state] = (counts[node.state] ?? 0) + 1;
  fill(
    'counts',
    STATES.filter((state) => counts[state])
      .map((state) => `${counts[state]} ${state}`)
      .join(' · '),
  );
  fill(
    'graph',
    svg,
    h(
      'div',
      { class: 'legend muted' },
      STATES.map((state) => h('span', {}, h('i', { style: null, class: `swatch-${state}` }), state)),
    ),
  );
  // Swatch colours come from the same CSS variables as the boxes.
  for (const state of STATES) {
    for (const el of document.querySelectorAll(`.swatch-${state}`)) {
      el.style.background = `var(--${{ 'waiting-gate': 'waiting', succeeded: 'done' }[state] ?? state})`;
    }
  }
}

// ---- banners ---------------------------------------------------------------------------------------

function renderWaiting(data) {
  const waiting = data.nodes.filter((node) => node.state === 'waiting-gate');
  const gates = [...new Set(waiting.map((node) => node.gate).filter(Boolean))];
  show('waiting', gates.length > 0);
  fill(
    'waiting',
    gates.map((gate) =>
      h(
        'p',
        { 'data-gate': gate },
        'Waiting at gate ',
        h('strong', {}, gate),
        ` (${waiting.filter((node) => node.gate === gate).length} node(s)); it opens with `,
        h('code', {}, data.gates[gate]?.command ?? `pgferry approve ${data.plan} ${gate}`),
      ),
    ),
  );
}

function renderErrors(data) {
  const failed = data.nodes.filter((node) => node.state === 'failed');
  const items = [
    ...(data.aborted ? [h('li', {}, h('strong', {}, 'The run was aborted.'))] : []),
    ...failed.map((node) =>
      h(
        'li',
        { 'data-failed': node.id },
        h('code', {}, node.id),
        ` failed (attempt ${node.attempts}): `,
        node.error ?? '',
      ),
    ),
    ...data.problems.map((problem) => h('li', { class: 'problem' }, problem)),
  ];
  show('errors', items.length > 0);
  fill('errors', items.length ? [h('h2', {}, 'Errors'), h('ul', {}, items)] : []);
}

// ---- cutover ---------------------------------------------------------------------------------------

function renderCutover(data) {
  const nodes = data.nodes.filter((node) => node.phase === 'cutover');
  const begun = nodes.some((node) => node.state !== 'pending');
  show('cutover-section', begun);
  if (!begun) return;
  const fences = nodes.filter((node) => node.kind === 'SourceWriteFence' && node.finishedAt);
  const open = nodes.find((node) => node.kind === 'ManualGate' && node.id.includes('writes-open'));
  const since = fences.map((node) => node.finishedAt).sort()[0];
  const parts = [];
  if (since) {
    const until = open?.state === 'succeeded' ? open.finishedAt : null;
    parts.push(
      h(
        'p',
        {},
        until ? 'Writes were fenced for ' : 'Writes fenced since ',
        until ? null : h('strong', {}, time(since)),
        until ? null : ' — ',
        h('span', { class: 'timer', id: 'fence-timer', 'data-since': since, 'data-until': until }, ''),
      ),
    );
  }
  parts.push(
    h(
      'table',
      {},
      h('thead', {}, h('tr', {}, h('th', {}, 'step'), h('th', {}, 'state'), h('th', {}, 'result'))),
      h(
        'tbody',
        {},
        nodes.map((node) =>
          h(
            'tr',
            { 'data-cutover': node.id },
            h('td', {}, node.title),
            h('td', {}, node.state),
            h(
              'td',
              {},
              node.error ?? node.note ?? '',
              Object.keys(node.outputs ?? {}).length
                ? h(
                    'div',
                    { class: 'muted' },
                    Object.entries(node.outputs)
                      .map(([k, v]) => `${k}=${v}`)
                      .join('  '),
                  )
                : null,
            ),
          ),
        ),
      ),
    ),
  );
  fill('cutover', parts);
  tickFence();
}

function tickFence() {
  const el = document.getElementById('fence-timer');
  if (!el) return;
  const since = Date.parse(el.dataset.since);
  const until = el.dataset.until ? Date.parse(el.dataset.until) : Date.now();
  el.textContent = duration((until - since) / 1000);
}

// ---- DMS tasks, subscriptions, slots -----------------------------------------------------------------

function table(headers, rows) {
  return h(
    'table',
    {},
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        headers.map(([label, cls]) => h('th', { class: cls ?? null }, label)),
      ),
    ),
    h('tbody', {}, rows),
  );
}

function renderTasks(data) {
  show('tasks-section', data.tasks.length > 0);
  fill(
    'tasks',
    data.tasks.map((task) => {
      const percent = task.fullLoadProgressPercent;
      return h(
        'div',
        { class: 'task', 'data-task': task.task, 'data-percent': percent ?? '' },
        h(
          'p',
          {},
          h('strong', {}, task.task),
          ` ${task.status ?? 'not created'}${task.stopReason ? ` (${task.stopReason})` : ''} `,
          percent === null
            ? null
            : h('span', { class: 'progress', title: `${percent}%` }, h('div', { style: null, 'data-width': percent })),
          percent === null ? null : ` ${percent}%`,
          task.rowsPerSecond === null || task.rowsPerSecond === undefined ? null : ` · ${task.rowsPerSecond} rows/s`,
          task.etaSeconds === null ? null : ` · ETA ${duration(task.etaSeconds)}`,
        ),
        task.lastFailure ? h('p', { class: 'problem' }, `last failure: ${task.lastFailure}`) : null,
        task.tables.length
          ? table(
              [
                ['table'],
                ['state'],
                ['full-load rows', 'num'],
                ['inserts', 'num'],
                ['updates', 'num'],
                ['deletes', 'num'],
                ['validation'],
              ],
              task.tables.map((row) =>
                h(
                  'tr',
                  {},
                  h('td', {}, row.table),
                  h('td', {}, row.state ?? ''),
                  h('td', { class: 'num' }, row.fullLoadRows),
                  h('td', { class: 'num' }, row.inserts),
                  h('td', { class: 'num' }, row.updates),
                  h('td', { class: 'num' }, row.deletes),
                  h('td', {}, row.validationState ?? ''),
                ),
              ),
            )
          : null,
      );
    }),
  );
  // Widths are set through the DOM, not inline style attributes (the page's CSP allows no inline styles).
  for (const bar of document.querySelectorAll('.progress > div')) bar.style.width = `${bar.dataset.width}%`;
}

function renderSubscriptions(data) {
  show('subscriptions-section', data.subscriptions.length > 0);
  fill(
    'subscriptions',
    table(
      [['subscription'], ['database'], ['state'], ['tables (init/copy/finished/sync/ready)'], ['slot'], ['lag', 'num']],
      data.subscriptions.map((sub) =>
        h(
          'tr',
          { 'data-subscription': sub.subscription },
          h('td', {}, sub.subscription),
          h('td', {}, sub.database ?? ''),
          h('td', {}, sub.exists ? (sub.enabled ? 'enabled' : 'disabled') : 'not on the target'),
          h('td', {}, ['i', 'd', 'f', 's', 'r'].map((code) => sub.tables[code]).join(' / ')),
          h('td', {}, sub.slot ?? '', sub.slotActive === null ? '' : sub.slotActive ? ' (active)' : ' (inactive)'),
          h('td', { class: 'num' }, bytes(sub.confirmedLagBytes)),
        ),
      ),
    ),
  );
}

function renderSlots(data) {
  const slots = data.slots ?? [];
  show('slots-section', data.slots !== null);
  fill(
    'slots',
    slots.length === 0
      ? h('p', { class: 'muted' }, 'no replication slots on the source')
      : table(
          [['slot'], ['database'], ['active'], ['WAL status'], ['retained', 'num'], ['confirmed lag', 'num']],
          slots.map((slot) =>
            h(
              'tr',
              { 'data-slot': slot.slotName },
              h('td', {}, slot.slotName),
              h('td', {}, slot.database ?? ''),
              h('td', {}, slot.active ? 'yes' : 'no'),
              h('td', {}, slot.walStatus ?? ''),
              h('td', { class: 'num' }, bytes(slot.retainedWalBytes)),
              h('td', { class: 'num' }, bytes(slot.confirmedLagBytes)),
            ),
          ),
        ),
  );
}

// ---- lag chart -------------------------------------------------------------------------------------

function chart(kind, unit, threshold, format) {
  const names = [...new Set(samples.flatMap((sample) => Object.keys(sample.series).filter((k) => k.startsWith(kind))))];
  if (names.length === 0) return null;
  const width = 900;
  const height = 220;
  const left = 70;
  const right = 10;
  const top = 10;
  const bottom = 24;
  const points = samples.map((sample) => ({ t: Date.parse(sample.at), series: sample.series }));
  const t0 = points[0].t;
  const t1 = Math.max(points[points.length - 1].t, t0 + 1000);
  let peak = 0;
  for (const point of points) for (const name of names) peak = Math.max(peak, point.series[name] ?? 0);
  // The threshold sets the scale only when it is near the data; far above, it is drawn at the top edge
  // (marked off scale) so small lags stay readable.
  const offScale = threshold !== null && threshold !== undefined && threshold > Math.max(peak, 1) * 4;
  let max = offScale ? peak : Math.max(peak, threshold ?? 0);
  max = max <= 0 ? 1 : max * 1.15;
  const x = (t) => left + ((t - t0) / (t1 - t0)) * (width - left - right);
  const y = (v) => top + (1 - v / max) * (height - top - bottom);
  const svg = s('svg', {
    class: 'chart',
    id: `lag-${kind}`,
    'data-points': points.length,
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
  });
  svg.append(s('line', { class: 'axis', x1: left, y1: y(0), x2: width - right, y2: y(0) }));
  svg.append(s('line', { class: 'axis', x1: left, y1: top, x2: left, y2: y(0) }));
  svg.append(s('text', { x: 4, y: top + 10 }, format(max)));
  svg.append(s('text', { x: 4, y: y(0) }, `0 ${unit}`));
  svg.append(s('text', { x: left, y: height - 6 }, time(samples[0].at)));
  svg.append(
    s('text', { x: width - right, y: height - 6, 'text-anchor': 'end' }, time(samples[samples.length - 1].at)),
  );
  if (threshold !== null && threshold !== undefined) {
    const at = offScale ? top : y(threshold);
    svg.append(
      s('line', { class: 'threshold', 'data-threshold': threshold, x1: left, y1: at, x2: width - right, y2: at }),
      s(
        'text',
        { x: width - right, y: at + (offScale ? 14 : -4), 'text-anchor': 'end', fill: '#d2372b' },
        `cutover threshold ${format(threshold)}${offScale ? ' (above this scale)' : ''}`,
      ),
    );
  }
  const legend = h('div', { class: 'legend muted' });
  names.forEach((name, i) => {
    const color = COLORS[i % COLORS.length];
    const coords = points
      .filter((point) => typeof point.series[name] === 'number')
      .map((point) => `${x(point.t).toFixed(1)},${y(point.series[name]).toFixed(1)}`);
    svg.append(s('polyline', { 'data-series': name, points: coords.join(' '), stroke: color }));
    const swatch = h('i', {});
    swatch.style.background = color;
    legend.append(h('span', {}, swatch, name.slice(kind.length)));
  });
  return h('div', {}, svg, legend);
}

function renderLag() {
  const thresholds = report?.lagThresholds ?? {};
  const parts = [
    chart('bytes:', 'B', thresholds.maxLagBytes ?? null, bytes),
    chart('seconds:', 's', thresholds.maxLagSeconds ?? null, (v) => `${Math.round(v)} s`),
  ].filter(Boolean);
  fill('lag', parts.length ? parts : h('p', { class: 'muted' }, 'no lag figures yet (no slot or task reports lag)'));
}

// ---- whatever else the status JSON carries -----------------------------------------------------------

function generic(value) {
  if (Array.isArray(value) && value.length > 0 && value.every((v) => v && typeof v === 'object' && !Array.isArray(v))) {
    const keys = [...new Set(value.flatMap((v) => Object.keys(v)))];
    return table(
      keys.map((k) => [k]),
      value.map((row) =>
        h(
          'tr',
          {},
          keys.map((k) => h('td', {}, cell(row[k]))),
        ),
      ),
    );
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return table(
      [['name'], ['value']],
      Object.entries(value).map(([k, v]) => h('tr', {}, h('td', {}, k), h('td', {}, generic(v)))),
    );
  }
  return cell(value);
}

function cell(value) {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return h('pre', {}, JSON.stringify(value, null, 2));
  return String(value);
}

function renderMore(data) {
  const empty = (value) =>
    value === null ||
    (Array.isArray(value) && value.length === 0) ||
    (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0);
  const extra = Object.keys(data).filter((key) => !KNOWN.has(key) && !empty(data[key]));
  show('more-section', extra.length > 0);
  fill(
    'more',
    extra.map((key) => h('div', { 'data-extra': key }, h('h3', {}, key), generic(data[key]))),
  );
}

// ---- wiring ----------------------------------------------------------------------------------------

function render() {
  if (!report) return;
  fill('plan', `${report.plan}${report.aborted ? ' — ABORTED' : ''}`);
  fill('updated', report.updatedAt ? `journal updated ${time(report.updatedAt)}` : 'not started');
  renderWaiting(report);
  renderErrors(report);
  renderGraph(report.nodes);
  renderCutover(report);
  renderTasks(report);
  renderSubscriptions(report);
  renderLag();
  renderSlots(report);
  renderMore(report);
}

function connection(state, text) {
  const el = document.getElementById('conn');
  el.dataset.state = state;
  el.textContent = text;
}

const MAX_SAMPLES = 2000;
const events = new EventSource('events');
events.addEventListener('open', () => connection('live', 'live'));
events.addEventListener('error', () => connection('reconnecting', 'reconnecting…'));
events.addEventListener('history', (event) => {
  samples = JSON.parse(event.data).samples;
  renderLag();
});
events.addEventListener('lag', (event) => {
  const sample = JSON.parse(event.data);
  if (samples.length && samples[samples.length - 1].seq >= sample.seq) return;
  samples.push(sample);
  if (samples.length > MAX_SAMPLES) samples = samples.slice(-MAX_SAMPLES);
});
events.addEventListener('status', (event) => {
  report = JSON.parse(event.data);
  document.body.dataset.seq = event.lastEventId;
  render();
});
setInterval(tickFence, 1000);
