import { Module } from '@nestjs/common';
import { AnchorVerifier } from '../anchoring/anchor-verifier';
import { IdempotencyKeys } from '../idempotency/idempotency-keys';
import { FhirValidator } from './fhir-validator';
import { RecordVersionAnchorHandler } from './record-anchor.handler';
import { RecordFiling } from './record-filing';
import { RecordReads } from './record-reads';
import { RecordStore } from './record.store';
import { RecordsController } from './records.controller';
import { RecordsService } from './records.service';

/** Medical records: FHIR in, de-identified, encrypted, on IPFS, anchored in batches (issue 13). */
@Module({
  controllers: [RecordsController],
  providers: [RecordsService, RecordReads, RecordStore, RecordFiling, FhirValidator, RecordVersionAnchorHandler, AnchorVerifier, IdempotencyKeys],
  exports: [RecordReads, RecordStore],
})
export class RecordsModule {}
