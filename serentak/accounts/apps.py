from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "serentak.accounts"
    label = "accounts"
    verbose_name = "Accounts"
