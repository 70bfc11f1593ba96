import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { sandboxInboxFile, SandboxSms } from '../../gateway/src/identity/sandbox-ekyc';

/**
 * The sandbox eKYC provider's SMS file, read as it grows (each read takes only the lines
 * appended since the last), so the registration scenario finds each resident's code without
 * rereading thousands of lines per operation. Reads run one at a time.
 */
export class SandboxInbox {
  private offset = 0;
  private partial = '';
  private readonly codes = new Map<string, string>();
  private reading: Promise<void> = Promise.resolve();

  constructor(private readonly dataDir: string) {}

  /** The latest code sent to `mobile` and not taken yet; waits up to `timeoutMs` for it. */
  async codeFor(mobile: string, timeoutMs = 5_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const code = this.codes.get(mobile);
      if (code) {
        this.codes.delete(mobile);
        return code;
      }
      if (Date.now() > deadline) throw new Error(`No code reached ${mobile} within ${timeoutMs} ms`);
      this.reading = this.reading.then(() => this.readNew());
      await this.reading;
      if (!this.codes.has(mobile)) await sleep(2);
    }
  }

  private async readNew(): Promise<void> {
    let file;
    try {
      file = await open(sandboxInboxFile(this.dataDir), 'r');
    } catch {
      return; // nothing sent yet
    }
    try {
      const { size } = await file.stat();
      if (size <= this.offset) return;
      const buffer = Buffer.alloc(size - this.offset);
      await file.read(buffer, 0, buffer.length, this.offset);
      this.offset = size;
      const lines = (this.partial + buffer.toString('utf8')).split('\n');
      this.partial = lines.pop() ?? '';
      for (const line of lines.filter(Boolean)) {
        const sms = JSON.parse(line) as SandboxSms;
        this.codes.set(sms.to, sms.code);
      }
    } finally {
      await file.close();
    }
  }
}
