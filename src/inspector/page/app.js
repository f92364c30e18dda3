// The inspector page: listens to the server's snapshots (server-sent events) and draws them. Plain ES
// modules, no build step; the chart and graph libraries are served from the package's node_modules.
import cytoscape from './vendor/cytoscape.js';
import uPlot from './vendor/uplot.js';

/** Samples kept for the charts (at the default 500 ms, one minute). */
const HISTORY = 120;

const state = {
  actions: false,
  snapshot: undefined,
  sortKey: 'id',
  sortDir: 1,
  filter: '',
  selected: undefined,
  graphShape: '',
  timelineSeq: 0,
};

const $ = (selector) => document.querySelector(selector);

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = String(text);
  if (className !== undefined) node.className = className;
  return node;
}

function formatNumber(value, digits = 0) {
  return Number(value).toLocaleString('en', { maximumFractionDigits: digits });
}

function formatDuration(ms) {
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h}h ${String(m).padStart(2, '0')}m ${String(s % 60).padStart(2, '0')}s`;
}

function formatTime(atMs) {
  return new Date(atMs).toLocaleTimeString('en-GB', { hour12: false });
}

// ---- charts ----------------------------------------------------------------------------------------

const series = { time: [], handled: [], dead: [], faults: [], delay: [], elu: [], heap: [] };

function makeChart(target, title, lines) {
  const width = Math.max(target.clientWidth, 200);
  return new uPlot(
    {
      title,
      width,
      height: 150,
      legend: { live: false },
      scales: { x: { time: true } },
      series: [{}, ...lines.map(([label, stroke]) => ({ label, stroke, width: 1.5 }))],
      axes: [{ space: 60 }, { size: 50 }],
    },
    [[], ...lines.map(() => [])],
    target,
  );
}

const charts = {
  messages: makeChart($('#chart-messages'), 'handled / s', [['handled', '#2463eb']]),
  trouble: makeChart($('#chart-trouble'), 'dead letters and faults / s', [
    ['dead letters', '#b26a00'],
    ['faults', '#c62828'],
  ]),
  loop: makeChart($('#chart-loop'), 'event loop', [
    ['delay ms', '#6a1b9a'],
    ['utilisation %', '#00838f'],
  ]),
  heap: makeChart($('#chart-heap'), 'heap MB', [['used', '#2e7d32']]),
};

function pushSeries(snapshot) {
  const o = snapshot.overview;
  const add = (name, value) => {
    series[name].push(value);
    if (series[name].length > HISTORY) series[name].shift();
  };
  add('time', snapshot.atMs / 1000);
  add('handled', o.messagesPerSecond);
  add('dead', o.deadLettersPerSecond);
  add('faults', o.faultsPerSecond);
  add('delay', o.eventLoop.delayMeanMs);
  add('elu', o.eventLoop.utilisation * 100);
  add('heap', o.heap.usedBytes / 1e6);
  charts.messages.setData([series.time, series.handled]);
  charts.trouble.setData([series.time, series.dead, series.faults]);
  charts.loop.setData([series.time, series.delay, series.elu]);
  charts.heap.setData([series.time, series.heap]);
}

// ---- overview ----------------------------------------------------------------------------------------

function renderOverview(snapshot) {
  const o = snapshot.overview;
  $('#system-path').textContent = `${snapshot.system.label} · ${snapshot.system.path}`;
  const badge = $('#system-state');
  badge.textContent = snapshot.system.state;
  badge.className = `badge ${snapshot.system.state === 'active' ? 'live' : 'down'}`;
  $('#uptime').textContent = `up ${formatDuration(snapshot.system.uptimeMs)}`;
  const cards = [
    ['active', o.components.active],
    ['passive', o.components.passive],
    ['faulty', o.components.faulty],
    ['handled / s', formatNumber(o.messagesPerSecond)],
    ['dead letters / s', formatNumber(o.deadLettersPerSecond, 1)],
    ['faults / s', formatNumber(o.faultsPerSecond, 1)],
    ['faults (total)', o.totals.faults],
    ['recoveries', o.totals.recoveries],
    ['gave up', o.totals.gaveUp],
    ['loop delay', `${formatNumber(o.eventLoop.delayMeanMs, 2)} ms`],
    ['loop busy', `${formatNumber(o.eventLoop.utilisation * 100, 1)} %`],
    ['heap', `${formatNumber(o.heap.usedBytes / 1e6, 1)} MB`],
  ];
  const box = $('#cards');
  box.replaceChildren(
    ...cards.map(([label, value]) => {
      const card = element('div', undefined, 'card');
      card.append(element('b', value), element('span', label, 'muted'));
      return card;
    }),
  );
}

// ---- components ----------------------------------------------------------------------------------------

function matches(row, filter) {
  if (filter === '') return true;
  const text = `${row.id} ${row.type} ${row.state} ${row.lastFault ?? ''} ${row.paths.join(' ')}`;
  return text.toLowerCase().includes(filter);
}

function compareRows(a, b) {
  const key = state.sortKey;
  const x = key === 'paths' ? a.paths.join() : a[key];
  const y = key === 'paths' ? b.paths.join() : b[key];
  if (typeof x === 'number' && typeof y === 'number') return (x - y) * state.sortDir;
  return String(x ?? '').localeCompare(String(y ?? '')) * state.sortDir;
}

async function act(id, action) {
  const response = await fetch(`api/components/${encodeURIComponent(id)}/${action}`, { method: 'POST' });
  if (!response.ok) alert(`${action} ${id}: ${await response.text()}`);
}

function renderComponents(snapshot) {
  const rows = snapshot.components.filter((row) => matches(row, state.filter)).sort(compareRows);
  const omitted = snapshot.componentsOmitted > 0 ? ` (${snapshot.componentsOmitted} more not listed)` : '';
  $('#component-count').textContent = `${rows.length} of ${snapshot.components.length}${omitted}`;
  const body = $('#component-table tbody');
  body.replaceChildren(
    ...rows.map((row) => {
      const tr = element('tr');
      tr.dataset.id = row.id;
      if (row.id === state.selected) tr.className = 'selected';
      tr.append(
        element('td', row.id, 'mono'),
        element('td', row.type),
        element('td', row.state, `state-${row.state}`),
        element('td', formatNumber(row.queued), 'num'),
        element('td', formatNumber(row.handled), 'num'),
        element('td', row.timers, 'num'),
        element('td', row.restarts, 'num'),
        element('td', row.lastFault ?? ''),
        element('td', row.paths.join(' '), 'mono'),
      );
      const cell = element('td');
      if (state.actions) {
        for (const action of ['stop', 'start', 'kill', 'fault']) {
          const button = element('button', action);
          button.addEventListener('click', () => act(row.id, action));
          cell.append(button);
        }
      }
      tr.append(cell);
      return tr;
    }),
  );
}

for (const th of document.querySelectorAll('#component-table th[data-key]')) {
  th.addEventListener('click', () => {
    const key = th.dataset.key;
    state.sortDir = state.sortKey === key ? -state.sortDir : 1;
    state.sortKey = key;
    for (const other of document.querySelectorAll('#component-table th'))
      other.classList.remove('sorted-asc', 'sorted-desc');
    th.classList.add(state.sortDir === 1 ? 'sorted-asc' : 'sorted-desc');
    if (state.snapshot !== undefined) renderComponents(state.snapshot);
  });
}

$('#filter').addEventListener('input', (event) => {
  state.filter = event.target.value.trim().toLowerCase();
  if (state.snapshot !== undefined) renderComponents(state.snapshot);
});

/** Shows component `id` in the table: selected, filtered to, scrolled to. */
function selectComponent(id) {
  state.selected = id;
  const filter = $('#filter');
  filter.value = id;
  state.filter = id.toLowerCase();
  if (state.snapshot !== undefined) renderComponents(state.snapshot);
  document
    .querySelector(`#component-table tr[data-id="${CSS.escape(id)}"]`)
    ?.scrollIntoView({ block: 'center' });
  graph.$(':selected').unselect();
  graph.getElementById(id).select();
}

