import { posix } from 'node:path';
import { IMAGES } from './images';
import { CONTAINER_PATHS, RPC_HTTP_PORT } from './node-config';
import { NodePlace } from './topology';
import { alias, anchor, Anchored, block, flow, MERGE, note, quoted, section } from './yaml-builder';

/**
 * The services of docker-compose.yml, as plain objects (see yaml-builder.ts). compose.ts puts
 * them together for a topology; comments say why, for the operator reading the rendered file.
 */

/** A compose short-syntax path to a file of the network folder, relative to the compose file. */
export type NetworkPath = (file: string) => string;

/** The anchors of one rendering (fresh each time: an anchor remembers the node it became). */
export interface Anchors {
  logging: Anchored;
  besu: Anchored;
  build: Anchored;
  env: Anchored;
}

const pinned = (image: { ref: string; source: string }, why: string) => note(`${why}\nDigest: ${image.source}`, image.ref);

/** bash speaks HTTP itself (the Besu image has no curl); healthy on a 200 from `path`. */
function besuProbe(path: string): string[] {
  const request = `GET ${path} HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n`;
  return ['CMD', 'bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/${RPC_HTTP_PORT} && printf '${request}' >&3 && head -n 1 <&3 | grep -q ' 200 '`];
}

/** `buildContext`: the repository, relative to the compose file. */
export function createAnchors(gatewayEnv: Record<string, unknown>, buildContext: string): Anchors {
  const logging = anchor('logging', { driver: 'json-file', options: flow({ 'max-size': '10m', 'max-file': '5' }) });
  return {
    logging,
    besu: besuAnchor(logging),
    build: anchor('gateway-build', { context: buildContext, dockerfile: 'Dockerfile' }),
    env: anchor('gateway-env', gatewayEnv),
  };
}

/** x-besu: one definition for every Besu node (Besu quickstart layout); each node adds its key directory, data volume and address. */
const besuAnchor = (logging: Anchored): Anchored => anchor('besu', {
  image: pinned(IMAGES.besu, 'Pinned: a consensus client must never change under a running network by a pull.'),
  restart: 'unless-stopped',
  stop_grace_period: note('RocksDB needs time to flush on stop; a killed node replays from its last flush.', '1m'),
  environment: note('Several JVMs on one host: cap each heap instead of letting each take a quarter of the RAM.', { BESU_OPTS: '-Xmx1g' }),
  command: flow([`--config-file=${CONTAINER_PATHS.configFile}`]),
  configs: [
    { source: 'besu-genesis', target: CONTAINER_PATHS.genesis },
    { source: 'besu-static-nodes', target: CONTAINER_PATHS.staticNodes },
    { source: 'besu-permissions', target: CONTAINER_PATHS.permissions },
  ],
  healthcheck: note('/liveness: the process serves JSON-RPC. Nothing waits on a validator: peering needs no start order.', {
    test: besuProbe('/liveness'),
    interval: '10s',
    timeout: '5s',
    retries: 12,
    start_period: '1m',
  }),
  logging,
});

/** Besu's /readiness: at least `minPeers` peers and in sync (ReadinessCheck: default 1 peer, 2 blocks behind). */
function readiness(minPeers: number) {
  return note(
    '/readiness, not /liveness: healthy only once peered and in sync, so nothing that depends on it\nstarts against a node that has not seen the chain yet.',
    { test: besuProbe(`/readiness?minPeers=${minPeers}`), interval: '10s', timeout: '5s', retries: 30, start_period: '1m' },
  );
}

/** A Besu node: the anchor, its own key directory (read-only), its data volume, its fixed address. */
export function besuService(node: NodePlace, anchors: Anchors, net: NetworkPath, peers: number): Record<string, unknown> {
  const first = node.name === 'validator1';
  const keyDir = `${net(node.name)}:${posix.dirname(CONTAINER_PATHS.key)}:ro`;
  const networks = { chain: { ipv4_address: node.ip } };
  return {
    [MERGE]: alias(anchors.besu),
    volumes: [first ? note("Only its own key directory: no container can read another node's key.", keyDir) : keyDir, `${dataVolume(node)}:${CONTAINER_PATHS.data}`],
    networks: first ? note('A fixed address: its enode in every static-nodes.json and nodes-allowlist, and its p2p-host.', networks) : networks,
    ...(node.role === 'rpc' || node.servesGateway ? { healthcheck: readiness(Math.min(1, peers)) } : {}),
  };
}

/** Compose service name = node host (validator<i>, rpcnode or rpcnode<j>); its data volume is named after it. */
export const dataVolume = (node: NodePlace): string => `${node.host}-data`;

export function postgresService(anchors: Anchors): Record<string, unknown> {
  return {
    image: pinned(IMAGES.postgres, 'The major and minor PGlite embeds (18.6), so both modes run the same SQL.'),
    restart: 'unless-stopped',
    environment: { POSTGRES_USER: 'ehrchain', POSTGRES_DB: 'ehrchain', POSTGRES_PASSWORD: '${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in .env}' },
    volumes: note('Postgres 18 images keep PGDATA in a versioned directory below /var/lib/postgresql.', ['postgres-data:/var/lib/postgresql']),
    networks: flow(['chain']),
    healthcheck: note(
      "Over TCP, with the real database and user: during its first start the image initialises the\n" +
        "database on a temporary server listening on the socket only (listen_addresses=''), which a\n" +
        'socket check would call ready (docker-library/postgres docker-entrypoint.sh, docker_temp_server_start).',
      { test: ['CMD', 'pg_isready', '-h', '127.0.0.1', '-p', '5432', '-d', 'ehrchain', '-U', 'ehrchain'], interval: '5s', timeout: '5s', retries: 12, start_period: '30s' },
    ),
    logging: alias(anchors.logging),
  };
}

export function kuboService(anchors: Anchors): Record<string, unknown> {
  return {
    image: pinned(IMAGES.kubo, 'Pinned like every image.'),
    restart: 'unless-stopped',
    environment: note(
      'A private swarm only: with LIBP2P_FORCE_PNET the daemon refuses to start without swarm.key,\n' +
        'and the init script (configs: kubo-private-swarm) turns off everything that talks to the public network.',
      { LIBP2P_FORCE_PNET: '1', IPFS_TELEMETRY: quoted('off') },
    ),
    command: note('The image\'s default command plus --enable-gc: blocks of unpinned (deleted) records are reclaimed.', flow(['daemon', '--migrate=true', '--agent-version-suffix=docker', '--enable-gc'])),
    secrets: [{ source: 'ipfs_swarm_key', target: 'ipfs_swarm_key' }],
    configs: [{ source: 'kubo-private-swarm', target: '/container-init.d/010-private-swarm.sh' }],
    volumes: ['kubo-data:/data/ipfs'],
    networks: note(
      "No `ports:`: the RPC API on 5001 has no authentication and can add, pin and delete anything.\n" +
        'A site joining other sites\' swarm would publish 4001 only (the swarm port, guarded by the key).',
      flow(['chain']),
    ),
    healthcheck: note('The RPC API answers only once the daemon runs, after the init scripts.', {
      test: flow(['CMD', 'ipfs', '--api=/ip4/127.0.0.1/tcp/5001', 'id']),
      interval: '10s',
      timeout: '5s',
      retries: 12,
      start_period: '30s',
    }),
    logging: alias(anchors.logging),
  };
}

/**
 * Kubo's own config keys (docs/config.md and docs/experimental-features.md "Private Networks" of
 * Kubo v0.43), applied before every start by the image's /container-init.d hook, as the ipfs user.
 * One site, one node: no DHT, no provider announcements, no AutoTLS certificate broker, no relay,
 * hole punching, UPnP, AutoNAT or mDNS, no HTTP gateway; TCP only (QUIC, WebTransport and WebRTC do
 * not support a pre-shared key, and a WebSocket listener would share the TCP port, which a private
 * network cannot). AutoConf off, and every "auto" placeholder it would fill replaced by an empty
 * list, so nothing is fetched from conf.ipfs-mainnet.org.
 */
export const KUBO_PRIVATE_SWARM = [
  'set -e',
  'install -m 0400 /run/secrets/ipfs_swarm_key "$$IPFS_PATH/swarm.key"',
  'ipfs bootstrap rm --all',
  'ipfs config --json AutoConf.Enabled false',
  "ipfs config --json Routing.DelegatedRouters '[]'",
  "ipfs config --json Ipns.DelegatedPublishers '[]'",
  "ipfs config --json DNS.Resolvers '{}'",
  'ipfs config Routing.Type none',
  'ipfs config --json Provide.Enabled false',
  'ipfs config --json AutoTLS.Enabled false',
  'ipfs config AutoNAT.ServiceMode disabled',
  'ipfs config --json Swarm.RelayClient.Enabled false',
  'ipfs config --json Swarm.RelayService.Enabled false',
  'ipfs config --json Swarm.EnableHolePunching false',
  'ipfs config --json Swarm.DisableNatPortMap true',
  'ipfs config --json Swarm.Transports.Network.QUIC false',
  'ipfs config --json Swarm.Transports.Network.WebTransport false',
  'ipfs config --json Swarm.Transports.Network.WebRTCDirect false',
  'ipfs config --json Swarm.Transports.Network.Websocket false',
  'ipfs config --json Swarm.Transports.Network.Relay false',
  "ipfs config --json Addresses.Swarm '[\"/ip4/0.0.0.0/tcp/4001\"]'",
  'ipfs config --json Discovery.MDNS.Enabled false',
  "ipfs config --json Addresses.Gateway '[]'",
];

export const kuboInitScript = () => block(`${KUBO_PRIVATE_SWARM.join('\n')}\n`);

/** The one-shot deployer and the gateway: one image, one environment. */
export function gatewayServices(anchors: Anchors, gatewayNode: string): Record<string, unknown> {
  const hardening = { read_only: true, tmpfs: flow(['/tmp']), cap_drop: flow(['ALL']), security_opt: flow(['no-new-privileges:true']) };
  const volumes = ['gateway-data:/var/lib/ehrchain/data', 'gateway-keys:/var/lib/ehrchain/keys'];
  return {
    deployer: section(
      "Deploys the contract suite once, with the gateway's own account (which so holds the anchoring\n" +
        'and logging roles), and records the addresses in the gateway\'s data volume. Idempotent: on\n' +
        'later runs it finds deployments.json, checks the code is on chain and exits 0.',
      {
        build: alias(anchors.build),
        image: 'ehrchain-gateway:0.1.0',
        restart: quoted('no'),
        environment: alias(anchors.env),
        command: note(
          "The gateway reads its chain key from $KEYS_DIR/chain-account.key; the generated key is\ninstalled there (0600, owned by the node user) from the secret on every run.",
          ['sh', '-c', 'install -m 600 /run/secrets/gateway_chain_key "$$KEYS_DIR/chain-account.key" && exec node dist/gateway/src/deploy.js'],
        ),
        secrets: [{ source: 'gateway_chain_key', target: 'gateway_chain_key' }],
        volumes,
        ...hardening,
        networks: flow(['chain']),
        depends_on: { [gatewayNode]: flow({ condition: 'service_healthy' }) },
        logging: alias(anchors.logging),
      },
    ),
    gateway: section('', {
      image: 'ehrchain-gateway:0.1.0',
      pull_policy: note(
        "Built once, by the deployer's `build:` (the same image): two services building one tag at once\n" +
          'can collide in BuildKit ("image already exists", docker/buildx#3576). Never pulled from a registry.',
        'never',
      ),
      restart: 'unless-stopped',
      environment: alias(anchors.env),
      volumes: note('Written by the deployer: chain-account.key (from the secret) and jwt.secret (generated once).', volumes),
      ...hardening,
      ports: note(
        "The one published port. Bind to 127.0.0.1 and put the hospital's TLS proxy in front in\nproduction: GATEWAY_BIND=127.0.0.1 in .env.",
        ['${GATEWAY_BIND:-0.0.0.0}:${GATEWAY_PORT:-3000}:3000'],
      ),
      networks: note('The gateway is also on `edge`, the only network with a route out: the others are internal.', flow(['chain', 'edge'])),
      healthcheck: {
        test: flow(['CMD', 'node', '-e', "fetch('http://127.0.0.1:3000/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]),
        interval: '10s',
        timeout: '5s',
        retries: 12,
        start_period: '1m',
      },
      depends_on: {
        deployer: flow({ condition: 'service_completed_successfully' }),
        [gatewayNode]: flow({ condition: 'service_healthy' }),
        postgres: flow({ condition: 'service_healthy' }),
        kubo: flow({ condition: 'service_healthy' }),
      },
      logging: alias(anchors.logging),
    }),
  };
}
