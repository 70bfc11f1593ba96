#!/usr/bin/env bash
# The end-to-end suite against a chain given by URL, as it runs against Besu under
# `npm run test:compose`: here an Anvil started outside the gateway stands in for the RPC node,
# with a network's chain id (test/support/test-app.ts NETWORK_TEST_CHAIN_ID), never the embedded
# chain's (the gateway refuses a network with a development chain's id).
set -euo pipefail
cd "$(dirname "$0")/.."

port="${E2E_RPC_PORT:-18545}"
anvil="$(node -p "require('path').join(require.resolve('@foundry-rs/anvil-linux-amd64/package.json'), '..', 'bin', 'anvil')")"
"$anvil" --host 127.0.0.1 --port "$port" --chain-id 4242424 --gas-price 0 --base-fee 0 \
  --hardfork cancun --code-size-limit 1048576 --gas-limit 100000000 --silent &
anvil_pid=$!
trap 'kill "$anvil_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  curl -sf -X POST -H 'content-type: application/json' \
    --data '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' "http://127.0.0.1:$port" >/dev/null && break
  sleep 0.2
done

export CHAIN_RPC_URL="http://127.0.0.1:$port"
# Three authorities with keys made for this run: the access tests admit hospitals k-of-n with
# them (E2E_AUTHORITY_KEYS, read by test/factories/access.factory.ts), as authorities do with their own tools.
E2E_AUTHORITY_KEYS="$(node -e "const c=require('crypto');console.log([1,2,3].map(()=>'0x'+c.randomBytes(32).toString('hex')).join(','))")"
export E2E_AUTHORITY_KEYS
CONSORTIUM_AUTHORITIES="$(node -e "const {eth}=require('web3');console.log(process.argv[1].split(',').map((k)=>eth.accounts.privateKeyToAddress(k)).join(','))" "$E2E_AUTHORITY_KEYS")"
export CONSORTIUM_AUTHORITIES
npm test -- --selectProjects e2e "$@"
