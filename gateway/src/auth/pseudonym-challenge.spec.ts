import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { CHALLENGE_TTL_SECONDS, ChallengeCodec } from './pseudonym-challenge';

const handle = () => `0x${randomBytes(32).toString('hex')}`;

describe(ChallengeCodec.name, () => {
  const sut = ChallengeCodec.fromSecret('gateway-secret');
  const now = 1_800_000_000;

  it('opens what it issued, for the same handle and expiry, until the expiry', () => {
    const a = handle();
    const { challenge, expiresAt } = sut.issue(a, now);
    expect(challenge).toMatch(/^0x[0-9a-f]{64}$/);
    expect(expiresAt).toBe(now + CHALLENGE_TTL_SECONDS);
    const opened = sut.open(challenge, a, expiresAt, expiresAt);
    expect(opened).toEqual({ ok: true, id: challenge.slice(2, 34) });
    expect(sut.open(challenge, a.toUpperCase().replace('0X', '0x'), expiresAt, now)).toEqual(opened);
  });

  it('issues a different challenge each time', () => {
    const a = handle();
    expect(sut.issue(a, now).challenge).not.toBe(sut.issue(a, now).challenge);
  });

  it('refuses a challenge after its expiry', () => {
    const a = handle();
    const { challenge, expiresAt } = sut.issue(a, now);
    expect(sut.open(challenge, a, expiresAt, expiresAt + 1)).toEqual({ ok: false, code: 'CHALLENGE_EXPIRED' });
  });

  it.each([
    ['another handle', (c: string, e: number) => [c, handle(), e]],
    ['a later expiry', (c: string, e: number, a: string) => [c, a, e + 3600]],
    ['a changed id', (c: string, e: number, a: string) => [`0x${'00'.repeat(16)}${c.slice(34)}`, a, e]],
    ['a changed MAC', (c: string, e: number, a: string) => [`${c.slice(0, 65)}${c[65] === '0' ? '1' : '0'}`, a, e]],
    ['a malformed challenge', (_c: string, e: number, a: string) => ['0x1234', a, e]],
    ['a negative expiry', (c: string, _e: number, a: string) => [c, a, -1]],
  ] as const)('refuses %s', (_name, tamper) => {
    const a = handle();
    const { challenge, expiresAt } = sut.issue(a, now);
    const [c, h, e] = tamper(challenge, expiresAt, a) as [string, string, number];
    expect(sut.open(c, h, e, now)).toEqual({ ok: false, code: 'CHALLENGE_INVALID' });
  });

  it('refuses a challenge made with another secret', () => {
    const a = handle();
    const { challenge, expiresAt } = ChallengeCodec.fromSecret('another-gateway').issue(a, now);
    expect(sut.open(challenge, a, expiresAt, now)).toEqual({ ok: false, code: 'CHALLENGE_INVALID' });
  });

  it('never shows its key', () => {
    expect(JSON.stringify(sut)).toBe('{}');
    expect(inspect(sut)).toBe('ChallengeCodec {}');
  });
});
