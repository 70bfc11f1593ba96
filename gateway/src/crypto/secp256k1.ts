/** The order of secp256k1's group: a private key is a number in [1, n - 1]. */
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** Whether 32 bytes make a valid secp256k1 private key. */
export function isPrivateKey(bytes: Uint8Array): boolean {
  // No Buffer: the patient SDK checks keys in a browser too.
  const value = BigInt(`0x${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`);
  return value > 0n && value < SECP256K1_N;
}
