// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {PatientRegistry} from "./PatientRegistry.sol";

/// @title PatientGuardians
/// @notice Lets k-of-n guardians a patient chose restore the signing address of the patient's handle
/// when the key is lost or stolen.
/// @dev Abstract, on top of PatientRegistry, whose patient record (signer, nonce, signer epoch,
/// guardian threshold and set) it reads and writes; ConsentManager inherits both. Guardians sign
/// EIP-712 messages in the inheriting contract's domain, relayed by anyone, like the patient's own.
///
/// Key and guardians check each other, through delays (docs/decisions.md, "Patients' keys and
/// guardians"): guardians only start a recovery, which anyone completes after RECOVERY_DELAY and
/// the current key can veto until then, unless every guardian signed it; the key only proposes a
/// guardian set, which anyone applies after GUARDIAN_CHANGE_DELAY, never while a recovery waits,
/// and a completed recovery discards it. A completed recovery starts a new signer epoch: consents
/// granted before it, by whoever held the old key, are no longer in force.
abstract contract PatientGuardians is PatientRegistry {
    /// @notice The most guardians a patient may name.
    uint256 public constant MAX_GUARDIANS = 10;
    /// @notice How long a recovery waits between its start by the guardians and its completion, the
    /// time the patient has to veto it. Three days: a recovery started on a Friday evening can still
    /// be vetoed on Monday, by a patient who sees the notice only then; longer would keep a patient
    /// who really lost the key from granting consents (existing consents and emergency access go on).
    uint256 public constant RECOVERY_DELAY = 3 days;
    /// @notice How long a guardian set the key proposes waits before it can take effect: the time the
    /// guardians in force have to start a recovery when the key was stolen (a pending recovery holds
    /// the change back, a completed one discards it). As long as the patient's veto window, for the
    /// same reason: people must notice and act.
    uint256 public constant GUARDIAN_CHANGE_DELAY = 3 days;

    bytes32 private constant GUARDIAN_SET_TYPEHASH =
        keccak256("GuardianSet(bytes32 handle,address[] guardians,uint8 threshold,uint256 nonce,uint256 deadline)");
    bytes32 private constant RECOVERY_TYPEHASH =
        keccak256("Recovery(bytes32 handle,address newSigner,uint256 nonce,uint256 deadline)");
    bytes32 private constant RECOVERY_VETO_TYPEHASH = keccak256(
        "RecoveryVeto(bytes32 handle,address newSigner,uint256 recovery,uint256 nonce,uint256 deadline)"
    );

    /// @dev A guardian set: one slot for threshold, count and, while it is a proposal, when it may
    /// take effect (0 otherwise), then one slot per guardian. A handle has two, the set in force and
    /// the proposed one, so applying a proposal flips `Patient.guardianSet` instead of copying a list.
    struct GuardianSet {
        uint8 threshold;
        uint8 count;
        uint40 effectiveAt;
        address[MAX_GUARDIANS] guardians;
    }

    /// @dev One slot: the recovery waiting for its delay (`newSigner` zero: none) and the handle's
    /// recovery nonce, which only guardians' recoveries use, so that the key cannot invalidate
    /// guardians' signatures by spending the handle's nonce.
    struct PendingRecovery {
        address newSigner;
        uint40 executableAt;
        bool vetoable;
        uint32 nonce;
    }

    mapping(bytes32 handle => GuardianSet[2] sets) private _guardianSets;
    mapping(bytes32 handle => PendingRecovery) private _recoveries;

    /// @notice The patient proposed `guardians`, `threshold` of whom can restore the handle's signer
    /// (none and 0: no guardians); `applyGuardians` can put them in force from `effectiveAt`.
    event GuardiansProposed(bytes32 indexed handle, address[] guardians, uint8 threshold, uint40 effectiveAt);
    /// @notice The proposed guardians of `handle` are now in force (GuardiansProposed names them).
    event GuardiansChanged(bytes32 indexed handle, uint8 threshold);
    /// @notice A recovery of `handle` completed while a guardian set was proposed: the proposal is void.
    event GuardianChangeDiscarded(bytes32 indexed handle);
    /// @notice Guardians started recovery number `recovery` of `handle` to `newSigner`; anyone can
    /// complete it from `executableAt`; until then the current signer can veto it if `vetoable`.
    event RecoveryStarted(
        bytes32 indexed handle,
        address indexed newSigner,
        uint256 recovery,
        uint40 executableAt,
        bool vetoable
    );
    /// @notice The signer of `handle` vetoed recovery number `recovery` to `newSigner`.
    event RecoveryVetoed(bytes32 indexed handle, address indexed newSigner, uint256 recovery);
    /// @notice A recovery completed: `newSigner` signs for `handle`, in a new signer epoch.
    event SignerRecovered(bytes32 indexed handle, address indexed previousSigner, address indexed newSigner);

    /// @notice The new signing address must not be zero.
    error PatientRegistryInvalidNewSigner(address newSigner);
    /// @notice A guardian set needs 1 <= threshold <= count <= MAX_GUARDIANS, or no guardians and threshold 0.
    error PatientRegistryInvalidGuardianThreshold(uint256 count, uint8 threshold);
    /// @notice A guardian is the zero address.
    error PatientRegistryInvalidGuardian(address guardian);
    /// @notice A guardian appears twice in the set, or signed a recovery twice.
    error PatientRegistryDuplicateGuardian(address guardian);
    /// @notice The handle has no guardians, so it cannot be recovered.
    error PatientRegistryNoGuardians(bytes32 handle);
    /// @notice Fewer guardian signatures than the threshold.
    error PatientRegistryNotEnoughGuardians(uint256 signatures, uint8 threshold);
    /// @notice A recovery signature is not from one of the handle's guardians.
    error PatientRegistryNotGuardian(address signer);
    /// @notice A recovery of `handle` is waiting: no other starts, and no guardian change applies, until it completes or is vetoed.
    error PatientRegistryRecoveryPending(bytes32 handle);
    /// @notice No recovery of `handle` is waiting.
    error PatientRegistryNoRecoveryPending(bytes32 handle);
    /// @notice The recovery cannot complete before `executableAt`.
    error PatientRegistryRecoveryNotDue(bytes32 handle, uint40 executableAt);
    /// @notice Every guardian signed the recovery: the key cannot veto it.
    error PatientRegistryUnanimousRecovery(bytes32 handle);
    /// @notice The veto came at or after `executableAt`, when the recovery may already complete.
    error PatientRegistryVetoTooLate(bytes32 handle, uint40 executableAt);
    /// @notice No guardian set of `handle` is proposed.
    error PatientRegistryNoGuardianChange(bytes32 handle);
    /// @notice The proposed guardian set cannot take effect before `effectiveAt`.
    error PatientRegistryGuardianChangeNotDue(bytes32 handle, uint40 effectiveAt);

    /// @notice Proposes `guardians`, `threshold` of whom can restore the signer of `handle`; they take
    /// effect through `applyGuardians` once GUARDIAN_CHANGE_DELAY has passed. No guardians and
    /// threshold 0 proposes having none.
    /// @dev Requires `GuardianSet(handle, guardians, threshold, nonce, deadline)` signed by the
    /// current signer at the handle's current nonce, which this consumes; either 1 <= threshold <=
    /// guardians.length <= MAX_GUARDIANS with no zero or repeated guardian, or no guardians and
    /// threshold 0. Replaces any earlier proposal (its delay starts again); the set in force stays
    /// until the proposal is applied. The delay is what keeps a thief holding the key from replacing
    /// the guardians before they can start a recovery. Emits GuardiansProposed.
    /// @param handle A registered handle.
    /// @param guardians The guardians' signing addresses.
    /// @param threshold How many guardians must sign a recovery.
    /// @param deadline Last timestamp at which the signature is accepted.
    /// @param signature Signature by the current signer.
    function setGuardians(
        bytes32 handle,
        address[] calldata guardians,
        uint8 threshold,
        uint256 deadline,
        bytes calldata signature
    ) external {
        _checkRegistryDeadline(deadline);
        uint256 count = guardians.length;
        if (count > MAX_GUARDIANS || (count == 0 ? threshold != 0 : threshold == 0 || threshold > count)) {
            revert PatientRegistryInvalidGuardianThreshold(count, threshold);
        }
        for (uint256 i = 0; i < count; ++i) {
            address guardian = guardians[i];
            if (guardian == address(0)) revert PatientRegistryInvalidGuardian(guardian);
            for (uint256 j = 0; j < i; ++j) {
                if (guardians[j] == guardian) revert PatientRegistryDuplicateGuardian(guardian);
            }
        }
        Patient storage patient = _registered(handle);
        uint64 nonce = patient.nonce;
        _checkRegistrySigner(
            keccak256(
                abi.encode(
                    GUARDIAN_SET_TYPEHASH,
                    handle,
                    keccak256(abi.encodePacked(guardians)),
                    threshold,
                    nonce,
                    deadline
                )
            ),
            signature,
            patient.signer
        );
        patient.nonce = nonce + 1;
        uint40 effectiveAt = uint40(block.timestamp + GUARDIAN_CHANGE_DELAY);
        GuardianSet storage proposed = _guardianSets[handle][1 - patient.guardianSet];
        (proposed.threshold, proposed.count, proposed.effectiveAt) = (threshold, uint8(count), effectiveAt);
        for (uint256 i = 0; i < count; ++i) {
            proposed.guardians[i] = guardians[i];
        }
        emit GuardiansProposed(handle, guardians, threshold, effectiveAt);
    }

    /// @notice Puts the guardian set proposed for `handle` in force. Anyone may call it.
    /// @dev Requires a proposal whose `effectiveAt` has come, and no recovery waiting: a recovery the
    /// guardians in force started is decided first (a veto applies a due proposal itself; a
    /// completed recovery discards it). Emits GuardiansChanged.
    /// @param handle A registered handle with a proposed guardian set.
    function applyGuardians(bytes32 handle) external {
        Patient storage patient = _registered(handle);
        if (_recoveries[handle].newSigner != address(0)) revert PatientRegistryRecoveryPending(handle);
        uint8 index = 1 - patient.guardianSet;
        GuardianSet storage proposed = _guardianSets[handle][index];
        uint40 effectiveAt = proposed.effectiveAt;
        if (effectiveAt == 0) revert PatientRegistryNoGuardianChange(handle);
        if (block.timestamp < effectiveAt) revert PatientRegistryGuardianChangeNotDue(handle, effectiveAt);
        _applyGuardians(handle, patient, proposed, index);
    }

    /// @notice Starts restoring the signer of `handle` to `newSigner` on the word of its guardians;
    /// anyone completes it with `completeRecovery` once RECOVERY_DELAY has passed.
    /// @dev Requires at least the threshold of signatures of `Recovery(handle, newSigner, nonce,
    /// deadline)` at the handle's `recoveryNonces` (consumed here), each by a different guardian in
    /// force, and no recovery already waiting. Until the delay has passed the current signer can
    /// veto it (`vetoRecovery`), unless every guardian signed: k colluding guardians are stopped by
    /// the patient, and a thief holding the key is overruled by all of them. Emits RecoveryStarted.
    /// @param handle A registered handle with guardians.
    /// @param newSigner The new signing address, not zero.
    /// @param deadline Last timestamp at which the signatures are accepted.
    /// @param guardianSignatures One signature per guardian, at least the threshold many.
    function startRecovery(
        bytes32 handle,
        address newSigner,
        uint256 deadline,
        bytes[] calldata guardianSignatures
    ) external {
        _checkRegistryDeadline(deadline);
        if (newSigner == address(0)) revert PatientRegistryInvalidNewSigner(newSigner);
        Patient storage patient = _registered(handle);
        uint8 threshold = patient.guardianThreshold;
        if (threshold == 0) revert PatientRegistryNoGuardians(handle);
        PendingRecovery storage recovery = _recoveries[handle];
        if (recovery.newSigner != address(0)) revert PatientRegistryRecoveryPending(handle);
        uint256 signatures = guardianSignatures.length;
        if (signatures < threshold) revert PatientRegistryNotEnoughGuardians(signatures, threshold);
        uint32 nonce = recovery.nonce;
        bytes32 digest = _hashTypedDataV4(
            keccak256(abi.encode(RECOVERY_TYPEHASH, handle, newSigner, nonce, deadline))
        );
        bool unanimous = _checkGuardianSignatures(
            _guardianSets[handle][patient.guardianSet],
            digest,
            guardianSignatures
        );
        uint40 executableAt = uint40(block.timestamp + RECOVERY_DELAY);
        _recoveries[handle] = PendingRecovery(newSigner, executableAt, !unanimous, nonce + 1);
        emit RecoveryStarted(handle, newSigner, nonce, executableAt, !unanimous);
    }

    /// @notice The patient's veto: ends the recovery of `handle` that is waiting, and applies a
    /// proposed guardian set whose delay is over (so guardians who keep starting recoveries cannot
    /// keep the patient from replacing them).
    /// @dev Requires `RecoveryVeto(handle, newSigner, recovery, nonce, deadline)` naming the waiting
    /// recovery (its new signer and number), signed by the current signer at the handle's current
    /// nonce, which this consumes; before the recovery's `executableAt`; not signed by every
    /// guardian. Emits RecoveryVetoed, and GuardiansChanged if it applies a proposal.
    /// @param handle A registered handle with a recovery waiting.
    /// @param deadline Last timestamp at which the signature is accepted.
    /// @param signature Signature by the current signer.
    function vetoRecovery(bytes32 handle, uint256 deadline, bytes calldata signature) external {
        _checkRegistryDeadline(deadline);
        Patient storage patient = _registered(handle);
        PendingRecovery memory recovery = _recoveries[handle];
        if (recovery.newSigner == address(0)) revert PatientRegistryNoRecoveryPending(handle);
        if (!recovery.vetoable) revert PatientRegistryUnanimousRecovery(handle);
        if (block.timestamp >= recovery.executableAt) revert PatientRegistryVetoTooLate(handle, recovery.executableAt);
        uint256 number = recovery.nonce - 1;
        uint64 nonce = patient.nonce;
        _checkRegistrySigner(
            keccak256(abi.encode(RECOVERY_VETO_TYPEHASH, handle, recovery.newSigner, number, nonce, deadline)),
            signature,
            patient.signer
        );
        patient.nonce = nonce + 1;
        _recoveries[handle] = PendingRecovery(address(0), 0, false, recovery.nonce);
        emit RecoveryVetoed(handle, recovery.newSigner, number);
        uint8 index = 1 - patient.guardianSet;
        GuardianSet storage proposed = _guardianSets[handle][index];
        uint40 effectiveAt = proposed.effectiveAt;
        if (effectiveAt != 0 && block.timestamp >= effectiveAt) _applyGuardians(handle, patient, proposed, index);
    }

    /// @notice Completes the recovery of `handle` that is waiting: its new signer replaces the
    /// current one, in a new signer epoch. Anyone may call it.
    /// @dev Requires a recovery started at least RECOVERY_DELAY ago and not vetoed. Consumes the
    /// handle's nonce (what the old key signed and was not relayed cannot apply), increments the
    /// epoch (ConsentManager holds every consent granted in an earlier epoch not in force), and
    /// discards a proposed guardian set: the key that proposed it is the one the guardians replaced.
    /// Guardians in force stay as they were. Emits SignerRecovered, and GuardianChangeDiscarded if a
    /// set was proposed.
    /// @param handle A handle with a recovery waiting.
    function completeRecovery(bytes32 handle) external {
        PendingRecovery memory recovery = _recoveries[handle];
        if (recovery.newSigner == address(0)) revert PatientRegistryNoRecoveryPending(handle);
        if (block.timestamp < recovery.executableAt) revert PatientRegistryRecoveryNotDue(handle, recovery.executableAt);
        _recoveries[handle] = PendingRecovery(address(0), 0, false, recovery.nonce);
        Patient storage patient = _patient(handle);
        address previous = patient.signer;
        (patient.signer, patient.nonce, patient.epoch) = (recovery.newSigner, patient.nonce + 1, patient.epoch + 1);
        emit SignerRecovered(handle, previous, recovery.newSigner);
        GuardianSet storage proposed = _guardianSets[handle][1 - patient.guardianSet];
        if (proposed.effectiveAt != 0) {
            proposed.effectiveAt = 0;
            emit GuardianChangeDiscarded(handle);
        }
    }

    /// @notice The guardians of `handle` in force and how many of them must sign a recovery (0: none).
    function guardiansOf(bytes32 handle) external view returns (address[] memory guardians, uint8 threshold) {
        Patient storage patient = _patient(handle);
        return (_guardianList(_guardianSets[handle][patient.guardianSet]), patient.guardianThreshold);
    }

    /// @notice The guardian set proposed for `handle`, and from when `applyGuardians` can put it in
    /// force; `effectiveAt` 0 (and the rest empty) when none is proposed.
    function proposedGuardiansOf(
        bytes32 handle
    ) external view returns (address[] memory guardians, uint8 threshold, uint40 effectiveAt) {
        GuardianSet storage proposed = _guardianSets[handle][1 - _patient(handle).guardianSet];
        effectiveAt = proposed.effectiveAt;
        if (effectiveAt != 0) (guardians, threshold) = (_guardianList(proposed), proposed.threshold);
    }

    /// @notice The recovery of `handle` waiting for its delay: its new signer (zero: none waits), its
    /// number (the nonce its guardians signed, which a veto names), from when anyone can complete it,
    /// and whether the current signer can still veto it (not every guardian signed).
    function pendingRecoveryOf(
        bytes32 handle
    ) external view returns (address newSigner, uint256 recovery, uint40 executableAt, bool vetoable) {
        PendingRecovery memory pending = _recoveries[handle];
        if (pending.newSigner == address(0)) return (address(0), 0, 0, false);
        return (pending.newSigner, pending.nonce - 1, pending.executableAt, pending.vetoable);
    }

    /// @notice The nonce the guardians' next `Recovery` message about `handle` must carry.
    /// @dev Separate from `patientNonces`, which the key spends: a thief holding the key must not be
    /// able to invalidate the guardians' signatures while they gather them.
    function recoveryNonces(bytes32 handle) external view returns (uint256) {
        return _recoveries[handle].nonce;
    }

    function _applyGuardians(bytes32 handle, Patient storage patient, GuardianSet storage proposed, uint8 index) private {
        uint8 threshold = proposed.threshold;
        proposed.effectiveAt = 0;
        (patient.guardianSet, patient.guardianThreshold) = (index, threshold);
        emit GuardiansChanged(handle, threshold);
    }

    function _guardianList(GuardianSet storage set) private view returns (address[] memory guardians) {
        guardians = new address[](set.count);
        for (uint256 i = 0; i < guardians.length; ++i) {
            guardians[i] = set.guardians[i];
        }
    }

    /// @dev Reverts unless each signature of `digest` is by a different guardian of `set`; true when every guardian signed.
    function _checkGuardianSignatures(
        GuardianSet storage set,
        bytes32 digest,
        bytes[] calldata signatures
    ) private view returns (bool unanimous) {
        address[] memory guardians = _guardianList(set);
        uint256 signedBy; // bit i set: guardians[i] has signed
        for (uint256 i = 0; i < signatures.length; ++i) {
            address signer = ECDSA.recoverCalldata(digest, signatures[i]);
            uint256 index = _indexOf(guardians, signer);
            if (signedBy & (1 << index) != 0) revert PatientRegistryDuplicateGuardian(signer);
            signedBy |= 1 << index;
        }
        // Each signature is a different guardian: as many as the set is every guardian.
        return signatures.length == guardians.length;
    }

    function _indexOf(address[] memory guardians, address signer) private pure returns (uint256) {
        for (uint256 i = 0; i < guardians.length; ++i) {
            if (guardians[i] == signer) return i;
        }
        revert PatientRegistryNotGuardian(signer);
    }
}
