// A line chart as inline SVG: no library. Long ranges are reduced to at most 300 points (mean per bucket).
import { h, fmtTime } from './ui.js';

const NS = 'http://www.w3.org/2000/svg';

function svg(tag, attrs, text) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (text !== undefined) el.textContent = text;
  return el;
}

export function chart(title, points, pick, format) {
  const raw = points.map(p => [new Date(p.at).getTime(), pick(p)]).filter(([, v]) => v !== null && v !== undefined);
  const figure = h('figure', { class: 'figure' }, h('figcaption', { class: 'small muted' }, title));
  if (raw.length === 0) { figure.append(h('div', { class: 'muted small' }, 'No data.')); return figure; }
  const step = Math.ceil(raw.length / 300);
  const data = [];
  for (let i = 0; i < raw.length; i += step) {
    const slice = raw.slice(i, i + step);
    data.push([slice[0][0], slice.reduce((a, [, v]) => a + v, 0) / slice.length]);
  }
  const W = 1000, H = 150, L = 70, B = 18;
  const t0 = data[0][0], t1 = Math.max(data[data.length - 1][0], t0 + 1);
  const max = Math.max(...data.map(d => d[1])) || 1;
  const x = t => L + (t - t0) / (t1 - t0) * (W - L - 4);
  const y = v => 4 + (1 - v / max) * (H - B - 8);
  const root = svg('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img',
    'aria-label': `${title}: latest ${format(data[data.length - 1][1])}, highest ${format(max)}` });
  root.append(svg('line', { class: 'axis', x1: L, y1: H - B, x2: W, y2: H - B }),
    svg('text', { x: 2, y: 12 }, format(max)), svg('text', { x: 2, y: H - B }, format(0)),
    svg('text', { x: L, y: H - 4 }, fmtTime(new Date(t0).toISOString())),
    svg('text', { x: W - 4, y: H - 4, 'text-anchor': 'end' }, fmtTime(new Date(t1).toISOString())),
    svg('path', { class: 'line', d: data.map((d, i) => `${i ? 'L' : 'M'}${x(d[0]).toFixed(1)},${y(d[1]).toFixed(1)}`).join('') }),
    svg('circle', { class: 'last', r: 3, cx: x(data[data.length - 1][0]).toFixed(1), cy: y(data[data.length - 1][1]).toFixed(1) }));
  figure.append(root);
  return figure;
}
