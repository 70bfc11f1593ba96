import { Module } from '@nestjs/common';
import { ConsentsController } from './consents.controller';
import { ConsentsService } from './consents.service';
import { PatientMessageHandler } from './patient-message.handler';

/** Patients' consents, relayed (issue 14): relationships, grants, revocations. */
@Module({
  controllers: [ConsentsController],
  providers: [ConsentsService, PatientMessageHandler],
})
export class ConsentsModule {}
