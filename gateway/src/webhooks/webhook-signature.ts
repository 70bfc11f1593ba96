import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * How a webhook's body is signed (the scheme Stripe and GitHub use): header
 * `X-EHRChain-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. The time
 * is inside the MAC, so a receiver that refuses old timestamps also refuses replays.
 */
export const SIGNATURE_HEADER = 'x-ehrchain-signature';

export function signatureHeader(secret: Buffer, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** What a receiver checks: the MAC over its raw body, and a timestamp within `toleranceSeconds` of now. */
export function verifySignature(secret: Buffer, header: string, body: string, nowSeconds: number, toleranceSeconds = 300): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!match) return false;
  const timestamp = Number(match[1]);
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(signatureHeader(secret, timestamp, body).slice(-64), 'hex');
  return timingSafeEqual(expected, Buffer.from(match[2]!, 'hex'));
}
