// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

/// @title PatientRegistry
/// @notice Binds each patient's on-chain handle to the address the patient signs consents with, and
/// lets the patient rotate that address; PatientGuardians, built on it, lets k-of-n guardians the
/// patient chose restore it when the key is lost or stolen.
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
/// The patient's record (signer, nonce, signer epoch, guardian threshold and set) lives here;
/// PatientGuardians reads and writes it through `_patient` and `_registered`, and checks its
/// messages with `_checkRegistryDeadline` and `_checkRegistrySigner`.
abstract contract PatientRegistry is EIP712 {
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

    mapping(bytes32 handle => Patient) private _patients;

    /// @notice `handle` was registered with `signer` as its signing address.
    event HandleRegistered(bytes32 indexed handle, address indexed signer);
    /// @notice The patient replaced the signing address of `handle`.
    event SignerRotated(bytes32 indexed handle, address indexed previousSigner, address indexed newSigner);

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
        _checkNewHandle(handle, signer, salt);
        _checkRegistryDeadline(deadline);
        // A handle is registered once, so its registration is always signed at nonce 0.
        _checkRegistrySigner(keccak256(abi.encode(REGISTRATION_TYPEHASH, handle, signer, 0, deadline)), signature, signer);
        _bindHandle(handle, signer);
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

    /// @notice The signing address of `handle`; the zero address when it is not registered.
    function signerOf(bytes32 handle) external view returns (address) {
        return _signerOf(handle);
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

    /// @dev Reverts unless `handle` is `handleOf(signer, salt)` and not registered yet.
    function _checkNewHandle(bytes32 handle, address signer, bytes32 salt) internal view {
        bytes32 derived = handleOf(signer, salt);
        if (handle != derived) revert PatientRegistryHandleMismatch(handle, derived);
        if (_patients[handle].signer != address(0)) revert PatientRegistryAlreadyRegistered(handle);
    }

    /// @dev Binds the new `handle` to `signer` (nonce 1: its registration spent nonce 0); the
    /// caller checked `_checkNewHandle` and `signer`'s signature.
    function _bindHandle(bytes32 handle, address signer) internal {
        Patient storage patient = _patients[handle];
        patient.signer = signer;
        patient.nonce = 1;
        emit HandleRegistered(handle, signer);
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

    /// @dev The record of `handle`, registered or not.
    function _patient(bytes32 handle) internal view returns (Patient storage) {
        return _patients[handle];
    }

    /// @dev The record of `handle`; reverts when it is not registered.
    function _registered(bytes32 handle) internal view returns (Patient storage patient) {
        patient = _patients[handle];
        if (patient.signer == address(0)) revert PatientRegistryUnknownHandle(handle);
    }

    /// @dev Reverts unless `deadline` has not passed and is at most MAX_SIGNATURE_LIFETIME away.
    function _checkRegistryDeadline(uint256 deadline) internal view {
        if (block.timestamp > deadline) revert PatientRegistryExpiredSignature(deadline);
        if (deadline > block.timestamp + MAX_SIGNATURE_LIFETIME) {
            revert PatientRegistryDeadlineTooFar(deadline, block.timestamp + MAX_SIGNATURE_LIFETIME);
        }
    }

    /// @dev Reverts unless `signature` is `expected`'s over the EIP-712 digest of `structHash`.
    function _checkRegistrySigner(bytes32 structHash, bytes calldata signature, address expected) internal view {
        address signer = ECDSA.recoverCalldata(_hashTypedDataV4(structHash), signature);
        if (signer != expected) revert PatientRegistryInvalidSigner(signer, expected);
    }
}
