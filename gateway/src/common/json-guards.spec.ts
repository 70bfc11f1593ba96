import { hasNulCharacter, jsonNestsDeeperThan } from './json-guards';

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

describe(hasNulCharacter.name, () => {
  it('finds a NUL in any string, key or value, however nested', () => {
    expect(hasNulCharacter(JSON.parse('{"username":"ad\\u0000min"}'))).toBe(true);
    expect(hasNulCharacter(JSON.parse('{"a":[1,{"b\\u0000":2}]}'))).toBe(true);
    expect(hasNulCharacter(JSON.parse('{"a":[1,{"b":"\\\\u0000 is only text"}],"n":null}'))).toBe(false);
  });
});
