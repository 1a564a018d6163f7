"""SBML Level 3 export of compiled models and import of SBML models into a ModelSpec."""

from exobone.interop.sbml.export import check_document, export_sbml, write_sbml
from exobone.interop.sbml.import_ import import_sbml, read_sbml

__all__ = ["check_document", "export_sbml", "import_sbml", "read_sbml", "write_sbml"]
