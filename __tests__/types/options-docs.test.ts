import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * The options of createAuth are one exported interface, AuthOptions, and
 * every field says what it does and its default (or that it is required),
 * since that doc comment is what an editor shows on hover.
 */

const FILE = path.resolve(__dirname, '../../lib/config/auth-options.ts');

function authOptions() {
  const source = ts.createSourceFile(FILE, fs.readFileSync(FILE, 'utf8'), ts.ScriptTarget.Latest, true);
  const found = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === 'AuthOptions');
  if (!found) throw new Error('lib/config/auth-options.ts has no interface AuthOptions');
  const docOf = (node: ts.Node) => ts.getJSDocCommentsAndTags(node).map((doc) => doc.getText()).join('\n');
  return {
    exported: found.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) ?? false,
    doc: docOf(found),
    fields: found.members.filter(ts.isPropertySignature).map((member) => ({
      name: member.name.getText(source),
      optional: member.questionToken !== undefined,
      doc: docOf(member),
    })),
  };
}

describe('AuthOptions (lib/options.ts)', () => {
  const options = authOptions();

  it('is exported with a doc comment and an example', () => {
    expect(options.exported).toBe(true);
    expect(options.doc).toContain('@example');
  });

  it('documents every field, with its default, or "Required" (or "Required unless …") for a field without one', () => {
    expect(options.fields.length).toBeGreaterThan(10);
    // A required field (no `?`) has no default to state; an optional one may still be "Required unless …".
    const problems = options.fields
      .filter(({ optional, doc }) => !(optional ? /\b(Default|Required)\b/ : /\bRequired\b/).test(doc))
      .map(({ name, optional }) => `${name}: no ${optional ? '"Default …"' : '"Required"'} in its doc comment`);
    expect(problems).toEqual([]);
  });
});
