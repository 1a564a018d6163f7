"""SBML Level 3 export of compiled models, import of SBML models into a ModelSpec, and runs of
SBML files reported by SBML id (:func:`run_sbml`)."""

from exobone.interop.sbml.export import check_document, export_sbml, write_sbml
from exobone.interop.sbml.import_ import import_sbml, read_sbml
from exobone.interop.sbml.run import SBMLRun, run_sbml

__all__ = ["SBMLRun", "check_document", "export_sbml", "import_sbml", "read_sbml", "run_sbml",
           "write_sbml"]
