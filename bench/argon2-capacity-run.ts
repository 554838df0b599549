import { execFile } from 'node:child_process';
import { join } from 'node:path';

export interface Capacity {
  lanes: number;
  params: Record<string, number>;
  perSecond: number;
}

/** Runs argon2-capacity.js in a process of its own for `seconds`, with the server's argon2 parameters. */
export function measureCapacity(seconds: number, params: string): Promise<Capacity> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [join(__dirname, 'argon2-capacity.js'), String(seconds), params], (err, stdout) => {
      if (err) return reject(err);
      resolve(JSON.parse(stdout) as Capacity);
    });
  });
}
