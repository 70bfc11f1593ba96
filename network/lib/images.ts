/**
 * Every third-party image the deployment runs, pinned by digest with its tag beside it: Docker
 * pulls by the digest (the tag is only read by people), so a re-pushed tag never changes what a
 * running consortium executes. `npm run test:compose` prints what each tag resolves to today
 * (`docker buildx imagetools inspect`) wherever a Docker engine exists. The Dockerfile pins the
 * gateway's Node image the same way.
 */
export interface PinnedImage {
  /** `name:tag@sha256:…`, as written into docker-compose.yml. */
  ref: string;
  /** Where the digest was read, for the comment above the image (no Docker registry answers here); lines of at most ~100 characters. */
  source: string;
}

export const IMAGES = {
  besu: {
    // Besu publishes no digest list; the release is the tag. The same digest is recorded for
    // 26.8.1 in several unrelated public deployments (pinned beside the tag, and as the
    // RepoDigest `docker inspect` reported after pulling it), found by code search on 2026-12-01.
    ref: 'hyperledger/besu:26.8.1@sha256:6f3f21ce533383fcc8db3bce02252b59d5a9e776b72b5a1c8ecd2db011600042',
    source:
      'as recorded for hyperledger/besu:26.8.1 by several unrelated public deployments (code\n' +
      'search, 2026-12-01); Besu publishes no digest list. Not yet compared with Docker Hub by us:\n' +
      '`npm run test:compose` prints what the tag resolves to.',
  },
  postgres: {
    ref: 'postgres:18.6-alpine@sha256:77f585114c32fbca283dc835b0596f4e52b51b4c6662d7810b2f4084f60a1873',
    source: 'the multi-platform index of the 2026-09-17 build, as docker-library/repo-info records it\n(commit 23406aef, repos/postgres/remote/18.6-alpine.md).',
  },
  kubo: {
    ref: 'ipfs/kubo:v0.43.0@sha256:63f5502f7a01b82a675e45bae81b2f5dfa90248ec4a86cd0a58c218347e1f2d2',
    source:
      'the multi-platform index (amd64, arm64) as recorded for ipfs/kubo:v0.43.0 by several unrelated\n' +
      'public deployments, one after `docker buildx imagetools inspect` (code search, 2026-12-01). Not yet\n' +
      'compared with Docker Hub by us: `npm run test:compose` prints what the tag resolves to.',
  },
} as const satisfies Record<string, PinnedImage>;

/** `name:tag@sha256:<64 hex>`: a version tag for people, a digest for Docker. */
export const DIGEST_PINNED = /^[a-z0-9][a-z0-9._/-]*:v?\d+(\.\d+)+(-[a-z0-9.]+)*@sha256:[0-9a-f]{64}$/;
