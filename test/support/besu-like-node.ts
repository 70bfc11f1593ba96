import { once } from 'node:events';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';

/**
 * A node answering JSON-RPC the way Besu documents its IBFT 2.0 / QBFT API
 * (`<ns>_getValidatorsByBlockNumber`, `_getPendingVotes`, `_proposeValidatorVote`,
 * `_discardValidatorVote`, `eth_coinbase`: the address the node signs with). Besu cannot run on
 * this machine; what can run (Anvil) is used where it can. Answers are modelled on Besu's
 * documented ones: a vote is accepted (`true`) at any node, pending votes are an object of
 * lower-case address to true (add) or false (remove).
 */
export class BesuLikeNode {
  head = 40;
  namespace: 'ibft' | 'qbft' | null = 'ibft';
  validators = ['0x1e1a1c8f6f7b3a6d4d2f0b2c8e9a7d6c5b4a3f21', '0x2b5ad5c4795c026514f8317c7a215e218dccd6cf', '0x6813eb9362372eef6200f3b1dbc3f819671cba69', '0xe1ab8145f7e55dc933d51a18c793f901a3a0b276'];
  coinbase: string | null = this.validators[0];
  pending: Record<string, boolean> = {};
  /** Besu's answer for a namespace it does not serve: -32601, or -32604 when not enabled. */
  missingCode = -32601;
  /** Methods (e.g. `ibft_discardValidatorVote`) this node answers with an internal error. */
  readonly failing = new Set<string>();
  readonly calls: { method: string; params: unknown[] }[] = [];
  private server!: Server;
  url = '';
  authorization: string | undefined;

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req).then((body) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body))));
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  called(method: string): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.params);
  }

  private async handle(req: IncomingMessage): Promise<unknown> {
    this.authorization = req.headers.authorization;
    let text = '';
    for await (const chunk of req) text += chunk;
    const { id, method, params } = JSON.parse(text) as { id: number; method: string; params: unknown[] };
    this.calls.push({ method, params });
    const ok = (result: unknown) => ({ jsonrpc: '2.0', id, result });
    if (this.failing.has(method)) return { jsonrpc: '2.0', id, error: { code: -32603, message: 'Internal error' } };
    const [ns, name] = method.split('_');
    if ((ns === 'ibft' || ns === 'qbft') && ns !== this.namespace) {
      return { jsonrpc: '2.0', id, error: { code: this.missingCode, message: this.missingCode === -32604 ? 'Method not enabled' : 'Method not found' } };
    }
    switch (ns === 'ibft' || ns === 'qbft' ? name : method) {
      case 'eth_chainId':
        return ok('0x31773');
      case 'eth_blockNumber':
        return ok(`0x${this.head.toString(16)}`);
      case 'eth_getBlockByNumber': {
        const n = Number(params[0]);
        return ok(n > this.head ? null : { number: params[0], hash: `0x${n.toString(16).padStart(64, '0')}`, timestamp: `0x${(1_800_000_000 + 2 * n).toString(16)}` });
      }
      case 'net_peerCount':
        return ok('0x4');
      case 'eth_coinbase':
        return this.coinbase ? ok(this.coinbase) : { jsonrpc: '2.0', id, error: { code: -32601, message: 'Method not found' } };
      case 'getValidatorsByBlockNumber':
        if (params[0] !== 'latest' && !/^0x[0-9a-f]+$/.test(String(params[0]))) return { jsonrpc: '2.0', id, error: { code: -32602, message: 'Invalid params' } };
        return ok(params[0] !== 'latest' && Number(params[0]) > this.head ? null : this.validators);
      case 'getPendingVotes':
        return ok(this.pending);
      case 'proposeValidatorVote':
        this.pending[String(params[0])] = Boolean(params[1]);
        return ok(true);
      case 'discardValidatorVote':
        delete this.pending[String(params[0])];
        return ok(true);
      default:
        return { jsonrpc: '2.0', id, error: { code: -32601, message: 'Method not found' } };
    }
  }
}
