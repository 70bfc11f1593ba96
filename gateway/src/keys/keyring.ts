import { readFileSync, statSync } from 'node:fs';
import { access, chmod, constants, mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createFileAtomically, writeFileAtomically } from '../common/atomic-file';
import { withFileLock } from '../common/file-lock';
import { AES_256_KEY_BYTES, open as openSealed, seal } from '../crypto/aes-gcm';
import { DecryptionError } from '../crypto/decryption-error';
import { KEY_ID_PATTERN, KEYRING_FILE, KeyringData, KeyringError, KeyringKey, parseKeyring, serializeKeyring, withNewKey } from './keyring-file';

/**
 * Wrapped key, version 1: `kw1.<key id>.<base64url of an AES-GCM sealed value>`.
 * The key id is in the clear so the right key is found without trying each one.
 */
const WRAPPED = new RegExp(`^kw1\\.(${KEY_ID_PATTERN})\\.([A-Za-z0-9_-]+)$`);

/** Errors meaning "this process may not write here", as a mounted secret gives. */
const READ_ONLY_CODES = new Set(['EROFS', 'EACCES', 'EPERM']);

/**
 * The key-encryption keyring (DESIGN trust model 3): AES-256 keys that wrap the per-patient
 * and per-record data keys, so data keys can live beside the data they protect and a key
 * compromise or rotation touches only the small wrapped keys. One key is active for wrapping;
 * older keys stay for unwrapping until everything is rewrapped.
 *
 * Kept in `<keysDir>/keyring.json` (0600 in a 0700 directory), created on first use. In
 * production the file is a mounted secret: it loads read-only and rotation happens where
 * it is provisioned. Key bytes are held in a private field and never logged or serialised.
 */
export class Keyring {
  #data: KeyringData;
  #rotation: Promise<unknown> = Promise.resolve();
  readonly #reloadedFor = new Set<string>();
  /** The keyring file's modification time when last read or written here, and when it was last looked at. */
  #mtimeMs = 0;
  #checkedAt = 0;

  private constructor(
    private readonly file: string,
    data: KeyringData,
    /** True when this process cannot write the file: wrap and unwrap work, rotate does not. */
    readonly readOnly: boolean,
    /** True when this open created the keyring. */
    readonly created: boolean,
  ) {
    this.#data = data;
    this.#mtimeMs = mtimeOf(file);
  }

