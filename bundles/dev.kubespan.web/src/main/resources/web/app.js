// The KubeSpan mesh page: polls /api/mesh every 2 s and /api/history every 10 s (same origin
// only; the page loads nothing from elsewhere). Every value from the network is put in the page
// as text, never as markup: peer names come from other machines.
(function () {
  'use strict';
  const MESH_MS = 2000;
  const HISTORY_MS = 10000;
  const SVG = 'http://www.w3.org/2000/svg';
  const PALETTE = ['#2563eb', '#16a34a', '#d97706', '#9333ea', '#0891b2', '#db2777', '#65a30d', '#dc2626', '#4b5563', '#0d9488'];
  let lastOk = 0;
  let charts = {};
  let chartPeers = '';

  function $(id) { return document.getElementById(id); }

  // From the origin, not relative: a page opened as http://user:password@host/ has a base URL
  // with credentials, which fetch() refuses; the browser's login cache answers the challenge.
  function api(path) { return fetch(location.origin + path, { cache: 'no-store' }); }

  function el(name, attrs, text) {
    const e = name.startsWith('svg:') ? document.createElementNS(SVG, name.substring(4)) : document.createElement(name);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function bytes(n) {
    if (n === null || n === undefined) return '–';
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n.toFixed(0) : n.toFixed(1)) + ' ' + units[i];
  }

  function rate(n) { return n === null || n === undefined ? '–' : bytes(n) + '/s'; }

  function age(s) {
    if (s === null || s === undefined) return 'never';
    if (s < 90) return s + ' s ago';
    if (s < 5400) return Math.round(s / 60) + ' min ago';
    return Math.round(s / 3600) + ' h ago';
  }

  function renderHeader(m) {
    const n = m.node;
    $('node-name').textContent = n.name || n.nodeId || '(no identity yet)';
    $('node-address').textContent = n.address || '–';
    $('node-key').textContent = n.publicKey || '–';
    const link = m.links[0];
    $('link').textContent = link ? link.name + ' ' + (link.up ? 'up' : 'down') + ' (' + link.backend + ', port ' + link.listenPort + ')' : 'none';
    const reg = $('registries');
    reg.replaceChildren(...m.registries.map(r => {
      const b = el('span', { 'class': 'badge ' + r.state, title: (r.endpoint || '') + (r.lastError ? ' – last error: ' + r.lastError : '') },
        r.id + ': ' + r.state);
      return b;
    }));
  }

  function renderPeers(m) {
    const body = $('peers').tBodies[0];
    const rows = m.peers.map(p => {
      const tr = el('tr', { 'data-peer': p.name, 'data-state': p.state, 'class': p.state });
      const name = el('td', { title: p.publicKey + (p.address ? ' · ' + p.address : '') }, p.name);
      const state = el('td');
      state.appendChild(el('span', { 'class': 'state ' + p.state, 'data-testid': 'state' }, p.state));
      tr.append(name, state,
        el('td', {}, p.endpoint || (p.lastUsedEndpoint ? '(' + p.lastUsedEndpoint + ')' : '–')),
        el('td', {}, age(p.handshakeAgeSeconds)),
        el('td', { 'class': 'num' }, rate(p.receiveBytesPerSecond)),
        el('td', { 'class': 'num' }, rate(p.transmitBytesPerSecond)),
        el('td', { 'class': 'num' }, bytes(p.receiveBytes)),
        el('td', { 'class': 'num' }, bytes(p.transmitBytes)));
      return tr;
    });
    body.replaceChildren(...rows);
    $('no-peers').hidden = m.peers.length > 0;
    const count = s => m.peers.filter(p => p.state === s).length;
    $('peer-summary').textContent = m.peers.length ? count('up') + ' up, ' + count('down') + ' down, ' + count('unknown') + ' unknown' : '';
  }

  function renderGraph(m) {
    const svg = $('mesh-graph');
    const peers = new Map(m.peers.map(p => [p.name, p]));
    const self = m.members.find(x => x.self);
    const selfName = self ? self.name : (m.node.name || 'this node');
    // One node per member; peers not (yet) among the members are drawn too.
    const others = m.members.filter(x => !x.self).map(x => x.name);
    for (const p of m.peers) if (!others.includes(p.name)) others.push(p.name);
    others.sort();
    const cx = 200, cy = 200, r = others.length > 1 ? 150 : 120;
    const pos = new Map();
    others.forEach((name, i) => {
      const a = -Math.PI / 2 + 2 * Math.PI * i / Math.max(1, others.length);
      pos.set(name, [cx + r * Math.cos(a), cy + r * Math.sin(a)]);
    });
    const parts = [];
    for (const name of others) {
      const [x, y] = pos.get(name);
      const p = peers.get(name);
      parts.push(el('svg:line', { x1: cx, y1: cy, x2: x, y2: y, 'class': p ? p.state : 'none', 'data-peer': name, 'data-state': p ? p.state : 'none' }));
    }
    const node = (name, x, y, cls, state) => {
      const g = el('svg:g', { 'class': 'node ' + cls, 'data-name': name, 'data-state': state });
      g.appendChild(el('svg:title', {}, name + ' – ' + state));
      g.appendChild(el('svg:circle', { cx: x, cy: y, r: cls === 'self' ? 16 : 12 }));
      g.appendChild(el('svg:text', { x: x, y: y + (y < cy ? -18 : 28) }, name));
      return g;
    };
    parts.push(node(selfName, cx, cy, 'self', 'self'));
    for (const name of others) {
      const [x, y] = pos.get(name);
      const p = peers.get(name);
      parts.push(node(name, x, y, p ? p.state : 'member', p ? p.state : 'member'));
    }
    svg.replaceChildren(...parts);
  }

  async function pollMesh() {
    try {
      const res = await api('/api/mesh');
      if (!res.ok) throw new Error('HTTP ' + res.status);
      const m = await res.json();
      renderHeader(m);
      renderPeers(m);
      renderGraph(m);
      lastOk = Date.now();
    } catch (e) {
      // the freshness line below says how old the picture is
    }
    const f = $('freshness');
    const old = lastOk ? Math.round((Date.now() - lastOk) / 1000) : null;
    f.textContent = lastOk === 0 ? 'agent not reachable' : old <= 3 ? 'live · updated ' + new Date(lastOk).toLocaleTimeString()
      : 'agent not reachable for ' + old + ' s (showing the last picture)';
    f.classList.toggle('stale', lastOk === 0 || old > 3);
  }

  function chart(id, title, names, data, opts) {
    const target = $(id);
    const series = [{}].concat(names.map((n, i) => Object.assign({ label: n, stroke: PALETTE[i % PALETTE.length], width: 1.5, spanGaps: false }, opts.series || {})));
    const width = Math.max(280, target.clientWidth || 320);
    if (charts[id] && chartPeers === names.join('\n')) {
      charts[id].setData(data);
      return;
    }
    if (charts[id]) charts[id].destroy();
    charts[id] = new uPlot({
      width: width, height: 170, series: series, legend: { show: true },
      scales: opts.scales || {}, axes: [{}, { size: 60, values: opts.values }],
      cursor: { drag: { x: false, y: false } },
    }, data, target);
  }

  async function pollHistory() {
    try {
      const res = await api('/api/history');
      if (!res.ok) throw new Error('HTTP ' + res.status);
      const h = await res.json();
      const names = Object.keys(h.peers).sort();
      const col = (k, f) => names.map(n => h.peers[n][k].map(f || (v => v)));
      const state = v => v === null ? null : v === 2 ? 0.5 : v;
      const fmt = (u, vals) => vals.map(v => v === null ? '' : rate(v));
      chart('chart-rx', 'receive', names, [h.times].concat(col('receiveBytesPerSecond')), { values: fmt });
      chart('chart-tx', 'send', names, [h.times].concat(col('transmitBytesPerSecond')), { values: fmt });
      chart('chart-state', 'state', names, [h.times].concat(col('state', state)),
        { scales: { y: { range: [-0.1, 1.1] } }, series: { paths: uPlot.paths.stepped({ align: 1 }) } });
      chartPeers = names.join('\n');
    } catch (e) {
      // charts keep their last data
    }
  }

  pollMesh();
  pollHistory();
  setInterval(pollMesh, MESH_MS);
  setInterval(pollHistory, HISTORY_MS);
})();
