// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IConsortiumDirectory
/// @notice Who belongs to the EHRChain consortium, as the other contracts ask it: the authorities
/// and their approval threshold, the hospitals in good standing, and their practitioners.
/// @dev Practitioner roles: 1 = Doctor, 2 = Pharmacist. Implemented by ConsortiumRegistry.
interface IConsortiumDirectory {
    /// @notice Whether `account` is one of the consortium's authorities.
    /// @param account The address to check.
    /// @return True for an authority.
    function isAuthority(address account) external view returns (bool);

    /// @notice How many distinct authorities must approve a threshold-controlled action (k of n).
    /// @return The threshold k, at least 1 and at most the number of authorities.
    function authorityThreshold() external view returns (uint256);

    /// @notice Whether `hospital` is admitted and not suspended.
    /// @param hospital The hospital's chain account.
    /// @return True for a hospital in good standing.
    function isActiveHospital(address hospital) external view returns (bool);

    /// @notice Whether `practitioner` holds `role` and may act now: registered, not deactivated, and
    /// its hospital admitted and not suspended.
    /// @param practitioner The practitioner's signing address.
    /// @param role 1 = Doctor, 2 = Pharmacist; any other value answers false.
    /// @return True for an active practitioner in that role.
    function isActivePractitioner(address practitioner, uint8 role) external view returns (bool);

    /// @notice Whether `account` is an active hospital (admitted, not suspended), or an active
    /// practitioner of any role whose hospital is active: a suspended hospital's practitioners are
    /// not active members. A practitioner's address belongs to one hospital for good (the one that
    /// first registered it) and is never a hospital's or an authority's, so what is allowed to an
    /// address (a patient's consent) is allowed on behalf of one hospital only.
    /// @param account The address to check.
    /// @return True for an active consortium member.
    function isActiveMember(address account) external view returns (bool);
}
