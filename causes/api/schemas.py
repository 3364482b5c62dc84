"""The API's response shapes (pydantic, through Django Ninja): what /api/v1/openapi.json
publishes and every response is checked against. Field types name the allowed values
(the models' choices), so the schema tells clients exactly what can come back."""

from datetime import date
from typing import Literal

from ninja import Schema
from pydantic import Field

from causes.medicines import Status as LookupStatus
from causes.models import AliasKind, BrandMarket, CauseKind, SourceAccess

Kind = Literal[tuple(CauseKind.values)]
Market = Literal[tuple(BrandMarket.values)]
Access = Literal[tuple(SourceAccess.values)]
AliasKindValue = Literal[tuple(AliasKind.values)]
EntryKind = Literal["cause", "drug", "category", "mechanism", "article"]


class Error(Schema):
    error: str = Field(description="What was wrong, in words a person can act on.")


class Ref(Schema):
    slug: str
    name: str


class SourceOut(Schema):
    number: int = Field(description="The number the entry's texts cite it by: [1], [2] …")
    slug: str
    title: str
    authors: str
    year: int | None
    publisher: str
    url: str
    accessed: date = Field(description="When it was really read.")
    access: Access = Field(description="What was read: the full text, the abstract only …")


class BrandNameOut(Schema):
    name: str
    market: Market
    market_label: str = Field(
        description="Beside the name on the site, e.g. 'sold outside the US: UK'."
    )
    named_on_source_page: bool


class AliasOut(Schema):
    name: str
    kind: AliasKindValue


class CategoryOut(Schema):
    slug: str
    name: str
    intro: str
    url: str = Field(description="The page on the site.")


class MechanismOut(Schema):
    slug: str
    name: str
    short_name: str
    explanation: str
    sources: list[SourceOut]
    url: str


class DrugSummary(Schema):
    slug: str
    name: str
    drug_class: str
    cause: str = Field(description="The slug of the cause it is listed under.")
    brand_names: list[BrandNameOut]
    mechanisms: list[str] = Field(description="Slugs of the mechanisms; empty: not established.")
    url: str


class DrugDetail(Schema):
    slug: str
    name: str
    drug_class: str
    cause: Ref
    category: Ref
    brand_names: list[BrandNameOut]
    mechanisms: list[Ref]
    aliases: list[AliasOut]
    on_source_page: bool = Field(description="Named on the source page (the Mayo Clinic list).")
    summary: str
    used_to_treat: str
    mechanism_note: str
    advice: str
    sources: list[SourceOut]
    last_reviewed: date | None
    url: str


class CauseSummary(Schema):
    slug: str
    name: str
    kind: Kind
    category: str = Field(description="The slug of its category.")
    mechanisms: list[str] = Field(description="Slugs of the mechanisms; empty: not established.")
    url: str
    last_reviewed: date | None


class CauseDetail(Schema):
    slug: str
    name: str
    kind: Kind
    category: Ref
    mechanisms: list[Ref]
    drugs: list[DrugSummary]
    aliases: list[AliasOut]
    on_source_page: bool
    source_wording: str
    summary: str
    used_to_treat: str
    mechanism_note: str
    advice: str
    sources: list[SourceOut]
    last_reviewed: date | None
    url: str


class CausePage(Schema):
    count: int
    page: int
    pages: int
    results: list[CauseSummary]


class DrugPage(Schema):
    count: int
    page: int
    pages: int
    results: list[DrugSummary]


class SearchResultOut(Schema):
    kind: EntryKind
    slug: str
    title: str
    url: str
    matched: str = Field(description="The name or text that matched the query.")
    field: str = Field(description="Where it matched: name, alias, brand, uses, summary …")
    description: str


class SearchOut(Schema):
    query: str
    count: int
    results: list[SearchResultOut]
    suggestion: str = Field(description="A spelling to try ('did you mean'), or empty.")
    unlisted_medicine: str = Field(
        description="A medicine the query names that this reference does not list, or empty."
    )


class LookupOut(Schema):
    name: str = Field(description="The name as asked for, its spaces tidied.")
    status: Literal[tuple(s.value for s in LookupStatus)]
    listed: bool = Field(description="Listed here as a possible cause of neutropenia.")
    kind: str
    slug: str
    title: str
    url: str
    reason: str = Field(description="How the name names the entry: brand name, abbreviation …")
    mechanism: str
    drug: Ref | None = Field(description="The listed drug the name is, if it is one.")
    cause: Ref | None = Field(description="The cause it is, or the cause its drug is listed under.")
    medicine_name: str = Field(description="A medicine not listed here that the name is, or empty.")
