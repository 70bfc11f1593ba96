import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { AccountsModule } from '../accounts/accounts.module';
import { KeyStore } from '../keys/key-store';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { jwtOptions, TokenService } from './token.service';

@Module({
  imports: [
    AccountsModule,
    JwtModule.registerAsync({
      inject: [KeyStore],
      useFactory: (keys: KeyStore) => jwtOptions(keys.jwtSecret()),
    }),
  ],
  controllers: [AuthController],
  providers: [AuthService, TokenService, { provide: APP_GUARD, useClass: AuthGuard }],
})
export class AuthModule {}
