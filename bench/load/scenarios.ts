// What the bench does to the gateway, as a hospital system would: upload records of a size, and
// read one back verified against the chain; as a patient would: register. Later issues add
// theirs (consent grant, consented read, revocation, emergency access).
import { randomBytes, randomInt } from 'node:crypto';
import { SandboxResident, sandboxResident } from '../../gateway/src/identity/sandbox-ekyc';
import { SandboxInbox } from './sandbox-inbox';
import type { Target } from './target';

export interface Scenario {
  name: string;
  /** Before the run: what the operations need (blobs to read). */
  prepare?(target: Target): Promise<void>;
  /** One operation; true when it succeeded. Uploads tell `accepted` the id of each blob they created. */
  operation(target: Target, index: number, accepted: (id: string) => void): Promise<boolean>;
  /** Whether its operations create blobs (or records) whose anchoring the bench then follows. */
  anchors: boolean;
  /** Whether what `accepted` was told of is anchored yet; a blob's status when omitted. */
  isAnchored?(target: Target, id: string): Promise<boolean>;
}

/** A blob's anchor status, as a hospital polling for it reads it. */
async function blobAnchored(target: Target, id: string): Promise<boolean> {
  const res = await fetch(`${target.baseUrl}/v1/blobs/${id}`, { headers: target.auth });
  return ((await res.json()) as { anchorStatus?: string }).anchorStatus === 'anchored';
}

const KB = 1024;

/** Every upload the same bytes (a form, a template many records share): their IPFS blocks are one. */
export function uploadSame(sizeBytes: number): Scenario {
  const body = randomBytes(sizeBytes);
  return { ...upload(sizeBytes, () => body), name: `upload ${sizeBytes / KB} KB, the same bytes` };
}

export function upload(sizeBytes: number, bodyOf: () => Buffer = () => randomBytes(sizeBytes)): Scenario {
  // A body of its own per upload, as records are (uploadSame measures shared content).
  return {
    name: `upload ${sizeBytes >= 1024 * KB ? `${sizeBytes / (1024 * KB)} MB` : `${sizeBytes / KB} KB`}`,
    anchors: true,
    async operation(target, _index, accepted) {
      const body = bodyOf();
      const res = await fetch(`${target.baseUrl}/v1/blobs`, { method: 'POST', headers: { ...target.auth, 'content-type': 'application/octet-stream' }, body });
      const json = (await res.json()) as { id?: string };
      if (res.status !== 201 || !json.id) return false;
      accepted(json.id);
      return true;
    },
  };
}

/** A verified read of a 100 KB blob: its proof checked against the on-chain root and its bytes against the digest. */
export function verifiedRead(sizeBytes = 100 * KB): Scenario {
  let ids: string[] = [];
  return {
    name: `verified read ${sizeBytes / KB} KB`,
    anchors: false,
    async prepare(target) {
      ids = [];
      for (let i = 0; i < 20; i++) {
        const res = await fetch(`${target.baseUrl}/v1/blobs?wait=anchored`, { method: 'POST', headers: { ...target.auth, 'content-type': 'application/octet-stream' }, body: randomBytes(sizeBytes) });
        if (res.status !== 201) throw new Error(`preparing reads: upload answered ${res.status} ${await res.text()}`);
        ids.push(((await res.json()) as { id: string }).id);
      }
    },
    async operation(target, index) {
      const res = await fetch(`${target.baseUrl}/v1/blobs/${ids[index % ids.length]}/content`, { headers: target.auth });
      const bytes = await res.arrayBuffer();
      return res.status === 200 && bytes.byteLength === sizeBytes;
    },
  };
}

/**
 * A patient registering (issue 12): the sandbox eKYC provider matches name, year of birth and
 * gender, the gateway seals the persona and sends a code, the code confirms it and a persona
 * token comes back. Two requests, one operation; a different sandbox resident each time. Needs
 * the embedded gateway (the sandbox provider and its SMS file); a production gateway refuses the sandbox.
 */
export function registration(): Scenario {
  let inbox: SandboxInbox;
  let next = 0;
  const resident = (): SandboxResident => {
    for (;;) {
      try {
        return sandboxResident(next++);
      } catch {
        // the rare index whose number would be a palindrome has nobody: take the next
      }
    }
  };
  const post = (target: Target, path: string, body: unknown) => fetch(`${target.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return {
    name: 'register a patient (eKYC, code, confirm)',
    anchors: false,
    prepare(target) {
      if (!target.dataDir) return Promise.reject(new Error('registration needs the embedded gateway: its sandbox eKYC provider and SMS file'));
      inbox = new SandboxInbox(target.dataDir);
      next = randomInt(1_000, 9_000_000);
      return Promise.resolve();
    },
    async operation(target) {
      const who = resident();
      const started = await post(target, '/v1/patients/registrations', { aadhaar: who.aadhaar, name: who.name, yearOfBirth: who.yearOfBirth, gender: who.gender });
      if (started.status !== 202) return false;
      const { id } = (await started.json()) as { id: string };
      const confirmed = await post(target, `/v1/patients/registrations/${id}/confirm`, { code: await inbox.codeFor(who.mobile) });
      await confirmed.arrayBuffer();
      return confirmed.status === 201;
    },
  };
}

/**
 * Anchor lag: from an upload's 201 to the first time its GET shows it anchored, for
 * every `every`-th upload, polled while the run goes on (what a hospital waiting for the anchor
 * sees). One poll at a time, 50 ms apart: at most 20 requests a second on top of the load, so
 * the watcher does not itself slow the gateway it measures; a lag is known to within one round
 * of the blobs still pending.
 */
export class AnchorWatcher {
  private readonly pending = new Map<string, number>();
  private readonly lags: number[] = [];
  private uploads = 0;
  private stopped = false;
  private readonly loop: Promise<void>;

  constructor(
    private readonly target: Target,
    private readonly every: number,
    private readonly isAnchored: (target: Target, id: string) => Promise<boolean> = blobAnchored,
  ) {
    this.loop = this.poll();
  }

  /** Called at each 201. */
  accepted(id: string): void {
    if (this.uploads++ % this.every === 0) this.pending.set(id, performance.now());
  }

  /** Waits for the sampled uploads still pending (at most `timeoutMs`); their lags in seconds, sorted, and how many never anchored in time. */
  async finish(timeoutMs = 120_000): Promise<{ lags: number[]; unanchored: number }> {
    const deadline = Date.now() + timeoutMs;
    while (this.pending.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    this.stopped = true;
    await this.loop;
    return { lags: this.lags.sort((a, b) => a - b), unanchored: this.pending.size };
  }

  private async poll(): Promise<void> {
    while (!this.stopped) {
      for (const [id, acceptedAt] of [...this.pending]) {
        if (await this.isAnchored(this.target, id)) {
          this.lags.push((performance.now() - acceptedAt) / 1000);
          this.pending.delete(id);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
