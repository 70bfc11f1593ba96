// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IConsortiumDirectory} from "./interfaces/IConsortiumDirectory.sol";
import {KOfNProposals} from "./governance/KOfNProposals.sol";

/// @title ConsortiumRegistry
/// @notice Membership of the EHRChain consortium. Authorities (health departments, founding
/// hospitals) admit, suspend and reinstate hospitals only with k-of-n approvals; admitted
/// hospitals register and deactivate their doctors and pharmacists.
/// @dev The authority set and k are fixed at deployment. The k-of-n machinery (approve, cancel,
/// expiry) is KOfNProposals'; a proposal's action and hospital share its first slot, and its
/// details or reason hash takes a third.
contract ConsortiumRegistry is IConsortiumDirectory, KOfNProposals {
    /// @notice What a proposal does to its subject hospital once approved.
    enum Action {
        None,
        Admit,
        Suspend,
        Reinstate
    }

    /// @notice A hospital's standing. Only Admitted hospitals act and count as active.
    enum HospitalStatus {
        None,
        Admitted,
        Suspended
    }

    /// @notice Practitioner roles, as in IConsortiumDirectory.
    uint8 public constant DOCTOR = 1;
    uint8 public constant PHARMACIST = 2;

    /// @notice Upper bound of n: one bit per authority in a proposal's 96-bit approval bitmap.
    uint256 public constant MAX_AUTHORITIES = 96;

    /// @notice Longest proposal lifetime a deployment may choose. Approvals gathered weeks apart
    /// no longer describe one decision (the dossier, the hospital and the authorities' view move
    /// on), and a half-approved proposal left open is one approval away from executing long after
    /// anyone remembers it. A bound also keeps expiresAt (now + ttl) from overflowing uint64,
    /// which would make every proposal revert.
    uint64 public constant MAX_PROPOSAL_TTL = 30 days;

    struct Practitioner {
        address hospital;
        uint8 role;
        bool active;
        bytes32 councilRegistrationHash;
    }

    address[] private _authorities;
    mapping(uint256 proposalId => bytes32 dataHash) private _dataHashes;
    mapping(address hospital => HospitalStatus) private _hospitals;
    mapping(address practitioner => Practitioner) private _practitioners;

    /// @notice The constructor got no authorities or more than MAX_AUTHORITIES.
    error ConsortiumRegistryInvalidAuthorityCount(uint256 count, uint256 max);
    /// @notice The threshold is 0 or larger than the number of authorities.
    error ConsortiumRegistryInvalidThreshold(uint256 threshold, uint256 authorities);
    /// @notice An authority is the zero address.
    error ConsortiumRegistryInvalidAuthority(address account);
    /// @notice An authority appears twice.
    error ConsortiumRegistryDuplicateAuthority(address account);
    /// @notice The proposal lifetime is 0 or over `max` (MAX_PROPOSAL_TTL).
    error ConsortiumRegistryInvalidProposalTtl(uint64 ttl, uint64 max);
    /// @notice The caller is not an authority.
    error ConsortiumRegistryNotAuthority(address account);
    /// @notice The subject of a proposal is the zero address.
    error ConsortiumRegistryInvalidHospital(address hospital);
    /// @notice Admission of a hospital already admitted (active or suspended).
    error ConsortiumRegistryHospitalAlreadyAdmitted(address hospital);
    /// @notice The hospital is not admitted or is suspended (suspension, acting as a hospital).
    error ConsortiumRegistryHospitalNotActive(address hospital);
    /// @notice Reinstatement of a hospital that is not suspended.
    error ConsortiumRegistryHospitalNotSuspended(address hospital);
    /// @notice No proposal has this id.
    error ConsortiumRegistryUnknownProposal(uint256 proposalId);
    /// @notice The proposal was already executed.
    error ConsortiumRegistryProposalAlreadyExecuted(uint256 proposalId);
    /// @notice The proposal's lifetime is over.
    error ConsortiumRegistryProposalExpired(uint256 proposalId, uint64 expiresAt);
    /// @notice The proposal was cancelled by its proposer.
    error ConsortiumRegistryProposalCancelled(uint256 proposalId);
    /// @notice Only the authority that made the proposal may cancel it.
    error ConsortiumRegistryNotProposer(uint256 proposalId, address caller);
    /// @notice The authority already approved this proposal.
    error ConsortiumRegistryAlreadyApproved(uint256 proposalId, address authority);
    /// @notice The practitioner is the zero address.
    error ConsortiumRegistryInvalidPractitioner(address practitioner);
    /// @notice The role is neither DOCTOR nor PHARMACIST.
    error ConsortiumRegistryInvalidRole(uint8 role);
    /// @notice The practitioner is active with another hospital or other details.
    error ConsortiumRegistryPractitionerAlreadyRegistered(address practitioner, address hospital);
    /// @notice The caller is not the hospital the practitioner is registered with.
    error ConsortiumRegistryNotPractitionerHospital(address practitioner, address caller);
    /// @notice The practitioner's key was registered by `hospital` and stays bound to it, active or
    /// not: a practitioner who moves to another hospital is registered there with a new key.
    error ConsortiumRegistryPractitionerBoundToHospital(address practitioner, address hospital);
    /// @notice The account is a hospital (admitted or suspended) and cannot also be a practitioner.
    error ConsortiumRegistryAccountIsHospital(address account);
    /// @notice The account is an authority and cannot also be a practitioner or a hospital.
    error ConsortiumRegistryAccountIsAuthority(address account);
    /// @notice The account is (or was) a practitioner of `hospital` and cannot be admitted as a hospital.
    error ConsortiumRegistryAccountIsPractitioner(address account, address hospital);

    /// @notice An authority proposed `action` on `subject`; `dataHash` is a salted commitment to the
    /// off-chain details or reason (`textCommitment` in gateway/src/chain/relationships.ts).
    event ProposalCreated(
        uint256 indexed proposalId, Action action, address indexed subject, bytes32 dataHash, address indexed proposer
    );
    event HospitalAdmitted(address indexed hospital, uint256 indexed proposalId, bytes32 detailsHash);
    event HospitalSuspended(address indexed hospital, uint256 indexed proposalId, bytes32 reasonHash);
    event HospitalReinstated(address indexed hospital, uint256 indexed proposalId, bytes32 reasonHash);
    event PractitionerRegistered(
        address indexed practitioner, address indexed hospital, uint8 role, bytes32 councilRegistrationHash
    );
    event PractitionerDeactivated(address indexed practitioner, address indexed hospital);

    /// @param authorities_ The n authorities: distinct, non-zero, at most MAX_AUTHORITIES.
    /// @param threshold The k approvals a proposal needs, 1 <= k <= n.
    /// @param ttl Seconds a proposal stays open for approvals, 1..MAX_PROPOSAL_TTL (30 days).
    constructor(address[] memory authorities_, uint256 threshold, uint64 ttl) KOfNProposals(threshold, ttl) {
        uint256 count = authorities_.length;
        if (count == 0 || count > MAX_AUTHORITIES) revert ConsortiumRegistryInvalidAuthorityCount(count, MAX_AUTHORITIES);
        if (threshold == 0 || threshold > count) revert ConsortiumRegistryInvalidThreshold(threshold, count);
        if (ttl == 0 || ttl > MAX_PROPOSAL_TTL) revert ConsortiumRegistryInvalidProposalTtl(ttl, MAX_PROPOSAL_TTL);
        for (uint256 i = 0; i < count; ++i) {
            address account = authorities_[i];
            if (account == address(0)) revert ConsortiumRegistryInvalidAuthority(account);
            if (isAuthority(account)) revert ConsortiumRegistryDuplicateAuthority(account);
            _addAuthority(account, i);
        }
        _authorities = authorities_;
    }

    // ---------------------------------------------------------------- governance

    /// @notice Proposes to admit `hospital`; the proposer's approval counts.
    /// @dev Requirements: caller is an authority; `hospital` is non-zero, was never admitted, is
    /// not an authority and was never registered as a practitioner (checked again when the
    /// admission executes).
    /// Emits {ProposalCreated} and {ProposalApproved}, and {HospitalAdmitted} when k is 1.
    /// @param hospital The hospital's chain account.
    /// @param detailsHash Salted commitment to the off-chain admission dossier (`textCommitment`).
    /// @return proposalId The new proposal's id (ids start at 1).
    function proposeAdmission(address hospital, bytes32 detailsHash) external onlyAuthority returns (uint256 proposalId) {
        return _propose(Action.Admit, hospital, detailsHash);
    }

    /// @notice Proposes to suspend `hospital`; the proposer's approval counts.
    /// @dev Requirements: caller is an authority; `hospital` is admitted and not suspended.
    /// Emits {ProposalCreated} and {ProposalApproved}, and {HospitalSuspended} when k is 1.
    /// @param hospital The hospital's chain account.
    /// @param reasonHash Salted commitment to the off-chain reason (`textCommitment`).
    /// @return proposalId The new proposal's id.
    function proposeSuspension(address hospital, bytes32 reasonHash) external onlyAuthority returns (uint256 proposalId) {
        return _propose(Action.Suspend, hospital, reasonHash);
    }

    /// @notice Proposes to reinstate a suspended `hospital`; the proposer's approval counts.
    /// @dev Requirements: caller is an authority; `hospital` is suspended.
    /// Emits {ProposalCreated} and {ProposalApproved}, and {HospitalReinstated} when k is 1.
    /// @param hospital The hospital's chain account.
    /// @param reasonHash Salted commitment to the off-chain reason (`textCommitment`).
    /// @return proposalId The new proposal's id.
    function proposeReinstatement(address hospital, bytes32 reasonHash)
        external
        onlyAuthority
        returns (uint256 proposalId)
    {
        return _propose(Action.Reinstate, hospital, reasonHash);
    }

    // ---------------------------------------------------------------- practitioners

    /// @notice Registers (or re-registers after deactivation) a doctor or pharmacist with the calling hospital.
    /// @dev Requirements: caller is an admitted, not suspended hospital; `account` is non-zero;
    /// `role` is DOCTOR or PHARMACIST; the practitioner is not active with other details; `account`
    /// was never registered by another hospital (a key stays bound to the hospital that first
    /// registered it, so a patient's consent to a practitioner never follows the key elsewhere);
    /// `account` is neither a hospital (admitted or suspended) nor an authority, so that suspending
    /// a hospital cannot be side-stepped through a practitioner registration of its own address.
    /// Repeating an identical registration returns without effect or event, so a relayer may
    /// resend. Emits {PractitionerRegistered}.
    /// @param account The practitioner's signing address (a key on their device).
    /// @param role DOCTOR (1) or PHARMACIST (2).
    /// @param councilRegistrationHash Salted commitment to the medical-council registration number
    /// (`textCommitment` in gateway/src/chain/relationships.ts): a bare hash of a 6-digit number is
    /// reversed by trying them all.
    function registerPractitioner(address account, uint8 role, bytes32 councilRegistrationHash) external {
        if (_hospitals[msg.sender] != HospitalStatus.Admitted) revert ConsortiumRegistryHospitalNotActive(msg.sender);
        if (account == address(0)) revert ConsortiumRegistryInvalidPractitioner(account);
        if (role != DOCTOR && role != PHARMACIST) revert ConsortiumRegistryInvalidRole(role);
        Practitioner storage existing = _practitioners[account];
        address hospital = existing.hospital;
        if (existing.active) {
            if (
                hospital == msg.sender && existing.role == role
                    && existing.councilRegistrationHash == councilRegistrationHash
            ) return;
            revert ConsortiumRegistryPractitionerAlreadyRegistered(account, hospital);
        }
        if (hospital == address(0)) {
            // First registration. Roles stay disjoint after it: admission refuses practitioners,
            // and the authorities are fixed at deployment.
            if (_hospitals[account] != HospitalStatus.None) revert ConsortiumRegistryAccountIsHospital(account);
            if (isAuthority(account)) revert ConsortiumRegistryAccountIsAuthority(account);
        } else if (hospital != msg.sender) {
            // Consents are keyed by the practitioner's address: a key that moved would carry the
            // consents patients gave it at its first hospital to the next one.
            revert ConsortiumRegistryPractitionerBoundToHospital(account, hospital);
        }
        _practitioners[account] = Practitioner({
            hospital: msg.sender,
            role: role,
            active: true,
            councilRegistrationHash: councilRegistrationHash
        });
        emit PractitionerRegistered(account, msg.sender, role, councilRegistrationHash);
    }

    /// @notice Deactivates a practitioner of the calling hospital, for good (until the same hospital
    /// registers it again: no other hospital can).
    /// @dev Requirements: caller is the hospital the practitioner is registered with. A suspended
    /// hospital may still deactivate (it only removes rights). Deactivating an inactive
    /// practitioner returns without effect or event. Emits {PractitionerDeactivated}.
    /// @param account The practitioner's signing address.
    function deactivatePractitioner(address account) external {
        Practitioner storage existing = _practitioners[account];
        if (existing.hospital != msg.sender) revert ConsortiumRegistryNotPractitionerHospital(account, msg.sender);
        if (!existing.active) return;
        existing.active = false;
        emit PractitionerDeactivated(account, msg.sender);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IConsortiumDirectory
    function isAuthority(address account) public view override(IConsortiumDirectory, KOfNProposals) returns (bool) {
        return super.isAuthority(account);
    }

    /// @inheritdoc IConsortiumDirectory
    function authorityThreshold() public view override(IConsortiumDirectory, KOfNProposals) returns (uint256) {
        return super.authorityThreshold();
    }

    /// @inheritdoc IConsortiumDirectory
    function isActiveHospital(address hospital) external view returns (bool) {
        return _hospitals[hospital] == HospitalStatus.Admitted;
    }

    /// @inheritdoc IConsortiumDirectory
    function isActivePractitioner(address account, uint8 role) external view returns (bool) {
        Practitioner storage stored = _practitioners[account];
        return stored.active && stored.role == role && _hospitals[stored.hospital] == HospitalStatus.Admitted;
    }

    /// @inheritdoc IConsortiumDirectory
    /// @dev The two cases never overlap: registration and admission keep the roles apart.
    function isActiveMember(address account) external view returns (bool) {
        if (_hospitals[account] == HospitalStatus.Admitted) return true;
        Practitioner storage stored = _practitioners[account];
        return stored.active && _hospitals[stored.hospital] == HospitalStatus.Admitted;
    }

    /// @notice The authorities, in deployment order.
    function authorities() external view returns (address[] memory) {
        return _authorities;
    }

    /// @notice A hospital's standing: 0 None, 1 Admitted, 2 Suspended.
    function hospitalStatus(address hospital) external view returns (HospitalStatus) {
        return _hospitals[hospital];
    }

    /// @notice A proposal; every value is zero for an unknown id.
    /// @return action 1 Admit, 2 Suspend, 3 Reinstate.
    /// @return subject The hospital.
    /// @return dataHash Hash of the off-chain details or reason.
    /// @return proposer The authority that proposed it.
    /// @return approvals Approvals so far, the proposer's included.
    /// @return expiresAt Approvals are refused from this timestamp on.
    /// @return executed Whether it reached the threshold and took effect.
    /// @return cancelled Whether its proposer cancelled it (it can then never execute).
    function proposal(uint256 proposalId)
        external
        view
        returns (
            Action action,
            address subject,
            bytes32 dataHash,
            address proposer,
            uint256 approvals,
            uint64 expiresAt,
            bool executed,
            bool cancelled
        )
    {
        Proposal storage stored = _proposal(proposalId);
        return (
            Action(stored.action),
            stored.subject,
            _dataHashes[proposalId],
            stored.proposer,
            stored.approvals,
            stored.expiresAt,
            stored.executed,
            stored.cancelled
        );
    }

    /// @notice A practitioner's registration; all zero when never registered.
    /// @param account The practitioner's signing address.
    /// @return hospital The hospital that registered it; the key stays bound to it after deactivation.
    /// @return role DOCTOR (1) or PHARMACIST (2).
    /// @return active False once deactivated. It stays true while the hospital is suspended, when
    /// isActivePractitioner answers false.
    /// @return councilRegistrationHash Hash of the medical-council registration number.
    function practitioner(address account)
        external
        view
        returns (address hospital, uint8 role, bool active, bytes32 councilRegistrationHash)
    {
        Practitioner storage stored = _practitioners[account];
        return (stored.hospital, stored.role, stored.active, stored.councilRegistrationHash);
    }

    // ---------------------------------------------------------------- internals

    function _propose(Action action, address hospital, bytes32 dataHash) private returns (uint256 proposalId) {
        _checkApplicable(action, hospital);
        if (action == Action.Admit) {
            // Authorities are fixed at deployment: checked here once, not again at execution.
            if (isAuthority(hospital)) revert ConsortiumRegistryAccountIsAuthority(hospital);
            _checkNotPractitioner(hospital);
        }
        Proposal storage created;
        (proposalId, created) = _openProposal(uint8(action), hospital);
        _dataHashes[proposalId] = dataHash;
        emit ProposalCreated(proposalId, action, hospital, dataHash, msg.sender);
        _countProposerApproval(proposalId, created);
    }

    /// @dev Checked at every approval: another proposal may have changed the hospital's status since.
    function _checkApplicable(Proposal storage stored) internal view override {
        _checkApplicable(Action(stored.action), stored.subject);
    }

    /// @dev Checked at proposal and (through the override above) at every approval.
    function _checkApplicable(Action action, address hospital) private view {
        if (hospital == address(0)) revert ConsortiumRegistryInvalidHospital(hospital);
        HospitalStatus status = _hospitals[hospital];
        if (action == Action.Admit) {
            if (status != HospitalStatus.None) revert ConsortiumRegistryHospitalAlreadyAdmitted(hospital);
        } else if (action == Action.Suspend) {
            if (status != HospitalStatus.Admitted) revert ConsortiumRegistryHospitalNotActive(hospital);
        } else if (status != HospitalStatus.Suspended) {
            revert ConsortiumRegistryHospitalNotSuspended(hospital);
        }
    }

    /// @dev An account holds one role: a hospital is never a practitioner. At proposal and again at
    /// execution, because a hospital may register the account as its practitioner while the
    /// admission collects approvals; the approvals in between skip it.
    function _checkNotPractitioner(address hospital) private view {
        address employer = _practitioners[hospital].hospital;
        if (employer != address(0)) revert ConsortiumRegistryAccountIsPractitioner(hospital, employer);
    }

    function _execute(uint256 proposalId, Proposal storage executed) internal override {
        Action action = Action(executed.action);
        address hospital = executed.subject;
        bytes32 dataHash = _dataHashes[proposalId];
        if (action == Action.Admit) {
            _checkNotPractitioner(hospital);
            _hospitals[hospital] = HospitalStatus.Admitted;
            emit HospitalAdmitted(hospital, proposalId, dataHash);
        } else if (action == Action.Suspend) {
            _hospitals[hospital] = HospitalStatus.Suspended;
            emit HospitalSuspended(hospital, proposalId, dataHash);
        } else {
            _hospitals[hospital] = HospitalStatus.Admitted;
            emit HospitalReinstated(hospital, proposalId, dataHash);
        }
    }

    function _revertFault(Fault fault, uint256 proposalId, address account, uint64 expiresAt) internal pure override {
        if (fault == Fault.NotAuthority) revert ConsortiumRegistryNotAuthority(account);
        if (fault == Fault.UnknownProposal) revert ConsortiumRegistryUnknownProposal(proposalId);
        if (fault == Fault.AlreadyExecuted) revert ConsortiumRegistryProposalAlreadyExecuted(proposalId);
        if (fault == Fault.Cancelled) revert ConsortiumRegistryProposalCancelled(proposalId);
        if (fault == Fault.Expired) revert ConsortiumRegistryProposalExpired(proposalId, expiresAt);
        if (fault == Fault.AlreadyApproved) revert ConsortiumRegistryAlreadyApproved(proposalId, account);
        revert ConsortiumRegistryNotProposer(proposalId, account);
    }
}
