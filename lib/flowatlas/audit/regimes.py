"""Transfer regimes: defined in :mod:`flowatlas.regimes` (law as data, read by the audit and by
:func:`flowatlas.boundaries.is_transfer`); importable from here too."""

from flowatlas.regimes import REQUIREMENTS, Basis, BasisVerdict, Regime, check_basis, regime_for, regimes

__all__ = ["REQUIREMENTS", "Basis", "BasisVerdict", "Regime", "check_basis", "regime_for", "regimes"]
