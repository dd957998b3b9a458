// openapi.mjs - merges the API's sources into the one reference document
// and generates the SPA's API types from it.
//
// Sources (each program's contract stays next to its code):
//   common/openapi.yaml                objects several programs share
//   fcgi-apps/<program>/openapi.yaml   the REST endpoints of one program
//   relay/protocol.yaml                the websocket frames (components only)
// Output:
//   public/api/openapi.json            the merged document (build output,
//                                      served by the stack as /api/openapi.json)
//   src/shared/api/schema.gen.ts       openapi-typescript's types of it
//                                      (committed; `--check` fails on drift)
//
// Merge rules: paths may be defined by one source only; a component name
// used by several sources must have the same definition in each (so a
// shared object such as User or Error cannot silently differ between
// programs), otherwise the merge fails and names both files.
//
//   node scripts/openapi.mjs           write both outputs
//   node scripts/openapi.mjs --json    write the JSON only (npm run build, so
//                                      that a stale schema.gen.ts still shows)
//   node scripts/openapi.mjs --check   fail when schema.gen.ts is stale
import { readFileSync, writeFileSync, readdirSync, existsSync, mkdirSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import openapiTS, { astToString } from 'openapi-typescript';

const htdocs = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repo = path.resolve(htdocs, '..');
const OUT_JSON = path.join(htdocs, 'public/api/openapi.json');
const OUT_TS = path.join(htdocs, 'src/shared/api/schema.gen.ts');

/** Every source file, relative to the repository, in a stable order. */
export function sources() {
  const apps = readdirSync(path.join(repo, 'fcgi-apps'))
    .filter((d) => existsSync(path.join(repo, 'fcgi-apps', d, 'openapi.yaml')))
    .sort()
    .map((d) => `fcgi-apps/${d}/openapi.yaml`);
  return ['common/openapi.yaml', ...apps, 'relay/protocol.yaml'];
}

/** The merged document (a plain object). Throws on a conflict. */
export function merge() {
  const doc = {
    openapi: '3.0.3',
    info: {
      title: 'Easy Chat API',
      version: '1',
      description: '',
    },
    servers: [{ url: '/' }],
    security: [{ cookie: [] }, { bearer: [] }],
    tags: [],
    paths: {},
    components: {},
  };
  const owner = {}; // "kind/name" or "path" -> source file
  for (const file of sources()) {
    const src = parse(readFileSync(path.join(repo, file), 'utf8'));
  const program = file === 'relay/protocol.yaml' ? 'relay' : file === 'common/openapi.yaml' ? 'shared' : file.split('/')[1];
    doc.tags.push({ name: program, description: `${src.info?.title ?? program} (source: \`${file}\`)\n\n${src.info?.description ?? ''}` });
    for (const [p, item] of Object.entries(src.paths ?? {})) {
      if (owner[p]) throw new Error(`${p} is defined by ${owner[p]} and ${file}`);
      owner[p] = file;
      for (const op of Object.values(item)) {
        if (op && typeof op === 'object' && !Array.isArray(op) && (op.responses || op.summary)) {
          op.tags = [program];
          // The source's default security, made explicit: the merged
          // document's own default must not change what a source meant.
          op.security ??= src.security ?? [];
        }
      }
      doc.paths[p] = item;
    }
    for (const [kind, entries] of Object.entries(src.components ?? {})) {
      doc.components[kind] ??= {};
      for (const [name, def] of Object.entries(entries)) {
        const key = `${kind}/${name}`;
        const have = doc.components[kind][name];
        if (have !== undefined && !isDeepStrictEqual(have, def)) {
          throw new Error(`components/${key} differs between ${owner[key]} and ${file}`);
        }
        owner[key] ??= file;
        doc.components[kind][name] = def;
      }
    }
    if (src['x-websocket']) doc['x-websocket'] = src['x-websocket'];
  }
  checkRefs(doc, doc, '#');
  doc.info.description =
    'The whole HTTP and websocket contract of Easy Chat, merged at build time ' +
    'from the sources named under each section (htdocs/scripts/openapi.mjs). ' +
    'Served as /api/openapi.json; readable at /reference/. Each tag is one ' +
    'program (or the shared objects, or the websocket relay) and says which file it comes from.';
  return doc;
}

/** Throws on a $ref that points nowhere in the merged document. */
function checkRefs(doc, node, where) {
  if (Array.isArray(node)) {
    node.forEach((v, i) => checkRefs(doc, v, `${where}/${i}`));
  } else if (node && typeof node === 'object') {
    if (typeof node.$ref === 'string') {
      const target = node.$ref.replace(/^#\//, '').split('/')
        .reduce((o, k) => (o == null ? o : o[k.replace(/~1/g, '/').replace(/~0/g, '~')]), doc);
      if (target === undefined) throw new Error(`${where}: $ref ${node.$ref} points nowhere`);
    }
    for (const [k, v] of Object.entries(node)) checkRefs(doc, v, `${where}/${k}`);
  }
}

async function types(doc) {
  const ast = await openapiTS(doc, { enum: false, exportType: true });
  return '// schema.gen.ts - GENERATED by htdocs/scripts/openapi.mjs from the merged\n' +
    '// OpenAPI document (fcgi-apps/*/openapi.yaml, relay/protocol.yaml): do not edit.\n' +
    astToString(ast);
}

async function main() {
  const doc = merge();
  if (process.argv.includes('--json')) {
    mkdirSync(path.dirname(OUT_JSON), { recursive: true });
    writeFileSync(OUT_JSON, JSON.stringify(doc, null, 1) + '\n');
    console.log(`openapi: ${Object.keys(doc.paths).length} paths -> ${path.relative(repo, OUT_JSON)}`);
    return;
  }
  const ts = await types(doc);
  if (process.argv.includes('--check')) {
    const have = existsSync(OUT_TS) ? readFileSync(OUT_TS, 'utf8') : '';
    if (have !== ts) {
      console.error(`${path.relative(repo, OUT_TS)} is stale: run \`node htdocs/scripts/openapi.mjs\` and commit it`);
      process.exit(1);
    }
    console.log(`openapi: ${Object.keys(doc.paths).length} paths, types up to date`);
    return;
  }
  mkdirSync(path.dirname(OUT_JSON), { recursive: true });
  writeFileSync(OUT_JSON, JSON.stringify(doc, null, 1) + '\n');
  writeFileSync(OUT_TS, ts);
  console.log(`openapi: ${Object.keys(doc.paths).length} paths -> ${path.relative(repo, OUT_JSON)}, ${path.relative(repo, OUT_TS)}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(`openapi: ${e.message}`);
    process.exit(1);
  });
}
