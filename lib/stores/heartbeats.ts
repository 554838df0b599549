/**
 * The heartbeats a change feed has sent through its own channel and not yet
 * heard back, by sequence number. The channel delivers in order, so a
 * heartbeat heard back proves that every change made before it was sent has
 * arrived: the feed is current as of that send time.
 */
export class Heartbeats {
  private readonly sent = new Map<number, number>();

  /** Heartbeat `sequence` leaves at `at` (performance.now()). */
  sending(sequence: number, at: number): void {
    this.sent.set(sequence, at);
  }

  /** Heartbeat `sequence` will never come back (its send failed). */
  forget(sequence: number): void {
    this.sent.delete(sequence);
  }

  /** The send time of heartbeat `sequence`, now heard back, forgetting it and every earlier one; undefined for one not awaited. */
  heard(sequence: number): number | undefined {
    const sentAt = this.sent.get(sequence);
    if (sentAt === undefined) return undefined;
    for (const key of this.sent.keys()) {
      if (key > sequence) break;
      this.sent.delete(key);
    }
    return sentAt;
  }

  clear(): void {
    this.sent.clear();
  }
}
