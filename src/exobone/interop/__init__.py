"""Interoperability: SBML export and import, and results as xarray/NetCDF and tidy tables."""
