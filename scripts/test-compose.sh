#!/usr/bin/env bash
# npm run test:compose — the end-to-end suite against the real deployment: brings up
# docker-compose.yml (four Besu IBFT 2.0 validators, RPC node, Postgres, Kubo, deployer,
# gateway), runs `npm test -- --selectProjects e2e` with CHAIN_RPC_URL pointing at the compose
# RPC node, checks the published ports, and tears everything down (volumes included).
#
# Needs a Docker engine. Where `docker info` fails it says so and exits 1: not a silent pass.
#
# Environment (all optional):
#   EHR_TEST_RPC_PORT        host port for the RPC node, loopback only (default 18545)
#   GATEWAY_PORT             host port of the compose gateway (default 3000)
#   CONSORTIUM_AUTHORITIES   default: the generated validators' addresses
#   POSTGRES_PASSWORD        default: random for this run
#   KEEP_STACK=1             leave the stack running afterwards (for debugging)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! docker info >/dev/null 2>&1; then
  echo "test:compose needs a Docker engine (docker info failed): cannot run here" >&2
  exit 1
fi

NETWORK_DIR=network/generated
export EHR_TEST_RPC_PORT="${EHR_TEST_RPC_PORT:-18545}"
GATEWAY_URL="http://127.0.0.1:${GATEWAY_PORT:-3000}"
# The override publishes the RPC node on 127.0.0.1 for the suite on this host; production never loads it.
COMPOSE=(docker compose -f docker-compose.yml -f docker-compose.test.yml)
started=$SECONDS

say() { printf '\n== %s (%ss)\n' "$1" "$((SECONDS - started))"; }
fail() {
  echo "test:compose: $1" >&2
  exit 1
}
random_hex() { node -e "process.stdout.write(require('node:crypto').randomBytes($1).toString('hex'))"; }

# 1. The network: keys, genesis, node configs (the generator refuses to overwrite without --force).
if [[ ! -f "$NETWORK_DIR/genesis.json" ]]; then
  say "generating the network into $NETWORK_DIR"
  npm run network:generate -- --out "$NETWORK_DIR" --force
fi
# Everything docker-compose.yml mounts (a missing file would surface later as a confusing mount error).
for file in network.json genesis.json static-nodes.json permissions_config.toml accounts/gateway.key accounts/deployer.key ipfs/swarm.key \
  validator1/config.toml validator2/config.toml validator3/config.toml validator4/config.toml rpcnode1/config.toml; do
  [[ -e "$NETWORK_DIR/$file" ]] || fail "$NETWORK_DIR/$file is missing; regenerate with npm run network:generate -- --out $NETWORK_DIR --force"
done
# Besu, Kubo and the gateway read these files as uid 1000 (their images' users); the files are 0600.
if [[ "$(id -u)" == 0 ]]; then
  chown -R 1000:1000 "$NETWORK_DIR"
elif [[ "$(id -u)" != 1000 ]]; then
  echo "test:compose: warning: $NETWORK_DIR belongs to uid $(id -u); the containers read it as uid 1000" >&2
fi

# 2. Settings the compose file requires (.env is not needed for a test run).
if [[ -z "${CONSORTIUM_AUTHORITIES:-}" ]]; then
  authorities=()
  for file in "$NETWORK_DIR"/validator*/address; do
    address="$(tr -d '[:space:]' <"$file")"
    authorities+=("0x${address#0x}")
  done
  CONSORTIUM_AUTHORITIES="$(IFS=, && echo "${authorities[*]}")"
fi
export CONSORTIUM_AUTHORITIES
export POSTGRES_PASSWORD="${POSTGRES_PASSWORD:-$(random_hex 24)}"

cleanup() {
  local status=$?
  if ((status != 0)); then
    echo "test:compose failed (exit $status); last log lines of each service:" >&2
    "${COMPOSE[@]}" logs --no-color --tail=60 >&2 || true
  fi
  if [[ "${KEEP_STACK:-}" == 1 ]]; then
    echo "KEEP_STACK=1: the stack is still running; stop it with: ${COMPOSE[*]} down -v" >&2
  else
    say "tearing down"
    "${COMPOSE[@]}" down -v --remove-orphans || true
  fi
  exit "$status"
}
trap cleanup EXIT

# 3. The stack. --wait returns once every service is healthy and the deployer has exited 0
#    (the gateway depends on it with service_completed_successfully, so compose expects it to exit).
say "building and starting the stack"
wait_args=(--wait)
if "${COMPOSE[@]}" up --help 2>/dev/null | grep -q -- '--wait-timeout'; then
  wait_args+=(--wait-timeout 900)
fi
"${COMPOSE[@]}" up -d --build "${wait_args[@]}"

# 4. What reaches the host: the gateway answers; Kubo's API, Postgres and the validators' RPC do not.
say "checking the published ports"
node -e "fetch(process.argv[1]).then(async (r) => { if (!r.ok) { console.error(r.status, await r.text()); process.exit(1); } })" "$GATEWAY_URL/health" ||
  fail "the compose gateway at $GATEWAY_URL/health is not healthy"
for service in kubo postgres validator1 validator2 validator3 validator4 deployer; do
  container="$("${COMPOSE[@]}" ps -a -q "$service")"
  [[ -z "$(docker port "$container" 2>/dev/null)" ]] || fail "$service publishes a port: $(docker port "$container")"
done

# 5. The end-to-end suite, its chain being the compose RPC node. In band: every test gateway
#    signs with the same allowlisted account (the generated deployer key, which the compose
#    gateway does not use), so parallel workers would race for nonces.
say "running the end-to-end suite against http://127.0.0.1:$EHR_TEST_RPC_PORT"
CHAIN_RPC_URL="http://127.0.0.1:$EHR_TEST_RPC_PORT" \
  E2E_CHAIN_KEY_FILE="$PWD/$NETWORK_DIR/accounts/deployer.key" \
  E2E_EXPECT_CONSENSUS="$(node -p "require('./$NETWORK_DIR/network.json').consensus")" \
  GATEWAY_URL="$GATEWAY_URL" \
  npm test -- --selectProjects e2e --runInBand

say "test:compose passed"
