// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IAccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/IAccessControlDefaultAdminRules.sol";
import {ConsortiumRegistry} from "./ConsortiumRegistry.sol";
import {KOfNProposals} from "./governance/KOfNProposals.sol";

/// @title ConsortiumRoleAdmin
/// @notice The consortium's hand on the contracts it administers (RecordAnchors, AccessLog): the
/// DEFAULT_ADMIN_ROLE holder of each, acting only on k-of-n approvals of the ConsortiumRegistry's
/// authorities (DESIGN.md, trust model 8). An authority proposes one role action on a target
/// contract; the approval that reaches the threshold executes it.
/// @dev Only the role actions of OpenZeppelin's AccessControlDefaultAdminRules can be proposed
/// (grant, revoke, begin, cancel and accept an admin transfer, change the admin delay), each
/// with its own arguments: no arbitrary call, so k authorities can hand out or take back roles
/// and the admin role, and nothing else in this contract's name.
///
/// The authorities, k and the proposal lifetime are the registry's, read once at construction:
/// the registry fixes them at its deployment, so the copy cannot drift from it, and approvals
/// need no call to the registry. Proposals follow the registry's rules: the proposer's approval
/// counts, one approval per authority, a lifetime of the registry's TTL, cancellable by the
/// proposer alone. A target that refuses the action (say, an admin transfer accepted before its
/// delay) reverts the approval that would execute it with the target's own error; the proposal
/// stays open, and a later approval can execute it once the target accepts. The k-of-n machinery
/// (approve, cancel, expiry) is KOfNProposals'; a proposal's operation and target share its first
/// slot.
contract ConsortiumRoleAdmin is KOfNProposals {
    /// @notice What a proposal does to its target once approved.
    enum Operation {
        None,
        GrantRole,
        RevokeRole,
        BeginDefaultAdminTransfer,
        CancelDefaultAdminTransfer,
        AcceptDefaultAdminTransfer,
        ChangeDefaultAdminDelay
    }

    /// @dev A proposal's arguments besides its target, zero where the operation takes none. With
    /// KOfNProposals' two slots (target and state, proposer and approvals), a proposal takes three
    /// slots, four with a role.
    struct Arguments {
        address account;
        uint48 delay;
        bytes32 role;
    }

    ConsortiumRegistry private immutable _registry;
    mapping(uint256 proposalId => Arguments) private _arguments;

    /// @notice The registry has no code, or reports no authority, more than 96, or a threshold outside 1..n.
    error ConsortiumRoleAdminInvalidRegistry(address registry);
    /// @notice The caller is not an authority of the registry.
    error ConsortiumRoleAdminNotAuthority(address account);
    /// @notice The target is not a contract (a call to it would do nothing and succeed).
    error ConsortiumRoleAdminInvalidTarget(address target);
    /// @notice The account to grant, revoke or hand the admin role to is the zero address.
    error ConsortiumRoleAdminInvalidAccount(address account);
    /// @notice grantRole and revokeRole cannot touch DEFAULT_ADMIN_ROLE: it moves only by an
    /// admin transfer, with its delay (the target would refuse it too).
    error ConsortiumRoleAdminDefaultAdminRole();
    /// @notice No proposal has this id.
    error ConsortiumRoleAdminUnknownProposal(uint256 proposalId);
    /// @notice The proposal was already executed.
    error ConsortiumRoleAdminProposalAlreadyExecuted(uint256 proposalId);
    /// @notice The proposal's lifetime is over.
    error ConsortiumRoleAdminProposalExpired(uint256 proposalId, uint64 expiresAt);
    /// @notice The proposal was cancelled by its proposer.
    error ConsortiumRoleAdminProposalCancelled(uint256 proposalId);
    /// @notice Only the authority that made the proposal may cancel it.
    error ConsortiumRoleAdminNotProposer(uint256 proposalId, address caller);
    /// @notice The authority already approved this proposal.
    error ConsortiumRoleAdminAlreadyApproved(uint256 proposalId, address authority);

    /// @notice An authority proposed `operation` on `target`; `role`, `account` and `delay` are
    /// its arguments (zero where the operation takes none).
    event ProposalCreated(
        uint256 indexed proposalId,
        Operation operation,
        address indexed target,
        bytes32 role,
        address account,
        uint48 delay,
        address indexed proposer
    );
    /// @notice A proposal reached the threshold and its operation was called on `target`, which
    /// emitted its own events (RoleGranted, DefaultAdminTransferScheduled…).
    event ProposalExecuted(uint256 indexed proposalId, Operation operation, address indexed target);

    /// @notice Takes the authorities, k and the proposal lifetime from `registry_`.
    /// @dev Requirements: `registry_` is a contract that reports at least one authority and a
    /// threshold of at least 1 (a ConsortiumRegistry guarantees both, and at most 96 authorities,
    /// one bit each as in the registry).
    /// @param registry_ The consortium's ConsortiumRegistry.
    constructor(ConsortiumRegistry registry_)
        KOfNProposals(_validThreshold(registry_), _withCode(registry_).proposalTtl())
    {
        address[] memory authorities_ = registry_.authorities();
        for (uint256 i = 0; i < authorities_.length; ++i) {
            _addAuthority(authorities_[i], i);
        }
        _registry = registry_;
    }

    // ---------------------------------------------------------------- proposals

    /// @notice Proposes that this contract grant `role` on `target` to `account` (a new writer
    /// key, say); the proposer's approval counts.
    /// @dev Requirements: caller is an authority; `target` is a contract; `account` is non-zero;
    /// `role` is not DEFAULT_ADMIN_ROLE. Emits {ProposalCreated} and {ProposalApproved}, and
    /// {ProposalExecuted} when k is 1.
    /// @param target The contract whose admin this is (RecordAnchors, AccessLog).
    /// @param role The role, e.g. ANCHORER_ROLE.
    /// @param account The account to receive it.
    /// @return proposalId The new proposal's id (ids start at 1).
    function proposeGrantRole(address target, bytes32 role, address account)
        external
        onlyAuthority
        returns (uint256 proposalId)
    {
        if (role == bytes32(0)) revert ConsortiumRoleAdminDefaultAdminRole();
        return _propose(Operation.GrantRole, target, role, _nonZero(account), 0);
    }

    /// @notice Proposes that this contract revoke `role` on `target` from `account` (a retired or
    /// leaked writer key); the proposer's approval counts.
    /// @dev Requirements as for {proposeGrantRole}. Emits {ProposalCreated} and
    /// {ProposalApproved}, and {ProposalExecuted} when k is 1.
    /// @param target The contract whose admin this is.
    /// @param role The role, e.g. LOGGER_ROLE.
    /// @param account The account to lose it.
    /// @return proposalId The new proposal's id.
    function proposeRevokeRole(address target, bytes32 role, address account)
        external
        onlyAuthority
        returns (uint256 proposalId)
    {
        if (role == bytes32(0)) revert ConsortiumRoleAdminDefaultAdminRole();
        return _propose(Operation.RevokeRole, target, role, _nonZero(account), 0);
    }

    /// @notice Proposes to start handing `target`'s admin role to `newAdmin`, who can accept it
    /// once the target's admin delay has passed; the proposer's approval counts.
    /// @dev Requirements: caller is an authority; `target` is a contract; `newAdmin` is non-zero
    /// (renouncing the admin role for good is not offered). Emits {ProposalCreated} and
    /// {ProposalApproved}, and {ProposalExecuted} when k is 1.
    /// @param target The contract whose admin this is.
    /// @param newAdmin The next admin (another ConsortiumRoleAdmin, say).
    /// @return proposalId The new proposal's id.
    function proposeBeginDefaultAdminTransfer(address target, address newAdmin)
        external
        onlyAuthority
        returns (uint256 proposalId)
    {
        return _propose(Operation.BeginDefaultAdminTransfer, target, 0, _nonZero(newAdmin), 0);
    }

    /// @notice Proposes to cancel a started, not yet accepted, admin transfer of `target`; the
    /// proposer's approval counts.
    /// @dev Requirements: caller is an authority; `target` is a contract. Emits {ProposalCreated}
    /// and {ProposalApproved}, and {ProposalExecuted} when k is 1.
    /// @param target The contract whose admin this is.
    /// @return proposalId The new proposal's id.
    function proposeCancelDefaultAdminTransfer(address target) external onlyAuthority returns (uint256 proposalId) {
        return _propose(Operation.CancelDefaultAdminTransfer, target, 0, address(0), 0);
    }

    /// @notice Proposes that this contract accept the admin role of `target`, which its current
    /// admin is handing to it; the proposer's approval counts.
    /// @dev Requirements: caller is an authority; `target` is a contract. Executes only once this
    /// contract is `target`'s pending admin and the delay has passed (the target checks).
    /// Emits {ProposalCreated} and {ProposalApproved}, and {ProposalExecuted} when k is 1.
    /// @param target The contract whose admin this is to become.
    /// @return proposalId The new proposal's id.
    function proposeAcceptDefaultAdminTransfer(address target) external onlyAuthority returns (uint256 proposalId) {
        return _propose(Operation.AcceptDefaultAdminTransfer, target, 0, address(0), 0);
    }

    /// @notice Proposes to change how long `target`'s admin transfers wait before acceptance.
    /// @dev Requirements: caller is an authority; `target` is a contract. The target schedules
    /// the change (a shorter delay takes effect only after the difference). Emits
    /// {ProposalCreated} and {ProposalApproved}, and {ProposalExecuted} when k is 1.
    /// @param target The contract whose admin this is.
    /// @param newDelay The new delay, in seconds.
    /// @return proposalId The new proposal's id.
    function proposeChangeDefaultAdminDelay(address target, uint48 newDelay)
        external
        onlyAuthority
        returns (uint256 proposalId)
    {
        return _propose(Operation.ChangeDefaultAdminDelay, target, 0, address(0), newDelay);
    }

    // ---------------------------------------------------------------- views

    /// @notice The ConsortiumRegistry whose authorities, k and proposal lifetime this contract took.
    function registry() external view returns (ConsortiumRegistry) {
        return _registry;
    }

    /// @notice A proposal; every value is zero for an unknown id.
    /// @return operation 1 GrantRole, 2 RevokeRole, 3 BeginDefaultAdminTransfer,
    /// 4 CancelDefaultAdminTransfer, 5 AcceptDefaultAdminTransfer, 6 ChangeDefaultAdminDelay.
    /// @return target The contract the operation is called on.
    /// @return role The role granted or revoked; zero otherwise.
    /// @return account The account granted, revoked or made admin; zero otherwise.
    /// @return delay The new admin delay; zero otherwise.
    /// @return proposer The authority that proposed it.
    /// @return approvals Approvals so far, the proposer's included.
    /// @return expiresAt Approvals are refused from this timestamp on.
    /// @return executed Whether it reached the threshold and was called on the target.
    /// @return cancelled Whether its proposer cancelled it (it can then never execute).
    function proposal(uint256 proposalId)
        external
        view
        returns (
            Operation operation,
            address target,
            bytes32 role,
            address account,
            uint48 delay,
            address proposer,
            uint256 approvals,
            uint64 expiresAt,
            bool executed,
            bool cancelled
        )
    {
        Proposal storage stored = _proposal(proposalId);
        Arguments storage arguments = _arguments[proposalId];
        return (
            Operation(stored.action),
            stored.subject,
            arguments.role,
            arguments.account,
            arguments.delay,
            stored.proposer,
            stored.approvals,
            stored.expiresAt,
            stored.executed,
            stored.cancelled
        );
    }

    // ---------------------------------------------------------------- internals

    /// @dev Constructor only: `registry_` has code. Both base-constructor arguments go through it
    /// before their first call to the registry, whichever is evaluated first.
    function _withCode(ConsortiumRegistry registry_) private view returns (ConsortiumRegistry) {
        if (address(registry_).code.length == 0) revert ConsortiumRoleAdminInvalidRegistry(address(registry_));
        return registry_;
    }

    /// @dev Constructor only: the registry's k, once it reports 1..96 authorities and 1 <= k <= n.
    function _validThreshold(ConsortiumRegistry registry_) private view returns (uint256 threshold) {
        uint256 count = _withCode(registry_).authorities().length;
        threshold = registry_.authorityThreshold();
        if (count == 0 || count > 96 || threshold == 0 || threshold > count) {
            revert ConsortiumRoleAdminInvalidRegistry(address(registry_));
        }
    }

    function _nonZero(address account) private pure returns (address) {
        if (account == address(0)) revert ConsortiumRoleAdminInvalidAccount(account);
        return account;
    }

    function _propose(Operation operation, address target, bytes32 role, address account, uint48 delay)
        private
        returns (uint256 proposalId)
    {
        if (target.code.length == 0) revert ConsortiumRoleAdminInvalidTarget(target);
        Proposal storage created;
        (proposalId, created) = _openProposal(uint8(operation), target);
        Arguments storage arguments = _arguments[proposalId];
        if (account != address(0) || delay != 0) {
            arguments.account = account;
            arguments.delay = delay;
        }
        if (role != bytes32(0)) arguments.role = role;
        emit ProposalCreated(proposalId, operation, target, role, account, delay, msg.sender);
        _countProposerApproval(proposalId, created);
    }

    /// @dev Marked executed (by KOfNProposals) before the call; a revert of the target undoes the
    /// mark with the rest. The target's revert data is passed through as it is, so callers decode
    /// it with the target's ABI.
    function _execute(uint256 proposalId, Proposal storage executed) internal override {
        Operation operation = Operation(executed.action);
        address target = executed.subject;
        Arguments storage arguments = _arguments[proposalId];
        if (operation == Operation.GrantRole) {
            IAccessControl(target).grantRole(arguments.role, arguments.account);
        } else if (operation == Operation.RevokeRole) {
            IAccessControl(target).revokeRole(arguments.role, arguments.account);
        } else if (operation == Operation.BeginDefaultAdminTransfer) {
            IAccessControlDefaultAdminRules(target).beginDefaultAdminTransfer(arguments.account);
        } else if (operation == Operation.CancelDefaultAdminTransfer) {
            IAccessControlDefaultAdminRules(target).cancelDefaultAdminTransfer();
        } else if (operation == Operation.AcceptDefaultAdminTransfer) {
            IAccessControlDefaultAdminRules(target).acceptDefaultAdminTransfer();
        } else {
            IAccessControlDefaultAdminRules(target).changeDefaultAdminDelay(arguments.delay);
        }
        emit ProposalExecuted(proposalId, operation, target);
    }

    function _revertFault(Fault fault, uint256 proposalId, address account, uint64 expiresAt) internal pure override {
        if (fault == Fault.NotAuthority) revert ConsortiumRoleAdminNotAuthority(account);
        if (fault == Fault.UnknownProposal) revert ConsortiumRoleAdminUnknownProposal(proposalId);
        if (fault == Fault.AlreadyExecuted) revert ConsortiumRoleAdminProposalAlreadyExecuted(proposalId);
        if (fault == Fault.Cancelled) revert ConsortiumRoleAdminProposalCancelled(proposalId);
        if (fault == Fault.Expired) revert ConsortiumRoleAdminProposalExpired(proposalId, expiresAt);
        if (fault == Fault.AlreadyApproved) revert ConsortiumRoleAdminAlreadyApproved(proposalId, account);
        revert ConsortiumRoleAdminNotProposer(proposalId, account);
    }
}
