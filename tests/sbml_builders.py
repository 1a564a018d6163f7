"""Tiny SBML models for tests: one species ``x`` in compartment ``c``, one parameter, one
reaction (libsbml writes them, as a modeller's tool would)."""

from __future__ import annotations

from pathlib import Path

import libsbml


def one_reaction_model(path: Path, model_id: str, parameter: str, law: str, *,
                       role: str = "reactant", value: float = 0.5,
                       reaction: str = "loss") -> Path:
    """Write ``x`` (initial concentration 1) consumed (``role="reactant"``) or produced
    (``"product"``) at rate ``law``, with ``parameter`` constant at ``value``; return ``path``."""
    doc = libsbml.SBMLDocument(3, 2)
    m = doc.createModel()
    m.setId(model_id)
    c = m.createCompartment()
    c.setId("c")
    c.setSize(1.0)
    c.setConstant(True)
    s = m.createSpecies()
    s.setId("x")
    s.setCompartment("c")
    s.setInitialConcentration(1.0)
    s.setHasOnlySubstanceUnits(False)
    s.setBoundaryCondition(False)
    s.setConstant(False)
    p = m.createParameter()
    p.setId(parameter)
    p.setValue(value)
    p.setConstant(True)
    r = m.createReaction()
    r.setId(reaction)
    r.setReversible(False)
    ref = r.createReactant() if role == "reactant" else r.createProduct()
    ref.setSpecies("x")
    ref.setStoichiometry(1.0)
    ref.setConstant(True)
    r.createKineticLaw().setMath(libsbml.parseL3Formula(law))
    libsbml.writeSBMLToFile(doc, str(path))
    return path
