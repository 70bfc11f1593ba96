import { constantTimeEqual, hmacSha256 } from './hmac';

// RFC 4231 §4.2-4.8: HMAC-SHA-256 test cases 1-7 (case 5 is published truncated to 128 bits).
const RFC_4231 = [
  { case: 1, key: Buffer.alloc(20, 0x0b), data: Buffer.from('Hi There'), mac: 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7' },
  { case: 2, key: Buffer.from('Jefe'), data: Buffer.from('what do ya want for nothing?'), mac: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843' },
  { case: 3, key: Buffer.alloc(20, 0xaa), data: Buffer.alloc(50, 0xdd), mac: '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe' },
  {
    case: 4,
    key: Buffer.from('0102030405060708090a0b0c0d0e0f10111213141516171819', 'hex'),
    data: Buffer.alloc(50, 0xcd),
    mac: '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b',
  },
  { case: 5, key: Buffer.alloc(20, 0x0c), data: Buffer.from('Test With Truncation'), mac: 'a3b6167473100ee06e0c796c2955552b' },
  {
    case: 6,
    key: Buffer.alloc(131, 0xaa),
    data: Buffer.from('Test Using Larger Than Block-Size Key - Hash Key First'),
    mac: '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
  },
  {
    case: 7,
    key: Buffer.alloc(131, 0xaa),
    data: Buffer.from(
      'This is a test using a larger than block-size key and a larger than block-size data. ' +
        'The key needs to be hashed before being used by the HMAC algorithm.',
    ),
    mac: '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
  },
];

describe(hmacSha256.name, () => {
  it.each(RFC_4231)('matches RFC 4231 test case $case', ({ key, data, mac }) => {
    expect(hmacSha256(key, data).toString('hex').slice(0, mac.length)).toBe(mac);
  });

  it('gives a different MAC under another key', () => {
    const [first] = RFC_4231;
    expect(hmacSha256(Buffer.alloc(20, 0x0c), first.data).toString('hex')).not.toBe(first.mac);
  });

  it('treats a string as its UTF-8 bytes', () => {
    expect(hmacSha256(Buffer.from('Jefe'), 'what do ya want for nothing?').toString('hex')).toBe(RFC_4231[1].mac);
  });
});

describe(constantTimeEqual.name, () => {
  it('is true only for the same bytes, and false for another length instead of throwing', () => {
    const mac = hmacSha256(Buffer.from('key'), 'data');
    expect(constantTimeEqual(mac, Buffer.from(mac))).toBe(true);
    const flipped = Buffer.from(mac);
    flipped[31] ^= 0x01;
    expect(constantTimeEqual(mac, flipped)).toBe(false);
    expect(constantTimeEqual(mac, mac.subarray(0, 16))).toBe(false);
    expect(constantTimeEqual(Buffer.alloc(0), Buffer.alloc(0))).toBe(true);
  });
});
