"""Page views of the exchange, one module per page family; routes in ``exchange/urls.py``."""

from metroscope.web.exchange.views.cases import case_detail, case_list
from metroscope.web.exchange.views.compare import compare
from metroscope.web.exchange.views.home import home, map_page
from metroscope.web.exchange.views.places import city_detail, metro_detail
from metroscope.web.exchange.views.sdgs import sdg_detail, sdg_index

__all__ = [
    "case_detail",
    "case_list",
    "city_detail",
    "compare",
    "home",
    "map_page",
    "metro_detail",
    "sdg_detail",
    "sdg_index",
]
