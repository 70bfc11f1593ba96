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
# Any three addresses: the suite's consortium governance is exercised by the contract tests.
export CONSORTIUM_AUTHORITIES="0x1111111111111111111111111111111111111111,0x2222222222222222222222222222222222222222,0x3333333333333333333333333333333333333333"
npm test -- --selectProjects e2e "$@"
