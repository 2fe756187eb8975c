"""CompStat: the weekly report (NYPD layout), its windows and change scores, trends, drill-down
and the follow-up record.

Pure analysis over Ibis and Arrow tables: nothing here reads files, opens connections or renders
pages; the CLI, the web app and ``beatwise.reports`` call it. The method is documented in
``docs/methods/compstat.md``.
"""
