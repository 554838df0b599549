import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * The README stays true to the code: the quick start is the file the package check compiles and runs, every
 * option has its heading, and every `npm run` it shows is a script.
 */
const ROOT = path.resolve(__dirname, '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** The names of an interface's own fields in a lib file. */
function fieldsOf(file: string, name: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(path.join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const found = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name);
  if (!found) throw new Error(`${file} has no interface ${name}`);
  return found.members.filter(ts.isPropertySignature).map((member) => member.name.getText(source));
}

describe('README.md', () => {
  it('shows examples/quickstart.ts verbatim as the quick start', () => {
    const quickstart = fs.readFileSync(path.join(ROOT, 'examples/quickstart.ts'), 'utf8');
    expect(README).toContain('## Quick start in an existing app\n\n```ts\n' + quickstart + '```');
  });

  it('has a heading under Options for every option of createAuth, and no other', () => {
    const options = README.slice(README.indexOf('## Options'), README.indexOf('## Error codes'));
    const headings = [...options.matchAll(/^### (\w+)$/gm)].map((m) => m[1]);
    const fields = [...fieldsOf('lib/config/auth-options.ts', 'AuthOptions'), ...fieldsOf('lib/config/bearer-options.ts', 'BearerOptions')];
    expect([...headings].sort()).toEqual([...new Set(fields)].sort());
  });

  it('runs only npm scripts that exist', () => {
    const scripts = Object.keys(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts);
    const used = [...README.matchAll(/npm run (?:--silent )?([\w:-]+)/g)].map((m) => m[1]);
    expect(used.length).toBeGreaterThan(5);
    expect(used.filter((name) => !scripts.includes(name))).toEqual([]);
  });

  it('lists in the failure-reasons table every FailureReason', () => {
    const errors = fs.readFileSync(path.join(ROOT, 'lib/core/errors.ts'), 'utf8');
    const union = errors.slice(errors.indexOf('export type FailureReason'), errors.indexOf('export interface AuthErrorOptions'));
    const reasons = [...union.matchAll(/\| '([a-z_.]+)'/g)].map((m) => m[1]);
    const table = README.slice(README.indexOf('### Failure reasons'), README.indexOf('## Refresh, logout'));
    expect(reasons.length).toBeGreaterThan(30);
    expect(reasons.filter((reason) => !table.includes(`\`${reason}\``))).toEqual([]);
  });
});
