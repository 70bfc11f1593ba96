import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsIn, IsInt, IsOptional, IsUUID, Max, Min, ValidateIf, ValidateNested } from 'class-validator';
import { IsBytes32, IsEthAddress, IsSignature } from '../common/validation';

const UINT40_MAX = 2 ** 40 - 1;
const HANDLE = { example: `0x${'3f'.repeat(32)}`, description: "The relationship's handle (bytes32) the message is about" };
const DEADLINE = { example: 1796115600, description: 'Unix seconds: the last block time at which the chain accepts the signature (at most 30 days ahead)' };
const SIGNATURE = { example: `0x${'5c'.repeat(65)}`, description: "EIP-712 signature by the relationship's consent key (r ‖ s ‖ v)" };

/** A uint40 of unix seconds, as consent terms carry them. */
const Seconds = () => (target: object, key: string) => {
  IsInt()(target, key);
  Min(0)(target, key);
  Max(UINT40_MAX)(target, key);
};

export class ConsentTermsDto {
  @ApiProperty({ example: 0b1011, description: 'Bitmask of ABDM HI types: bit 0 OPConsultation, 1 Prescription, 2 DischargeSummary, 3 DiagnosticReport, 4 ImmunizationRecord, 5 HealthDocumentRecord, 6 WellnessRecord' })
  @IsInt() @Min(1) @Max(0x7f)
  categories!: number;

  @ApiProperty({ example: 1, description: 'Bitmask of purposes of use: bit 0 CAREMGT, 1 BTG, 2 PUBHLTH, 3 HPAYMT, 4 DSRCH, 5 PATRQT' })
  @IsInt() @Min(1) @Max(0x3f)
  purposes!: number;

  @ApiProperty({ example: 1735689600, description: 'Records dated from this day (unix seconds)' })
  @Seconds()
  fromDate!: number;

  @ApiProperty({ example: 1798675200, description: 'Records dated up to this day, inclusive (unix seconds)' })
  @Seconds()
  toDate!: number;

  @ApiProperty({ example: 1798761600, description: 'The consent ends at this second (the SDK signs the end of a UTC day)' })
  @Seconds()
  expiry!: number;

  @ApiProperty({ example: `0x${'00'.repeat(32)}`, description: 'Zero for every record in scope; else the StandardMerkleTree root of the record ids listed in recordIds' })
  @IsBytes32()
  recordsRoot!: string;
}

/** The registration of a relationship's handle, signed by its consent key (ConsentManager.register). */
export class RegistrationMessageDto {
  @ApiProperty(HANDLE)
  @IsBytes32()
  handle!: string;

  @ApiProperty({ example: '0x5B38Da6a701c568545dCfcB03FcB875f56beddC4', description: "The relationship's consent key's address: the handle commits to it" })
  @IsEthAddress()
  signer!: string;

  @ApiProperty({ example: `0x${'7e'.repeat(32)}`, description: 'The secret (bytes32) that with the signer makes the handle' })
  @IsBytes32()
  salt!: string;

  @ApiProperty(DEADLINE)
  @Seconds()
  deadline!: number;

  @ApiProperty(SIGNATURE)
  @IsSignature()
  signature!: string;
}

/**
 * What comes with a grant besides the message the chain verifies: the link that says which
 * records it covers, and the record ids and salt of a records root.
 */
export class GrantProofDto {
  @ApiProperty({
    example: `0x${'6d'.repeat(65)}`,
    description: "EIP-712 ConsentLink (domain 'EHRChain Consent Link'; relationship, records: your pseudonym's handle, grantee) signed with the same relationship key: says the consent covers the records filed under your pseudonym",
  })
  @IsSignature()
  link!: string;

  @ApiPropertyOptional({ type: [String], example: ['0b6f3c1e-8a4d-4f6e-9a51-2f3c4d5e6f70'], description: 'With a records root: the ids of the records it names (your own records)' })
  @IsOptional()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true })
  recordIds?: string[];

  @ApiPropertyOptional({ example: `0x${'4b'.repeat(32)}`, description: "With recordIds: the records root's salt leaf (32 random bytes your software chose)" })
  @ValidateIf((dto: GrantProofDto) => dto.recordIds !== undefined)
  @IsBytes32()
  recordsSalt?: string;
}

/** A grant, as the patient's software signed it: opening a relationship (RelationshipGrant) or on one already open (ConsentGrant). */
export class GrantMessageDto extends GrantProofDto {
  @ApiProperty({ enum: ['RelationshipGrant', 'ConsentGrant'], description: 'RelationshipGrant opens the relationship with the grantee (registers its handle and grants); ConsentGrant grants on a registered one' })
  @IsIn(['RelationshipGrant', 'ConsentGrant'])
  type!: 'RelationshipGrant' | 'ConsentGrant';

