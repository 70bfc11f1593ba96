// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IConsortiumDirectory} from "../interfaces/IConsortiumDirectory.sol";

/// @title ConsortiumDirectoryMock
/// @notice Test double of IConsortiumDirectory whose answers are set directly, so contract tests of
/// the directory's consumers can admit, suspend and deactivate members in one call each.
/// @dev Tests only; never deployed by the gateway. Anyone may call the setters. Like
/// ConsortiumRegistry, a practitioner is active only while its hospital is: a test that marks the
/// hospital inactive (suspended) sees its practitioners inactive too. Unlike it, the setters do not
/// keep roles apart, so a test can build a state the registry refuses (an authority who is a doctor).
contract ConsortiumDirectoryMock is IConsortiumDirectory {
    struct Practitioner {
        address hospital;
        uint8 role;
    }

    mapping(address account => bool) private _authorities;
    mapping(address hospital => bool) private _hospitals;
    mapping(address practitioner => Practitioner) private _practitioners;
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

    /// @notice Makes `practitioner` a practitioner of `hospital` in `role` (1 Doctor, 2 Pharmacist),
    /// active while `hospital` is; inactive with role 0.
    function setPractitioner(address practitioner, address hospital, uint8 role) external {
        _practitioners[practitioner] = Practitioner(hospital, role);
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
        Practitioner storage stored = _practitioners[practitioner];
        return role != 0 && stored.role == role && _hospitals[stored.hospital];
    }

    /// @inheritdoc IConsortiumDirectory
    function isActiveMember(address account) external view returns (bool) {
        Practitioner storage stored = _practitioners[account];
        return _hospitals[account] || (stored.role != 0 && _hospitals[stored.hospital]);
    }
}
