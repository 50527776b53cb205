// Overcast console: a dependency-free single-page app on the control plane's REST API.
// No build step and no Node toolchain: modern browsers run these ES modules as they are.
import { h, clear, fmtTime, fmtAgo, fmtBytes, fmtNumber, debounce, copyButton } from './ui.js';
import { chart } from './chart.js';

const ROLES = ['VIEWER', 'OPERATOR', 'ADMIN', 'OWNER'];
const app = document.getElementById('app');

// ------------------------------------------------------------------ session

const session = {
  get token() { return sessionStorage.getItem('overcast.token'); },
  set token(t) { t ? sessionStorage.setItem('overcast.token', t) : sessionStorage.removeItem('overcast.token'); },
  claims() {
    const t = this.token;
    if (!t) return null;
    try {
      const p = JSON.parse(atob(t.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
      if (p.exp && p.exp * 1000 <= Date.now()) return null;
      return p;
    } catch { return null; }
  },
  role() { const c = this.claims(); return c && c.groups ? c.groups[0] : 'VIEWER'; },
  can(min) { return ROLES.indexOf(this.role()) >= ROLES.indexOf(min); },
};

class ApiError extends Error {
  constructor(status, code, message) { super(message); this.status = status; this.code = code; }
}

// Signing out (or an expired session) reloads the page on the sign-in form: the reload ends the event stream
// with the page, where aborting it in place would leave a network error in the console.
function leaveTo(hash) {
  session.token = null;
  sessionStorage.removeItem('overcast.tenant');
  history.replaceState(null, '', location.pathname + hash);
  location.reload();
}

function signInAgain() {
  const next = location.hash && !location.hash.startsWith('#/login') ? location.hash : '#/';
  leaveTo('#/login?next=' + encodeURIComponent(next));
}

async function api(method, path, body) {
  const headers = { 'Accept': 'application/json' };
  if (session.token) headers['Authorization'] = 'Bearer ' + session.token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let resp;
  try {
    resp = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, 'network', 'The control plane did not answer. Check your connection and try again.');
  }
  if (resp.status === 401 && !path.endsWith('/auth/login')) {
    signInAgain();
    throw new ApiError(401, 'session_expired', 'Your session ended. Sign in again.');
  }
  if (resp.status === 204) return null;
  const text = await resp.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  if (!resp.ok) {
    const err = data && data.error ? data.error : { code: 'http_' + resp.status, message: text || resp.statusText };
    throw new ApiError(resp.status, err.code, err.message);
  }
  return data;
}

function errorBox(what, e, retry) {
  const hint = e.status === 403 ? 'Your role does not allow this; ask an administrator.'
    : e.status === 404 ? 'It may have been removed, or it belongs to another tenant.'
    : e.status === 0 ? '' : e.status >= 500 ? 'The control plane failed; try again, and check its log if it persists.' : '';
  return h('div', { class: 'error', role: 'alert' },
    h('strong', {}, what + ': '), e.message, e.code ? h('span', { class: 'small' }, ' (' + e.code + ')') : null,
    hint ? h('div', { class: 'small' }, hint) : null,
    retry ? h('div', {}, h('button', { onclick: retry }, 'Try again')) : null);
}

function toast(node) {
  const t = h('div', { class: 'toast' }, node);
  document.body.append(t);
  setTimeout(() => t.remove(), 6000);
}

async function confirmDialog(title, text, action) {
  return new Promise(resolve => {
    const d = h('dialog', { 'aria-labelledby': 'dlg-title' },
      h('h2', { id: 'dlg-title' }, title), h('p', {}, text),
      h('div', { class: 'row' },
        h('button', { onclick: () => { d.close(); resolve(false); } }, 'Cancel'),
        h('button', { class: 'danger', 'data-test': 'confirm', onclick: () => { d.close(); resolve(true); } }, action)));
    d.addEventListener('close', () => { d.remove(); resolve(false); });
    document.body.append(d);
    d.showModal();
  });
}

// ------------------------------------------------------------------ live events (SSE read with fetch, so the token stays in a header)

const events = {
  listeners: new Set(),
  controller: null,
  connected: false,
  retry: 1000,
  on(fn) { this.listeners.add(fn); return () => this.listeners.delete(fn); },
  status(on) {
    this.connected = on;
    const el = document.getElementById('live');
    if (el) { el.className = 'live ' + (on ? 'on' : 'off'); el.textContent = on ? 'Live' : 'Reconnecting'; }
  },
  stop() { if (this.controller) this.controller.abort(); this.controller = null; this.status(false); },
  async start() {
    if (this.controller || !session.token) return;
    const controller = new AbortController();
    this.controller = controller;
    try {
      const resp = await fetch('/api/v1/events', {
        headers: { 'Authorization': 'Bearer ' + session.token, 'Accept': 'text/event-stream' },
        signal: controller.signal,
      });
      if (resp.status === 401) { this.controller = null; signInAgain(); return; }
      if (!resp.ok) throw new Error('HTTP ' + resp.status);
      this.status(true);
      this.retry = 1000;
      const reader = resp.body.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let cut;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const data = block.split('\n').filter(l => l.startsWith('data:')).map(l => l.slice(5).trim()).join('\n');
          if (!data) continue;
          let ev;
          try { ev = JSON.parse(data); } catch { continue; }
          if (ev.kind === 'instance' || ev.kind === 'alert' || ev.kind === 'resync') this.listeners.forEach(fn => fn(ev));
        }
      }
    } catch (e) {
      if (controller.signal.aborted) return;
    }
    if (this.controller !== controller) return;
    this.controller = null;
    this.status(false);
    const wait = this.retry;
    this.retry = Math.min(this.retry * 2, 30000);
    setTimeout(() => this.start(), wait);
  },
};

// ------------------------------------------------------------------ routing

