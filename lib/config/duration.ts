const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/**
 * Reads a duration given as whole seconds or as `<n><s|m|h|d>` ("15m", "30d").
 * Returns seconds, or undefined when the value is not a positive duration.
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  }
  if (typeof value !== 'string') return undefined;
  const match = /^(\d{1,9})([smhd]?)$/.exec(value.trim());
  if (!match) return undefined;
  const seconds = Number(match[1]) * UNITS[match[2] || 's'];
  return seconds > 0 ? seconds : undefined;
}
