// phi-redact review page. Plain JS, no framework, no network but our own server.
// Note text is PHI and may contain markup: it is only ever inserted as text nodes
// (textContent / createTextNode), never as HTML.

const params = new URLSearchParams(location.search);
const token = params.get('token') ?? '';
// Several reviewers may share one server: each opens the page with &reviewer=NAME.
const reviewerName = params.get('reviewer') ?? '';
const $ = (id) => document.getElementById(id);

const ui = {
  labels: [],
  items: [],
  index: 0,
  item: null, // { id, text, redacted, spans, state, disagreements }
  role: 'reviewer',
  cursor: 0, // index into marks()
  progress: { done: 0, total: 0 },
};

async function api(path, body) {
  const init = { headers: { 'X-Review-Token': token } };
  if (reviewerName !== '') init.headers['X-Reviewer'] = encodeURIComponent(reviewerName);
  if (body !== undefined) {
    init.method = 'POST';
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return res.json();
}

function setStatus(text, warn = false) {
  const s = $('status');
  s.textContent = text;
  s.classList.toggle('warn', warn);
}

/** Misses the reviewers disagree on that this adjudicator has not marked yet: shown as proposals. */
function proposals() {
  const it = ui.item;
  if (!it || ui.role !== 'adjudicator') return [];
  const own = Object.values(it.state.misses);
  return it.disagreements
    .map((d, i) => ({ ...d, i }))
    .filter((d) => d.kind === 'miss' && !own.some((m) => m.start < d.end && d.start < m.end));
}

/** Detected spans, misses and proposed misses of the current note, in text order: what j/k walk through. */
function marks() {
  const it = ui.item;
  if (!it) return [];
  const spans = it.spans.map((s, k) => ({ kind: 'span', k, start: s.start, end: s.end }));
  const misses = Object.entries(it.state.misses).map(([id, m]) => ({ kind: 'miss', id, start: m.start, end: m.end }));
  const proposed = proposals().map((d) => ({ kind: 'proposed', i: d.i, start: d.start, end: d.end }));
  return [...spans, ...misses, ...proposed].sort((a, b) => a.start - b.start || a.end - b.end);
}

const disputedSpans = () => new Set((ui.item?.disagreements ?? []).filter((d) => d.kind === 'span').map((d) => d.span));

/** One line per disagreement: who said what (offsets and labels; the text is on the left). */
function describeDisagreement(d) {
  const state = d.resolved ? 'adjudicated' : 'open';
  if (d.kind === 'span') return `span ${d.span + 1} ${d.detected} [${d.start}, ${d.end}): ${d.verdicts.map((v) => `${v.reviewer} ${v.verdict}`).join(' · ')} (${state})`;
  const marked = d.markedBy.map((m) => `${m.reviewer} ${m.label}`).join(' · ');
  return `miss ${d.label} [${d.start}, ${d.end}): marked by ${marked}${d.notBy.length ? `; not by ${d.notBy.join(', ')}` : ''} (${state})`;
}

function renderDisagreements() {
  const list = $('disagreement-list');
  const items = ui.item?.disagreements ?? [];
  $('disagreements').hidden = items.length === 0;
  list.replaceChildren(
    ...items.map((d) => {
      const li = document.createElement('li');
      li.textContent = describeDisagreement(d);
      li.className = d.resolved ? 'resolved' : 'open';
      return li;
    }),
  );
}

function currentMark() {
  return marks()[ui.cursor] ?? null;
}

function spanBadge(it, k) {
  const s = it.spans[k];
  const v = it.state.spans[k];
  if (!v) return s.label;
  if (v.verdict === 'reject') return `${s.label} ✗`;
  if (v.verdict === 'relabel') return `${s.label}→${v.label}`;
  return `${s.label} ✓`;
}

/** Splits [0, length) at every boundary and builds one <span class="seg"> per piece. */
function renderSegments(container, text, regions) {
  container.replaceChildren();
  const cuts = new Set([0, text.length]);
  for (const r of regions) {
    cuts.add(r.start);
    cuts.add(r.end);
  }
  const points = [...cuts].filter((p) => p >= 0 && p <= text.length).sort((a, b) => a - b);
  const started = new Set();
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i];
    const b = points[i + 1];
    const seg = document.createElement('span');
    seg.className = 'seg';
    seg.dataset.start = String(a);
    seg.textContent = text.slice(a, b);
    for (const r of regions) {
      if (r.start <= a && b <= r.end) {
        for (const c of r.classes) seg.classList.add(c);
        for (const [k, v] of Object.entries(r.data ?? {})) seg.dataset[k] = v;
        if (!started.has(r)) {
          started.add(r);
          seg.classList.add('first');
          if (r.badge) seg.dataset.badge = r.badge;
        }
      }
    }
    container.append(seg);
  }
}

