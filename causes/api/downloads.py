"""Open data: all published content as one JSON file, or as CSV files (one per kind of
entry) in a zip with the JSON and a README, with the licence, the attribution to use and
the date of the data.

Built from `causes.api.data`, the same shapes the API answers with, when asked for, so a
download is never staler than the site: the page cache keeps a built file only for the
content generation it was built under, like any page. The zip's members carry the date of
the data, so the same content always gives the same bytes (and the same ETag).
"""

import csv
import io
import json
import zipfile

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse

from causes.api import data
from site_config.page_cache.models import ContentChange

LIST_SEPARATOR = "|"


def data_date():
    """When the content last changed: the newest content change recorded."""
    latest = ContentChange.objects.order_by("-id").values_list("changed_at", flat=True).first()
    return latest


def about() -> dict:
    changed = data_date()
    return {
        "title": "Neutropenia causes: open data",
        "licence": settings.OPEN_DATA_LICENCE,
        "licence_url": settings.OPEN_DATA_LICENCE_URL,
        "attribution": settings.OPEN_DATA_ATTRIBUTION,
        "data_date": changed.date().isoformat() if changed else None,
        "note": (
            "General information, not medical advice. Texts cite their sources as [n], "
            "the number of the source in the entry's own list of sources."
        ),
    }


def everything() -> dict:
    causes = list(data.causes())
    return {
        "about": about(),
        "categories": [data.category(c) for c in data.categories()],
        "mechanisms": [data.mechanism(m) for m in data.mechanisms()],
        "causes": [data.cause_detail(c) for c in causes],
        "drugs": [data.drug_detail(d) for d in data.drugs()],
        "articles": [data.article(a) for a in data.articles()],
    }


def _joined(values) -> str:
    return LIST_SEPARATOR.join(str(v) for v in values)


def _csv(header: list[str], rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def csv_files(content: dict) -> dict[str, str]:
    """One CSV per kind of entry; lists in a cell are joined with '|'."""
    sources = {}
    for kind in ("mechanisms", "causes", "drugs", "articles"):
        for entry in content[kind]:
            for source in entry["sources"]:
                sources[source["slug"]] = source
    text_columns = ["summary", "used_to_treat", "mechanism_note", "advice"]
    return {
        "categories.csv": _csv(
            ["slug", "name", "intro", "url"],
            [[c["slug"], c["name"], c["intro"], c["url"]] for c in content["categories"]],
        ),
        "mechanisms.csv": _csv(
            ["slug", "name", "short_name", "explanation", "sources", "url"],
            [
                [
                    m["slug"],
                    m["name"],
                    m["short_name"],
                    m["explanation"],
                    _joined(s["slug"] for s in m["sources"]),
                    m["url"],
                ]
                for m in content["mechanisms"]
            ],
        ),
        "causes.csv": _csv(
            [
                "slug",
                "name",
                "kind",
                "category",
                "mechanisms",
                *text_columns,
                "aliases",
                "on_source_page",
                "sources",
                "last_reviewed",
                "url",
            ],
            [
                [
                    c["slug"],
                    c["name"],
                    c["kind"],
                    c["category"]["slug"],
                    _joined(m["slug"] for m in c["mechanisms"]),
                    *(c[f] for f in text_columns),
                    _joined(a["name"] for a in c["aliases"]),
                    c["on_source_page"],
                    _joined(s["slug"] for s in c["sources"]),
                    c["last_reviewed"] or "",
                    c["url"],
                ]
                for c in content["causes"]
            ],
        ),
        "drugs.csv": _csv(
            [
                "slug",
                "name",
                "drug_class",
                "cause",
                "mechanisms",
                *text_columns,
                "brand_names",
                "aliases",
                "on_source_page",
                "sources",
                "last_reviewed",
                "url",
            ],
            [
                [
                    d["slug"],
                    d["name"],
                    d["drug_class"],
                    d["cause"]["slug"],
                    _joined(m["slug"] for m in d["mechanisms"]),
                    *(d[f] for f in text_columns),
                    _joined(b["name"] for b in d["brand_names"]),
                    _joined(a["name"] for a in d["aliases"]),
                    d["on_source_page"],
                    _joined(s["slug"] for s in d["sources"]),
                    d["last_reviewed"] or "",
                    d["url"],
                ]
                for d in content["drugs"]
            ],
        ),
        "brand_names.csv": _csv(
            ["drug", "name", "market", "market_label", "named_on_source_page"],
            [
                [d["slug"], b["name"], b["market"], b["market_label"], b["named_on_source_page"]]
                for d in content["drugs"]
                for b in d["brand_names"]
            ],
        ),
        "sources.csv": _csv(
            ["slug", "title", "authors", "year", "publisher", "url", "accessed", "access"],
            [
                [
                    s["slug"],
                    s["title"],
                    s["authors"],
                    s["year"] or "",
                    s["publisher"],
                    s["url"],
                    s["accessed"],
                    s["access"],
                ]
                for s in sorted(sources.values(), key=lambda s: s["slug"])
            ],
        ),
    }


def readme(info: dict) -> str:
    return (
        f"{info['title']}\n\n"
        f"Date of the data: {info['data_date']}\n"
        f"Licence: {info['licence']} ({info['licence_url']})\n"
        f"Attribution: {info['attribution']}\n\n"
        f"{info['note']}\n\n"
        "Files: neutropenia-causes.json (everything, nested), and one CSV per kind of entry "
        f"(UTF-8, comma-separated; lists in a cell are joined with '{LIST_SEPARATOR}').\n"
    )


def _attachment(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _json_bytes(content: dict) -> bytes:
    return json.dumps(content, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1).encode()


def json_response() -> HttpResponse:
    return _attachment(_json_bytes(everything()), "application/json", "neutropenia-causes.json")


def zip_response() -> HttpResponse:
    content = everything()
    stamp = tuple(int(p) for p in (content["about"]["data_date"] or "1980-01-01").split("-"))
    members = {
        "README.txt": readme(content["about"]).encode(),
        "neutropenia-causes.json": _json_bytes(content),
        **{name: text.encode() for name, text in csv_files(content).items()},
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in members.items():
            archive.writestr(
                zipfile.ZipInfo(name, date_time=(*stamp, 0, 0, 0)), body, zipfile.ZIP_DEFLATED
            )
    return _attachment(buffer.getvalue(), "application/zip", "neutropenia-causes.zip")
