from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "metroscope.web.exchange"
    label = "exchange"
    verbose_name = "Exchange"
