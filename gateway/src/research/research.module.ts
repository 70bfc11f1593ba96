import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { RecordsModule } from '../records/records.module';
import { ResearchController } from './research.controller';
import { ResearchService } from './research.service';

/** De-identified research exports with a k-anonymity floor (issue 14, point 7). */
@Module({
  imports: [RecordsModule, AccessModule],
  controllers: [ResearchController],
  providers: [ResearchService],
})
export class ResearchModule {}
