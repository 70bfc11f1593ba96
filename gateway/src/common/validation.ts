import { applyDecorators } from '@nestjs/common';
import { IsString, Length, Matches, registerDecorator, ValidationOptions } from 'class-validator';
import { utils } from 'web3';

/**
 * Validators shared by DTOs (class-validator decorators). Each format has one pattern, here,
 * so a handle or a signature is the same thing on every route that takes one.
 */

/** 0x + 20 bytes. */
export const ADDRESS_PATTERN = /^0x[0-9a-fA-F]{40}$/;
/** 0x + 32 bytes: pseudonym handles, challenges, record ids on chain. */
export const BYTES32_PATTERN = /^0x[0-9a-fA-F]{64}$/;
/** 0x + 65 bytes r ‖ s ‖ v, the form OpenZeppelin's ECDSA.recover takes. */
export const SIGNATURE_PATTERN = /^0x[0-9a-fA-F]{130}$/;
export const USERNAME_PATTERN = /^[a-z0-9._-]{3,64}$/;

export const USERNAME_MAX_LENGTH = 64;
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 200;
export const LABEL_MAX_LENGTH = 100;

/** A new account's username: lower-case letters, digits, dot, dash, underscore. */
export function IsUsername(options?: ValidationOptions): PropertyDecorator {
  return Matches(USERNAME_PATTERN, { message: 'username must be 3-64 of a-z 0-9 . _ -', ...options });
}

/** A short free-text name people give to a credential or device (`AIIMS HIS production`). */
export function IsLabel(): PropertyDecorator {
  return applyDecorators(IsString(), Length(1, LABEL_MAX_LENGTH));
}

/**
 * A 20-byte hex address; when written in mixed case, its EIP-55 checksum must hold, so a typo in
 * a copied address is refused instead of naming an account nobody controls.
 */
export function IsEthAddress(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isEthAddress',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: '$property must be a 0x-prefixed 20-byte address (EIP-55 checksum when mixed case)', ...options },
      validator: {
        validate(value: unknown): boolean {
          if (typeof value !== 'string' || !ADDRESS_PATTERN.test(value)) return false;
          const digits = value.slice(2);
          if (digits === digits.toLowerCase() || digits === digits.toUpperCase()) return true;
          return utils.checkAddressCheckSum(value);
        },
      },
    });
}

/** A bytes32 value as 0x + 64 hex digits (a pseudonym handle, a challenge). */
export function IsBytes32(options?: ValidationOptions): PropertyDecorator {
  return Matches(BYTES32_PATTERN, { message: '$property must be 0x followed by 64 hex digits', ...options });
}

/** A 65-byte ECDSA signature (r ‖ s ‖ v) as 0x + 130 hex digits. */
export function IsSignature(options?: ValidationOptions): PropertyDecorator {
  return Matches(SIGNATURE_PATTERN, { message: '$property must be a 65-byte signature, 0x followed by 130 hex digits', ...options });
}
