from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "metroscope.web.exchange"
    label = "exchange"
    verbose_name = "Exchange"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from metroscope.web.exchange.search.index import connect_signals
        from metroscope.web.exchange.search.sqlite import configure_connection

        connect_signals()
        connection_created.connect(configure_connection, dispatch_uid="exchange_sqlite_pragmas")
