import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { AccountsModule } from '../accounts/accounts.module';
import { KeyStore } from '../keys/key-store';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';

@Module({
  imports: [
    AccountsModule,
    JwtModule.registerAsync({
      inject: [KeyStore],
      useFactory: (keys: KeyStore) => ({ secret: keys.jwtSecret(), signOptions: { algorithm: 'HS256', issuer: 'ehrchain' }, verifyOptions: { issuer: 'ehrchain' } }),
    }),
  ],
  controllers: [AuthController],
  providers: [AuthService, { provide: APP_GUARD, useClass: AuthGuard }],
})
export class AuthModule {}
