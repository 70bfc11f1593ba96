import { canonicalJson } from './canonical-json';

describe(canonicalJson.name, () => {
  it('writes the same text whatever the key order, at every level', () => {
    const a = { b: 1, a: { d: [true, null, 'x'], c: 'é' } };
    const b = { a: { c: 'é', d: [true, null, 'x'] }, b: 1 };

    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe('{"a":{"c":"é","d":[true,null,"x"]},"b":1}');
    expect(JSON.parse(canonicalJson(a))).toEqual(a);
  });

  it('tells different values apart, including a value moved between keys', () => {
    expect(canonicalJson({ a: '1', b: '2' })).not.toBe(canonicalJson({ a: '2', b: '1' }));
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: '1' }));
  });

  it.each([[{ n: NaN }], [{ n: Infinity }], [{ n: 1n }], [{ f: () => 1 }]])('refuses what JSON cannot carry faithfully: %p', (value) => {
    expect(() => canonicalJson(value)).toThrow();
  });
});
