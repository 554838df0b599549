#!/usr/bin/env node
// @ts-check
'use strict';

/**
 * Runs the build (package.json's `build:lib`, then `build:examples`) only when
 * a source changed since the last build that succeeded; `--force` always
 * builds. `npm start`, `npm run users`, `npm run keys` and
 * `npm run resource-server` call it first, so a command on a built tree starts
 * at once instead of after a full `tsc` (seconds).
 *
 * Sources are the .ts/.js/.json files under lib/, examples/ and bench/, their
 * folders (a deleted or renamed file changes its folder), the tsconfig files,
 * package.json and package-lock.json. A successful build leaves a stamp in
 * dist/ and in build/ whose time is when the build STARTED, so a file saved
 * during the build is newer than the stamp and the next run builds again. The
 * build is fresh when both stamps exist and every source is older than both:
 * a fresh clone (no stamps), `git pull` or `git checkout` (git writes the
 * files it changes with the current time), an edit, or a removed dist/ or
 * build/ all lead to a build. A failed build leaves the old stamps as they
 * were, older than the sources, so the next run builds again.
 *
 * Usage: node scripts/build-if-changed.js [--force]
 */

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const SOURCE_DIRS = ['lib', 'examples', 'bench'];
const SOURCE_FILES = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'tsconfig.examples.json'];
const SOURCE_EXTENSIONS = /\.(ts|mts|cts|js|json)$/;
const STAMPS = ['dist/.build-stamp', 'build/.build-stamp'];
const STEPS = ['build:lib', 'build:examples'];

/** The latest mtime (ms) of any source, or Infinity when one cannot be read (then build). */
function newestSource() {
  let newest = 0;
  const see = (/** @type {string} */ file) => {
    try {
      newest = Math.max(newest, fs.statSync(file).mtimeMs);
    } catch (err) {
      if (/** @type {NodeJS.ErrnoException} */ (err).code !== 'ENOENT') newest = Infinity;
    }
  };
  const walk = (/** @type {string} */ dir) => {
    see(dir);
    let entries;
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      if (/** @type {NodeJS.ErrnoException} */ (err).code !== 'ENOENT') newest = Infinity;
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (SOURCE_EXTENSIONS.test(entry.name)) see(full);
    }
  };
  for (const dir of SOURCE_DIRS) walk(path.join(ROOT, dir));
  for (const file of SOURCE_FILES) see(path.join(ROOT, file));
  return newest;
}

/** The older of the two stamps' times, or -Infinity when one is missing. */
function lastBuild() {
  let oldest = Infinity;
  for (const stamp of STAMPS) {
    try {
      oldest = Math.min(oldest, fs.statSync(path.join(ROOT, stamp)).mtimeMs);
    } catch {
      return -Infinity;
    }
  }
  return oldest;
}

/** Runs one package.json script the way npm does (a shell, node_modules/.bin on PATH); its exit code. */
function runScript(/** @type {Record<string, string>} */ scripts, /** @type {string} */ name) {
  const command = scripts[name];
  if (typeof command !== 'string') {
    process.stderr.write(`build-if-changed: package.json has no "${name}" script\n`);
    return 1;
  }
  const bin = path.join(ROOT, 'node_modules', '.bin');
  const env = { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}` };
  const result = spawnSync(command, { cwd: ROOT, env, shell: true, stdio: 'inherit' });
  if (result.error) {
    process.stderr.write(`build-if-changed: cannot run ${name}: ${result.error.message}\n`);
    return 1;
  }
  return result.status ?? 1;
}

function main() {
  const force = process.argv.includes('--force');
  // Equal times count as changed: on a file system with coarse timestamps, a file saved in the
  // same tick as the build started may or may not have been read by it.
  if (!force && newestSource() < lastBuild()) return 0;
  const started = new Date();
  const { scripts = {} } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  for (const step of STEPS) {
    const code = runScript(scripts, step);
    if (code !== 0) return code;
  }
  for (const stamp of STAMPS) {
    const file = path.join(ROOT, stamp);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `built from the sources as they were at ${started.toISOString()}\n`);
    fs.utimesSync(file, started, started);
  }
  return 0;
}

process.exitCode = main();
