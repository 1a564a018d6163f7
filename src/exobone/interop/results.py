"""Save and load simulation results: xarray Dataset/NetCDF and tidy CSV/Parquet, with provenance.

A :class:`~exobone.simulate.results.Trajectory` becomes an ``xarray.Dataset`` with one variable
per output over the dimension ``time`` (variable attribute ``kind``: state, assignment or
parameter) and dataset attributes holding the provenance, status, events and solver counters as
JSON text (NetCDF attributes must be flat). The tidy table has columns
``time, variable, kind, value``; CSV files carry the same attributes in a JSON sidecar
(``FILE.csv.json``), Parquet files in their schema metadata. :func:`load_results` reads any of
the three back into a Dataset equal to the one saved.

NetCDF uses the ``h5netcdf`` engine (pure PyPI wheels, no system libraries); Parquet uses
``pyarrow``. xarray, pandas, h5netcdf and pyarrow come with the optional ``interop`` extra;
without it every function here fails with one line saying ``pip install 'exobone[interop]'``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from exobone.errors import InvalidInputError, require_extra
from exobone.outputs import check_output_path

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

    from exobone.simulate.results import Trajectory

__all__ = ["FORMATS", "check_target", "load_results", "save_results", "to_dataset",
           "to_tidy"]

#: file suffix -> format name
FORMATS = {".nc": "netcdf", ".csv": "csv", ".parquet": "parquet"}
_ATTR_KEYS = ("provenance", "status", "message", "events", "stats")


#: the modules each format needs, all from the ``interop`` extra
_NEEDS = {"netcdf": ("xarray", "h5netcdf"), "csv": ("xarray", "pandas"),
          "parquet": ("xarray", "pandas", "pyarrow.parquet")}


def _xarray() -> Any:
    return require_extra("xarray", "interop")


def _pandas() -> Any:
    return require_extra("pandas", "interop")


def _kinds(traj: Trajectory) -> dict[str, str]:
    kinds = {n: "state" for n in traj.state_names}
    kinds.update({n: "assignment" for n in traj.assignment_names})
    kinds.update({n: "parameter" for n in traj.parameter_names})
    return kinds


def to_dataset(traj: Trajectory) -> xr.Dataset:
    """Return ``traj`` as an ``xarray.Dataset`` (dimension ``time``; provenance in attrs).

    Examples
    --------
    >>> from exobone.model.reference import linear_decay
    >>> from exobone.simulate import SaveAt, simulate
    >>> ds = to_dataset(simulate(linear_decay(0.3), (0, 1), saveat=SaveAt(times=[0, 1])))
    >>> ds["x"].attrs["kind"], list(ds.sizes.items())
    ('state', [('time', 2)])
    """
    xmod = _xarray()
    data = traj.to_dict()
    kinds = _kinds(traj)
    variables = {name: ("time", np.asarray(values, dtype=float), {"kind": kinds.get(name, "")})
                 for name, values in traj.values.items()}
    attrs = {key: json.dumps(data[key]) for key in _ATTR_KEYS}
    attrs["model_name"] = traj.provenance.model_name
    attrs["model_hash"] = traj.provenance.model_hash
    ds: xr.Dataset = xmod.Dataset(variables, coords={"time": np.asarray(traj.times, dtype=float)},
                                attrs=attrs)
    return ds


def to_tidy(traj_or_ds: Trajectory | xr.Dataset) -> pd.DataFrame:
    """Return a long table with columns ``time, variable, kind, value`` (one row per value)."""
    pd = _pandas()

    ds: Any = traj_or_ds if hasattr(traj_or_ds, "data_vars") else to_dataset(traj_or_ds)
    times = np.asarray(ds["time"].values, dtype=float)
    frames = [pd.DataFrame({"time": times, "variable": name,
                            "kind": str(ds[name].attrs.get("kind", "")),
                            "value": np.asarray(ds[name].values, dtype=float)})
              for name in ds.data_vars]
    if not frames:
        return pd.DataFrame(columns=["time", "variable", "kind", "value"])
    return pd.concat(frames, ignore_index=True)


def _from_tidy(df: pd.DataFrame, attrs: dict[str, str]) -> xr.Dataset:
    xmod = _xarray()
    missing = {"time", "variable", "value"} - set(df.columns)
    if missing:
        raise InvalidInputError(f"a results table needs the columns time, variable, value; "
                                f"missing {sorted(missing)}")
    order = list(dict.fromkeys(df["variable"].tolist()))
    times = np.unique(df["time"].to_numpy(dtype=float))
    variables = {}
    for name in order:
        rows = df[df["variable"] == name].sort_values("time")
        kind = str(rows["kind"].iloc[0]) if "kind" in rows else ""
        variables[name] = ("time", rows["value"].to_numpy(dtype=float), {"kind": kind})
    ds: xr.Dataset = xmod.Dataset(variables, coords={"time": times}, attrs=dict(attrs))
    return ds


def _format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InvalidInputError(f"cannot tell the results format of {path.name!r}; use one of "
                                f"{', '.join(FORMATS)}")
    return fmt


def check_target(path: str | Path) -> str:
    """Check that results can be saved to ``path`` before any work; return the format.

    Call it before a long run whose results are to be saved.

    Raises
    ------
    InvalidInputError
        For an unknown suffix or a path that cannot be written (missing folder, a file in the
        way, read-only folder).
    MissingExtraError
        Without the ``interop`` extra.
    """
    target = Path(path)
    fmt = _format(target)
    for module in _NEEDS[fmt]:
        require_extra(module, "interop")
    check_output_path(target, what="results")  # the same words as every other output
    return fmt


def save_results(traj: Trajectory, path: str | Path) -> Path:
    """Save ``traj`` as NetCDF (``.nc``), CSV (``.csv`` + ``.csv.json``) or Parquet.

    Raises
    ------
    InvalidInputError
        For an unknown suffix or a file that cannot be written (missing directory, read-only,
        disk full).
    MissingExtraError
        Without the ``interop`` extra.
    """
    target = Path(path)
    fmt = check_target(target)
    ds = to_dataset(traj)
    try:
        if fmt == "netcdf":
            ds.to_netcdf(target, engine="h5netcdf")
        elif fmt == "csv":
            to_tidy(ds).to_csv(target, index=False)
            Path(f"{target}.json").write_text(json.dumps(dict(ds.attrs), indent=1),
                                              encoding="utf-8")
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.Table.from_pandas(to_tidy(ds), preserve_index=False)
            meta = dict(table.schema.metadata or {})
            meta[b"exobone"] = json.dumps(dict(ds.attrs)).encode("utf-8")
            pq.write_table(table.replace_schema_metadata(meta), target)
    except OSError as exc:
        raise InvalidInputError(f"cannot write results to {target}: "
                                f"{exc.strerror or exc}") from exc
    return target


def load_results(path: str | Path) -> xr.Dataset:
    """Load results saved by :func:`save_results` as an ``xarray.Dataset`` (attrs included).

    Raises
    ------
    InvalidInputError
        For a missing file, an unknown suffix or a table without the needed columns.
    """
    source = Path(path)
    if not source.is_file():
        raise InvalidInputError(f"results file {str(source)!r} does not exist")
    fmt = _format(source)
    for module in _NEEDS[fmt]:
        require_extra(module, "interop")
    if fmt == "netcdf":
        xmod = _xarray()
        with xmod.open_dataset(source, engine="h5netcdf") as opened:
            loaded: xr.Dataset = opened.load()
            return loaded
    if fmt == "csv":
        pd = _pandas()
        sidecar = Path(f"{source}.json")
        attrs = json.loads(sidecar.read_text(encoding="utf-8")) if sidecar.is_file() else {}
        return _from_tidy(pd.read_csv(source), attrs)
    import pyarrow.parquet as pq

    table = pq.read_table(source)
    raw = (table.schema.metadata or {}).get(b"exobone")
    attrs = json.loads(raw.decode("utf-8")) if raw else {}
    return _from_tidy(table.to_pandas(), attrs)
