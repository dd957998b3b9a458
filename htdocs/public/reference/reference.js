// reference.js - renders the merged OpenAPI document (/api/openapi.json)
// as a readable page: operations grouped by program, then every schema,
// websocket frames included. Text only (textContent), never HTML from the
// document.
'use strict';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const c of children) {
    if (c == null) continue;
    e.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return e;
}

/** Text with `code` spans, paragraphs kept. */
function prose(text) {
  const p = el('div', { class: 'desc' });
  // YAML block text keeps its line breaks: join lines, keep paragraphs.
  String(text || '').trim().replace(/([^\n])\n(?=[^\n])/g, '$1 ').split(/(`[^`]*`)/).forEach((part) => {
    if (part.startsWith('`') && part.endsWith('`') && part.length > 1) p.append(el('code', {}, part.slice(1, -1)));
    else p.append(document.createTextNode(part));
  });
  return p;
}

function refName(ref) {
  return ref.split('/').pop();
}

function resolve(doc, node) {
  let n = node;
  for (let i = 0; n && n.$ref && i < 10; i++) {
    n = n.$ref.replace(/^#\//, '').split('/').reduce((o, k) => (o ? o[k] : undefined), doc);
  }
  return n || {};
}

/** A schema as indented pseudo-TypeScript; named schemas stay links by name. */
function schemaText(s, depth) {
  const pad = '  '.repeat(depth);
  if (!s) return 'any';
  if (s.$ref) return refName(s.$ref);
  const nul = s.nullable ? ' | null' : '';
  if (s.oneOf || s.anyOf) return (s.oneOf || s.anyOf).map((x) => schemaText(x, depth)).join(' | ') + nul;
  if (s.allOf) return s.allOf.map((x) => schemaText(x, depth)).join(' & ') + nul;
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ') + nul;
  if (s.type === 'array') return `${schemaText(s.items, depth)}[]${nul}`;
  if (s.type === 'object' || s.properties) {
    const req = new Set(s.required || []);
    const lines = Object.entries(s.properties || {}).map(([k, v]) => {
      const note = [v.description, v.default !== undefined ? `default ${JSON.stringify(v.default)}` : null,
        v.minimum !== undefined ? `min ${v.minimum}` : null, v.maximum !== undefined ? `max ${v.maximum}` : null,
        v.maxLength !== undefined ? `max length ${v.maxLength}` : null, v.pattern ? `pattern ${v.pattern}` : null]
        .filter(Boolean).join('; ');
      return `${pad}  ${k}${req.has(k) ? '' : '?'}: ${schemaText(v, depth + 1)}${note ? `  // ${note.replace(/\s+/g, ' ')}` : ''}`;
    });
    if (s.additionalProperties && typeof s.additionalProperties === 'object') {
      lines.push(`${pad}  [key: string]: ${schemaText(s.additionalProperties, depth + 1)}`);
    }
    return lines.length ? `{\n${lines.join('\n')}\n${pad}}${nul}` : `object${nul}`;
  }
  return (s.type || 'any') + (s.format ? ` (${s.format})` : '') + nul;
}

function content(doc, c) {
  if (!c) return null;
  const out = el('div');
  for (const [type, media] of Object.entries(c)) {
    out.append(el('div', {}, el('code', {}, type)), el('pre', { class: 'schema' }, schemaText(media.schema, 0)));
  }
  return out;
}

function authOf(op) {
  const sec = op.security || [];
  if (sec.length === 0) return 'no sign-in';
  if (sec.some((x) => Object.keys(x).length === 0)) return 'sign-in optional';
  return 'signed in (cookie or Bearer)';
}

function operation(doc, path, method, op) {
  const id = `${method}-${path}`.replace(/[^A-Za-z0-9]+/g, '-');
  const box = el('div', { class: 'op', id });
  box.append(el('h3', {}, el('span', { class: `method m-${method}` }, method.toUpperCase()), path,
    el('span', { class: 'auth' }, authOf(op))));
  if (op.summary) box.append(el('p', {}, op.summary));
  if (op.description) box.append(prose(op.description));
  const params = (op.parameters || []).map((p) => resolve(doc, p));
  if (params.length) {
    const t = el('table', {}, el('tr', {}, el('th', {}, 'parameter'), el('th', {}, 'in'), el('th', {}, 'schema'), el('th', {}, 'about')));
    for (const p of params) {
      t.append(el('tr', {}, el('td', {}, el('code', {}, p.name + (p.required ? '' : '?'))), el('td', {}, p.in),
        el('td', {}, el('code', {}, schemaText(p.schema, 0))), el('td', {}, p.description || '')));
    }
    box.append(el('h4', {}, 'Parameters'), t);
  }
  if (op.requestBody) {
    const body = resolve(doc, op.requestBody);
    box.append(el('h4', {}, 'Body'));
    if (body.description) box.append(prose(body.description));
    if (body.content) box.append(content(doc, body.content));
  }
  box.append(el('h4', {}, 'Responses'));
  for (const [status, r0] of Object.entries(op.responses || {})) {
    const r = resolve(doc, r0);
    box.append(el('div', {}, el('strong', {}, status), ' ', r.description || ''));
    if (r.content) box.append(content(doc, r.content));
  }
  return { box, id };
}

function render(doc) {
  const main = document.getElementById('doc');
  const toc = document.getElementById('toc');
  main.textContent = '';
  main.append(el('h1', {}, doc.info.title), prose(doc.info.description));
  const byTag = new Map((doc.tags || []).map((t) => [t.name, []]));
  const tagText = new Map((doc.tags || []).map((t) => [t.name, t.description]));
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const m of METHODS) {
      if (!item[m]) continue;
      const tag = (item[m].tags || ['other'])[0];
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push([path, m, item[m]]);
    }
  }
  const tocList = el('ul');
  for (const [tag, ops] of byTag) {
    const sec = el('section', { class: 'tag', id: `tag-${tag}` }, el('h2', {}, tag), prose(tagText.get(tag)));
    const sub = el('ul');
    for (const [path, m, op] of ops) {
      const { box, id } = operation(doc, path, m, op);
      sec.append(box);
      sub.append(el('li', {}, el('a', { href: `#${id}` }, `${m.toUpperCase()} ${path}`)));
    }
    main.append(sec);
    tocList.append(el('li', {}, el('a', { href: `#tag-${tag}` }, tag), sub));
  }
  const schemas = doc.components?.schemas || {};
  const sec = el('section', { class: 'tag', id: 'schemas' }, el('h2', {}, 'Objects and websocket frames'),
    el('p', {}, 'ServerEvent and ClientFrame are the websocket frames of /ws (relay/protocol.yaml).'));
  const sub = el('ul');
  for (const [name, s] of Object.entries(schemas)) {
    sec.append(el('div', { class: 'op', id: `schema-${name}` }, el('h3', {}, name),
      s.description ? prose(s.description) : null, el('pre', { class: 'schema' }, schemaText(s, 0))));
    sub.append(el('li', {}, el('a', { href: `#schema-${name}` }, name)));
  }
  main.append(sec);
  tocList.append(el('li', {}, el('a', { href: '#schemas' }, 'objects and frames'), sub));
  toc.append(tocList);
  if (location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView();
}

fetch('/api/openapi.json')
  .then((r) => {
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    return r.json();
  })
  .then(render)
  .catch((e) => {
    document.getElementById('status').textContent = `Could not load /api/openapi.json: ${e.message}`;
  });
