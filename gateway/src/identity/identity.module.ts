import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { AadhaarTransport } from './aadhaar-transport';
import { AadhaarVault } from './aadhaar-vault';
import { EkycProvider, NoEkycProvider } from './ekyc-provider';
import { SandboxEkycProvider } from './sandbox-ekyc';

/**
 * Who a person is: the transport key numbers are encrypted to on their way in, the Aadhaar
 * vault (accounts of practitioners and officers, personas of patients keep its references) and
 * the eKYC provider that verifies a number, chosen by EKYC_PROVIDER.
 */
@Global()
@Module({
  providers: [
    AadhaarVault,
    AadhaarTransport,
    {
      provide: EkycProvider,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): EkycProvider => (config.identity.ekycProvider === 'sandbox' ? new SandboxEkycProvider(config.dataDir) : new NoEkycProvider()),
    },
  ],
  exports: [AadhaarVault, AadhaarTransport, EkycProvider],
})
export class IdentityModule {}
