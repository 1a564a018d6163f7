"""``exobone calibrate CONTRAST.yaml``: fit a contrast study (a published treated-minus-control
difference; :mod:`exobone.analysis.calibrate.contrast`). Called by ``exobone calibrate`` when
its argument is a contrast file; the PEtab options that do not apply are refused."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from exobone.errors import InvalidInputError


def contrast_calibrate(path: Path, *, ci: str, level: float, plot: Path | None,
                       as_json: bool, scenario: str | None, ensemble: bool | None,
                       evaluate_only: bool, write_fitted: bool) -> None:
    """Fit (or evaluate) the contrast study of ``path``; print as ``exobone calibrate`` does."""
    from exobone.analysis.calibrate.contrast import (
        calibrate_contrast,
        evaluate_contrast,
        load_contrast,
    )

    for given, what, why in (
            (ci != "profile", f"--ci {ci}", "its interval is the profile likelihood"),
            (plot is not None, "--plot", "the fit figure is drawn for PEtab problems only"),
            (scenario is not None, "--scenario", "the file names its scenario"),
            (bool(ensemble), "--ensemble", "its arms run one by one")):
        if given:
            raise InvalidInputError(f"{path.name}: {what} does not apply to a contrast study "
                                    f"({why})")
    study = load_contrast(path)
    if evaluate_only:
        values = evaluate_contrast(study)
        if as_json:
            typer.echo(json.dumps(values, separators=(",", ":")))
        else:
            typer.echo(f"llh {values['llh']:.12g}, nllh {values['nllh']:.12g}, log-prior 0 at "
                       f"the nominal {study.parameter} = {study.nominal:g}")
        return
    fit = calibrate_contrast(study, level=level)
    if write_fitted:
        from exobone.model.fitted import write_fitted as write

        typer.echo(f"wrote {write(fit.fitted_values())}", err=True)
    if as_json:
        typer.echo(json.dumps(fit.to_dict(), separators=(",", ":")))
        return
    low, high = fit.interval
    typer.echo(f"{study.problem}: {study.scenario}, treated {', '.join(study.treated)} vs "
               f"control {', '.join(study.control)}; {study.readout_text()}")
    typer.echo(f"{study.parameter} = {fit.estimate:.4g}  {level:.0%} profile interval "
               f"[{low:.4g}, {high:.4g}]  nllh {fit.nllh:.6g}  ({fit.simulations} simulations)")
    for a in fit.arms:
        typer.echo(f"  [{a.species}, weight {a.weight:g}] treated {a.treated:.2f} vs control "
                   f"{a.control:.2f}: {a.difference:+.2f}")
    for c in fit.checks():
        typer.echo(f"  {c['record']} ({'fitted' if c['use'] == 'fit' else 'held out'}, "
                   f"{c['outcome']}): published {c['value']:+g} ({c['ci95'][0]:g} to "
                   f"{c['ci95'][1]:g}), model {c['model']:+.2f}: "
                   f"{'inside' if c['inside_ci'] else 'outside'} the CI")
    for line in fit.at_bounds:
        typer.echo(f"warning: {line}", err=True)
