/**
 * JSON-RPC to a Besu node from inside its own container. The validators publish no port (only
 * the gateway's node does, and only under test), and the Besu image has bash but no curl, so
 * the request is written by bash to /dev/tcp, as the compose health checks do. HTTP/1.0 with
 * `Connection: close`: the node answers with a plain body and closes, no chunked encoding.
 *
 * `timeout` (coreutils, in the Ubuntu-based Besu image) bounds a node that accepts and stalls.
 * The same command runs against any local JSON-RPC server with `bash -c` (rpc-in-container.spec.ts
 * does so against Anvil), so what cannot run here without Docker is only the `docker exec`.
 */
export const RPC_OVER_BASH = [
  'exec 3<>/dev/tcp/127.0.0.1/"$1"',
  `printf 'POST / HTTP/1.0\\r\\nHost: localhost\\r\\nContent-Type: application/json\\r\\nContent-Length: %d\\r\\nConnection: close\\r\\n\\r\\n%s' "\${#2}" "$2" >&3`,
  'cat <&3',
].join(' && ');

/** argv for `docker exec` (or a local spawn): bash, the script, then $0, $1 (port), $2 (body); at most 10 s. */
export function rpcCommand(port: number, method: string, params: unknown[] = []): string[] {
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method, params });
  if (/[^\x20-\x7e]/.test(body)) throw new Error('JSON-RPC bodies here are ASCII: ${#2} counts characters, Content-Length bytes');
  return ['timeout', '10', 'bash', '-c', RPC_OVER_BASH, 'rpc', String(port), body];
}

/** The result of a raw HTTP/1.0 JSON-RPC response; throws with the status or the JSON-RPC error. */
export function rpcResult<T>(raw: string): T {
  const split = raw.indexOf('\r\n\r\n');
  if (split < 0) throw new Error(`No HTTP response: ${JSON.stringify(raw.slice(0, 200))}`);
  const status = raw.slice(0, raw.indexOf('\r\n'));
  if (!/^HTTP\/1\.[01] 200 /.test(status)) throw new Error(`${status}: ${raw.slice(split + 4, split + 304)}`);
  const body = JSON.parse(raw.slice(split + 4)) as { result?: T; error?: { code: number; message: string } };
  if (body.error) throw new Error(`JSON-RPC error ${body.error.code}: ${body.error.message}`);
  return body.result as T;
}
