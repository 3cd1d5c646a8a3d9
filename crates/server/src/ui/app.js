// whence serve: the web UI. Plain JS, no build step. Routes live in the URL
// hash so that every view has a shareable address:
//   #/check              check an article (paste or drop a file)
//   #/check?doc=ID       check an indexed document against the rest
//   #/doc/ID             a document: its republications and what it drew on
//   #/compare/A/B        two indexed documents side by side
//   #/feed               newest reuse pairs (polling)
//   #/corpus             per-site share reused, site x site matrix, timeline
// The side-by-side views are HTML fragments rendered by the engine
// (report::html::side_by_side, the component of compare --html).
'use strict';

var main = document.getElementById('main');
var statusEl = document.getElementById('status');
var pollTimer = null;
var lastCheck = null; // the last checked text, kept while the user moves around

function esc(s) {
  return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) {
    return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c];
  });
}
function pct(x) { return (Math.round((x || 0) * 1000) / 10) + '%'; }
function docLink(id) { return '<a href="#/doc/' + encodeURIComponent(id) + '">' + esc(id) + '</a>'; }
function setStatus(s) { statusEl.textContent = s || ''; }

function api(method, path, body, type) {
  var opts = {method: method, headers: {}};
  if (body != null) { opts.body = body; opts.headers['Content-Type'] = type || 'application/json'; }
  return fetch(path, opts).then(function (r) {
    return r.json().catch(function () { return {error: 'answer not JSON (' + r.status + ')'}; })
      .then(function (j) { if (!r.ok) { throw new Error(j.error || ('HTTP ' + r.status)); } return j; });
  });
}

function showError(where, e) {
  where.insertAdjacentHTML('beforeend', '<p class="err" role="alert">' + esc(e.message || e) + '</p>');
}

// --- the shared component: click a passage, its counterpart scrolls into view
document.addEventListener('click', function (ev) {
  var a = ev.target.closest && ev.target.closest('a.p, table.passages a');
  if (!a) { return; }
  var href = a.getAttribute('href') || '';
  if (href.charAt(0) !== '#' || href.charAt(1) === '/') { return; }
  ev.preventDefault(); // the fragment's anchors are not routes
  var view = a.closest('.view') || document;
  var target = view.querySelector('[id="' + href.slice(1) + '"]');
  if (!target) { return; }
  var col = target.closest('.col');
  var mark = target.nextElementSibling;
  if (col) {
    col.scrollTop = target.offsetTop - col.offsetTop - col.clientHeight / 3;
  }
  target.scrollIntoView({block: 'nearest'});
  view.querySelectorAll('a.hl').forEach(function (x) { x.classList.remove('hl'); });
  if (mark) {
    mark.classList.add('hl');
    if (mark.focus) { mark.focus({preventScroll: true}); }
    setTimeout(function () { mark.classList.remove('hl'); }, 1500);
  }
});
function lightBoth(ev, on) {
  var a = ev.target.closest && ev.target.closest('a.p');
  if (!a || !a.dataset.p) { return; }
  var view = a.closest('.view') || document;
  a.dataset.p.split(' ').forEach(function (id) {
    view.querySelectorAll('a.p[data-p~="' + id + '"]').forEach(function (x) { x.classList.toggle('hl', on); });
  });
}
document.addEventListener('mouseover', function (ev) { lightBoth(ev, true); });
document.addEventListener('mouseout', function (ev) { lightBoth(ev, false); });
document.addEventListener('focusin', function (ev) { lightBoth(ev, true); });
document.addEventListener('focusout', function (ev) { lightBoth(ev, false); });

var LEGEND = '<div class="legend meta" aria-label="legend">' +
  '<span class="verbatim">verbatim (solid underline)</span>' +
  '<span class="edited">edited (dashed)</span>' +
  '<span class="paraphrase">paraphrase (dotted)</span>' +
  '<span class="novel">new text (italic)</span>' +
  '<span class="bp">boilerplate (grey)</span>' +
  '<span><mark class="drift">changed number/name/speaker</mark></span></div>';

