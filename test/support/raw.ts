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
