import sys

from django.core.management.base import BaseCommand

from inventory.audit import audit_ledger


class Command(BaseCommand):
    help = "Check that every stock level equals the sum of its ledger; exit 1 on any drift."

    def handle(self, *args, **options):
        checked, drifts = audit_ledger()
        for drift in drifts:
            self.stdout.write(f"DRIFT {drift}")
        if drifts:
            self.stderr.write(f"{len(drifts)} of {checked} stock levels drifted from the ledger.")
            sys.exit(1)
        self.stdout.write(f"OK: {checked} stock levels match the ledger.")
