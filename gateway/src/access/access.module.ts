import { Module } from '@nestjs/common';
import { RecordsModule } from '../records/records.module';
import { AccessController } from './access.controller';
import { AccessLogHandler } from './access-log.handler';
import { AccessLogService } from './access-log.service';
import { ConsentedReads } from './consented-reads';

/** Reads under consent, each logged on chain through the outbox; the patient's access log (issue 14). */
@Module({
  imports: [RecordsModule],
  controllers: [AccessController],
  providers: [ConsentedReads, AccessLogService, AccessLogHandler],
  exports: [ConsentedReads],
})
export class AccessModule {}