/** Maps an offset of the original text to the redacted text (outside spans only). */
function toOutput(it, pos) {
  let delta = 0;
  for (const s of it.spans) {
    if (s.outStart === undefined) return null;
    if (s.end <= pos) delta = s.outEnd - s.end;
    else if (s.start < pos) return null;
  }
  return pos + delta;
}

function render() {
  const it = ui.item;
  $('note-id').textContent = it ? `${ui.index + 1} / ${ui.items.length} · ${it.id}` : '';
  const p = ui.progress;
  $('progress-bar').max = Math.max(1, p.total);
  $('progress-bar').value = p.done;
  if (!it) {
    $('progress').textContent = 'This set has no notes.';
    return;
  }
  const judged = Object.keys(it.state.spans).length;
  const missCount = Object.keys(it.state.misses).length;
  $('progress').textContent = `${p.done} of ${p.total} notes reviewed · this note: ${judged}/${it.spans.length} spans judged, ${missCount} missed${it.state.done ? ' · done' : ''}`;

  const cur = currentMark();
  const disputed = disputedSpans();
  const regions = it.spans.map((s, k) => {
    const v = it.state.spans[k];
    const label = v?.verdict === 'relabel' ? v.label : s.label;
    const classes = ['hl', `lab-${label}`];
    if (v) classes.push(`v-${v.verdict}`);
    if (disputed.has(k)) classes.push('disputed');
    if (cur?.kind === 'span' && cur.k === k) classes.push('current');
    return { start: s.start, end: s.end, classes, badge: spanBadge(it, k), data: { span: String(k) } };
  });
  for (const [id, m] of Object.entries(it.state.misses)) {
    const classes = ['miss', `lab-${m.label}`];
    if (cur?.kind === 'miss' && cur.id === id) classes.push('current');
    regions.push({ start: m.start, end: m.end, classes, badge: `MISS ${m.label}`, data: { miss: id } });
  }
  for (const d of proposals()) {
    const classes = ['proposed', `lab-${d.label}`];
    if (cur?.kind === 'proposed' && cur.i === d.i) classes.push('current');
    regions.push({ start: d.start, end: d.end, classes, badge: `PROPOSED ${d.label}`, data: { proposed: String(d.i) } });
  }
  renderSegments($('original'), it.text, regions);
  renderDisagreements();

  const outRegions = [];
  it.spans.forEach((s, k) => {
    if (s.outStart === undefined) return;
    const v = it.state.spans[k];
    const classes = ['out', `lab-${v?.verdict === 'relabel' ? v.label : s.label}`];
    if (v) classes.push(`v-${v.verdict}`);
    if (cur?.kind === 'span' && cur.k === k) classes.push('current');
    if (s.outEnd > s.outStart) outRegions.push({ start: s.outStart, end: s.outEnd, classes, data: { span: String(k) } });
  });
  for (const m of Object.values(it.state.misses)) {
    const a = toOutput(it, m.start);
    const b = toOutput(it, m.end);
    if (a !== null && b !== null && b > a) outRegions.push({ start: a, end: b, classes: ['leak'], badge: 'LEAK' });
  }
  renderSegments($('redacted'), it.redacted, outRegions);

  const box = $('current');
  if (!cur) box.textContent = it.spans.length === 0 ? 'No spans were detected in this note. Select any missed PHI, then press n.' : '—';
  else if (cur.kind === 'span') {
    const s = it.spans[cur.k];
    const v = it.state.spans[cur.k];
    box.textContent = [
      `span ${cur.k + 1} of ${it.spans.length}  [${s.start}, ${s.end})`,
      `label     ${s.label}${s.subtype ? ` / ${s.subtype}` : ''}`,
      `detector  ${s.source}`,
      `score     ${Number(s.score).toFixed(2)}`,
      `verdict   ${v ? (v.verdict === 'relabel' ? `relabel → ${v.label}` : v.verdict) : 'not judged'}`,
    ].join('\n');
    $('label-select').value = v?.verdict === 'relabel' ? v.label : s.label;
  } else if (cur.kind === 'proposed') {
    const d = it.disagreements[cur.i];
    box.textContent = `proposed miss  [${d.start}, ${d.end})\nlabel ${d.label}\n(c or 1–9 keeps it as a miss; leave it to drop it)`;
    $('label-select').value = d.label;
  } else {
    const m = it.state.misses[cur.id];
    box.textContent = `miss  [${m.start}, ${m.end})\nlabel ${m.label}\n(x deletes it, 1–9 relabels it)`;
    $('label-select').value = m.label;
  }
  $('comment').value = it.state.comment ?? '';
  const el = document.querySelector('#original .current');
  if (el) el.scrollIntoView({ block: 'nearest' });
  const out = document.querySelector('#redacted .current');
  if (out) out.scrollIntoView({ block: 'nearest' });
}