// --- Check an article
function viewCheck(q) {
  main.innerHTML =
    '<section class="pane"><h1>Check an article</h1>' +
    '<p class="meta">Paste an article or drop a text or HTML file: whence finds the indexed documents it draws on.</p>' +
    '<label for="text">Article text</label>' +
    '<textarea id="text" placeholder="Paste the article here"></textarea>' +
    '<div class="drop" id="drop"><label for="file">Drop a .txt or .html file here, or choose one:</label> <input type="file" id="file" accept=".txt,.html,.htm,text/plain,text/html"></div>' +
    '<button id="go">Find sources</button> ' +
    '<span class="meta">(Ctrl+Enter)</span>' +
    '<div id="out" aria-live="polite"></div></section>';
  var text = document.getElementById('text');
  var drop = document.getElementById('drop');
  var html = null; // a dropped HTML page, sent as HTML
  if (lastCheck) { text.value = lastCheck; }
  function readFile(f) {
    var r = new FileReader();
    r.onload = function () {
      var s = String(r.result);
      if (/\.html?$/i.test(f.name) || /^\s*</.test(s)) { html = s; text.value = '[HTML page ' + f.name + ']'; } else { html = null; text.value = s; }
    };
    r.readAsText(f);
  }
  drop.addEventListener('dragover', function (e) { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', function () { drop.classList.remove('over'); });
  drop.addEventListener('drop', function (e) {
    e.preventDefault(); drop.classList.remove('over');
    if (e.dataTransfer.files[0]) { readFile(e.dataTransfer.files[0]); }
  });
  document.getElementById('file').addEventListener('change', function (e) { if (e.target.files[0]) { readFile(e.target.files[0]); } });
  text.addEventListener('input', function () { html = null; });
  function go() {
    var out = document.getElementById('out');
    var body = html != null ? html : text.value;
    if (!body.trim()) { out.innerHTML = '<p class="err" role="alert">Paste a text first.</p>'; return; }
    lastCheck = html != null ? null : text.value;
    out.innerHTML = '<p class="meta">Searching…</p>';
    var path = '/api/trace?views=1&id=checked' + (html != null ? '&format=html' : '&format=text');
    api('POST', path, body, html != null ? 'text/html' : 'text/plain')
      .then(function (t) { renderTrace(out, t); })
      .catch(function (e) { out.innerHTML = ''; showError(out, e); });
  }
  document.getElementById('go').addEventListener('click', go);
  text.addEventListener('keydown', function (e) { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { go(); } });
  if (q.doc) {
    var out = document.getElementById('out');
    api('GET', '/api/documents/' + encodeURIComponent(q.doc)).then(function (d) {
      text.value = d.text;
      return api('POST', '/api/trace?views=1', JSON.stringify({id: d.id, text: d.text, date: d.date, site: d.site}));
    }).then(function (t) { renderTrace(out, t); }).catch(function (e) { showError(out, e); });
  } else {
    text.focus();
  }
}

var DERIVATION = {
  wholly: 'wholly derived: almost all of its wording is in the documents below',
  partially: 'partially derived: much of its wording is in the documents below, and it adds its own',
  non: 'not derived: no indexed document accounts for much of its wording'
};
function renderTrace(out, t) {
  var s = t.sources || [];
  var h = '<div class="verdict">Verdict: <b>' + esc(t.derivation) + '</b> <span class="meta">' +
    esc(DERIVATION[t.derivation] || '') + '</span><br>' + pct(t.reused) + ' of the text is reused (' +
    pct(t.reused_lexical) + ' verbatim or edited), from ' + s.length + ' source' + (s.length === 1 ? '' : 's') +
    ' among ' + esc(t.indexed) + ' indexed documents.</div>';
  if (s.length) {
    h += '<div class="scroll"><table class="list" aria-label="sources"><thead><tr><th>#</th><th>source</th><th>site</th><th class="num">explains</th><th>relation</th><th>passages</th></tr></thead><tbody>';
    s.forEach(function (x, i) {
      var kinds = {};
      (x.passages || []).forEach(function (p) { kinds[p.kind] = (kinds[p.kind] || 0) + 1; });
      var ks = Object.keys(kinds).map(function (k) { return kinds[k] + ' ' + k; }).join(', ');
      h += '<tr><td>' + (i + 1) + '</td><td class="src">' + docLink(x.id) + (x.later ? ' <span class="rel" title="published after the checked text">later</span>' : '') +
        '</td><td>' + esc(x.source || '') + '</td><td class="num"><span class="bar" style="width:' + Math.round(60 * x.reused) + 'px"></span>' + pct(x.reused) +
        '</td><td><span class="rel">' + esc(x.relation) + '</span></td><td>' + esc(ks) + '</td></tr>';
    });
    h += '</tbody></table></div>' + LEGEND;
    s.forEach(function (x, i) {
      h += '<details class="source"' + (i === 0 ? ' open' : '') + '><summary>' + (i + 1) + '. ' + esc(x.id) + ': ' + pct(x.reused) +
        ' of the checked text from it (' + esc(x.relation) + ')</summary>' + (t.views ? t.views[i] : '') + '</details>';
    });
  }
  var rel = t.related || [];
  if (rel.length) {
    h += '<p class="meta">Also related: ' + rel.map(docLink).join(', ') +
      ' (shares the wording the verdict counts; no passage sure enough to show).</p>';
  }
  if (!s.length && !rel.length) {
    h += '<p>No indexed document explains this text.</p>';
  }
  out.innerHTML = h;
}

// --- a document's page
function viewDoc(id) {
  main.innerHTML = '<section class="pane"><p class="meta">Loading ' + esc(id) + '…</p></section>';
  Promise.all([api('GET', '/api/documents/' + encodeURIComponent(id) + '/reuse'),
               api('GET', '/api/clusters/' + encodeURIComponent(id))])
    .then(function (r) { renderDoc(r[0], r[1]); })
    .catch(function (e) { main.innerHTML = '<section class="pane"></section>'; showError(main.firstChild, e); });
}

function pairRow(me, p) {
  var other = p.partner;
  var mine = p.a === me ? p.a_reused : p.b_reused;
  var theirs = p.a === me ? p.b_reused : p.a_reused;
  var kinds = {};
  (p.passages || []).forEach(function (x) { kinds[x.kind] = (kinds[x.kind] || 0) + 1; });
  var ks = Object.keys(kinds).map(function (k) { return kinds[k] + ' ' + k; }).join(', ');
  return '<tr><td>' + esc(p.partner_date || '—') + '</td><td>' + docLink(other) + (p.partner_title ? '<br><span class="meta">' + esc(p.partner_title) + '</span>' : '') +
    '</td><td>' + esc(p.partner_site || '') + '</td><td class="num">' + pct(theirs) + '</td><td class="num">' + pct(mine) +
    '</td><td><span class="rel">' + esc(p.relation) + '</span><br><span class="meta">' + esc(ks) + '</span></td><td><a href="#/compare/' +
    encodeURIComponent(p.a) + '/' + encodeURIComponent(p.b) + '">side by side</a></td></tr>';
}

function pairTable(me, list, label) {
  if (!list.length) { return '<p class="muted">None.</p>'; }
  return '<div class="scroll"><table class="list" aria-label="' + esc(label) + '"><thead><tr><th>date</th><th>document</th><th>site</th><th class="num" title="share of that document in passages shared with this one">of it shared</th><th class="num" title="share of this document in passages shared with that one">of this one shared</th><th>how</th><th></th></tr></thead><tbody>' +
    list.map(function (p) { return pairRow(me, p); }).join('') + '</tbody></table></div>';
}

function renderDoc(r, c) {
  var d = r.doc;
  var h = '<section class="pane"><h1>' + esc(d.title || d.id) + '</h1><p class="meta">' + esc(d.id) +
    (d.site ? ' · ' + esc(d.site) : '') + (d.date ? ' · ' + esc(d.date) : '') + ' · ' + d.chars + ' characters' +
    (d.url ? ' · <a href="' + esc(d.url) + '" rel="noopener">original</a>' : '') +
    ' · <a href="#/check?doc=' + encodeURIComponent(d.id) + '">check it against the index</a></p>';
  h += '<h2>Republications over time</h2>' + timelineSvg(d, r.reused_by) +
    pairTable(d.id, r.reused_by, 'republications');
  h += '<h2>What it drew on</h2>' + pairTable(d.id, r.drew_on, 'sources');
  h += '<h2>Related (near-duplicates, shared source, direction unknown)</h2>' + pairTable(d.id, r.related, 'related');
  var m = c.members || [];
  h += '<h2>Its cluster</h2><p class="meta">' + m.length + ' document' + (m.length === 1 ? '' : 's') +
    ' connected by reuse' + (c.truncated ? ' (first ' + m.length + ' shown)' : '') + ': ' +
    m.map(function (x) { return docLink(x.id) + (x.date ? ' <span class="muted">(' + esc(x.date) + ')</span>' : ''); }).join(', ') + '</p></section>';
  main.innerHTML = h;
}

function timeOf(s) { var t = Date.parse(s); return isNaN(t) ? null : t; }

// republications as dots on a time axis, x = date, y = share of the original reused
function timelineSvg(d, list) {
  var pts = list.map(function (p) { return {t: timeOf(p.partner_date), p: p}; }).filter(function (x) { return x.t != null; });
  if (!pts.length) { return '<p class="muted">' + (list.length ? 'The republications carry no dates.' : '') + '</p>'; }
  var t0 = timeOf(d.date);
  var ts = pts.map(function (x) { return x.t; }).concat(t0 != null ? [t0] : []);
  var lo = Math.min.apply(null, ts), hi = Math.max.apply(null, ts);
  if (hi === lo) { hi = lo + 86400000; }
  var W = 640, H = 140, L = 40, R = 90;
  var short = hi - lo < 3 * 86400000;
  function fmt(t) { var s = new Date(t).toISOString(); return short ? s.slice(0, 16).replace('T', ' ') + ' UTC' : s.slice(0, 10); }
  function x(t) { return L + (W - L - R) * (t - lo) / (hi - lo); }
  function y(v) { return H - 25 - (H - 40) * v; }
  var g = '<svg role="img" aria-label="republications over time" width="' + W + '" height="' + H + '" viewBox="0 0 ' + W + ' ' + H + '">';
  g += '<line x1="' + L + '" y1="' + (H - 25) + '" x2="' + (W - R) + '" y2="' + (H - 25) + '" stroke="#999"/>';
  g += '<text x="' + L + '" y="' + (H - 8) + '">' + esc(fmt(lo)) + '</text>';
  g += '<text x="' + (W - R) + '" y="' + (H - 8) + '" text-anchor="end">' + esc(fmt(hi)) + '</text>';
  g += '<text x="4" y="12">share of this document republished (dot height); square: this document</text>';
  if (t0 != null) { g += '<rect x="' + (x(t0) - 5) + '" y="' + (y(1) - 5) + '" width="10" height="10" fill="#333"><title>this document</title></rect>'; }
  pts.forEach(function (q) {
    var v = q.p.a === d.id ? q.p.b_reused : q.p.a_reused;
    g += '<a href="#/doc/' + encodeURIComponent(q.p.partner) + '"><circle cx="' + x(q.t) + '" cy="' + y(v) + '" r="6" fill="#4a7fbf"><title>' +
      esc(q.p.partner + ' · ' + q.p.partner_date + ' · ' + pct(v) + ' of this document in it') + '</title></circle>' +
      '<text x="' + (x(q.t) + 9) + '" y="' + (y(v) + 4) + '">' + esc(q.p.partner) + ' ' + pct(v) + '</text></a>';
  });
  return '<div class="plot">' + g + '</svg></div>';
}

// --- two stored documents side by side
function viewCompare(a, b) {
  main.innerHTML = '<section class="pane"><p class="meta">Comparing…</p></section>';
  api('GET', '/api/compare?views=1&a=' + encodeURIComponent(a) + '&b=' + encodeURIComponent(b)).then(function (c) {
    var s = c.summary;
    main.innerHTML = '<section class="pane"><h1>' + docLink(a) + ' ↔ ' + docLink(b) + '</h1><p class="verdict">Verdict: <b>' + esc(s.relation) +
      '</b> (confidence ' + s.confidence + ') · ' + pct(s.a_reused) + ' of A reused · ' + pct(s.b_reused) + ' of B reused · ' +
      c.drift.length + ' change(s) in reused text</p>' + LEGEND + '</section>' + c.view;
  }).catch(function (e) { main.innerHTML = '<section class="pane"></section>'; showError(main.firstChild, e); });
}

// --- feed of newest pairs
function viewFeed() {
  main.innerHTML = '<section class="pane"><h1>Newest reuse pairs</h1><p class="meta">Updated every 5 seconds as documents arrive. <span id="feedstate"></span></p>' +
    '<div class="scroll"><table class="list" aria-label="newest pairs"><thead><tr><th>#</th><th>earlier</th><th>later</th><th>relation</th><th class="num">reused</th><th></th></tr></thead><tbody id="feed"></tbody></table></div></section>';
  var seen = 0;
  function row(p, fresh) {
    return '<tr' + (fresh ? ' class="new"' : '') + '><td>' + p.id + '</td><td>' + docLink(p.a) + '<br><span class="meta">' + esc((p.a_source || '') + ' ' + (p.a_date || '')) +
      '</span></td><td>' + docLink(p.b) + '<br><span class="meta">' + esc((p.b_source || '') + ' ' + (p.b_date || '')) + '</span></td><td><span class="rel">' + esc(p.relation) +
      '</span></td><td class="num">' + pct(Math.max(p.a_reused, p.b_reused)) + '</td><td><a href="#/compare/' + encodeURIComponent(p.a) + '/' + encodeURIComponent(p.b) + '">side by side</a></td></tr>';
  }
  function poll() {
    api('GET', '/api/pairs?latest=1&limit=50&passages=0').then(function (r) {
      var tb = document.getElementById('feed');
      if (!tb) { return; }
      var ps = r.pairs;
      var fresh = ps.filter(function (p) { return p.id > seen; });
      if (seen === 0) { tb.innerHTML = ps.map(function (p) { return row(p, false); }).join(''); } else if (fresh.length) { tb.insertAdjacentHTML('afterbegin', fresh.map(function (p) { return row(p, true); }).join('')); }
      if (ps.length) { seen = Math.max(seen, ps[0].id); }
      document.getElementById('feedstate').textContent = 'Last checked ' + new Date().toLocaleTimeString() + '.';
      if (!ps.length) { tb.innerHTML = '<tr><td colspan="6" class="muted">No pairs yet.</td></tr>'; }
    }).catch(function (e) { setStatus(e.message); });
  }
  poll();
  pollTimer = setInterval(poll, 5000);
}

// --- corpus view
function viewCorpus() {
  main.innerHTML = '<section class="pane"><p class="meta">Reading the corpus…</p></section>';
  Promise.all([api('GET', '/api/corpus'), api('GET', '/api/stats')]).then(function (r) {
    var c = r[0], st = r[1];
    var h = '<section class="pane"><h1>Corpus</h1><p class="meta">' + st.documents + ' documents, ' + st.pairs + ' reuse pairs, ' + st.sites + ' sites.</p>';
    h += '<h2>Share of each site’s text reused from others</h2>' + sitesSvg(c.sites);
    h += '<h2>Who copies whom</h2><p class="meta">Rows: the source’s site; columns: the copying site; each cell the number of pairs (darker = more).</p>' + matrixSvg(c.matrix);
    h += '<h2>Reuse over time</h2>' + timelineBars(c.timeline) + '</section>';
    main.innerHTML = h;
  }).catch(function (e) { main.innerHTML = '<section class="pane"></section>'; showError(main.firstChild, e); });
}

function sitesSvg(sites) {
  if (!sites.length) { return '<p class="muted">No documents.</p>'; }
  var W = 560, row = 22, L = 150;
  var g = '<svg role="img" aria-label="share reused per site" width="' + W + '" height="' + (sites.length * row + 10) + '">';
  sites.forEach(function (s, i) {
    var w = (W - L - 70) * s.share_reused;
    g += '<text x="' + (L - 8) + '" y="' + (i * row + 15) + '" text-anchor="end">' + esc(s.site) + '</text>' +
      '<rect x="' + L + '" y="' + (i * row + 4) + '" width="' + Math.max(1, w) + '" height="14" fill="#4a7fbf"><title>' + esc(s.site + ': ' + pct(s.share_reused) + ' of ' + s.chars + ' characters, ' + s.reusing_documents + ' of ' + s.documents + ' documents reuse text') + '</title></rect>' +
      '<text x="' + (L + w + 6) + '" y="' + (i * row + 15) + '">' + pct(s.share_reused) + ' (' + s.documents + (s.documents === 1 ? ' doc)' : ' docs)') + '</text>';
  });
  return '<div class="plot">' + g + '</svg></div>';
}

function matrixSvg(m) {
  if (!m.length) { return '<p class="muted">No pairs between sites yet.</p>'; }
  var rows = [], cols = [], max = 0, cell = {};
  m.forEach(function (x) {
    if (rows.indexOf(x.source) < 0) { rows.push(x.source); }
    if (cols.indexOf(x.copier) < 0) { cols.push(x.copier); }
    cell[x.source + '\u0000' + x.copier] = x.pairs; max = Math.max(max, x.pairs);
  });
  rows = rows.concat(cols.filter(function (c) { return rows.indexOf(c) < 0; })).sort();
  cols = rows;
  var L = 150, T = 110, C = 44;
  var g = '<svg role="img" aria-label="site by site matrix" width="' + (L + cols.length * C + 110) + '" height="' + (T + rows.length * C + 10) + '">';
  cols.forEach(function (c, j) { g += '<text transform="translate(' + (L + j * C + C / 2) + ',' + (T - 6) + ') rotate(-45)">' + esc(c) + '</text>'; });
  rows.forEach(function (r, i) {
    g += '<text x="' + (L - 8) + '" y="' + (T + i * C + C / 2 + 4) + '" text-anchor="end">' + esc(r) + '</text>';
    cols.forEach(function (c, j) {
      var n = cell[r + '\u0000' + c] || 0;
      var a = n ? 0.15 + 0.85 * n / max : 0;
      g += '<rect x="' + (L + j * C) + '" y="' + (T + i * C) + '" width="' + (C - 2) + '" height="' + (C - 2) + '" fill="rgba(26,79,139,' + a + ')" stroke="#ddd"><title>' +
        esc(r + ' → ' + c + ': ' + n + ' pairs') + '</title></rect>';
      if (n) { g += '<text x="' + (L + j * C + C / 2 - 1) + '" y="' + (T + i * C + C / 2 + 4) + '" text-anchor="middle" style="fill:' + (a > 0.5 ? '#fff' : '#111') + '">' + n + '</text>'; }
    });
  });
  return '<div class="plot">' + g + '</svg></div>';
}

function timelineBars(t) {
  if (!t.length) { return '<p class="muted">No pairs yet.</p>'; }
  var W = Math.max(320, Math.min(900, t.length * 16 + 60)), H = 140, L = 30, max = 0;
  t.forEach(function (x) { max = Math.max(max, x.pairs); });
  var bw = Math.min(40, (W - L - 10) / t.length);
  var g = '<svg role="img" aria-label="pairs per day" width="' + W + '" height="' + H + '">';
  g += '<text x="2" y="12">' + max + '</text><text x="2" y="' + (H - 22) + '">0</text>';
  t.forEach(function (x, i) {
    var h = (H - 40) * x.pairs / max;
    g += '<rect x="' + (L + i * bw) + '" y="' + (H - 25 - h) + '" width="' + Math.max(1, bw - 2) + '" height="' + h + '" fill="#4a7fbf"><title>' + esc(x.day + ': ' + x.pairs + ' pairs') + '</title></rect>';
  });
  g += '<text x="' + L + '" y="' + (H - 6) + '">' + esc(t[0].day) + '</text>' + (t.length > 1 ? '<text x="' + (L + t.length * bw) + '" y="' + (H - 6) + '" text-anchor="end">' + esc(t[t.length - 1].day) + '</text>' : '');
  return '<div class="plot">' + g + '</svg></div>';
}

// --- routing
function route() {
  if (pollTimer) { clearInterval(pollTimer); pollTimer = null; }
  setStatus('');
  var h = location.hash.replace(/^#\/?/, '');
  var qi = h.indexOf('?');
  var q = {};
  if (qi >= 0) {
    h.slice(qi + 1).split('&').forEach(function (kv) { var p = kv.split('='); q[decodeURIComponent(p[0])] = decodeURIComponent(p[1] || ''); });
    h = h.slice(0, qi);
  }
  var parts = h.split('/').map(decodeURIComponent);
  var name = parts[0] || 'check';
  document.querySelectorAll('nav a').forEach(function (a) {
    var on = a.dataset.nav === name;
    a.classList.toggle('on', on);
    if (on) { a.setAttribute('aria-current', 'page'); } else { a.removeAttribute('aria-current'); }
  });
  if (name === 'doc' && parts[1]) { viewDoc(parts.slice(1).join('/')); } else if (name === 'compare' && parts[2]) { viewCompare(parts[1], parts[2]); } else if (name === 'feed') { viewFeed(); } else if (name === 'corpus') { viewCorpus(); } else { viewCheck(q); }
  document.title = 'whence · ' + name;
}
window.addEventListener('hashchange', route);
route();
