import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BlobEntity } from './blob.entity';
import { BlobsController } from './blobs.controller';
import { BlobsService } from './blobs.service';

@Module({ imports: [TypeOrmModule.forFeature([BlobEntity])], controllers: [BlobsController], providers: [BlobsService] })
export class BlobsModule {}
