"""The base of every request body: a field the schema does not name is refused, never ignored.

A body is what the caller may set, and nothing else: `school_id` comes from the path or the caller's own
schools, roles from the admin's staff form, ids of other objects only where the schema names them (and the
service checks they are the caller's). An unknown field is a 422 VALIDATION_ERROR naming it
(`fields: {"school_id": "不是可接受的字段"}`), so a client sending `role` or `status` learns at once that it
changes nothing, instead of believing it did. `tests/core/test_mass_assignment.py` checks that every body of
every route is an `Input` and sends each one extra fields.
"""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

# Text a person must write (a reason, a note, what happened): spaces alone are no text. Stripped before the length
# is checked, so "   " is refused as empty, on the server whatever the client checked.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Input(BaseModel):
    """A request body (or a part of one). Subclasses may add to `model_config`; pydantic merges it with this."""

    model_config = ConfigDict(extra="forbid")
