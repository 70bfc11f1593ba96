import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Response } from 'superagent';

/** A supertest parser that keeps a response body as the bytes that came. */
export function binary(res: Response, done: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}

/** Every file under `dir` (the embedded IPFS store's blocks), read whole: what someone who copied the disk holds. */
export async function allFiles(dir: string): Promise<Buffer[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return Promise.all(entries.filter((e) => e.isFile()).map((e) => readFile(join(e.parentPath, e.name))));
}

/**
 * Whether `text` holds `needle` as a token of its own, not inside a longer run of letters or
 * digits (case-insensitive). A dump or a log is full of hex digests, uuids, base64 keys and
 * timings, which hold a given short number or word now and then by chance; an identifier that
 * leaked sits between quotes, spaces or punctuation, as JSON or text put it.
 */
export function holdsToken(text: string, needle: string): boolean {
  const escaped = needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, 'iu').test(text);
}
