"""Monthly spending on health-related benefits, £ in 2024-25 prices: caseloads x amounts.

The amounts are dated: the base rules (sim/data/benefit_rules.csv) with the run's policy
package (configs/policy/), followed month by month in real terms by
sim/policy/benefit_rules.py. What each benefit state is paid, and how this maps onto what
IFS counts, is written in configs/spending/default.yaml; the per-benefit scale factors there
are the only adjustment, one per benefit, set by the calibration to align 2019-20 with IFS.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim import spec
from sim.params.models import PolicyConfig, SpendingConfig
from sim.policy.benefit_rules import benefit_amounts

_S = spec.STOCK


@dataclass(frozen=True)
class SpendingRates:
    """£ per month per person in each paid benefit state, by model month (after scale factors)."""

    incapacity_awaiting_assessment: np.ndarray
    incapacity_lcw: np.ndarray
    incapacity_lcwra: dict[str, np.ndarray]
    """By claim group (states.CLAIM_GROUPS)."""
    disability_standard: np.ndarray
    disability_enhanced: np.ndarray
    daily_living_standard: np.ndarray
    """What a standard-rate award loses without its daily living component."""
    daily_living_enhanced: np.ndarray

    @classmethod
    def from_config(cls, config: SpendingConfig, policy: PolicyConfig, start: str, months: int,
                    calibration_scale: float = 1.0) -> SpendingRates:
        """Rates for a run from ``start`` over ``months`` under ``policy``;
        ``calibration_scale`` is the calibration's single factor aligning 2019-20 spending with
        IFS (one IFS total, so one factor for both benefits)."""
        amounts = benefit_amounts(config.rates_file, policy, start, months)
        incapacity = config.scale_to_published["incapacity_benefit"] * calibration_scale
        disability = config.scale_to_published["disability_benefit"] * calibration_scale
        standard_allowance = amounts.standard_allowance
        return cls(
            incapacity_awaiting_assessment=incapacity * standard_allowance,
            incapacity_lcw=incapacity * (
                standard_allowance + config.lcw_legacy_element_share * amounts.lcw_element_pre_2017),
            incapacity_lcwra={group: incapacity * (standard_allowance + element)
                              for group, element in amounts.lcwra_element.items()},
            disability_standard=disability * (amounts.daily_living_standard + amounts.mobility_standard),
            disability_enhanced=disability * (amounts.daily_living_enhanced + amounts.mobility_enhanced),
            daily_living_standard=disability * amounts.daily_living_standard,
            daily_living_enhanced=disability * amounts.daily_living_enhanced,
        )

    def monthly_spending(self, stocks: np.ndarray) -> np.ndarray:
        """[month, spending metric, area, band] from stocks[month, stock, area, band]."""

        def paid(stock: str, rate: np.ndarray) -> np.ndarray:
            return stocks[:, _S[stock]] * rate[: stocks.shape[0], None, None]

        incapacity = (
            paid("incapacity_benefit_awaiting_assessment", self.incapacity_awaiting_assessment)
            + paid("incapacity_benefit_lcw", self.incapacity_lcw)
            + sum(paid(f"incapacity_benefit_lcwra_{group}", rate) for group, rate in self.incapacity_lcwra.items())
        )
        disability = (
            paid("disability_benefit_standard", self.disability_standard)
            - paid("disability_benefit_standard_daily_living_lost", self.daily_living_standard)
            + paid("disability_benefit_enhanced", self.disability_enhanced)
            - paid("disability_benefit_enhanced_daily_living_lost", self.daily_living_enhanced)
        )
        return np.stack([incapacity, disability, incapacity + disability], axis=1)
