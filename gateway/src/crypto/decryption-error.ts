/**
 * Authenticated decryption failed: wrong key, wrong additional data, or altered bytes.
 * Deliberately one message for every cause: telling them apart helps an attacker
 * (padding/format oracles, Manger's attack on OAEP) and nobody else, and the message
 * never carries key, plaintext or ciphertext bytes.
 */
export class DecryptionError extends Error {
  readonly code = 'DECRYPTION_FAILED';

  constructor(what: string) {
    super(`${what} could not be decrypted: wrong key, wrong context, or altered data`);
    this.name = 'DecryptionError';
  }
}
