"""``manage.py open311_key NAME``: make an API key for an Open311 client app and print it once."""

from django.core.management.base import BaseCommand, CommandError

from fengqiao.open311.actions import do_create_api_key


class Command(BaseCommand):
    help = (
        "Create an Open311 API key for the app or organisation NAME and print it. Only its hash is "
        "stored: the key cannot be shown again. Revoke keys in the admin (Open311 › API keys)."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="Who the key is for, e.g. 'Hefei 12345 app'.")

    def handle(self, *args, name: str, **options):
        if not name.strip():
            raise CommandError("Give the key a name: the app or organisation it is for.")
        key, raw = do_create_api_key(name=name)
        self.stdout.write(raw)
        self.stderr.write(
            f"API key {key.prefix}… for “{key.name}” created. Store it now: it is not shown again. "
            "Clients send it as api_key when they POST requests."
        )
