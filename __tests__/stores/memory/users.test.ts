import { MemoryUserStore } from '../../../lib/stores/memory/users';
import { describeUserStoreContract } from '../user-store-contract';

let clock = Date.UTC(2024, 0, 1);

describeUserStoreContract('MemoryUserStore', () => new MemoryUserStore({ now: () => clock }), undefined, {
  advanceClock: (ms) => {
    clock += ms;
  },
});

describe('MemoryUserStore', () => {
  it('stamps createdAt and updatedAt from the clock it was given', async () => {
    let now = Date.UTC(2024, 5, 1);
    const store = new MemoryUserStore({ now: () => now });

    const created = await store.create({ username: 'alice', passwordHash: 'h' });
    now += 5000;
    const updated = await store.update(created.id, { disabled: true });

    expect(created.createdAt.getTime()).toBe(Date.UTC(2024, 5, 1));
    expect(created.updatedAt.getTime()).toBe(Date.UTC(2024, 5, 1));
    expect(updated?.updatedAt.getTime()).toBe(Date.UTC(2024, 5, 1) + 5000);
  });

  it('uses the system clock by default', async () => {
    const before = Date.now();
    const created = await new MemoryUserStore().create({ username: 'alice', passwordHash: 'h' });

    expect(created.createdAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(created.createdAt.getTime()).toBeLessThanOrEqual(Date.now());
  });
});