async function loadItem(index, cursor = 0) {
  const data = await api(`/api/item?i=${index}`);
  ui.index = index;
  ui.item = data;
  ui.items[index].disagreements = data.disagreements.filter((d) => !d.resolved).length;
  ui.progress = data.progress;
  ui.cursor = cursor;
  history.replaceState(null, '', `${location.pathname}${location.search}#note=${index}`);
  render();
}

async function post(verdict) {
  if (!ui.item) return;
  try {
    const res = await api('/api/verdict', { item: ui.item.id, ...verdict });
    ui.item.state = res.state;
    ui.item.disagreements = res.disagreements;
    ui.items[ui.index].disagreements = res.disagreements.filter((d) => !d.resolved).length;
    ui.progress = res.progress;
    ui.items[ui.index].done = res.state.done;
    setStatus('saved');
    render();
  } catch {
    setStatus('NOT saved: the server did not accept it', true);
  }
}

function judge(verdict) {
  const cur = currentMark();
  if (!cur) return Promise.resolve();
  if (cur.kind === 'miss') {
    return verdict === 'reject' ? post({ kind: 'unmiss', miss: cur.id }).then(() => clampCursor()) : Promise.resolve();
  }
  if (cur.kind === 'proposed') return verdict === 'confirm' ? adopt(cur.i) : Promise.resolve(move(1));
  return post({ kind: 'span', span: cur.k, verdict }).then(() => move(1));
}

function setLabel(label) {
  const sel = selectionRange();
  if (sel) return markMiss(label);
  const cur = currentMark();
  if (!cur) return Promise.resolve();
  if (cur.kind === 'miss') {
    const m = ui.item.state.misses[cur.id];
    return post({ kind: 'miss', miss: cur.id, start: m.start, end: m.end, label });
  }
  if (cur.kind === 'proposed') return adopt(cur.i, label);
  const s = ui.item.spans[cur.k];
  return post(label === s.label ? { kind: 'span', span: cur.k, verdict: 'confirm' } : { kind: 'span', span: cur.k, verdict: 'relabel', label });
}

function clampCursor() {
  ui.cursor = Math.max(0, Math.min(ui.cursor, marks().length - 1));
  render();
}

function move(step) {
  const n = marks().length;
  if (n === 0) return;
  ui.cursor = Math.max(0, Math.min(n - 1, ui.cursor + step));
  render();
}

/** Original-text offset of a DOM point inside #original. */
function pointOffset(node, offset) {
  const root = $('original');
  if (node.nodeType === Node.TEXT_NODE) {
    const seg = node.parentElement.closest('.seg');
    return Number(seg.dataset.start) + offset;
  }
  if (node === root) {
    const child = root.childNodes[offset];
    return child ? Number(child.dataset.start) : ui.item.text.length;
  }
  const seg = node.closest('.seg');
  return Number(seg.dataset.start) + (offset === 0 ? 0 : seg.textContent.length);
}

/** The selected stretch of the original, trimmed of surrounding whitespace, or null. */
function selectionRange() {
  const sel = window.getSelection();
  if (!sel || sel.rangeCount === 0 || sel.isCollapsed || !ui.item) return null;
  const range = sel.getRangeAt(0);
  const root = $('original');
  if (!root.contains(range.startContainer) || !root.contains(range.endContainer)) return null;
  let start = pointOffset(range.startContainer, range.startOffset);
  let end = pointOffset(range.endContainer, range.endOffset);
  const text = ui.item.text;
  while (start < end && /\s/.test(text[start])) start++;
  while (end > start && /\s/.test(text[end - 1])) end--;
  return end > start ? { start, end } : null;
}

