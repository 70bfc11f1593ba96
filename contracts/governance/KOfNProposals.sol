// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title KOfNProposals
/// @notice k-of-n proposals of a fixed set of authorities, as ConsortiumRegistry and
/// ConsortiumRoleAdmin run them: an authority proposes (its approval counts), each authority
/// approves once, the approval that reaches k executes, a proposal expires after a fixed
/// lifetime, and its proposer alone may cancel it before it executes.
/// @dev The contract that inherits this says what a proposal does: it validates and opens one with
/// {_openProposal} and {_countProposerApproval}, may refuse an approval in {_checkApplicable}, and
/// carries the proposal out in {_execute}. It keeps its own error names, through {_revertFault}.
///
/// Each authority owns one bit of a proposal's 96-bit approval bitmap. A proposal's bookkeeping
/// shares its first slot with what it does (one action byte, one subject address), so it takes two
/// storage slots; anything else the proposal carries is the inheriting contract's to store.
abstract contract KOfNProposals {
    /// @notice Why a caller or a proposal was refused; {_revertFault} turns it into an error.
    enum Fault {
        NotAuthority,
        UnknownProposal,
        AlreadyExecuted,
        Cancelled,
        Expired,
        AlreadyApproved,
        NotProposer
    }

    /// @dev `action` and `subject` are the inheriting contract's: what the proposal does, and to whom.
    struct Proposal {
        address subject;
        uint64 expiresAt;
        uint8 action;
        uint8 approvals;
        bool executed;
        bool cancelled;
        address proposer;
        uint96 approvedBy;
    }

    uint256 private immutable _threshold;
    uint64 private immutable _proposalTtl;
    mapping(address account => uint96 bit) private _authorityBits;
    uint256 private _proposalCount;
    mapping(uint256 proposalId => Proposal) private _proposals;

    /// @notice An authority approved a proposal; `approvals` is the count including this one.
    event ProposalApproved(uint256 indexed proposalId, address indexed authority, uint256 approvals);
    /// @notice The proposer withdrew a proposal before it executed; it can no longer be approved.
    event ProposalCancelled(uint256 indexed proposalId, address indexed proposer);

    modifier onlyAuthority() {
        if (_authorityBits[msg.sender] == 0) _revertFault(Fault.NotAuthority, 0, msg.sender, 0);
        _;
    }

    /// @dev Stores k and the lifetime as they are: the inheriting constructor validates them (and
    /// reverts the deployment with its own errors) and adds the authorities with {_addAuthority}.
    constructor(uint256 threshold, uint64 ttl) {
        _threshold = threshold;
        _proposalTtl = ttl;
    }

    /// @notice Approves a proposal; the approval that reaches the threshold executes it.
    /// @dev Requirements: caller is an authority that has not approved it yet; the proposal exists,
    /// is not executed, cancelled nor expired, and the inheriting contract finds it still applicable
    /// (ConsortiumRegistry: the action fits the hospital's current status). At the executing
    /// approval, its execution must succeed (ConsortiumRoleAdmin: the target accepts the call,
    /// otherwise this reverts with the target's error and records nothing).
    /// Emits {ProposalApproved}, then the inheriting contract's events when it executes.
    /// @param proposalId The proposal to approve.
    function approve(uint256 proposalId) external onlyAuthority {
        Proposal storage stored = _proposals[proposalId];
        uint64 expiresAt = stored.expiresAt;
        if (expiresAt == 0) _revertFault(Fault.UnknownProposal, proposalId, address(0), 0);
        if (stored.executed) _revertFault(Fault.AlreadyExecuted, proposalId, address(0), 0);
        if (stored.cancelled) _revertFault(Fault.Cancelled, proposalId, address(0), 0);
        if (block.timestamp >= expiresAt) _revertFault(Fault.Expired, proposalId, address(0), expiresAt);
        uint96 bit = _authorityBits[msg.sender];
        if (stored.approvedBy & bit != 0) _revertFault(Fault.AlreadyApproved, proposalId, msg.sender, 0);
        _checkApplicable(stored);

        uint8 approvals = stored.approvals + 1;
        stored.approvals = approvals;
        stored.approvedBy |= bit;
        emit ProposalApproved(proposalId, msg.sender, approvals);
        if (approvals >= _threshold) _markExecutedAndRun(proposalId, stored);
    }

    /// @notice Withdraws a proposal its proposer no longer wants (a mistaken subject or dossier, a
    /// changed situation), so that no later approval can execute it.
    /// @dev Requirements: the proposal exists, the caller is its proposer (an authority when it
    /// proposed; it need not be asked again), and it is neither executed nor already cancelled.
    /// An expired proposal may be cancelled too, which only makes its end explicit.
    /// Emits {ProposalCancelled}.
    /// @param proposalId The proposal to cancel.
    function cancel(uint256 proposalId) external {
        Proposal storage stored = _proposals[proposalId];
        if (stored.expiresAt == 0) _revertFault(Fault.UnknownProposal, proposalId, address(0), 0);
        if (stored.proposer != msg.sender) _revertFault(Fault.NotProposer, proposalId, msg.sender, 0);
        if (stored.executed) _revertFault(Fault.AlreadyExecuted, proposalId, address(0), 0);
        if (stored.cancelled) _revertFault(Fault.Cancelled, proposalId, address(0), 0);
        stored.cancelled = true;
        emit ProposalCancelled(proposalId, msg.sender);
    }

    // ---------------------------------------------------------------- views

    /// @notice Whether `account` is an authority (and so may propose and approve).
    function isAuthority(address account) public view virtual returns (bool) {
        return _authorityBits[account] != 0;
    }

    /// @notice The k approvals a proposal needs.
    function authorityThreshold() public view virtual returns (uint256) {
        return _threshold;
    }

    /// @notice Seconds a proposal stays open for approvals.
    function proposalTtl() external view returns (uint64) {
        return _proposalTtl;
    }

    /// @notice Whether `authority` approved the proposal (a proposer has).
    function hasApproved(uint256 proposalId, address authority) external view returns (bool) {
        uint96 bit = _authorityBits[authority];
        return bit != 0 && _proposals[proposalId].approvedBy & bit != 0;
    }

    // ---------------------------------------------------------------- for the inheriting contract

    /// @dev Makes `account` the authority owning bit `index` (0..95). Constructor only; the caller
    /// has checked that `account` is non-zero and not yet an authority.
    function _addAuthority(address account, uint256 index) internal {
        _authorityBits[account] = uint96(1 << index);
    }

    /// @dev A proposal's bookkeeping; all zero for an unknown id.
    function _proposal(uint256 proposalId) internal view returns (Proposal storage) {
        return _proposals[proposalId];
    }

    /// @dev Opens a proposal of the calling authority, with its approval recorded but not yet
    /// announced: the caller stores what else the proposal carries, emits its ProposalCreated,
    /// then calls {_countProposerApproval}.
    function _openProposal(uint8 action, address subject)
        internal
        returns (uint256 proposalId, Proposal storage created)
    {
        proposalId = ++_proposalCount;
        created = _proposals[proposalId];
        created.subject = subject;
        created.expiresAt = uint64(block.timestamp) + _proposalTtl;
        created.action = action;
        created.approvals = 1;
        created.proposer = msg.sender;
        created.approvedBy = _authorityBits[msg.sender];
    }

    /// @dev Emits the proposer's {ProposalApproved} and executes the proposal when k is 1.
    function _countProposerApproval(uint256 proposalId, Proposal storage created) internal {
        emit ProposalApproved(proposalId, msg.sender, 1);
        if (_threshold == 1) _markExecutedAndRun(proposalId, created);
    }

    /// @dev Refuses an approval of a proposal that no longer applies. Checked after the approval
    /// checks, before the approval counts; the default accepts every proposal.
    function _checkApplicable(Proposal storage stored) internal view virtual {}

    /// @dev Carries out a proposal that reached the threshold; `executed` is already set, and a
    /// revert undoes it with the rest.
    function _execute(uint256 proposalId, Proposal storage executed) internal virtual;

    /// @dev Reverts with the inheriting contract's error for `fault`: NotAuthority(account),
    /// UnknownProposal(proposalId), AlreadyExecuted(proposalId), Cancelled(proposalId),
    /// Expired(proposalId, expiresAt), AlreadyApproved(proposalId, account), NotProposer(proposalId, account).
    /// Arguments a fault does not name are zero.
    function _revertFault(Fault fault, uint256 proposalId, address account, uint64 expiresAt) internal pure virtual;

    function _markExecutedAndRun(uint256 proposalId, Proposal storage stored) private {
        stored.executed = true;
        _execute(proposalId, stored);
    }
}
