"""Reports: analysis results rendered as HTML, PDF, CSV, XLSX and JSON, for the CLI and the web.

Renderers take the frozen result objects of the analysis packages and return bytes; they compute
nothing new (every figure is on the result), so a report in any format shows the same numbers.
"""
