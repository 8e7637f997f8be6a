"""Figures the directory keeps for the gateway's statistics: counts of match outcomes and a daily capacity history."""