  static async open(dir: string): Promise<Keyring> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const file = join(dir, KEYRING_FILE);
    let text = await readIfExists(file);
    let created = false;
    if (text === undefined) {
      const fresh = serializeKeyring(withNewKey());
      created = await createFileAtomically(file, fresh, 0o600);
      // Not created: another process won the race; its keyring is the one to use.
      text = created ? fresh : await readFile(file, 'utf8');
    }
    const data = parseKeyring(text, file);
    return new Keyring(file, data, !created && !(await writable(file, dir)), created);
  }

  get activeKeyId(): string {
    return this.#data.active;
  }

  /** Wraps a 32-byte data key under the active key, bound to `aad` (the data key's owner: patient, record). */
  wrap(dataKey: Uint8Array, aad: Uint8Array | string): string {
    if (dataKey.length !== AES_256_KEY_BYTES) throw new RangeError(`A data key must be ${AES_256_KEY_BYTES} bytes, got ${dataKey.length}`);
    // Another process may have rotated since: wrap under the file's active key, not a stale one
    // (a key wrapped under the old one after \`keys:rotate\` rewrapped would be left behind).
    // Looked at once a second at most: records wrap a key per upload, and a stat is a syscall.
    const now = Date.now();
    if (now - this.#checkedAt >= 1_000) {
      this.#checkedAt = now;
      if (mtimeOf(this.file) !== this.#mtimeMs) this.reload();
    }
    const id = this.#data.active;
    const sealed = seal(this.keyBytes(id), dataKey, boundAad(id, aad));
    return `kw1.${id}.${sealed.toString('base64url')}`;
  }

  /** The data key inside `wrapped`; fails unless `aad` is the one it was wrapped with. */
  unwrap(wrapped: string, aad: Uint8Array | string): Buffer {
    const match = WRAPPED.exec(wrapped);
    if (!match) throw new KeyringError('KEYRING_WRAPPED_MALFORMED', 'Wrapped key is not in the kw1.<key id>.<base64url> format');
    const [, id, sealed] = match;
    const key = this.keyBytes(id);
    try {
      return openSealed(key, Buffer.from(sealed, 'base64url'), boundAad(id, aad));
    } catch {
      throw new DecryptionError('Wrapped key');
    }
  }

  /** `wrapped` under the active key (unchanged if it already is, after checking it opens). */
  rewrap(wrapped: string, aad: Uint8Array | string): string {
    const dataKey = this.unwrap(wrapped, aad);
    return wrapped.startsWith(`kw1.${this.#data.active}.`) ? wrapped : this.wrap(dataKey, aad);
  }

  /**
   * Adds a new key and makes it the active one; returns its id. The file is written (crash
   * safely: a torn keyring would lose every data key) before the new key is used in memory.
   * Rotations in one process run one at a time, so none is lost to another.
   */
  rotate(): Promise<string> {
    const next = this.#rotation.then(() => this.rotateNow());
    this.#rotation = next.catch(() => undefined);
    return next;
  }

  private async rotateNow(): Promise<string> {
    if (this.readOnly) throw this.readOnlyError();
    try {
      // Locked, and read again under the lock: a rotation by another process meanwhile keeps its key.
      return await withFileLock(`${this.file}.lock`, async () => {
        const onDisk = parseKeyring(await readFile(this.file, 'utf8'), this.file);
        const data = withNewKey({ active: onDisk.active, keys: new Map([...this.#data.keys, ...onDisk.keys]) });
        await writeFileAtomically(this.file, serializeKeyring(data), 0o600);
        this.#data = data;
        this.#mtimeMs = mtimeOf(this.file);
        return data.active;
      });
    } catch (error) {
      if (READ_ONLY_CODES.has((error as NodeJS.ErrnoException).code ?? '')) throw this.readOnlyError();
      throw error;
    }
  }

  private keyBytes(id: string): Buffer {
    const entry = this.#data.keys.get(id) ?? this.reloadFor(id);
    if (!entry) throw new KeyringError('KEYRING_UNKNOWN_KEY', `Keyring ${this.file} has no key ${id}; it was wrapped under another keyring`);
    return entry.key;
  }

  /**
   * A key this process has not seen: another process (`npm run keys:rotate`, a second gateway)
   * may have rotated the file since we read it. Read it again, once per unknown id; a key that
   * is there becomes known, and the active key follows the file. Synchronous because wrap and
   * unwrap are; this happens once per rotation.
   */
  private reloadFor(id: string): KeyringKey | undefined {
    if (this.#reloadedFor.has(id)) return undefined;
    this.#reloadedFor.add(id);
    this.reload();
    return this.#data.keys.get(id);
  }

  /** Adopts the file's keys and active key, keeping every key known here (keys are only ever added). */
  private reload(): void {
    this.#mtimeMs = mtimeOf(this.file);
    let data: KeyringData;
    try {
      data = parseKeyring(readFileSync(this.file, 'utf8'), this.file);
    } catch {
      return; // a torn or missing file: go on with what is known
    }
    this.#data = { active: data.active, keys: new Map([...this.#data.keys, ...data.keys]) };
  }

  private readOnlyError(): KeyringError {
    return new KeyringError(
      'KEYRING_READ_ONLY',
      `Keyring ${this.file} is read-only (a mounted secret?); rotate it where it is provisioned and restart the gateway`,
    );
  }

  toJSON(): string {
    return this.toString();
  }

  toString(): string {
    return `[Keyring active=${this.#data.active} keys=${this.#data.keys.size}]`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/**
 * The key id is authenticated with the caller's context, under a label for this use, so a
 * wrapped key opens only as what it was made for. The id has a fixed length, so the
 * concatenation cannot be read two ways.
 */
function boundAad(id: string, aad: Uint8Array | string): Buffer {
  return Buffer.concat([Buffer.from(`ehrchain keyring kw1 ${id}\n`), Buffer.from(aad)]);
}

/** The file's modification time in ms, 0 when it cannot be read. Synchronous: wrap and unwrap are. */
function mtimeOf(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Whether rotate could write the keyring, narrowing a file others can read to 0600 as
 * KeyStore does. A file without the owner's write bit is a provisioned secret: left as it is.
 */
async function writable(file: string, dir: string): Promise<boolean> {
  const { mode } = await stat(file);
  if ((mode & 0o200) === 0) return false;
  try {
    if ((mode & 0o077) !== 0) await chmod(file, 0o600);
    await access(dir, constants.W_OK);
    return true;
  } catch (error) {
    if (READ_ONLY_CODES.has((error as NodeJS.ErrnoException).code ?? '')) return false;
    throw error;
  }
}
