from django.core.management.base import BaseCommand, CommandError

from security.models import SecurityCheckRun
from security.services.self_check import CHECKS, CheckResult, security_self_check_run


class Command(BaseCommand):
    help = (
        "Check the security measures in force: lockout, two-step login for privileged "
        "accounts, the audit chain, Django's deployment checks, backups and HTTPS. The result "
        "is kept and shown on the DPO's dashboard; any failure exits with status 1."
    )

    def handle(self, *args, **options):
        total = len(CHECKS)
        self.stdout.write(f"Running {total} security checks…")
        done = 0

        def progress(result: CheckResult) -> None:
            nonlocal done
            done += 1
            verdict = self.style.SUCCESS("passed") if result.passed else self.style.ERROR("FAILED")
            self.stdout.write(f"  [{done}/{total}] {result.name}: {verdict}")
            self.stdout.write(f"        {result.detail}")

        run = security_self_check_run(trigger=SecurityCheckRun.Trigger.COMMAND, progress=progress)
        if not run.passed:
            names = ", ".join(result["name"] for result in run.failures)
            raise CommandError(f"{len(run.failures)} of {total} checks failed: {names}.")
        self.stdout.write(self.style.SUCCESS(f"All {total} security checks passed."))
