import { Module } from '@nestjs/common';
import { ConsentRequestHandler } from './consent-request.handler';
import { ConsentRequestsController } from './consent-requests.controller';
import { ConsentRequestsService } from './consent-requests.service';
import { ConsentsController } from './consents.controller';
import { ConsentsService } from './consents.service';
import { GuardiansController } from './guardians.controller';
import { GuardiansService } from './guardians.service';
import { RecoveriesController } from './recoveries.controller';
import { RecoveriesService } from './recoveries.service';
import { PatientMessageHandler, RegistrationRelayHandler } from './patient-message.handler';

/** Patients' consents, relayed (issue 14): relationships, grants, revocations; doctors' requests and the patients' answers; guardians (issue 15). */
@Module({
  controllers: [ConsentsController, ConsentRequestsController, GuardiansController, RecoveriesController],
  providers: [ConsentsService, PatientMessageHandler, RegistrationRelayHandler, ConsentRequestsService, ConsentRequestHandler, GuardiansService, RecoveriesService],
})
export class ConsentsModule {}