// ---- port graph ----------------------------------------------------------------------------------------

const graph = cytoscape({
  container: $('#graph'),
  maxZoom: 2,
  style: [
    {
      selector: 'node',
      style: {
        label: 'data(label)',
        'font-size': 10,
        'text-valign': 'bottom',
        'text-margin-y': 4,
        'background-color': '#2463eb',
        width: 18,
        height: 18,
      },
    },
    { selector: 'node.faulty', style: { 'background-color': '#c62828' } },
    { selector: 'node.passive', style: { 'background-color': '#b26a00' } },
    { selector: 'node:selected', style: { 'border-width': 3, 'border-color': '#1d232b' } },
    {
      selector: 'edge',
      style: {
        label: 'data(port)',
        'font-size': 8,
        'text-background-color': '#fff',
        'text-background-opacity': 0.85,
        'text-rotation': 'autorotate',
        'curve-style': 'bezier',
        'target-arrow-shape': 'triangle',
        'line-color': '#9aa4b1',
        'target-arrow-color': '#9aa4b1',
        width: 1.5,
      },
    },
  ],
});
graph.on('tap', 'node', (event) => selectComponent(event.target.id()));
// For tests and the curious: the graph is window.kompactInspector.graph.
window.kompactInspector = { graph };

function renderGraph(snapshot) {
  const { nodes, edges } = snapshot.ports;
  const states = new Map(snapshot.components.map((row) => [row.id, row.state]));
  const shape = JSON.stringify([nodes.map((n) => n.id), edges.map((e) => [e.provider, e.requirer, e.port])]);
  if (shape !== state.graphShape) {
    state.graphShape = shape;
    graph.elements().remove();
    graph.add([
      ...nodes.map((node) => ({
        group: 'nodes',
        data: { id: node.id, label: `${node.type} ${node.id.slice(0, 8)}` },
      })),
      ...edges.map((edge) => ({
        group: 'edges',
        data: {
          id: `${edge.provider}>${edge.requirer}:${edge.port}`,
          source: edge.provider,
          target: edge.requirer,
          port: edge.port,
        },
      })),
    ]);
    graph.layout({ name: 'breadthfirst', directed: true, padding: 20, spacingFactor: 1.5 }).run();
  }
  graph.nodes().forEach((node) => {
    node.classes(states.get(node.id()) ?? '');
  });
}

