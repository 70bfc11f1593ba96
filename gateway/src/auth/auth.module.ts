import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { KeyStore } from '../keys/key-store';
import { AccountEntity } from './account.entity';
import { AccountsService } from './accounts.service';
import { ApiKeyEntity } from './api-key.entity';
import { AccountsController, AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([AccountEntity, ApiKeyEntity]),
    JwtModule.registerAsync({
      inject: [KeyStore],
      useFactory: (keys: KeyStore) => ({ secret: keys.jwtSecret(), signOptions: { algorithm: 'HS256', issuer: 'ehrchain' }, verifyOptions: { issuer: 'ehrchain' } }),
    }),
  ],
  controllers: [AuthController, AccountsController],
  providers: [AuthService, AccountsService, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [AccountsService],
})
export class AuthModule {}
