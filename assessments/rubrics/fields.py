"""What every part of a rubric file is made of: identifiers, text, and models that refuse keys
they do not know."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from assessments.kernel.inputs import storable

Identifier = Annotated[
    str,
    Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$"),
]


Text = Annotated[str, Field(min_length=1)]


class Strict(BaseModel):
    # Unknown keys are refused: a misspelt `requried:` must not silently mean "optional".
    model_config = ConfigDict(extra="forbid", frozen=True)
    # Its text is stored in the database when it is published: no NUL (YAML's "\0").
    _storable = field_validator("*", mode="after")(storable)
