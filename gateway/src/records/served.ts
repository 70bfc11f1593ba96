import { StreamableFile } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { RecordContent } from './record-document';
import { RecordContentDto, RecordResponseDto } from './records.dto';

/** A proven read: a FHIR record as JSON, a file as itself (its type as its bytes said, the version in headers). */
export function served(reply: FastifyReply, read: { record: RecordResponseDto; content: RecordContent }): RecordContentDto | StreamableFile {
  if ('resource' in read.content) return { record: read.record, resource: read.content.resource };
  reply.header('x-record-id', read.record.recordId).header('x-record-version', String(read.record.version));
  return new StreamableFile(read.content.file, { type: read.content.contentType, disposition: 'attachment' });
}
