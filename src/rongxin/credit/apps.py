from django.apps import AppConfig


class CreditConfig(AppConfig):
    name = "rongxin.credit"
    label = "credit"
    verbose_name = "Credit"

    def ready(self) -> None:
        from rongxin.credit.services import credit_on_consent_change
        from rongxin.subjects.services import consent_listeners

        if credit_on_consent_change not in consent_listeners:
            consent_listeners.append(credit_on_consent_change)
