import { jsonNestsDeeperThan } from './json-depth';

describe(jsonNestsDeeperThan.name, () => {
  it('measures the nesting of objects and arrays, up to and beyond the maximum', () => {
    expect(jsonNestsDeeperThan('{"a":[1,{"b":[]}]}', 4)).toBe(false);
    expect(jsonNestsDeeperThan('{"a":[1,{"b":[]}]}', 3)).toBe(true);
    expect(jsonNestsDeeperThan(`${'['.repeat(100_000)}${']'.repeat(100_000)}`, 32)).toBe(true);
    expect(jsonNestsDeeperThan('[[],[],[],[]]', 2)).toBe(false);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    expect(jsonNestsDeeperThan(JSON.stringify({ note: '[[[[{{{{' }), 1)).toBe(false);
    expect(jsonNestsDeeperThan(JSON.stringify({ note: 'say \\"[[[[" now' }), 1)).toBe(false);
    expect(jsonNestsDeeperThan('{"a":"\\\\"}', 1)).toBe(false);
  });
});
