import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { AccountsModule } from '../accounts/accounts.module';
import { KeyStore } from '../keys/key-store';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { PseudonymAuthController } from './pseudonym-auth.controller';
import { PseudonymAuthService } from './pseudonym-auth.service';
import { jwtOptions, TokenService } from './token.service';
import { SessionsService } from './sessions.service';
import { TokenRevocations } from './token-revocations';
import { RevokedTokenStore, UsedChallengeStore } from './used-challenge.store';

/** Who is calling: account sign-in, pseudonym sign-in, bearer tokens and the global guard. */
@Module({
  imports: [
    AccountsModule,
    JwtModule.registerAsync({
      inject: [KeyStore],
      useFactory: (keys: KeyStore) => jwtOptions(keys.jwtSecret()),
    }),
  ],
  controllers: [AuthController, PseudonymAuthController],
  providers: [AuthService, TokenService, PseudonymAuthService, UsedChallengeStore, RevokedTokenStore, TokenRevocations, SessionsService, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [TokenService],
})
export class AuthModule {}
