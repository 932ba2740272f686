"""A generic statistical table (biểu số liệu): multi-level headers, rows of numeric or text cells.

Used for the inspectorate forms (01/TCD, 01/XLD…04/XLD, 01/KQGQ, 02/KQGQ), the annex of
"Dân vận khéo" models, and the small summary tables of a report.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

from pydantic import (BaseModel, ConfigDict, Field, StrictFloat, StrictInt, StrictStr,
                      model_validator)

Cell = StrictInt | StrictFloat | StrictStr | None
ColumnKind = Literal["text", "number", "percent"]


class HeaderCell(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str
    colspan: int = Field(1, ge=1)
    rowspan: int = Field(1, ge=1)


class PlacedCell(NamedTuple):
    row: int
    col: int
    cell: HeaderCell


class Table(BaseModel):
    """`header` lists header rows top-down; a cell spanning rows is given only in its top row.

    `column_kinds` (one per leaf column, or empty to infer from the cells) says how a column is
    shown: percent cells hold fractions (0.875 → 87,5 %). `numbered` adds the "(1) (2) …" row
    the inspectorate forms carry under their headers.
    """

    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1)
    title_vi: str = Field(min_length=1)
    header: list[list[HeaderCell]] = Field(min_length=1)
    rows: list[list[Cell]] = Field(default_factory=list)
    column_kinds: list[ColumnKind] = Field(default_factory=list)
    numbered: bool = False
    notes_vi: list[str] = Field(default_factory=list)

    @property
    def n_columns(self) -> int:
        return sum(c.colspan for c in self.header[0])

    def placed_header(self) -> list[PlacedCell]:
        """Header cells with their grid position, as a spreadsheet would merge them."""
        return _place(self.header, self.n_columns)

    def kind_of(self, col: int) -> ColumnKind:
        if self.column_kinds:
            return self.column_kinds[col]
        values = [r[col] for r in self.rows if r[col] is not None]
        numeric = values and all(isinstance(v, int | float) for v in values)
        return "number" if numeric else "text"

    @model_validator(mode="after")
    def _consistent(self) -> Table:
        n = self.n_columns
        self.placed_header()
        for i, row in enumerate(self.rows, start=1):
            if len(row) != n:
                raise ValueError(f"table {self.code}: row {i} has {len(row)} cells, expected {n}")
        if self.column_kinds and len(self.column_kinds) != n:
            raise ValueError(
                f"table {self.code}: {len(self.column_kinds)} column kinds for {n} columns")
        return self


def _place(header: list[list[HeaderCell]], n_columns: int) -> list[PlacedCell]:
    height = len(header)
    taken = [[False] * n_columns for _ in range(height)]
    placed: list[PlacedCell] = []
    for r, cells in enumerate(header):
        col = 0
        for cell in cells:
            while col < n_columns and taken[r][col]:
                col += 1
            _claim(taken, r, col, cell)
            placed.append(PlacedCell(r, col, cell))
            col += cell.colspan
    gaps = [(r, c) for r in range(height) for c in range(n_columns) if not taken[r][c]]
    if gaps:
        raise ValueError(f"header leaves cells uncovered at (row, column) {gaps[:5]}")
    return placed


def _claim(taken: list[list[bool]], r: int, col: int, cell: HeaderCell) -> None:
    rows, cols = range(r, r + cell.rowspan), range(col, col + cell.colspan)
    if rows.stop > len(taken) or cols.stop > len(taken[0]):
        raise ValueError(f"header cell {cell.text!r} overflows the header grid")
    if any(taken[i][j] for i in rows for j in cols):
        raise ValueError(f"header cell {cell.text!r} overlaps another header cell")
    for i in rows:
        for j in cols:
            taken[i][j] = True


def leaf_header(columns: list[str]) -> list[list[HeaderCell]]:
    """A one-row header from plain column titles."""
    return [[HeaderCell(text=c) for c in columns]]
