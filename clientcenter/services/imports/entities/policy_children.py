"""What vehicles, coverages and drivers share: each row names its policy (by policy id, or
carrier + number) and is found again on that policy by the export's own id or by what names
it there. A full import removes the ones a file no longer names from policies still open on
imported accounts, unless something references them; a closed policy keeps its history."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any, ClassVar

from sqlalchemy import delete
from sqlmodel import Session, select

from clientcenter.models import Account, Policy
from clientcenter.services.imports.bulk import NewRecord
from clientcenter.services.imports.claims import Claims
from clientcenter.services.imports.entities.accounts import OPEN_STATUSES
from clientcenter.services.imports.entities.base import (
    Book,
    Entity,
    ParsedRow,
    PolicyRef,
    chunked,
    one_of,
    stored,
)
from clientcenter.services.imports.entities.policy_refs import (
    find_policies,
    policy_key,
    refuse_unnamed_or_unknown,
)


class PolicyChild(Entity):
    model: ClassVar[type]
    noun: ClassVar[str]  # "vehicle", for messages
    key_column: ClassVar[str]  # where a repeated record is reported

    def start(self) -> None:
        self._policy_of: dict[int, PolicyRef] = {}  # row line -> its policy (this chunk's)
        self._accounts: dict[int, int] = {}  # policy id -> account id (this chunk's)
        self._first_line = Claims()  # (policy, own key) -> first line

    def end_chunk(self) -> None:
        self._first_line.end_chunk()
        self._policy_of.clear()
        self._accounts.clear()

    def found_columns(self) -> tuple:
        return (Policy.account_id, self.model.policy_id)

    def found_join(self, statement: Any) -> Any:
        return statement.join(Policy, Policy.id == self.model.policy_id)

    # -- what a subclass says ------------------------------------------------------------

    def own_key(self, row: ParsedRow) -> Hashable | None:
        """What names the record on its policy, or None when nothing does."""
        raise NotImplementedError

    def refuse_unkeyed(self, row: ParsedRow) -> None:
        raise NotImplementedError

    def before_match(self, session: Session, rows: list[ParsedRow], book: Book) -> None:
        """Lookups the rows need beyond their policy (a coverage's vehicle)."""

    def match(self, row: ParsedRow, ref: PolicyRef, on_policy: list[Any]) -> Any | None:
        """The row's record among those already on its policy."""
        raise NotImplementedError

    def attributes(self, row: ParsedRow, book: Book) -> dict[str, Any]:
        raise NotImplementedError

    def referenced(self) -> Iterable[Any]:
        """Conditions under which a record is kept though absent (something references it)."""
        return ()

    # -- the Entity interface --------------------------------------------------------------

    def key(self, row: ParsedRow) -> Hashable:
        policy, own = policy_key(row.values), self.own_key(row)
        if policy is None or own is None:
            return ("unnamed", row.line)  # unique: resolve refuses it with the reason
        return (policy, own)

    def policy_of(self, row: ParsedRow) -> PolicyRef:
        return self._policy_of[row.line]

    def resolve(self, session: Session, rows: list[ParsedRow], book: Book) -> None:
        refs = find_policies(session, rows, book)
        self._first_line.prefetch(
            (ref.handle, own)
            for row in rows
            if (ref := refs.get(policy_key(row.values))) is not None
            and (own := self.own_key(row)) is not None
        )
        live: list[ParsedRow] = []
        for row in rows:
            ref = refuse_unnamed_or_unknown(row, refs)
            if ref is None:
                continue
            own = self.own_key(row)
            if own is None:
                self.refuse_unkeyed(row)
                continue
            # The same record named twice, once by policy id and once by number.
            first = self._first_line.setdefault((ref.handle, own), row.line)
            if first != row.line:
                row.refuse(self.key_column, f"line {first} names the same {self.noun}")
                continue
            self._policy_of[row.line] = ref
            if ref.id is not None and ref.account_id is not None:
                self._accounts[ref.id] = ref.account_id
            live.append(row)
        self.before_match(session, live, book)
        policy_ids = {self._policy_of[r.line].id for r in live} - {None}
        on_policies: dict[int, list[Any]] = {}
        if policy_ids:
            for record in stored(
                session, self.model, one_of(session, self.model.policy_id, policy_ids)
            ):
                on_policies.setdefault(record.policy_id, []).append(record)
        for row in live:
            if row.refusal is None:
                ref = self._policy_of[row.line]
                row.existing = self.match(row, ref, on_policies.get(ref.id, []))

    def target(self, row: ParsedRow, book: Book) -> dict[str, Any]:
        return {"policy_id": self.policy_of(row).id, **self.attributes(row, book)}

    def new(self, attrs: dict[str, Any], book: Book) -> Any:
        return self.model(**attrs)

    def new_record(self, attrs: dict[str, Any], book: Book) -> NewRecord:
        return NewRecord(self.model, dict(attrs))  # the columns' defaults fill the rest

    def account_id(self, record: Any) -> int:
        return self._accounts[record.policy_id]

    def open_imported(self, session: Session) -> set[int]:
        """Records on open policies of imported accounts that nothing references."""
        return set(
            session.exec(
                select(self.model.id)
                .join(Policy, Policy.id == self.model.policy_id)
                .join(Account, Account.id == Policy.account_id)
                .where(
                    Account.external_id.is_not(None),
                    Policy.status.in_(OPEN_STATUSES),
                    *(~condition for condition in self.referenced()),
                )
            )
        )

    def retire(self, session: Session, ids: Iterable[int]) -> None:
        """Removed; the reference check is repeated in the DELETE itself, so a record that
        something came to reference since it was counted stays."""
        for batch in chunked(ids):
            session.execute(
                delete(self.model)
                .where(self.model.id.in_(batch), *(~c for c in self.referenced()))
                .execution_options(synchronize_session=False)
            )
            self.forget_removed(session, batch)
        session.flush()


def claimable(record_external_id: str | None, row_id: str | None) -> bool:
    """Whether a record may be found by what names it (VIN, name) rather than by id: not
    when it already carries another export id and the row has one of its own."""
    return record_external_id is None or not row_id
