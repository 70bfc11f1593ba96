import { HttpStatus, Injectable } from '@nestjs/common';
import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { ApiError } from '../common/errors';
import { rsaOaepDecrypt } from '../crypto/rsa-oaep';
import { KeyStore } from '../keys/key-store';

/** `enc1.<key id>.<base64url RSA-OAEP-256 ciphertext>`: an Aadhaar number or VID encrypted to the gateway. */
const ENVELOPE = /^enc1\.([0-9a-f]{16})\.([A-Za-z0-9_-]{300,400})$/;

export const AADHAAR_ENVELOPE_PREFIX = 'enc1.';

/**
 * Aadhaar numbers in transit (issue 15): a patient's browser or CLI encrypts the number to the
 * gateway's transport key (RSA-OAEP, SHA-256) before sending it, as UIDAI's authentication API
 * and ABDM's `auth/cert` have clients do. Whatever sees the request on its way (a TLS-ending
 * proxy, a request log, a browser extension reading the page's traffic) sees no number. The
 * plain form is still accepted from hospital and administrator systems that send it over TLS.
 */
@Injectable()
export class AadhaarTransport {
  readonly publicKeyPem: string;
  /** The first 8 bytes of SHA-256 over the public key's DER: names the key an envelope was made for. */
  readonly keyId: string;
  readonly #privateKeyPem: string;

  constructor(keys: KeyStore) {
    this.#privateKeyPem = keys.aadhaarTransportKey();
    const publicKey = createPublicKey(createPrivateKey(this.#privateKeyPem));
    this.publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    this.keyId = createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
  }

  /** The number a request carries: decrypted from an envelope, or as given when sent plain. */
  open(value: string, field = 'aadhaar'): string {
    if (!value.startsWith(AADHAAR_ENVELOPE_PREFIX)) return value;
    const match = ENVELOPE.exec(value);
    if (!match) throw invalid(field, 'is not an enc1 envelope');
    if (match[1] !== this.keyId) throw new ApiError(HttpStatus.BAD_REQUEST, 'AADHAAR_KEY_UNKNOWN', `${field}: encrypted to a key this gateway does not hold; fetch GET /v1/identity/aadhaar-key again`, { field });
    try {
      return rsaOaepDecrypt(this.#privateKeyPem, Buffer.from(match[2]!, 'base64url')).toString('utf8');
    } catch {
      throw invalid(field, 'does not decrypt');
    }
  }

  toJSON(): string {
    return '[AadhaarTransport]';
  }
}

const invalid = (field: string, why: string) => new ApiError(HttpStatus.BAD_REQUEST, 'AADHAAR_ENVELOPE_INVALID', `${field}: ${why}`, { field });
