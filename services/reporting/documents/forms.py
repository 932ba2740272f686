"""The inspectorate's data forms (01/TCD, 01/XLD…04/XLD, 01/KQGQ, 02/KQGQ) from tcd_forms.yaml.

The projections fill a form by leaf key and get a generic `Table` with its multi-level header:

    form_table("01/XLD", [{"don_vi": "Văn phòng Sở", "tong": 12, "ky_truoc": 2, ...}])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..report_tables import Cell, ColumnKind, HeaderCell, Table
from .settings import PACKAGED_TEMPLATE_DIR, DocumentSettings
from .yaml_files import read_yaml

FORMS_FILE = "tcd_forms.yaml"


class FormColumn(BaseModel):
    """A leaf column (with `key`) or a group of columns (with `children`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(min_length=1)
    key: str | None = None
    kind: Literal["text", "number"] = "number"
    children: list[FormColumn] = Field(default_factory=list)

    @model_validator(mode="after")
    def _leaf_or_group(self) -> FormColumn:
        if bool(self.key) == bool(self.children):
            raise ValueError(f"column {self.text!r} needs either a key or children, not both")
        return self

    def leaves(self) -> list[FormColumn]:
        return [self] if self.key else [leaf for c in self.children for leaf in c.leaves()]

    def depth(self) -> int:
        return 1 + max((c.depth() for c in self.children), default=0)


class FormSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    title: str = Field(min_length=1)
    columns: list[FormColumn] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_keys(self) -> FormSpec:
        keys = self.keys()
        duplicates = sorted({k for k in keys if keys.count(k) > 1})
        if duplicates:
            raise ValueError(f"form {self.code}: duplicate column keys {duplicates}")
        return self

    def leaves(self) -> list[FormColumn]:
        return [leaf for c in self.columns for leaf in c.leaves()]

    def keys(self) -> list[str]:
        return [str(leaf.key) for leaf in self.leaves()]

    def header(self) -> list[list[HeaderCell]]:
        height = max(c.depth() for c in self.columns)
        rows: list[list[HeaderCell]] = [[] for _ in range(height)]
        for column in self.columns:
            _emit(column, 0, height, rows)
        return rows

    def build(self, rows: Iterable[Mapping[str, Cell]], notes: Iterable[str] = ()) -> Table:
        """A Table of this form; each row maps leaf keys to values (missing keys stay blank)."""
        keys = self.keys()
        cells = [_row_cells(self.code, keys, row) for row in rows]
        kinds: list[ColumnKind] = [leaf.kind for leaf in self.leaves()]
        return Table(code=self.code, title_vi=self.title, header=self.header(), rows=cells,
                     column_kinds=kinds, numbered=True, notes_vi=list(notes))


def _emit(column: FormColumn, level: int, height: int, rows: list[list[HeaderCell]]) -> None:
    span = len(column.leaves())
    rowspan = height - level if column.key else 1
    rows[level].append(HeaderCell(text=column.text, colspan=span, rowspan=rowspan))
    for child in column.children:
        _emit(child, level + 1, height, rows)


def _row_cells(code: str, keys: list[str], row: Mapping[str, Cell]) -> list[Cell]:
    unknown = sorted(set(row) - set(keys))
    if unknown:
        raise ValueError(f"form {code}: unknown column keys {unknown}")
    return [row.get(k) for k in keys]


def load_forms(settings: DocumentSettings | None = None) -> dict[str, FormSpec]:
    """Every form of tcd_forms.yaml, from the first template folder that has the file."""
    dirs = settings.template_dirs() if settings else [PACKAGED_TEMPLATE_DIR]
    path = next((Path(d) / FORMS_FILE for d in dirs if (Path(d) / FORMS_FILE).is_file()), None)
    if path is None:
        raise ValueError(f"no {FORMS_FILE} in {', '.join(str(d) for d in dirs)}")
    data = read_yaml(path) or {}
    return {code: FormSpec.model_validate({"code": code, **spec}) for code, spec in data.items()}


def form_table(code: str, rows: Iterable[Mapping[str, Cell]],
               settings: DocumentSettings | None = None, notes: Iterable[str] = ()) -> Table:
    forms = load_forms(settings)
    if code not in forms:
        raise ValueError(f"unknown form {code!r}; known: {', '.join(forms)}")
    return forms[code].build(rows, notes)
