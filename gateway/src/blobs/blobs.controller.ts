import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query, StreamableFile } from '@nestjs/common';
import {
  ApiBadGatewayResponse, ApiBody, ApiConflictResponse, ApiConsumes, ApiCreatedResponse, ApiGatewayTimeoutResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation,
  ApiProduces, ApiServiceUnavailableResponse, ApiTags,
} from '@nestjs/swagger';
import { ErrorResponseDto } from '../common/error-response.dto';
import { Authenticated } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { AccountPrincipal } from '../auth/principal';
import { AuthAccount } from '../auth/principal.decorator';
import { BlobCreateQueryDto, BlobResponseDto } from './blob.dto';
import { BlobsService } from './blobs.service';

const NOT_FOUND = { type: ErrorResponseDto, description: 'No such blob, or not yours (BLOB_NOT_FOUND)' };
const DEPENDENCY_DOWN = { type: ErrorResponseDto, description: 'The database, chain or IPFS does not answer (DATABASE_UNAVAILABLE, CHAIN_UNAVAILABLE, IPFS_UNAVAILABLE); nothing is lost' };

@ApiTags('blobs')
@Controller({ path: 'blobs', version: '1' })
export class BlobsController {
  constructor(private readonly blobs: BlobsService) {}

  @Post()
  @ApiOperation({
    summary: 'Store bytes on IPFS and anchor their SHA-512 on chain (?wait=anchored to answer once anchored)',
    description:
      'The bytes go to IPFS, a row to the database and the SHA-512 into the chain-write outbox, which anchors it in a Merkle batch. Without `wait` the answer comes at once (`anchorStatus: pending`); with `wait=anchored`, once the batch is mined (up to 30 s).',
  })
  @Authenticated({ permission: Permission.BlobWrite })
  @ApiConsumes('application/octet-stream')
  @ApiBody({ schema: { type: 'string', format: 'binary', example: '{"resourceType":"Observation","status":"final"}' } })
  @ApiCreatedResponse({ type: BlobResponseDto })
  @ApiBadGatewayResponse({ type: ErrorResponseDto, description: 'With wait=anchored: the anchor failed, with the reason (ANCHOR_FAILED)' })
  @ApiGatewayTimeoutResponse({ type: ErrorResponseDto, description: 'With wait=anchored: stored, not anchored within 30 s (ANCHOR_PENDING); poll GET /v1/blobs/{id}' })
  @ApiServiceUnavailableResponse(DEPENDENCY_DOWN)
  create(@AuthAccount() auth: AccountPrincipal, @Body() bytes: Buffer, @Query() query: BlobCreateQueryDto): Promise<BlobResponseDto> {
    return this.blobs.create(auth, bytes, query.wait === 'anchored');
  }

  @Get(':id')
  @ApiOperation({
    summary: "A blob's metadata: CID, digest, anchor status, batch, block, failure reason",
    description: 'From the database: says whether the anchor is pending, done (batch, transaction, block) or failed (why). Reading the bytes proves them against the chain.',
  })
  @Authenticated({ permission: Permission.BlobRead })
  @ApiOkResponse({ type: BlobResponseDto })
  @ApiNotFoundResponse(NOT_FOUND)
  @ApiServiceUnavailableResponse(DEPENDENCY_DOWN)
  get(@AuthAccount() auth: AccountPrincipal, @Param('id', ParseUUIDPipe) id: string): Promise<BlobResponseDto> {
    return this.blobs.get(auth, id);
  }

  @Get(':id/content')
  @ApiOperation({
    summary: "A blob's bytes, proven against its on-chain anchor (409 until anchored)",
    description: "Served only when the blob's version proves against its batch's root on chain (one eth_call) and the IPFS content matches the SHA-512; otherwise refused, never served unproven.",
  })
  @Authenticated({ permission: Permission.BlobRead })
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({ description: 'The bytes, verified against the recorded and anchored SHA-512' })
  @ApiNotFoundResponse(NOT_FOUND)
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Not anchored yet (ANCHOR_PENDING) or never will be (ANCHOR_FAILED)' })
  @ApiBadGatewayResponse({ type: ErrorResponseDto, description: 'What is stored does not prove against the chain or its digest (INTEGRITY_MISMATCH)' })
  @ApiServiceUnavailableResponse(DEPENDENCY_DOWN)
  async content(@AuthAccount() auth: AccountPrincipal, @Param('id', ParseUUIDPipe) id: string): Promise<StreamableFile> {
    return new StreamableFile(await this.blobs.content(auth, id), { type: 'application/octet-stream' });
  }
}
