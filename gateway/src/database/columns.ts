import { ValueTransformer } from 'typeorm';

/** node-postgres returns bytea as Buffer, PGlite as Uint8Array: entities always see a Buffer. */
export const BYTEA_AS_BUFFER: ValueTransformer = {
  from: (value: Uint8Array | null) => (value === null ? null : Buffer.from(value.buffer, value.byteOffset, value.byteLength)),
  to: (value: Buffer | null | undefined) => value,
};
