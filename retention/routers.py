"""Only the erasure ledger lives in the ``ledger`` database, and it lives nowhere else."""

LEDGER_DATABASE = "ledger"


def _is_ledger(app_label: str, model_name: str | None) -> bool:
    return app_label == "retention" and model_name == "erasureledgerentry"


class ErasureLedgerRouter:
    def db_for_read(self, model, **hints):
        return (
            LEDGER_DATABASE if _is_ledger(model._meta.app_label, model._meta.model_name) else None
        )

    db_for_write = db_for_read

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # Data migrations (model_name None) never run on the ledger: its only table is its own.
        if db == LEDGER_DATABASE:
            return _is_ledger(app_label, model_name)
        if _is_ledger(app_label, model_name):
            return False
        return None
