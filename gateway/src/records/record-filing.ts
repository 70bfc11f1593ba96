import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AccountEntity } from '../accounts/account.entity';
import { Role } from '../auth/permissions';
import { AccountPrincipal } from '../auth/principal';
import { ChainRuntime } from '../chain/chain.module';
import { ConsentManager } from '../chain/consent-manager';
import { ConsortiumRegistry } from '../chain/consortium-registry';
import { recoverTypedDataSigner, TypedData } from '../chain/eip712';
import { checkFilingToken, filingTokenHandle, FilingTokenProblem } from '../chain/filing-token';
import { ApiError } from '../common/errors';

/** Filing tokens whose signer was recovered lately (a hospital files a visit's records with one token). */
const RECOVERIES_KEPT = 10_000;

const PROBLEMS: Record<FilingTokenProblem, { status: HttpStatus; message: string }> = {
  FILING_TOKEN_MALFORMED: { status: HttpStatus.BAD_REQUEST, message: 'X-Filing-Token is not a filing token (ehrft1.…) made by patient software' },
  FILING_TOKEN_EXPIRED: { status: HttpStatus.FORBIDDEN, message: 'The filing token has expired: ask the patient for a new one' },
  FILING_TOKEN_TOO_LONG: { status: HttpStatus.FORBIDDEN, message: 'The filing token is valid for more than 30 days, which no patient software makes' },
  FILING_TOKEN_SIGNATURE: { status: HttpStatus.FORBIDDEN, message: "The filing token is not signed by the key of the patient's relationship" },
};

/**
 * Who files a record for whom. The caller's hospital is a chain address: a hospital system's
 * own, or for a doctor the hospital account they work at. The patient is the handle their
 * filing token names, accepted only when the token is signed for that relationship (its key on
 * chain, or the key the handle commits to before it is registered) and names the caller's
 * hospital: a token given to one hospital files nothing at another.
 */
@Injectable()
export class RecordFiling {
  /** Signer by token: a token names every field its signature covers, so the same token always recovers the same signer. */
  private readonly recovered = new Map<string, string>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly consentManager: ConsentManager,
    private readonly chain: ChainRuntime,
    private readonly consortium: ConsortiumRegistry,
  ) {}

  /** The chain address of the hospital the caller files for. */
  async hospitalOf(auth: AccountPrincipal): Promise<string> {
    const account = await this.db.manager.findOneBy(AccountEntity, { id: auth.accountId });
    const hospital = account?.role === Role.Hospital ? account : account?.hospitalId ? await this.db.manager.findOneBy(AccountEntity, { id: account.hospitalId }) : null;
    if (!hospital?.chainAddress || hospital.disabledAt) {
      throw new ApiError(
        HttpStatus.FORBIDDEN,
        'NOT_A_FILING_HOSPITAL',
        auth.role === Role.Hospital
          ? 'This hospital account has no consortium address (chainAddress): an administrator sets it when the hospital is admitted'
          : 'Your account works at no hospital with a consortium address, so no filing token can name it',
      );
    }
    return hospital.chainAddress;
  }

  /**
   * `hospitalOf`, for a write: the hospital files or corrects only while the consortium's
   * authorities hold it admitted on chain (ConsortiumRegistry), as of the latest block. An
   * account an administrator made for an address the authorities never admitted, or have
   * suspended, files nothing.
   */
  async admittedHospitalOf(auth: AccountPrincipal): Promise<string> {
    const hospital = await this.hospitalOf(auth);
    const status = await this.consortium.hospitalStatus(hospital);
    if (status === 'suspended') {
      throw new ApiError(HttpStatus.FORBIDDEN, 'HOSPITAL_SUSPENDED', "The consortium's authorities have suspended this hospital: it files nothing until they reinstate it");
    }
    if (status !== 'admitted') {
      throw new ApiError(HttpStatus.FORBIDDEN, 'HOSPITAL_NOT_ADMITTED', "The consortium's authorities have not admitted this hospital's address on chain: it files nothing until they do");
    }
    return hospital;
  }

  /** The handle the token files under, once it is proven to be the patient's, for `hospital`. */
  async patientHandle(token: string | undefined, hospital: string): Promise<string> {
    if (!token) throw new ApiError(HttpStatus.BAD_REQUEST, 'FILING_TOKEN_REQUIRED', "Send the patient's filing token in X-Filing-Token");
    const handle = filingTokenHandle(token);
    const signerOnChain = handle ? await this.consentManager.signerOf(handle) : null;
    const scope = { chainId: this.chain.chainId, consentManager: this.consentManager.address };
    const checked = checkFilingToken(token, scope, Math.floor(Date.now() / 1000), signerOnChain, (typedData, signature) => this.recover(token, typedData, signature));
    if (!checked.ok) {
      const { status, message } = PROBLEMS[checked.problem];
      throw new ApiError(status, checked.problem, message);
    }
    if (checked.permit.hospital.toLowerCase() !== hospital.toLowerCase()) {
      throw new ApiError(HttpStatus.FORBIDDEN, 'FILING_TOKEN_OTHER_HOSPITAL', 'The filing token was given to another hospital');
    }
    return checked.permit.patient;
  }

  /** The token's signer, recovered once per token; expiry and the signer on chain are still checked on every use. */
  private recover(token: string, typedData: TypedData, signature: string): string {
    let signer = this.recovered.get(token);
    if (!signer) {
      signer = recoverTypedDataSigner(typedData, signature);
      if (this.recovered.size >= RECOVERIES_KEPT) this.recovered.delete(this.recovered.keys().next().value!);
      this.recovered.set(token, signer);
    }
    return signer;
  }
}
