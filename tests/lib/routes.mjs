// routes.mjs - the route tables of the FastCGI programs, as each program
// prints them (`easychat-<program> --routes`, common/app.h).
import { execFileSync } from 'node:child_process';
import { readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { REPO } from './api.mjs';

/** The programs: every fcgi-apps/<name>/ with a main.c. */
export function programs() {
  return readdirSync(path.join(REPO, 'fcgi-apps'))
    .filter((d) => existsSync(path.join(REPO, 'fcgi-apps', d, 'main.c')))
    .sort();
}

/** The path of a program's binary in the stack's BIN_DIR. */
export function programBin(program) {
  const dir = process.env.BIN_DIR;
  if (!dir) throw new Error('BIN_DIR is not set: run the tests through tests/run.sh');
  return path.join(dir, `easychat-${program}`);
}

/** `{program, routes: [{method, path, auth, body}]}` from the binary. It
 * runs with an empty environment: listing routes must need no config. */
export function programRoutes(program) {
  const out = execFileSync(programBin(program), ['--routes'], {
    env: { PATH: process.env.PATH, ASAN_OPTIONS: process.env.ASAN_OPTIONS ?? '',
      UBSAN_OPTIONS: process.env.UBSAN_OPTIONS ?? '', LSAN_OPTIONS: process.env.LSAN_OPTIONS ?? '' },
    encoding: 'utf8',
  });
  return JSON.parse(out);
}
