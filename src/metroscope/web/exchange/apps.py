from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "metroscope.web.exchange"
    label = "exchange"
    verbose_name = "Exchange"

    def ready(self) -> None:
        from metroscope.web.exchange.search.index import connect_signals

        connect_signals()
