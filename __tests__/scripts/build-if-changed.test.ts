import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const SCRIPT = path.join(ROOT, 'scripts/build-if-changed.js');

/**
 * scripts/build-if-changed.js in a scratch project whose build:lib and
 * build:examples only write down that they ran (and can be told to fail, or
 * to have a source edited while they run), so every case takes milliseconds.
 */
describe('scripts/build-if-changed.js', () => {
  let dir: string;

  const file = (name: string) => path.join(dir, name);
  /** Writes a file, dated now. */
  function write(name: string, text = `// ${name}\n`) {
    fs.mkdirSync(path.dirname(file(name)), { recursive: true });
    fs.writeFileSync(file(name), text);
  }
  /** Dates a file now: later than the start of any build run before. */
  function touch(name: string) {
    const now = new Date();
    fs.utimesSync(file(name), now, now);
  }
  /** Dates every file and folder of the scratch project an hour ago, as an old checkout. */
  function age(at = dir) {
    const past = new Date(Date.now() - 3600_000);
    for (const entry of fs.readdirSync(at, { withFileTypes: true })) {
      if (entry.isDirectory()) age(path.join(at, entry.name));
      fs.utimesSync(path.join(at, entry.name), past, past);
    }
  }
  /** Runs the script; the build steps it ran (from the log the fake build writes) and its exit code. */
  function run(...args: string[]): { code: number | null; steps: string[] } {
    const before = fs.existsSync(file('log')) ? fs.readFileSync(file('log'), 'utf8') : '';
    const result = spawnSync(process.execPath, [file('scripts/build-if-changed.js'), ...args], { cwd: dir, encoding: 'utf8' });
    const after = fs.existsSync(file('log')) ? fs.readFileSync(file('log'), 'utf8') : '';
    return { code: result.status, steps: after.slice(before.length).split('\n').filter(Boolean) };
  }

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'build-if-changed-'));
    fs.mkdirSync(file('scripts'));
    fs.copyFileSync(SCRIPT, file('scripts/build-if-changed.js'));
    // The fake build: logs its step, writes an output, fails when FAIL names the step, and
    // (LATE) saves a source in the middle of the build, as an editor might.
    const step = (name: string, out: string) =>
      `echo ${name} >> log && mkdir -p ${out} && ` +
      `if [ -e LATE-${name} ]; then rm LATE-${name}; echo // > lib/late.ts; fi && [ ! -e FAIL-${name} ]`;
    fs.writeFileSync(file('package.json'), JSON.stringify({ scripts: { 'build:lib': step('lib', 'dist'), 'build:examples': step('examples', 'build') } }));
    write('lib/index.ts');
    write('examples/server/main.ts');
    write('bench/run.ts');
    write('tsconfig.json', '{}');
    age();
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A first build, after which the tree is fresh. */
  function built() {
    expect(run()).toEqual({ code: 0, steps: ['lib', 'examples'] });
    expect(run()).toEqual({ code: 0, steps: [] });
  }

  it('builds a fresh clone, then nothing until a source changes', () => {
    built();
    expect(run()).toEqual({ code: 0, steps: [] });
  });

  it.each([
    ['a changed library file', () => touch('lib/index.ts')],
    ['a changed example', () => touch('examples/server/main.ts')],
    ['a changed bench file', () => touch('bench/run.ts')],
    ['a new file (git pull)', () => write('examples/server/new.ts')],
    ['a removed file', () => fs.rmSync(file('bench/run.ts'))],
    ['a changed tsconfig.json', () => touch('tsconfig.json')],
    ['a changed package.json', () => touch('package.json')],
    ['a removed dist/', () => fs.rmSync(file('dist'), { recursive: true })],
    ['a removed build/', () => fs.rmSync(file('build'), { recursive: true })],
  ])('builds again after %s', (_name, change) => {
    built();
    change();
    expect(run()).toEqual({ code: 0, steps: ['lib', 'examples'] });
  });

  it('ignores files that are not sources (bench/RESULTS.md)', () => {
    write('bench/RESULTS.md');
    age();
    built();
    touch('bench/RESULTS.md');
    expect(run().steps).toEqual([]);
  });

  it('always builds with --force', () => {
    built();
    expect(run('--force')).toEqual({ code: 0, steps: ['lib', 'examples'] });
  });

  it('fails with the build, stops at the failed step, and builds again next time', () => {
    built();
    touch('lib/index.ts');
    write('FAIL-lib');
    expect(run()).toEqual({ code: 1, steps: ['lib'] });
    fs.rmSync(file('FAIL-lib'));
    write('FAIL-examples');
    expect(run()).toEqual({ code: 1, steps: ['lib', 'examples'] });
    fs.rmSync(file('FAIL-examples'));
    expect(run()).toEqual({ code: 0, steps: ['lib', 'examples'] });
    expect(run()).toEqual({ code: 0, steps: [] });
  });

  it('builds again when a source was saved while the last build ran', () => {
    built();
    touch('lib/index.ts');
    write('LATE-examples');
    expect(run()).toEqual({ code: 0, steps: ['lib', 'examples'] });
    expect(run()).toEqual({ code: 0, steps: ['lib', 'examples'] });
    expect(run()).toEqual({ code: 0, steps: [] });
  });
});

describe('package.json', () => {
  const { scripts } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

  it.each(['prestart', 'preusers', 'prekeys', 'preresource-server'])('%s builds only when a source changed', (name) => {
    expect(scripts[name]).toBe('node scripts/build-if-changed.js');
  });

  it('builds unconditionally for npm run build and npm test', () => {
    expect(scripts.build).toBe('node scripts/build-if-changed.js --force');
    expect(scripts.pretest).toContain('npm run --silent build');
  });
});
