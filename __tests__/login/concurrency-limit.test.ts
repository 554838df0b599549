import { ConcurrencyLimit } from '../../lib/login/concurrency-limit';
import { ServiceUnavailableError } from '../../lib/core/errors';

/** A task the test finishes by hand. */
function gate() {
  let open!: () => void;
  const done = new Promise<void>((resolve) => (open = resolve));
  return { done, open };
}

describe('ConcurrencyLimit', () => {
  it('runs at most `concurrency` tasks at once and queues the next ones in order', async () => {
    const limit = new ConcurrencyLimit(2, 10);
    const running: number[] = [];
    const finished: number[] = [];
    const gates = [gate(), gate(), gate(), gate()];
    const tasks = gates.map((g, i) =>
      limit.run(async () => {
        running.push(i);
        await g.done;
        finished.push(i);
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(running).toEqual([0, 1]);
    gates[1].open();
    await new Promise((resolve) => setImmediate(resolve));
    expect(running).toEqual([0, 1, 2]);
    gates.forEach((g) => g.open());
    await Promise.all(tasks);
    expect(running).toEqual([0, 1, 2, 3]);
    expect(finished).toHaveLength(4);
  });

  it('refuses with a 503 and Retry-After once the queue is full', async () => {
    const limit = new ConcurrencyLimit(1, 1);
    const g = gate();
    const first = limit.run(() => g.done);
    const queued = limit.run(async () => 'queued');
    await expect(limit.run(async () => 'refused')).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(limit.run(async () => undefined)).rejects.toMatchObject({ status: 503, headers: { 'Retry-After': '1' } });
    g.open();
    await first;
    expect(await queued).toBe('queued');
    expect(await limit.run(async () => 'after')).toBe('after');
  });

  it('frees the slot when a task fails', async () => {
    const limit = new ConcurrencyLimit(1, 0);
    await expect(limit.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limit.run(async () => 'ok')).toBe('ok');
  });
});
