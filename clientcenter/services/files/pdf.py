"""Branded PDF building blocks (fpdf2). Core fonts are Latin-1, so text is folded to it."""

from __future__ import annotations

from fpdf import FPDF

from clientcenter.settings import Branding

_FOLD = str.maketrans(
    {
        "–": "-",
        "—": "-",
        "’": "'",
        "‘": "'",
        "“": '"',
        "”": '"',
        "•": "-",
        "…": "...",
        "×": "x",
        "\u00a0": " ",
    }
)


def pdf_text(value: object) -> str:
    text = str(value).translate(_FOLD)
    return text.encode("latin-1", "replace").decode("latin-1")


class BrandedPDF(FPDF):
    """A letter page with the agency's name and contact line in the header and footer."""

    def __init__(self, branding: Branding, title: str):
        super().__init__(format="Letter")
        self.branding = branding
        self.doc_title = title
        self.set_title(pdf_text(title))
        self.set_author(pdf_text(branding.agency_name))
        self.set_auto_page_break(auto=True, margin=18)
        self.add_page()

    def header(self):
        self.set_font("Helvetica", "B", 15)
        self.cell(0, 8, pdf_text(self.branding.agency_name), new_x="LMARGIN", new_y="NEXT")
        self.set_font("Helvetica", "", 9)
        self.set_text_color(90, 90, 90)
        line = f"{self.branding.address}  |  {self.branding.phone}  |  {self.branding.email}"
        self.cell(0, 5, pdf_text(line), new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)
        self.ln(4)
        self.set_font("Helvetica", "B", 13)
        self.cell(0, 8, pdf_text(self.doc_title), new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def footer(self):
        self.set_y(-14)
        self.set_font("Helvetica", "", 8)
        self.set_text_color(120, 120, 120)
        self.cell(0, 6, pdf_text(f"{self.branding.website}  -  page {self.page_no()}"), align="C")

    def field(self, label: str, value: object) -> None:
        self.set_font("Helvetica", "B", 10)
        self.cell(55, 6, pdf_text(label))
        self.set_font("Helvetica", "", 10)
        self.multi_cell(0, 6, pdf_text(value), new_x="LMARGIN", new_y="NEXT")

    def paragraph(self, text: str) -> None:
        self.set_font("Helvetica", "", 10)
        self.multi_cell(0, 5, pdf_text(text), new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def table(self, headers: list[str], rows: list[list[object]]) -> None:
        with super().table(text_align="LEFT", line_height=6) as table:
            self.set_font("Helvetica", "B", 9)
            head = table.row()
            for h in headers:
                head.cell(pdf_text(h))
            self.set_font("Helvetica", "", 9)
            for r in rows:
                row = table.row()
                for value in r:
                    row.cell(pdf_text(value))
        self.ln(3)

    def to_bytes(self) -> bytes:
        return bytes(self.output())
