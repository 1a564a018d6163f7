"""The ``exobone`` command line: a thin typer shell over the public API.

Each command group lives in its own module and is registered here. An :class:`ExoboneError`
becomes one line on stderr and exit code 1; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import sys

import typer

from exobone.errors import ExoboneError

app = typer.Typer(
    name="exobone",
    help="An executable atlas of exosome-mediated bone remodeling.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks on errors."),
) -> None:
    # declared for --help; main() reads --debug from argv itself, before typer runs, so that
    # errors raised while parsing are shown the same way
    del debug


_registered = False


def _register() -> None:
    """Attach every command group once (idempotent: tests call ``main`` many times)."""
    global _registered
    if _registered:
        return
    _registered = True
    # Imported here so `exobone --help` stays fast and optional stacks load lazily.
    from exobone.cli import atlas as atlas_cmds

    app.add_typer(atlas_cmds.app, name="atlas")
    from exobone.cli import model as model_cmds

    app.command("simulate")(model_cmds.simulate_cmd)
    app.add_typer(model_cmds.list_app, name="list")
    app.add_typer(model_cmds.model_app, name="model")
    from exobone.cli import demo as demo_cmd

    app.command("demo")(demo_cmd.demo)
    from exobone.cli import validate as validate_cmd

    app.command("validate")(validate_cmd.validate)
    from exobone.cli import analysis as analysis_cmds

    app.command("cohort")(analysis_cmds.cohort_cmd)
    app.command("optimize")(analysis_cmds.optimize_cmd)
    app.command("dose-response")(analysis_cmds.dose_response_cmd)
    app.command("sensitivity")(analysis_cmds.sensitivity_cmd)
    from exobone.cli import web as web_cmd

    app.command("serve")(web_cmd.serve)
    from exobone.cli import report as report_cmd

    app.command("report")(report_cmd.report)
    from exobone.cli import interop as interop_cmds

    app.add_typer(interop_cmds.export_app, name="export")
    app.add_typer(interop_cmds.sbml_app, name="sbml")
    app.command("calibrate")(interop_cmds.calibrate_cmd)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code (used by the ``exobone`` entry point)."""
    _register()
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        # standalone mode lets click report usage errors itself (exit code 2)
        app(args=args, prog_name="exobone", standalone_mode=True)
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    except ExoboneError as exc:
        if "--debug" in args:
            raise
        typer.echo(f"error: {exc}", err=True)
        return 1
    return 0


__all__ = ["app", "main"]