  @ApiProperty(HANDLE)
  @IsBytes32()
  patient!: string;

  @ApiProperty({ example: '0xAb8483F64d9C6d1EcF9b849Ae677dD3315835cb2', description: "The reader: a hospital's or practitioner's chain address" })
  @IsEthAddress()
  grantee!: string;

  @ApiProperty({ type: ConsentTermsDto })
  @ValidateNested()
  @Type(() => ConsentTermsDto)
  terms!: ConsentTermsDto;

  @ApiPropertyOptional({ example: '0x5B38Da6a701c568545dCfcB03FcB875f56beddC4', description: 'RelationshipGrant only: the new consent key\'s address' })
  @ValidateIf((dto: GrantMessageDto) => dto.type === 'RelationshipGrant')
  @IsEthAddress()
  signer?: string;

  @ApiPropertyOptional({ example: `0x${'7e'.repeat(32)}`, description: 'RelationshipGrant only: the handle\'s salt' })
  @ValidateIf((dto: GrantMessageDto) => dto.type === 'RelationshipGrant')
  @IsBytes32()
  salt?: string;

  @ApiPropertyOptional({ example: 1, description: "ConsentGrant only: the pair's nonce the message was signed at (ConsentManager.consentNonces)" })
  @ValidateIf((dto: GrantMessageDto) => dto.type === 'ConsentGrant')
  @IsInt() @Min(0) @Max(2 ** 48 - 1)
  nonce?: number;

  @ApiProperty(DEADLINE)
  @Seconds()
  deadline!: number;

  @ApiProperty(SIGNATURE)
  @IsSignature()
  signature!: string;

}

export class RevocationMessageDto {
  @ApiProperty(HANDLE)
  @IsBytes32()
  patient!: string;

  @ApiProperty({ example: '0xAb8483F64d9C6d1EcF9b849Ae677dD3315835cb2', description: 'The grantee whose consent ends' })
  @IsEthAddress()
  grantee!: string;

  @ApiProperty({ example: 1, description: "The pair's nonce the message was signed at (ConsentManager.consentNonces)" })
  @IsInt() @Min(0) @Max(2 ** 48 - 1)
  nonce!: number;

  @ApiProperty(DEADLINE)
  @Seconds()
  deadline!: number;

  @ApiProperty(SIGNATURE)
  @IsSignature()
  signature!: string;
}

export class RelayQueryDto {
  @ApiPropertyOptional({ enum: ['applied'], description: 'Wait (up to 30 s) until the message is mined' })
  @IsOptional()
  @IsIn(['applied'])
  wait?: 'applied';
}

export class ConsentMessageResponseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: ['Registration', 'RelationshipGrant', 'ConsentGrant', 'ConsentRevocation', 'ConsentApproval', 'ConsentDenial', 'GuardianSet', 'RecoveryVeto'] })
  type!: string;

  @ApiProperty({ enum: ['pending', 'applied', 'failed', 'cancelled'], description: 'pending: queued for the chain; applied: mined; failed: the chain refused it (see error); cancelled: withdrawn before it was sent' })
  status!: 'pending' | 'applied' | 'failed' | 'cancelled';

  @ApiPropertyOptional({ nullable: true })
  txHash!: string | null;

  @ApiPropertyOptional({ nullable: true })
  block!: number | null;

  @ApiPropertyOptional({ nullable: true })
  error!: string | null;
}

export class ConsentResponseDto {
  @ApiProperty({ description: "The handle of the relationship with the grantee (the consent's key on chain)" })
  relationship!: string;

  @ApiProperty({ description: "The grantee's chain address" })
  grantee!: string;

  @ApiProperty({ enum: ['active', 'expired', 'revoked', 'none'], description: 'As the chain says it now: none when never granted (or granted before a key recovery)' })
  status!: 'active' | 'expired' | 'revoked' | 'none';

  @ApiProperty({ type: ConsentTermsDto, description: 'All zero unless a consent was granted' })
  terms!: ConsentTermsDto;

  @ApiProperty({ description: "The pair's nonce: sign the next grant or revocation at this number" })
  nonce!: number;

  @ApiPropertyOptional({ nullable: true, description: 'The id reads under this consent are logged with (null when none is in force)' })
  consentId!: string | null;
}

export class ConsentIdParamDto {
  @IsUUID()
  id!: string;
}
