"""Presentation floor (floor 3): writers of result objects — xlsx, html, docx, json.

No analytics here: a writer reads a result (:mod:`nqpf.results`) and draws it.

* :mod:`nqpf.present.page` — the one HTML page shell and chart helper of every page;
* :mod:`nqpf.present.tables` — JSON document and workbook of any result;
* :mod:`nqpf.present.assessment` — scores.csv, assessment.xlsx/.html/.docx;
* :mod:`nqpf.present.disparity` — disparity.xlsx/.html, diagnosis.xlsx;
* :mod:`nqpf.present.industry` — opportunities page and workbook;
* :mod:`nqpf.present.chain_map` — chain map page (SVG, upstream → downstream) and workbook.
"""
