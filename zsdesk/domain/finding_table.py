"""Findings held as a few columns and one text per batch, read back one at a time.

The checks tab of a large county shows 80,000 findings. As objects — a Finding, its
record reference, a message, a label, a key, the ids — they took 31 MB in small Python
objects, scattered among the window's own; with the dashboard's Matplotlib loaded
first, the checks tab then took the window past 200 MB (issue 18). Here each finding is
a row of small numbers in arrays (rule, record kind, ids, unit, lengths) and its texts
(message, label, key) are appended to the text of its batch, one string per unit's
findings: some 190 bytes a finding, in blocks large enough that the system takes them
back whole when the table is let go. ``table[i]`` makes the :class:`Finding` again,
equal to the one put in.

No Qt, no SQL: the store fills a table (:func:`zsdesk.store.checks_query.check_table`),
the checks tab shows one.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Sequence

from .checks import ITSELF, RULES, Acknowledgement, Finding, Level, RecordRef, UnitFacts, summary_of

KINDS = ("project", "investor", "visit", "followup", "unit", "target", "county", "event")
"""Record kinds (RecordRef.kind); another kind is added to the table's own list."""

_NO_ID = -1
_NONE, _ITSELF, _PROJECT_ID = 0, 1, 2
"""How a reference's ``target`` is kept: none, the record itself, a bare project id; from
``_PROJECT_ID + 1`` on, a (kind, id) pair whose kind is ``kinds[code - _PROJECT_ID - 1]``."""
_NO_UNIT = 0xFFFF


def _record_key(f: Finding) -> str:
    return f.record.key


