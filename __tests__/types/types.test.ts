import path from 'node:path';
import ts from 'typescript';

/**
 * Runs the compiler on public-api.ts the way `npm run typecheck` does, so
 * `jest` alone also fails when the public types loosen, and checks that each
 * `@ts-expect-error [TSnnnn]` there fails for the reason it names (a
 * directive silenced by an unrelated error would prove nothing).
 */

const ROOT = path.resolve(__dirname, '../..');
const FILE = path.join(__dirname, 'public-api.ts');
const DIRECTIVE = /^\s*\/\/ @ts-expect-error \[TS(\d+)\]/;

function compilerOptions(): ts.CompilerOptions {
  const parsed = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    },
  });
  return { ...parsed!.options, noEmit: true, incremental: false, tsBuildInfoFile: undefined };
}

/** The diagnostics of FILE, compiled from `text`, as "line: TScode message". */
function diagnostics(options: ts.CompilerOptions, text: string) {
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, onError) =>
    path.resolve(name) === FILE ? ts.createSourceFile(name, text, language) : getSourceFile(name, language, onError);
  const program = ts.createProgram([FILE], options, host);
  const source = program.getSourceFile(FILE)!;
  return ts.getPreEmitDiagnostics(program, source).map((d) => ({
    line: d.start === undefined ? -1 : source.getLineAndCharacterOfPosition(d.start).line,
    code: d.code,
    message: ts.flattenDiagnosticMessageText(d.messageText, ' '),
  }));
}

describe('public types (public-api.ts)', () => {
  jest.setTimeout(60_000);
  const options = compilerOptions();
  const text = ts.sys.readFile(FILE)!;
  const lines = text.split('\n');
  const expected = lines.flatMap((line, index) => {
    const match = DIRECTIVE.exec(line);
    return match ? [{ line: index + 1, code: Number(match[1]) }] : [];
  });

  it('has @ts-expect-error lines, each naming the error it expects', () => {
    expect(expected.length).toBeGreaterThanOrEqual(12);
    expect(lines.filter((line) => /^\s*\/\/ @ts-expect-error/.test(line)).length).toBe(expected.length);
  });

  it('compiles with no error: every @ts-expect-error line is still an error', () => {
    expect(diagnostics(options, text)).toEqual([]);
  });

  it('fails each @ts-expect-error line with the error it names, and nothing else, once the directives are gone', () => {
    const stripped = lines.map((line) => (DIRECTIVE.test(line) ? '' : line)).join('\n');
    const found = diagnostics(options, stripped).map(({ line, code }) => ({ line, code }));
    // A statement may report its error on a later line of its own; each must start on the line after its directive.
    expect(found.filter((d) => !expected.some((e) => e.line === d.line))).toEqual([]);
    for (const e of expected) expect({ line: e.line, codes: found.filter((d) => d.line === e.line).map((d) => d.code) }).toEqual({ line: e.line, codes: [e.code] });
  });
});
