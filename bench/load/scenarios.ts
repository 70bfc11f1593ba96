// What the bench does to the gateway: the scenario interface, a patient registering, and the
// anchor-lag watcher; records' scenarios (filing, proven reads) are in record-scenarios.ts. Later
// issues add theirs (consent grant, consented read, revocation, emergency access).
import { randomInt } from 'node:crypto';
import { SandboxResident, sandboxResident } from '../../gateway/src/identity/sandbox-ekyc';
import { SandboxInbox } from './sandbox-inbox';
import type { Target } from './target';

export interface Scenario {
  name: string;
  /** Before the run: what the operations need (records to read). */
  prepare?(target: Target): Promise<void>;
  /** One operation; true when it succeeded. Filings tell `accepted` the id of each record they created. */
  operation(target: Target, index: number, accepted: (id: string) => void): Promise<boolean>;
  /** Whether its operations create records whose anchoring the bench then follows (with `isAnchored`). */
  anchors: boolean;
  /** Whether what `accepted` was told of is anchored yet. */
  isAnchored?(target: Target, id: string): Promise<boolean>;
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
    private readonly isAnchored: (target: Target, id: string) => Promise<boolean>,
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