class FindingTable(Sequence):
    """Findings in columns; ``table[i]`` is the i-th :class:`Finding`.

    Filled with :meth:`extend` (one batch at a time: each batch's texts become one
    string), ordered once with :meth:`sort`, then read. Counting by level, explained and
    blocking findings reads the columns only (:meth:`count_by_level`, :meth:`blocking_count`,
    :meth:`explained_count`), so a summary of 80,000 findings makes none of them.
    """

    def __init__(self) -> None:
        self._rule_ids: list[str] = list(RULES)
        self._rule_index = {rule: i for i, rule in enumerate(self._rule_ids)}
        self._kinds: list[str] = list(KINDS)
        self._kind_index = {kind: i for i, kind in enumerate(self._kinds)}
        self._units: list[str] = []
        self._unit_index: dict[str, int] = {}
        self._rule = array("H")
        self._kind = array("B")
        self._id = array("q")
        self._target = array("B")
        self._target_id = array("q")
        self._unit = array("H")
        self._batch = array("I")
        self._start = array("I")
        self._lengths = array("I")
        """Three a finding: its message's, its label's and its given key's (0: none given)."""
        self._texts: list[str] = []
        self._acks: dict[int, Acknowledgement] = {}

    # -- filling ------------------------------------------------------------------------

    def extend(self, findings: Iterable[Finding]) -> None:
        """Add a batch of findings; their texts become one string.

        A batch is sorted by record key as it comes in: every finding of one rule and one
        unit comes in one batch (a unit's projects, or the file's other records), so
        :meth:`sort` then needs no key — 80,000 key strings made at once were the largest
        part of the tab's peak."""
        findings = sorted(findings, key=_record_key)
        parts: list[str] = []
        offset = 0
        batch = len(self._texts)
        for f in findings:
            ref = f.record
            i = len(self._rule)
            self._rule.append(self._index(self._rule_ids, self._rule_index, f.rule))
            self._kind.append(self._index(self._kinds, self._kind_index, ref.kind))
            self._id.append(_NO_ID if ref.id is None else ref.id)
            code, target_id = self._target_code(ref.target)
            self._target.append(code)
            self._target_id.append(target_id)
            self._unit.append(_NO_UNIT if ref.unit is None else self._index(self._units, self._unit_index, ref.unit))
            message, label, key = f.message, ref.label, ref.given_key or ""
            self._batch.append(batch)
            self._start.append(offset)
            self._lengths.extend((len(message), len(label), len(key)))
            parts += (message, label, key)
            offset += len(message) + len(label) + len(key)
            if f.acknowledgement is not None:
                self._acks[i] = f.acknowledgement
        self._texts.append("".join(parts))

    @staticmethod
    def _index(names: list[str], index: dict[str, int], name: str) -> int:
        found = index.get(name)
        if found is None:
            found = index[name] = len(names)
            names.append(name)
        return found

    def _target_code(self, target) -> tuple[int, int]:
        if target is None:
            return _NONE, 0
        if target is ITSELF:
            return _ITSELF, 0
        if target.__class__ is int:
            return _PROJECT_ID, target
        kind, target_id = target
        return _PROJECT_ID + 1 + self._index(self._kinds, self._kind_index, kind), target_id

    # -- ordering ---------------------------------------------------------------------

    def sort(self, units: Sequence[UnitFacts]) -> "FindingTable":
        """Order as :func:`zsdesk.domain.checks.sort_findings` does: most serious first,
        then by unit (in the units' order), rule and record key (for batches as the store
        makes them: one rule's findings on one unit all in one batch)."""
        rank = {u.name: i for i, u in enumerate(units)}
        unit_rank = [rank.get(name, len(rank)) for name in self._units]
        severity = [RULES[rule].level.severity for rule in self._rule_ids]
        rule_ids, rules, unit_of = self._rule_ids, self._rule, self._unit
        order = list(range(len(rules)))  # within a batch by record key already (extend)
        order.sort(key=lambda i: rule_ids[rules[i]])
        order.sort(key=lambda i: len(rank) if unit_of[i] == _NO_UNIT else unit_rank[unit_of[i]])
        order.sort(key=lambda i: severity[rules[i]])
        # Columns rebuilt from iterators: no list of 80,000 numbers made on the way.
        for name in ("_rule", "_kind", "_id", "_target", "_target_id", "_unit", "_batch", "_start"):
            column = getattr(self, name)
            setattr(self, name, array(column.typecode, map(column.__getitem__, order)))
        lengths = self._lengths
        self._lengths = array("I", (lengths[3 * i + k] for i in order for k in range(3)))
        position = {old: new for new, old in enumerate(order) if old in self._acks}
        self._acks = {position[old]: ack for old, ack in self._acks.items()}
        return self

    # -- reading ----------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._rule)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        message, label, key = self._text(i)
        kind = self._kinds[self._kind[i]]
        record_id = self._id[i]
        code, target_id = self._target[i], self._target_id[i]
        if code == _NONE:
            target = None
        elif code == _ITSELF:
            target = ITSELF
        elif code == _PROJECT_ID:
            target = target_id
        else:
            target = (self._kinds[code - _PROJECT_ID - 1], target_id)
        unit = None if self._unit[i] == _NO_UNIT else self._units[self._unit[i]]
        ref = RecordRef(key or None, kind, None if record_id == _NO_ID else record_id, label, unit, target)
        rule = self._rule_ids[self._rule[i]]
        return Finding(rule, RULES[rule].level, message, ref, self._acks.get(i))

    def __iter__(self) -> Iterator[Finding]:
        return (self[i] for i in range(len(self)))

    def _text(self, i: int) -> tuple[str, str, str]:
        text, start = self._texts[self._batch[i]], self._start[i]
        message_length, label_length, key_length = self._lengths[3 * i : 3 * i + 3]
        label_at = start + message_length
        key_at = label_at + label_length
        return text[start:label_at], text[label_at:key_at], text[key_at : key_at + key_length]

    def record_key(self, i: int) -> str:
        """The i-th finding's record key, without making the finding."""
        key = self._text(i)[2]
        return key or f"{self._kinds[self._kind[i]]}:{self._id[i]}"

    def index_of(self, rule: str, record_key: str) -> int | None:
        """The position of the finding of ``rule`` on ``record_key``, or None."""
        wanted = self._rule_index.get(rule)
        if wanted is None:
            return None
        for i, r in enumerate(self._rule):
            if r == wanted and self.record_key(i) == record_key:
                return i
        return None

    def level(self, i: int) -> Level:
        return RULES[self._rule_ids[self._rule[i]]].level

    def explained(self, i: int) -> bool:
        return i in self._acks

    def count_by_level(self) -> dict[Level, int]:
        per_rule = [0] * len(self._rule_ids)
        for r in self._rule:
            per_rule[r] += 1
        counts = dict.fromkeys(Level, 0)
        for rule, count in zip(self._rule_ids, per_rule):
            counts[RULES[rule].level] += count
        return counts

    def explained_count(self) -> int:
        return len(self._acks)

    def blocking_count(self) -> int:
        """Errors, and warnings nobody explained (:attr:`Finding.blocks`)."""
        counts = self.count_by_level()
        explained_warnings = sum(1 for i in self._acks if self.level(i) is Level.WARNING)
        return counts[Level.ERROR] + counts[Level.WARNING] - explained_warnings

    def summary(self) -> str:
        """:func:`zsdesk.domain.checks.summary` of the table."""
        return summary_of(self.count_by_level(), self.explained_count())
