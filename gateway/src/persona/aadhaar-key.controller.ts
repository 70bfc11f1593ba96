import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/authenticated.decorator';
import { AadhaarTransport } from '../identity/aadhaar-transport';

export class AadhaarKeyDto {
  @ApiProperty({ example: '3f9a0c1d2e4b5a69', description: 'Goes in the envelope (enc1.<keyId>.<ciphertext>): a number encrypted to an older key is refused with AADHAAR_KEY_UNKNOWN' })
  keyId!: string;

  @ApiProperty({ example: 'RSA-OAEP-256', description: 'RSAES-OAEP with SHA-256 for the label hash and MGF1, empty label' })
  algorithm!: 'RSA-OAEP-256';

  @ApiProperty({ description: 'RSA-2048 public key, SPKI PEM' })
  publicKey!: string;
}

/** The key a patient's software encrypts an Aadhaar number to before sending it (registration, sign-in codes). */
@ApiTags('patients')
@Controller({ path: 'identity/aadhaar-key', version: '1' })
export class AadhaarKeyController {
  constructor(private readonly transport: AadhaarTransport) {}

  @Get()
  @ApiOperation({
    summary: 'The public key Aadhaar numbers are encrypted to on their way to the gateway',
    description: 'Encrypt the digits (UTF-8) with RSA-OAEP-256 and send `enc1.<keyId>.<base64url ciphertext>` where a route takes `aadhaar`. The portal and the CLI do; nothing on the way sees the number.',
  })
  @Public('A public key, needed before registration or sign-in')
  @ApiOkResponse({ type: AadhaarKeyDto })
  key(): AadhaarKeyDto {
    return { keyId: this.transport.keyId, algorithm: 'RSA-OAEP-256', publicKey: this.transport.publicKeyPem };
  }
}
