import { Module } from '@nestjs/common';
import { AnchorVerifier } from '../anchoring/anchor-verifier';
import { BlobStore } from './blob.store';
import { BlobsService } from './blobs.service';
import { RecordAnchorHandler } from './record-anchor.handler';

/**
 * Blobs: bytes on IPFS with their SHA-512 anchored, the plumbing records were built on. No route
 * since issue 13 (clinical bytes are filed as records, encrypted); kept so that anchors queued
 * before are confirmed (kind 'record-anchor'), and for the outbox's own tests and bench.
 */
@Module({ providers: [BlobsService, BlobStore, RecordAnchorHandler, AnchorVerifier] })
export class BlobsModule {}
