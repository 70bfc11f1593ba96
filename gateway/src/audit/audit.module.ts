import { Global, Module } from '@nestjs/common';
import { SecurityAudit } from './security-audit';
import { SecurityEventsController } from './security-events.controller';

/** The security audit trail: recorded by authentication and administration, read by administrators. */
@Global()
@Module({
  controllers: [SecurityEventsController],
  providers: [SecurityAudit],
  exports: [SecurityAudit],
})
export class AuditModule {}
