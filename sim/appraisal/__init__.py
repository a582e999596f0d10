"""Appraisal of scenarios against their baseline, as HM Treasury's Green Book and DWP ask:
outcomes over time (``outcomes``), an exchequer account from sourced parts
(``exchequer``), discounting (``discounting``), benchmarks against published evaluations
(``benchmarks``) and the sensitivity tornado (``sensitivity``)."""