function newMissId() {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return `m${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

async function markMiss(label) {
  const r = selectionRange();
  if (!r) {
    setStatus('select the missed text in the original first', true);
    return;
  }
  const id = newMissId();
  window.getSelection().removeAllRanges();
  await post({ kind: 'miss', miss: id, start: r.start, end: r.end, label: label ?? $('label-select').value });
  ui.cursor = marks().findIndex((m) => m.kind === 'miss' && m.id === id);
  render();
}

/** The adjudicator keeps a proposed miss: it becomes their own miss (same extent). */
async function adopt(i, label) {
  const d = ui.item.disagreements[i];
  await post({ kind: 'miss', miss: newMissId(), start: d.start, end: d.end, label: label ?? d.label });
  clampCursor();
}

async function confirmRest() {
  const it = ui.item;
  for (let k = 0; k < it.spans.length; k++) {
    if (!it.state.spans[k]) await post({ kind: 'span', span: k, verdict: 'confirm' });
  }
}

async function nextNote() {
  const it = ui.item;
  if (!it) return;
  // An adjudicator decides the disputed spans only; a reviewer judges every span.
  const owed = ui.role === 'adjudicator' ? [...disputedSpans()] : it.spans.map((_, k) => k);
  const unjudged = owed.filter((k) => !it.state.spans[k]).length;
  if (unjudged === 0 && !it.state.done) await post({ kind: 'done' });
  if (ui.index + 1 < ui.items.length) await loadItem(ui.index + 1);
  if (unjudged > 0) setStatus(`previous note left open: ${unjudged} span(s) not judged`, true);
}

/** The next note (after this one, wrapping) with a disagreement nobody has adjudicated. */
async function nextDisagreement() {
  const n = ui.items.length;
  for (let step = 1; step <= n; step++) {
    const i = (ui.index + step) % n;
    if (ui.items[i].disagreements > 0) return loadItem(i);
  }
  setStatus('no open disagreements');
}

async function prevNote() {
  if (ui.index > 0) await loadItem(ui.index - 1);
}

// Actions run one after another, so a quick "a" then "n" cannot race (n must see a's verdicts).
let queue = Promise.resolve();
function enqueue(action) {
  queue = queue.then(action).catch(() => setStatus('something went wrong; reload the page', true));
}

function onKey(e) {
  const t = e.target;
  if (t instanceof HTMLTextAreaElement || t instanceof HTMLInputElement || t instanceof HTMLSelectElement) return;
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  const key = e.key;
  const digit = /^[1-9]$/.test(key) ? Number(key) - 1 : -1;
  let action;
  if (digit >= 0 && digit < ui.labels.length) action = () => setLabel(ui.labels[digit]);
  else if (key === 'j') action = () => move(1);
  else if (key === 'k') action = () => move(-1);
  else if (key === 'c') action = () => judge('confirm');
  else if (key === 'x') action = () => judge('reject');
  else if (key === 'm') action = () => markMiss();
  else if (key === 'a') action = () => confirmRest();
  else if (key === 'n') action = () => nextNote();
  else if (key === 'p') action = () => prevNote();
  else if (key === 'd') action = () => nextDisagreement();
  else return;
  e.preventDefault();
  enqueue(action);
}

function onTextClick(e) {
  if (!window.getSelection().isCollapsed) return;
  const seg = e.target.closest?.('.seg');
  if (!seg) return;
  const list = marks();
  const i = seg.dataset.miss
    ? list.findIndex((m) => m.kind === 'miss' && m.id === seg.dataset.miss)
    : seg.dataset.proposed !== undefined
      ? list.findIndex((m) => m.kind === 'proposed' && m.i === Number(seg.dataset.proposed))
    : seg.dataset.span !== undefined
      ? list.findIndex((m) => m.kind === 'span' && m.k === Number(seg.dataset.span))
      : -1;
  if (i >= 0) {
    ui.cursor = i;
    render();
  }
}

async function start() {
  const state = await api('/api/state');
  ui.labels = state.labels;
  ui.role = state.role;
  $('who').textContent = `${state.role === 'adjudicator' ? 'adjudicating' : 'reviewing'} as ${state.reviewer}`;
  ui.items = state.items;
  ui.progress = state.progress;
  const select = $('label-select');
  const keys = $('label-keys');
  state.labels.forEach((label, i) => {
    const opt = document.createElement('option');
    opt.value = label;
    opt.textContent = `${i + 1} ${label}`;
    select.append(opt);
    const li = document.createElement('li');
    li.textContent = label;
    li.className = `lab-${label}`;
    keys.append(li);
  });
  select.addEventListener('change', () => {
    if (currentMark() || selectionRange()) enqueue(() => setLabel(select.value));
  });
  $('btn-confirm').addEventListener('click', () => enqueue(() => judge('confirm')));
  $('btn-reject').addEventListener('click', () => enqueue(() => judge('reject')));
  $('btn-miss').addEventListener('click', () => enqueue(() => markMiss()));
  $('btn-confirm-rest').addEventListener('click', () => enqueue(() => confirmRest()));
  $('btn-comment').addEventListener('click', () => enqueue(() => post({ kind: 'comment', text: $('comment').value })));
  $('btn-next').addEventListener('click', () => enqueue(() => nextNote()));
  $('btn-prev').addEventListener('click', () => enqueue(() => prevNote()));
  $('original').addEventListener('click', onTextClick);
  document.addEventListener('keydown', onKey);
  const fromHash = Number(/^#note=(\d+)$/.exec(location.hash)?.[1] ?? NaN);
  const index = Number.isInteger(fromHash) && fromHash < ui.items.length ? fromHash : state.resume;
  if (ui.items.length > 0) await loadItem(index);
  else render();
  document.body.dataset.ready = 'true';
}

start().catch(() => setStatus('could not load the review set (is the server still running?)', true));
