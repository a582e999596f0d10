"""The briefing as one self-contained HTML page: images inlined as data URIs, styles inline,
no script and no network, so it can be sent as it is."""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from sim.briefing.sources import Entry

STYLE = """
*, *::before, *::after { box-sizing: border-box; }
body { font-family: "DejaVu Sans", Arial, sans-serif; color: #1a1a1a; margin: 0; background: #fff; line-height: 1.45; }
main { max-width: 1040px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 1.75rem; margin: 0 0 0.4rem; }
h2 { font-size: 1.3rem; margin: 2.2rem 0 0.6rem; border-bottom: 2px solid #0173b2; padding-bottom: 0.2rem; }
p, li { font-size: 1rem; overflow-wrap: anywhere; }
.meta { color: #444; font-size: 0.9rem; }
figure { margin: 1.2rem 0 1.8rem; }
figure img { width: 100%; height: auto; display: block; border: 1px solid #ddd; }
figcaption { font-size: 0.9rem; color: #333; margin-top: 0.3rem; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; margin: 0.6rem 0 1rem; font-size: 0.88rem; }
th, td { border: 1px solid #ccc; padding: 4px 6px; vertical-align: top; text-align: left; overflow-wrap: anywhere; word-break: break-word; }
th { background: #eef4fa; }
tr.published td { background: #f6f6f6; font-style: italic; }
.missing { background: #fff4e5; border-left: 4px solid #de8f05; padding: 8px 12px; }
nav ol { columns: 2; font-size: 0.95rem; }
"""


@dataclass
class Section:
    """A part of the page: heading, paragraphs, then charts and tables in order."""

    anchor: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    blocks: list[str] = field(default_factory=list)

    def chart(self, png: bytes, alt: str, caption: str = "") -> None:
        data = base64.b64encode(png).decode("ascii")
        caption_html = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
        self.blocks.append(f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">'
                           f"{caption_html}</figure>")

    def table(self, frame: pd.DataFrame, published_rows: Sequence[int] = ()) -> None:
        head = "".join(f"<th>{html.escape(str(column))}</th>" for column in frame.columns)
        rows = []
        for index, (_, row) in enumerate(frame.iterrows()):
            cells = "".join(f"<td>{html.escape(str(value))}</td>" for value in row)
            rows.append(f'<tr class="published">{cells}</tr>' if index in published_rows else f"<tr>{cells}</tr>")
        self.blocks.append(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")

    def missing(self, text: str) -> None:
        self.blocks.append(f'<p class="missing">{html.escape(text)}</p>')

    def render(self) -> str:
        paragraphs = "".join(f"<p>{html.escape(text)}</p>" for text in self.paragraphs)
        return f'<section id="{self.anchor}"><h2>{html.escape(self.title)}</h2>{paragraphs}{"".join(self.blocks)}</section>'


def assumptions_section(entries: Sequence[Entry]) -> Section:
    section = Section("assumptions", "Assumptions and sources")
    assumed = sum(entry.is_assumption for entry in entries)
    section.paragraphs.append(
        f"Generated from the configs the runs were made with: {len(entries)} entries, {assumed} of them labelled "
        "'assumption' with a reason. Every model parameter, with its source, is in docs/parameters.md.")
    frame = pd.DataFrame([{"Group": e.group, "Item": e.name, "Value": e.value, "Source": e.source} for e in entries])
    section.table(frame)
    return section


def render(title: str, meta: Sequence[str], sections: Sequence[Section]) -> str:
    contents = "".join(f'<li><a href="#{s.anchor}">{html.escape(s.title)}</a></li>' for s in sections)
    meta_html = "".join(f'<p class="meta">{html.escape(line)}</p>' for line in meta)
    body = "".join(section.render() for section in sections)
    return (f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>"
            f"<body><main><h1>{html.escape(title)}</h1>{meta_html}<nav><ol>{contents}</ol></nav>{body}</main></body></html>")
