import { Module } from '@nestjs/common';
import { EmergenciesController } from './emergencies.controller';
import { EmergenciesService } from './emergencies.service';
import { EmergencyRequestHandler } from './emergency-request.handler';

/** Break-glass access (issue 14, point 5): doctors' requests relayed, the authorities' review list. */
@Module({
  controllers: [EmergenciesController],
  providers: [EmergenciesService, EmergencyRequestHandler],
})
export class EmergenciesModule {}