// ---- timeline ----------------------------------------------------------------------------------------

/** The component a timeline entry leads to: its replacement once it was replaced, else itself. */
function targetOf(entry, timeline) {
  if (entry.replacementId !== undefined) return entry.replacementId;
  const recovered = timeline.find(
    (other) =>
      other.seq > entry.seq && other.componentId === entry.componentId && other.replacementId !== undefined,
  );
  return recovered?.replacementId ?? entry.componentId;
}

function renderTimeline(snapshot) {
  const timeline = snapshot.timeline;
  const last = timeline.at(-1);
  if (last === undefined || last.seq === state.timelineSeq) return;
  state.timelineSeq = last.seq;
  $('#timeline-list').replaceChildren(
    ...[...timeline].reverse().map((entry) => {
      const li = element('li', undefined, `kind-${entry.kind}`);
      li.dataset.kind = entry.kind;
      const who =
        entry.componentId === undefined
          ? `${entry.componentType}: ` // a worker's event: no component to open
          : `${entry.componentType} ${entry.componentId.slice(0, 8)}: `;
      li.append(
        element('span', `${formatTime(entry.atMs)} `, 'muted'),
        element('b', `${entry.kind} `),
        element('span', who, 'mono'),
        element('span', entry.detail),
      );
      if (entry.componentId !== undefined) {
        li.dataset.component = entry.componentId;
        li.addEventListener('click', () => selectComponent(targetOf(entry, timeline)));
      }
      return li;
    }),
  );
}

// ---- dead letters and network ----------------------------------------------------------------------

