"""Every route's numeric parameters are bounded to what the columns hold, so a new route
cannot forget: its path ids and query numbers, and the numbers in its JSON body."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, get_args

import annotated_types
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from starlette.routing import BaseRoute

from assessments.kernel.inputs import MAX_INT


def api_routes(routes: Iterable[BaseRoute]) -> Iterator[APIRoute]:
    """Every route of the app, those of included routers too."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif (router := getattr(route, "original_router", None)) is not None:
            yield from api_routes(router.routes)


def _flat(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _flat(sub)


def _is_int(annotation: Any) -> bool:
    return annotation is int or int in get_args(annotation)


def _bounds(info: FieldInfo) -> tuple[int | None, int | None]:
    lo = next((m.ge for m in info.metadata if isinstance(m, annotated_types.Ge)), None)
    hi = next((m.le for m in info.metadata if isinstance(m, annotated_types.Le)), None)
    return lo, hi  # type: ignore[return-value]


def _models(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in get_args(annotation):
        yield from _models(arg)


def _unbounded(route: APIRoute) -> list[str]:
    problems = []
    every = list(_flat(route.dependant))
    for param in [p for d in every for p in (*d.path_params, *d.query_params)]:
        info = param.field_info
        if _is_int(info.annotation):
            lo, hi = _bounds(info)
            if lo is None or lo < 0 or hi is None or hi > MAX_INT:
                problems.append(f"{route.path} {param.name}: {lo}..{hi}")
    for body in [p for d in every for p in d.body_params]:
        for model in _models(body.field_info.annotation):
            for name, info in model.model_fields.items():
                if _is_int(info.annotation):
                    lo, hi = _bounds(info)
                    if lo is None or lo < -MAX_INT - 1 or hi is None or hi > MAX_INT:
                        problems.append(f"{route.path} body {name}: {lo}..{hi}")
    return problems


def test_every_route_is_found(app: FastAPI) -> None:
    paths = {route.path for route in api_routes(app.routes)}
    assert {"/policies/{policy_id}", "/api/v1/register", "/sign-in"} <= paths
    assert len(paths) > 50


def test_every_number_a_route_takes_is_bounded_to_the_columns(app: FastAPI) -> None:
    problems = [problem for route in api_routes(app.routes) for problem in _unbounded(route)]
    assert problems == []


@pytest.mark.parametrize("path", ["/policies/{policy_id}", "/api/v1/policies/{policy_id}"])
def test_an_unbounded_id_would_be_found(app: FastAPI, path: str) -> None:
    """The check itself: a route taking a plain `int` id is reported."""
    probe = FastAPI()

    @probe.get(path)
    def plain(policy_id: int) -> None: ...

    assert _unbounded(next(api_routes(probe.routes))) == [f"{path} policy_id: None..None"]