const routes = [
  [/^#\/login/, viewLogin, false],
  [/^#\/?$/, viewOverview, true],
  [/^#\/t\/([0-9a-f-]{36})\/instances\/([0-9a-f-]{36})/, viewInstance, true],
  [/^#\/t\/([0-9a-f-]{36})\/instances/, viewInstances, true],
  [/^#\/t\/([0-9a-f-]{36})\/enrolment/, viewTokens, true],
  [/^#\/t\/([0-9a-f-]{36})\/alerts/, viewAlerts, true],
  [/^#\/t\/([0-9a-f-]{36})\/channels/, viewChannels, true],
  [/^#\/t\/([0-9a-f-]{36})\/licenses/, viewLicenses, true],
  [/^#\/t\/([0-9a-f-]{36})\/billing/, viewBilling, true],
  [/^#\/users/, viewUsers, true],
  [/^#\/audit/, viewAudit, true],
];

let cleanup = [];
let tenantsCache = null;

function params() {
  const q = location.hash.indexOf('?');
  return new URLSearchParams(q >= 0 ? location.hash.slice(q + 1) : '');
}

function setParams(p) {
  const base = location.hash.split('?')[0];
  const s = p.toString();
  history.replaceState(null, '', base + (s ? '?' + s : ''));
}

async function tenants() {
  if (!tenantsCache) tenantsCache = await api('GET', '/api/v1/tenants');
  return tenantsCache;
}

function currentTenantId() {
  const m = location.hash.match(/^#\/t\/([0-9a-f-]{36})/);
  if (m) return m[1];
  const c = session.claims();
  return c && c.tenant ? c.tenant : sessionStorage.getItem('overcast.tenant');
}

async function render() {
  cleanup.forEach(fn => fn());
  cleanup = [];
  const hash = location.hash || '#/';
  for (const [re, view, needsAuth] of routes) {
    const m = hash.match(re);
    if (!m) continue;
    if (needsAuth && !session.claims()) { signInAgain(); return; }
    if (needsAuth) {
      const main = await shell();
      events.start();
      try {
        await view(main, ...m.slice(1));
      } catch (e) {
        if (e.code !== 'session_expired') main.append(errorBox('This page could not be shown', e, render));
      }
    } else {
      clear(app);
      await view(app);
    }
    return;
  }
  location.hash = '#/';
}

async function shell() {
  const claims = session.claims();
  const tid = currentTenantId();
  if (tid && !claims.tenant) sessionStorage.setItem('overcast.tenant', tid);
  const here = location.hash || '#/';
  const link = (href, text) => h('a', { href, 'aria-current': (href === '#/' ? here === '#/' : here.startsWith(href)) ? 'page' : null }, text);
  const nav = h('nav', { 'aria-label': 'Main' });
  if (!claims.tenant) nav.append(link('#/', 'Overview'));
  if (tid) {
    nav.append(link(`#/t/${tid}/instances`, 'Instances'), link(`#/t/${tid}/enrolment`, 'Enrolment'),
      link(`#/t/${tid}/alerts`, 'Alerts'), link(`#/t/${tid}/channels`, 'Channels'),
      link(`#/t/${tid}/licenses`, 'Licenses'), link(`#/t/${tid}/billing`, 'Billing'));
  }
  nav.append(link('#/users', 'Users'), link('#/audit', 'Audit log'));
  let switcher = null;
  if (!claims.tenant) {
    switcher = h('select', { 'aria-label': 'Tenant', 'data-test': 'tenant-switcher', onchange: e => {
      const v = e.target.value;
      if (v) { sessionStorage.setItem('overcast.tenant', v); location.hash = `#/t/${v}/instances`; }
      else { sessionStorage.removeItem('overcast.tenant'); location.hash = '#/'; }
    } }, h('option', { value: '' }, 'All tenants'));
    try {
      for (const t of await tenants()) switcher.append(h('option', { value: t.id, selected: t.id === tid ? '' : null }, t.name));
    } catch { /* the page below reports errors */ }
  }
  const theme = h('button', { 'aria-label': 'Switch light or dark theme', title: 'Theme', onclick: () => {
    const cur = document.documentElement.dataset.theme || (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
    const next = cur === 'dark' ? 'light' : 'dark';
    document.documentElement.dataset.theme = next;
    localStorage.setItem('overcast.theme', next);
  } }, '◐');
  const main = h('main', { id: 'main', tabindex: '-1' });
  clear(app);
  app.append(
    h('header', { class: 'top' },
      h('a', { class: 'brand', href: claims.tenant ? `#/t/${claims.tenant}/instances` : '#/' }, 'Overcast'),
      switcher, nav,
      h('span', { id: 'live', class: 'live ' + (events.connected ? 'on' : 'off') }, events.connected ? 'Live' : 'Connecting'),
      h('span', { class: 'me hide-narrow', 'data-test': 'me' }, `${claims.email} · ${session.role().toLowerCase()}`),
      theme,
      h('button', { 'data-test': 'sign-out', onclick: () => leaveTo('#/login') }, 'Sign out')),
    main);
  return main;
}

// ------------------------------------------------------------------ views

async function viewLogin(root) {
  const error = h('div');
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: '' });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: '' });
  const submit = h('button', { class: 'primary', type: 'submit' }, 'Sign in');
  const form = h('form', { onsubmit: async e => {
    e.preventDefault();
    submit.disabled = true;
    clear(error);
    try {
      const r = await api('POST', '/api/v1/auth/login', { email: email.value, password: password.value });
      session.token = r.accessToken;
      tenantsCache = null;
      location.hash = params().get('next') || '#/';
    } catch (err) {
      error.append(errorBox('Sign-in failed', err.code === 'invalid_credentials'
        ? Object.assign(err, { message: 'The e-mail or password is not right.' }) : err));
    } finally { submit.disabled = false; }
  } }, h('label', {}, 'E-mail', email), h('label', {}, 'Password', password), submit);
  root.append(h('main', { id: 'main', class: 'login panel' }, h('h1', {}, 'Sign in to Overcast'), error, form));
  email.focus();
}

async function viewOverview(main) {
  const claims = session.claims();
  if (claims.tenant) { location.hash = `#/t/${claims.tenant}/instances`; return; }
  main.append(h('h1', {}, 'Fleet overview'));
  const body = h('div');
  main.append(body);
  if (session.can('ADMIN')) {
    const name = h('input', { name: 'tenant-name', placeholder: 'Customer name', required: '', maxlength: '100' });
    const err = h('div');
    body.before(h('form', { class: 'panel row', 'data-test': 'new-tenant', onsubmit: async e => {
      e.preventDefault();
      clear(err);
      try {
        const t = await api('POST', '/api/v1/tenants', { name: name.value });
        tenantsCache = null;
        toast(h('div', { class: 'notice' }, `Tenant ${t.name} created.`));
        name.value = '';
        await render();
      } catch (x) { err.append(errorBox('The tenant was not created', x)); }
    } }, h('label', { class: 'grow' }, 'New tenant', name), h('button', { class: 'primary' }, 'Create tenant'), err));
  }
  const load = async () => {
    let rows;
    try { rows = await api('GET', '/api/v1/fleet/summary'); }
    catch (e) { clear(body).append(errorBox('The fleet could not be loaded', e, load)); return; }
    const sum = k => rows.reduce((a, r) => a + r[k], 0);
    clear(body).append(
      h('div', { class: 'cards' },
        card('Tenants', rows.length), card('Instances', sum('total')), card('Online', sum('online'), 's-ONLINE'),
        card('Offline', sum('offline'), 's-OFFLINE'), card('Revoked', sum('revoked')), card('Open alerts', sum('openAlerts'))),
      rows.length === 0 ? h('div', { class: 'panel empty' }, 'No tenants yet. Create one for your first customer above.')
        : h('div', { class: 'panel table-wrap' }, h('table', {},
          h('thead', {}, h('tr', {}, ...['Tenant', 'Online', 'Offline', 'Pending', 'Revoked', 'Open alerts', 'Worst problem'].map(t => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, ...rows.map(r => h('tr', { class: 'clickable', 'data-test': 'tenant-row', onclick: () => { location.hash = `#/t/${r.tenantId}/instances`; } },
            h('td', {}, h('a', { href: `#/t/${r.tenantId}/instances` }, r.name)),
            h('td', { class: 's-ONLINE' }, fmtNumber(r.online)), h('td', { class: r.offline ? 's-OFFLINE' : '' }, fmtNumber(r.offline)),
            h('td', {}, fmtNumber(r.pending)), h('td', {}, fmtNumber(r.revoked)), h('td', {}, fmtNumber(r.openAlerts)),
            h('td', {}, r.worst ? h('span', { class: 's-OFFLINE' }, `${r.worst.instanceName} offline since ${fmtAgo(r.worst.since)}`) : h('span', { class: 'muted' }, 'None'))))))));
  };
  await load();
  const refresh = debounce(load, 300);
  cleanup.push(events.on(() => refresh()));
}

function card(label, n, cls) {
  return h('div', { class: 'card' }, h('div', { class: 'muted small' }, label), h('div', { class: 'n ' + (cls || '') }, fmtNumber(n)));
}

function statusBadge(s) { return h('span', { class: 'badge s-' + s, 'data-status': s }, s); }

async function viewInstances(main, tid) {
  const p = params();
  const state = { q: p.get('q') || '', status: p.get('status') || '', product: p.get('product') || '', tag: p.get('tag') || '',
    sort: p.get('sort') || 'name', page: Number(p.get('page') || 0), size: 50 };
  const tenant = (await tenants().catch(() => [])).find(t => t.id === tid);
  main.append(h('h1', {}, tenant ? `Instances of ${tenant.name}` : 'Instances'));
  const q = h('input', { type: 'search', name: 'q', placeholder: 'Name, host or system id', value: state.q, 'aria-label': 'Search' });
  const status = h('select', { name: 'status', 'aria-label': 'Status' }, ...['', 'ONLINE', 'OFFLINE', 'PENDING', 'REVOKED'].map(s => h('option', { value: s, selected: s === state.status ? '' : null }, s || 'Any status')));
  const product = h('select', { name: 'product', 'aria-label': 'Product' }, ...['', 'ntopng', 'nprobe', 'ntap', 'n2disk', 'agent'].map(s => h('option', { value: s, selected: s === state.product ? '' : null }, s || 'Any product')));
  const tag = h('input', { name: 'tag', placeholder: 'Tag', value: state.tag, 'aria-label': 'Tag' });
  const body = h('div');
  main.append(h('div', { class: 'panel row' }, h('label', { class: 'grow' }, 'Search', q), h('label', {}, 'Status', status), h('label', {}, 'Product', product), h('label', {}, 'Tag', tag)), body);
  const columns = [['name', 'Name'], ['status', 'Status'], ['product', 'Product'], [null, 'Version'], [null, 'Host'], [null, 'Tags'], ['lastSeen', 'Last seen']];
  const load = async () => {
    const qs = new URLSearchParams();
    for (const k of ['q', 'status', 'product', 'tag']) if (state[k]) qs.set(k, state[k]);
    if (state.sort !== 'name') qs.set('sort', state.sort);
    if (state.page) qs.set('page', state.page);
    setParams(qs);
    qs.set('size', state.size);
    let page;
    try { page = await api('GET', `/api/v1/tenants/${tid}/instances?${qs}`); }
    catch (e) { clear(body).append(errorBox('The instances could not be loaded', e, load)); return; }
    if (page.total === 0) {
      const filtered = state.q || state.status || state.product || state.tag;
      clear(body).append(h('div', { class: 'panel empty', 'data-test': 'empty' }, filtered ? 'No instance matches these filters.'
        : h('span', {}, 'No instances yet. ', h('a', { href: `#/t/${tid}/enrolment` }, 'Create an enrolment token'), ' and run the edge connector on a monitor host.')));
      return;
    }
    const head = columns.map(([key, label]) => {
      if (!key) return h('th', { scope: 'col' }, label);
      const active = state.sort === key || state.sort === '-' + key;
      const desc = state.sort === '-' + key;
      return h('th', { scope: 'col', 'aria-sort': active ? (desc ? 'descending' : 'ascending') : 'none' },
        h('button', { class: 'sort', onclick: () => { state.sort = active && !desc ? '-' + key : key; state.page = 0; load(); } }, label + (active ? (desc ? ' ▼' : ' ▲') : '')));
    });
    const pages = Math.max(1, Math.ceil(page.total / state.size));
    clear(body).append(h('div', { class: 'panel table-wrap' },
      h('table', { 'data-test': 'instances' }, h('thead', {}, h('tr', {}, ...head)),
        h('tbody', {}, ...page.items.map(i => h('tr', { class: 'clickable', 'data-id': i.id, 'data-name': i.name, onclick: () => { location.hash = `#/t/${tid}/instances/${i.id}`; } },
          h('td', {}, h('a', { href: `#/t/${tid}/instances/${i.id}` }, i.name)), h('td', {}, statusBadge(i.status)),
          h('td', {}, i.product), h('td', {}, i.version || '—'), h('td', {}, i.hostname || '—'),
          h('td', {}, (i.tags || []).join(', ') || '—'), h('td', { title: fmtTime(i.lastSeen) }, i.lastSeen ? fmtAgo(i.lastSeen) : 'never'))))),
      h('div', { class: 'pager' }, h('span', { class: 'muted' }, `${fmtNumber(page.total)} ${page.total === 1 ? 'instance' : 'instances'} · page ${state.page + 1} of ${pages}`),
        h('button', { disabled: state.page === 0 ? '' : null, onclick: () => { state.page--; load(); } }, 'Previous'),
        h('button', { disabled: state.page + 1 >= pages ? '' : null, onclick: () => { state.page++; load(); } }, 'Next'))));
  };
  const reload = debounce(() => { state.page = 0; load(); }, 300);
  q.addEventListener('input', () => { state.q = q.value.trim(); reload(); });
  tag.addEventListener('input', () => { state.tag = tag.value.trim(); reload(); });
  status.addEventListener('change', () => { state.status = status.value; state.page = 0; load(); });
  product.addEventListener('change', () => { state.product = product.value; state.page = 0; load(); });
  await load();
  const refresh = debounce(load, 250);
  cleanup.push(events.on(ev => { if (ev.kind === 'resync' || (ev.tenant === tid && ev.kind === 'instance')) refresh(); }));
}

async function viewInstance(main, tid, id) {
  const body = h('div');
  main.append(body);
  let range = '1h';
  const load = async () => {
    let i, alerts;
    try {
      [i, alerts] = await Promise.all([api('GET', `/api/v1/tenants/${tid}/instances/${id}`),
        api('GET', `/api/v1/tenants/${tid}/alerts?instanceId=${id}&size=50`)]);
    } catch (e) { clear(body).append(errorBox('The instance could not be loaded', e, load)); return; }
    const actions = h('div', { class: 'row' });
    if (session.can('OPERATOR') && i.status !== 'REVOKED') {
      actions.append(
        h('button', { 'data-test': 'rename', onclick: () => rename(i) }, 'Rename'),
        h('button', { 'data-test': 'tags', onclick: () => editTags(i) }, 'Edit tags'),
        h('button', { class: 'danger', 'data-test': 'revoke', onclick: async () => {
          if (!await confirmDialog(`Revoke ${i.name}?`, 'Its certificate stops working at once and its session is closed. It must be enrolled again to come back.', 'Revoke')) return;
          try { await api('POST', `/api/v1/tenants/${tid}/instances/${id}/revoke`); await load(); }
          catch (e) { toast(errorBox('The instance was not revoked', e)); }
        } }, 'Revoke'));
    }
    if (session.can('OPERATOR')) {
      actions.append(h('button', { class: 'danger', 'data-test': 'decommission', onclick: async () => {
        if (!await confirmDialog(`Decommission ${i.name}?`, 'The instance, its certificates and its health history are deleted. Alerts keep its name.', 'Decommission')) return;
        try { await api('DELETE', `/api/v1/tenants/${tid}/instances/${id}`); location.hash = `#/t/${tid}/instances`; }
        catch (e) { toast(errorBox('The instance was not decommissioned', e)); }
      } }, 'Decommission'));
    }
    const health = i.health || {};
    const charts = h('div');
    const seg = h('div', { class: 'seg', role: 'group', 'aria-label': 'Time range' }, ...['1h', '24h', '7d'].map(r =>
      h('button', { 'aria-pressed': r === range ? 'true' : 'false', onclick: () => { range = r; load(); } }, r)));
    clear(body).append(
      h('p', {}, h('a', { href: `#/t/${tid}/instances` }, '← Instances')),
      h('div', { class: 'row' }, h('h1', { class: 'grow', 'data-test': 'instance-name' }, i.name, ' ', statusBadge(i.status)), actions),
      h('div', { class: 'panel' }, h('dl', { class: 'facts' },
        ...fact('Product', `${i.product}${i.version ? ' ' + i.version : ''}`), ...fact('Host', i.hostname || '—'),
        ...fact('System id', i.systemId), ...fact('Tags', (i.tags || []).join(', ') || '—'),
        ...fact('Status', `${i.status} since ${fmtTime(i.statusChangedAt)}`), ...fact('Last seen', i.lastSeen ? `${fmtTime(i.lastSeen)} (${fmtAgo(i.lastSeen)})` : 'never'),
        ...fact('Overlay address', i.overlayAddress || 'not on the overlay yet'),
        ...fact('Certificate expires', i.certificateNotAfter ? `${fmtTime(i.certificateNotAfter)} (${fmtAgo(i.certificateNotAfter)})` : '—'),
        ...fact('Enrolled', fmtTime(i.enrolledAt)),
        ...fact('Licenses', (i.licenses || []).length === 0 ? 'none asked for'
          : h('span', { 'data-test': 'instance-licenses' }, ...(i.licenses || []).map(l => h('span', { class: 'lic' },
            `${l.product} ${l.edition}: `, h('span', { class: 'badge s-' + l.state }, l.state),
            l.until ? ` until ${fmtTime(l.until)}` : '', l.problem ? ` (${l.problem.replace(/_/g, ' ')})` : '')))),
        ...fact('Load (1, 5, 15 min)', health.load1 !== undefined ? [health.load1, health.load5, health.load15].map(v => Number(v).toFixed(2)).join(', ') : '—'),
        ...fact('Memory', health.memTotalBytes ? `${fmtBytes(health.memUsedBytes)} used of ${fmtBytes(health.memTotalBytes)}` : '—'),
        ...fact('Disks', (health.disks || []).map(d => `${d.path}: ${fmtBytes(d.freeBytes)} free of ${fmtBytes(d.totalBytes)}`).join(' · ') || '—'),
        ...fact('Monitor', health.monitor ? `${health.monitor.status || ''}${health.monitor.detail ? ' — ' + health.monitor.detail : ''}` : '—'),
        ...fact('Uptime', health.uptimeSeconds ? `${Math.floor(health.uptimeSeconds / 86400)} d ${Math.floor(health.uptimeSeconds % 86400 / 3600)} h` : '—'))),
      h('div', { class: 'row' }, h('h2', { class: 'grow' }, 'Health'), seg), charts,
      h('h2', {}, 'Status timeline and events'), timeline(alerts, i),
      alerts.length === 0 ? h('div', { class: 'panel empty' }, 'No events for this instance yet.')
        : h('div', { class: 'panel table-wrap' }, h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'When'), h('th', {}, 'Event'), h('th', {}, 'Message'))),
          h('tbody', {}, ...alerts.map(a => h('tr', {}, h('td', { title: fmtTime(a.createdAt) }, fmtAgo(a.createdAt)), h('td', {}, statusBadge(a.kind)), h('td', {}, a.message)))))));
    const hours = range === '1h' ? 1 : range === '24h' ? 24 : 168;
    const from = new Date(Date.now() - hours * 3600e3).toISOString();
    try {
      const points = await api('GET', `/api/v1/tenants/${tid}/instances/${id}/health?from=${encodeURIComponent(from)}`);
      if (points.length === 0) charts.append(h('div', { class: 'panel empty' }, 'No health samples in this range yet (one per minute while the instance is online).'));
      else charts.append(h('div', { class: 'panel' },
        chart('Load (1 min)', points, p => p.load1, v => v.toFixed(2)),
        chart('Memory used', points, p => p.memTotal ? p.memUsed : null, fmtBytes),
        chart('Smallest free disk', points, p => p.diskFreeMin, fmtBytes)));
    } catch (e) { charts.append(errorBox('Health history could not be loaded', e)); }
  };
  const rename = async i => {
    const input = h('input', { value: i.name, maxlength: '100', 'aria-label': 'New name' });
    const r = await promptDialog(`Rename ${i.name}`, input, 'Rename');
    if (!r) return;
    try { await api('PATCH', `/api/v1/tenants/${tid}/instances/${id}`, { name: input.value }); await load(); }
    catch (e) { toast(errorBox('The instance was not renamed', e)); }
  };
  const editTags = async i => {
    const input = h('input', { value: (i.tags || []).join(', '), 'aria-label': 'Tags, separated by commas' });
    const r = await promptDialog(`Tags of ${i.name}`, input, 'Save');
    if (!r) return;
    const tags = input.value.split(',').map(s => s.trim()).filter(Boolean);
    try { await api('PATCH', `/api/v1/tenants/${tid}/instances/${id}`, { tags }); await load(); }
    catch (e) { toast(errorBox('The tags were not saved', e)); }
  };
  await load();
  const refresh = debounce(load, 250);
  cleanup.push(events.on(ev => { if (ev.kind === 'resync' || (ev.kind === 'instance' && ev.id === id)) refresh(); }));
}

/** ONLINE/OFFLINE over the last 7 days as a bar, from the instance's transition alerts. */
function timeline(alerts, instance) {
  const end = Date.now();
  const start = end - 7 * 86400e3;
  const changes = alerts.filter(a => a.kind === 'ONLINE' || a.kind === 'OFFLINE')
    .map(a => [new Date(a.createdAt).getTime(), a.kind]).sort((x, y) => x[0] - y[0]);
  const bar = h('div', { class: 'timeline', role: 'img', 'aria-label': 'Status over the last 7 days' });
  let t = Math.max(start, new Date(instance.enrolledAt).getTime());
  let state = changes.length && changes[0][0] > t ? (changes[0][1] === 'ONLINE' ? 'OFFLINE' : 'ONLINE') : 'PENDING';
  const segments = [];
  for (const [at, kind] of changes) {
    if (at > t) segments.push([t, at, state]);
    t = Math.max(t, at);
    state = kind;
  }
  segments.push([t, end, instance.status === 'REVOKED' ? 'REVOKED' : state]);
  for (const [a, b, s] of segments) {
    if (b <= start) continue;
    const left = (Math.max(a, start) - start) / (end - start) * 100;
    const width = (b - Math.max(a, start)) / (end - start) * 100;
    const seg = h('span', { class: 'seg-' + s, title: `${s} from ${fmtTime(new Date(Math.max(a, start)).toISOString())}` });
    // positioned through the CSSOM: the CSP forbids style attributes in markup, not style properties
    seg.style.left = left.toFixed(2) + '%';
    seg.style.width = width.toFixed(2) + '%';
    bar.append(seg);
  }
  return h('div', { class: 'panel' }, bar, h('div', { class: 'row small muted' }, h('span', { class: 'grow' }, '7 days ago'), h('span', {}, 'now')));
}

function fact(k, v) { return [h('dt', {}, k), h('dd', {}, v)]; }

function promptDialog(title, input, action) {
  return new Promise(resolve => {
    const d = h('dialog', {},
      h('form', { method: 'dialog', onsubmit: e => { e.preventDefault(); d.close(); resolve(true); } },
        h('h2', {}, title), h('p', {}, input),
        h('div', { class: 'row' }, h('button', { type: 'button', onclick: () => { d.close(); resolve(false); } }, 'Cancel'), h('button', { class: 'primary', type: 'submit' }, action))));
    d.addEventListener('close', () => { d.remove(); resolve(false); });
    document.body.append(d);
    d.showModal();
    input.focus();
  });
}

async function viewTokens(main, tid) {
  main.append(h('h1', {}, 'Enrolment'));
  const shown = h('div');
  const list = h('div');
  if (session.can('OPERATOR')) {
    const name = h('input', { name: 'token-name', required: '', maxlength: '100', placeholder: 'e.g. Site A probes' });
    const hours = h('input', { name: 'token-hours', type: 'number', min: '1', max: '8760', value: '24' });
    const uses = h('input', { name: 'token-uses', type: 'number', min: '1', max: '10000', value: '1' });
    const tags = h('input', { name: 'token-tags', placeholder: 'site-a, probe' });
    const err = h('div');
    main.append(h('form', { class: 'panel', 'data-test': 'new-token', onsubmit: async e => {
      e.preventDefault();
      clear(err);
      try {
        const t = await api('POST', `/api/v1/tenants/${tid}/enrollment-tokens`, {
          name: name.value, expiresInSeconds: Number(hours.value) * 3600, maxUses: Number(uses.value),
          tags: tags.value.split(',').map(s => s.trim()).filter(Boolean) });
        showToken(t);
        name.value = '';
        await load();
      } catch (x) { err.append(errorBox('The token was not created', x)); }
    } }, h('div', { class: 'row' }, h('label', { class: 'grow' }, 'Name', name), h('label', {}, 'Valid for (hours)', hours),
      h('label', {}, 'Uses', uses), h('label', {}, 'Tags for its instances', tags), h('button', { class: 'primary' }, 'Create token')), err));
  }
  main.append(shown, list);
  const showToken = t => {
    const server = location.origin;
    const commands = `java -jar edge-connector.jar enroll --server ${server} --token ${t.token} --state-dir ./overcast-edge \\\n  && java -jar edge-connector.jar run --state-dir ./overcast-edge`;
    clear(shown).append(h('div', { class: 'panel notice', 'data-test': 'token-shown' },
      h('h2', {}, 'Token created: copy it now'),
      h('p', { class: 'small' }, 'It is shown only this once; Overcast keeps only its hash. Anyone holding it can enrol a host until it expires or is used up.'),
      h('pre', { class: 'code', 'data-test': 'token' }, t.token), copyButton(t.token, 'Copy token'),
      h('h2', {}, 'Enrol a host'),
      h('p', { class: 'small' }, 'On the monitor host, with Java 17 and edge-connector.jar (built by ./mvnw package in edge-connector/, or installed with deploy/systemd/overcast-edge.service):'),
      h('pre', { class: 'code', 'data-test': 'commands' }, commands), copyButton(commands, 'Copy commands')));
  };
  const load = async () => {
    let tokens;
    try { tokens = await api('GET', `/api/v1/tenants/${tid}/enrollment-tokens`); }
    catch (e) { clear(list).append(errorBox('The tokens could not be loaded', e, load)); return; }
    clear(list).append(h('h2', {}, 'Tokens'), tokens.length === 0 ? h('div', { class: 'panel empty' }, 'No enrolment tokens yet.')
      : h('div', { class: 'panel table-wrap' }, h('table', {}, h('thead', {}, h('tr', {}, ...['Name', 'Prefix', 'State', 'Uses', 'Expires', 'Tags', ''].map(t => h('th', {}, t)))),
        h('tbody', {}, ...tokens.map(t => h('tr', { 'data-test': 'token-row' }, h('td', {}, t.name), h('td', {}, h('code', {}, t.prefix)),
          h('td', {}, h('span', { class: 'badge s-' + t.state }, t.state)), h('td', {}, `${t.uses} of ${t.maxUses}`),
          h('td', { title: fmtTime(t.expiresAt) }, fmtAgo(t.expiresAt)), h('td', {}, (t.tags || []).join(', ') || '—'),
          h('td', {}, session.can('OPERATOR') && t.state === 'ACTIVE' ? h('button', { class: 'danger', onclick: async () => {
            if (!await confirmDialog(`Revoke token ${t.name}?`, 'Hosts that have not enrolled with it yet will be refused. Enrolled instances are not affected.', 'Revoke')) return;
            try { await api('DELETE', `/api/v1/tenants/${tid}/enrollment-tokens/${t.id}`); await load(); }
            catch (e) { toast(errorBox('The token was not revoked', e)); }
          } }, 'Revoke') : null)))))));
  };
  await load();
}

async function viewAlerts(main, tid) {
  main.append(h('h1', {}, 'Alerts'));
  const p = params();
  const state = { kind: p.get('kind') || '', open: p.get('open') || '', page: Number(p.get('page') || 0) };
  const kind = h('select', { 'aria-label': 'Kind' }, ...['', 'OFFLINE', 'ONLINE', 'FLAPPING'].map(k => h('option', { value: k, selected: k === state.kind ? '' : null }, k || 'All kinds')));
  const open = h('select', { 'aria-label': 'Acknowledged' }, ...[['', 'All'], ['true', 'Not acknowledged'], ['false', 'Acknowledged']].map(([v, t]) => h('option', { value: v, selected: v === state.open ? '' : null }, t)));
  const body = h('div');
  main.append(h('div', { class: 'panel row' }, h('label', {}, 'Kind', kind), h('label', {}, 'State', open)), body);
  const load = async () => {
    const qs = new URLSearchParams();
    if (state.kind) qs.set('kind', state.kind);
    if (state.open) qs.set('open', state.open);
    if (state.page) qs.set('page', state.page);
    setParams(qs);
    qs.set('size', 50);
    let alerts;
    try { alerts = await api('GET', `/api/v1/tenants/${tid}/alerts?${qs}`); }
    catch (e) { clear(body).append(errorBox('The alerts could not be loaded', e, load)); return; }
    if (alerts.length === 0 && state.page === 0) { clear(body).append(h('div', { class: 'panel empty' }, 'No alerts. Instances that go offline, come back or flap show up here.')); return; }
    clear(body).append(h('div', { class: 'panel table-wrap' }, h('table', { 'data-test': 'alerts' },
      h('thead', {}, h('tr', {}, ...['When', 'Kind', 'Instance', 'Message', 'Notifications', ''].map(t => h('th', {}, t)))),
      h('tbody', {}, ...alerts.map(a => {
        const log = h('div', { class: 'small' });
        return h('tr', { 'data-test': 'alert-row', 'data-kind': a.kind, 'data-instance': a.instanceName || '' },
          h('td', { title: fmtTime(a.createdAt) }, fmtAgo(a.createdAt)), h('td', {}, statusBadge(a.kind)),
          h('td', {}, a.instanceId ? h('a', { href: `#/t/${tid}/instances/${a.instanceId}` }, a.instanceName) : a.instanceName || '—'),
          h('td', {}, a.message),
          h('td', {}, a.notifies ? h('button', { class: 'link', onclick: async () => {
            try {
              const d = await api('GET', `/api/v1/tenants/${tid}/alerts/${a.id}/deliveries`);
              clear(log).append(d.length === 0 ? 'No channel was enabled.' : h('ul', {}, ...d.map(x => h('li', {},
                h('span', { class: 'badge s-' + x.status }, x.status), ` ${x.attempts} attempt(s)`,
                x.deliveredAt ? ` · delivered ${fmtAgo(x.deliveredAt)}` : '', x.lastError ? ` · ${x.lastError}` : ''))));
            } catch (e) { clear(log).append(errorBox('The delivery log could not be loaded', e)); }
          } }, 'Delivery log') : h('span', { class: 'muted' }, 'not notified'), log),
          h('td', {}, a.acknowledgedAt ? h('span', { class: 'muted small' }, 'acknowledged ' + fmtAgo(a.acknowledgedAt))
            : session.can('OPERATOR') ? h('button', { onclick: async () => {
              try { await api('POST', `/api/v1/tenants/${tid}/alerts/${a.id}/acknowledge`); await load(); }
              catch (e) { toast(errorBox('The alert was not acknowledged', e)); }
            } }, 'Acknowledge') : null));
      }))),
      h('div', { class: 'pager' }, h('button', { disabled: state.page === 0 ? '' : null, onclick: () => { state.page--; load(); } }, 'Newer'),
        h('button', { disabled: alerts.length < 50 ? '' : null, onclick: () => { state.page++; load(); } }, 'Older'))));
  };
  kind.addEventListener('change', () => { state.kind = kind.value; state.page = 0; load(); });
  open.addEventListener('change', () => { state.open = open.value; state.page = 0; load(); });
  await load();
  const refresh = debounce(load, 300);
  cleanup.push(events.on(ev => { if (ev.kind === 'resync' || (ev.tenant === tid && ev.kind === 'alert')) refresh(); }));
}

async function viewChannels(main, tid) {
  main.append(h('h1', {}, 'Notification channels'));
  const secret = h('div');
  const list = h('div');
  if (session.can('ADMIN')) {
    const name = h('input', { required: '', maxlength: '100', placeholder: 'On-call webhook' });
    const kind = h('select', {}, h('option', { value: 'WEBHOOK' }, 'Webhook'), h('option', { value: 'EMAIL' }, 'E-mail'));
    const target = h('input', { required: '', placeholder: 'https://… or ops@example.com' });
    const err = h('div');
    main.append(h('form', { class: 'panel', onsubmit: async e => {
      e.preventDefault();
      clear(err);
      try {
        const c = await api('POST', `/api/v1/tenants/${tid}/notification-channels`, { name: name.value, kind: kind.value, target: target.value });
        clear(secret);
        if (c.secret) secret.append(h('div', { class: 'panel notice' }, h('p', {}, 'Webhook signing secret (shown once): verify X-Overcast-Signature with it.'), h('pre', { class: 'code' }, c.secret), copyButton(c.secret, 'Copy secret')));
        name.value = ''; target.value = '';
        await load();
      } catch (x) { err.append(errorBox('The channel was not added', x)); }
    } }, h('div', { class: 'row' }, h('label', { class: 'grow' }, 'Name', name), h('label', {}, 'Kind', kind), h('label', { class: 'grow' }, 'Address', target), h('button', { class: 'primary' }, 'Add channel')), err));
  }
  main.append(secret, list);
  const load = async () => {
    let channels;
    try { channels = await api('GET', `/api/v1/tenants/${tid}/notification-channels`); }
    catch (e) { clear(list).append(errorBox('The channels could not be loaded', e, load)); return; }
    clear(list).append(channels.length === 0 ? h('div', { class: 'panel empty' }, 'No channels: alerts are only shown here. Add a webhook or an e-mail address to be told.')
      : h('div', { class: 'panel table-wrap' }, h('table', {}, h('thead', {}, h('tr', {}, ...['Name', 'Kind', 'Address', 'Enabled', ''].map(t => h('th', {}, t)))),
        h('tbody', {}, ...channels.map(c => {
          const result = h('div', { class: 'small' });
          const failures = h('button', { class: 'link', onclick: async () => {
            try {
              const d = await api('GET', `/api/v1/tenants/${tid}/notification-channels/${c.id}/deliveries?status=FAILED`);
              clear(result).append(d.length === 0 ? h('span', { class: 's-ONLINE' }, 'No failed deliveries.')
                : h('ul', {}, ...d.map(x => h('li', {}, `${fmtAgo(x.createdAt)}: ${x.alertKind} — ${x.lastError || 'failed'} (${x.attempts} attempts)`))));
            } catch (e) { clear(result).append(errorBox('The deliveries could not be loaded', e)); }
          } }, 'Failed deliveries');
          return h('tr', {}, h('td', {}, c.name), h('td', {}, c.kind), h('td', {}, c.target), h('td', {}, c.enabled ? 'yes' : 'no'),
            h('td', {}, failures, session.can('ADMIN') ? h('div', { class: 'row' },
              h('button', { onclick: async () => {
                clear(result).append('Sending…');
                try { await api('POST', `/api/v1/tenants/${tid}/notification-channels/${c.id}/test`); clear(result).append(h('span', { class: 's-ONLINE' }, 'Test delivered.')); }
                catch (e) { clear(result).append(errorBox('The test failed', e)); }
              } }, 'Send test'),
              h('button', { onclick: async () => {
                try { await api('PATCH', `/api/v1/tenants/${tid}/notification-channels/${c.id}`, { enabled: !c.enabled }); await load(); }
                catch (e) { toast(errorBox('The channel was not changed', e)); }
              } }, c.enabled ? 'Disable' : 'Enable'),
              h('button', { class: 'danger', onclick: async () => {
                if (!await confirmDialog(`Delete ${c.name}?`, 'Alerts will no longer be sent to it.', 'Delete')) return;
                try { await api('DELETE', `/api/v1/tenants/${tid}/notification-channels/${c.id}`); await load(); }
                catch (e) { toast(errorBox('The channel was not deleted', e)); }
              } }, 'Delete')) : null, result));
        })))));
  };
  await load();
}

// ------------------------------------------------------------------ licensing

function licenseUse(l) {
  if (l.kind === 'POOLED') return `${fmtNumber(l.seatsInUse)} of ${fmtNumber(l.seats)} seats in use`;
  if (l.kind === 'DAILY') return `${fmtNumber(l.daysThisMonth)} day${l.daysThisMonth === 1 ? '' : 's'} used this month`;
  return l.systemId ? `locked to ${l.systemId}` : l.instanceId ? 'assigned' : 'not assigned';
}

function licenseValidity(l) {
  if (l.kind === 'PERMANENT') return l.maintenanceUntil ? `perpetual; maintenance until ${fmtTime(l.maintenanceUntil)}` : 'perpetual';
  return l.expiresAt ? `until ${fmtTime(l.expiresAt)}` : 'while paid';
}

async function download(tid, l) {
  const resp = await fetch(`/api/v1/tenants/${tid}/licenses/${l.id}/file`, { headers: { Authorization: 'Bearer ' + session.token } });
  if (!resp.ok) throw new ApiError(resp.status, 'download_failed', 'The license file could not be downloaded.');
  const url = URL.createObjectURL(await resp.blob());
  const a = h('a', { href: url, download: `overcast-license-${l.id}.jws` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

async function viewLicenses(main, tid) {
  main.append(h('h1', {}, 'Licenses'));
  const list = h('div');
  let instances = [];
  if (session.can('ADMIN')) {
    // The operator's path (a private cloud runs with billing off): issue from a plan, signed with this deployment's key.
    const plans = await api('GET', '/api/v1/plans').catch(() => []);
    const plan = h('select', { 'aria-label': 'Plan' }, ...plans.map(p => h('option', { value: p.id }, p.name)));
    const system = h('input', { placeholder: 'system id (permanent licenses)', maxlength: '200' });
    const seats = h('input', { type: 'number', min: '1', max: '100000', placeholder: 'seats', 'aria-label': 'Seats' });
    const err = h('div');
    main.append(h('details', { class: 'panel' }, h('summary', {}, 'Issue a license without payment'),
      h('form', { 'data-test': 'issue-license', onsubmit: async e => {
        e.preventDefault();
        clear(err);
        const body = { planId: plan.value };
        if (system.value.trim()) body.systemId = system.value.trim();
        if (seats.value) body.seats = Number(seats.value);
        try { await api('POST', `/api/v1/tenants/${tid}/licenses`, body); system.value = ''; seats.value = ''; await load(); }
        catch (x) { err.append(errorBox('The license was not issued', x)); }
      } }, h('div', { class: 'row' }, h('label', { class: 'grow' }, 'Plan', plan), h('label', {}, 'System id', system),
        h('label', {}, 'Seats', seats), h('button', { class: 'primary' }, 'Issue')), err)));
  }
  main.append(list);
  const load = async () => {
    let licenses;
    try {
      licenses = await api('GET', `/api/v1/tenants/${tid}/licenses`);
      if (session.can('OPERATOR')) instances = (await api('GET', `/api/v1/tenants/${tid}/instances?size=200&sort=name`)).items;
    } catch (e) { clear(list).append(errorBox('The licenses could not be loaded', e, load)); return; }
    if (licenses.length === 0) {
      clear(list).append(h('div', { class: 'panel empty' }, 'No licenses yet. ', h('a', { href: `#/t/${tid}/billing` }, 'Buy one'),
        ', or run instances against daily and pooled licenses once the tenant has them.'));
      return;
    }
    clear(list).append(h('div', { class: 'panel table-wrap' }, h('table', { 'data-test': 'licenses' },
      h('thead', {}, h('tr', {}, ...['Product', 'Kind', 'Use', 'Valid', 'Status', 'Source', ''].map(t => h('th', {}, t)))),
      h('tbody', {}, ...licenses.map(l => {
        const err = h('div', { class: 'small' });
        const assign = session.can('OPERATOR') && l.status === 'ACTIVE' && (l.kind === 'PERMANENT' || l.kind === 'SUBSCRIPTION')
          ? h('select', { 'aria-label': 'Assign to instance', onchange: async e => {
              clear(err);
              try {
                if (e.target.value) await api('POST', `/api/v1/tenants/${tid}/licenses/${l.id}/assign`, { instanceId: e.target.value });
                else await api('POST', `/api/v1/tenants/${tid}/licenses/${l.id}/release`);
                await load();
              } catch (x) { err.append(errorBox('The license was not assigned', x)); }
            } }, h('option', { value: '' }, 'Not assigned'), ...instances.map(i => h('option', { value: i.id, selected: i.id === l.instanceId ? '' : null }, i.name)))
          : null;
        return h('tr', { 'data-test': 'license-row', 'data-kind': l.kind, 'data-status': l.status },
          h('td', {}, `${l.product} ${l.edition.replace(/_/g, ' ')}`), h('td', {}, l.kind.toLowerCase()),
          h('td', { 'data-test': 'license-use' }, licenseUse(l)), h('td', {}, licenseValidity(l)),
          h('td', {}, h('span', { class: 'badge s-' + l.status }, l.status)), h('td', {}, l.source === 'STRIPE' ? 'purchase' : 'issued'),
          h('td', {}, h('div', { class: 'row' }, assign, h('button', { onclick: async () => {
            clear(err);
            try { await download(tid, l); } catch (x) { err.append(errorBox('The file was not downloaded', x)); }
          } }, 'Download')), err));
      })))));
  };
  await load();
}

async function viewBilling(main, tid) {
  main.append(h('h1', {}, 'Billing'));
  const p = params();
  if (p.get('checkout') === 'success') main.append(h('div', { class: 'panel notice', role: 'status' }, 'Payment received. The licenses appear once Stripe confirms it, usually within seconds.'));
  if (p.get('checkout') === 'cancelled') main.append(h('div', { class: 'panel notice', role: 'status' }, 'Checkout cancelled: nothing was charged.'));
  const usageBox = h('div');
  const buyBox = h('div');
  const purchasesBox = h('div');
  main.append(h('h2', {}, 'Daily use this month'), usageBox, h('h2', {}, 'Buy'), buyBox, h('h2', {}, 'Purchases'), purchasesBox);
  const [usage, status, plans, purchases] = await Promise.all([
    api('GET', `/api/v1/tenants/${tid}/usage`), api('GET', '/api/v1/billing'), api('GET', '/api/v1/plans'),
    api('GET', `/api/v1/tenants/${tid}/billing/purchases`)]);
  usageBox.append(usage.days.length === 0
    ? h('div', { class: 'panel empty', 'data-test': 'usage' }, 'No days consumed this month. A day counts once per instance running a daily-licensed product that day (UTC).')
    : h('div', { class: 'panel table-wrap', 'data-test': 'usage' },
      h('p', {}, h('strong', { 'data-test': 'usage-total' }, fmtNumber(usage.total)), ` instance-day${usage.total === 1 ? '' : 's'} from ${usage.from} to ${usage.to} (UTC)`),
      h('table', {}, h('thead', {}, h('tr', {}, ...['Day', 'Product', 'Instances'].map(t => h('th', {}, t)))),
        h('tbody', {}, ...usage.days.map(d => h('tr', {}, h('td', {}, d.day), h('td', {}, `${d.product} ${d.edition.replace(/_/g, ' ')}`), h('td', {}, fmtNumber(d.instances))))))));
  const claims = session.claims();
  if (!status.enabled) {
    buyBox.append(h('div', { class: 'panel empty' }, 'Billing is off on this deployment: licenses are issued by its operator.'));
  } else if (claims.tenant || !session.can('ADMIN')) {
    buyBox.append(h('div', { class: 'panel empty' }, 'Purchases are made by the organization\'s administrators.'));
  } else {
    const forSale = plans.filter(x => x.stripePrice);
    buyBox.append(h('div', { class: 'panel table-wrap' }, h('table', { 'data-test': 'plans' },
      h('thead', {}, h('tr', {}, ...['Plan', 'Kind', 'Term', ''].map(t => h('th', {}, t)))),
      h('tbody', {}, ...forSale.map(x => {
        const qty = x.kind === 'PERMANENT' || x.kind === 'DAILY' ? null
          : h('input', { type: 'number', min: '1', max: '10000', value: x.kind === 'POOLED' ? String(x.seats) : '1', 'aria-label': `${x.kind === 'POOLED' ? 'Seats' : 'Quantity'} of ${x.name}`, class: 'qty' });
        const system = x.kind === 'PERMANENT' ? h('input', { placeholder: 'system id', 'aria-label': `System id for ${x.name}`, maxlength: '200' }) : null;
        const err = h('div', { class: 'small' });
        return h('tr', { 'data-test': 'plan-row', 'data-plan': x.id }, h('td', {}, x.name), h('td', {}, x.kind.toLowerCase()),
          h('td', {}, x.kind === 'DAILY' ? 'billed per instance-day' : x.kind === 'PERMANENT' ? 'one-off, node-locked' : `${x.durationDays} days`),
          h('td', {}, h('div', { class: 'row' }, qty, system, h('button', { class: 'primary', 'data-test': 'buy', onclick: async ev => {
            clear(err);
            const body = { planId: x.id };
            if (qty) body.quantity = Number(qty.value);
            if (system) body.systemId = system.value.trim() || undefined;
            ev.target.disabled = true;
            try { const c = await api('POST', `/api/v1/tenants/${tid}/billing/checkout`, body); location.assign(c.url); }
            catch (e) { err.append(errorBox('Checkout could not start', e)); ev.target.disabled = false; }
          } }, 'Buy')), err));
      })))));
  }
  purchasesBox.append(purchases.length === 0 ? h('div', { class: 'panel empty' }, 'No purchases yet.')
    : h('div', { class: 'panel table-wrap' }, h('table', { 'data-test': 'purchases' },
      h('thead', {}, h('tr', {}, ...['When', 'Plan', 'Quantity', 'Status', ''].map(t => h('th', {}, t)))),
      h('tbody', {}, ...purchases.map(x => h('tr', { 'data-test': 'purchase-row', 'data-status': x.status },
        h('td', { title: fmtTime(x.createdAt) }, fmtAgo(x.createdAt)), h('td', {}, x.planId), h('td', {}, fmtNumber(x.quantity)),
        h('td', {}, h('span', { class: 'badge s-' + x.status }, x.status.replace(/_/g, ' ').toLowerCase()), x.endedReason ? ` (${x.endedReason.replace(/_/g, ' ')})` : ''),
        h('td', {}, x.checkoutUrl ? h('a', { href: x.checkoutUrl }, 'Continue to payment') : null)))))));
}

async function viewUsers(main) {
  main.append(h('h1', {}, 'Users and roles'));
  const claims = session.claims();
  const list = h('div');
  const tenantList = claims.tenant ? [] : await tenants().catch(() => []);
  if (session.can('ADMIN')) {
    const email = h('input', { type: 'email', required: '', placeholder: 'name@example.com', autocomplete: 'off' });
    const password = h('input', { type: 'password', required: '', minlength: '12', autocomplete: 'new-password', placeholder: 'at least 12 characters' });
    const role = h('select', {}, ...ROLES.filter(r => session.can(r)).map(r => h('option', { value: r }, r.toLowerCase())));
    const scope = h('select', {}, claims.tenant ? h('option', { value: claims.tenant }, 'This tenant')
      : [h('option', { value: '' }, 'Whole organization'), ...tenantList.map(t => h('option', { value: t.id }, t.name))]);
    const err = h('div');
    main.append(h('form', { class: 'panel', 'data-test': 'new-user', onsubmit: async e => {
      e.preventDefault();
      clear(err);
      try {
        await api('POST', '/api/v1/users', { email: email.value, password: password.value, role: role.value, tenantId: scope.value || null });
        email.value = ''; password.value = '';
        toast(h('div', { class: 'notice' }, 'User created. Give them their password over a separate channel.'));
        await load();
      } catch (x) { err.append(errorBox('The user was not created', x)); }
    } }, h('div', { class: 'row' }, h('label', { class: 'grow' }, 'E-mail', email), h('label', {}, 'Initial password', password),
      h('label', {}, 'Role', role), h('label', {}, 'Scope', scope), h('button', { class: 'primary' }, 'Create user')), err));
  }
  main.append(list);
  const tenantName = id => (tenantList.find(t => t.id === id) || {}).name || 'this tenant';
  const load = async () => {
    let users;
    try { users = await api('GET', '/api/v1/users'); }
    catch (e) { clear(list).append(errorBox('The users could not be loaded', e, load)); return; }
    clear(list).append(h('div', { class: 'panel table-wrap' }, h('table', { 'data-test': 'users' }, h('thead', {}, h('tr', {}, ...['E-mail', 'Role', 'Scope', 'Created', ''].map(t => h('th', {}, t)))),
      h('tbody', {}, ...users.map(u => h('tr', {}, h('td', {}, u.email),
        h('td', {}, session.can('ADMIN') && u.email !== claims.email ? h('select', { 'aria-label': 'Role of ' + u.email, onchange: async e => {
          try { await api('PATCH', `/api/v1/users/${u.id}`, { role: e.target.value }); await load(); }
          catch (x) { toast(errorBox('The role was not changed', x)); await load(); }
        } }, ...ROLES.map(r => h('option', { value: r, selected: r === u.role ? '' : null }, r.toLowerCase()))) : u.role.toLowerCase()),
        h('td', {}, u.tenantId ? tenantName(u.tenantId) : 'organization'), h('td', {}, fmtTime(u.createdAt)),
        h('td', {}, session.can('ADMIN') && u.email !== claims.email ? h('button', { class: 'danger', onclick: async () => {
          if (!await confirmDialog(`Remove ${u.email}?`, 'They can no longer sign in. Their audit history stays.', 'Remove')) return;
          try { await api('DELETE', `/api/v1/users/${u.id}`); await load(); }
          catch (x) { toast(errorBox('The user was not removed', x)); }
        } }, 'Remove') : null)))))));
  };
  await load();
}

async function viewAudit(main) {
  main.append(h('h1', {}, 'Audit log'));
  const p = params();
  const state = { action: p.get('action') || '', tenantId: p.get('tenantId') || '', page: Number(p.get('page') || 0) };
  const claims = session.claims();
  const tenantList = claims.tenant ? [] : await tenants().catch(() => []);
  const action = h('input', { placeholder: 'e.g. instance.revoked', value: state.action, 'aria-label': 'Action' });
  const tenant = h('select', { 'aria-label': 'Tenant' }, h('option', { value: '' }, 'Any tenant'), ...tenantList.map(t => h('option', { value: t.id, selected: t.id === state.tenantId ? '' : null }, t.name)));
  const body = h('div');
  main.append(h('div', { class: 'panel row' }, h('label', { class: 'grow' }, 'Action', action), claims.tenant ? null : h('label', {}, 'Tenant', tenant)), body);
  const load = async () => {
    const qs = new URLSearchParams();
    if (state.action) qs.set('action', state.action);
    if (state.tenantId) qs.set('tenantId', state.tenantId);
    if (state.page) qs.set('page', state.page);
    setParams(qs);
    qs.set('size', 50);
    let rows;
    try { rows = await api('GET', `/api/v1/audit?${qs}`); }
    catch (e) { clear(body).append(errorBox('The audit log could not be loaded', e, load)); return; }
    const items = Array.isArray(rows) ? rows : rows.items || [];
    clear(body).append(items.length === 0 ? h('div', { class: 'panel empty' }, 'Nothing recorded for these filters.')
      : h('div', { class: 'panel table-wrap' }, h('table', {}, h('thead', {}, h('tr', {}, ...['When', 'Who', 'Action', 'Target', 'From'].map(t => h('th', {}, t)))),
        h('tbody', {}, ...items.map(a => h('tr', {}, h('td', { title: fmtTime(a.at) }, fmtTime(a.at)), h('td', {}, a.actor || 'system'),
          h('td', {}, h('code', {}, a.action)), h('td', {}, `${a.targetType || ''} ${a.targetId || ''}`), h('td', {}, a.sourceIp || '—'))))),
        h('div', { class: 'pager' }, h('button', { disabled: state.page === 0 ? '' : null, onclick: () => { state.page--; load(); } }, 'Newer'),
          h('button', { disabled: items.length < 50 ? '' : null, onclick: () => { state.page++; load(); } }, 'Older'))));
  };
  action.addEventListener('input', debounce(() => { state.action = action.value.trim(); state.page = 0; load(); }, 300));
  tenant.addEventListener('change', () => { state.tenantId = tenant.value; state.page = 0; load(); });
  await load();
}

// ------------------------------------------------------------------ start

const savedTheme = localStorage.getItem('overcast.theme');
if (savedTheme) document.documentElement.dataset.theme = savedTheme;
window.addEventListener('hashchange', render);
// A token that expires while the page is open sends the user to sign-in, keeping the page to come back to.
setInterval(() => { if (session.token && !session.claims()) signInAgain(); }, 15000);
render();
