"""Monthly spending on health-related benefits, £ in 2024-25 prices: caseloads x rates.

Rates come from sim/data/benefit_rates_2024_25.csv and are held constant in real terms.
What each benefit state is paid, and how this maps onto what IFS counts, is written in
configs/spending/default.yaml; the per-benefit scale factors there are the only
adjustment, one per benefit, set by the calibration to align 2019-20 with IFS.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim import spec
from sim.params.data_files import read_table
from sim.params.models import SpendingConfig

WEEKS_PER_MONTH = 52.0 / 12.0
_S = spec.STOCK


@dataclass(frozen=True)
class SpendingRates:
    """£ per month per person in each paid benefit state (after scale factors)."""

    incapacity_awaiting_assessment: float
    incapacity_lcw: float
    incapacity_lcwra: float
    disability_standard: float
    disability_enhanced: float

    @classmethod
    def from_config(cls, config: SpendingConfig, calibration_scale: float = 1.0) -> SpendingRates:
        """Rates from the config; ``calibration_scale`` is the calibration's single factor
        aligning 2019-20 spending with IFS (one IFS total, so one factor for both benefits)."""
        table = read_table(config.rates_file, "benefit_rates").set_index("component")

        def monthly(component: str) -> float:
            amount = float(table.loc[component, "amount_gbp"])
            return amount * WEEKS_PER_MONTH if table.loc[component, "per"] == "week" else amount

        standard_allowance = monthly("uc_standard_allowance_single_25_plus")
        incapacity = config.scale_to_published["incapacity_benefit"] * calibration_scale
        disability = config.scale_to_published["disability_benefit"] * calibration_scale
        return cls(
            incapacity_awaiting_assessment=incapacity * standard_allowance,
            incapacity_lcw=incapacity * (
                standard_allowance
                + config.lcw_legacy_element_share * monthly("uc_lcw_element_pre_2017")
            ),
            incapacity_lcwra=incapacity * (standard_allowance + monthly("uc_lcwra_element")),
            disability_standard=disability * (
                monthly("pip_daily_living_standard") + monthly("pip_mobility_standard")
            ),
            disability_enhanced=disability * (
                monthly("pip_daily_living_enhanced") + monthly("pip_mobility_enhanced")
            ),
        )

    def monthly_spending(self, stocks: np.ndarray) -> np.ndarray:
        """[..., spending metric, area, band] from stocks[..., stock, area, band]."""
        incapacity = (
            stocks[:, _S["incapacity_benefit_awaiting_assessment"]] * self.incapacity_awaiting_assessment
            + stocks[:, _S["incapacity_benefit_lcw"]] * self.incapacity_lcw
            + stocks[:, _S["incapacity_benefit_lcwra"]] * self.incapacity_lcwra
        )
        disability = (
            stocks[:, _S["disability_benefit_standard"]] * self.disability_standard
            + stocks[:, _S["disability_benefit_enhanced"]] * self.disability_enhanced
        )
        return np.stack([incapacity, disability, incapacity + disability], axis=1)
