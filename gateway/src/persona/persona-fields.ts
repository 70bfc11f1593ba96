import { companionSchema } from '../database/companion-schemas';
import { Keyring } from '../keys/keyring';
import { WrappedKeyTable } from '../keys/rewrap';
import { Envelope, openEnvelope, sealEnvelope, sealUnder } from '../keys/envelope';
import { Gender } from '../identity/ekyc-provider';

/** A persona's identifying fields (DESIGN trust model 1): never stored or logged in clear. */
export interface PersonaFields {
  name: string;
  yearOfBirth: number;
  gender: Gender;
  birthDate: string | null;
  /** The mobile number on the Aadhaar record, where one-time codes go. */
  phone: string;
  email: string | null;
  address: string | null;
  /** The persona key's public half (RSA, PEM), as the patient's software made it; null until set. */
  publicKey?: string | null;
  /** The pseudonym, RSA-OAEP encrypted to `publicKey` by the patient's software (base64): the only bridge to the record store (trust model 1). */
  encryptedPseudonym?: string | null;
}

/**
 * The fields as one document sealed under the persona's data key (AES-256-GCM, random 96-bit
 * nonce), the persona id as additional data: fields moved to another persona's row do not open.
 * One document rather than a column each, so a dump does not even show which fields are set.
 */
const aadFor = (personaId: string): string => `persona/${personaId}`;

export function sealNewPersona(keyring: Keyring, personaId: string, fields: PersonaFields): Envelope {
  return sealEnvelope(keyring, Buffer.from(JSON.stringify(fields)), aadFor(personaId));
}

export function resealPersona(keyring: Keyring, personaId: string, wrappedKey: string, fields: PersonaFields): Buffer {
  return sealUnder(keyring, wrappedKey, Buffer.from(JSON.stringify(fields)), aadFor(personaId));
}

export function openPersona(keyring: Keyring, personaId: string, wrappedKey: string, sealed: Uint8Array): PersonaFields {
  return JSON.parse(openEnvelope(keyring, wrappedKey, sealed, aadFor(personaId)).toString('utf8')) as PersonaFields;
}

/** The personas' data keys, for rotation (keys/rewrap.ts): the fields are never touched. */
export const personaKeyTable = (mainSchema: string): WrappedKeyTable => ({
  schema: companionSchema(mainSchema, 'persona'),
  table: 'data_keys',
  id: '"persona_id"',
  aad: aadFor,
});
