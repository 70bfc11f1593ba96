import { Module } from '@nestjs/common';
import { ConsentRequestHandler } from './consent-request.handler';
import { ConsentRequestsController } from './consent-requests.controller';
import { ConsentRequestsService } from './consent-requests.service';
import { ConsentsController } from './consents.controller';
import { ConsentsService } from './consents.service';
import { PatientMessageHandler, RegistrationRelayHandler } from './patient-message.handler';

/** Patients' consents, relayed (issue 14): relationships, grants, revocations; doctors' requests and the patients' answers. */
@Module({
  controllers: [ConsentsController, ConsentRequestsController],
  providers: [ConsentsService, PatientMessageHandler, RegistrationRelayHandler, ConsentRequestsService, ConsentRequestHandler],
})
export class ConsentsModule {}
