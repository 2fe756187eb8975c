"""CompStat in the web app: what the page and the API show, built from the analysis package.

:mod:`.resolve` turns request parameters into a report (errors name the parameter and what is
loaded), :mod:`.page` builds the page's view, :mod:`.followups` the follow-up block and its
forms. The routes in :mod:`beatwise.web.routers.compstat` only parse requests and call these.
"""
