// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IConsortiumDirectory} from "../interfaces/IConsortiumDirectory.sol";

/// @title ConsortiumDirectoryMock
/// @notice Test double of IConsortiumDirectory whose answers are set directly, so contract tests of
/// the directory's consumers can admit, suspend and deactivate members in one call each.
/// @dev Tests only; never deployed by the gateway. Anyone may call the setters.
contract ConsortiumDirectoryMock is IConsortiumDirectory {
    mapping(address account => bool) private _authorities;
    mapping(address hospital => bool) private _hospitals;
    mapping(address practitioner => uint8 role) private _practitioners;
    uint256 private _authorityThreshold = 1;

    /// @notice Makes `account` an authority or not.
    function setAuthority(address account, bool value) external {
        _authorities[account] = value;
    }

    /// @notice Sets the authority threshold k.
    function setAuthorityThreshold(uint256 threshold) external {
        _authorityThreshold = threshold;
    }

    /// @notice Marks `hospital` active or not.
    function setActiveHospital(address hospital, bool active) external {
        _hospitals[hospital] = active;
    }

    /// @notice Makes `practitioner` active in `role` (1 Doctor, 2 Pharmacist), or inactive with role 0.
    function setPractitioner(address practitioner, uint8 role) external {
        _practitioners[practitioner] = role;
    }

    /// @inheritdoc IConsortiumDirectory
    function isAuthority(address account) external view returns (bool) {
        return _authorities[account];
    }

    /// @inheritdoc IConsortiumDirectory
    function authorityThreshold() external view returns (uint256) {
        return _authorityThreshold;
    }

    /// @inheritdoc IConsortiumDirectory
    function isActiveHospital(address hospital) external view returns (bool) {
        return _hospitals[hospital];
    }

    /// @inheritdoc IConsortiumDirectory
    function isActivePractitioner(address practitioner, uint8 role) external view returns (bool) {
        return role != 0 && _practitioners[practitioner] == role;
    }

    /// @inheritdoc IConsortiumDirectory
    function isActiveMember(address account) external view returns (bool) {
        return _hospitals[account] || _practitioners[account] != 0;
    }
}
