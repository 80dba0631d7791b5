"""The demo world generator for `u2c generate`, `u2c demo` and `u2c bench`: the `demo_world`
package of the source checkout, kept out of the product's wheel (a company running the pipeline
on its own extracts has no use for it)."""

from __future__ import annotations

from orchestration.errors import UserError


def demo_generator():
    """`(GenerateOptions, generate)` from `demo_world.generate`, or a UserError that says where
    to get it."""
    try:
        from demo_world.generate import GenerateOptions, generate
    except ModuleNotFoundError as missing:
        if (missing.name or "").split(".")[0] != "demo_world":
            raise  # a module the generator itself needs: not ours to explain
        raise UserError(
            "the demo world generator (demo_world/) ships with the source checkout, not with the "
            "installed package: run this from a clone of the repository (make demo)"
        ) from None
    return GenerateOptions, generate
