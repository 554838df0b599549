import { parseDuration } from '../../lib/config/duration';

describe('parseDuration', () => {
  it.each([
    [900, 900],
    ['900', 900],
    ['15m', 900],
    ['1h', 3600],
    ['30d', 2592000],
  ])('reads %p as %p seconds', (value, seconds) => expect(parseDuration(value)).toBe(seconds));

  it.each([0, -1, 1.5, '', '15 minutes', '0m', 'm', null, {}])('refuses %p', (value) => expect(parseDuration(value)).toBeUndefined());
});
