import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query, StreamableFile } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { AccountPrincipal } from '../auth/principal';
import { AuthAccount } from '../auth/principal.decorator';
import { BlobCreateQueryDto, BlobResponseDto } from './blob.dto';
import { BlobsService } from './blobs.service';

@ApiTags('blobs')
@Controller({ path: 'blobs', version: '1' })
export class BlobsController {
  constructor(private readonly blobs: BlobsService) {}

  @Post()
  @ApiOperation({ summary: 'Store bytes on IPFS and anchor their SHA-512 on chain (?wait=anchored to answer once anchored)' })
  @Authenticated({ permission: Permission.BlobWrite })
  @ApiConsumes('application/octet-stream')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiCreatedResponse({ type: BlobResponseDto })
  create(@AuthAccount() auth: AccountPrincipal, @Body() bytes: Buffer, @Query() query: BlobCreateQueryDto): Promise<BlobResponseDto> {
    return this.blobs.create(auth, bytes, query.wait === 'anchored');
  }

  @Get(':id')
  @ApiOperation({ summary: "A blob's metadata: CID, digest, anchor status, batch, block, failure reason" })
  @Authenticated({ permission: Permission.BlobRead })
  @ApiOkResponse({ type: BlobResponseDto })
  get(@AuthAccount() auth: AccountPrincipal, @Param('id', ParseUUIDPipe) id: string): Promise<BlobResponseDto> {
    return this.blobs.get(auth, id);
  }

  @Get(':id/content')
  @ApiOperation({ summary: "A blob's bytes, proven against its on-chain anchor (409 until anchored)" })
  @Authenticated({ permission: Permission.BlobRead })
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({ description: 'The bytes, verified against the recorded and anchored SHA-512' })
  async content(@AuthAccount() auth: AccountPrincipal, @Param('id', ParseUUIDPipe) id: string): Promise<StreamableFile> {
    return new StreamableFile(await this.blobs.content(auth, id), { type: 'application/octet-stream' });
  }
}
