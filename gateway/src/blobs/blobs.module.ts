import { Module } from '@nestjs/common';
import { AnchorVerifier } from '../anchoring/anchor-verifier';
import { BlobStore } from './blob.store';
import { BlobsController } from './blobs.controller';
import { BlobsService } from './blobs.service';
import { RecordAnchorHandler } from './record-anchor.handler';

@Module({ controllers: [BlobsController], providers: [BlobsService, BlobStore, RecordAnchorHandler, AnchorVerifier] })
export class BlobsModule {}
