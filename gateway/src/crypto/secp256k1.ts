/** The order of secp256k1's group: a private key is a number in [1, n - 1]. */
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** Whether 32 bytes make a valid secp256k1 private key. */
export function isPrivateKey(bytes: Uint8Array): boolean {
  const value = BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
  return value > 0n && value < SECP256K1_N;
}
