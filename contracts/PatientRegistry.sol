// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

/// @title PatientRegistry
/// @notice Binds each patient's on-chain handle to the address the patient signs consents with, lets
/// the patient rotate that address, and lets k-of-n guardians the patient chose restore it when the
/// key is lost.
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
abstract contract PatientRegistry is EIP712 {
    /// @notice The most guardians a patient may name.
    uint256 public constant MAX_GUARDIANS = 10;
    /// @notice Domain tag of handles (`handleOf`): a handle is no other hash of an address and a salt.
    bytes32 public constant HANDLE_TAG = keccak256("EHRChain patient handle");
    /// @notice The longest a signed message may wait to be relayed: its deadline is at most this far
    /// after the block that applies it. A message forgotten for longer is re-signed, not applied
    /// by whoever kept it (the SDK signs for minutes or days, not years).
    uint256 public constant MAX_SIGNATURE_LIFETIME = 30 days;

    bytes32 private constant REGISTRATION_TYPEHASH =
        keccak256("Registration(bytes32 handle,address signer,uint256 nonce,uint256 deadline)");
    bytes32 private constant ROTATION_TYPEHASH =
        keccak256("Rotation(bytes32 handle,address newSigner,uint256 nonce,uint256 deadline)");
    bytes32 private constant GUARDIAN_SET_TYPEHASH =
        keccak256("GuardianSet(bytes32 handle,address[] guardians,uint8 threshold,uint256 nonce,uint256 deadline)");
    bytes32 private constant RECOVERY_TYPEHASH =
        keccak256("Recovery(bytes32 handle,address newSigner,uint256 nonce,uint256 deadline)");

    /// @dev One slot: the signer, the handle's message nonce and the guardian threshold (0: no guardians).
    struct Patient {
        address signer;
        uint64 nonce;
        uint8 guardianThreshold;
    }

    mapping(bytes32 handle => Patient) private _patients;
    mapping(bytes32 handle => address[] guardians) private _guardians;

    /// @notice `handle` was registered with `signer` as its signing address.
    event HandleRegistered(bytes32 indexed handle, address indexed signer);
    /// @notice The patient replaced the signing address of `handle`.
    event SignerRotated(bytes32 indexed handle, address indexed previousSigner, address indexed newSigner);
    /// @notice The patient named `guardians`, `threshold` of whom can restore the handle's signer.
    event GuardiansSet(bytes32 indexed handle, address[] guardians, uint8 threshold);
    /// @notice Guardians restored the signing address of `handle`.
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
    /// @notice A guardian set needs 1 <= threshold <= count <= MAX_GUARDIANS.
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

    /// @notice Names the guardians of `handle`, `threshold` of whom can restore its signer.
    /// @dev Requires `GuardianSet(handle, guardians, threshold, nonce, deadline)` signed by the
    /// current signer at the handle's current nonce, which this consumes; 1 <= threshold <=
    /// guardians.length <= MAX_GUARDIANS, no zero or repeated guardian. Replaces any previous set.
    /// Emits GuardiansSet.
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
        if (threshold == 0 || threshold > count || count > MAX_GUARDIANS) {
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
        patient.guardianThreshold = threshold;
        _guardians[handle] = guardians;
        emit GuardiansSet(handle, guardians, threshold);
    }

    /// @notice Restores the signer of `handle` to `newSigner` on the word of its guardians.
    /// @dev Requires at least the threshold of signatures of `Recovery(handle, newSigner, nonce,
    /// deadline)` at the handle's current nonce (consumed here), each by a different guardian of
    /// the handle. Guardians stay as they were. Emits SignerRecovered.
    /// @param handle A registered handle with guardians.
    /// @param newSigner The new signing address, not zero.
    /// @param deadline Last timestamp at which the signatures are accepted.
    /// @param guardianSignatures One signature per guardian, at least the threshold many.
    function recover(
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
        if (guardianSignatures.length < threshold) {
            revert PatientRegistryNotEnoughGuardians(guardianSignatures.length, threshold);
        }
        uint64 nonce = patient.nonce;
        bytes32 digest = _hashTypedDataV4(
            keccak256(abi.encode(RECOVERY_TYPEHASH, handle, newSigner, nonce, deadline))
        );
        address[] memory guardians = _guardians[handle];
        uint256 signedBy; // bit i set: guardians[i] has signed
        for (uint256 i = 0; i < guardianSignatures.length; ++i) {
            address signer = ECDSA.recoverCalldata(digest, guardianSignatures[i]);
            uint256 index = _indexOf(guardians, signer);
            if (signedBy & (1 << index) != 0) revert PatientRegistryDuplicateGuardian(signer);
            signedBy |= 1 << index;
        }
        address previous = patient.signer;
        patient.signer = newSigner;
        patient.nonce = nonce + 1;
        emit SignerRecovered(handle, previous, newSigner);
    }

    /// @notice The signing address of `handle`; the zero address when it is not registered.
    function signerOf(bytes32 handle) external view returns (address) {
        return _signerOf(handle);
    }

    /// @notice The guardians of `handle` and how many of them must sign a recovery (0: none named).
    function guardiansOf(bytes32 handle) external view returns (address[] memory guardians, uint8 threshold) {
        return (_guardians[handle], _patients[handle].guardianThreshold);
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

    function _indexOf(address[] memory guardians, address signer) private pure returns (uint256) {
        for (uint256 i = 0; i < guardians.length; ++i) {
            if (guardians[i] == signer) return i;
        }
        revert PatientRegistryNotGuardian(signer);
    }
}