function renderDeadLetters(snapshot) {
  const { byReason, latest } = snapshot.deadLetters;
  const reasons = Object.entries(byReason).sort((a, b) => b[1] - a[1]);
  $('#dead-letter-reasons').replaceChildren(
    ...(reasons.length === 0 ? [element('span', 'none', 'muted')] : []),
    ...reasons.map(([reason, count]) => {
      const card = element('div', undefined, 'card');
      card.append(element('b', formatNumber(count)), element('span', reason, 'muted'));
      return card;
    }),
  );
  $('#dead-letter-table tbody').replaceChildren(
    ...[...latest].reverse().map((letter) => {
      const tr = element('tr');
      tr.append(
        element('td', formatTime(letter.atMs), 'muted'),
        element('td', letter.reason),
        element('td', letter.to, 'mono'),
        element('td', letter.detail ?? ''),
        element('td', letter.message, 'mono'),
      );
      return tr;
    }),
  );
}

function renderWorkers(snapshot) {
  const workers = snapshot.workers;
  $('#workers-summary').textContent =
    workers.length === 0 ? 'This system has spawned no worker systems.' : '';
  $('#worker-table tbody').replaceChildren(
    ...workers.map((worker) => {
      const tr = element('tr');
      tr.dataset.worker = worker.name;
      tr.append(
        element('td', worker.name, 'mono'),
        element('td', worker.systemPath, 'mono'),
        element('td', worker.state, `worker-${worker.state}`),
        element('td', worker.threadId, 'num'),
        element('td', worker.restarts, 'num'),
      );
      return tr;
    }),
  );
}

function renderNetwork(snapshot) {
  const network = snapshot.network;
  const summary = $('#network-summary');
  if (network === undefined) {
    summary.textContent = 'This system has no network.';
    $('#peer-table tbody').replaceChildren();
    return;
  }
  const t = network.totals;
  summary.replaceChildren(
    element('div', network.systemPath, 'mono'),
    element(
      'div',
      `open connections ${t.openConnections} · frames received ${formatNumber(t.receivedFrames)} · refused ${formatNumber(t.refusedFrames)} · lost ${formatNumber(t.lostFrames)} · failed handshakes ${t.failedHandshakes}`,
      'muted',
    ),
  );
  $('#peer-table tbody').replaceChildren(
    ...network.peers.map((peer) => {
      const tr = element('tr');
      const events = Object.entries(peer.events)
        .map(([kind, count]) => `${kind} ${count}`)
        .join(', ');
      tr.dataset.system = peer.system;
      tr.append(
        element('td', peer.system, 'mono'),
        element('td', peer.status, `peer-${peer.status}`),
        element('td', peer.connections, 'num'),
        element('td', formatNumber(peer.framesSent), 'num'),
        element('td', formatNumber(peer.framesReceived), 'num'),
        element('td', formatNumber(peer.bytesSent), 'num'),
        element('td', formatNumber(peer.bytesReceived), 'num'),
        element('td', peer.retries, 'num'),
        element('td', peer.queuedFrames, 'num'),
        element('td', peer.lost, 'num'),
        element('td', events),
      );
      return tr;
    }),
  );
}

// ---- the stream ----------------------------------------------------------------------------------------

function render(snapshot) {
  state.snapshot = snapshot;
  renderOverview(snapshot);
  pushSeries(snapshot);
  renderComponents(snapshot);
  renderGraph(snapshot);
  renderTimeline(snapshot);
  renderDeadLetters(snapshot);
  renderWorkers(snapshot);
  renderNetwork(snapshot);
  document.body.dataset.snapshots = String(Number(document.body.dataset.snapshots ?? 0) + 1);
}

const events = new EventSource('events');
events.addEventListener('hello', (event) => {
  state.actions = JSON.parse(event.data).actions;
});
events.addEventListener('snapshot', (event) => render(JSON.parse(event.data)));
events.addEventListener('open', () => {
  const badge = $('#connection');
  badge.textContent = 'live';
  badge.className = 'badge live';
});
events.addEventListener('error', () => {
  const badge = $('#connection');
  badge.textContent = 'disconnected';
  badge.className = 'badge down';
});
