import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { AuthModule } from '../auth/auth.module';
import { AadhaarKeyController } from './aadhaar-key.controller';
import { OneTimeCodes } from './one-time-codes';
import { LedgerController } from './ledger.controller';
import { PatientsController } from './patients.controller';
import { PersonaAuthController } from './persona-auth.controller';
import { PersonaController } from './persona.controller';
import { PersonaService } from './persona.service';
import { PersonaSignInService } from './persona-sign-in.service';
import { PersonaStore } from './persona.store';

/** Patients' personas: registration by eKYC, the encrypted persona store, the persona's sign-in and erasure. */
@Module({
  imports: [AccountsModule, AuthModule],
  controllers: [AadhaarKeyController, PatientsController, PersonaController, PersonaAuthController, LedgerController],
  providers: [PersonaStore, OneTimeCodes, PersonaService, PersonaSignInService],
  exports: [PersonaStore],
})
export class PersonaModule {}
