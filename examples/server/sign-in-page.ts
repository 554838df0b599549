import fs from 'node:fs';
import path from 'node:path';
import type { Response, Router } from 'express';

/**
 * The sign-in page at `/`: plain HTML, one script and one style sheet from
 * examples/server/public (no build step), served with a strict
 * Content-Security-Policy: nothing inline, nothing from another origin, no
 * framing, and no native form submission (the script posts the form, so a
 * password can never end up in a URL).
 */

// The files stay in examples/server/public: from the sources (tests) or from build/examples/server.
const PUBLIC_DIR = [path.join(__dirname, 'public'), path.resolve(__dirname, '../../../examples/server/public')].find((dir) =>
  fs.existsSync(path.join(dir, 'index.html')),
);

export const SIGN_IN_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/sign-in.js': { file: 'sign-in.js', type: 'text/javascript; charset=utf-8' },
  '/sign-in.css': { file: 'sign-in.css', type: 'text/css; charset=utf-8' },
};

function secured(res: Response, type: string): Response {
  return res.set({
    'Content-Type': type,
    'Content-Security-Policy': SIGN_IN_CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    // Small files, revalidated each time: a new version shows at once.
    'Cache-Control': 'no-cache',
  });
}

/** Mounts `GET /`, `/sign-in.js` and `/sign-in.css`. */
export function serveSignInPage(app: Router): void {
  if (PUBLIC_DIR === undefined) throw new Error('examples/server/public/index.html is missing');
  for (const [route, { file, type }] of Object.entries(FILES)) {
    // Read once: three small files.
    const body = fs.readFileSync(path.join(PUBLIC_DIR, file));
    app.get(route, (_req, res) => {
      secured(res, type).send(body);
    });
  }
}
