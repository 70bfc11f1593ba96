// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

/// @title PatientRegistry
/// @notice Binds each patient's on-chain handle to the address the patient signs consents with, lets
/// the patient rotate that address, and lets k-of-n guardians the patient chose restore it when the
/// key is lost or stolen.
/// @dev A handle is derived from the patient's pseudonym, never from their identity, and the signing
/// key is the patient's own consent key, not any key the persona store knows (DESIGN.md, Trust
/// model 1): nothing stored or emitted here identifies a person. Patients have no chain accounts:
/// every change is an EIP-712 message they (or their guardians) sign, relayed by anyone, verified
/// the way OpenZeppelin's ERC20Permit verifies a permit. The nonce is kept per handle, packed with
/// the signer: OpenZeppelin's Nonces is keyed by address, and a per-key nonce would let a message
/// signed but never relayed become valid again if that key ever became the handle's signer again.
///
/// Abstract: ConsentManager inherits it and is the one deployed contract, so that verifying a
/// consent reads the patient's signer from its own storage. A registry of its own costs every grant
/// a cold call to it (measured: about 3,300 gas more), which puts the 60,000-gas grant target out
/// of reach. The inheriting contract names the EIP-712 domain.
///
/// Key and guardians check each other, through delays (docs/decisions.md, "Patients' keys and
/// guardians"): guardians only start a recovery, which anyone completes after RECOVERY_DELAY and
/// the current key can veto until then, unless every guardian signed it; the key only proposes a
/// guardian set, which anyone applies after GUARDIAN_CHANGE_DELAY, never while a recovery waits,
/// and a completed recovery discards it. A completed recovery starts a new signer epoch: consents
/// granted before it, by whoever held the old key, are no longer in force.
abstract contract PatientRegistry is EIP712 {
    /// @notice The most guardians a patient may name.
    uint256 public constant MAX_GUARDIANS = 10;
    /// @notice Domain tag of handles (`handleOf`): a handle is no other hash of an address and a salt.
    bytes32 public constant HANDLE_TAG = keccak256("EHRChain patient handle");
    /// @notice The longest a signed message may wait to be relayed: its deadline is at most this far
    /// after the block that applies it. A message forgotten for longer is re-signed, not applied
    /// by whoever kept it (the SDK signs for minutes or days, not years).
    uint256 public constant MAX_SIGNATURE_LIFETIME = 30 days;
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

    bytes32 private constant REGISTRATION_TYPEHASH =
        keccak256("Registration(bytes32 handle,address signer,uint256 nonce,uint256 deadline)");
    bytes32 private constant ROTATION_TYPEHASH =
        keccak256("Rotation(bytes32 handle,address newSigner,uint256 nonce,uint256 deadline)");
    bytes32 private constant GUARDIAN_SET_TYPEHASH =
        keccak256("GuardianSet(bytes32 handle,address[] guardians,uint8 threshold,uint256 nonce,uint256 deadline)");
    bytes32 private constant RECOVERY_TYPEHASH =
        keccak256("Recovery(bytes32 handle,address newSigner,uint256 nonce,uint256 deadline)");
    bytes32 private constant RECOVERY_VETO_TYPEHASH = keccak256(
        "RecoveryVeto(bytes32 handle,address newSigner,uint256 recovery,uint256 nonce,uint256 deadline)"
    );

    /// @dev One slot: the signer, the handle's message nonce, the threshold of the guardian set in
    /// force (0: no guardians), the signer epoch (recoveries completed; ConsentManager packs it into
    /// each consent) and which of the handle's two guardian sets is in force. uint16 epochs: a
    /// recovery takes RECOVERY_DELAY, so 65,535 of them take over five centuries.
    struct Patient {
        address signer;
        uint64 nonce;
        uint8 guardianThreshold;
        uint16 epoch;
        uint8 guardianSet;
    }

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

    mapping(bytes32 handle => Patient) private _patients;
    mapping(bytes32 handle => GuardianSet[2] sets) private _guardianSets;
    mapping(bytes32 handle => PendingRecovery) private _recoveries;

    /// @notice `handle` was registered with `signer` as its signing address.
    event HandleRegistered(bytes32 indexed handle, address indexed signer);
    /// @notice The patient replaced the signing address of `handle`.
    event SignerRotated(bytes32 indexed handle, address indexed previousSigner, address indexed newSigner);
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

    /// @notice The handle is not `handleOf(signer, salt)` (`derived`): it does not commit to this signer.
    error PatientRegistryHandleMismatch(bytes32 handle, bytes32 derived);
    /// @notice The handle is already bound to a signer.
    error PatientRegistryAlreadyRegistered(bytes32 handle);
    /// @notice The handle was never registered.
    error PatientRegistryUnknownHandle(bytes32 handle);
    /// @notice The signature's deadline has passed.
    error PatientRegistryExpiredSignature(uint256 deadline);
    /// @notice The deadline is more than MAX_SIGNATURE_LIFETIME after this block: `latest` is the last accepted.
    error PatientRegistryDeadlineTooFar(uint256 deadline, uint256 latest);
    /// @notice The message was signed by `signer`, not by `expected` (or over other data, e.g. a used nonce).
    error PatientRegistryInvalidSigner(address signer, address expected);
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

    /// @notice Registers `handle` with `signer` as its signing address.
    /// @dev The handle commits to its signer: it must be `handleOf(signer, salt)`, so whoever sees
    /// a registration before it is mined (the relayer, a node with the txpool API) cannot register
    /// the same handle with a key of their own; relaying the patient's own registration first is
    /// harmless. Requires a `Registration(handle, signer, nonce, deadline)` signature by `signer`,
    /// which proves control of the key; the nonce of a new handle is 0. Emits HandleRegistered.
    /// @param handle The patient's handle: `handleOf(signer, salt)`.
    /// @param signer The address of the patient's consent key.
    /// @param salt The patient's secret that, with the signer, makes the handle (kept by the patient's software).
    /// @param deadline Last timestamp at which the signature is accepted.
    /// @param signature 65-byte signature (r, s, v) by `signer`.
    function register(bytes32 handle, address signer, bytes32 salt, uint256 deadline, bytes calldata signature) external {
        bytes32 derived = handleOf(signer, salt);
        if (handle != derived) revert PatientRegistryHandleMismatch(handle, derived);
        _checkRegistryDeadline(deadline);
        Patient storage patient = _patients[handle];
        if (patient.signer != address(0)) revert PatientRegistryAlreadyRegistered(handle);
        uint64 nonce = patient.nonce;
        _checkRegistrySigner(
            keccak256(abi.encode(REGISTRATION_TYPEHASH, handle, signer, nonce, deadline)),
            signature,
            signer
        );
        patient.signer = signer;
        patient.nonce = nonce + 1;
        emit HandleRegistered(handle, signer);
    }

    /// @notice The handle `signer` registers with `salt`: keccak256(abi.encode(HANDLE_TAG, signer, salt)).
    function handleOf(address signer, bytes32 salt) public pure returns (bytes32) {
        return keccak256(abi.encode(HANDLE_TAG, signer, salt));
    }

    /// @notice Replaces the signing address of `handle` with `newSigner`.
    /// @dev Requires `Rotation(handle, newSigner, nonce, deadline)` signed by both the current signer
    /// and `newSigner`, at the handle's current nonce, which this consumes. Emits SignerRotated.
    /// @param handle A registered handle.
    /// @param newSigner The new signing address.
    /// @param deadline Last timestamp at which the signatures are accepted.
    /// @param currentSignature Signature by the current signer.
    /// @param newSignature Signature by `newSigner`, proving control of the new key.
    function rotateSigner(
        bytes32 handle,
        address newSigner,
        uint256 deadline,
        bytes calldata currentSignature,
        bytes calldata newSignature
    ) external {
        _checkRegistryDeadline(deadline);
        Patient storage patient = _registered(handle);
        address previous = patient.signer;
        uint64 nonce = patient.nonce;
        bytes32 structHash = keccak256(abi.encode(ROTATION_TYPEHASH, handle, newSigner, nonce, deadline));
        _checkRegistrySigner(structHash, currentSignature, previous);
        _checkRegistrySigner(structHash, newSignature, newSigner);
        patient.signer = newSigner;
        patient.nonce = nonce + 1;
        emit SignerRotated(handle, previous, newSigner);
    }

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
        Patient storage patient = _patients[handle];
        address previous = patient.signer;
        (patient.signer, patient.nonce, patient.epoch) = (recovery.newSigner, patient.nonce + 1, patient.epoch + 1);
        emit SignerRecovered(handle, previous, recovery.newSigner);
        GuardianSet storage proposed = _guardianSets[handle][1 - patient.guardianSet];
        if (proposed.effectiveAt != 0) {
            proposed.effectiveAt = 0;
            emit GuardianChangeDiscarded(handle);
        }
    }

    /// @notice The signing address of `handle`; the zero address when it is not registered.
    function signerOf(bytes32 handle) external view returns (address) {
        return _signerOf(handle);
    }

    /// @notice The guardians of `handle` in force and how many of them must sign a recovery (0: none).
    function guardiansOf(bytes32 handle) external view returns (address[] memory guardians, uint8 threshold) {
        Patient storage patient = _patients[handle];
        return (_guardianList(_guardianSets[handle][patient.guardianSet]), patient.guardianThreshold);
    }

    /// @notice The guardian set proposed for `handle`, and from when `applyGuardians` can put it in
    /// force; `effectiveAt` 0 (and the rest empty) when none is proposed.
    function proposedGuardiansOf(
        bytes32 handle
    ) external view returns (address[] memory guardians, uint8 threshold, uint40 effectiveAt) {
        GuardianSet storage proposed = _guardianSets[handle][1 - _patients[handle].guardianSet];
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

    /// @notice How many recoveries of `handle` have completed: the signer epoch consents are granted in.
    function signerEpochOf(bytes32 handle) external view returns (uint256) {
        return _patients[handle].epoch;
    }

    /// @notice The nonce the next registry message about `handle` must carry.
    /// @dev Not named `nonces`: the inheriting contract has OpenZeppelin's `nonces(address)`, and an
    /// overload of the same arity would be ambiguous to clients that pick functions by name.
    function patientNonces(bytes32 handle) external view returns (uint256) {
        return _patients[handle].nonce;
    }

    /// @notice The EIP-712 domain separator messages to this contract are signed under.
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @dev The signing address of `handle`; zero when it is not registered.
    function _signerOf(bytes32 handle) internal view returns (address) {
        return _patients[handle].signer;
    }

    /// @dev The signing address of `handle` (zero when it is not registered) and its signer epoch.
    function _signerAndEpochOf(bytes32 handle) internal view returns (address signer, uint16 epoch) {
        Patient storage patient = _patients[handle];
        return (patient.signer, patient.epoch);
    }

    /// @dev The signer epoch of `handle`: how many recoveries of it have completed.
    function _epochOf(bytes32 handle) internal view returns (uint16) {
        return _patients[handle].epoch;
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

    function _registered(bytes32 handle) private view returns (Patient storage patient) {
        patient = _patients[handle];
        if (patient.signer == address(0)) revert PatientRegistryUnknownHandle(handle);
    }

    function _checkRegistryDeadline(uint256 deadline) private view {
        if (block.timestamp > deadline) revert PatientRegistryExpiredSignature(deadline);
        if (deadline > block.timestamp + MAX_SIGNATURE_LIFETIME) {
            revert PatientRegistryDeadlineTooFar(deadline, block.timestamp + MAX_SIGNATURE_LIFETIME);
        }
    }

    function _checkRegistrySigner(bytes32 structHash, bytes calldata signature, address expected) private view {
        address signer = ECDSA.recoverCalldata(_hashTypedDataV4(structHash), signature);
        if (signer != expected) revert PatientRegistryInvalidSigner(signer, expected);
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
